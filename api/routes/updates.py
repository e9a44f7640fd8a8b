"""Spreadsheet updates: editors download a layer's XLSX template, fill it in, and upload it to preview or apply."""

import io
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import BodyAfterAccess, EditorDep, EngineDep, LayerDep, SettingsDep, request_id, wait_until_seen
from api.params import SheetUploadDep, TemplateFilterDep
from gis.errors import InvalidInput
from layers.update_sheet import build_template, sheet_layout
from layers.updates import apply_sheet, plan_updates, read_sheet
from layers.writes import resolve_decision

router = APIRouter(tags=["spreadsheet updates"], route_class=BodyAfterAccess)  # 401/403 before the upload is read
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 1024 * 1024


@router.get(
    "/api/updates/{collection_id}/template.xlsx",
    summary="A layer's spreadsheet template, one row per current feature (editors)",
    responses={200: {"content": {XLSX: {}}, "description": "the XLSX template"}},
)
def template(spec: LayerDep, editor: EditorDep, engine: EngineDep, only: TemplateFilterDep) -> Response:
    """The template with today's values (and a year's blank rows); 400 when too large for one sheet without a filter."""
    with engine.connect() as conn:
        content = build_template(conn, spec, only)
    given = (only.project, only.park, only.province, "_".join(only.map_sheets), only.year)
    suffix = "".join(f"-{v}" for v in given if v)
    name = f"{spec.id}{suffix}.xlsx".encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post(
    "/api/updates/{collection_id}",
    summary="Upload a filled-in template: preview (dry_run=true) or apply all or nothing (editors)",
)
def upload(
    request: Request,
    spec: LayerDep,
    editor: EditorDep,
    engine: EngineDep,
    settings: SettingsDep,
    params: SheetUploadDep,
    file: Annotated[UploadFile, File(description="The XLSX template, filled in")],
) -> JSONResponse:
    """200 with the report (preview, or what was applied); 422 with the report when a row has a problem."""
    layout = sheet_layout(spec)
    name = (file.filename or "sheet.xlsx").rsplit("/", 1)[-1]
    sheet = read_sheet(_read(file, settings.import_max_bytes, name), layout, name)
    with engine.connect() as conn, conn.begin() as transaction:
        decision = resolve_decision(conn, params.decision or editor.token_decision_id)
        report = plan_updates(conn, layout, sheet, name)
        if report.errors and not params.dry_run:
            body = report.as_dict(dry_run=False, applied=False, decision=decision)
            description = f"{len(report.errors)} problems in {name}; nothing was written"
            return JSONResponse({"code": "ValidationFailed", "description": description, "report": body}, 422)
        if not report.errors:  # a preview runs the writes too (so it meets every refusal), then rolls them back
            apply_sheet(
                conn, report, decision=decision, user=editor, request_id=request_id(request), preview=params.dry_run
            )
        if params.dry_run:
            transaction.rollback()
    if not params.dry_run and report.writes:
        wait_until_seen(request, engine, [spec.tracked_table])
    applied = not params.dry_run and not report.errors
    return JSONResponse(report.as_dict(dry_run=params.dry_run, applied=applied, decision=decision))


def _read(upload: UploadFile, max_bytes: int, name: str) -> bytes:
    """The upload, refused as soon as it passes the import size limit."""
    out = io.BytesIO()
    while chunk := upload.file.read(CHUNK):
        if out.tell() + len(chunk) > max_bytes:
            raise InvalidInput(
                f"{name}: the file is over the import limit of {max_bytes / 1_048_576:.1f} MB "
                "(setting IMPORT_MAX_BYTES)"
            )
        out.write(chunk)
    if out.tell() == 0:
        raise InvalidInput(f"{name}: the file is empty (0 bytes)")
    return out.getvalue()
