"""Editing through OGC API – Features Part 4: validation, optimistic locking, versions under decisions, audit, tiles."""

import json
import threading
from urllib.parse import quote

import httpx
import mapbox_vector_tile
import morecantile
import pytest
from pyproj import Transformer
from sqlalchemy import text

GEOJSON = {"Content-Type": "application/geo+json"}
GATE_PROPS = {
    "uid": "TEST-CK-ĐỒNG-THÁP",
    "name_vi": "Cửa khẩu thử nghiệm Đồng Tháp",
    "name_en": "Test gate",
    "gate_class": "main",
    "mode": "road",
    "country": "VN",
    "province_code": "DONG_THAP",
}
# A plot-sized square (about 110 m) inside Vũng Áng, Hà Tĩnh.
PLOT_RING = [[106.3390, 18.0690], [106.3400, 18.0690], [106.3400, 18.0700], [106.3390, 18.0700], [106.3390, 18.0690]]
PLOT_PROPS = {
    "uid": "TEST-LO-CN99",
    "code": "CN99",
    "name_vi": "Lô đất thử nghiệm CN99",
    "park_uid": "KCN-VA1",
    "planning_function": "industrial",
    "status": "available",
    "land_rent_usd_m2": 55,
}


def gate(props=None, coords=(105.60, 10.80)) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(coords)},
        "properties": {**GATE_PROPS, **(props or {})},
    }


def plot(props=None, ring=None, decision=None) -> dict:
    body = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring or PLOT_RING]},
        "properties": {**PLOT_PROPS, **(props or {})},
    }
    if decision:
        body["decision"] = decision
    return body


def decision(engine, number: str, effective: str) -> int:
    with engine.begin() as conn:
        return conn.execute(
            text(
                "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
                "VALUES (:n, 'Quyết định điều chỉnh thử nghiệm', :d, :d, 'provincial_committee', 'local_revision') "
                "RETURNING id"
            ),
            {"n": number, "d": effective},
        ).scalar_one()


def post(client, staff, layer, body, role="editor", headers=None):
    return client.post(
        f"/collections/{layer}/items", content=json.dumps(body), headers={**GEOJSON, **staff[role], **(headers or {})}
    )


def count(engine, sql, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


# --- create ---------------------------------------------------------------------------------------------


def test_editor_creates_a_gate_that_reads_back_with_its_etag(client, staff, edits, engine):
    response = post(client, staff, "border_gates", gate())
    assert response.status_code == 201, response.text
    location, etag = response.headers["location"], response.headers["etag"]
    feature_id = int(location.rsplit("/", 1)[1])
    assert response.json()["properties"]["name_vi"] == "Cửa khẩu thử nghiệm Đồng Tháp"
    read = client.get(f"/collections/border_gates/items/{feature_id}")
    assert read.status_code == 200
    assert read.headers["etag"] == etag
    assert read.json()["properties"]["uid"] == "TEST-CK-ĐỒNG-THÁP"
    with engine.connect() as conn:
        x, y, name = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom), name_vi FROM border_gates WHERE id = :i"), {"i": feature_id}
        ).one()
    assert (x, y, name) == (pytest.approx(105.60), pytest.approx(10.80), "Cửa khẩu thử nghiệm Đồng Tháp")


def test_geometry_in_vn2000_is_transformed_by_postgis(client, staff, edits, engine):
    # A point given in VN-2000 / TM-3 (EPSG:9209); the expected WGS84 position comes from pyproj.
    lon, lat = 105.123456, 10.654321
    x, y = Transformer.from_crs(4326, 9209, always_xy=True).transform(lon, lat)
    response = post(
        client,
        staff,
        "border_gates",
        gate(coords=(x, y)),
        headers={"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/9209>"},
    )
    assert response.status_code == 201, response.text
    feature_id = int(response.headers["location"].rsplit("/", 1)[1])
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM border_gates WHERE id = :i"), {"i": feature_id}
        ).one()
    assert got == (pytest.approx(lon, abs=1e-6), pytest.approx(lat, abs=1e-6))


def test_epsg_4326_content_crs_is_read_latitude_first(client, staff, edits, engine):
    response = post(
        client,
        staff,
        "border_gates",
        gate(coords=(10.80, 105.60)),
        headers={"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/4326>"},
    )
    assert response.status_code == 201, response.text
    feature_id = int(response.headers["location"].rsplit("/", 1)[1])
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM border_gates WHERE id = :i"), {"i": feature_id}
        ).one()
    assert got == (pytest.approx(105.60), pytest.approx(10.80))


