"""Interactive API documentation (Swagger UI) served from the app's own npm copy, never from a CDN."""

import base64
import hashlib
import re

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS = "/static/npm/swagger-ui-dist"


def _inline_script_hashes(html: str) -> str:
    """CSP source expressions allowing exactly the page's inline scripts (the strict default policy blocks them)."""
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'" for script in scripts
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI for /openapi.json."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Zone Atlas API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    ).body.decode()
    policy = (
        f"default-src 'self'; script-src 'self' {_inline_script_hashes(page)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": policy})
