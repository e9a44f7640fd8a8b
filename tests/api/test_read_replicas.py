"""Reads from a real streaming replica: never stale after an edit, never an ETag paired with older data, and a
replica that stops answering is left out until it comes back.

The pair of clusters comes from tests/replication.py (initdb, pg_basebackup -R, pg_ctl). Which server answered is
seen by counting the statements each of the app's engines runs; what the standby holds is read from it directly.
"""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import mapbox_vector_tile
import morecantile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from api.app import create_app
from gis.settings import Settings
from tests.accounts import bearer, make_user
from tests.replication import Replicated, free_port, replicated  # noqa: F401  (the session fixture)

TMS = morecantile.tms.get("WebMercatorQuad")
PLOT = "KCN-VHVA-CN4"
ITEMS = f"/collections/land_plots/items?uid={PLOT}"
STATUS_SQL = text("SELECT status FROM land_plots WHERE uid = :uid AND valid_to IS NULL")
CHECK_SECONDS = 0.2


@pytest.fixture(scope="module")
def pair(replicated: Replicated) -> Replicated:  # noqa: F811
    return replicated


def app_settings(pair: Replicated, *read_urls: str, change_feed: bool = True) -> Settings:
    return Settings(
        DATABASE_URL=pair.primary_url,
        DATABASE_READ_URLS=",".join(read_urls),
        REPLICA_CHECK_SECONDS=CHECK_SECONDS,
        CHANGE_FEED=change_feed,
        DB_POOL_SIZE=2,
    )


