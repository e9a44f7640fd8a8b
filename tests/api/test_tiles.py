"""Vector tiles: decoded and checked against SQL written here; ETags follow the data."""

from collections.abc import Iterator
from contextlib import contextmanager

import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import text

from tests import accounts

TMS = morecantile.tms.get("WebMercatorQuad")


def tile_for(lon: float, lat: float, zoom: int) -> morecantile.Tile:
    return TMS.tile(lon, lat, zoom)


def decode(response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content)


def plots_in_tile(conn, tile: morecantile.Tile) -> set[int]:
    """Current plots intersecting the tile's bounds, from morecantile's bounds (not PostGIS's tile envelope)."""
    west, south, east, north = TMS.bounds(tile)
    return set(
        conn.execute(
            text(
                "SELECT id FROM land_plots WHERE valid_to IS NULL "
                "AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"
            ),
            {"w": west, "s": south, "e": east, "n": north},
        ).scalars()
    )


def vinhomes_tile(conn, zoom: int) -> morecantile.Tile:
    lon, lat = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM land_plots "
            "WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL) s"
        )
    ).one()
    return tile_for(lon, lat, zoom)


def test_plot_tile_holds_the_plots_in_the_tile_with_tile_fields_only(client, db_conn):
    tile = vinhomes_tile(db_conn, 14)
    layers = decode(client.get(f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"))
    assert set(layers) == {"land_plots"}
    features = layers["land_plots"]["features"]
    expected = plots_in_tile(db_conn, tile)
    assert {f["id"] for f in features} == expected
    for feature in features:
        assert set(feature["properties"]) <= {"uid", "code", "park_uid", "status", "planning_function", "area_ha"}
    cn4 = [f for f in features if f["properties"]["uid"] == "KCN-VHVA-CN4"]
    assert len(cn4) == 1


def test_tiles_honour_filter_and_datetime(client, db_conn):
    tile = vinhomes_tile(db_conn, 14)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    leased = client.get(path, params={"filter": "status = 'leased'"})
    statuses = {f["properties"]["status"] for f in decode(leased)["land_plots"]["features"]}
    assert statuses == {"leased"}
    gate = tile_for(105.160144, 18.390175, 8)
    zone_path = f"/collections/economic_zones/tiles/WebMercatorQuad/{gate.z}/{gate.x}/{gate.y}"
    old_id = db_conn.execute(
        text("SELECT id FROM economic_zones WHERE uid = 'KKTCK-CT' AND valid_during @> DATE '2020-01-01'")
    ).scalar_one()
    new_id = db_conn.execute(
        text("SELECT id FROM economic_zones WHERE uid = 'KKTCK-CT' AND valid_to IS NULL")
    ).scalar_one()
    then = decode(client.get(zone_path, params={"datetime": "2020-01-01"}))["economic_zones"]["features"]
    now = decode(client.get(zone_path))["economic_zones"]["features"]
    assert old_id in {f["id"] for f in then} and new_id not in {f["id"] for f in then}
    assert new_id in {f["id"] for f in now}


def test_multi_layer_tile_has_one_layer_per_public_collection_in_range(client, db_conn):
    tile = vinhomes_tile(db_conn, 14)
    layers = decode(client.get(f"/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"))
    assert "land_plots" in layers and "industrial_parks" in layers and "economic_zones" in layers
    assert "clearance_parcels" not in layers
    low = tile_for(106.0, 16.0, 5)
    layers = decode(client.get(f"/tiles/WebMercatorQuad/{low.z}/{low.x}/{low.y}"))
    assert "land_plots" not in layers  # plots start at zoom 10


@contextmanager
def cn4_status_changed(client, engine) -> Iterator[tuple[str, str]]:
    """Change plot CN4's status in SQL (and wait for the app to be notified); put it back afterwards."""
    with engine.begin() as conn:
        old = conn.execute(
            text("SELECT status FROM land_plots WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL")
        ).scalar_one()
        new = "reserved" if old != "reserved" else "available"
        conn.execute(
            text("UPDATE land_plots SET status = :s WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL"), {"s": new}
        )
    accounts.notified(client, engine, "land_plots")
    try:
        yield old, new
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE land_plots SET status = :s WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL"), {"s": old}
            )


def test_etag_gives_304_and_changes_after_an_edit(client, engine):
    with engine.connect() as conn:
        tile = vinhomes_tile(conn, 14)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    first = client.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with cn4_status_changed(client, engine) as (_, new):
        second = client.get(path, headers={"If-None-Match": etag})
        assert second.status_code == 200 and second.headers["etag"] != etag
        cn4 = [f for f in decode(second)["land_plots"]["features"] if f["properties"]["uid"] == "KCN-VHVA-CN4"]
        assert cn4[0]["properties"]["status"] == new


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/collections/land_plots/tiles/WebMercatorQuad/3/8/0", 400),  # x out of range
        ("/collections/land_plots/tiles/WebMercatorQuad/25/0/0", 400),  # beyond zoom 24
        ("/collections/land_plots/tiles/WebMercatorQuad/5/25/14", 400),  # below the layer's zoom range
        ("/collections/land_plots/tiles/WebMercatorQuad/-1/0/0", 400),
        ("/collections/land_plots/tiles/WebMercatorQuad/x/0/0", 400),
        ("/collections/land_plots/tiles/WorldCRS84Quad/10/0/0", 404),
        ("/collections/decisions/tiles/WebMercatorQuad/10/0/0", 404),
        ("/collections/land_plots/tiles/WebMercatorQuad/14/0/0", 204),  # empty: 204 No Content
    ],
)
def test_out_of_range_and_empty_tiles(client, path, status):
    assert client.get(path).status_code == status


