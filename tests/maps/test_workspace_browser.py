"""The workspace (/workspace) in headless Chromium against `zoneatlas serve`, its writes checked by SQL and the API."""

import httpx
import mapbox_vector_tile
import morecantile
from sqlalchemy import text

from tests import accounts
from tests.api.test_editing import decision
from tests.browser import BrowserPage

EDITOR = "ws_browser_editor"
VIEWER = "ws_browser_viewer"
# An empty square inside park KCN-VA1's zone (Vũng Áng), east of the demo plots, for the drawn plot.
DRAWN = [(106.3600, 18.0600), (106.3610, 18.0600), (106.3610, 18.0608), (106.3600, 18.0608)]


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def _sign_in(bp: BrowserPage, username: str, role: str, engine) -> None:
    accounts.make_user(engine, username, role)
    bp.open("/login?next=/workspace")
    bp.page.fill("#username", username)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def _available_uids(live_server: str) -> set[str]:
    body = httpx.get(f"{live_server}/api/land/available", params={"park": "KCN-VA1", "limit": 1000}, timeout=30)
    assert body.status_code == 200, body.text
    return {f["id"] for f in body.json()["features"]}


def _choose_decision(bp: BrowserPage, number: str) -> None:
    bp.page.fill("#ws-decision-search", number)
    bp.page.wait_for_selector(f"#ws-decision option[value='{number}']", state="attached")
    bp.page.select_option("#ws-decision", number)


