"""File downloads as responses: one layer's matched set, or any export, written to a temporary folder and streamed."""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi.responses import FileResponse, Response
from sqlalchemy import Connection
from starlette.background import BackgroundTask

from api.params import ItemsRequest
from gis.crs import CRS84_URI, WGS84, epsg_uri
from layers.exports import ExportResult, export_layer
from layers.spec import LayerSpec


def export_response(spec: LayerSpec, conn: Connection, params: ItemsRequest) -> Response:
    """The whole matched set (no default page size; an explicit limit applies) as a file download."""
    form, crs = params.file, params.crs
    result = in_temporary_folder(
        lambda folder: export_layer(
            conn, spec, params.query, form, crs, folder, limit=params.file_limit, options=params.options
        )
    )
    output_crs = CRS84_URI if (form.wgs84_only or crs.epsg == WGS84 and crs.lonlat_order) else epsg_uri(crs.epsg)
    return file_response(result, output_crs)


def in_temporary_folder(work: Callable[[Path], ExportResult]) -> ExportResult:
    """Run an export into a fresh temporary folder; the folder goes away if it fails."""
    folder = Path(tempfile.mkdtemp(prefix="zoneatlas-export-"))
    try:
        return work(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def file_response(result: ExportResult, crs_uri: str) -> FileResponse:
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
