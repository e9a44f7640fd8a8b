"""The workspace's Clearance-in-bulk panel in headless Chromium: an editor selects parcels by a box on the map and by
a pasted list, previews and applies a stage date; the database and the audit log are then read with plain SQL.

Expected parcels come from SQL on the demo data (the box's parcels from the area the page drew, intersected in
PostGIS), never from the page's or the API's answers. The `restore` fixture puts every demo stage date back.
"""

from datetime import date, timedelta

from tests.api import test_clearance_stages
from tests.browser import BrowserPage
from tests.maps.test_workspace_browser import _pixel, _sign_in, _sql

restore = test_clearance_stages.restore

EDITOR = "wsc_browser_editor"
WORDS = {  # the stages as the page must name them (written here by hand)
    "not_started": "Chưa triển khai / Not started",
    "notice_issued": "Đã thông báo thu hồi đất / Recovery notice issued",
    "inventoried": "Đã kiểm đếm / Inventoried",
    "plan_approved": "Đã phê duyệt phương án / Compensation plan approved",
    "compensation_paid": "Đã chi trả / Compensation paid",
    "handed_over": "Đã bàn giao mặt bằng / Handed over",
}
TILES = "/collections/clearance_parcels/tiles/"


def _open_panel(bp: BrowserPage, engine) -> None:
    _sign_in(bp, EDITOR, "editor", engine)
    bp.page.click(".ws-tabs [data-tab=ws-clearance]")
    bp.page.wait_for_selector("#wc-project option[value='PRJ-VA2']", state="attached")


def _listed_ids(bp: BrowserPage) -> list[int]:
    return [int(i) for i in bp.page.eval_on_selector_all("#wc-list li[data-id]", "els => els.map(e => e.dataset.id)")]


def _audit(engine, column: str, day: date) -> list[tuple]:
    """Audit records of clearance parcels whose change set `column` to `day`: (feature id, action, user, old)."""
    return _sql(
        engine,
        "SELECT a.feature_id::bigint, a.action, u.username, a.before ->> :c FROM audit_log a "
        "LEFT JOIN users u ON u.id = a.user_id WHERE a.layer_id = 'clearance_parcels' AND a.after ->> :c = :d",
        c=column,
        d=day.isoformat(),
    )


def _choose_stage_and_date(bp: BrowserPage, stage: str, day: date) -> None:
    labels = bp.page.locator("#wc-stage option").all_inner_texts()
    assert WORDS[stage] in labels and stage not in labels  # words, not codes
    bp.page.select_option("#wc-stage", stage)
    bp.page.fill("#wc-date", f"{day:%d/%m/%Y}")  # typed dd/mm/yyyy
    assert bp.page.inner_text("#wc-date-shown") == day.strftime("%d/%m/%Y")