def test_editor_marks_a_plot_leased_under_a_decision_and_the_land_finder_drops_it(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    [(key, uid, valid_from)] = _sql(
        engine,
        "SELECT id, uid, valid_from FROM land_plots WHERE park_uid = 'KCN-VA1' AND status = 'available' "
        "AND valid_to IS NULL ORDER BY id LIMIT 1",
    )
    assert uid in _available_uids(live_server)
    number = "WSB-1/2026/QĐ-BQL"
    decision(engine, number, "2026-06-01")
    try:
        _sign_in(bp, EDITOR, "editor", engine)
        assert bp.page.is_visible("header a[href='/workspace']")
        bp.page.goto(f"{live_server}/workspace#layer=land_plots&id={key}", wait_until="networkidle")
        bp.page.wait_for_selector("#ws-form:not([hidden])")
        bp.page.click("#ws-close")  # then open it again by clicking the plot on the map (fitted to it)
        box = bp.page.locator("#ws-map").bounding_box()
        bp.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        bp.page.wait_for_selector("#ws-form:not([hidden])")
        assert uid in bp.page.inner_text("#ws-form-title") or bp.page.input_value("#ws-f-uid") == uid
        assert bp.page.is_visible("#ws-version-note")  # saving closes the version: said before saving
        labels = bp.page.locator("#ws-f-status option").all_inner_texts()
        assert "Đã cho thuê / Leased" in labels and "leased" not in labels  # words, not raw codes
        assert bp.page.locator("label[for=ws-f-status] .req").count() == 1  # required is marked

        bp.page.select_option("#ws-f-status", "leased")
        bp.page.once("dialog", lambda dialog: dialog.dismiss())  # saving asks first: cancelled, nothing written
        bp.page.click("#ws-save")
        assert bp.page.inner_text("[data-error-for=decision]") != ""  # no decision chosen yet
        _choose_decision(bp, number)
        bp.page.once("dialog", lambda dialog: dialog.dismiss())
        bp.page.click("#ws-save")
        assert _sql(engine, "SELECT valid_to FROM land_plots WHERE id = :k", k=key) == [(None,)]

        bp.page.once("dialog", lambda dialog: dialog.accept())
        bp.page.click("#ws-save")
        bp.page.wait_for_selector("#ws-message:has-text('Đã lưu')")
        rows = _sql(
            engine,
            "SELECT p.id, p.status, d.number FROM land_plots p JOIN decisions d ON d.id = p.decision_id "
            "WHERE p.uid = :u AND p.valid_to IS NULL",
            u=uid,
        )
        assert [(r.status, r.number) for r in rows] == [("leased", number)]
        assert _sql(engine, "SELECT valid_to FROM land_plots WHERE id = :k", k=key)[0][0].isoformat() == "2026-06-01"
        assert uid not in _available_uids(live_server)
        assert bp.page.input_value("#ws-f-status") == "leased"  # the form shows the new version
        bp.assert_clean()
    finally:
        with engine.begin() as conn:  # the new version goes with the edits fixture; reopen the demo row
            conn.execute(text("DELETE FROM land_plots WHERE uid = :u AND id > :k"), {"u": uid, "k": key})
            conn.execute(text("UPDATE land_plots SET valid_to = NULL WHERE id = :k"), {"k": key})
    assert str(valid_from) < "2026-06-01"


def _tile_uids(live_server: str, headers: dict[str, str], lon: float, lat: float, z: int = 16) -> set[str]:
    tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    url = f"{live_server}/collections/land_plots/tiles/WebMercatorQuad/{z}/{tile.x}/{tile.y}"
    response = httpx.get(url, headers=headers, timeout=30)
    if response.status_code == 204:
        return set()
    assert response.status_code == 200, response.text
    layers = mapbox_vector_tile.decode(response.content)
    return {f["properties"].get("uid") for f in layers.get("land_plots", {}).get("features", [])}


def _pixel(bp: BrowserPage, lon: float, lat: float) -> tuple[float, float]:
    x, y = bp.page.evaluate(
        "([lon, lat]) => { const p = ZoneAtlasWorkspace.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lon, lat],
    )
    box = bp.page.locator("#ws-map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_editor_draws_a_plot_sees_it_in_the_tiles_and_a_crossed_outline_is_refused(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    number = "WSB-2/2026/QĐ-BQL"
    decision(engine, number, "2026-06-02")
    _sign_in(bp, EDITOR, "editor", engine)
    bp.page.evaluate("() => ZoneAtlasWorkspace.map.setView([18.0604, 106.3605], 17, { animate: false })")
    bp.page.wait_for_load_state("networkidle")
    editor = accounts.bearer(engine, accounts.make_user(engine, "ws_browser_reader", "editor"))
    assert "TEST-WS-DRAWN" not in _tile_uids(live_server, editor, 106.3605, 18.0604)

    # a bow tie: refused before saving, the crossing marked on the map
    bp.page.click("#ws-draw")
    bp.page.wait_for_function("() => ZoneAtlasWorkspace.map.pm.globalDrawModeEnabled()")
    for lon, lat in [DRAWN[0], DRAWN[2], DRAWN[1], DRAWN[3], DRAWN[0]]:
        bp.page.mouse.click(*_pixel(bp, lon, lat))
    bp.page.wait_for_selector("#ws-form:not([hidden])")
    bp.page.wait_for_selector(".ws-problem")
    assert "tự cắt" in bp.page.inner_text("[data-error-for=geometry]")
    bp.page.click("#ws-cancel")  # the drawing is undone
    assert bp.page.evaluate("() => ZoneAtlasWorkspace.state.drawn") is None

    # a square, snapped and saved with its attributes
    bp.page.click("#ws-draw")
    bp.page.wait_for_function("() => ZoneAtlasWorkspace.map.pm.globalDrawModeEnabled()")
    for lon, lat in [*DRAWN, DRAWN[0]]:
        bp.page.mouse.click(*_pixel(bp, lon, lat))
    bp.page.wait_for_selector("#ws-form:not([hidden])")
    assert bp.page.inner_text("[data-error-for=geometry]") == ""
    bp.page.fill("#ws-f-uid", "TEST-WS-DRAWN")
    bp.page.fill("#ws-f-code", "CN-VE")
    bp.page.fill("#ws-f-name_vi", "Lô vẽ thử nghiệm Kỳ Anh")
    bp.page.fill("#ws-f-park_uid", "KCN-VA1")
    bp.page.select_option("#ws-f-planning_function", "industrial")
    bp.page.select_option("#ws-f-status", "available")
    _choose_decision(bp, number)
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#ws-save")
    bp.page.wait_for_selector("#ws-message:has-text('Đã lưu')")
    [(name, area)] = _sql(
        engine, "SELECT name_vi, ST_Area(geom::geography) FROM land_plots WHERE uid = 'TEST-WS-DRAWN'"
    )
    assert name == "Lô vẽ thử nghiệm Kỳ Anh"
    assert 0.9 * 106 * 88 < area < 1.1 * 106 * 88  # about 106 m × 88 m, as drawn
    assert "TEST-WS-DRAWN" in _tile_uids(live_server, editor, 106.3605, 18.0604)
    bp.assert_clean()


def test_viewers_get_no_edit_controls_and_every_write_path_answers_403(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    response = bp.page.goto(f"{live_server}/workspace", wait_until="networkidle")
    assert response is not None and bp.page.url.startswith(f"{live_server}/login")  # anonymous: the login page
    _sign_in(bp, VIEWER, "viewer", engine)
    response = bp.page.goto(f"{live_server}/workspace", wait_until="networkidle")
    assert response is not None and response.status == 403
    assert "Không có quyền / Forbidden" in bp.page.inner_text("h1")
    assert bp.page.locator("#ws-form, #ws-draw, #ws-save, #ws-map").count() == 0
    assert not bp.page.is_visible("header a[href='/workspace']")
    [key] = [r.id for r in _sql(engine, "SELECT min(id) AS id FROM land_plots WHERE valid_to IS NULL")]
    statuses = bp.page.evaluate(
        """async (key) => {
          const send = (method, url, body) => fetch(url, { method, credentials: "same-origin",
            headers: { "Content-Type": "application/json", "If-Match": '"1"', Decision: "1076" },
            body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.status);
          const feature = { type: "Feature", properties: { status: "leased" } };
          return [
            await send("POST", "/collections/land_plots/items", feature),
            await send("PATCH", `/collections/land_plots/items/${key}`, feature),
            await send("PUT", `/collections/land_plots/items/${key}`, feature),
            await send("DELETE", `/collections/land_plots/items/${key}`),
            await send("POST", "/api/workspace/land_plots/split", { id: key, line: {}, if_match: '"1"' }),
            await send("POST", "/api/workspace/land_plots/merge", { ids: [key, key + 1], if_matches: ['"1"', '"2"'] }),
          ];
        }""",
        key,
    )
    assert statuses == [403] * 6
    bp.bad_responses.clear()  # the 403s above are the point of this test
    bp.console_errors.clear()
    bp.assert_clean()


def test_editor_splits_a_plot_by_a_drawn_line_then_merges_the_parts_back(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    number = "WSB-3/2026/QĐ-BQL"
    decision(engine, number, "2026-06-03")
    with engine.begin() as conn:  # our own plot (the edits fixture deletes it), valid from an older decision
        key = conn.execute(
            text(
                "INSERT INTO land_plots (uid, code, park_uid, planning_function, status, valid_from, decision_id, "
                "geom) "
                "SELECT 'TEST-WS-CUT', 'CN-CUT', 'KCN-VA1', 'industrial', 'available', date_effective, id, "
                "ST_MakeEnvelope(106.3700, 18.0600, 106.3710, 18.0608, 4326) FROM decisions "
                "WHERE number = '1076/QĐ-TTg' RETURNING id"
            )
        ).scalar_one()
        [[area]] = conn.execute(text("SELECT ST_Area(geom::geography) FROM land_plots WHERE id = :k"), {"k": key})
    _sign_in(bp, EDITOR, "editor", engine)
    bp.page.goto(f"{live_server}/workspace#layer=land_plots&id={key}", wait_until="networkidle")
    bp.page.wait_for_selector("#ws-form:not([hidden])")
    _choose_decision(bp, number)
    with engine.begin() as conn:  # someone else changes the plot after the form was opened
        conn.execute(text("UPDATE land_plots SET notes = 'Đã đo lại' WHERE id = :k"), {"k": key})
    bp.page.fill("#ws-f-name_vi", "Lô cắt thử")
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#ws-save")
    bp.page.wait_for_selector("#ws-message:has-text('Người khác vừa thay đổi')")
    assert bp.page.input_value("#ws-f-notes") == "Đã đo lại" and bp.page.input_value("#ws-f-name_vi") == ""
    assert _sql(engine, "SELECT count(*) FROM land_plots WHERE uid = 'TEST-WS-CUT'") == [(1,)]  # nothing written
    bp.bad_responses.remove(next(r for r in bp.bad_responses if r.startswith("412 ")))  # the 412 is the point
    bp.console_errors[:] = [e for e in bp.console_errors if "status of 412" not in e]
    _choose_decision(bp, number)

    bp.page.click("#ws-split")
    bp.page.wait_for_function("() => ZoneAtlasWorkspace.map.pm.globalDrawModeEnabled()")
    start, end = _pixel(bp, 106.3705, 18.0597), _pixel(bp, 106.3705, 18.0611)  # north-south through the middle
    bp.page.mouse.click(*start)
    bp.page.mouse.click(*end)
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.mouse.click(*end)  # clicking the last point again finishes the line
    bp.page.wait_for_selector("#ws-message:has-text('Đã chia')")
    parts = _sql(
        engine,
        "SELECT id, uid, ST_Area(geom::geography) AS area FROM land_plots "
        "WHERE uid LIKE 'TEST-WS-CUT%' AND valid_to IS NULL ORDER BY id",
    )
    assert len(parts) == 2 and abs(sum(p.area for p in parts) - area) < 1e-6 * area
    assert all(0.4 * area < p.area < 0.6 * area for p in parts)

    bp.page.wait_for_selector("#ws-form:not([hidden])")
    _choose_decision(bp, number)  # the same decision: the merge amends the versions the split opened
    bp.page.click("#ws-merge")
    other = next(p for p in parts if p.uid != "TEST-WS-CUT")
    [[lon, lat]] = _sql(
        engine,
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM land_plots WHERE id = :i) p",
        i=other.id,
    )
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.mouse.click(*_pixel(bp, lon, lat))
    bp.page.wait_for_selector("#ws-message:has-text('Đã gộp')")
    [merged] = _sql(
        engine,
        "SELECT uid, ST_Area(geom::geography) AS area FROM land_plots "
        "WHERE uid LIKE 'TEST-WS-CUT%' AND valid_to IS NULL",
    )
    assert merged.uid == "TEST-WS-CUT" and abs(merged.area - area) < 1e-6 * area
    bp.assert_clean()


def test_editor_moves_a_corner_and_the_new_outline_is_saved(
    browser_page: BrowserPage, live_server: str, engine, edits
) -> None:
    bp = browser_page
    number = "WSB-4/2026/QĐ-BQL"
    decision(engine, number, "2026-06-04")
    with engine.begin() as conn:  # our own plot (the edits fixture deletes it)
        key = conn.execute(
            text(
                "INSERT INTO land_plots (uid, code, park_uid, planning_function, status, valid_from, decision_id, "
                "geom) SELECT 'TEST-WS-MOVE', 'CN-MOVE', 'KCN-VA1', 'industrial', 'available', date_effective, id, "
                "ST_MakeEnvelope(106.3800, 18.0600, 106.3810, 18.0608, 4326) FROM decisions "
                "WHERE number = '1076/QĐ-TTg' RETURNING id"
            )
        ).scalar_one()
    _sign_in(bp, EDITOR, "editor", engine)
    bp.page.goto(f"{live_server}/workspace#layer=land_plots&id={key}", wait_until="networkidle")
    bp.page.wait_for_selector("#ws-form:not([hidden])")
    bp.page.click("#ws-reshape")
    bp.page.wait_for_selector(".marker-icon")
    corner = _pixel(bp, 106.3810, 18.0608)  # the north-east corner, dragged 0.0005° further east
    target = _pixel(bp, 106.3815, 18.0608)
    bp.page.mouse.move(*corner)
    bp.page.mouse.down()
    bp.page.mouse.move(*target, steps=8)
    bp.page.mouse.up()
    _choose_decision(bp, number)
    bp.page.once("dialog", lambda dialog: dialog.accept())
    bp.page.click("#ws-save")
    bp.page.wait_for_selector("#ws-message:has-text('Đã lưu')")
    [(east, north)] = _sql(
        engine,
        "SELECT ST_XMax(geom), ST_YMax(geom) FROM land_plots WHERE uid = 'TEST-WS-MOVE' AND valid_to IS NULL",
    )
    assert abs(east - 106.3815) < 0.00005 and abs(north - 18.0608) < 0.00005
    assert _sql(engine, "SELECT valid_to FROM land_plots WHERE id = :k", k=key)[0][0].isoformat() == "2026-06-04"
    bp.assert_clean()
