"""Health check: is the database reachable, and which PostgreSQL and PostGIS is it."""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep
from gis.db import database_versions

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/health", summary="Database and PostGIS status")
def health(engine: EngineDep) -> JSONResponse:
    """Report versions, or 503 when the database cannot be reached (the reason goes to the log, not the caller)."""
    try:
        versions = database_versions(engine)
    except SQLAlchemyError as exc:
        # The driver's message names the host, port, user and database: for the operator only.
        log.warning("health: database unavailable: %s", str(getattr(exc, "orig", exc)).strip())
        return JSONResponse(
            {"status": "unavailable", "database": None, "detail": "database unavailable"}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": versions})


# HEAD for probes that only look at the status: the same check, no body.
router.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)
