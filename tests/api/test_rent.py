"""Land rent and compliance of projects: arrears by hand and by SQL against the API, the delayed-projects review
for staff and anonymous readers, and writes through the one audited path (the OGC editing routes)."""

import json

from sqlalchemy import text

from tests import accounts

staff, edits = accounts.staff, accounts.edits

GEOJSON = {"Content-Type": "application/geo+json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
BN = 1_000_000_000


def project_id(engine, uid: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM projects WHERE uid = :u"), {"u": uid}).scalar_one()


def feature(**properties) -> str:
    return json.dumps({"type": "Feature", "geometry": None, "properties": properties})


def test_rent_needs_a_staff_account(client, staff):
    assert client.get("/api/projects/PRJ-VA2/rent").status_code == 401
    assert client.get("/api/projects/NO-SUCH/rent", headers=staff["viewer"]).status_code == 404


def test_arrears_by_hand_and_by_sql_agree_with_the_api(client, staff, engine):
    body = client.get("/api/projects/PRJ-VA2/rent", headers=staff["viewer"]).json()
    # data/sources/project_rent_amounts.csv, by hand: due 3.2 3.2 3.3 3.3 3.4, paid 3.2 2.4 2.0 3.7 1.0 (bn VND)
    by_year = {a["year"]: (a["arrears_vnd"], a["cumulative_arrears_vnd"]) for a in body["amounts"]}
    assert by_year == {
        2021: (0, 0),
        2022: (8 * BN // 10, 8 * BN // 10),
        2023: (13 * BN // 10, 21 * BN // 10),
        2024: (-4 * BN // 10, 17 * BN // 10),
        2025: (24 * BN // 10, 41 * BN // 10),
    }
    with engine.connect() as conn:
        total = conn.execute(
            text(
                "SELECT sum(due_vnd - paid_vnd) FROM project_rent_amounts a JOIN projects p ON p.id = a.project_id "
                "WHERE p.uid = 'PRJ-VA2'"
            )
        ).scalar_one()
        opened = conn.execute(
            text(
                "SELECT count(*) FROM project_findings f JOIN projects p ON p.id = f.project_id "
                "WHERE p.uid = 'PRJ-VA2' AND f.status = 'open'"
            )
        ).scalar_one()
    assert body["arrears_vnd"] == int(total) == 41 * BN // 10
    assert len(body["open_findings"]) == opened == 2
    words = {f["kind_words"]["vi"] for f in body["open_findings"]}
    assert "Chậm đưa đất vào sử dụng" in words  # Vietnamese intact, no raw code needed to read it
    assert body["terms"][0]["rate_basis_words"] == {"vi": "Đồng/m²/năm", "en": "Per m² per year"}
    assert body["terms"][0]["illustrative"] is True


def test_delayed_projects_review_shows_rent_to_staff_only(client, staff, engine):
    params = {"as_of": "2026-01-01"}
    anonymous = client.get("/api/reports/delayed-projects", params=params).json()
    assert "rent_arrears_vnd" not in anonymous["columns"] and "open_findings" not in anonymous["columns"]
    assert all("rent_arrears_vnd" not in r and "open_findings" not in r for r in anonymous["rows"])
    csv_text = client.get("/api/reports/delayed-projects", params={**params, "f": "csv"}).content.decode("utf-8-sig")
    assert "rent_arrears_vnd" not in csv_text and "Kết luận thanh tra" not in csv_text
    review = client.get("/api/reports/delayed-projects", params=params, headers=staff["viewer"]).json()
    [va2, *_] = [r for r in review["rows"] if r["project_uid"] == "PRJ-VA2"]
    assert va2["rent_arrears_vnd"] == 41 * BN // 10
    assert (
        "Chậm đưa đất vào sử dụng / Slow to put land into use (Kết luận thanh tra số 05/KL-BQL"
        in (va2["open_findings"])
    )
    staff_csv = client.get(
        "/api/reports/delayed-projects", params={**params, "f": "csv"}, headers=staff["viewer"]
    ).content.decode("utf-8-sig")
    assert "rent_arrears_vnd" in staff_csv and "Chậm đưa đất vào sử dụng" in staff_csv


def test_an_edit_through_the_ogc_route_is_audited_and_viewers_are_refused(client, staff, engine, edits):
    project = project_id(engine, "PRJ-VINES")
    body = feature(project_id=project, year=2030, due_vnd=500_000_000, paid_vnd=200_000_000)
    refused = client.post(
        "/collections/project_rent_amounts/items", content=body, headers={**staff["viewer"], **GEOJSON}
    )
    assert refused.status_code == 403
    created = client.post(
        "/collections/project_rent_amounts/items", content=body, headers={**staff["editor"], **GEOJSON}
    )
    assert created.status_code == 201, created.text
    key = int(created.headers["Location"].rsplit("/", 1)[1])
    etag = client.get(f"/collections/project_rent_amounts/items/{key}", headers=staff["editor"]).headers["ETag"]
    changed = client.patch(
        f"/collections/project_rent_amounts/items/{key}",
        content=json.dumps({"properties": {"paid_vnd": 450_000_000}}),
        headers={**staff["editor"], **MERGE, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    rent = client.get("/api/projects/PRJ-VINES/rent", headers=staff["viewer"]).json()
    assert [(a["year"], a["arrears_vnd"]) for a in rent["amounts"]] == [(2030, 50_000_000)]
    with engine.connect() as conn:
        audit = conn.execute(
            text(
                "SELECT action, username, after FROM audit_log WHERE layer_id = 'project_rent_amounts' "
                "AND feature_id = :k ORDER BY id"
            ),
            {"k": str(key)},
        ).all()
    assert [(a.action, a.username) for a in audit] == [("create", "test_editor"), ("update", "test_editor")]
    assert int(audit[1].after["paid_vnd"]) == 450_000_000
    twice = client.post("/collections/project_rent_amounts/items", content=body, headers={**staff["editor"], **GEOJSON})
    assert twice.status_code in (409, 422) and "already has a rent row for that year" in twice.json()["description"]
    negative = feature(project_id=project, year=2031, due_vnd=1, paid_vnd=-5)
    response = client.post(
        "/collections/project_rent_amounts/items", content=negative, headers={**staff["editor"], **GEOJSON}
    )
    assert response.status_code in (400, 422), response.text


def test_resolved_without_a_date_is_refused_with_a_sentence(client, staff, engine, edits):
    project = project_id(engine, "PRJ-VINES")
    values = {
        "project_id": project,
        "kind": "slow_land_use",
        "found_on": "2024-04-02",
        "found_by": "Kết luận kiểm tra số 07/KL-BQL",
        "decided": "Gia hạn 12 tháng",
        "status": "resolved",
    }
    response = client.post(
        "/collections/project_findings/items", content=feature(**values), headers={**staff["editor"], **GEOJSON}
    )
    assert response.status_code == 422, response.text
    assert "needs the date it was resolved (ngày khắc phục" in response.json()["description"]
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM project_findings WHERE found_by = :b"), {"b": values["found_by"]}
        ).scalar_one()
    assert stored == 0
    created = client.post(
        "/collections/project_findings/items",
        content=feature(**{**values, "resolved_on": "2025-04-02"}),
        headers={**staff["editor"], **GEOJSON},
    )
    assert created.status_code == 201, created.text
    rent = client.get("/api/projects/PRJ-VINES/rent", headers=staff["viewer"]).json()
    assert rent["open_findings"] == []  # resolved: not among the open ones


def test_every_finding_comes_with_what_was_decided_and_the_totals(client, staff, engine):
    body = client.get("/api/projects/PRJ-AG-TB-TM/rent", headers=staff["viewer"]).json()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f.kind, f.found_by, f.decided, f.status, f.resolved_on FROM project_findings f "
                "JOIN projects p ON p.id = f.project_id WHERE p.uid = 'PRJ-AG-TB-TM' ORDER BY f.found_on, f.id"
            )
        ).all()
        due, paid = conn.execute(
            text(
                "SELECT sum(due_vnd), sum(paid_vnd) FROM project_rent_amounts a JOIN projects p ON p.id = a.project_id "
                "WHERE p.uid = 'PRJ-AG-TB-TM'"
            )
        ).one()
    assert [(f["kind"], f["found_by"], f["decided"], f["status"]) for f in body["findings"]] == [
        (r.kind, r.found_by, r.decided, r.status) for r in rows
    ]
    resolved = [f for f in body["findings"] if f["status"] == "resolved"]
    assert resolved and resolved[0]["resolved_on"] == "2023-02-01"  # data/sources/project_findings.csv
    assert body["open_findings"] == [f for f in body["findings"] if f["status"] == "open"]
    assert (body["due_vnd"], body["paid_vnd"]) == (int(due), int(paid))
    assert body["arrears_vnd"] == int(due) - int(paid)
