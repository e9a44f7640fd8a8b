"""Enterprise figures entered from the workspace's Spreadsheets tab in headless Chromium: a year's template with a blank
row per operating enterprise, a bad row refused with nothing written, then new rows previewed and added."""

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from tests.browser import BrowserPage
from tests.maps.test_workspace_browser import _sign_in, _sql

EDITOR = "ws_figures_editor"
PARK = "KCN-GIAN-KHAU"  # a Ninh Bình park with operating projects (data/demo/projects.geojson)
SOURCE = "Báo cáo nhanh của doanh nghiệp, năm 2027 — số ước"


def test_an_editor_adds_a_years_figures_from_the_spreadsheet_tab(
    browser_page: BrowserPage, engine, edits, tmp_path: Path
) -> None:
    bp = browser_page
    operating = _sql(
        engine,
        "SELECT uid, name_vi FROM projects p WHERE status = 'operating' AND park_uid = :park AND NOT EXISTS "
        "(SELECT 1 FROM enterprise_figures f WHERE f.project_id = p.id AND f.year = 2027) ORDER BY uid",
        park=PARK,
    )
    assert operating
    [(figures_before,)] = _sql(engine, "SELECT count(*) FROM enterprise_figures")
    _sign_in(bp, EDITOR, "editor", engine)
    bp.page.click(".ws-tabs [data-tab=ws-updates]")
    bp.page.wait_for_selector("#ws-updates:not([hidden])")
    assert "Số liệu doanh nghiệp / Enterprise figures" in bp.page.locator("#wsu-layer option").all_inner_texts()
    assert "Số liệu doanh nghiệp / Enterprise figures" not in bp.page.locator("#wsi-layer option").all_inner_texts()
    bp.page.select_option("#wsu-layer", "enterprise_figures")
    assert bp.page.is_visible("#wsu-year-box") and bp.page.is_hidden("#wsu-decision-box")
    bp.page.fill("#wsu-year", "2027")
    bp.page.wait_for_selector(f"#wsu-filter option[value='{PARK}']", state="attached")
    bp.page.select_option("#wsu-filter", PARK)

    with bp.page.expect_download() as download:
        bp.page.click("#wsu-template")
    template = tmp_path / "figures.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename == f"enterprise_figures-{PARK}-2027.xlsx"
    workbook = load_workbook(template)
    sheet = workbook.active
    columns = {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}
    rows = {sheet.cell(r, columns["project_uid"]).value: r for r in range(3, sheet.max_row + 1)}
    assert set(rows) == {uid for uid, _ in operating}  # one blank row per operating enterprise of the park
    uid, name = operating[0]
    row = rows[uid]
    assert sheet.cell(row, columns["project_name"]).value == name
    assert sheet.cell(row, columns["basis"]).value == "Số ước / Estimate"

    sheet.cell(row, columns["revenue_vnd"]).value = 4_200_000_000_000
    sheet.cell(row, columns["new_jobs"]).value = "một trăm"  # not a number: refused, nothing written
    bad = tmp_path / "so_lieu_sai.xlsx"
    workbook.save(bad)
    bp.page.set_input_files("#wsu-file", str(bad))
    bp.page.wait_for_selector("#wsu-errors tbody tr")
    cells = bp.page.locator("#wsu-errors tbody tr td").all_inner_texts()
    assert cells[0] == str(row) and cells[1] == sheet.cell(2, columns["new_jobs"]).column_letter
    assert bp.page.is_disabled("#wsu-apply")

    sheet.cell(row, columns["new_jobs"]).value = 120
    sheet.cell(row, columns["source"]).value = SOURCE
    good = tmp_path / "so_lieu.xlsx"
    workbook.save(good)
    bp.page.set_input_files("#wsu-file", str(good))
    bp.page.wait_for_selector("#wsu-changes tbody tr")
    assert bp.page.is_hidden("#wsu-errors-box")
    assert "1 dòng mới" in bp.page.inner_text("#wsu-counts")
    table = bp.page.inner_text("#wsu-changes")
    assert "dòng mới / new row" in table and name in table
    assert "Số ước / chính thức / Estimate or final" in table and "(trống / empty) → Số ước / Estimate" in table
    assert "estimate" not in table  # words, never the code
    assert "(trống / empty) → 4.200.000.000.000" in table  # money the Vietnamese way
    assert _sql(engine, "SELECT count(*) FROM enterprise_figures")[0][0] == figures_before  # a preview

    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#wsu-apply")
    bp.page.wait_for_selector("#wsu-status:has-text('Đã áp dụng: 1 dòng thay đổi')")
    stored = _sql(
        engine,
        "SELECT f.period_kind, f.period, f.basis, f.revenue_vnd, f.new_jobs, f.source FROM enterprise_figures f "
        "JOIN projects p ON p.id = f.project_id WHERE p.uid = :u AND f.year = 2027",
        u=uid,
    )
    assert stored == [("year", 0, "estimate", Decimal(4_200_000_000_000), 120, SOURCE)]
    assert _sql(engine, "SELECT count(*) FROM enterprise_figures")[0][0] == figures_before + 1
    bp.screenshot("workspace_figures_applied", "#ws-updates")
    bp.assert_clean()
