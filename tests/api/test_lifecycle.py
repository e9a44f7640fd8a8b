"""Planned things are first-class: the demo's proposed and planned features with their decisions and sources, the
lifecycle as a field of every export and filter, words (never codes) on the maps, and no planned land on offer."""

import csv
import io
import json
import re

import pyogrio
from sqlalchemy import text

UPGRADES = ("ĐT926B", "ĐT925B", "Nàng Mau", "Lái Hiếu", "Cái Côn", "Quản Lộ – Phụng Hiệp")
LIFECYCLE_LAYERS = {
    "economic_zones": "lifecycle",
    "industrial_parks": "lifecycle",
    "transport_lines": "lifecycle",
    "logistics_centres": "status",
    "transport_nodes": "status",
}


def test_the_demo_holds_the_plans_planned_things_with_their_decision_and_flagged_geometry(db_conn):
    lines = db_conn.execute(
        text(
            "SELECT l.name_vi, l.lifecycle, d.number, l.geometry_illustrative FROM transport_lines l "
            "LEFT JOIN decisions d ON d.id = l.lifecycle_decision_id WHERE l.lifecycle <> 'operating'"
        )
    ).all()
    for name in UPGRADES:
        [line] = [r for r in lines if name in r.name_vi]
        assert (
            line.lifecycle == "planned" and line.number == "QH tỉnh Hậu Giang 2021–2030" and line.geometry_illustrative
        )
    parks = db_conn.execute(
        text(
            "SELECT k.uid, k.kind, k.park_type, k.zone_uid, k.lifecycle, d.number, d.illustrative, "
            "k.geometry_illustrative "
            "FROM industrial_parks k JOIN decisions d ON d.id = k.lifecycle_decision_id "
            "WHERE k.valid_to IS NULL AND k.lifecycle = 'planned' AND k.province_code = 'HAU_GIANG'"
        )
    ).all()
    kinds = [p.kind for p in parks]
    assert kinds.count("industrial_park") == 5  # 5 new parks
    assert kinds.count("industrial_cluster") == 7  # 5 new clusters and 2 expansions
    assert all(p.geometry_illustrative and p.illustrative for p in parks)  # placeholder decision, drawn outlines
    fhs = db_conn.execute(
        text("SELECT park_type, zone_uid, lifecycle FROM industrial_parks WHERE uid = 'KCN-FHS-CB'")
    ).one()
    assert tuple(fhs) == ("specialised", "KKT-VA", "planned")
    expansion = db_conn.execute(
        text("SELECT lifecycle, geometry_illustrative FROM economic_zones WHERE uid = 'KKT-VA-MR'")
    ).one()
    assert tuple(expansion) == ("planned", True)
    candidates = db_conn.execute(
        text("SELECT count(*) FROM logistics_centres WHERE status = 'proposed' AND source LIKE '%datnenhaugiang%'")
    ).scalar_one()
    assert candidates == 2


