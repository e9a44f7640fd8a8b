"""File downloads: `/collections/{id}/items?f=gpkg|shp|kml|geojson|csv|fgb|dxf` and a whole zone as GeoPackage."""

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import AccessDep, ConnectionDep
from api.downloads import file_response, in_temporary_folder
from api.params import CrsDep, DatetimeDep, ZoneExportFormatDep
from gis.crs import epsg_uri
from gis.errors import InvalidInput
from layers.exports import export_zone

router = APIRouter(tags=["exports"])


@router.get("/api/exports/zones/{zone_uid}", summary="A whole economic zone as one multi-layer GeoPackage")
def zone_export(
    zone_uid: str, conn: ConnectionDep, access: AccessDep, _: ZoneExportFormatDep, crs: CrsDep, period: DatetimeDep
) -> Response:
    """The zone's version valid now (or at `datetime`) with its functional areas, parks, plots, gates, projects…"""
    if period is not None and not period.is_instant:
        raise InvalidInput("datetime for a zone export is one date (the plan as of that day), not an interval")
    result = in_temporary_folder(lambda folder: export_zone(conn, zone_uid, access, period, crs, folder))
    return file_response(result, epsg_uri(crs.epsg))
