"""File downloads: `/collections/{id}/items?f=gpkg|shp|kml|geojson|csv|fgb|dxf` and a whole zone as GeoPackage."""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from sqlalchemy import Connection
from starlette.background import BackgroundTask

from api.deps import AccessDep, ConnectionDep
from api.params import CrsDep, DatetimeDep, ItemsRequest, ZoneExportFormatDep
from gis.crs import CRS84_URI, WGS84, epsg_uri
from gis.errors import InvalidInput
from layers.exports import ExportResult, export_layer, export_zone
from layers.spec import LayerSpec

router = APIRouter(tags=["exports"])


def export_response(spec: LayerSpec, conn: Connection, params: ItemsRequest) -> Response:
    """The whole matched set (no default page size; an explicit limit applies) as a file download."""
    form, crs = params.file, params.crs
    result = _in_temporary_folder(
        lambda folder: export_layer(
            conn, spec, params.query, form, crs, folder, limit=params.file_limit, options=params.options
        )
    )
    output_crs = CRS84_URI if (form.wgs84_only or crs.epsg == WGS84 and crs.lonlat_order) else epsg_uri(crs.epsg)
    return _file(result, output_crs)


@router.get("/api/exports/zones/{zone_uid}", summary="A whole economic zone as one multi-layer GeoPackage")
def zone_export(
    zone_uid: str, conn: ConnectionDep, access: AccessDep, _: ZoneExportFormatDep, crs: CrsDep, period: DatetimeDep
) -> Response:
    """The zone's version valid now (or at `datetime`) with its functional areas, parks, plots, gates, projects…"""
    if period is not None and not period.is_instant:
        raise InvalidInput("datetime for a zone export is one date (the plan as of that day), not an interval")
    result = _in_temporary_folder(lambda folder: export_zone(conn, zone_uid, access, period, crs, folder))
    return _file(result, epsg_uri(crs.epsg))


def _in_temporary_folder(work: Callable[[Path], ExportResult]) -> ExportResult:
    """Run an export into a fresh temporary folder; the folder goes away if it fails."""
    folder = Path(tempfile.mkdtemp(prefix="zoneatlas-export-"))
    try:
        return work(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _file(result: ExportResult, crs_uri: str) -> FileResponse:
    """Stream the file to the client, then remove its temporary folder."""
    headers = {"Content-Crs": f"<{crs_uri}>", "X-Feature-Count": str(result.count)}
    notes = "; ".join(n for n in result.notes if n)
    if notes:
        headers["X-Export-Notes"] = notes.encode("ascii", "replace").decode("ascii")
    return FileResponse(
        result.path,
        media_type=result.media_type,
        filename=result.filename,
        headers=headers,
        background=BackgroundTask(shutil.rmtree, result.path.parent, ignore_errors=True),
    )
