"""Spreadsheet updates: the XLSX template read back with openpyxl, previews that write nothing, all-or-nothing apply."""

import io
import json
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from gis.vocab import FacilityStatus
from tests import scopes
from tests.api.test_editing import decision as make_decision
from tests.api.test_editing import plot

scoped = scopes.scoped
GEOJSON = {"Content-Type": "application/geo+json"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NODES = {  # two ports in Hà Tĩnh made by the tests (demo rows stay as they are)
    "TEST-SHEET-CANG-1": "Cảng thử nghiệm Sơn Dương",
    "TEST-SHEET-CANG-2": "Cảng thử nghiệm Vũng Áng Đông",
}


def _node(uid: str, name: str) -> dict:
    props = {"uid": uid, "name_vi": name, "kind": "seaport", "status": "planned", "province_code": "HA_TINH"}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.33, 18.07]}, "properties": props}


@pytest.fixture
def nodes(client, staff, edits):
    for uid, name in NODES.items():
        response = client.post(
            "/collections/transport_nodes/items",
            content=json.dumps(_node(uid, name)),
            headers={**GEOJSON, **staff["editor"]},
        )
        assert response.status_code == 201, response.text


def _template(client, staff, layer: str, role: str = "editor", **params):
    return client.get(f"/api/updates/{layer}/template.xlsx", params=params, headers=staff[role])


def _workbook(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def _columns(sheet) -> dict[str, int]:
    return {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}


def _row_of(sheet, uid: str) -> int:
    col = _columns(sheet)["uid"]
    [row] = [r for r in range(3, sheet.max_row + 1) if sheet.cell(r, col).value == uid]
    return row


def _bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, headers, layer: str, content: bytes, name: str = "sheet.xlsx", **params):
    return client.post(f"/api/updates/{layer}", params=params, headers=headers, files={"file": (name, content, XLSX)})


def _db(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _validation(sheet, column: int):
    letter = sheet.cell(2, column).column_letter
    found = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}3:")]
    assert len(found) == 1, letter
    return found[0]


# --- the template --------------------------------------------------------------------------------------------------