def test_tileset_metadata_is_usable_as_tilejson(client):
    body = client.get("/collections/land_plots/tiles/WebMercatorQuad").json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"][0].endswith("/collections/land_plots/tiles/WebMercatorQuad/{z}/{x}/{y}")
    assert body["minzoom"] == 10 and body["vector_layers"][0]["id"] == "land_plots"
    assert client.get("/tileMatrixSets/WebMercatorQuad").json()["id"] == "WebMercatorQuad"
    listing = client.get("/collections/land_plots/tiles").json()
    assert listing["tilesets"][0]["links"][0]["href"].endswith("/collections/land_plots/tiles/WebMercatorQuad")


def test_repeated_tile_comes_from_the_worker_cache_and_an_edit_is_seen_at_once(client, engine):
    """The TestClient app is one process, so the second request is answered by the same tile cache."""
    with engine.connect() as conn:
        tile = vinhomes_tile(conn, 15)  # a tile no other test asks for, so the first request is a miss
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    cache = client.app.state.tile_cache
    first = client.get(path)
    hits = cache.hits
    again = client.get(path)
    assert cache.hits == hits + 1  # served without rendering
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    with cn4_status_changed(client, engine) as (old, new):
        hits = cache.hits
        edited = client.get(path)
        assert cache.hits == hits  # the change version moved on: a miss, rendered afresh
        assert edited.headers["etag"] != first.headers["etag"]
        cn4 = [f for f in decode(edited)["land_plots"]["features"] if f["properties"]["uid"] == "KCN-VHVA-CN4"]
        assert cn4[0]["properties"]["status"] == new
        before = [f for f in decode(first)["land_plots"]["features"] if f["properties"]["uid"] == "KCN-VHVA-CN4"]
        assert before[0]["properties"]["status"] == old


def test_without_the_change_feed_tiles_ask_the_database_and_see_an_edit_at_once(client, engine):
    with engine.connect() as conn:
        tile = vinhomes_tile(conn, 16)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    feed = client.app.state.change_feed
    client.app.state.change_feed = None  # as with CHANGE_FEED=false, or while the listening connection is down
    try:
        first = client.get(path)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE land_plots SET notes = coalesce(notes, '') WHERE uid = 'KCN-VHVA-CN4' AND valid_to IS NULL"
                )
            )
        assert client.get(path).headers["etag"] != first.headers["etag"]  # no waiting: asked the database
    finally:
        client.app.state.change_feed = feed


