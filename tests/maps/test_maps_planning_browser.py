"""The planners' map pages in headless Chromium against `zoneatlas serve`: drawn, clickable, offline, reproducible.

Known answers come from elsewhere: the items API over httpx, pyproj (coordinates, geodesic lengths), shapely and
pyproj.Geod on the GeoJSON of two plans (the change table), the demo data files (clearance history), SQL.
"""

import json
from datetime import date

import httpx
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import shape
from sqlalchemy import text

from gis.crs import TEST_VECTORS
from gis.settings import PROJECT_ROOT
from layers.registry import STAGE_LEGEND
from tests import accounts
from tests.api.test_planning_api import OLD_AG, independent_changes
from tests.browser import BrowserPage

GEOD = Geod(ellps="WGS84")
PLOT = "KCN-VHVA-CN22"


def api(live_server: str, path: str, params: dict | None = None) -> dict:
    response = httpx.get(live_server + path, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def click_at(bp: BrowserPage, lat: float, lon: float, move_only: bool = False) -> None:
    """Move (or click) the mouse to where the page's map draws lat/lon."""
    point = bp.page.evaluate(
        """([lat, lon]) => { const m = window.zoneAtlasPage.map; const p = m.latLngToContainerPoint([lat, lon]);
             const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
        [lat, lon],
    )
    if move_only:
        bp.page.mouse.move(*point)
    else:
        bp.page.mouse.click(*point)


def test_zone_map_plot_popup_and_coordinates(browser_page: BrowserPage, live_server: str):
    bp = browser_page
    plot = api(live_server, "/collections/land_plots/items", {"f": "geojson", "uid": PLOT})["features"][0]
    centre = shape(plot["geometry"]).representative_point()
    bp.open(
        f"/maps/zones#c={centre.y:.6f},{centre.x:.6f}&z=17"
        "&l=economic_zones,functional_areas,industrial_parks,land_plots,projects"
    )
    bp.page.wait_for_selector(".leaflet-za-land_plots-pane path.leaflet-interactive")
    bp.page.wait_for_function("() => document.querySelectorAll('.leaflet-za-industrial_parks-pane path').length > 0")
    assert bp.drawn()["drawn"] > 0  # GeoJSON layers (zones, areas, parks, projects) are on the map

    click_at(bp, centre.y, centre.x)
    popup = bp.page.locator(".leaflet-popup-content")
    popup.get_by_text(plot["properties"]["name_vi"]).wait_for()
    park = api(live_server, "/collections/industrial_parks/items", {"f": "geojson", "uid": "KCN-VHVA"})
    assert park["features"][0]["properties"]["name_vi"] in popup.inner_text()
    assert "Giải phóng mặt bằng" not in popup.inner_text()  # clearance status is for staff only
    bp.screenshot("maps_zones_plot_popup")

    # Cursor coordinates: WGS84 and the province's VN-2000 TM-3, against pyproj and the published test vector.
    bp.page.keyboard.press("Escape")
    vector = next(v for v in TEST_VECTORS if v.name == "Vũng Áng bay")
    bp.page.evaluate(f"() => window.zoneAtlasPage.map.setView([{vector.lat}, {vector.lon}], 17, {{animate: false}})")
    click_at(bp, vector.lat, vector.lon, move_only=True)
    coords = bp.page.locator("#za-coords")
    bp.page.wait_for_function("() => document.getElementById('za-coords').dataset.epsg === '9209'")
    easting, northing = float(coords.get_attribute("data-easting")), float(coords.get_attribute("data-northing"))
    lat, lon = map(float, coords.inner_text().split("\n")[0].removeprefix("WGS84 ").split(","))
    expected = Transformer.from_crs(4326, 9209, always_xy=True).transform(lon, lat)
    assert easting == pytest.approx(expected[0], abs=0.5) and northing == pytest.approx(expected[1], abs=0.5)
    assert easting == pytest.approx(vector.easting, abs=5) and northing == pytest.approx(vector.northing, abs=5)
    assert "EPSG:9209" in coords.inner_text()
    bp.screenshot("maps_zones")
    bp.assert_clean()


def test_zone_map_search_finds_a_seed_spelling_and_shows_it(browser_page: BrowserPage, live_server: str):
    bp = browser_page
    bp.open("/maps/zones")
    bp.page.fill("#za-q", "Hoàn Sơn")
    first = bp.page.locator("#za-results li").first
    first.locator("a").wait_for()
    assert first.locator("a").inner_text() == "Khu công nghiệp Hoành Sơn"
    assert "(Khu công nghiệp Hoàn Sơn)" in first.inner_text()  # the spelling that matched, beside the name
    bp.assert_clean()


def test_zone_map_search_language_measure_and_url_state(browser_page: BrowserPage, live_server: str):
    bp = browser_page
    bp.open("/maps/zones")
    bp.page.fill("#za-q", "cau treo")
    first = bp.page.locator("#za-results a").first
    first.wait_for()
    assert first.inner_text() == "Khu kinh tế cửa khẩu quốc tế Cầu Treo"
    first.click()
    zone = api(live_server, "/api/search", {"q": "Cầu Treo"})["hits"][0]
    bp.page.wait_for_function("() => window.zoneAtlasPage.map.getZoom() > 9")
    centre = bp.page.evaluate("() => window.zoneAtlasPage.map.getCenter()")
    minx, miny, maxx, maxy = zone["bbox"]
    assert minx < centre["lng"] < maxx and miny < centre["lat"] < maxy

    bp.page.click("button[data-lang=en]")
    assert bp.page.inner_text("h1") == "Economic-zone map"
    assert "Functional areas" in bp.page.inner_text("#za-layers")
    bp.page.uncheck("input[data-layer=projects]")
    bp.page.wait_for_function("() => location.hash.includes('lang=en') && !location.hash.includes('projects')")

    # Measuring: two clicks, length against pyproj's geodesic on the WGS84 ellipsoid.
    bp.page.click(".za-measure-toggle")
    box = bp.page.locator(".folium-map").bounding_box()
    bp.page.mouse.click(box["x"] + 300, box["y"] + 300)
    bp.page.mouse.click(box["x"] + 700, box["y"] + 500)
    points = bp.page.evaluate("() => window.zoneAtlasPage.measure.points().map((p) => [p.lat, p.lng])")
    assert len(points) == 2
    shown = float(bp.page.locator(".za-measure-out").get_attribute("data-length-m"))
    (lat1, lon1), (lat2, lon2) = points
    assert shown == pytest.approx(GEOD.inv(lon1, lat1, lon2, lat2)[2], abs=0.01)
    assert "km" in bp.page.inner_text(".za-measure-out")
    bp.page.click(".za-measure-toggle")

    # The link reproduces the view: same centre, zoom, layers and language in a fresh page.
    url = bp.page.url
    view = bp.page.evaluate("() => [window.zoneAtlasPage.map.getCenter(), window.zoneAtlasPage.map.getZoom()]")
    other = bp.page.context.new_page()
    other.goto(url, wait_until="networkidle")
    again = other.evaluate("() => [window.zoneAtlasPage.map.getCenter(), window.zoneAtlasPage.map.getZoom()]")
    assert again[1] == view[1]
    assert again[0]["lat"] == pytest.approx(view[0]["lat"], abs=1e-4)
    assert again[0]["lng"] == pytest.approx(view[0]["lng"], abs=1e-4)
    assert other.inner_text("h1") == "Economic-zone map"
    assert other.is_checked("input[data-layer=functional_areas]") and not other.is_checked("input[data-layer=projects]")
    other.close()
    bp.screenshot("maps_zones_english")
    bp.assert_clean()


def zone_versions_drawn(bp: BrowserPage, side: str) -> dict[int, list[float]]:
    """Economic-zone features drawn on one side of the swipe: id → bounds."""
    return {
        int(k): v
        for k, v in bp.page.evaluate(
            """(side) => { const out = {}; window.zoneAtlasPage.sides[side].eachLayer((g) => g.eachLayer((l) => {
             if (l.feature && 'zone_type' in l.feature.properties) { const b = l.getBounds();
               out[l.feature.id] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; } })); return out; }""",
            side,
        ).items()
    }


def wait_ready(bp: BrowserPage, after: str | None = None) -> str:
    condition = "document.body.dataset.revisionsReady" + (
        f" && document.body.dataset.revisionsReady !== '{after}'" if after else ""
    )
    bp.page.wait_for_function(f"() => {condition}")
    return bp.page.evaluate("() => document.body.dataset.revisionsReady")


def test_revisions_older_decision_and_change_table(browser_page: BrowserPage, live_server: str):
    bp = browser_page
    bp.open("/maps/revisions#zone=KKTCK-AG")
    ready = wait_ready(bp)
    current = api(live_server, "/collections/economic_zones/items", {"f": "geojson", "uid": "KKTCK-AG"})
    older = api(
        live_server, "/collections/economic_zones/items", {"f": "geojson", "uid": "KKTCK-AG", "datetime": "2012-01-01"}
    )
    assert set(zone_versions_drawn(bp, "a")) == {current["features"][0]["id"]}
    bounds_now = next(iter(zone_versions_drawn(bp, "a").values()))

    bp.page.select_option("#za-a", OLD_AG)
    ready = wait_ready(bp, ready)
    drawn = zone_versions_drawn(bp, "a")
    assert set(drawn) == {older["features"][0]["id"]} != {current["features"][0]["id"]}
    assert next(iter(drawn.values())) != bounds_now  # the boundary drawn has changed
    bp.screenshot("maps_revisions_older")

    bp.page.select_option("#za-b", "456/QĐ-TTg")
    wait_ready(bp, ready)
    assert set(zone_versions_drawn(bp, "b")) == {current["features"][0]["id"]}
    table = bp.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#za-changes tbody tr')].map((tr) => [
             tr.dataset.kind, { added_ha: Number(tr.querySelector('[data-col=added]').dataset.value),
                                removed_ha: Number(tr.querySelector('[data-col=removed]').dataset.value) }]))"""
    )
    expected = independent_changes(
        lambda path, params: api(live_server, path, params), "KKTCK-AG", "2009-06-15", "2016-03-22"
    )
    assert set(table) == set(expected)
    for kind, row in table.items():
        assert row["added_ha"] == pytest.approx(expected[kind]["added_ha"], rel=1e-4, abs=0.01), kind
        assert row["removed_ha"] == pytest.approx(expected[kind]["removed_ha"], rel=1e-4, abs=0.01), kind
    decisions = bp.page.inner_text("#za-decisions")
    assert "456/QĐ-TTg" in decisions and "22/03/2016" in decisions and "Thủ tướng Chính phủ" in decisions

    # The swipe clips side A left of the handle and side B right of it.
    bp.page.evaluate("""() => { const r = document.getElementById('za-swipe-range'); r.value = '0.3';
                                r.dispatchEvent(new Event('input')); }""")
    clips = bp.page.evaluate(
        "() => [window.zoneAtlasPage.map.getPane('za-side-a').style.clip, "
        "window.zoneAtlasPage.map.getPane('za-side-b').style.clip]"
    )
    assert all(c.startswith("rect(") for c in clips) and clips[0] != clips[1]
    assert "swipe=0.300" in bp.page.url
    bp.screenshot("maps_revisions")
    bp.assert_clean()


def sign_in(bp: BrowserPage, path: str) -> None:
    bp.page.goto(bp.base_url + path, wait_until="networkidle")
    assert "/login?next=" in bp.page.url  # anonymous readers are sent to the login page
    bp.page.fill("#username", "test_viewer")
    bp.page.fill("#password", accounts.PASSWORD)
    bp.page.click("form [type=submit]")
    bp.page.wait_for_load_state("networkidle")


def test_clearance_map_chart_shows_the_stage_history(browser_page: BrowserPage, staff, db_conn):
    bp = browser_page
    sign_in(bp, "/maps/clearance")
    assert bp.page.url.split("#")[0].endswith("/maps/clearance")  # back where the reader asked to go
    bp.page.goto(bp.base_url + "/maps/clearance#project=PRJ-VHVA")
    bp.page.reload(wait_until="networkidle")  # same document, new hash: load it again to read the state
    bp.page.wait_for_function("() => document.body.dataset.clearanceReady === 'PRJ-VHVA'")
    bp.page.wait_for_selector(".leaflet-za-parcels-pane path")

    parcels = [
        f
        for f in json.loads((PROJECT_ROOT / "data/demo/clearance_parcels.geojson").read_text("utf-8"))["features"]
        if f["properties"]["project_uid"] == "PRJ-VHVA"
    ]
    today = date.today().isoformat()
    stage_dates = sorted(
        {
            f["properties"][f"{s}_on"]
            for f in parcels
            for s in ("notice_issued", "inventoried", "plan_approved", "compensation_paid", "handed_over")
            if f["properties"][f"{s}_on"] and f["properties"][f"{s}_on"] <= today
        }
    )
    handed = [f for f in parcels if f["properties"]["handed_over_on"] and f["properties"]["handed_over_on"] <= today]
    handed_ha = sum(abs(GEOD.geometry_area_perimeter(shape(f["geometry"]))[0]) for f in handed) / 1e4
    chart = bp.page.evaluate("""() => ({ labels: window.zoneAtlasPage.chart.data.labels,
        sets: Object.fromEntries(window.zoneAtlasPage.chart.data.datasets.map((d) => [d.stage, d.data])) })""")
    assert chart["labels"] == stage_dates
    assert set(chart["sets"]) == {"notice_issued", "inventoried", "plan_approved", "compensation_paid", "handed_over"}
    assert chart["sets"]["handed_over"][-1] == pytest.approx(handed_ha, abs=0.01)
    first_handover = min(f["properties"]["handed_over_on"] for f in handed)
    index = chart["labels"].index(first_handover)
    assert chart["sets"]["handed_over"][index - 1] == 0 < chart["sets"]["handed_over"][index]
    figures = bp.page.inner_text("#za-figures-table")
    assert f"{sum(f['properties']['households_affected'] for f in parcels)}" in figures
    reports = bp.page.eval_on_selector_all(".za-report", "as => as.map((a) => a.getAttribute('href'))")
    assert reports == [f"/api/reports/clearance?f={f}&project=PRJ-VHVA" for f in ("pdf", "xlsx", "csv")]
    bp.screenshot("maps_clearance")

    bp.page.select_option("#za-stage", "handed_over")
    bp.page.wait_for_function("() => location.hash.includes('stage=handed_over')")
    bp.page.wait_for_selector(".leaflet-za-parcels-pane path")
    colours = set(
        bp.page.eval_on_selector_all(".leaflet-za-parcels-pane path", "ps => ps.map((p) => p.getAttribute('fill'))")
    )
    handed_over = next(c for v, c, _, _ in STAGE_LEGEND.classes if v == "handed_over")
    assert colours == {handed_over}  # only the handed-over colour is left
    bp.assert_clean()


def test_clearance_map_draws_merged_parcels_at_low_zoom(browser_page: BrowserPage, staff, db_conn):
    bp = browser_page
    sign_in(bp, "/maps/clearance")
    lat, lon, project, sheet, parcels = db_conn.execute(
        text(
            "SELECT ST_Y(c), ST_X(c), uid, map_sheet, n FROM (SELECT p.uid, map_sheet, count(*) AS n, "
            "ST_PointOnSurface(ST_Union(c.geom)) AS c FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
            "GROUP BY p.uid, map_sheet, stage ORDER BY count(*) DESC LIMIT 1) g"
        )
    ).one()
    bp.page.goto(bp.base_url + f"/maps/clearance#c={lat:.6f},{lon:.6f}&z=11&project={project}")
    bp.page.reload(wait_until="networkidle")
    bp.page.wait_for_selector(".leaflet-za-parcels-pane path")
    assert bp.page.evaluate("() => window.zoneAtlasPage.map.getZoom()") == 11
    click_at(bp, lat, lon)
    popup = bp.page.locator(".leaflet-popup-content")
    popup.get_by_text(f"{parcels} thửa (gộp)").wait_for()
    assert sheet in popup.inner_text()
    assert "Chi tiết" not in popup.inner_text()  # a merged group has no item page
    bp.screenshot("maps_clearance_merged")
    bp.assert_clean()


def test_zone_map_draws_parcels_on_canvas_and_answers_clicks(browser_page: BrowserPage, staff, db_conn):
    bp = browser_page
    sign_in(bp, "/maps/clearance")  # staff see the clearance layer on the zone map too
    lat, lon, parcel_no = db_conn.execute(
        text(
            "SELECT ST_Y(c), ST_X(c), parcel_no FROM (SELECT ST_PointOnSurface(geom) AS c, parcel_no "
            "FROM clearance_parcels ORDER BY area_ha DESC LIMIT 1) p"
        )
    ).one()
    bp.page.goto(
        bp.base_url + f"/maps/zones#c={lat:.6f},{lon:.6f}&z=17&l=clearance_parcels", wait_until="networkidle"
    )  # another document than the clearance page: no reload needed
    drawn = bp.page.evaluate("""() => { const grid = window.zoneAtlasPage.layersOnMap.clearance_parcels;
        return Object.values(grid._vectorTiles).filter((r) => r instanceof L.Canvas)
          .reduce((n, r) => n + Object.keys(r._layers).length, 0); }""")
    assert drawn > 0  # parcels are on canvas tiles (no SVG paths for this dense layer)
    assert bp.page.locator(".leaflet-za-clearance_parcels-pane path").count() == 0
    click_at(bp, lat, lon)  # the page asks the items API which parcel lies under the click
    popup = bp.page.locator(".leaflet-popup-content")
    popup.get_by_role("heading", name=parcel_no).wait_for()
    bp.assert_clean()


def test_projects_map_highlights_delayed_projects(browser_page: BrowserPage, db_conn):
    bp = browser_page
    bp.open("/maps/projects#as_of=2026-01-01")
    bp.page.wait_for_function("() => document.body.dataset.projectsReady === '2026-01-01'")
    delayed = set(
        db_conn.execute(
            text(
                "SELECT DISTINCT p.uid FROM project_milestones m JOIN projects p ON p.id = m.project_id "
                "WHERE p.status <> 'terminated' AND m.committed_on < '2026-01-01' AND "
                "(m.actual_on IS NULL OR (m.actual_on > m.committed_on AND m.actual_on <= '2026-01-01'))"
            )
        ).scalars()
    )
    assert bp.page.inner_text("#za-delayed-count") == str(len(delayed))
    marked = bp.page.evaluate("""() => Object.entries(window.zoneAtlasPage.projectMarkers)
        .filter(([, m]) => m.options.className === 'za-delayed-marker').map(([uid]) => uid)""")
    assert set(marked) == delayed
    assert bp.page.locator(".za-delayed-marker").count() == len(delayed)
    assert bp.drawn()["drawn"] >= 25  # every demo project, plus the parks
    assert "Tải báo cáo:" in bp.page.inner_text("#za-panel")
    links = bp.page.eval_on_selector_all(".za-delayed-doc", "as => as.map((a) => a.getAttribute('href'))")
    assert links == [f"/api/reports/delayed-projects?as_of=2026-01-01&f={f}" for f in ("pdf", "xlsx", "csv")]
    bp.screenshot("maps_projects")
    bp.assert_clean()
