"""Health check: is the database reachable, and which PostgreSQL and PostGIS is it."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep
from gis.db import database_versions

router = APIRouter(tags=["health"])


@router.get("/health", summary="Database and PostGIS status")
def health(engine: EngineDep) -> JSONResponse:
    """Report versions, or 503 when the database cannot be reached."""
    try:
        versions = database_versions(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return JSONResponse({"status": "unavailable", "database": None, "detail": reason}, status_code=503)
    return JSONResponse({"status": "ok", "database": versions})
