"""Spreadsheets keyed by a natural key, not a uid: enterprise figures (project + year + period + basis), targets
(scope + uid + year) and rent per year — template with a year's blank rows, new rows inserted, bad rows refused
with nothing written, every value compared with plain SQL."""

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import text

from tests import scopes

scoped = scopes.scoped
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURE_KEY = ["project_uid", "year", "period_kind", "period", "basis"]
PLAN = "Kế hoạch năm 2031 của Ban Quản lý các KCN tỉnh Ninh Bình"
SOURCE = "Báo cáo của doanh nghiệp gửi Ban Quản lý, quý 1/2026 — số ước"


def _db(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _template(client, headers, layer: str, **params):
    response = client.get(f"/api/updates/{layer}/template.xlsx", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook, workbook.active


def _columns(sheet) -> dict[str, int]:
    return {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}


def _rows(sheet, columns, key: list[str]) -> dict[tuple, int]:
    """Row number of each key, the cells as the sheet holds them."""
    return {tuple(sheet.cell(r, columns[k]).value for k in key): r for r in range(3, sheet.max_row + 1)}


def _upload(client, headers, layer: str, workbook, **params):
    out = io.BytesIO()
    workbook.save(out)
    files = {"file": ("so_lieu_doanh_nghiep.xlsx", out.getvalue(), XLSX)}
    return client.post(f"/api/updates/{layer}", params=params, headers=headers, files=files)


def _figures(engine) -> list[tuple]:
    return _db(engine, "SELECT * FROM enterprise_figures ORDER BY id")


def test_figures_template_lists_a_years_rows_and_offers_a_blank_row_per_operating_project(client, staff, engine):
    stored = _db(
        engine,
        "SELECT p.uid, f.period_kind, f.period, f.basis, f.revenue_vnd FROM enterprise_figures f "
        "JOIN projects p ON p.id = f.project_id WHERE f.year = 2025 AND p.province_code = 'NINH_BINH'",
    )
    assert stored  # the demo has 2025 estimates for Ninh Bình's projects
    workbook, sheet = _template(client, staff["editor"], "enterprise_figures", year="2025", province="NINH_BINH")
    columns = _columns(sheet)
    assert list(columns)[:5] == FIGURE_KEY and "project_name" in columns and "project_id" not in columns
    assert sheet.cell(1, columns["basis"]).value == "Số ước / chính thức / Estimate or final"
    assert sheet.cell(1, columns["revenue_vnd"]).value == "Doanh thu (đồng) / Revenue (VND)"
    rows = _rows(sheet, columns, FIGURE_KEY)
    words = {"estimate": "Số ước / Estimate", "final": "Số chính thức / Final", "year": "Năm / Year"}
    words["quarter"] = "Quý / Quarter"  # the demo splits 2023-2025 into quarters too
    expected = {(uid, 2025, words[kind], period, words[basis]) for uid, kind, period, basis, _ in stored}
    unreported = _db(
        engine,
        "SELECT uid FROM projects p WHERE status = 'operating' AND province_code = 'NINH_BINH' "
        "AND NOT EXISTS (SELECT 1 FROM enterprise_figures f WHERE f.project_id = p.id AND f.year = 2025)",
    )  # e.g. the Thành Công plant, named by the sources without figures: offered a blank row
    expected |= {(uid, 2025, "Năm / Year", 0, "Số ước / Estimate") for (uid,) in unreported}
    assert set(rows) == expected  # every stored row once, codes in words, and a blank row per unreported project
    for uid, kind, period, basis, revenue in stored:
        row = rows[(uid, 2025, words[kind], period, words[basis])]
        assert Decimal(sheet.cell(row, columns["revenue_vnd"]).value) == revenue
    # the key columns are typed by people (a new key adds a row): blue, not grey; the estimate flag is a drop-down
    assert sheet.cell(1, columns["basis"]).fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.cell(1, columns["project_name"]).fill.fgColor.rgb.endswith("D9D9D9")
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"Số ước / Estimate,Số chính thức / Final"' in formulas
    assert '"Năm / Year,Quý / Quarter,Tháng / Month"' in formulas

    operating = _db(
        engine,
        "SELECT uid, name_vi FROM projects p WHERE status = 'operating' AND province_code = 'NINH_BINH' "
        "AND NOT EXISTS (SELECT 1 FROM enterprise_figures f WHERE f.project_id = p.id AND f.year = 2026)",
    )
    assert operating
    _, blank = _template(client, staff["editor"], "enterprise_figures", year="2026", province="NINH_BINH")
    blank_columns = _columns(blank)
    offered = _rows(blank, blank_columns, FIGURE_KEY)
    assert set(offered) == {(uid, 2026, "Năm / Year", 0, "Số ước / Estimate") for uid, _ in operating}
    for uid, name in operating:
        row = offered[(uid, 2026, "Năm / Year", 0, "Số ước / Estimate")]
        assert blank.cell(row, blank_columns["project_name"]).value == name  # Vietnamese name intact
        assert blank.cell(row, blank_columns["revenue_vnd"]).value is None


def test_a_sheet_adds_new_periods_updates_stored_ones_and_is_audited(client, staff, engine, edits):
    workbook, sheet = _template(client, staff["editor"], "enterprise_figures", year="2026", province="NINH_BINH")
    columns = _columns(sheet)
    rows = _rows(sheet, columns, FIGURE_KEY)
    (uid, *_), row = next(iter(rows.items()))
    sheet.cell(row, columns["revenue_vnd"]).value = 12_345_000_000
    sheet.cell(row, columns["workers_domestic"]).value = 410
    sheet.cell(row, columns["source"]).value = SOURCE
    # a quarter typed by hand below the template's rows: the words or the codes, either language
    extra = sheet.max_row + 1
    for name, value in zip(FIGURE_KEY, [uid, 2026, "Quý", 1, "final"], strict=True):
        sheet.cell(extra, columns[name]).value = value
    sheet.cell(extra, columns["exports_usd"]).value = 1_250_000.5
    # and one existing 2025 row changed: its row copied from the 2025 template, one cell changed
    [(figure_id, old_revenue)] = _db(
        engine,
        "SELECT f.id, f.revenue_vnd FROM enterprise_figures f JOIN projects p ON p.id = f.project_id "
        "WHERE p.uid = :u AND f.year = 2025 AND f.period_kind = 'year' AND f.basis = 'estimate'",
        u=uid,
    )
    _, earlier = _template(client, staff["editor"], "enterprise_figures", year="2025", project=uid)
    assert _columns(earlier) == columns
    yearly = _rows(earlier, columns, FIGURE_KEY)[(uid, 2025, "Năm / Year", 0, "Số ước / Estimate")]
    again = sheet.max_row + 1
    for column in columns.values():
        sheet.cell(again, column).value = earlier.cell(yearly, column).value
    sheet.cell(again, columns["revenue_vnd"]).value = int(old_revenue) + 1_000_000
    before, audits = _figures(engine), scopes.audit_count(engine)

    preview = _upload(client, staff["editor"], "enterprise_figures", workbook, dry_run="true")
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["errors"] == [] and report["counts"]["rows_new"] == 2 and report["counts"]["rows_changed"] == 3
    new = [c for c in report["changes"] if c["action"] == "create"]
    assert {c["row"] for c in new} == {row, extra} and all(c["feature_id"] is None for c in new)
    quarter = next(c for c in new if c["row"] == extra)
    assert quarter["key"] == f"{uid} / 2026 / Quý / 1 / Số chính thức"  # the key in words, not codes
    basis_change = next(f for f in quarter["fields"] if f["field"] == "basis")
    assert basis_change["new_label"] == "Số chính thức / Final"
    [update] = [c for c in report["changes"] if c["action"] == "update"]
    assert update["feature_id"] == figure_id and update["fields"][0]["old"] == int(old_revenue)
    assert _figures(engine) == before and scopes.audit_count(engine) == audits  # a preview writes nothing

    try:
        applied = _upload(client, staff["editor"], "enterprise_figures", workbook)
        _check_applied(engine, applied, uid, figure_id, old_revenue)
    finally:  # the demo figure as it was (the new rows are removed by `edits`)
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE enterprise_figures SET revenue_vnd = :r WHERE id = :i"), {"r": old_revenue, "i": figure_id}
            )


def _check_applied(engine, applied, uid: str, figure_id: int, old_revenue) -> None:
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"] is True
    created = _db(
        engine,
        "SELECT f.period_kind, f.period, f.basis, f.revenue_vnd, f.exports_usd, f.workers_domestic, f.source, "
        "f.public FROM enterprise_figures f JOIN projects p ON p.id = f.project_id WHERE p.uid = :u AND f.year = 2026 "
        "ORDER BY f.period_kind DESC",
        u=uid,
    )
    assert created == [
        ("year", 0, "estimate", Decimal(12_345_000_000), None, 410, SOURCE, False),  # internal unless marked public
        ("quarter", 1, "final", None, Decimal("1250000.50"), None, None, False),
    ]
    [(revenue,)] = _db(engine, "SELECT revenue_vnd FROM enterprise_figures WHERE id = :i", i=figure_id)
    assert revenue == old_revenue + 1_000_000
    logged = _db(
        engine,
        "SELECT action, after->>'source' FROM audit_log WHERE layer_id = 'enterprise_figures' AND id > "
        "(SELECT max(id) - 3 FROM audit_log) ORDER BY id",
    )
    assert sorted(a for a, _ in logged) == ["create", "create", "update"]
    assert (  # the created rows' ids are answered, as now stored
        {c["feature_id"] for c in applied.json()["changes"] if c["action"] == "create"}
        == {i for (i,) in _db(engine, "SELECT f.id FROM enterprise_figures f JOIN projects p ON p.id = "
                                      "f.project_id WHERE p.uid = :u AND f.year = 2026", u=uid)}
    )  # fmt: skip
    assert SOURCE in [s for _, s in logged]


def test_bad_rows_are_named_and_nothing_is_written(client, staff, engine, edits):
    workbook, sheet = _template(client, staff["editor"], "enterprise_figures", year="2026", province="NINH_BINH")
    columns = _columns(sheet)
    rows = list(_rows(sheet, columns, FIGURE_KEY).values())
    good = rows[0]
    sheet.cell(good, columns["revenue_vnd"]).value = 5_000_000_000  # a good new row: not written either
    line = sheet.max_row + 1
    for name, value in zip(FIGURE_KEY, ["PRJ-KHÔNG-CÓ", 2026, "Năm", 0, "Số ước"], strict=True):
        sheet.cell(line, columns[name]).value = value
    sheet.cell(line, columns["revenue_vnd"]).value = 1
    for name, value in zip(FIGURE_KEY, [sheet.cell(good, 1).value, 2026, "Năm", 0, "ước chừng"], strict=True):
        sheet.cell(line + 1, columns[name]).value = value
    sheet.cell(line + 1, columns["revenue_vnd"]).value = 2
    for name, value in zip(FIGURE_KEY, [sheet.cell(good, 1).value, 2026, "Quý", 2, "Số ước"], strict=True):
        sheet.cell(line + 2, columns[name]).value = value
    sheet.cell(line + 2, columns["new_jobs"]).value = "nhiều"  # not a number
    before, audits = _figures(engine), scopes.audit_count(engine)

    refused = _upload(client, staff["editor"], "enterprise_figures", workbook)
    assert refused.status_code == 422, refused.text
    assert "nothing was written" in refused.json()["description"]
    errors = {e["row"]: e for e in refused.json()["report"]["errors"]}
    assert set(errors) == {line, line + 1, line + 2}
    assert "no project 'PRJ-KHÔNG-CÓ'" in errors[line]["message"]
    assert "'ước chừng' is not an allowed value" in errors[line + 1]["message"]
    assert "Số ước / Estimate" in errors[line + 1]["message"]  # the choices, in words
    assert errors[line + 2]["field"] == "new_jobs"
    assert _figures(engine) == before and scopes.audit_count(engine) == audits

    # a period that does not fit its kind: refused by the table's rule, said as a sentence; nothing written
    workbook, sheet = _template(client, staff["editor"], "enterprise_figures", year="2026", province="NINH_BINH")
    columns = _columns(sheet)
    line = sheet.max_row + 1
    for name, value in zip(FIGURE_KEY, [sheet.cell(3, 1).value, 2026, "Quý", 5, "Số ước"], strict=True):
        sheet.cell(line, columns[name]).value = value
    sheet.cell(line, columns["revenue_vnd"]).value = 3
    wrong = _upload(client, staff["editor"], "enterprise_figures", workbook, dry_run="true")
    assert wrong.status_code == 422, wrong.text
    assert f"row {line}" in wrong.json()["description"] and "a quarter's 1 to 4" in wrong.json()["description"]
    assert _figures(engine) == before and scopes.audit_count(engine) == audits


def test_a_province_scoped_editor_adds_figures_of_its_own_province_only(client, engine, edits, scoped):
    ha_tinh = scoped[("editor", "HA_TINH")]
    workbook, sheet = _template(client, ha_tinh, "enterprise_figures", year="2026", province="NINH_BINH")
    columns = _columns(sheet)
    sheet.cell(3, columns["revenue_vnd"]).value = 7
    before = _figures(engine)
    refused = _upload(client, ha_tinh, "enterprise_figures", workbook)
    assert refused.status_code == 403, refused.text
    assert "Ninh Bình" in refused.json()["description"]
    assert _figures(engine) == before


def test_targets_for_a_new_year_per_province_zone_and_park(client, staff, engine, edits):
    scopes_without = _db(
        engine,
        "SELECT 'park', uid FROM industrial_parks WHERE valid_to IS NULL UNION "
        "SELECT 'zone', uid FROM economic_zones WHERE valid_to IS NULL UNION "
        "SELECT 'province', province_code FROM industrial_parks WHERE valid_to IS NULL UNION "
        "SELECT 'province', province_code FROM economic_zones WHERE valid_to IS NULL",
    )
    workbook, sheet = _template(client, staff["editor"], "enterprise_targets", year="2031")
    columns = _columns(sheet)
    assert list(columns)[:3] == ["scope", "scope_uid", "year"]
    words = {
        "park": "Khu công nghiệp / Industrial park",
        "zone": "Khu kinh tế / Economic zone",
        "province": "Tỉnh / Province",
    }
    rows = _rows(sheet, columns, ["scope", "scope_uid", "year"])
    assert set(rows) == {(words[s], uid, 2031) for s, uid in scopes_without if uid}
    row = rows[(words["province"], "NINH_BINH", 2031)]
    sheet.cell(row, columns["revenue_vnd"]).value = 80_000_000_000_000
    sheet.cell(row, columns["new_jobs"]).value = 3_000
    sheet.cell(row, columns["source"]).value = PLAN
    line = sheet.max_row + 1
    for name, value in zip(["scope", "scope_uid", "year"], ["Khu công nghiệp", "KCN-KHÔNG-CÓ", 2031], strict=True):
        sheet.cell(line, columns[name]).value = value
    sheet.cell(line, columns["new_jobs"]).value = 1
    before = _db(engine, "SELECT * FROM enterprise_targets ORDER BY id")
    refused = _upload(client, staff["editor"], "enterprise_targets", workbook)
    assert refused.status_code == 422
    [error] = refused.json()["report"]["errors"]
    assert error["row"] == line and "no industrial park (KCN) 'KCN-KHÔNG-CÓ'" in error["message"]
    assert _db(engine, "SELECT * FROM enterprise_targets ORDER BY id") == before

    sheet.delete_rows(line)
    applied = _upload(client, staff["editor"], "enterprise_targets", workbook)
    assert applied.status_code == 200, applied.text
    assert applied.json()["counts"]["rows_new"] == 1
    stored = _db(
        engine,
        "SELECT revenue_vnd, new_jobs, source, public FROM enterprise_targets WHERE scope = 'province' "
        "AND scope_uid = 'NINH_BINH' AND year = 2031",
    )
    assert stored == [
        (Decimal(80_000_000_000_000), 3_000, "Kế hoạch năm 2031 của Ban Quản lý các KCN tỉnh Ninh Bình", False)
    ]


def test_rent_per_year_new_year_needs_the_amount_due(client, staff, engine, edits):
    renting = _db(
        engine,
        "SELECT DISTINCT p.uid FROM project_rent_terms t JOIN projects p ON p.id = t.project_id "
        "WHERE extract(year FROM t.period_from) <= 2026 AND (t.period_to IS NULL OR extract(year FROM t.period_to) >= "
        "2026) AND NOT EXISTS (SELECT 1 FROM project_rent_amounts a WHERE a.project_id = p.id AND a.year = 2026)",
    )
    assert renting
    workbook, sheet = _template(client, staff["editor"], "project_rent_amounts", year="2026")
    columns = _columns(sheet)
    rows = _rows(sheet, columns, ["project_uid", "year"])
    assert set(rows) == {(uid, 2026) for (uid,) in renting}
    uid = renting[0][0]
    sheet.cell(rows[(uid, 2026)], columns["paid_vnd"]).value = 100  # paid without the amount due
    refused = _upload(client, staff["editor"], "project_rent_amounts", workbook, dry_run="true")
    [error] = refused.json()["errors"]
    assert "needs Số phải nộp (đồng) / Due (VND)" in error["message"]
    sheet.cell(rows[(uid, 2026)], columns["due_vnd"]).value = 900
    applied = _upload(client, staff["editor"], "project_rent_amounts", workbook)
    assert applied.status_code == 200, applied.text
    stored = _db(
        engine,
        "SELECT a.due_vnd, a.paid_vnd FROM project_rent_amounts a JOIN projects p ON p.id = a.project_id "
        "WHERE p.uid = :u AND a.year = 2026",
        u=uid,
    )
    assert stored == [(Decimal(900), Decimal(100))]
