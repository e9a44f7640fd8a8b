"""The decisions register (editors write, everyone reads what is public): decisions and their signed PDFs."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Header, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import (
    AccessDep,
    BodyAfterAccess,
    ConnectionDep,
    EditorDep,
    EngineDep,
    SettingsDep,
    request_id,
    wait_until_seen,
)
from gis.errors import TooLarge, UnsupportedMedia
from layers.decisions import (
    PDF_TYPE,
    attach_document,
    check_pdf,
    decision_json,
    decision_key,
    detach_document,
    is_pdf,
    read_document,
    save_decision,
)
from layers.spec import Access

router = APIRouter(tags=["decisions register"], route_class=BodyAfterAccess)  # 401/403 before a body is read
CHUNK = 1024 * 1024
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The decision's ETag (from GET /api/decisions/{id}): 412 when it changed since; optional.",
    ),
]
Number = Annotated[str, Field(min_length=1, max_length=100, examples=["439/QĐ-TTg"])]
Ref = Annotated[
    str | int | None, Field(description="The decision it replaces: number or id", examples=["1123/QĐ-UBND"])
]


class DecisionFields(BaseModel):
    """Fields every decision body may carry (vocabularies: see docs/decisions.md)."""

    model_config = ConfigDict(extra="forbid")

    title_en: str | None = None
    authority_name_vi: str | None = Field(None, examples=["UBND tỉnh Hà Tĩnh"])
    plan_level: str | None = Field(None, examples=["general"])
    horizon_year: int | None = Field(None, ge=1900, le=2200)
    vision_year: int | None = Field(None, ge=1900, le=2200)
    zone_uid: str | None = Field(None, examples=["KKT-VUNG-ANG"])
    supersedes: Ref = None
    illustrative: bool | None = None
    source: str | None = None
    notes: str | None = None
    public: bool | None = Field(None, description="Listed to anonymous readers (default true)")


class DecisionCreate(DecisionFields):
    """A new decision: number as written, Vietnamese title, dates, authority and kind are required."""

    number: Number
    title_vi: str = Field(min_length=1, examples=["Phê duyệt điều chỉnh quy hoạch chung Khu kinh tế Vũng Áng"])
    date_signed: date
    date_effective: date
    authority: str = Field(examples=["prime_minister"])
    kind: str = Field(examples=["overall_revision"])


class DecisionChange(DecisionFields):
    """Some fields of a decision: those given are changed (null clears an optional one), others kept."""

    number: Number | None = None
    title_vi: str | None = Field(None, min_length=1)
    date_signed: date | None = None
    date_effective: date | None = None
    authority: str | None = None
    kind: str | None = None


def _answer(data: dict[str, Any], status: int = 200) -> JSONResponse:
    """A decision with its ETag (send it back as If-Match to change it)."""
    headers = {"ETag": data["etag"]} if data.get("etag") else {}
    if status == 201:
        headers["Location"] = f"/api/decisions/{data['id']}"
    return JSONResponse(data, status_code=status, headers=headers)


@router.post("/api/decisions", summary="Register a decision (editors)", status_code=201)
def create_decision(request: Request, body: DecisionCreate, user: EditorDep, engine: EngineDep) -> JSONResponse:
    """201 with the decision; a number already registered is 409, bad dates or vocabulary 422."""
    values = body.model_dump(exclude_none=True)
    with engine.begin() as conn:
        key = save_decision(conn, values, key=None, user=user, request_id=request_id(request))
        data = decision_json(conn, key, Access.internal)
    wait_until_seen(request, engine, ["decisions"])
    return _answer(data, 201)


@router.get("/api/decisions/{decision_id}", summary="One decision of the register (unpublished ones: staff)")
def get_decision(decision_id: str, conn: ConnectionDep, access: AccessDep) -> JSONResponse:
    """The decision's fields with vocabulary labels, what it supersedes and its document's URL."""
    return _answer(decision_json(conn, decision_key(decision_id), access))


@router.patch("/api/decisions/{decision_id}", summary="Change a decision (editors)")
def change_decision(
    request: Request,
    decision_id: str,
    body: DecisionChange,
    user: EditorDep,
    engine: EngineDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Only the fields given change; audited with before and after."""
    key = decision_key(decision_id)
    values = body.model_dump(exclude_unset=True)
    with engine.begin() as conn:
        save_decision(conn, values, key=key, user=user, request_id=request_id(request), if_match=if_match)
        data = decision_json(conn, key, Access.internal)
    wait_until_seen(request, engine, ["decisions"])
    return _answer(data)


@router.put("/api/decisions/{decision_id}/document", summary="Attach the signed PDF of a decision (editors)")
def put_document(
    request: Request,
    decision_id: str,
    file: Annotated[UploadFile, File(description="The signed decision as a PDF")],
    user: EditorDep,
    engine: EngineDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Replaces any document attached before; 413 over DOCUMENT_MAX_BYTES, 415 when the file is not a PDF."""
    key = decision_key(decision_id)
    content = _read_limited(file, settings.document_max_bytes)
    name = check_pdf(content, file.filename or "")
    if not is_pdf(content):
        raise UnsupportedMedia(f"{name} is not a PDF (a PDF file starts with %PDF-); upload the signed PDF")
    with engine.begin() as conn:
        attach_document(conn, key, content, name, user=user, request_id=request_id(request), if_match=if_match)
        data = decision_json(conn, key, Access.internal)
    wait_until_seen(request, engine, ["decisions"])
    return _answer(data)


@router.delete("/api/decisions/{decision_id}/document", summary="Detach a decision's PDF (editors)")
def delete_document(
    request: Request, decision_id: str, user: EditorDep, engine: EngineDep, if_match: IfMatch = None
) -> JSONResponse:
    """The decision no longer names a document; the change is audited."""
    key = decision_key(decision_id)
    with engine.begin() as conn:
        detach_document(conn, key, user=user, request_id=request_id(request), if_match=if_match)
        data = decision_json(conn, key, Access.internal)
    wait_until_seen(request, engine, ["decisions"])
    return _answer(data)


@router.get(
    "/api/decisions/{decision_id}/document",
    summary="A decision's signed PDF (staff; anyone when the decision is public)",
    response_class=Response,
    responses={200: {"content": {PDF_TYPE: {}}}, 304: {"description": "not modified (If-None-Match)"}},
)
def get_document(
    decision_id: str,
    conn: ConnectionDep,
    access: AccessDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", description="An ETag read before")] = None,
) -> Response:
    """The PDF as stored, named by its original file name; its ETag is the sha256 of its bytes."""
    filename, digest, content = read_document(conn, decision_key(decision_id), access)
    etag = f'"{digest}"'
    headers = {
        "ETag": etag,
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": "public, no-cache" if access is Access.public else "private, no-cache",
        "Vary": "Cookie, Authorization",
    }
    if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=PDF_TYPE, headers=headers)


def content_disposition(filename: str) -> str:
    """inline; an ASCII fallback name and the UTF-8 one (RFC 6266/5987), so "Quyết định.pdf" keeps its diacritics."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, refused with 413 as soon as they pass the limit."""
    parts, size = [], 0
    while chunk := upload.file.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(
                f"the file is over the limit of {max_bytes / 1_048_576:.1f} MB for a decision's document "
                "(setting DOCUMENT_MAX_BYTES)"
            )
        parts.append(chunk)
    return b"".join(parts)