def test_plot_template_has_labels_keys_drop_downs_dates_and_diacritics(client, staff, engine):
    sheet = _workbook(_template(client, staff, "land_plots", park="KCN-VA1")).worksheets[0]
    columns = _columns(sheet)
    assert sheet.cell(1, columns["status"]).value == "Tình trạng / Status"
    assert sheet.cell(1, columns["name_vi"]).value == "Tên tiếng Việt / Vietnamese name"
    assert list(columns)[0] == "uid" and "geom" not in columns and "geometry" not in columns
    grey = {name for name, c in columns.items() if sheet.cell(1, c).fill.fgColor.rgb.endswith("D9D9D9")}
    assert {"uid", "area_ha", "valid_from"} <= grey and not grey & {"status", "name_vi", "land_rent_usd_m2"}
    expected = _db(
        engine,
        "SELECT uid, name_vi, valid_from FROM land_plots WHERE park_uid = 'KCN-VA1' AND valid_to IS NULL ORDER BY uid",
    )
    rows = [
        (
            sheet.cell(r, columns["uid"]).value,
            sheet.cell(r, columns["name_vi"]).value,
            sheet.cell(r, columns["valid_from"]),
        )
        for r in range(3, sheet.max_row + 1)
    ]
    assert [(uid, name) for uid, name, _ in rows] == [(uid, name) for uid, name, _ in expected]
    assert any(
        name and any(ch in name for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ") for _, name, _ in rows
    )
    for (_, _, cell), (_, _, valid_from) in zip(rows, expected, strict=True):
        assert isinstance(cell.value, datetime) and cell.value.date() == valid_from
        assert cell.number_format.lower() == "dd/mm/yyyy"
    status = _validation(sheet, columns["status"])  # words, not codes (written out by hand here)
    assert status.type == "list" and status.formula1 == (
        '"Còn trống / Available,Đã giữ chỗ / Reserved,Đã cho thuê / Leased,Chưa giải phóng mặt bằng / Not yet cleared"'
    )
    landuse = _validation(sheet, columns["landuse_code"])  # a lookup table: listed in the hidden sheet
    lists = sheet.parent["lists"]
    assert lists.sheet_state == "hidden" and landuse.formula1.replace("'", "").startswith("lists!$")
    words = {
        row[0]
        for row in _db(
            engine,
            "SELECT CASE WHEN coalesce(name_en, name_vi) = name_vi THEN name_vi ELSE name_vi || ' / ' || name_en END "
            "FROM landuse_codes",
        )
    }
    letter = landuse.formula1.split("!$")[1].split("$")[0]
    listed = {lists[f"{letter}{r}"].value for r in range(2, lists.max_row + 1)} - {None}
    assert listed == words


def test_parcel_template_is_keyed_by_project_map_sheet_and_parcel_number(client, staff, engine):
    sheet = _workbook(_template(client, staff, "clearance_parcels", project="PRJ-VHVA")).worksheets[0]
    columns = _columns(sheet)
    assert list(columns)[:3] == ["project_uid", "map_sheet", "parcel_no"]
    assert "project_id" not in columns and "stage" in columns  # stage: computed, shown read-only
    keys = sorted(
        (sheet.cell(r, 1).value, str(sheet.cell(r, 2).value), str(sheet.cell(r, 3).value))
        for r in range(3, sheet.max_row + 1)
    )
    expected = _db(
        engine,
        "SELECT p.uid, c.map_sheet, c.parcel_no FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = 'PRJ-VHVA'",
    )
    assert keys == sorted(tuple(r) for r in expected) and len(keys) > 10
    handed = _db(
        engine,
        "SELECT c.map_sheet, c.parcel_no, c.handed_over_on FROM clearance_parcels c JOIN projects p "
        "ON p.id = c.project_id WHERE p.uid = 'PRJ-VHVA' AND c.handed_over_on IS NOT NULL",
    )
    assert handed
    by_key = {(str(sheet.cell(r, 2).value), str(sheet.cell(r, 3).value)): r for r in range(3, sheet.max_row + 1)}
    for map_sheet, parcel_no, day in handed:
        cell = sheet.cell(by_key[(map_sheet, parcel_no)], columns["handed_over_on"])
        assert cell.value.date() == day and cell.number_format.lower() == "dd/mm/yyyy"


def test_template_access_filters_and_row_cap(client, staff, engine, monkeypatch):
    assert _template(client, staff, "projects", "anonymous").status_code == 401
    assert _template(client, staff, "clearance_parcels", "anonymous").status_code == 401
    assert _template(client, staff, "projects", "viewer").status_code == 403
    assert _template(client, staff, "projects", "admin").status_code == 200
    wrong = _template(client, staff, "projects", park="KCN-VA1")
    assert wrong.status_code == 400 and "applies to land_plots, enterprise_figures only" in wrong.json()["description"]
    assert _template(client, staff, "decisions").status_code == 400  # no uid to key a sheet by
    assert _template(client, staff, "clearance_parcels", project="PRJ\x00").status_code == 400
    sql = "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.uid = 'PRJ-VHVA'"
    one_project = _db(engine, sql)[0][0]
    assert _db(engine, "SELECT count(*) FROM clearance_parcels")[0][0] > one_project
    monkeypatch.setattr("layers.update_sheet.TEMPLATE_ROW_CAP", one_project)
    capped = _template(client, staff, "clearance_parcels")
    assert capped.status_code == 400 and "project=<uid>" in capped.json()["description"]
    assert _template(client, staff, "clearance_parcels", project="PRJ-VHVA").status_code == 200


def _parcel_keys(sheet) -> list[tuple[str, str, str]]:
    return sorted(
        (sheet.cell(r, 1).value, str(sheet.cell(r, 2).value), str(sheet.cell(r, 3).value))
        for r in range(3, sheet.max_row + 1)
    )


PARCELS_SQL = (
    "SELECT p.uid, c.map_sheet, c.parcel_no FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
    "WHERE (CAST(:project AS text) IS NULL OR p.uid = :project) AND c.map_sheet = ANY(:sheets)"
)


def test_map_sheet_narrows_a_parcel_template_exactly(client, staff, engine):
    sheets = [r[0] for r in _db(engine, "SELECT DISTINCT map_sheet FROM clearance_parcels ORDER BY 1")]
    assert len(sheets) >= 3
    one = _workbook(_template(client, staff, "clearance_parcels", project="PRJ-VHVA", map_sheet=sheets[0]))
    expected = _db(engine, PARCELS_SQL, project="PRJ-VHVA", sheets=[sheets[0]])
    assert _parcel_keys(one.worksheets[0]) == sorted(tuple(r) for r in expected)
    two = _template(client, staff, "clearance_parcels", map_sheet=f" {sheets[0]} , {sheets[1]},{sheets[0]}")
    expected = _db(engine, PARCELS_SQL, project=None, sheets=sheets[:2])
    assert _parcel_keys(_workbook(two).worksheets[0]) == sorted(tuple(r) for r in expected) and expected
    everything = _db(engine, "SELECT count(*) FROM clearance_parcels")[0][0]
    assert len(expected) < everything
    none = _workbook(_template(client, staff, "clearance_parcels", project="PRJ-VHVA", map_sheet="no-such"))
    assert none.worksheets[0].max_row == 2  # labels and field names only


def test_an_over_cap_refusal_names_the_project_and_suggests_its_sheets(client, staff, engine, monkeypatch):
    counts = _db(
        engine,
        "SELECT c.map_sheet, count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = 'PRJ-VHVA' GROUP BY 1 ORDER BY 1",
    )
    assert len(counts) >= 2
    total = sum(n for _, n in counts)
    monkeypatch.setattr("layers.update_sheet.TEMPLATE_ROW_CAP", total - 1)
    refused = _template(client, staff, "clearance_parcels", project="PRJ-VHVA")
    assert refused.status_code == 400
    message = refused.json()["description"]
    assert f"project PRJ-VHVA has {total:,} parcels, over the {total - 1:,} a sheet holds" in message
    assert "map_sheet=" in message
    for sheet, n in counts:
        assert f"{sheet} ({n:,})" in message
    smallest = min(counts, key=lambda c: c[1])
    fits = _template(client, staff, "clearance_parcels", project="PRJ-VHVA", map_sheet=smallest[0])
    assert fits.status_code == 200
    monkeypatch.setattr("layers.update_sheet.TEMPLATE_ROW_CAP", smallest[1] - 1)
    still = _template(client, staff, "clearance_parcels", project="PRJ-VHVA", map_sheet=smallest[0])
    assert still.status_code == 400
    assert f"project PRJ-VHVA with map sheet {smallest[0]} has {smallest[1]:,} parcels" in still.json()["description"]


def test_bad_map_sheet_values_are_refused(client, staff):
    for bad in ("12,,13", ",", "x" * 17, "12\x00", ",".join(str(n) for n in range(101))):
        answer = _template(client, staff, "clearance_parcels", project="PRJ-VHVA", map_sheet=bad)
        assert answer.status_code == 400, bad
        assert "map_sheet" in answer.json()["description"]
    wrong = _template(client, staff, "land_plots", park="KCN-VA1", map_sheet="21")
    assert wrong.status_code == 400 and "clearance_parcels" in wrong.json()["description"]


def test_an_unchanged_sheet_changes_nothing_and_dates_may_be_typed_dd_mm_yyyy(client, staff, engine):
    workbook = _workbook(_template(client, staff, "clearance_parcels", project="PRJ-VHVA"))
    sheet = workbook.worksheets[0]
    columns = _columns(sheet)
    same = _upload(client, staff["editor"], "clearance_parcels", _bytes(workbook), dry_run="true")
    assert same.status_code == 200, same.text
    assert same.json()["counts"]["rows_changed"] == 0 and same.json()["errors"] == []
    assert same.json()["counts"]["rows_read"] == sheet.max_row - 2
    row = next(  # a parcel with its notice, before the day typed, and no inventory yet
        r
        for r in range(3, sheet.max_row + 1)
        if sheet.cell(r, columns["inventoried_on"]).value is None
        and sheet.cell(r, columns["notice_issued_on"]).value is not None
        and sheet.cell(r, columns["notice_issued_on"]).value < datetime(2026, 3, 5)
    )
    sheet.cell(row, columns["inventoried_on"]).value = "05/03/2026"  # typed as text, day first
    sheet.cell(row, columns["owner_name"]).value = "Nguyễn Thị Hằng"
    preview = _upload(client, staff["editor"], "clearance_parcels", _bytes(workbook), dry_run="true")
    [change] = preview.json()["changes"]
    key = f"PRJ-VHVA / {sheet.cell(row, 2).value} / {sheet.cell(row, 3).value}"
    assert change["key"] == key and change["row"] == row
    new = {f["field"]: f["new"] for f in change["fields"]}
    assert new == {"inventoried_on": "2026-03-05", "owner_name": "Nguyễn Thị Hằng"}


def test_a_row_handing_over_a_parcel_without_the_earlier_dates_writes_nothing(client, staff, engine, edits):
    workbook = _workbook(_template(client, staff, "clearance_parcels", project="PRJ-VHVA"))
    sheet = workbook.worksheets[0]
    columns = _columns(sheet)
    [(sheet_no, parcel_no)] = _db(
        engine,
        "SELECT c.map_sheet, c.parcel_no FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = 'PRJ-VHVA' AND c.notice_issued_on IS NOT NULL AND c.inventoried_on IS NULL "
        "ORDER BY c.id LIMIT 1",
    )
    cells = [
        (r, str(sheet.cell(r, columns["map_sheet"]).value), str(sheet.cell(r, columns["parcel_no"]).value))
        for r in range(3, sheet.max_row + 1)
    ]
    [bad] = [r for r, s, n in cells if (s, n) == (sheet_no, parcel_no)]
    good = next(r for r, _, _ in cells if r != bad)
    sheet.cell(bad, columns["handed_over_on"]).value = "30/11/2026"
    sheet.cell(good, columns["owner_name"]).value = "Trần Văn Đức (bảng thử)"  # a good row: not written either
    stored = "SELECT id, owner_name, handed_over_on, xmin::text FROM clearance_parcels ORDER BY id"
    before, audits = _db(engine, stored), _audit_count(engine)
    for dry_run in ("true", "false"):
        response = _upload(client, staff["editor"], "clearance_parcels", _bytes(workbook), dry_run=dry_run)
        assert response.status_code == 422, response.text
        said = response.json()["description"]
        assert f"row {bad} (PRJ-VHVA / {sheet_no} / {parcel_no})" in said
        assert "Đã bàn giao mặt bằng / Handed over" in said and "Đã chi trả / Compensation paid" in said
        assert _db(engine, stored) == before and _audit_count(engine) == audits


def test_text_that_looks_like_a_formula_stays_text(client, staff, engine, edits):
    formula = '=HYPERLINK("http://example.invalid","Cảng")'
    node = _node("TEST-SHEET-CÔNG-THỨC", formula)
    created = client.post(
        "/collections/transport_nodes/items", content=json.dumps(node), headers={**GEOJSON, **staff["editor"]}
    )
    assert created.status_code == 201, created.text
    workbook = _workbook(_template(client, staff, "transport_nodes"))
    sheet = workbook.worksheets[0]
    cell = sheet.cell(_row_of(sheet, "TEST-SHEET-CÔNG-THỨC"), _columns(sheet)["name_vi"])
    assert cell.data_type == "s" and cell.value == formula
    same = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook), dry_run="true")
    assert same.json()["counts"]["rows_changed"] == 0, same.text


