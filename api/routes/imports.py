"""`POST /api/imports`: editors upload a file; the validation report comes back, and only a clean file is written."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from api.deps import BodyAfterAccess, EditorDep, EngineDep, SettingsDep, wait_until_seen
from gis.crs import parse_crs_uri
from gis.errors import InvalidInput
from gis.io import CsvOptions
from layers.imports import ImportOptions, apply_import, plan_import
from layers.registry import get_layer

router = APIRouter(tags=["imports"], route_class=BodyAfterAccess)  # 401/403 before the upload is read
CHUNK = 1024 * 1024


@router.post("/api/imports", summary="Import a file into a layer (editors): validation report, then all or nothing")
def import_file(
    request: Request,
    editor: EditorDep,
    engine: EngineDep,
    settings: SettingsDep,
    layer: Annotated[str, Form(description="Layer id, e.g. land_plots")],
    file: Annotated[UploadFile, File(description="GPKG, zipped Shapefile, GeoJSON, KML, DXF, FlatGeobuf or CSV")],
    crs: Annotated[str | None, Form(description="CRS of a file that does not carry one, e.g. EPSG:9209")] = None,
    decision: Annotated[str | None, Form(description="Decision (versioned layers); default: the token's")] = None,
    dry_run: Annotated[bool, Form(description="Only report; write nothing")] = False,
    source_layer: Annotated[str | None, Form(description="Layer inside a multi-layer file")] = None,
    wkt_column: Annotated[str | None, Form()] = None,
    x_column: Annotated[str | None, Form()] = None,
    y_column: Annotated[str | None, Form()] = None,
    northing_first: Annotated[bool, Form(description="CSV survey table: X is the northing")] = False,
    defaults: Annotated[str | None, Form(description="field=value;field=value for every feature")] = None,
) -> JSONResponse:
    """200 with the report (dry run or written); 422 with the report when it lists problems (nothing written)."""
    given = {}
    for item in (defaults or "").split(";"):
        if item.strip():
            name, sep, value = item.partition("=")
            if not sep:
                raise InvalidInput(f"defaults need field=value pairs separated by ';', got '{item}'")
            given[name.strip()] = value
    options = ImportOptions(
        crs=None if not crs else parse_crs_uri(crs).epsg,
        decision=decision or (None if editor.token_decision_id is None else str(editor.token_decision_id)),
        source_layer=source_layer or None,
        csv=CsvOptions(
            wkt_column=wkt_column or None,
            x_column=x_column or None,
            y_column=y_column or None,
            northing_first=northing_first,
        ),
        defaults=given,
        max_bytes=settings.import_max_bytes,
        dry_run=dry_run,
    )
    name = Path(file.filename or "upload").name
    folder = Path(tempfile.mkdtemp(prefix="zoneatlas-import-"))
    try:
        path = folder / f"upload{Path(name).suffix.lower()}"
        _save(file, path, settings.import_max_bytes, name)
        with engine.begin() as conn:
            plan = plan_import(conn, layer, path, options, display_name=name)
            if not plan.report.ok:
                return JSONResponse(
                    {
                        "code": "ValidationFailed",
                        "description": f"{len(plan.report.problems)} problems in {name}; nothing was written",
                        "report": plan.report.as_dict(),
                    },
                    status_code=422,
                )
            if not dry_run:
                apply_import(conn, plan, user=editor)
        if not dry_run:
            wait_until_seen(request, engine, [get_layer(layer).tracked_table])
        return JSONResponse(plan.report.as_dict(), status_code=200)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _save(upload: UploadFile, path: Path, max_bytes: int, name: str) -> None:
    """Copy the upload to disk, stopping as soon as it passes the size limit."""
    written = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise InvalidInput(
                    f"{name}: the file is over the import limit of {max_bytes / 1_048_576:.1f} MB "
                    "(setting IMPORT_MAX_BYTES)"
                )
            out.write(chunk)
    if written == 0:
        raise InvalidInput(f"{name}: the file is empty (0 bytes)")
