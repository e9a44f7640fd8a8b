"""Clearance-parcel tiles at every zoom: merged below zoom 15, individual from 15, never cut, staff only.

Expected counts come from SQL on clearance_parcels written here (parcels intersecting morecantile's tile bounds),
not from the overview table the tiles are drawn from.
"""

import json
from datetime import timedelta

import mapbox_vector_tile
import morecantile
from sqlalchemy import text

from tests.accounts import staff  # noqa: F401  (fixture)

TMS = morecantile.tms.get("WebMercatorQuad")
PATH = "/collections/clearance_parcels/tiles/WebMercatorQuad/{z}/{x}/{y}"


def vung_ang_tile(conn, z: int) -> morecantile.Tile:
    """The tile over the middle of PRJ-VHVA's parcels."""
    lon, lat = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(c.geom)) AS c FROM clearance_parcels c "
            "JOIN projects p ON p.id = c.project_id WHERE p.uid = 'PRJ-VHVA') s"
        )
    ).one()
    return TMS.tile(lon, lat, z)


def parcels_in(conn, tile: morecantile.Tile, stage: str | None = None, buffer: float = 0.0) -> int:
    """Parcels intersecting morecantile's bounds of the tile, widened by a share of its width on every side."""
    west, south, east, north = TMS.xy_bounds(tile)
    margin = (east - west) * buffer
    return conn.execute(
        text(
            "SELECT count(*) FROM clearance_parcels WHERE ST_Intersects(geom, "
            "ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 3857), 4326)) "
            "AND (CAST(:stage AS text) IS NULL OR stage = :stage)"
        ),
        {"w": west - margin, "s": south - margin, "e": east + margin, "n": north + margin, "stage": stage},
    ).scalar_one()


def features(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert "x-tile-truncated" not in response.headers
    return mapbox_vector_tile.decode(response.content)["clearance_parcels"]["features"]


def get_tile(client, headers, tile, **params):
    return client.get(PATH.format(z=tile.z, x=tile.x, y=tile.y), headers=headers, params=params)


def test_low_zoom_tiles_hold_every_parcel_merged_per_project_or_per_sheet_and_stage(client, db_conn, staff):  # noqa: F811
    for z in (6, 9, 14):
        tile = vung_ang_tile(db_conn, z)
        merged = features(get_tile(client, staff["viewer"], tile))
        fields = (
            {"project_id", "stage", "parcels", "handed_over", "area_ha"}
            if z <= 8
            else {"project_id", "map_sheet", "stage", "parcels", "area_ha"}
        )
        assert merged and all(set(f["properties"]) == fields for f in merged)
        # Every parcel in the tile's area is counted once (groups can reach past the edge at z14, never fall short).
        drawn = sum(f["properties"]["parcels"] for f in merged)
        assert drawn >= parcels_in(db_conn, tile)
        if z == 6:
            assert drawn == parcels_in(db_conn, tile)
    detail = features(get_tile(client, staff["viewer"], vung_ang_tile(db_conn, 15)))
    assert {"parcel_no", "stage"} <= set(detail[0]["properties"]) and "parcels" not in detail[0]["properties"]
    # The tile holds the parcels within its bounds plus its 64-unit (of 4096) buffer, each once.
    assert (
        parcels_in(db_conn, vung_ang_tile(db_conn, 15))
        <= len(detail)
        == len({f["id"] for f in detail})
        <= parcels_in(db_conn, vung_ang_tile(db_conn, 15), buffer=64 / 4096)
    )


def test_province_scale_tiles_have_one_site_per_project_with_its_counts(client, db_conn, staff):  # noqa: F811
    tile = vung_ang_tile(db_conn, 7)
    sites = {f["properties"]["project_id"]: f["properties"] for f in features(get_tile(client, staff["viewer"], tile))}
    stages = {}
    for project_id, stage in db_conn.execute(text("SELECT project_id, stage FROM clearance_parcels")):
        stages.setdefault(project_id, []).append(stage)
    for project_id, props in sites.items():
        parcel_stages = stages[project_id]
        assert props["parcels"] == len(parcel_stages)
        assert props["handed_over"] == parcel_stages.count("handed_over")
        top = max(parcel_stages.count(s) for s in set(parcel_stages))
        assert parcel_stages.count(props["stage"]) == top  # the stage most of its parcels are at
    vhva = db_conn.execute(text("SELECT id FROM projects WHERE uid = 'PRJ-VHVA'")).scalar_one()
    assert vhva in sites


def test_low_zoom_filters_use_the_merged_fields_and_explain_the_others(client, db_conn, staff):  # noqa: F811
    tile = vung_ang_tile(db_conn, 6)
    handed = features(get_tile(client, staff["viewer"], tile, filter="stage = 'handed_over'"))
    assert {f["properties"]["stage"] for f in handed} == {"handed_over"}
    assert sum(f["properties"]["parcels"] for f in handed) == parcels_in(db_conn, tile, "handed_over")
    refused = get_tile(client, staff["viewer"], tile, filter="parcel_no = '12'")
    assert refused.status_code == 400
    assert "below zoom 15" in refused.json()["description"] and "parcel_no" in refused.json()["description"]
    assert get_tile(client, staff["viewer"], vung_ang_tile(db_conn, 15), filter="parcel_no = '12'").status_code in (
        200,
        204,
    )


def test_low_zoom_tiles_are_staff_only_and_follow_edits(client, engine, staff):  # noqa: F811
    with engine.connect() as conn:
        tile = vung_ang_tile(conn, 10)
        parcel_id, inventoried_on = conn.execute(
            text(
                "SELECT c.id, c.inventoried_on FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
                "WHERE p.uid = 'PRJ-VHVA' AND c.stage = 'inventoried' ORDER BY c.id LIMIT 1"
            )
        ).one()
    assert get_tile(client, {}, tile).status_code == 401
    assert "clearance_parcels" not in mapbox_vector_tile.decode(
        client.get(f"/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}").content
    )
    staff_tile = client.get(f"/tiles/WebMercatorQuad/{tile.z}/{tile.x}/{tile.y}", headers=staff["viewer"])
    assert "clearance_parcels" in mapbox_vector_tile.decode(staff_tile.content)

    first = get_tile(client, staff["viewer"], tile)
    approved_before = sum(
        f["properties"]["parcels"] for f in features(first) if f["properties"]["stage"] == "plan_approved"
    )
    item = f"/collections/clearance_parcels/items/{parcel_id}"
    headers = {**staff["editor"], "Content-Type": "application/merge-patch+json"}

    def patch(value):
        etag = client.get(item, headers=staff["editor"]).headers["etag"]
        body = json.dumps({"type": "Feature", "properties": {"plan_approved_on": value}})
        response = client.patch(item, content=body, headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.text

    patch((inventoried_on + timedelta(days=30)).isoformat())  # an editor records the approved plan
    try:
        second = get_tile(client, staff["viewer"], tile)  # the very next request sees it
        assert second.headers["etag"] != first.headers["etag"]
        approved_after = sum(
            f["properties"]["parcels"] for f in features(second) if f["properties"]["stage"] == "plan_approved"
        )
        assert approved_after == approved_before + 1
    finally:
        patch(None)


def test_tilejson_lists_the_merged_fields_and_starts_at_zoom_0(client, staff):  # noqa: F811
    body = client.get("/collections/clearance_parcels/tiles/WebMercatorQuad", headers=staff["viewer"]).json()
    assert body["minzoom"] == 0
    assert {"parcel_no", "parcels", "stage"} <= set(body["vector_layers"][0]["fields"])
