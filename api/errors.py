"""One table from neutral errors to HTTP status codes, in the OGC exception JSON form."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    Unprocessable,
    ZoneAtlasError,
)

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
}


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping so routes can raise neutral errors."""

    @app.exception_handler(ZoneAtlasError)
    async def _neutral_error(request: Request, exc: ZoneAtlasError) -> JSONResponse:
        status = next((code for kind, code in STATUS_FOR.items() if isinstance(exc, kind)), 400)
        headers = {}
        if isinstance(exc, NotAuthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="zoneatlas"'
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(
            {"code": type(exc).__name__, "description": str(exc)},
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("path", "query", "body"))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"code": "InvalidParameterValue", "description": "; ".join(problems)}, status_code=400)