@pytest.mark.parametrize(
    ("layer", "body", "status", "words"),
    [
        (
            "border_gates",
            {**gate(), "geometry": {"type": "Polygon", "coordinates": [PLOT_RING]}},
            400,
            "'border_gates' holds Point features",
        ),
        (
            "land_plots",
            plot(
                ring=[[106.339, 18.069], [106.340, 18.070], [106.340, 18.069], [106.339, 18.070], [106.339, 18.069]],
                decision="72/2006/QĐ-TTg",
            ),
            400,
            "Self-intersection",
        ),
        ("border_gates", gate({"name_vi": None}), 422, "name_vi"),
        ("border_gates", gate({"mode": "air"}), 422, "must be one of: road, river, road_river, rail"),
        ("border_gates", gate({"gate_class": "galactic"}), 422, "gate_class"),
        ("border_gates", gate({"colour": "red"}), 400, "unknown field(s) colour"),
        ("border_gates", gate({"country": "VNM"}), 422, "at most 2 characters"),
        ("border_gates", gate({"opened_on": "31/12/2020"}), 400, "not a valid date"),
        ("border_gates", {**gate(), "geometry": None}, 422, "geometry is missing"),
        (
            "border_gates",
            {**gate(), "geometry": {"type": "Point", "coordinates": [500, 10]}},
            400,
            "outside Vietnam",
        ),
        # The same checks as imports: the Vietnam box, closed rings, no silent loss of heights, storable text.
        ("border_gates", {**gate(), "geometry": {"type": "Point", "coordinates": [0, 0]}}, 400, "outside Vietnam"),
        (
            "land_plots",
            plot(ring=PLOT_RING[:-1], decision="72/2006/QĐ-TTg"),
            400,
            "ring 1 is not closed (it starts at [106.339, 18.069] and ends at [106.339, 18.07])",
        ),
        (
            "border_gates",
            {**gate(), "geometry": {"type": "Point", "coordinates": [105.6, 10.8, 35.5]}},
            400,
            "the geometry has heights (Z from 35.5 to 35.5)",
        ),
        ("border_gates", gate({"name_vi": "a\u0000b"}), 400, "name_vi in the body holds a NUL character"),
        ("border_gates", gate({"notes": "x\ud800"}), 400, "notes in the body holds a lone surrogate (U+D800)"),
        ("land_plots", plot(), 422, "name the decision"),
        ("land_plots", plot(decision="1/2099/QĐ-KHÔNG-CÓ"), 422, "no decision '1/2099/QĐ-KHÔNG-CÓ'"),
        ("land_plots", plot({"valid_from": "2001-01-01"}, decision="72/2006/QĐ-TTg"), 400, "set from the decision"),
    ],
)
def test_invalid_input_is_refused_with_the_reason_and_nothing_written(
    client, staff, edits, engine, layer, body, status, words
):
    before = count(engine, f"SELECT count(*) FROM {layer}") + count(engine, "SELECT count(*) FROM audit_log")
    response = post(client, staff, layer, body)
    assert response.status_code == status, response.text
    assert words in response.json()["description"]
    assert count(engine, f"SELECT count(*) FROM {layer}") + count(engine, "SELECT count(*) FROM audit_log") == before


