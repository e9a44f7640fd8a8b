"""Database engine and connection helpers (SQLAlchemy 2 on psycopg2)."""

import psycopg2
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from gis.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for a settings object; callers own its lifetime (dispose on shutdown)."""
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_pre_ping=settings.db_pre_ping,
        connect_args={"options": "-c timezone=UTC", "application_name": "zoneatlas"},
    )


def make_read_engine(settings: Settings) -> Engine:
    """A second pool whose connections stay in autocommit, for the read-only hot paths (items, tiles).

    No BEGIN/ROLLBACK round trips and no isolation-level switching per checkout. With the change feed on, its
    listening connection notices a database restart and the app then drops these pools (see api/app.py), so the
    per-checkout "SELECT 1" pre-ping is left off.
    """
    return create_engine(
        settings.database_url,
        isolation_level="AUTOCOMMIT",
        pool_size=settings.db_pool_size,
        pool_pre_ping=settings.db_pre_ping and not settings.change_feed,
        connect_args={"options": "-c timezone=UTC", "application_name": "zoneatlas-read"},
    )


def database_versions(engine: Engine) -> dict[str, str]:
    """Report the PostgreSQL and PostGIS versions the app is talking to."""
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar_one()
        postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    return {"postgresql": str(pg), "postgis": str(postgis)}


def server_url(database_url: str) -> str:
    """Return the URL of the maintenance database on the same server (to create or drop databases)."""
    return make_url(database_url).set(database="postgres").render_as_string(hide_password=False)


def database_name(database_url: str) -> str:
    """Return the database name part of a URL."""
    return make_url(database_url).database or ""


def libpq_dsn(settings: Settings) -> str:
    """The database URL as libpq (psycopg2.connect) takes it, for connections outside the pool."""
    return make_url(settings.database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_unreachable(exc: BaseException) -> bool:
    """True for errors that mean the database cannot be reached now (refused, cut off, pool exhausted): retry later."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | psycopg2.OperationalError)
