"""URLs the API writes into its answers, built one way for every router (routers do not import each other)."""

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse

LOGIN_PATH = "/login"


def base_url(request: Request) -> str:
    """The server's root URL as the client reached it."""
    return str(request.base_url).rstrip("/")


def login_redirect(request: Request) -> RedirectResponse:
    """Send the reader to the login page, asking it to come back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(here, safe='')}", status_code=303)
