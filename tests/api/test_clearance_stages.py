"""Clearance stages in bulk (POST /api/clearance/stages): all or nothing, stage order, audit, scopes, dry run, and
the report, project figures, items and tiles showing the change at once.

Parcels are picked from the demo data by SQL on their stage dates; expected figures are computed here by SQL from
the picked parcels, never from the route's answer. Every test puts the demo rows it changed back as they were.
"""

import json
from datetime import date, timedelta

import mapbox_vector_tile
import morecantile
import pytest
from sqlalchemy import text

from tests import accounts, scopes

staff = accounts.staff
edits = accounts.edits
scoped = scopes.scoped

URL = "/api/clearance/stages"
DAY = date(2026, 11, 30)  # a Monday (ISO week 2026-W49) in which no demo parcel reached any stage
WEEK = "2026-W49"
DATES = ("notice_issued_on", "inventoried_on", "plan_approved_on", "compensation_paid_on", "handed_over_on")


@pytest.fixture
def restore(engine, edits):
    """Put every demo parcel's stage dates back as they were before the test (audit rows go with `edits`)."""
    with engine.connect() as conn:
        saved = [dict(r._mapping) for r in conn.execute(text(f"SELECT id, {', '.join(DATES)} FROM clearance_parcels"))]
    yield
    sets = ", ".join(f"{c} = :{c}" for c in DATES)
    changed = " OR ".join(f"{c} IS DISTINCT FROM :{c}" for c in DATES)
    with engine.begin() as conn:
        conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        for row in saved:
            conn.execute(text(f"UPDATE clearance_parcels SET {sets} WHERE id = :id AND ({changed})"), row)