def test_malformed_bodies_and_media_types(client, staff, edits):
    headers = {**GEOJSON, **staff["editor"]}
    assert client.post("/collections/border_gates/items", content=b"{not json", headers=headers).status_code == 400
    assert (
        client.post(
            "/collections/border_gates/items", content=b'{"type": "Feature", "x": NaN}', headers=headers
        ).status_code
        == 400
    )
    assert client.post("/collections/border_gates/items", content=b"[]", headers=headers).status_code == 400
    response = client.post(
        "/collections/border_gates/items",
        content=json.dumps(gate()),
        headers={**staff["editor"], "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


# --- optimistic locking ---------------------------------------------------------------------------------


def _created(client, staff, layer, body):
    response = post(client, staff, layer, body)
    assert response.status_code == 201, response.text
    return response.headers["location"].split("://", 1)[1].split("/", 1)[1], response.headers["etag"]


def test_an_if_match_sent_must_be_current_and_none_means_last_writer_wins(client, staff, edits, engine):
    path, created_etag = _created(client, staff, "border_gates", gate())
    key = path.rsplit("/", 1)[1]
    headers = {**staff["editor"], "Content-Type": "application/merge-patch+json"}
    blind = client.patch(f"/{path}", content=json.dumps({"properties": {"name_en": "Blind"}}), headers=headers)
    assert blind.status_code == 200, blind.text  # no If-Match: accepted, and recorded as such
    etag = blind.headers["etag"]
    assert etag != created_etag
    change = json.dumps({"type": "Feature", "properties": {"name_en": "Renamed"}})
    first = client.patch(f"/{path}", content=change, headers={**headers, "If-Match": etag})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != etag
    with engine.connect() as conn:
        recorded = conn.execute(
            text(
                "SELECT if_match FROM audit_log WHERE layer_id = 'border_gates' AND feature_id = :k "
                "AND action = 'update' ORDER BY id"
            ),
            {"k": key},
        ).scalars()
        assert list(recorded) == [None, etag]
    # A second editor still holding the old ETag is refused: no silent overwrite.
    stale = client.patch(
        f"/{path}",
        content=json.dumps({"type": "Feature", "properties": {"name_en": "Other"}}),
        headers={**headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert client.get(f"/{path}").json()["properties"]["name_en"] == "Renamed"
    assert client.delete(f"/{path}", headers={**staff["editor"], "If-Match": etag}).status_code == 412
    assert client.delete(f"/{path}", headers={**staff["editor"], "If-Match": first.headers["etag"]}).status_code == 204
    assert client.get(f"/{path}").status_code == 404


def test_two_editors_at_the_same_moment_one_wins(live_server, staff, edits, engine):
    with httpx.Client(base_url=live_server) as http:
        response = http.post(
            "/collections/border_gates/items", content=json.dumps(gate()), headers={**GEOJSON, **staff["editor"]}
        )
        assert response.status_code == 201, response.text
        path, etag = httpx.URL(response.headers["location"]).path, response.headers["etag"]
    results: dict[str, int] = {}

    def edit(name: str) -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            results[name] = http.patch(
                path,
                content=json.dumps({"type": "Feature", "properties": {"name_en": name}}),
                headers={**staff["editor"], "Content-Type": "application/json", "If-Match": etag},
            ).status_code

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("Editor A", "Editor B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 412]
    winner = next(name for name, status in results.items() if status == 200)
    feature_id = int(path.rsplit("/", 1)[1])
    assert (
        count(engine, "SELECT count(*) FROM border_gates WHERE id = :i AND name_en = :n", i=feature_id, n=winner) == 1
    )
    assert (
        count(engine, "SELECT count(*) FROM audit_log WHERE feature_id = :i AND action = 'update'", i=str(feature_id))
        == 1
    )


def test_put_replaces_every_field(client, staff, edits):
    path, etag = _created(client, staff, "border_gates", gate({"counterpart_name": "Đối diện"}))
    replaced = gate({"name_en": None}, coords=(105.7, 10.9))
    del replaced["properties"]["name_en"]
    response = client.put(
        f"/{path}", content=json.dumps(replaced), headers={**GEOJSON, **staff["editor"], "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    props = client.get(f"/{path}").json()["properties"]
    assert props["counterpart_name"] is None and props["name_en"] is None
    assert props["geometry_illustrative"] is True  # absent field with a default goes back to its default
    assert client.get(f"/{path}").json()["geometry"]["coordinates"] == [105.7, 10.9]


# --- versions -------------------------------------------------------------------------------------------


def test_versioned_change_closes_the_version_and_opens_a_new_one(client, staff, edits, engine):
    decision(engine, "01/2020/QĐ-BQL", "2020-01-01")
    d2 = decision(engine, "02/2024/QĐ-BQL", "2024-06-01")
    path, etag = _created(client, staff, "land_plots", plot(decision="01/2020/QĐ-BQL"))
    first_id = int(path.rsplit("/", 1)[1])
    # The decision named in a header, percent-encoded because HTTP headers are not UTF-8.
    response = client.patch(
        f"/{path}",
        content=json.dumps({"type": "Feature", "properties": {"status": "leased"}}),
        headers={
            **staff["editor"],
            "Content-Type": "application/merge-patch+json",
            "If-Match": etag,
            "Decision": quote("02/2024/QĐ-BQL"),
        },
    )
    assert response.status_code == 200, response.text
    second_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert second_id != first_id
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, status, valid_from::text, valid_to::text, decision_id FROM land_plots "
                "WHERE uid = 'TEST-LO-CN99' ORDER BY valid_from"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (first_id, "available", "2020-01-01", "2024-06-01", rows[0].decision_id),
        (second_id, "leased", "2024-06-01", None, d2),
    ]
    # Readers see the current version by default and the old one with datetime.
    now = client.get("/collections/land_plots/items", params={"uid": "TEST-LO-CN99"}).json()["features"]
    assert [(f["id"], f["properties"]["status"]) for f in now] == [(second_id, "leased")]
    then = client.get("/collections/land_plots/items", params={"uid": "TEST-LO-CN99", "datetime": "2021-05-01"})
    assert [(f["id"], f["properties"]["status"]) for f in then.json()["features"]] == [(first_id, "available")]
    every = client.get("/collections/land_plots/items", params={"uid": "TEST-LO-CN99", "datetime": "../.."})
    assert len(every.json()["features"]) == 2
    # The closed version cannot be edited; the current one is deleted by closing it.
    old_etag = client.get(f"/collections/land_plots/items/{first_id}").headers["etag"]
    closed = client.delete(
        f"/collections/land_plots/items/{first_id}",
        headers={**staff["editor"], "If-Match": old_etag, "Decision": str(d2)},
    )
    assert closed.status_code == 409
    decision(engine, "03/2025/QĐ-BQL", "2025-03-01")
    current_etag = client.get(f"/collections/land_plots/items/{second_id}").headers["etag"]
    deleted = client.delete(
        f"/collections/land_plots/items/{second_id}",
        headers={**staff["editor"], "If-Match": current_etag, "Decision": quote("03/2025/QĐ-BQL")},
    )
    assert deleted.status_code == 204, deleted.text
    assert client.get("/collections/land_plots/items", params={"uid": "TEST-LO-CN99"}).json()["features"] == []
    kept = client.get("/collections/land_plots/items", params={"uid": "TEST-LO-CN99", "datetime": "2024-12-31"})
    assert [f["properties"]["valid_to"] for f in kept.json()["features"]] == ["2025-03-01"]


def test_a_change_must_take_effect_after_the_current_version(client, staff, edits, engine):
    decision(engine, "10/2020/QĐ-BQL", "2020-01-01")
    decision(engine, "11/2019/QĐ-BQL", "2019-01-01")
    path, etag = _created(client, staff, "land_plots", plot(decision="10/2020/QĐ-BQL"))
    response = client.patch(
        f"/{path}",
        content=json.dumps({"type": "Feature", "properties": {"status": "leased"}, "decision": "11/2019/QĐ-BQL"}),
        headers={**staff["editor"], "Content-Type": "application/json", "If-Match": etag},
    )
    assert response.status_code == 409
    assert "not after the current version's start (2020-01-01)" in response.json()["description"]
    assert count(engine, "SELECT count(*) FROM land_plots WHERE uid = 'TEST-LO-CN99' AND valid_to IS NULL") == 1


def test_a_versioned_change_that_fails_late_leaves_the_old_version_open(client, staff, edits, engine):
    decision(engine, "20/2020/QĐ-BQL", "2020-01-01")
    decision(engine, "21/2022/QĐ-BQL", "2022-01-01")
    path, etag = _created(client, staff, "land_plots", plot(decision="20/2020/QĐ-BQL"))
    # An unknown planning function is refused by the value check imports share (the lookup table's codes);
    # a refusal that comes from the database after the close is in tests/layers/test_writes.py.
    response = client.patch(
        f"/{path}",
        content=json.dumps(
            {"type": "Feature", "properties": {"planning_function": "spaceport"}, "decision": "21/2022/QĐ-BQL"}
        ),
        headers={**staff["editor"], "Content-Type": "application/json", "If-Match": etag},
    )
    assert response.status_code == 422
    assert "planning_function" in response.json()["description"]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT valid_to FROM land_plots WHERE uid = 'TEST-LO-CN99'")).all()
    assert rows == [(None,)]
    assert count(engine, "SELECT count(*) FROM audit_log WHERE feature_uid = 'TEST-LO-CN99'") == 1  # the create


def test_deleting_a_project_with_clearance_parcels_is_refused(client, staff, edits, engine):
    with engine.connect() as conn:
        project_id = conn.execute(text("SELECT project_id FROM clearance_parcels LIMIT 1")).scalar_one()
    etag = client.get(f"/collections/projects/items/{project_id}", headers=staff["editor"]).headers["etag"]
    response = client.delete(f"/collections/projects/items/{project_id}", headers={**staff["editor"], "If-Match": etag})
    assert response.status_code == 409
    assert "clearance_parcels" in response.json()["description"]
    assert count(engine, "SELECT count(*) FROM projects WHERE id = :i", i=project_id) == 1


def test_a_parcel_handed_over_without_the_earlier_dates_is_refused_in_words(client, staff, edits, engine):
    with engine.connect() as conn:
        parcel, etag = conn.execute(
            text(
                "SELECT id, xmin::text FROM clearance_parcels WHERE notice_issued_on IS NOT NULL "
                "AND inventoried_on IS NULL ORDER BY id LIMIT 1"
            )
        ).one()
    path = f"collections/clearance_parcels/items/{parcel}"
    audits = count(engine, "SELECT count(*) FROM audit_log WHERE feature_id = :f", f=str(parcel))
    try:
        response = client.patch(
            f"/{path}",
            content=json.dumps({"type": "Feature", "properties": {"handed_over_on": "2026-11-30"}}),
            headers={**staff["editor"], **GEOJSON, "If-Match": f'"{etag}"'},
        )
        assert response.status_code == 422, response.text
        said = response.json()["description"]
        assert "Đã bàn giao mặt bằng / Handed over" in said and "Đã chi trả / Compensation paid" in said
        assert "ck_" not in said and "Failing row" not in said  # a sentence, not the database's words
        assert count(
            engine, "SELECT count(*) FROM clearance_parcels WHERE id = :i AND handed_over_on IS NULL", i=parcel
        )
        assert count(engine, "SELECT count(*) FROM audit_log WHERE feature_id = :f", f=str(parcel)) == audits
    finally:  # had it been written, put the demo row back
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE clearance_parcels SET handed_over_on = NULL WHERE id = :i AND handed_over_on IS NOT NULL"),
                {"i": parcel},
            )


# --- audit ----------------------------------------------------------------------------------------------


def test_history_records_who_what_before_after_and_decision(client, staff, edits, engine):
    decision(engine, "30/2020/QĐ-BQL", "2020-01-01")
    decision(engine, "31/2023/QĐ-BQL", "2023-07-01")
    path, etag = _created(client, staff, "land_plots", plot(decision="30/2020/QĐ-BQL"))
    moved = [[x + 0.001, y] for x, y in PLOT_RING]
    response = client.put(
        f"/{path}",
        content=json.dumps(plot({"status": "reserved"}, ring=moved, decision="31/2023/QĐ-BQL")),
        headers={**GEOJSON, **staff["editor"], "If-Match": etag},
    )
    assert response.status_code == 200, response.text
    new_path = response.headers["location"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{new_path}/history").status_code == 401
    history = client.get(f"/{new_path}/history", headers=staff["viewer"])
    assert history.status_code == 200
    entries = history.json()["entries"]
    assert [(e["action"], e["user"], e["decision"]) for e in entries] == [
        ("create", "test_editor", "30/2020/QĐ-BQL"),
        ("update", "test_editor", "31/2023/QĐ-BQL"),
    ]
    update = entries[1]
    assert update["before"]["status"] == "available" and update["after"]["status"] == "reserved"
    assert update["before"]["geometry"]["coordinates"][0][0] == PLOT_RING[0]
    assert update["after"]["geometry"]["coordinates"][0][0] == pytest.approx(moved[0])
    assert update["before"]["name_vi"] == "Lô đất thử nghiệm CN99"
    # The same history is reachable from the first version, and the log row carries the request id.
    assert client.get(f"/{path}/history", headers=staff["viewer"]).json()["entries"] == entries
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT username, table_name, request_id, after->>'valid_from' FROM audit_log WHERE id = :i"),
            {"i": update["id"]},
        ).one()
    assert row[:2] == ("test_editor", "land_plots") and row[2] == response.headers["x-request-id"]
    assert row[3] == "2023-07-01"


# --- tiles follow edits -------------------------------------------------------------------------------------


def test_tiles_show_an_edit_on_the_next_request(client, staff, edits):
    lon, lat, z = 105.60, 10.80, 12
    tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    url = f"/collections/border_gates/tiles/WebMercatorQuad/{z}/{tile.x}/{tile.y}"
    before = client.get(url)
    etag = before.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    path, _ = _created(client, staff, "border_gates", gate(coords=(lon, lat)))
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    layer = mapbox_vector_tile.decode(after.content)["border_gates"]
    assert "TEST-CK-ĐỒNG-THÁP" in [f["properties"].get("uid") for f in layer["features"]]
