"""The workspace's Spreadsheets panel in headless Chromium: template, preview with errors, apply, a geometry import."""

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import text

from tests.api.test_editing import decision
from tests.browser import BrowserPage
from tests.maps.test_workspace_browser import EDITOR, _sign_in, _sql

NUMBER = "WSU-1/2026/QĐ-BQL"
NEW_NAME = "Lô đất công nghiệp thử nghiệm — Vũng Áng Đông"
NODE_UID = "TEST-WSU-CANG"
NODE_NAME = "Cảng thử nghiệm Sơn Dương Ưu Tiên"


def _open_panel(bp: BrowserPage) -> None:
    bp.page.click(".ws-tabs [data-tab=ws-updates]")
    bp.page.wait_for_selector("#ws-updates:not([hidden])")


def _current(engine, uids: list[str]) -> dict[str, tuple]:
    rows = _sql(
        engine,
        "SELECT p.uid, p.status, p.name_vi, d.number FROM land_plots p LEFT JOIN decisions d ON d.id = p.decision_id "
        "WHERE p.uid = ANY(:u) AND p.valid_to IS NULL",
        u=uids,
    )
    return {r.uid: (r.status, r.name_vi, r.number) for r in rows}


def _upload(bp: BrowserPage, path: Path) -> None:
    bp.page.set_input_files("#wsu-file", str(path))
    bp.page.wait_for_selector("#wsu-preview:not([hidden])")