def pick(engine, where: str, count: int) -> list[dict]:
    """Demo parcels matching a condition on their stage dates, with their project and names."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.id, p.uid AS project, c.map_sheet, c.parcel_no, c.inventoried_on, "
                "coalesce(c.compensation_approved_vnd, 0) AS approved FROM clearance_parcels c "
                f"JOIN projects p ON p.id = c.project_id WHERE {where} ORDER BY c.id LIMIT :n"
            ),
            {"n": count},
        )
        found = [dict(r._mapping) for r in rows]
    assert len(found) == count, where
    return found


INVENTORIED = "c.inventoried_on IS NOT NULL AND c.plan_approved_on IS NULL"


def dates_of(engine, ids: list[int], column: str = "plan_approved_on") -> list:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {column} FROM clearance_parcels WHERE id = ANY(:ids)"), {"ids": ids})
        return list(rows.scalars())


def audit_rows(engine, ids: list[int]) -> list:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT a.feature_id, a.action, u.username, a.before ->> 'plan_approved_on' AS old, "
                    "a.after ->> 'plan_approved_on' AS new FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
                    "WHERE a.layer_id = 'clearance_parcels' AND a.feature_id = ANY(:ids)"
                ),
                {"ids": [str(i) for i in ids]},
            )
        )


def post(client, headers, parcels, stage="plan_approved", on=DAY, **more):
    return client.post(URL, headers=headers, json={"stage": stage, "date": on.isoformat(), "parcels": parcels, **more})


def report_row(client, staff, project: str) -> dict:
    response = client.get("/api/reports/clearance", params={"week": WEEK, "project": project}, headers=staff["viewer"])
    assert response.status_code == 200, response.text
    [row] = response.json()["rows"]
    return row


def figures(client, staff, project: str) -> dict:
    url = f"/api/projects/{project}/clearance"
    response = client.get(url, params={"as_of": (DAY + timedelta(days=6)).isoformat()}, headers=staff["viewer"])
    assert response.status_code == 200, response.text
    body = response.json()
    return {"approved_vnd": body["approved_vnd"], **{s["stage"]: s["parcels"] for s in body["by_stage"]}}


def tile_stage(client, staff, engine, parcel_id: int) -> str:
    """The stage the zoom-16 tile over a parcel draws it with."""
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM clearance_parcels WHERE id = :i) s"
            ),
            {"i": parcel_id},
        ).one()
    tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 16)
    url = f"/collections/clearance_parcels/tiles/WebMercatorQuad/16/{tile.x}/{tile.y}"
    response = client.get(url, headers=staff["viewer"])
    assert response.status_code == 200
    layer = mapbox_vector_tile.decode(response.content)["clearance_parcels"]
    [feature] = [f for f in layer["features"] if f["properties"].get("id", f.get("id")) == parcel_id]
    return feature["properties"]["stage"]


def test_twenty_parcels_at_once_are_written_audited_and_reported(client, engine, staff, restore):
    parcels = pick(engine, INVENTORIED, 20)
    ids = [p["id"] for p in parcels]
    with engine.connect() as conn:  # the week is empty before: the report's week then holds exactly these parcels
        in_week = "plan_approved_on BETWEEN :a AND :b"
        empty = conn.execute(text(f"SELECT count(*) FROM clearance_parcels WHERE {in_week}"), {"a": DAY, "b": DAY})
        assert empty.scalar_one() == 0
    projects = sorted({p["project"] for p in parcels})
    reports = {uid: report_row(client, staff, uid) for uid in projects}
    before = {uid: figures(client, staff, uid) for uid in projects}
    # Every form of reference: ids (as numbers and text), project:sheet/number, and a duplicate.
    refs = [p["id"] for p in parcels[:8]] + [str(p["id"]) for p in parcels[8:12]]
    refs += [f"{p['project']}:{p['map_sheet']}/{p['parcel_no']}" for p in parcels[12:]] + [parcels[0]["id"]]

    response = post(client, staff["editor"], refs)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["parcels"], answer["changed"], answer["unchanged"], answer["written"]) == (20, 20, 0, True)
    assert sorted(c["id"] for c in answer["changes"]) == sorted(ids)
    for change in answer["changes"]:
        assert (change["old"], change["new"]) == (None, "2026-11-30")
        assert (change["stage_before"], change["stage_after"]) == ("inventoried", "plan_approved")
    assert "Đã phê duyệt phương án" in answer["stage_label"]
    assert dates_of(engine, ids) == [DAY] * 20
    audited = audit_rows(engine, ids)
    assert sorted(int(a.feature_id) for a in audited) == sorted(ids)
    assert {(a.action, a.username, a.old, a.new) for a in audited} == {("update", "test_editor", None, "2026-11-30")}

    for uid in projects:
        mine = [p for p in parcels if p["project"] == uid]
        row = report_row(client, staff, uid)
        assert row["reached_plan_approved_this_week"] == len(mine)
        assert row["parcels_at_plan_approved"] == reports[uid]["parcels_at_plan_approved"] + len(mine)
        assert row["parcels_at_inventoried"] == reports[uid]["parcels_at_inventoried"] - len(mine)
        after = figures(client, staff, uid)
        assert after["approved_vnd"] == before[uid]["approved_vnd"] + sum(int(p["approved"]) for p in mine)
        assert after["plan_approved"] == before[uid]["plan_approved"] + len(mine)
    item = client.get(f"/collections/clearance_parcels/items/{ids[0]}", headers=staff["viewer"]).json()
    assert (item["properties"]["stage"], item["properties"]["plan_approved_on"]) == ("plan_approved", "2026-11-30")
    assert tile_stage(client, staff, engine, ids[-1]) == "plan_approved"

    again = post(client, staff["editor"], ids)  # the same change again changes nothing and audits nothing
    assert (again.json()["changed"], again.json()["unchanged"]) == (0, 20)
    assert len(audit_rows(engine, ids)) == 20


def test_one_parcel_out_of_order_refuses_all_twenty_and_is_named(client, engine, staff, restore):
    good = pick(engine, INVENTORIED, 19)
    [no_inventory] = pick(engine, "c.notice_issued_on IS NOT NULL AND c.inventoried_on IS NULL", 1)
    ids = [p["id"] for p in good] + [no_inventory["id"]]

    response = post(client, staff["editor"], ids)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["details"]["count"] == 1
    [named] = body["details"]["parcels"]
    assert (named["id"], named["map_sheet"], named["parcel_no"]) == tuple(
        no_inventory[k] for k in ("id", "map_sheet", "parcel_no")
    )
    assert "Đã kiểm đếm" in named["reason"]
    assert f"{no_inventory['map_sheet']}/{no_inventory['parcel_no']} ({no_inventory['project']})" in body["description"]
    assert dates_of(engine, ids) == [None] * 20
    assert audit_rows(engine, ids) == []


def test_handed_over_without_the_earlier_dates_names_each_parcel_and_the_missing_stage(client, engine, staff, restore):
    noticed = pick(engine, "c.notice_issued_on IS NOT NULL AND c.inventoried_on IS NULL", 3)
    paid = pick(engine, "c.compensation_paid_on IS NOT NULL AND c.handed_over_on IS NULL", 2)
    ids = [p["id"] for p in noticed + paid]

    response = post(client, staff["editor"], ids, stage="handed_over")

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["details"]["count"] == 3
    named = {p["id"]: p["reason"] for p in body["details"]["parcels"]}
    assert set(named) == {p["id"] for p in noticed}
    for reason in named.values():  # the stage set, and the one just before it that has no date
        assert "Đã bàn giao mặt bằng / Handed over" in reason and "Đã chi trả / Compensation paid" in reason
    for p in noticed:
        assert f"{p['map_sheet']}/{p['parcel_no']} ({p['project']})" in body["description"]
    assert dates_of(engine, ids, "handed_over_on") == [None] * 5
    assert audit_rows(engine, ids) == []


def test_a_date_before_an_earlier_stage_is_refused_by_the_database_rule(client, engine, staff, restore):
    parcels = pick(engine, INVENTORIED, 20)
    late = parcels[7]
    too_early = late["inventoried_on"] - timedelta(days=1)  # before its own inventory, after every other one's?
    with engine.connect() as conn:
        also = conn.execute(
            text("SELECT count(*) FROM clearance_parcels WHERE id = ANY(:ids) AND inventoried_on > :d"),
            {"ids": [p["id"] for p in parcels], "d": too_early},
        ).scalar_one()

    response = post(client, staff["editor"], [p["id"] for p in parcels], on=too_early)

    assert response.status_code == 422, response.text
    details = response.json()["details"]
    assert details["count"] == also >= 1
    assert late["id"] in {p["id"] for p in details["parcels"]}
    assert "breaks the order of stages" in details["parcels"][0]["reason"]
    assert dates_of(engine, [p["id"] for p in parcels]) == [None] * 20


def test_unknown_references_are_listed_and_nothing_is_written(client, engine, staff, restore):
    parcels = pick(engine, INVENTORIED, 3)
    unknown = [999_999_999, "99/99999", "PRJ-KHÔNG-CÓ:7/1", "thửa số 5", 2**70]
    response = post(client, staff["editor"], [p["id"] for p in parcels] + unknown)
    assert response.status_code == 422, response.text
    details = response.json()["details"]
    assert details["count"] == len(unknown)
    assert [p["ref"] for p in details["parcels"]] == unknown
    assert "PRJ-KHÔNG-CÓ:7/1" in response.json()["description"]  # diacritics kept
    assert dates_of(engine, [p["id"] for p in parcels]) == [None] * 3

    missing_project = post(client, staff["editor"], ["7/1"], project="PRJ-KHÔNG-CÓ")
    assert missing_project.status_code == 422 and "PRJ-KHÔNG-CÓ" in missing_project.json()["description"]


def test_bare_parcel_numbers_take_the_project(client, engine, staff, restore):
    [parcel] = pick(engine, INVENTORIED, 1)
    ref = f"{parcel['map_sheet']}/{parcel['parcel_no']}"
    response = post(client, staff["editor"], [ref], project=parcel["project"])
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()["changes"]] == [parcel["id"]]
    assert dates_of(engine, [parcel["id"]]) == [DAY]


def test_dry_run_answers_the_changes_and_writes_nothing(client, engine, staff, restore):
    parcels = pick(engine, INVENTORIED, 20)
    ids = [p["id"] for p in parcels]
    response = post(client, staff["editor"], ids, dry_run=True)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["dry_run"], answer["written"], answer["changed"]) == (True, False, 20)
    expected = {(None, "2026-11-30", "plan_approved")}
    assert {(c["old"], c["new"], c["stage_after"]) for c in answer["changes"]} == expected
    assert dates_of(engine, ids) == [None] * 20
    assert audit_rows(engine, ids) == []


def test_roles_scopes_and_limits(client, engine, staff, scoped, restore):
    parcels = pick(engine, INVENTORIED, 2)
    ids = [p["id"] for p in parcels]
    assert post(client, staff["anonymous"], ids).status_code == 401
    assert post(client, staff["viewer"], ids).status_code == 403
    outside = post(client, scoped[("editor", "NINH_BINH")], ids)
    assert outside.status_code == 403, outside.text
    assert "may change data in Ninh Bình only" in outside.json()["description"]
    assert dates_of(engine, ids) == [None, None]
    assert audit_rows(engine, ids) == []
    inside = post(client, scoped[("editor", "HA_TINH")], ids)  # both demo projects are in Hà Tĩnh
    assert inside.status_code == 200, inside.text
    assert dates_of(engine, ids) == [DAY, DAY]

    too_many = post(client, staff["editor"], list(range(1, 5_002)))
    assert too_many.status_code == 400 and "5000" in too_many.json()["description"]
    for bad in ({"stage": "not_started"}, {"date": "30/11/2026"}, {"parcels": []}, {"extra": 1}):
        body = {"stage": "plan_approved", "date": "2026-11-30", "parcels": ids, **bad}
        refused = client.post(URL, headers=staff["editor"], content=json.dumps(body))
        assert refused.status_code == 400, (bad, refused.text)


def test_a_parcel_number_two_projects_share_needs_the_project(client, engine, staff, restore):
    [parcel] = pick(engine, INVENTORIED + " AND p.uid = 'PRJ-VHVA'", 1)
    with engine.begin() as conn:  # the same map sheet and number in the other project (removed by `edits`)
        twin = conn.execute(
            text(
                "INSERT INTO clearance_parcels (project_id, map_sheet, parcel_no, notice_issued_on, inventoried_on, "
                "geom) SELECT (SELECT id FROM projects WHERE uid = 'PRJ-VA2'), map_sheet, parcel_no, notice_issued_on, "
                "inventoried_on, ST_Translate(geom, 0.01, 0) FROM clearance_parcels WHERE id = :id RETURNING id"
            ),
            {"id": parcel["id"]},
        ).scalar_one()
    ref = f"{parcel['map_sheet']}/{parcel['parcel_no']}"
    ambiguous = post(client, staff["editor"], [ref])
    assert ambiguous.status_code == 422, ambiguous.text
    assert ambiguous.json()["details"]["parcels"] == [
        {"ref": ref, "reason": "several projects have this parcel: name the project"}
    ]
    chosen = post(client, staff["editor"], [ref], project="PRJ-VA2")
    assert [c["id"] for c in chosen.json()["changes"]] == [twin]
    assert (dates_of(engine, [parcel["id"]]), dates_of(engine, [twin])) == ([None], [DAY])
