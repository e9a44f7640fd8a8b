"""One table from neutral errors to HTTP status codes, in the OGC exception JSON form."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gis.errors import Conflict, InvalidInput, NotFound, ZoneAtlasError

STATUS_FOR = {NotFound: 404, InvalidInput: 400, Conflict: 409}


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping so routes can raise neutral errors."""

    @app.exception_handler(ZoneAtlasError)
    async def _neutral_error(request: Request, exc: ZoneAtlasError) -> JSONResponse:
        status = next((code for kind, code in STATUS_FOR.items() if isinstance(exc, kind)), 400)
        return JSONResponse(
            {"code": type(exc).__name__, "description": str(exc)},
            status_code=status,
        )

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("path", "query", "body"))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse(
            {"code": "InvalidParameterValue", "description": "; ".join(problems)}, status_code=400
        )