def test_exports_and_filters_carry_the_lifecycle(client, db_conn, tmp_path):
    response = client.get("/collections/industrial_parks/items", params={"f": "csv", "filter": "lifecycle = 'planned'"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = db_conn.execute(
        text("SELECT count(*) FROM industrial_parks WHERE valid_to IS NULL AND lifecycle = 'planned'")
    ).scalar_one()
    assert len(rows) == expected == 13 and {r["lifecycle"] for r in rows} == {"planned"}
    assert "lifecycle_decision_id" in rows[0]
    path = tmp_path / "lines.gpkg"
    path.write_bytes(client.get("/collections/transport_lines/items", params={"f": "gpkg"}).content)
    frame = pyogrio.read_dataframe(path)
    assert sorted(set(frame["lifecycle"])) == ["operating", "planned"]
    nodes = client.get("/collections/logistics_centres/items", params={"f": "json", "status": "proposed"}).json()
    assert {f["properties"]["uid"] for f in nodes["features"]} == {"LC-HG-TAN-TIEN", "LC-HG-TAN-THANH"}


def clearance_state(parcels: int, handed: int) -> str:
    """The clearance state of a plot from its parcel counts, as docs/land-finder.md defines it."""
    if parcels == 0:
        return "no_parcels"
    if handed == parcels:
        return "handed_over"
    return "partly_handed_over" if handed else "not_handed_over"


def test_clean_land_in_the_finder_is_land_whose_recorded_parcels_are_all_handed_over(client, db_conn):
    # Computed here from the parcels themselves, not with the database function the finder uses: per available plot,
    # how many parcels concern it (its project's, or overlapping it) and how many of them are handed over.
    counted = db_conn.execute(
        text(
            """SELECT p.uid, count(c.id) AS parcels, count(c.handed_over_on) AS handed FROM land_plots p
               LEFT JOIN clearance_parcels c ON ST_Relate(c.geom, p.geom, '2********')
                 OR c.project_id IN (SELECT project_id FROM project_plots WHERE plot_uid = p.uid)
               LEFT JOIN industrial_parks k ON k.uid = p.park_uid AND k.valid_to IS NULL
               WHERE p.valid_to IS NULL AND p.status = 'available' AND coalesce(k.lifecycle, '') <> 'planned'
               GROUP BY p.uid"""
        )
    ).all()
    by_hand = {uid: clearance_state(parcels, handed) for uid, parcels, handed in counted}
    expected = {uid for uid, state in by_hand.items() if state == "handed_over"}
    # Vinhomes Vũng Áng's DV2 (parcels handed over 2025-2026), and the border-gate lots of Xuân Tô and Cầu Treo
    # whose clearance batches are all handed over
    border = ("KCN-XUAN-TO-", "KKTCK-CT-LOG-")
    assert expected - {"KCN-VHVA-DV2"} == {uid for uid in expected if uid.startswith(border)}
    assert "KCN-VHVA-DV2" in expected and all(any(uid.startswith(b) for uid in expected) for b in border)
    clean = client.get("/api/land/available", params={"clean": "true"}).json()["features"]
    assert {f["properties"]["uid"] for f in clean} == expected
    assert all(f["properties"]["clearance_state_words"]["vi"] == "Đã bàn giao toàn bộ (đất sạch)" for f in clean)
    everything = client.get("/api/land/available", params={"f": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(everything)))
    states = {r["uid"]: (r["clean"], r["clearance_state"], r["clearance_state_vi"]) for r in rows}
    assert states["KCN-VHVA-DV2"] == ("true", "handed_over", "Đã bàn giao toàn bộ (đất sạch)")
    assert {uid: s[1] for uid, s in states.items()} == {uid: by_hand[uid] for uid in states}
    assert {s[1] for s in states.values()} >= {"no_parcels", "partly_handed_over", "handed_over"}
    assert all(s[0] == "false" for uid, s in states.items() if uid not in expected)


def test_map_pages_know_the_lifecycle_field_and_its_words(client):
    html = client.get("/maps/zones").text
    config = json.loads(re.search(r'<script type="application/json" id="za-config">(.*?)</script>', html).group(1))
    layers = {layer["id"]: layer for layer in config["layers"]}
    for layer_id, field in LIFECYCLE_LAYERS.items():
        assert layers[layer_id]["lifecycle_field"] == field
    assert layers["land_plots"]["lifecycle_field"] is None
    steps = config["lifecycle"]["steps"]
    assert config["lifecycle"]["unbuilt"] == ["proposed", "planned"]
    assert [s["value"] for s in steps] == ["proposed", "planned", "under_construction", "operating"]
    assert [s["vi"] for s in steps][:2] == ["Đề xuất", "Trong quy hoạch được duyệt"]
    assert "/static/app/map_lifecycle.js" in html and "/static/app/map_lifecycle.css" in html
