"""Test fixtures: a throwaway PostGIS database per run, migrated and loaded; each test isolated in a transaction.

There is no fallback: if PostgreSQL or PostGIS is unavailable, the session fixture errors and every
spatial test fails (never skips).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from api.app import create_app
from gis.database_admin import drop_database, ensure_database, ensure_extensions
from gis.db import make_engine
from gis.migrate import upgrade
from gis.settings import DEFAULT_DATABASE_URL, PROJECT_ROOT, Settings
from layers.basemap import basemap_file, load_basemap
from layers.demo.loader import load_demo, load_lookups
from tests.accounts import edits, staff  # noqa: F401  (shared fixtures, registered once)
from tests.browser import browser_page, chromium_browser  # noqa: F401

DATA_DIR = PROJECT_ROOT / "data"


def _test_database_url() -> str:
    """A fresh database name on the server the developer configured (or the local default)."""
    base = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)).database_url
    name = f"zoneatlas_test_{uuid.uuid4().hex[:10]}"
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = _test_database_url()
    ensure_database(url)
    try:
        ensure_extensions(url)
        upgrade(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    with engine.begin() as conn:
        load_lookups(conn, DATA_DIR / "lookups")
        load_basemap(conn, basemap_file(DATA_DIR))  # as `zoneatlas db upgrade` does
        load_demo(conn, DATA_DIR / "demo")
    yield engine
    engine.dispose()


@pytest.fixture
def db_conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture(scope="session")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@contextmanager
def served_app(database_url: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`zoneatlas serve` in its own process (its supervisor), with the URL it answers on."""
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # No basemap: the machine is offline and the browser tests fail on any request leaving 127.0.0.1.
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "HOST": "127.0.0.1", "BASEMAP_URL": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a shared machine under load starts slowly
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()  # reading stderr of a live process would wait for it forever
                raise RuntimeError(f"the server did not start: {process.communicate(timeout=10)[1].decode()[-2000:]}")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(database_url: str, engine: Engine) -> Iterator[str]:
    """The app served by `zoneatlas serve` in its own process, as users and GDAL reach it."""
    with served_app(database_url) as (url, _):
        yield url
