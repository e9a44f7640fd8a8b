"""Planned things on the zone map in headless Chromium: drawn dashed, filtered by lifecycle step from a control whose
words follow the language, the choice kept in the link."""

import httpx
from shapely.geometry import shape

from tests.browser import BrowserPage

PLANNED = "KCN-HG-MOI-1"  # in the approved plan (demo)
DASHED = "path[stroke-dasharray]:not([stroke='none'])"


def test_planned_parks_are_dashed_and_the_lifecycle_filter_hides_them(browser_page: BrowserPage, live_server: str):
    bp = browser_page
    park = httpx.get(
        f"{live_server}/collections/industrial_parks/items", params={"f": "geojson", "uid": PLANNED}, timeout=30
    ).json()["features"][0]
    assert park["properties"]["lifecycle"] == "planned"
    centre = shape(park["geometry"]).representative_point()
    bp.open(f"/maps/zones#c={centre.y:.6f},{centre.x:.6f}&z=14&l=industrial_parks")
    pane = ".leaflet-za-industrial_parks-pane"
    bp.page.wait_for_selector(f"{pane} {DASHED}")
    control = bp.page.locator("#za-lifecycle")
    assert "Giai đoạn" in control.inner_text() and "Trong quy hoạch được duyệt" in control.inner_text()
    bp.page.locator("[data-lang='en']").first.click()
    assert "In the approved plan" in control.inner_text() and "Proposed" in control.inner_text()
    bp.screenshot("maps_zones_planned_park")

    control.locator("input[value='planned']").uncheck()
    bp.page.wait_for_function(f'() => document.querySelectorAll("{pane} {DASHED}").length === 0')
    assert "lc=planned" in bp.page.evaluate("() => window.location.hash")
    control.locator("input[value='planned']").check()
    bp.page.wait_for_selector(f"{pane} {DASHED}")
    bp.assert_clean()
