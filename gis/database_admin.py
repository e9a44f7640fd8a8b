"""Create the application database and its extensions when they do not exist yet."""

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from gis.db import database_name, server_url

EXTENSIONS = ("postgis", "btree_gist")


def ensure_database(database_url: str) -> bool:
    """Create the database named in the URL if missing; return True when it was created."""
    name = database_name(database_url)
    admin = create_engine(server_url(database_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                return False
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0"))
            return True
    finally:
        admin.dispose()


def drop_database(database_url: str) -> None:
    """Drop a database (used for throwaway test and benchmark databases)."""
    name = database_name(database_url)
    admin = create_engine(server_url(database_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    finally:
        admin.dispose()


def ensure_extensions(database_url: str) -> None:
    """Create PostGIS and btree_gist, with a clear message when PostGIS is not installed on the server."""
    engine = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            available = {r[0] for r in conn.execute(text("SELECT name FROM pg_available_extensions"))}
            missing = [e for e in EXTENSIONS if e not in available]
            if missing:
                raise RuntimeError(
                    f"the PostgreSQL server lacks the extension(s) {', '.join(missing)}: install PostGIS 3 "
                    "(Debian/Ubuntu: apt-get install postgis) or point DATABASE_URL at a PostGIS server"
                )
            for ext in EXTENSIONS:
                conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {ext}"))
    finally:
        engine.dispose()