def test_change_feed_follows_commits_and_ignores_rollbacks(database_url, engine):
    from gis.change_feed import ChangeFeed
    from gis.db import libpq_dsn
    from gis.settings import Settings

    feed = ChangeFeed(libpq_dsn(Settings(DATABASE_URL=database_url)))
    feed.start()
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT version FROM layer_changes WHERE table_name = 'border_gates'")
            ).scalar_one()
        assert feed.versions(["border_gates"]) == {"border_gates": stored}
        with engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(text("UPDATE border_gates SET notes = notes WHERE false"))
                transaction.rollback()
            with conn.begin():
                conn.execute(text("UPDATE border_gates SET notes = notes WHERE false"))  # a statement: one bump
            assert feed.wait_for_commit(conn, ["border_gates"], timeout=5)
        assert feed.versions(["border_gates"]) == {"border_gates": stored + 1}
    finally:
        feed.stop()
    assert not feed.available and feed.versions(["border_gates"]) is None


def test_tile_cache_is_bounded_and_drops_the_least_recently_used():
    from layers.tiles import Tile, TileCache

    cache = TileCache(2)
    a, b, c = (Tile(bytes([n]), 1, []) for n in range(3))
    cache.put(("a",), a)
    cache.put(("b",), b)
    assert cache.get(("a",)) is a  # a is now the most recently used
    cache.put(("c",), c)
    assert len(cache) == 2
    assert cache.get(("b",)) is None and cache.get(("a",)) is a and cache.get(("c",)) is c
    off = TileCache(0)
    off.put(("a",), a)
    assert off.get(("a",)) is None


def test_cached_tiles_for_anonymous_readers_skip_the_routes_but_keep_headers_and_access(client, engine, staff):
    """api/tile_fastpath.py answers repeated public tiles; it must answer exactly as the routes do, and never
    answer for a layer or reader the routes would refuse."""
    with engine.connect() as conn:
        tile = vinhomes_tile(conn, 13)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    routed = client.get(path)
    cache = client.app.state.tile_cache
    hits = cache.hits
    fast = client.get(path)
    assert cache.hits == hits + 1 and fast.content == routed.content
    for header in ("etag", "cache-control", "vary", "content-type", "x-content-type-options", "referrer-policy"):
        assert fast.headers[header] == routed.headers[header], header
    assert fast.headers["x-request-id"] != routed.headers["x-request-id"]
    assert client.get(path, headers={"If-None-Match": routed.headers["etag"]}).status_code == 304

    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c "
                "FROM clearance_parcels ORDER BY id LIMIT 1) s"
            )
        ).one()
    tile = tile_for(lon, lat, 13)
    parcels = f"/collections/clearance_parcels/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    assert client.get(parcels, headers=staff["viewer"]).status_code == 200  # now in the cache, for staff
    assert client.get(parcels).status_code == 401  # still refused to anonymous readers
    multi = f"/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}"
    assert "clearance_parcels" in decode(client.get(multi, headers=staff["viewer"]))
    assert "clearance_parcels" not in decode(client.get(multi))
    assert "clearance_parcels" not in decode(client.get(multi))  # the anonymous copy, from the cache


def test_change_feed_reconnects_and_reports_it_after_losing_the_database(database_url, engine):
    import time

    from gis.change_feed import ChangeFeed
    from gis.db import libpq_dsn
    from gis.settings import Settings

    came_back = []
    feed = ChangeFeed(libpq_dsn(Settings(DATABASE_URL=database_url)), lambda: came_back.append(True))
    feed.start()
    try:
        assert feed.available and not came_back
        with engine.connect() as conn:  # what a database restart does to the listening connection
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": feed.backend_pid}).scalar_one()
        deadline = time.monotonic() + 10
        while not came_back and time.monotonic() < deadline:
            time.sleep(0.05)
        assert came_back == [True]  # the app drops its pooled connections here (api/app.py)
        assert feed.available and feed.versions(["land_plots"]) is not None
    finally:
        feed.stop()
