"""Fault test: the test database refuses connections for a while → 503s with Retry-After, cached tiles still
served, then recovery without a restart and without a single 500."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from api.app import create_app
from gis.db import database_name, server_url

TILE = "/collections/land_plots/tiles/WebMercatorQuad/15/26063/14712"  # holds the first demo plot (106.34° E, 18.06° N)
ITEMS = "/collections/land_plots/items?limit=5"
STAFF_ITEMS = "/collections/clearance_parcels/items?limit=5"


def _backends(admin: Engine, name: str) -> set[int]:
    """The server processes serving connections to the database."""
    with admin.connect() as conn:
        rows = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": name})
        return {pid for (pid,) in rows}


@contextmanager
def database_refusing(admin: Engine, name: str, pids: set[int]) -> Iterator[None]:
    """New connections to the test database refused and the given ones cut, until the block ends."""
    assert name.startswith("zoneatlas_test_")  # never anything but the throwaway test database
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            cut = text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid")
            conn.execute(cut, {"pids": sorted(pids)})
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def _unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["code"] == "ServiceUnavailable"


def test_database_outage_answers_503_serves_cached_tiles_and_recovers(settings, database_url, staff):
    name = database_name(database_url)
    admin = create_engine(server_url(database_url), isolation_level="AUTOCOMMIT")
    others = _backends(admin, name)  # the session's other apps keep theirs (new ones are refused all the same)
    with TestClient(create_app(settings), raise_server_exceptions=False) as app_client:
        tile = app_client.get(TILE)
        assert tile.status_code == 200 and tile.content, tile.text
        assert app_client.get(ITEMS).status_code == 200
        assert app_client.get(STAFF_ITEMS, headers=staff["editor"]).status_code == 200
        ours = _backends(admin, name) - others
        assert app_client.app.state.change_feed.backend_pid in ours

        with database_refusing(admin, name, ours):
            for _ in range(2):
                _unavailable(app_client.get(ITEMS))
                _unavailable(app_client.get(STAFF_ITEMS, headers=staff["editor"]))
                _unavailable(app_client.get("/api/plots/NO-SUCH-PLOT"))
                cached = app_client.get(TILE)
                assert cached.status_code == 200 and cached.content == tile.content
                assert cached.headers["etag"] == tile.headers["etag"]
                _unavailable(app_client.get(TILE.replace("26063", "26064")))  # not cached: needs the database
            assert app_client.get("/health").status_code == 503

        statuses = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            round_ = [
                app_client.get(ITEMS).status_code,
                app_client.get(STAFF_ITEMS, headers=staff["editor"]).status_code,
                app_client.get(TILE).status_code,
                app_client.get("/health").status_code,
            ]
            statuses += round_
            if round_ == [200, 200, 200, 200]:
                break
            time.sleep(0.2)
        assert statuses[-4:] == [200, 200, 200, 200], statuses
        assert set(statuses) <= {200, 503}, statuses
        for _ in range(3):  # no stale pooled connection left behind: every later request succeeds
            assert app_client.get(ITEMS).status_code == 200
            assert app_client.get(STAFF_ITEMS, headers=staff["editor"]).status_code == 200
    admin.dispose()
