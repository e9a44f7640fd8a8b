"""One table from neutral errors to HTTP status codes, in the OGC exception JSON form."""

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gis.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    TooLarge,
    Unprocessable,
    UnsupportedMedia,
    ZoneAtlasError,
)

log = logging.getLogger("zoneatlas.errors")
DATABASE_RETRY_SECONDS = 5  # Retry-After while the database cannot be reached

# Subclasses before their parents: the first match wins.
STATUS_FOR = {
    NotFound: 404,
    Unprocessable: 422,
    InvalidInput: 400,
    PreconditionFailed: 412,
    Conflict: 409,
    NotAuthenticated: 401,
    Forbidden: 403,
    PreconditionRequired: 428,
    NotAllowed: 405,
    RateLimited: 429,
    TooLarge: 413,
    UnsupportedMedia: 415,
}


def error_body(code: str, description: str) -> bytes:
    """The OGC exception document, for answers sent below FastAPI (middleware)."""
    return json.dumps({"code": code, "description": description}, ensure_ascii=False).encode()


def authentication_challenges(request: Request) -> list[str]:
    """What a 401 asks for: a bearer token, and HTTP Basic so that QGIS and other standard clients prompt.

    Browsers (they send Sec-Fetch-Site with every request) are not offered Basic: they would pop up their own login
    dialog over the app's pages, which sign in with /login instead.
    """
    challenges = ['Bearer realm="zoneatlas"']
    if "sec-fetch-site" not in request.headers:
        challenges.append('Basic realm="Zone Atlas", charset="UTF-8"')
    return challenges


def status_of(exc: ZoneAtlasError) -> int:
    """The HTTP status of a neutral error."""
    return next((code for kind, code in STATUS_FOR.items() if isinstance(exc, kind)), 400)


class RefusedInput(HTTPException):
    """A neutral error raised where only HTTP exceptions pass (inside FastAPI's body parsing); answered as itself."""

    def __init__(self, error: ZoneAtlasError) -> None:
        super().__init__(status_of(error), str(error))
        self.error = error


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping so routes can raise neutral errors."""

    @app.exception_handler(ZoneAtlasError)
    async def _neutral_error(request: Request, exc: ZoneAtlasError) -> JSONResponse:
        status = status_of(exc)
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        body = {"code": type(exc).__name__, "description": str(exc)}
        if getattr(exc, "details", None) is not None:  # e.g. each parcel a bulk change refuses, for a page to list
            body["details"] = exc.details
        response = JSONResponse(
            body,
            status_code=status,
            headers=headers,
        )
        if isinstance(exc, NotAuthenticated):
            for challenge in authentication_challenges(request):
                response.headers.append("WWW-Authenticate", challenge)
        return response

    @app.exception_handler(RefusedInput)
    async def _refused_input(request: Request, exc: RefusedInput) -> JSONResponse:
        return await _neutral_error(request, exc.error)

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("path", "query", "body"))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"code": "InvalidParameterValue", "description": "; ".join(problems)}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        """Last resort (api/guard.py answers first): even a failure outside the guard answers JSON."""
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"code": "InternalError", "description": INTERNAL_ERROR}, status_code=500)


INTERNAL_ERROR = "the server failed to answer this request; it has been logged (quote the X-Request-ID header)"
