"""Health check: is the database reachable, which PostgreSQL and PostGIS is it, and how far each read replica lags."""

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import EngineDep
from gis.db import database_versions
from gis.replicas import PRIMARY_POSITION_SQL, ReadPool

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/health", summary="Database and PostGIS status")
def health(request: Request, engine: EngineDep) -> JSONResponse:
    """Report versions (and each replica), or 503 when the primary cannot be reached (the reason goes to the log).

    A replica that is down or lagging does not make the app unhealthy: reads then go to the others or the primary.
    """
    reads: ReadPool = request.app.state.reads
    try:
        versions = database_versions(engine)
        if reads.replicas:
            with engine.connect() as conn:
                position = int(conn.exec_driver_sql(PRIMARY_POSITION_SQL).scalar_one())
    except SQLAlchemyError as exc:
        # The driver's message names the host, port, user and database: for the operator only.
        log.warning("health: database unavailable: %s", str(getattr(exc, "orig", exc)).strip())
        return JSONResponse(
            {"status": "unavailable", "database": None, "detail": "database unavailable"}, status_code=503
        )
    if not reads.replicas:
        return JSONResponse({"status": "ok", "database": versions})
    return JSONResponse({"status": "ok", "database": versions, "replicas": reads.status(position)})


# HEAD for probes that only look at the status: the same check, no body.
router.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)