def test_editor_downloads_fills_previews_and_applies_a_plot_sheet(
    browser_page: BrowserPage, live_server: str, engine, edits, tmp_path: Path
) -> None:
    bp = browser_page
    plots = _sql(
        engine,
        "SELECT id, uid, status, name_vi FROM land_plots WHERE park_uid = 'KCN-VA1' AND status = 'available' "
        "AND valid_to IS NULL ORDER BY id DESC LIMIT 2",
    )
    (key_a, uid_a, _, name_a), (key_b, uid_b, _, name_b) = plots
    [(in_park,)] = _sql(engine, "SELECT count(*) FROM land_plots WHERE park_uid = 'KCN-VA1' AND valid_to IS NULL")
    decision_id = decision(engine, NUMBER, "2026-06-03")
    before = _current(engine, [uid_a, uid_b])
    assert {uid: v[:2] for uid, v in before.items()} == {uid_a: ("available", name_a), uid_b: ("available", name_b)}
    [(audits,)] = _sql(engine, "SELECT count(*) FROM audit_log")
    try:
        _sign_in(bp, EDITOR, "editor", engine)
        _open_panel(bp)
        assert bp.page.input_value("#wsu-layer") == "land_plots"
        assert "Lô đất / Land plots" in bp.page.locator("#wsu-layer option").all_inner_texts()
        bp.page.wait_for_selector("#wsu-filter option[value='KCN-VA1']", state="attached")
        bp.page.select_option("#wsu-filter", "KCN-VA1")
        assert bp.page.is_visible("#wsu-decision-box")  # plots are versioned: the decision is asked for

        with bp.page.expect_download() as download:
            bp.page.click("#wsu-template")
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        assert download.value.suggested_filename == "land_plots-KCN-VA1.xlsx"
        workbook = load_workbook(template)  # a real XLSX workbook
        sheet = workbook.active
        columns = {sheet.cell(2, c).value: c for c in range(1, sheet.max_column + 1)}
        rows = {sheet.cell(r, columns["uid"]).value: r for r in range(3, sheet.max_row + 1)}
        assert len(rows) == in_park and {uid_a, uid_b} <= set(rows)  # the park's plots only, each once
        status_letter = sheet.cell(2, columns["status"]).column_letter

        sheet.cell(rows[uid_a], columns["status"]).value = "leased"
        sheet.cell(rows[uid_a], columns["name_vi"]).value = NEW_NAME
        sheet.cell(rows[uid_b], columns["status"]).value = "đang chạy"  # not a plot status
        bad = tmp_path / "lo_dat_sai.xlsx"
        workbook.save(bad)

        bp.page.set_input_files("#wsu-file", str(bad))  # no decision yet: asked for, nothing sent
        bp.page.wait_for_selector("#wsu-status.error:has-text('chọn quyết định')")
        assert bp.page.is_hidden("#wsu-preview")
        _choose_decision_in(bp, "wsu", NUMBER)  # choosing it runs the preview
        bp.page.wait_for_selector("#wsu-errors tbody tr")
        [error] = bp.page.locator("#wsu-errors tbody tr").all()
        cells = error.locator("td").all_inner_texts()
        assert cells[0] == str(rows[uid_b]) and cells[1] == status_letter and "đang chạy" in cells[2]
        assert bp.page.is_disabled("#wsu-apply")
        assert _current(engine, [uid_a, uid_b]) == before  # the preview wrote nothing
        assert _sql(engine, "SELECT count(*) FROM audit_log")[0][0] == audits

        bp.page.click("#wsu-cancel")  # the upload is discarded
        assert bp.page.is_hidden("#wsu-preview") and bp.page.is_disabled("#wsu-apply")
        assert bp.page.evaluate("() => document.getElementById('wsu-file').files.length") == 0

        sheet.cell(rows[uid_b], columns["status"]).value = "reserved"
        good = tmp_path / "lo_dat.xlsx"
        workbook.save(good)
        _upload(bp, good)
        bp.page.wait_for_selector("#wsu-changes tbody tr")
        assert bp.page.is_hidden("#wsu-errors-box")
        changes = [r.locator("td").all_inner_texts() for r in bp.page.locator("#wsu-changes tbody tr").all()]
        shown = {(c[-2], c[-1]) for c in changes}
        assert ("Tình trạng / Status", "Còn trống / Available → Đã cho thuê / Leased") in shown
        assert ("Tình trạng / Status", "Còn trống / Available → Đã giữ chỗ / Reserved") in shown
        assert (sheet.cell(1, columns["name_vi"]).value, f"{name_a} → {NEW_NAME}") in shown  # the sheet's header
        firsts = [c for c in changes if len(c) == 4]  # a feature's first line carries its row and name
        assert any(c[0] == str(rows[uid_a]) and uid_a in c[1] for c in firsts)
        assert any(c[0] == str(rows[uid_b]) and uid_b in c[1] for c in firsts)
        assert _current(engine, [uid_a, uid_b]) == before  # still nothing written
        bp.screenshot("workspace_updates_preview", "#ws-updates")

        bp.page.once("dialog", lambda dialog: dialog.dismiss())  # Apply asks first: declined, nothing written
        bp.page.click("#wsu-apply")
        assert _current(engine, [uid_a, uid_b]) == before
        [(lon, lat)] = _sql(
            engine,
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM land_plots WHERE id = :k) s",
            k=key_a,
        )
        bp.page.evaluate(f"() => ZoneAtlasWorkspace.map.setView([{lat}, {lon}], 16, {{ animate: false }})")
        bp.page.wait_for_load_state("networkidle")
        bp.page.once("dialog", lambda dialog: dialog.accept())
        with bp.page.expect_request(lambda r: "/collections/land_plots/tiles/WebMercatorQuad/16/" in r.url):
            bp.page.click("#wsu-apply")  # applied, then the plots' tiles are drawn again
        bp.page.wait_for_selector("#wsu-status:has-text('Đã áp dụng: 2 dòng thay đổi')")
        assert _current(engine, [uid_a, uid_b]) == {
            uid_a: ("leased", NEW_NAME, NUMBER),
            uid_b: ("reserved", name_b, NUMBER),
        }
        closed = _sql(engine, "SELECT id, valid_to FROM land_plots WHERE id = ANY(:k) ORDER BY id", k=[key_a, key_b])
        assert [str(r.valid_to) for r in closed] == ["2026-06-03", "2026-06-03"]  # old versions closed
        audited = _sql(
            engine,
            "SELECT feature_uid, username, action, decision_id, after->>'status' AS status FROM audit_log "
            "WHERE layer_id = 'land_plots' AND decision_id = :d ORDER BY feature_uid",
            d=decision_id,
        )
        assert sorted((a.feature_uid, a.username, a.status) for a in audited if a.action == "update") == sorted(
            [(uid_a, EDITOR, "leased"), (uid_b, EDITOR, "reserved")]
        )
        assert bp.page.is_disabled("#wsu-apply")  # applied once; the file is gone
        bp.assert_clean()
    finally:
        with engine.begin() as conn:  # the new versions go with the edits fixture too; reopen the demo rows
            for key, uid in ((key_a, uid_a), (key_b, uid_b)):
                conn.execute(text("DELETE FROM land_plots WHERE uid = :u AND id > :k"), {"u": uid, "k": key})
                conn.execute(text("UPDATE land_plots SET valid_to = NULL WHERE id = :k"), {"k": key})
    assert _current(engine, [uid_a, uid_b]) == before


def _choose_decision_in(bp: BrowserPage, prefix: str, number: str) -> None:
    bp.page.fill(f"#{prefix}-decision-search", number)
    bp.page.wait_for_selector(f"#{prefix}-decision option[value='{number}']", state="attached")
    bp.page.select_option(f"#{prefix}-decision", number)


def _node_file(path: Path, kind: str) -> Path:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [106.331, 18.071]},
        "properties": {
            "uid": NODE_UID,
            "name_vi": NODE_NAME,
            "kind": kind,
            "status": "planned",
            "province_code": "HA_TINH",
            "mau_sac": "xanh",
        },
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False), "utf-8")
    return path