# --- uploads ---------------------------------------------------------------------------------------------------


def _node_sheet(client, staff):
    workbook = _workbook(_template(client, staff, "transport_nodes"))
    return workbook, workbook.worksheets[0], _columns(workbook.worksheets[0])


def _stored_nodes(engine):
    return _db(engine, "SELECT uid, name_vi, status, capacity_note FROM transport_nodes ORDER BY uid")


def _audit_count(engine) -> int:
    return _db(engine, "SELECT count(*) FROM audit_log")[0][0]


def test_dry_run_previews_the_changes_and_writes_nothing(client, staff, engine, nodes):
    workbook, sheet, columns = _node_sheet(client, staff)
    row = _row_of(sheet, "TEST-SHEET-CANG-1")
    sheet.cell(row, columns["name_vi"]).value = "Cảng Sơn Dương (mở rộng)"
    sheet.cell(row, columns["status"]).value = "operating"
    before, audits = _stored_nodes(engine), _audit_count(engine)
    response = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook), dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True and report["applied"] is False and report["errors"] == []
    total = _db(engine, "SELECT count(*) FROM transport_nodes")[0][0]
    counts = {"rows_read": total, "rows_changed": 1, "rows_new": 0, "rows_unchanged": total - 1, "errors": 0}
    assert report["counts"] == counts
    [change] = report["changes"]
    assert (
        change["row"] == row and change["key"] == "TEST-SHEET-CANG-1" and change["name"] == NODES["TEST-SHEET-CANG-1"]
    )
    assert sorted((f["field"], f["old"], f["new"]) for f in change["fields"]) == [
        ("name_vi", "Cảng thử nghiệm Sơn Dương", "Cảng Sơn Dương (mở rộng)"),
        ("status", "planned", "operating"),
    ]
    assert {f["label_vi"] for f in change["fields"]} == {"Tên tiếng Việt", "Tình trạng"}
    assert _stored_nodes(engine) == before and _audit_count(engine) == audits