@contextmanager
def app(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


class Counter:
    """Statements run on one engine (the replica's pool or the primary's read pool) while the block runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.statements = engine, 0

    def _count(self, *args) -> None:
        self.statements += 1

    def __enter__(self) -> "Counter":
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def plot_tile(pair: Replicated, zoom: int) -> str:
    with pair.primary_engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM land_plots "
                "WHERE uid = :uid AND valid_to IS NULL) s"
            ),
            {"uid": PLOT},
        ).one()
    tile = TMS.tile(lon, lat, zoom)
    return f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"


def tile_status(response) -> str:
    assert response.status_code == 200, response.text
    features = mapbox_vector_tile.decode(response.content)["land_plots"]["features"]
    return next(f["properties"]["status"] for f in features if f["properties"]["uid"] == PLOT)


def items_status(response) -> str:
    assert response.status_code == 200, response.text
    (feature,) = response.json()["features"]
    return feature["properties"]["status"]


def status_on(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(STATUS_SQL, {"uid": PLOT}).scalar_one()


def set_status(pair: Replicated, status: str) -> None:
    """An edit made straight on the primary (psql, the CLI, another app)."""
    with pair.primary_engine.begin() as conn:
        conn.execute(
            text("UPDATE land_plots SET status = :s WHERE uid = :uid AND valid_to IS NULL"), {"s": status, "uid": PLOT}
        )


def other_status(status: str) -> str:
    return "reserved" if status != "reserved" else "available"


def wait_until(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@contextmanager
def replay_paused(pair: Replicated) -> Iterator[None]:
    pair.pause_replay()
    try:
        yield
    finally:
        pair.resume_replay()
        pair.caught_up()


def test_reads_come_from_the_caught_up_replica_and_writes_stay_on_the_primary(pair):
    pair.caught_up()
    with app(app_settings(pair, pair.standby_url)) as client:
        replica, primary_reads = client.app.state.reads.replicas[0], client.app.state.read_engine
        with Counter(replica.engine) as on_replica, Counter(primary_reads) as on_primary:
            assert items_status(client.get(ITEMS)) == status_on(pair.primary_engine)
            tile = client.get(plot_tile(pair, 16))
            assert tile_status(tile) == status_on(pair.primary_engine)
        # each read: the replay-position check, then the query (items also counts its matches)
        assert on_replica.statements >= 4 and on_primary.statements == 0
        health = client.get("/health").json()
        assert health["status"] == "ok"
        (report,) = health["replicas"]
        assert report["name"] == "replica 1" and report["status"] == "ok" and report["in_rotation"] is True
        assert report["lag_bytes"] == 0  # nothing written since it caught up
        assert "127.0.0.1" not in str(health) and str(pair.standby.port) not in str(health)


def test_an_edit_the_replica_has_not_replayed_is_read_from_the_primary_under_its_new_etag(pair):
    pair.caught_up()
    path = plot_tile(pair, 15)
    with app(app_settings(pair, pair.standby_url)) as client:
        replica, primary_reads = client.app.state.reads.replicas[0], client.app.state.read_engine
        before = client.get(path)
        old = tile_status(before)
        assert client.get(path, headers={"If-None-Match": before.headers["etag"]}).status_code == 304
        with replay_paused(pair):
            new = other_status(old)
            set_status(pair, new)
            wait_until(lambda: status_on(pair.primary_engine) == new)
            assert status_on(pair.standby_engine) == old  # the standby really is behind
            health = client.get("/health").json()
            assert health["replicas"][0]["lag_bytes"] > 0 and health["replicas"][0]["in_rotation"] is True
            with Counter(replica.engine) as on_replica, Counter(primary_reads) as on_primary:
                # the app's feed hears of the edit at commit; the replica is asked first and found behind
                wait_until(lambda: client.get(path).headers["etag"] != before.headers["etag"])
                edited = client.get(path)
                assert tile_status(edited) == new  # never the old plot under the new version
                assert client.get(path, headers={"If-None-Match": before.headers["etag"]}).status_code == 200
                assert items_status(client.get(ITEMS)) == new
            assert on_primary.statements > 0 and on_replica.statements > 0
            assert client.get(path).content == edited.content  # the cached copy under the new ETag is the new one
        # replay resumed and caught up: the replica serves again, with the same answer under the same ETag
        with Counter(replica.engine) as on_replica, Counter(primary_reads) as on_primary:
            assert items_status(client.get(ITEMS)) == new
            assert tile_status(client.get(plot_tile(pair, 14))) == new  # not cached yet: rendered on the replica
        assert on_primary.statements == 0 and on_replica.statements > 0
        set_status(pair, old)


def test_a_writer_reads_its_own_api_edit_at_once_though_the_replica_lags(pair):
    editor = make_user(pair.primary_engine, f"replica_editor_{free_port()}", "editor")
    headers = bearer(pair.primary_engine, editor)
    with pair.primary_engine.connect() as conn:
        gate_id, uid, old, lon, lat = conn.execute(
            text("SELECT id, uid, name_en, ST_X(geom), ST_Y(geom) FROM border_gates ORDER BY id LIMIT 1")
        ).one()
    tile = TMS.tile(lon, lat, 12)
    tile_path = f"/collections/border_gates/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    path, new = f"/collections/border_gates/items/{gate_id}", f"{old} (edited)"
    pair.caught_up()
    with app(app_settings(pair, pair.standby_url)) as client:
        etag = client.get(path).headers["etag"]
        before = client.get(tile_path)
        with replay_paused(pair):
            patched = client.patch(
                path,
                content=json.dumps({"properties": {"name_en": new}}),
                headers={**headers, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
            )
            assert patched.status_code == 200, patched.text
            with pair.standby_engine.connect() as conn:  # the standby really is behind
                assert (
                    conn.execute(text("SELECT name_en FROM border_gates WHERE id = :i"), {"i": gate_id}).scalar() == old
                )
            # no waiting: the write waited for its own notification, and the replica is found behind
            assert client.get(path).json()["properties"]["name_en"] == new
            assert (
                client.get(f"/collections/border_gates/items?uid={uid}").json()["features"][0]["properties"]["name_en"]
                == new
            )
            edited = client.get(tile_path, headers={"If-None-Match": before.headers["etag"]})
            assert edited.status_code == 200 and edited.headers["etag"] != before.headers["etag"]
            gates = mapbox_vector_tile.decode(edited.content)["border_gates"]["features"]
            assert new in {g["properties"]["name_en"] for g in gates}
        with pair.primary_engine.begin() as conn:
            conn.execute(text("UPDATE border_gates SET name_en = :n WHERE id = :i"), {"n": old, "i": gate_id})


def test_without_the_change_feed_the_primary_position_is_asked_and_reads_are_never_stale(pair):
    pair.caught_up()
    with app(app_settings(pair, pair.standby_url, change_feed=False)) as client:
        old = items_status(client.get(ITEMS))
        path = plot_tile(pair, 18)
        before = client.get(path)
        with replay_paused(pair):
            new = other_status(old)
            set_status(pair, new)
            assert status_on(pair.standby_engine) == old
            assert items_status(client.get(ITEMS)) == new
            edited = client.get(path)
            assert edited.headers["etag"] != before.headers["etag"] and tile_status(edited) == new
        set_status(pair, old)


def test_a_replica_that_stops_answering_leaves_the_rotation_and_returns_when_healthy(pair):
    pair.caught_up()
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/{pair.database}"  # a replica that never answers
    with app(app_settings(pair, dead, pair.standby_url)) as client:
        reads = client.app.state.reads
        never, replica = reads.replicas
        wait_until(lambda: not never.in_rotation)
        assert items_status(client.get(ITEMS)) == status_on(pair.primary_engine)
        assert replica.in_rotation
        try:
            pair.standby.stop("immediate")  # mid-test, its pooled connections left dead
            statuses = []
            for zoom in range(11, 17):  # uncached tiles and item pages: each needs a database
                statuses.append(client.get(ITEMS).status_code)
                statuses.append(client.get(plot_tile(pair, zoom)).status_code)
            assert not replica.in_rotation
            health = client.get("/health")
            assert health.status_code == 200
            reports = {r["name"]: r for r in health.json()["replicas"]}
            assert reports["replica 2"]["status"] == "unavailable" and reports["replica 2"]["in_rotation"] is False
            assert reports["replica 1"]["status"] == "unavailable"
        finally:
            pair.standby.start()
        assert set(statuses) == {200}, statuses
        pair.caught_up()
        wait_until(lambda: replica.in_rotation)  # the background check found it healthy again
        with Counter(replica.engine) as on_replica, Counter(client.app.state.read_engine) as on_primary:
            assert items_status(client.get(ITEMS)) == status_on(pair.primary_engine)
        assert on_replica.statements > 0 and on_primary.statements == 0
        assert {r["name"]: r["in_rotation"] for r in client.get("/health").json()["replicas"]} == {
            "replica 1": False,
            "replica 2": True,
        }


def test_search_the_land_finder_and_sheets_read_from_the_replica_and_never_miss_an_edit(pair):
    available = f"/api/land/available?uid={PLOT}"
    with pair.primary_engine.connect() as conn:
        gate_id, old_name, plot_status = conn.execute(
            text(
                "SELECT g.id, g.name_en, p.status FROM border_gates g, land_plots p "
                "WHERE p.uid = :uid AND p.valid_to IS NULL ORDER BY g.id LIMIT 1"
            ),
            {"uid": PLOT},
        ).one()
    set_status(pair, "available")
    pair.caught_up()
    probe = "Replica probe gate"
    with app(app_settings(pair, pair.standby_url)) as client:
        replica, primary_reads = client.app.state.reads.replicas[0], client.app.state.read_engine
        with Counter(replica.engine) as on_replica, Counter(primary_reads) as on_primary:
            assert [f["id"] for f in client.get(available).json()["features"]] == [PLOT]
            assert client.get("/api/search", params={"q": probe}).json()["hits"] == []
            assert client.get(f"/land/plots/{PLOT}").status_code == 200
        assert on_replica.statements > 0 and on_primary.statements == 0
        with replay_paused(pair):
            set_status(pair, "reserved")
            with pair.primary_engine.begin() as conn:
                conn.execute(text("UPDATE border_gates SET name_en = :n WHERE id = :i"), {"n": probe, "i": gate_id})
            assert status_on(pair.standby_engine) == "available"
            wait_until(lambda: client.get(available).json()["features"] == [])
            hits = client.get("/api/search", params={"q": probe.lower()}).json()["hits"]
            assert [h["id"] for h in hits if h["layer"] == "border_gates"] == [gate_id]
        with pair.primary_engine.begin() as conn:
            conn.execute(text("UPDATE border_gates SET name_en = :n WHERE id = :i"), {"n": old_name, "i": gate_id})
        set_status(pair, plot_status)
