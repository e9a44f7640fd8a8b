"""Every map page in headless Chromium with no network: the app's own base map is painted under it, the gates are
named where they are visible, the names switch language and never overlap.

The gates' names expected come from the database (plain SQL), not from the label service.
"""

import pytest
from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

AN_GIANG = "c=10.77,105.07&z=11"  # Tịnh Biên, Vĩnh Xương and Khánh Bình gates in view

# Painted pixels of the base map's canvas tiles (its own pane, under every other layer).
BASE_PIXELS_JS = """
() => {
  let painted = 0;
  for (const canvas of document.querySelectorAll(".leaflet-za-base-pane canvas")) {
    if (!canvas.width || !canvas.height) continue;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
  }
  return painted;
}
"""

# Pairs of names on screen whose boxes overlap.
OVERLAPS_JS = """
() => {
  const boxes = [...document.querySelectorAll(".za-label")].map((e) => e.getBoundingClientRect());
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps += 1;
    }
  }
  return overlaps;
}
"""


def gate_names(db_conn) -> set[str]:
    """Vietnamese names of the Vietnamese gates in the An Giang view."""
    return set(
        db_conn.execute(
            text(
                "SELECT name_vi FROM border_gates WHERE country = 'VN' "
                "AND geom && ST_MakeEnvelope(104.85, 10.55, 105.30, 11.0, 4326)"
            )
        ).scalars()
    )


def sign_in(bp: BrowserPage, username: str, path: str) -> None:
    bp.open(f"/login?next={path}")
    bp.page.fill("#username", username)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form [type=submit]")
    bp.page.wait_for_load_state("networkidle")


def show_an_giang(bp: BrowserPage, path: str) -> None:
    """Open the page on the An Giang gates: by the link's view for the planners' maps, by the map itself elsewhere."""
    if path.startswith("/maps/") and path != "/maps/land":
        bp.page.goto("about:blank")  # a new document, not a new hash on the same one (the view is read on load)
        bp.page.goto(f"{bp.base_url}{path}#{AN_GIANG}", wait_until="networkidle")
    else:
        bp.page.goto(f"{bp.base_url}{path}", wait_until="networkidle")
        bp.page.evaluate("() => window.__zoneatlasMaps[0].setView([10.77, 105.07], 11, { animate: false })")
    bp.page.wait_for_function(f"() => ({BASE_PIXELS_JS})() > 1000")
    bp.page.wait_for_function("() => document.querySelectorAll('.za-label-border_gates').length > 0")


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/maps/zones", None),
        ("/maps/land", None),
        ("/maps/revisions", None),
        ("/maps/projects", None),
        ("/maps/clearance", "viewer"),
        ("/workspace", "editor"),
    ],
)
def test_each_map_page_draws_the_base_and_names_the_gates(browser_page: BrowserPage, staff, db_conn, path, role):
    bp = browser_page
    if role:
        sign_in(bp, f"test_{role}", path)
    show_an_giang(bp, path)
    shown = set(bp.page.eval_on_selector_all(".za-label-border_gates", "els => els.map((e) => e.textContent)"))
    first_lines = {name.split("\n")[0] for name in shown}
    assert first_lines & gate_names(db_conn), shown
    assert any("Campuchia" in name for name in shown)  # the counterpart's country, in words
    assert bp.page.evaluate(OVERLAPS_JS) == 0
    bp.screenshot(f"basemap{path.replace('/', '_')}")
    bp.assert_clean()  # nothing fetched from another host: the base is the app's own


def test_names_switch_language_with_the_page(browser_page: BrowserPage, db_conn):
    bp = browser_page
    show_an_giang(bp, "/maps/zones")
    vietnamese = bp.page.inner_text(".leaflet-za-labels-pane")
    assert "Cửa khẩu quốc tế Tịnh Biên" in vietnamese and "Campuchia" in vietnamese
    bp.page.click("[data-lang=en]")
    bp.page.wait_for_function(
        "() => document.querySelector('.leaflet-za-labels-pane').textContent.includes('Cambodia')"
    )
    english = bp.page.inner_text(".leaflet-za-labels-pane")
    english_name = db_conn.execute(text("SELECT name_en FROM border_gates WHERE uid = 'CK-TINH-BIEN'")).scalar_one()
    assert english_name in english and "Campuchia" not in english
    assert "Khu kinh tế cửa khẩu An Giang" not in english
    assert bp.page.evaluate(OVERLAPS_JS) == 0
    bp.page.click("[data-lang=vi]")
    bp.page.wait_for_function(
        "() => document.querySelector('.leaflet-za-labels-pane').textContent.includes('Campuchia')"
    )
    bp.assert_clean()


def test_plot_codes_appear_only_from_the_zoom_where_they_fit(browser_page: BrowserPage, db_conn):
    bp = browser_page
    lat, lon = db_conn.execute(
        text(
            "SELECT ST_Y(c), ST_X(c) FROM (SELECT ST_PointOnSurface(geom) c FROM land_plots "
            "WHERE valid_to IS NULL AND code IS NOT NULL ORDER BY area_ha DESC LIMIT 1) p"
        )
    ).one()
    bp.page.goto(f"{bp.base_url}/maps/zones#c={lat:.5f},{lon:.5f}&z=12", wait_until="networkidle")
    bp.page.wait_for_function(f"() => ({BASE_PIXELS_JS})() > 1000")
    bp.page.wait_for_timeout(800)
    at_12 = bp.page.eval_on_selector_all(".za-label-land_plots", "els => els.length")
    bp.page.evaluate(f"() => window.__zoneatlasMaps[0].setView([{lat}, {lon}], 17, {{ animate: false }})")
    bp.page.wait_for_function("() => document.querySelectorAll('.za-label-land_plots').length > 0")
    codes = set(bp.page.eval_on_selector_all(".za-label-land_plots", "els => els.map((e) => e.textContent)"))
    known = set(db_conn.execute(text("SELECT code FROM land_plots WHERE valid_to IS NULL")).scalars())
    assert codes <= known
    assert at_12 < len(codes)  # more codes fit zoomed in than out
    assert bp.page.evaluate(OVERLAPS_JS) == 0
    bp.screenshot("basemap_plot_codes")
    bp.assert_clean()