def test_editor_imports_a_geometry_file_through_the_panel_with_its_report(
    browser_page: BrowserPage, live_server: str, engine, edits, tmp_path: Path
) -> None:
    bp = browser_page
    _sign_in(bp, EDITOR, "editor", engine)
    _open_panel(bp)
    bp.page.select_option("#wsi-layer", "transport_nodes")
    assert bp.page.is_hidden("#wsi-decision-box")  # not a versioned layer

    bp.page.set_input_files("#wsi-file", str(_node_file(tmp_path / "cang_sai.geojson", "tàu ngầm")))
    bp.page.wait_for_selector("#wsi-problems li")
    bp.screenshot("workspace_import_report", "#wsi-report")
    assert "tàu ngầm" in bp.page.inner_text("#wsi-problems")
    assert bp.page.is_disabled("#wsi-apply")
    assert _sql(engine, "SELECT count(*) FROM transport_nodes WHERE uid = :u", u=NODE_UID) == [(0,)]
    assert [u for u in bp.bad_responses + bp.console_errors if "422" not in u or "/api/imports" not in u] == []
    bp.bad_responses.clear()  # the 422 of the refused file is the point of this step (the browser logs it too)
    bp.console_errors.clear()

    bp.page.set_input_files("#wsi-file", str(_node_file(tmp_path / "cang.geojson", "seaport")))
    bp.page.wait_for_selector("#wsi-status:has-text('Tệp hợp lệ')")
    summary = dict(
        zip(
            bp.page.locator("#wsi-summary dt").all_inner_texts(),
            bp.page.locator("#wsi-summary dd").all_inner_texts(),
            strict=True,
        )
    )
    assert summary["Số đối tượng / Features"] == "1"
    assert summary["Sẽ tạo mới / Would create"] == "1" and summary["Sẽ cập nhật / Would update"] == "0"
    assert "Tên tiếng Việt / Vietnamese name ← name_vi" in summary["Trường ← cột trong tệp / Field ← file column"]
    assert "mau_sac" in summary["Cột bỏ qua / Ignored columns"]
    assert bp.page.is_hidden("#wsi-problems-box")
    assert _sql(engine, "SELECT count(*) FROM transport_nodes WHERE uid = :u", u=NODE_UID) == [(0,)]  # checked only

    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#wsi-apply")
    bp.page.wait_for_selector("#wsi-status:has-text('Đã nhập: tạo 1')")
    assert _sql(engine, "SELECT name_vi, kind FROM transport_nodes WHERE uid = :u", u=NODE_UID) == [
        (NODE_NAME, "seaport")
    ]
    assert _sql(
        engine,
        "SELECT username, action FROM audit_log WHERE layer_id = 'transport_nodes' AND feature_uid = :u",
        u=NODE_UID,
    ) == [(EDITOR, "create")]
    bp.assert_clean()


def test_editor_narrows_a_parcel_template_to_map_sheets_and_sees_a_bad_one_refused(
    browser_page: BrowserPage, live_server: str, engine, tmp_path: Path
) -> None:
    bp = browser_page
    [(sheet,)] = _sql(
        engine,
        "SELECT min(c.map_sheet) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = 'PRJ-VHVA'",
    )
    expected = _sql(
        engine,
        "SELECT c.parcel_no FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
        "WHERE p.uid = 'PRJ-VHVA' AND c.map_sheet = :s",
        s=sheet,
    )
    [(in_project,)] = _sql(
        engine,
        "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.uid = 'PRJ-VHVA'",
    )
    assert 0 < len(expected) < in_project
    _sign_in(bp, EDITOR, "editor", engine)
    _open_panel(bp)
    assert not bp.page.is_visible("#wsu-sheets")  # plots have no map sheets
    bp.page.select_option("#wsu-layer", "clearance_parcels")
    bp.page.wait_for_selector("#wsu-sheets-box:not([hidden])")
    bp.page.wait_for_selector("#wsu-filter option[value='PRJ-VHVA']", state="attached")
    bp.page.select_option("#wsu-filter", "PRJ-VHVA")
    bp.page.fill("#wsu-sheets", f" {sheet} ")
    with bp.page.expect_download() as download:
        bp.page.click("#wsu-template")
    template = tmp_path / "parcels.xlsx"
    download.value.save_as(template)
    sheet_rows = load_workbook(template).active
    got = sorted(str(sheet_rows.cell(r, 3).value) for r in range(3, sheet_rows.max_row + 1))
    assert got == sorted(r.parcel_no for r in expected)
    assert {str(sheet_rows.cell(r, 2).value) for r in range(3, sheet_rows.max_row + 1)} == {sheet}

    bp.page.fill("#wsu-sheets", f"{sheet},,")
    bp.page.click("#wsu-template")
    bp.page.wait_for_selector("#wsu-status.error")
    assert "map_sheet" in bp.page.inner_text("#wsu-status")