def test_one_bad_row_writes_nothing_then_the_fixed_sheet_is_applied_and_audited(client, staff, engine, nodes):
    workbook, sheet, columns = _node_sheet(client, staff)
    one, two = _row_of(sheet, "TEST-SHEET-CANG-1"), _row_of(sheet, "TEST-SHEET-CANG-2")
    sheet.cell(one, columns["capacity_note"]).value = "50.000 DWT, bến số 3"
    sheet.cell(two, columns["status"]).value = "đang chạy"  # not an allowed value
    sheet.cell(two, columns["name_vi"]).value = None  # required: cannot be cleared
    extra = sheet.max_row + 1
    sheet.cell(extra, columns["uid"]).value = "TEST-SHEET-KHÔNG-CÓ"  # no such feature: the sheet creates none
    sheet.cell(extra + 1, columns["uid"]).value = "TEST-SHEET-CANG-1"  # the same feature twice
    before, audits = _stored_nodes(engine), _audit_count(engine)
    response = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook))
    assert response.status_code == 422, response.text
    assert "nothing was written" in response.json()["description"]
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["report"]["errors"]}
    assert set(errors) == {(two, "status"), (two, "name_vi"), (extra, "uid"), (extra + 1, "uid")}
    assert "not an allowed value" in errors[(two, "status")] and "Đang hoạt động / Operating" in errors[(two, "status")]
    assert "cannot be cleared" in errors[(two, "name_vi")]
    assert "import a file" in errors[(extra, "uid")] and f"row {one}" in errors[(extra + 1, "uid")]
    assert _stored_nodes(engine) == before and _audit_count(engine) == audits

    sheet.delete_rows(extra, 2)
    sheet.cell(two, columns["status"]).value = FacilityStatus.under_construction.value
    sheet.cell(two, columns["name_vi"]).value = NODES["TEST-SHEET-CANG-2"]
    response = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook))
    assert response.status_code == 200, response.text
    assert response.json()["applied"] is True and response.json()["counts"]["rows_changed"] == 2
    stored = {uid: rest for uid, *rest in _stored_nodes(engine) if uid in NODES}
    assert stored == {
        "TEST-SHEET-CANG-1": [NODES["TEST-SHEET-CANG-1"], "planned", "50.000 DWT, bến số 3"],
        "TEST-SHEET-CANG-2": [NODES["TEST-SHEET-CANG-2"], "under_construction", None],
    }
    audited = _db(
        engine,
        "SELECT feature_uid, username, action, decision_id, request_id FROM audit_log WHERE id > "
        "(SELECT max(id) - 2 FROM audit_log) ORDER BY feature_uid",
    )
    assert [a[:4] for a in audited] == [
        ("TEST-SHEET-CANG-1", "test_editor", "update", None),
        ("TEST-SHEET-CANG-2", "test_editor", "update", None),
    ]
    assert audited[0].request_id and audited[0].request_id == audited[1].request_id  # one request, one transaction
    assert _audit_count(engine) == audits + 2


