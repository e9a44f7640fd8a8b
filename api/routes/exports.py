"""File downloads: `/collections/{id}/items?f=gpkg|shp|kml|geojson|csv|fgb|dxf` and a whole zone as GeoPackage."""

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import Connection
from starlette.background import BackgroundTask

from api.deps import AccessDep, ConnectionDep
from api.params import feature_query, parse_crs, parse_datetime
from gis.crs import CRS84_URI, WGS84, epsg_uri
from gis.errors import InvalidInput
from gis.formats import FORMATS, file_format
from layers.exports import ExportOptions, ExportResult, export_layer, export_zone
from layers.spec import Access, LayerSpec

router = APIRouter(tags=["exports"])

EXPORT_FORMATS = frozenset(FORMATS)
EXPORT_ONLY_PARAMS = ("geometry", "bom")


def is_export(request: Request) -> bool:
    """Whether the items request asks for a file format rather than a page."""
    return (request.query_params.get("f") or "").lower() in EXPORT_FORMATS


def export_response(request: Request, spec: LayerSpec, conn: Connection, access: Access) -> Response:
    """The whole matched set (no default page size; an explicit limit applies) as a file download."""
    params = request.query_params
    form = file_format(params["f"])
    crs = parse_crs(params.get("crs"))
    options = ExportOptions(csv_geometry=(params.get("geometry") or "wkt").lower(), csv_bom=_flag(params.get("bom")))
    for name in EXPORT_ONLY_PARAMS:
        if name in params and form.key != "csv":
            raise InvalidInput(f"'{name}' applies to f=csv only")
    query = feature_query(_without(request, EXPORT_ONLY_PARAMS), spec, access)
    limit = _explicit_limit(params.get("limit"))
    result = _in_temporary_folder(
        lambda folder: export_layer(conn, spec, query, form, crs, folder, limit=limit, options=options)
    )
    output_crs = CRS84_URI if (form.wgs84_only or crs.epsg == WGS84 and crs.lonlat_order) else epsg_uri(crs.epsg)
    return _file(result, output_crs)


@router.get("/api/exports/zones/{zone_uid}", summary="A whole economic zone as one multi-layer GeoPackage")
def zone_export(request: Request, zone_uid: str, conn: ConnectionDep, access: AccessDep) -> Response:
    """The zone's version valid now (or at `datetime`) with its functional areas, parks, plots, gates, projects…"""
    params = request.query_params
    unknown = [k for k in params if k not in ("datetime", "crs", "f")]
    if unknown:
        raise InvalidInput(f"unknown parameter {', '.join(unknown)}; parameters are datetime, crs and f=gpkg")
    if (params.get("f") or "gpkg").lower() != "gpkg":
        raise InvalidInput("a zone is exported as one multi-layer GeoPackage: f=gpkg")
    crs = parse_crs(params.get("crs"))
    period = parse_datetime(params.get("datetime"))
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


def _without(request: Request, names: tuple[str, ...]) -> Request:
    """The same request minus export-only parameters, so the items parser sees only what it knows."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in names]
    return Request({**request.scope, "query_string": urlencode(kept).encode("latin-1", "replace")})


def _explicit_limit(raw: str | None) -> int | None:
    """A limit given for a download applies as given (no clamping); without one, everything matched."""
    if raw is None:
        return None
    if not re.fullmatch(r"\s*\+?\d+\s*", raw):
        raise InvalidInput(f"limit must be a whole number, got '{raw}'")
    if int(raw) < 1:
        raise InvalidInput("limit must be at least 1")
    return int(raw)


def _flag(raw: str | None) -> bool:
    """A true/false parameter."""
    if raw is None:
        return False
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(f"expected true or false, got '{raw}'")
