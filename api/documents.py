"""The board's reports as downloads: one media type per format and one way to name the file (diacritics kept)."""

from urllib.parse import quote

from fastapi.responses import Response

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_response(content: bytes, form: str, name: str) -> Response:
    """A report file as an attachment named `name.form`, with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    filename = f"{name}.{form}"
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(content, media_type=MEDIA[form], headers={"Content-Disposition": disposition})


def openapi_content(*forms: str) -> dict:
    """The `responses` entry of a route answering these formats besides JSON."""
    return {200: {"content": {MEDIA[f].split(";")[0]: {} for f in forms}}}
