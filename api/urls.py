"""URLs the API writes into its answers, built one way for every router (routers do not import each other)."""

from starlette.requests import Request


def base_url(request: Request) -> str:
    """The server's root URL as the client reached it."""
    return str(request.base_url).rstrip("/")