def test_editor_selects_parcels_with_a_box_and_sets_a_notice_date_on_20(
    browser_page: BrowserPage, live_server: str, engine, restore
) -> None:
    bp = browser_page
    # The day after the investment policy of sheet 21's project: no parcel's stage may precede its project's policy,
    # and a notice earlier than every stage date of the project breaks no parcel's order and changes every one chosen.
    [(policy, earliest)] = _sql(
        engine,
        "SELECT max(pol.date_signed), min(least(c.notice_issued_on, c.inventoried_on, c.plan_approved_on, "
        "c.compensation_paid_on, c.handed_over_on)) FROM clearance_parcels c JOIN projects pr ON pr.id = c.project_id "
        "JOIN decisions pol ON pol.id = pr.policy_decision_id "
        "WHERE c.project_id IN (SELECT project_id FROM clearance_parcels WHERE map_sheet = '21')",
    )
    day = policy + timedelta(days=1)
    assert earliest > day
    # The centres of 25 neighbouring parcels of map sheet 21: a box around them touches at least those 25.
    centres = _sql(
        engine,
        "WITH first AS (SELECT geom FROM clearance_parcels WHERE map_sheet = '21' ORDER BY id LIMIT 1) "
        "SELECT ST_X(ST_Centroid(c.geom)), ST_Y(ST_Centroid(c.geom)) FROM clearance_parcels c, first "
        "ORDER BY c.geom <-> first.geom LIMIT 25",
    )
    west, east = min(x for x, _ in centres), max(x for x, _ in centres)
    south, north = min(y for _, y in centres), max(y for _, y in centres)

    _open_panel(bp, engine)
    assert bp.page.input_value("#ws-layer") == "clearance_parcels"  # the parcels are drawn, coloured by stage
    bp.page.evaluate(
        "([s, w, n, e]) => ZoneAtlasWorkspace.map.fitBounds([[s, w], [n, e]], { padding: [80, 80], animate: false })",
        [south, west, north, east],
    )
    bp.page.wait_for_load_state("networkidle")
    bp.page.click("#wc-box")
    bp.page.mouse.move(*_pixel(bp, west, north))
    bp.page.mouse.down()
    bp.page.mouse.move(*_pixel(bp, (west + east) / 2, (south + north) / 2), steps=4)
    bp.page.mouse.move(*_pixel(bp, east, south), steps=4)
    bp.page.mouse.up()
    bp.page.wait_for_selector("#wc-message:has-text('Khung / Box')")

    area = bp.page.evaluate("() => JSON.stringify(ZoneAtlasClearance.lastArea())")
    inside = _sql(
        engine,
        "SELECT id, stage FROM clearance_parcels "
        "WHERE ST_Intersects(geom, ST_SetSRID(ST_GeomFromGeoJSON(:a), 4326)) ORDER BY id",
        a=area,
    )
    assert len(inside) >= 25
    assert sorted(_listed_ids(bp)) == [i for i, _ in inside]
    assert bp.page.inner_text("#wc-count") == str(len(inside))
    first_id, first_stage = inside[0]
    assert WORDS[first_stage] in bp.page.inner_text(f"#wc-list li[data-id='{first_id}']")

    for parcel_id, _ in inside[20:]:  # keep 20: remove the others from the list one by one
        bp.page.click(f"#wc-list li[data-id='{parcel_id}'] .wc-remove")
    chosen = [i for i, _ in inside[:20]]
    assert sorted(_listed_ids(bp)) == chosen and bp.page.inner_text("#wc-count") == "20"

    _choose_stage_and_date(bp, "notice_issued", day)
    bp.page.click("#wc-preview")
    bp.page.wait_for_selector("#wc-message:has-text('Xem trước')")
    assert bp.page.locator("#wc-result table tbody tr").count() == 20
    assert _sql(engine, "SELECT id FROM clearance_parcels WHERE notice_issued_on = :d", d=day) == []  # a preview

    bp.page.once("dialog", lambda dialog: dialog.dismiss())  # applying asks first: cancelled, nothing written
    bp.page.click("#wc-apply")
    assert _sql(engine, "SELECT id FROM clearance_parcels WHERE notice_issued_on = :d", d=day) == []

    bp.page.once("dialog", lambda dialog: dialog.accept())
    with bp.page.expect_request(lambda r: TILES in r.url, timeout=15_000):  # the clearance tiles are redrawn
        bp.page.click("#wc-apply")
        bp.page.wait_for_selector("#wc-message:has-text('Đã ghi')")
    assert "20" in bp.page.inner_text("#wc-message")
    written = _sql(engine, "SELECT id FROM clearance_parcels WHERE notice_issued_on = :d ORDER BY id", d=day)
    assert [r.id for r in written] == chosen
    records = _audit(engine, "notice_issued_on", day)
    assert sorted(r[0] for r in records) == chosen
    assert {(r[1], r[2]) for r in records} == {("update", EDITOR)}

    # A lasso: a triangle drawn freehand selects the parcels its outline touches, as PostGIS finds them.
    bp.page.click("#wc-clear")
    assert bp.page.inner_text("#wc-count") == "0"
    bp.page.click("#wc-lasso")
    corners = [(west, north), (east, (south + north) / 2), ((west + east) / 2, south), (west, north)]
    bp.page.mouse.move(*_pixel(bp, *corners[0]))
    bp.page.mouse.down()
    for corner in corners[1:]:
        bp.page.mouse.move(*_pixel(bp, *corner), steps=8)
    bp.page.mouse.up()
    bp.page.wait_for_selector("#wc-message:has-text('Khoanh / Lasso')")
    lasso = bp.page.evaluate("() => JSON.stringify(ZoneAtlasClearance.lastArea())")
    touched = _sql(
        engine,
        "SELECT id FROM clearance_parcels WHERE ST_Intersects(geom, ST_SetSRID(ST_GeomFromGeoJSON(:a), 4326)) "
        "ORDER BY id",
        a=lasso,
    )
    assert 0 < len(touched) < len(inside)
    assert sorted(_listed_ids(bp)) == [r.id for r in touched]
    bp.assert_clean()