def test_a_versioned_plot_changes_under_a_decision_that_closes_its_version(client, staff, engine, edits):
    make_decision(engine, "01/2020/QĐ-BQL-SHEET", "2020-01-01")
    later = "05/2026/QĐ-BQL-BẢNG"
    later_id = make_decision(engine, later, "2026-05-01")
    created = client.post(
        "/collections/land_plots/items",
        content=json.dumps(plot({"uid": "TEST-SHEET-LO-1"}, decision="01/2020/QĐ-BQL-SHEET")),
        headers={**GEOJSON, **staff["editor"]},
    )
    assert created.status_code == 201, created.text
    old_id = created.json()["id"]
    workbook = _workbook(_template(client, staff, "land_plots", park="KCN-VA1"))
    sheet = workbook.worksheets[0]
    columns = _columns(sheet)
    sheet.cell(_row_of(sheet, "TEST-SHEET-LO-1"), columns["status"]).value = "leased"
    content = _bytes(workbook)
    refused = _upload(client, staff["editor"], "land_plots", content)
    assert refused.status_code == 422 and "versioned" in refused.json()["description"]
    unknown = _upload(client, staff["editor"], "land_plots", content, decision="9/2099/QĐ-KHÔNG-CÓ")
    assert unknown.status_code == 422
    applied = _upload(client, staff["editor"], "land_plots", content, decision=later)
    assert applied.status_code == 200, applied.text
    assert applied.json()["decision"] == {"id": later_id, "number": later}
    assert applied.json()["counts"]["rows_changed"] == 1  # the demo plots read back unchanged: no new versions
    [status] = applied.json()["changes"][0]["fields"]
    assert (status["old_label"], status["new_label"]) == ("Còn trống / Available", "Đã cho thuê / Leased")
    versions = _db(
        engine,
        "SELECT id, status, valid_from, valid_to, decision_id FROM land_plots "
        "WHERE uid = 'TEST-SHEET-LO-1' ORDER BY id",
    )
    assert [tuple(v)[1:] for v in versions] == [
        ("available", date(2020, 1, 1), date(2026, 5, 1), versions[0].decision_id),
        ("leased", date(2026, 5, 1), None, later_id),
    ]
    assert versions[0].id == old_id and applied.json()["changes"][0]["feature_id"] == versions[1].id
    [audit] = _db(
        engine, "SELECT username, decision_id FROM audit_log WHERE layer_id = 'land_plots' ORDER BY id DESC LIMIT 1"
    )
    assert tuple(audit) == ("test_editor", later_id)


