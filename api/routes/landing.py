"""Landing page: what this server offers, as JSON for programs and HTML for people."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from layers.registry import layers_visible_to
from layers.spec import Access

router = APIRouter(tags=["landing"])

TITLE = "Zone Atlas — Hệ thống GIS quy hoạch khu kinh tế / Economic-zone planning GIS"


def landing_links() -> list[dict[str, str]]:
    """Links every client needs from the landing page."""
    return [
        {"rel": "self", "href": "/", "type": "application/json", "title": "This document"},
        {"rel": "service-desc", "href": "/openapi.json", "type": "application/vnd.oai.openapi+json;version=3.0",
         "title": "OpenAPI definition"},
        {"rel": "service-doc", "href": "/docs", "type": "text/html", "title": "API documentation"},
        {"rel": "data", "href": "/collections", "type": "application/json", "title": "Collections (layers)"},
        {"rel": "status", "href": "/health", "type": "application/json", "title": "Health"},
    ]


@router.get("/", summary="Landing page")
def landing(request: Request, f: str | None = None):
    """Describe the service; HTML when a browser asks for it."""
    layers = layers_visible_to(Access.public)
    wants_html = f == "html" or (f is None and "text/html" in request.headers.get("accept", ""))
    if not wants_html:
        return JSONResponse(
            {
                "title": TITLE,
                "description": "PostGIS layers of the Economic Zone Management Boards, served by open standards.",
                "links": landing_links(),
                "layers": [{"id": s.id, "title_vi": s.title_vi, "title_en": s.title_en} for s in layers],
            }
        )
    items = "".join(
        f"<li><b>{s.title_vi}</b> / {s.title_en} <code>{s.id}</code></li>" for s in layers
    )
    links = "".join(f'<li><a href="{link["href"]}">{link["title"]}</a></li>' for link in landing_links())
    return HTMLResponse(
        f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Zone Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}}
code{{background:#f3f3f3;padding:0 .3em}}</style></head><body>
<h1>Zone Atlas</h1><p>{TITLE}</p>
<h2>Liên kết / Links</h2><ul>{links}</ul>
<h2>Lớp dữ liệu công khai / Public layers</h2><ul>{items}</ul>
</body></html>"""
    )