def test_editor_pastes_a_list_one_parcel_breaks_the_order_then_20_get_their_plan_approved(
    browser_page: BrowserPage, live_server: str, engine, restore
) -> None:
    bp = browser_page
    day = date(2026, 11, 30)
    # 20 inventoried parcels of PRJ-VA2 waiting for their plan, and one already paid before `day`: a plan approved on
    # `day` would come after its payment, which the stage order refuses.
    waiting = _sql(
        engine,
        "SELECT c.id, c.map_sheet || '/' || c.parcel_no AS ref FROM clearance_parcels c JOIN projects p "
        "ON p.id = c.project_id WHERE p.uid = 'PRJ-VA2' AND c.inventoried_on IS NOT NULL "
        "AND c.plan_approved_on IS NULL ORDER BY c.id LIMIT 20",
    )
    assert len(waiting) == 20
    [offender] = _sql(
        engine,
        "SELECT c.id, c.map_sheet || '/' || c.parcel_no AS ref FROM clearance_parcels c JOIN projects p "
        "ON p.id = c.project_id WHERE p.uid = 'PRJ-VA2' AND c.compensation_paid_on < :d ORDER BY c.id LIMIT 1",
        d=day,
    )
    ids = [r.id for r in waiting]
    assert _sql(engine, "SELECT id FROM clearance_parcels WHERE plan_approved_on >= :d", d=day) == []
    before = _sql(engine, "SELECT id, plan_approved_on FROM clearance_parcels ORDER BY id")

    _open_panel(bp, engine)
    many = "\n".join(f"7/{n}" for n in range(1, 5002))  # more than a call may change (set, as typing it is slow)
    bp.page.eval_on_selector("#wc-paste", "(box, text) => { box.value = text; }", many)
    bp.page.click("#wc-add")
    bp.page.wait_for_selector("#wc-message.error:has-text('5,000')")
    assert bp.page.inner_text("#wc-count") == "0"

    bp.page.fill("#wc-project-search", "Vũng Áng 2")
    option = bp.page.locator("#wc-project option[value='PRJ-VA2']")
    assert "Nhà máy nhiệt điện Vũng Áng 2" in option.inner_text() and "PRJ-VA2" not in option.inner_text()
    bp.page.select_option("#wc-project", "PRJ-VA2")
    refs = [r.ref for r in waiting]
    pasted = "\n".join(refs[:10]) + "\n" + ", ".join([*refs[10:], offender.ref])  # one a line, or comma-separated
    bp.page.fill("#wc-paste", pasted)
    bp.page.click("#wc-add")
    bp.page.wait_for_selector("#wc-message:has-text('21')")
    assert sorted(_listed_ids(bp)) == sorted([*ids, offender.id])
    assert WORDS["inventoried"] in bp.page.inner_text(f"#wc-list li[data-id='{ids[0]}']")

    _choose_stage_and_date(bp, "plan_approved", day)
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#wc-apply")
    bp.page.wait_for_selector(".wc-problems li")
    bp.screenshot("workspace_clearance_refused")
    problems = bp.page.locator(".wc-problems li").all_inner_texts()
    assert len(problems) == 1 and problems[0].startswith(offender.ref)  # the page names the offending parcel
    assert bp.page.get_attribute(f"#wc-list li[data-id='{offender.id}']", "class") == "wc-bad"
    assert "Nothing was written" in bp.page.inner_text("#wc-result")
    assert _sql(engine, "SELECT id, plan_approved_on FROM clearance_parcels ORDER BY id") == before  # nothing written
    assert _audit(engine, "plan_approved_on", day) == []

    bp.page.click(f"#wc-list li[data-id='{offender.id}'] .wc-remove")
    assert bp.page.inner_text("#wc-count") == "20"
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#wc-apply")
    bp.page.wait_for_selector("#wc-message:has-text('Đã ghi')")
    bp.screenshot("workspace_clearance_applied", "#ws-clearance")
    written = _sql(engine, "SELECT id FROM clearance_parcels WHERE plan_approved_on = :d ORDER BY id", d=day)
    assert [r.id for r in written] == sorted(ids)
    records = _audit(engine, "plan_approved_on", day)
    assert sorted(r[0] for r in records) == sorted(ids)
    assert {(r[1], r[2], r[3]) for r in records} == {("update", EDITOR, None)}  # each was without a plan date
    assert WORDS["plan_approved"] in bp.page.inner_text(f"#wc-list li[data-id='{ids[0]}']")  # the stage after

    refused = [r for r in bp.bad_responses if r.startswith("422 ")]  # the refusal is the point of this test
    assert refused == [f"422 {live_server}/api/clearance/stages"]
    bp.bad_responses.remove(refused[0])
    bp.console_errors[:] = [e for e in bp.console_errors if "status of 422" not in e]
    bp.assert_clean()
