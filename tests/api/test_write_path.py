"""One write path: an API edit and an import of the same change leave the same audit record; If-Match is strict.

Known answers are written here by hand (the records are compared with each other, the locks by counting
winners), never read back from the code under test.
"""

import json
import threading
from collections import Counter
from urllib.parse import quote

import httpx
import pytest
from pyproj import Transformer
from sqlalchemy import text

from tests.api.test_editing import GEOJSON, PLOT_RING, decision, gate, plot

PATCH = {"Content-Type": "application/merge-patch+json"}
SAME = ("layer_id", "table_name", "feature_id", "feature_uid", "action", "before", "after", "decision_id", "user_id")


def created(client, staff, layer: str, body: dict) -> tuple[int, str]:
    response = client.post(
        f"/collections/{layer}/items", content=json.dumps(body), headers={**GEOJSON, **staff["editor"]}
    )
    assert response.status_code == 201, response.text
    return int(response.headers["location"].rsplit("/", 1)[1]), response.headers["etag"]


def patch(client, staff, layer: str, key: int, etag: str, body: dict, **headers):
    return client.patch(
        f"/collections/{layer}/items/{key}",
        content=json.dumps(body),
        headers={**PATCH, **staff["editor"], "If-Match": etag, **headers},
    )


def imported(client, staff, layer: str, features: list[dict], **form) -> None:
    document = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    response = client.post(
        "/api/imports",
        headers=staff["editor"],
        data={"layer": layer, **form},
        files={"file": ("change.geojson", document, "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["written"]


def last_record(engine, uid: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM audit_log WHERE feature_uid = :u ORDER BY id DESC LIMIT 1"), {"u": uid}
        ).one()
    return row._asdict()


def assert_same_record(edit: dict, by_import: dict) -> None:
    """Everything but id, time and request id (the source) is identical, the snapshots key for key."""
    assert edit["request_id"] != by_import["request_id"]  # two different requests, really
    assert {k: edit[k] for k in SAME} == {k: by_import[k] for k in SAME}
    assert isinstance(by_import["after"]["geometry"], dict)  # GeoJSON object, not a string


# --- the same change through the API and through an import ------------------------------------------------------


def test_an_edit_and_an_import_of_the_same_change_leave_identical_audit_records(client, staff, edits, engine):
    uid = "TEST-CK-GHI-1"
    start = gate({"uid": uid, "name_vi": "Cửa khẩu ghi thử", "notes": "trước"}, coords=(105.21, 18.41))
    key, etag = created(client, staff, "border_gates", start)
    change = {"name_vi": "Cửa khẩu ghi thử (đổi tên)", "notes": "sau"}
    moved = {"type": "Point", "coordinates": [105.22, 18.42]}
    edit = patch(client, staff, "border_gates", key, etag, {"type": "Feature", "properties": change, "geometry": moved})
    assert edit.status_code == 200, edit.text
    by_edit = last_record(engine, uid)
    # Back to the start, by the API, so the import starts from the same row.
    back = {"type": "Feature", "properties": start["properties"], "geometry": start["geometry"]}
    assert patch(client, staff, "border_gates", key, edit.headers["etag"], back).status_code == 200
    imported(
        client, staff, "border_gates", [{"type": "Feature", "properties": {"uid": uid, **change}, "geometry": moved}]
    )
    by_import = last_record(engine, uid)
    assert_same_record(by_edit, by_import)
    assert by_edit["before"]["notes"] == "trước" and by_edit["after"]["notes"] == "sau"
    assert by_edit["after"]["geometry"] == {"type": "Point", "coordinates": [105.22, 18.42]}


def test_a_versioned_edit_and_import_of_the_same_change_leave_identical_audit_records(client, staff, edits, engine):
    uid = "TEST-LO-GHI-2"
    decision(engine, "40/2020/QĐ-BQL", "2020-01-01")
    decision(engine, "41/2024/QĐ-BQL", "2024-06-01")
    first, etag = created(client, staff, "land_plots", plot({"uid": uid, "code": "GHI2"}, decision="40/2020/QĐ-BQL"))
    change = {"status": "leased", "land_rent_usd_m2": 61.5}
    edit = patch(client, staff, "land_plots", first, etag, {"properties": change}, Decision=quote("41/2024/QĐ-BQL"))
    assert edit.status_code == 200, edit.text
    second = int(edit.headers["location"].rsplit("/", 1)[1])
    by_edit = last_record(engine, uid)
    # Undo the new version by hand (and its id) so the import meets the same first version.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM land_plots WHERE id = :k"), {"k": second})
        conn.execute(text("UPDATE land_plots SET valid_to = NULL WHERE id = :k"), {"k": first})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('land_plots', 'id'), :k - 1)"), {"k": second})
    ring = {"type": "Polygon", "coordinates": [PLOT_RING]}
    feature = {"type": "Feature", "properties": {"uid": uid, **change}, "geometry": ring}
    imported(client, staff, "land_plots", [feature], decision="41/2024/QĐ-BQL")
    by_import = last_record(engine, uid)
    assert by_import["feature_id"] == str(second)
    assert_same_record(by_edit, by_import)
    assert (by_edit["before"]["valid_to"], by_edit["after"]["valid_from"]) == (None, "2024-06-01")
    assert by_edit["after"]["status"] == "leased" and by_edit["before"]["status"] == "available"


# --- If-Match: strong, '*' is not a version, one winner --------------------------------------------------------


def parallel(live_server: str, calls: list) -> list[int]:
    """Send the requests at the same moment, each from its own thread and connection; their statuses."""
    statuses: list[int] = []
    barrier = threading.Barrier(len(calls))

    def send(method: str, path: str, body: dict | None, headers: dict) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            barrier.wait()
            content = None if body is None else json.dumps(body)
            statuses.append(http.request(method, path, content=content, headers=headers).status_code)

    threads = [threading.Thread(target=send, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_of_eight_parallel_patches_with_the_same_etag_exactly_one_wins(live_server, client, staff, edits, engine):
    key, etag = created(client, staff, "border_gates", gate({"uid": "TEST-CK-KHOA-1"}))
    path = f"/collections/border_gates/items/{key}"
    headers = {**PATCH, **staff["editor"], "If-Match": etag}
    names = [f"Người sửa {i}" for i in range(8)]
    statuses = parallel(live_server, [("PATCH", path, {"properties": {"name_en": n}}, headers) for n in names])
    assert Counter(statuses) == {200: 1, 412: 7}
    updates = "SELECT count(*) FROM audit_log WHERE feature_id = :k AND action = 'update' AND layer_id = 'border_gates'"
    assert count(engine, updates, k=str(key)) == 1
    stored = client.get(path).json()["properties"]["name_en"]
    assert stored in names


def test_if_match_star_names_no_version_so_no_patch_is_written(live_server, client, staff, edits, engine):
    key, _ = created(client, staff, "border_gates", gate({"uid": "TEST-CK-SAO"}))
    path = f"/collections/border_gates/items/{key}"
    headers = {**PATCH, **staff["editor"], "If-Match": "*"}
    statuses = parallel(
        live_server, [("PATCH", path, {"properties": {"name_en": f"Sao {i}"}}, headers) for i in range(6)]
    )
    assert statuses == [428] * 6
    answer = client.patch(path, content=json.dumps({"properties": {"name_en": "x"}}), headers=headers)
    assert "only that the feature exists" in answer.json()["description"]
    assert client.get(path).json()["properties"]["name_en"] == "Test gate"
    assert count(engine, "SELECT count(*) FROM audit_log WHERE feature_id = :k AND action = 'update'", k=str(key)) == 0
    # '*' on a feature that does not exist: the precondition ("it exists") is false.
    missing = client.delete("/collections/border_gates/items/987654321", headers={**staff["editor"], "If-Match": "*"})
    assert missing.status_code == 412


def test_a_weak_etag_does_not_satisfy_if_match(client, staff, edits):
    key, etag = created(client, staff, "border_gates", gate({"uid": "TEST-CK-YEU"}))
    path = f"/collections/border_gates/items/{key}"
    weak = patch(client, staff, "border_gates", key, f"W/{etag}", {"properties": {"name_en": "Weak"}})
    assert weak.status_code == 412 and "weak ETags" in weak.json()["description"]
    assert client.get(path).json()["properties"]["name_en"] == "Test gate"
    assert (
        patch(client, staff, "border_gates", key, f'W/"x", {etag}', {"properties": {"name_en": "Ok"}}).status_code
        == 200
    )


def test_of_parallel_deletes_with_the_same_etag_one_wins_and_the_others_hear_412(live_server, client, staff, edits):
    key, etag = created(client, staff, "border_gates", gate({"uid": "TEST-CK-XOA"}))
    path = f"/collections/border_gates/items/{key}"
    headers = {**staff["editor"], "If-Match": etag}
    statuses = parallel(live_server, [("DELETE", path, None, headers)] * 5)
    assert Counter(statuses) == {204: 1, 412: 4}
    late = client.delete(path, headers=headers)
    assert late.status_code == 412 and "was deleted since you read it" in late.json()["description"]
    never = client.delete("/collections/border_gates/items/987654321", headers=headers)
    assert never.status_code == 404


# --- one validation: what edits refuse now, as imports do -------------------------------------------------------


def test_degrees_declared_as_vn2000_metres_are_refused_not_stored_near_the_equator(client, staff, edits, engine):
    x, y = Transformer.from_crs(4326, 9209, always_xy=True).transform(105.6, 10.8)
    assert (x, y) != pytest.approx((105.6, 10.8))
    before = count(engine, "SELECT count(*) FROM border_gates")
    response = client.post(
        "/collections/border_gates/items",
        content=json.dumps(gate(coords=(105.6, 10.8))),
        headers={**GEOJSON, **staff["editor"], "Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/9209>"},
    )
    assert response.status_code == 400, response.text
    assert "outside Vietnam" in response.json()["description"] and "check the CRS" in response.json()["description"]
    assert count(engine, "SELECT count(*) FROM border_gates") == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "levels deep; the limit is 64"),
        (json.dumps({"type": "Feature", "properties": {"name_vi": "a\u0000b"}}).encode(), "NUL character"),
        (json.dumps({"type": "Feature", "properties": {"na\ud800me": "x"}}).encode(), "lone surrogate"),
        (json.dumps({"type": "Feature", "properties": {}, "decision": "\u0000"}).encode(), "NUL character"),
    ],
)
def test_edit_bodies_with_text_the_database_cannot_store_answer_400(client, staff, edits, body, words):
    key, etag = created(client, staff, "border_gates", gate({"uid": "TEST-CK-NUL"}))
    response = client.patch(
        f"/collections/border_gates/items/{key}", content=body, headers={**PATCH, **staff["editor"], "If-Match": etag}
    )
    assert response.status_code == 400, response.text
    assert words in response.json()["description"]


def test_a_nul_in_the_decision_header_answers_400(client, staff, edits):
    key, etag = created(client, staff, "border_gates", gate({"uid": "TEST-CK-NUL-2"}))
    response = patch(client, staff, "border_gates", key, etag, {"properties": {}}, Decision="%00")
    assert response.status_code == 400 and "NUL character" in response.json()["description"]


def import_answer(client, staff, name: str, body: bytes, **form):
    return client.post(
        "/api/imports",
        headers=staff["editor"],
        data={"layer": "border_gates", **form},
        files={"file": (name, body, "application/octet-stream")},
    )


def test_a_csv_with_a_nul_is_refused_even_in_a_dry_run_naming_row_and_field(client, staff, edits, engine):
    csv = "uid,name_vi,gate_class,mode,province_code,wkt\nCK-NUL-CSV,a\0b,secondary,road,HA_TINH,POINT(105.2 18.4)\n"
    before = count(engine, "SELECT count(*) FROM border_gates")
    response = import_answer(client, staff, "gates.csv", csv.encode(), dry_run="true")
    assert response.status_code == 422, response.text
    [problem] = response.json()["report"]["problems"]
    assert (
        problem["where"] == "feature #1 (CK-NUL-CSV)" and "field 'name_vi' holds a NUL character" in problem["message"]
    )
    assert count(engine, "SELECT count(*) FROM border_gates") == before


def test_a_geojson_import_with_a_nul_is_refused_not_cut(client, staff, edits, engine):
    feature = gate({"uid": "CK-NUL-JSON", "name_vi": "a\u0000b"})
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    response = import_answer(client, staff, "gates.geojson", body)
    assert response.status_code == 400, response.text
    assert "properties.name_vi in feature #1 holds a NUL character" in response.json()["description"]
    assert count(engine, "SELECT count(*) FROM border_gates WHERE uid = 'CK-NUL-JSON'") == 0


def test_an_import_refuses_unclosed_rings_and_heights(client, staff, edits, engine):
    open_ring = plot({"uid": "LO-VONG-HO"}, ring=PLOT_RING[:-1])
    body = json.dumps({"type": "FeatureCollection", "features": [open_ring]}).encode()
    response = import_answer(client, staff, "plots.geojson", body, layer="land_plots", decision="72/2006/QĐ-TTg")
    assert response.status_code == 400, response.text
    assert "feature #1: unreadable geometry" in response.json()["description"]
    assert "closed" in response.json()["description"]
    high = {**gate({"uid": "CK-CAO"}), "geometry": {"type": "Point", "coordinates": [105.2, 18.4, 120.0]}}
    response = import_answer(
        client, staff, "gates.geojson", json.dumps({"type": "FeatureCollection", "features": [high]}).encode()
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["report"]["problems"]
    assert problem["kind"] == "geometry_z" and "heights (Z from 120 to 120)" in problem["message"]


@pytest.fixture
def ha_tinh_outline(engine):
    """A rough outline for Hà Tĩnh (the demo holds no province boundaries), put back afterwards."""
    where = "WHERE code = 'HA_TINH' AND valid_to IS NULL"
    with engine.begin() as conn:
        original = conn.execute(text(f"SELECT geom FROM admin_units {where}")).scalar_one()
        conn.execute(
            text(f"UPDATE admin_units SET geom = ST_Multi(ST_MakeEnvelope(105.0, 17.8, 106.6, 18.8, 4326)) {where}")
        )
    yield
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE admin_units SET geom = :g {where}"), {"g": original})


def test_an_edit_outside_the_province_it_names_is_refused_as_an_import_would_be(
    client, staff, edits, engine, ha_tinh_outline
):
    # A point in the Mekong delta said to be in Hà Tĩnh is refused by both paths.
    body = gate({"uid": "TEST-CK-TINH", "province_code": "HA_TINH"}, coords=(105.6, 10.8))
    headers = {**GEOJSON, **staff["editor"]}
    response = client.post("/collections/border_gates/items", content=json.dumps(body), headers=headers)
    assert response.status_code == 400, response.text
    assert "outside the province HA_TINH" in response.json()["description"]
    document = json.dumps({"type": "FeatureCollection", "features": [body]}).encode()
    [problem] = import_answer(client, staff, "gates.geojson", document).json()["report"]["problems"]
    assert (problem["kind"], problem["message"]) == ("outside", "the feature lies outside the province HA_TINH")
    assert count(engine, "SELECT count(*) FROM border_gates WHERE uid = 'TEST-CK-TINH'") == 0
    # Inside it (Cầu Treo), the same gate is written; a PATCH moving it back out is refused.
    inside = {**body, "geometry": {"type": "Point", "coordinates": [105.160144, 18.390175]}}
    key, etag = created(client, staff, "border_gates", inside)
    moved = patch(
        client, staff, "border_gates", key, etag, {"geometry": {"type": "Point", "coordinates": [105.6, 10.8]}}
    )
    assert moved.status_code == 400 and "outside the province HA_TINH" in moved.json()["description"]


@pytest.mark.parametrize(
    "form",
    [
        {"layer": "border\0gates"},
        {"decision": "12/\0"},
        {"defaults": "notes=a\0b"},
        {"crs": "EPSG:\0"},
        {"source_layer": "\0"},
    ],
)
def test_a_nul_in_any_import_form_field_answers_4xx_and_writes_nothing(client, staff, edits, engine, form):
    document = json.dumps({"type": "FeatureCollection", "features": [gate({"uid": "CK-NUL-FORM"})]}).encode()
    response = import_answer(client, staff, "gates.geojson", document, **form)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["description"]
    assert count(engine, "SELECT count(*) FROM border_gates WHERE uid = 'CK-NUL-FORM'") == 0
