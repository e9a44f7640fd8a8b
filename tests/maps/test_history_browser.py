"""A feature's history on its item page, in headless Chromium against `zoneatlas serve`: staff see the versions and
each change in words with both outlines on a small map; anonymous readers get no history at all."""

import json
import re
from urllib.parse import quote

import httpx
from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

NUMBER = "88/QĐ-BQL-LỊCH-SỬ"
HISTORY_MAP_JS = """
() => {
  const maps = (window.__zoneatlasMaps || []).filter((m) => m.getContainer().closest(".history-entry"));
  return maps.map((map) => {
    const outlines = [];
    map.eachLayer((layer) => {
      if (layer.feature && layer.getBounds) {
        const b = layer.getBounds();
        outlines.push({ color: layer.options.color, bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] });
      }
    });
    return outlines;
  });
}
"""


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).one()


def _sign_in(bp: BrowserPage, username: str, next_url: str) -> None:
    bp.open(f"/login?next={quote(next_url, safe='')}")
    bp.page.fill("#username", username)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def test_staff_see_a_plot_change_with_both_outlines_and_anonymous_readers_see_no_history(
    browser_page: BrowserPage, live_server: str, engine, staff, edits
) -> None:
    plot = _sql(
        engine,
        "SELECT p.id, p.uid, ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 "
        "FROM land_plots p, ST_Envelope(ST_Transform(p.geom, 4326)) e "
        "WHERE p.valid_to IS NULL AND p.status = 'available' ORDER BY p.id LIMIT 1",
    )
    # The change: a smaller square inside the plot's envelope (so it stays inside its park), and leased.
    dx, dy = (plot.x1 - plot.x0) / 4, (plot.y1 - plot.y0) / 4
    x0, y0, x1, y1 = plot.x0 + dx, plot.y0 + dy, plot.x1 - dx, plot.y1 - dy
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    editor = staff["editor"]
    new_key = None
    try:
        with httpx.Client(base_url=live_server, timeout=60) as api:
            registered = api.post(
                "/api/decisions",
                headers=editor,
                json={
                    "number": NUMBER,
                    "title_vi": "Cho thuê lô đất (thử lịch sử)",
                    "date_signed": "2026-11-20",
                    "date_effective": "2026-11-20",
                    "authority": "management_board",
                    "kind": "land_lease",
                },
            )
            assert registered.status_code == 201, registered.text
            item = f"/collections/land_plots/items/{plot.id}"
            etag = api.get(item, headers=editor).headers["etag"]
            changed = api.patch(
                item,
                headers={
                    **editor,
                    "Content-Type": "application/merge-patch+json",
                    "If-Match": etag,
                    "Decision": quote(NUMBER),
                },
                content=json.dumps(
                    {"properties": {"status": "leased"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                ),
            )
            assert changed.status_code == 200, changed.text
            new_key = int(changed.headers["location"].rsplit("/", 1)[1])
            page_url = f"/collections/land_plots/items/{new_key}?f=html"

            # Anonymous: no history markup, no labels, no history request.
            anonymous_html = api.get(page_url).text
            assert 'id="history"' not in anonymous_html and "history-labels" not in anonymous_html
        bp = browser_page
        bp.open(page_url)
        assert bp.page.query_selector("#history") is None
        assert "Lịch sử" not in bp.page.inner_text("main")

        # Staff (a viewer is enough): the versions and the change in words.
        _sign_in(bp, "test_viewer", page_url)
        assert bp.page.url.endswith(page_url)

        bp.page.wait_for_selector("#history .history-entry[data-action=update]")
        versions = bp.page.inner_text("#history .history-versions")
        assert NUMBER in versions and "20/11/2026" in versions and "hiện hành / current" in versions
        entry = bp.page.locator("#history .history-entry[data-action=update]").first
        heading = entry.locator("strong").inner_text()
        assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", heading), heading
        assert "test_editor" in heading and NUMBER in heading and "Sửa / Changed" in heading
        status_row = entry.locator("tr[data-field=status]")
        assert status_row.locator("th").inner_text() == "Tình trạng / Status"
        assert status_row.locator(".old").inner_text() == "Còn trống / Available"
        assert status_row.locator(".new").inner_text() == "Đã cho thuê / Leased"
        assert "leased" not in entry.inner_text() and "valid_from" not in entry.inner_text()

        # Both outlines on the entry's own small map, in two colours, where the database has them.
        entry.locator(".history-map").wait_for()
        [outlines] = bp.page.evaluate(HISTORY_MAP_JS)
        by_colour = {o["color"]: o["bounds"] for o in outlines}
        assert set(by_colour) == {"#d7301f", "#2171b5"}, outlines
        old = _sql(
            engine,
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM land_plots, "
            "ST_Envelope(ST_Transform(geom, 4326)) e WHERE id = :k",
            k=plot.id,
        )
        assert all(abs(a - b) < 1e-6 for a, b in zip(by_colour["#d7301f"], old, strict=True))
        assert all(abs(a - b) < 1e-6 for a, b in zip(by_colour["#2171b5"], (x0, y0, x1, y1), strict=True))
        painted = entry.locator(".history-map path.leaflet-interactive")
        assert painted.count() == 2
        for index in range(2):
            box = painted.nth(index).bounding_box()
            assert box is not None and box["width"] > 20 and box["height"] > 20, box  # drawn at a readable size
        bp.screenshot("item-history", "#history")
        bp.assert_clean()
    finally:
        with engine.begin() as conn:  # the demo plot's version is reopened; newer rows go with the edits fixture
            if new_key is not None and new_key != plot.id:
                conn.execute(text("DELETE FROM land_plots WHERE id = :k"), {"k": new_key})
            conn.execute(text("UPDATE land_plots SET valid_to = NULL WHERE id = :k"), {"k": plot.id})