def test_roles_and_province_scopes(client, staff, engine, scoped, nodes):
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.cell(_row_of(sheet, "TEST-SHEET-CANG-1"), columns["status"]).value = "operating"
    content = _bytes(workbook)
    assert _upload(client, {}, "transport_nodes", content).status_code == 401
    assert _upload(client, staff["viewer"], "transport_nodes", content).status_code == 403
    before = _stored_nodes(engine)
    for dry_run in ("true", "false"):
        refused = _upload(client, scoped[("editor", "NINH_BINH")], "transport_nodes", content, dry_run=dry_run)
        assert refused.status_code == 403, refused.text
        assert "may change data in Ninh Bình only" in refused.json()["description"]
    assert _upload(client, scoped[("editor", "HA_TINH")], "transport_nodes", content).status_code == 200
    after = {uid: status for uid, _, status, _ in _stored_nodes(engine)}
    assert after["TEST-SHEET-CANG-1"] == "operating"
    assert [r for r in before if r[0] != "TEST-SHEET-CANG-1"] == [
        r for r in _stored_nodes(engine) if r[0] != "TEST-SHEET-CANG-1"
    ]


def test_files_that_are_not_a_filled_in_template_are_refused(client, staff, engine, nodes, monkeypatch):
    editor = staff["editor"]

    def refused(content: bytes, *words: str) -> None:
        response = _upload(client, editor, "transport_nodes", content)
        assert response.status_code == 400, response.text
        for word in words:
            assert word in response.json()["description"], (word, response.json())

    refused(b"uid,name_vi\nTN-1,x\n", "not an XLSX workbook")
    refused(b"", "empty")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("hello.txt", "xin chào")
    refused(archive.getvalue(), "not an XLSX workbook")
    whole = _bytes(_node_sheet(client, staff)[0])
    refused(whole[: len(whole) // 2], "XLSX")  # cut short
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.cell(2, sheet.max_column + 1).value = "tonnage"
    refused(_bytes(workbook), "column", "tonnage")
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.cell(3, sheet.max_column + 2).value = "stray"
    refused(_bytes(workbook), f"{sheet.cell(3, sheet.max_column).column_letter}3")
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.delete_rows(3, sheet.max_row)
    refused(_bytes(workbook), "no rows")
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.delete_cols(columns["uid"])
    refused(_bytes(workbook), "key column uid")
    workbook, sheet, columns = _node_sheet(client, staff)
    sheet.cell(_row_of(sheet, "TEST-SHEET-CANG-1"), columns["status"]).value = 7  # a number for a vocabulary
    wrong = _upload(client, editor, "transport_nodes", _bytes(workbook), dry_run="true")
    assert wrong.status_code == 200 and [e["field"] for e in wrong.json()["errors"]] == ["status"]
    assert _upload(client, editor, "transport_nodes", _bytes(workbook), dry_run="maybe").status_code == 400
    monkeypatch.setattr(client.app.state.settings, "import_max_bytes", 1_000)
    refused(_bytes(workbook), "over the import limit")


def test_template_cells_show_words_and_words_or_codes_read_back_to_the_same_codes(client, staff, engine, nodes):
    workbook, sheet, columns = _node_sheet(client, staff)
    one, two = _row_of(sheet, "TEST-SHEET-CANG-1"), _row_of(sheet, "TEST-SHEET-CANG-2")
    assert sheet.cell(one, columns["status"]).value == "Trong quy hoạch được duyệt / In the approved plan"
    assert sheet.cell(one, columns["kind"]).value == "Cảng biển / Seaport"
    [province] = _db(
        engine, "SELECT name_vi || ' / ' || name_en FROM admin_units WHERE code = 'HA_TINH' AND valid_to IS NULL"
    )
    assert sheet.cell(one, columns["province_code"]).value == province[0]
    unchanged = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook), dry_run="true")
    assert unchanged.status_code == 200 and unchanged.json()["counts"]["rows_changed"] == 0, unchanged.text

    def planned(cells: dict[int, str]) -> list[tuple]:
        for row, value in cells.items():
            sheet.cell(row, columns["status"]).value = value
        report = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook), dry_run="true").json()
        assert report["errors"] == [], report
        return sorted((c["key"], f["old"], f["new"], f["new_label"]) for c in report["changes"] for f in c["fields"])

    expected = [
        ("TEST-SHEET-CANG-1", "planned", "operating", "Đang hoạt động / Operating"),
        ("TEST-SHEET-CANG-2", "planned", "under_construction", "Đang xây dựng / Under construction"),
    ]
    assert planned({one: "Đang hoạt động / Operating", two: "Đang xây dựng / Under construction"}) == expected
    assert planned({one: "operating", two: "under_construction"}) == expected  # codes still read
    assert planned({one: " đang HOẠT động ", two: "Under construction"}) == expected  # either language, any case
    applied = _upload(client, staff["editor"], "transport_nodes", _bytes(workbook))
    assert applied.status_code == 200, applied.text
    stored = _db(engine, "SELECT uid, status FROM transport_nodes WHERE uid LIKE 'TEST-SHEET-CANG-%' ORDER BY uid")
    assert [tuple(r) for r in stored] == [
        ("TEST-SHEET-CANG-1", "operating"),
        ("TEST-SHEET-CANG-2", "under_construction"),
    ]
