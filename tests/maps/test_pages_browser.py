"""The HTML pages in a real headless Chromium against `zoneatlas serve`: maps draw every feature, offline.

The feature counts come from the JSON API over httpx, an independent path from the page's own fetch.
"""

import httpx
import pytest

from tests.browser import CANVAS_PIXELS_JS, BrowserPage

# The browser fixtures, made visible to pytest in this module (assigned, not imported, so that test arguments
# of the same name do not read as redefinitions to ruff).

BORDER_GATES = 8


def items(live_server: str, collection: str) -> dict:
    response = httpx.get(
        f"{live_server}/collections/{collection}/items", params={"f": "geojson", "limit": 1000}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def wait_for_features(bp: BrowserPage, expected: int) -> None:
    """Wait until the page's items fetch has been drawn and listed."""
    bp.page.wait_for_function("() => document.getElementById('summary').textContent.length > 0")
    bp.page.wait_for_function(f"() => document.querySelectorAll('#features tr').length === {expected} + 1")


def test_landing_page(browser_page: BrowserPage) -> None:
    bp = browser_page
    bp.open("/?f=html")
    assert bp.page.title() == "Zone Atlas — Zone Atlas"
    text = bp.page.inner_text("main")
    assert "Hệ thống GIS quy hoạch khu kinh tế" in text
    assert "Economic-zone planning GIS" in text
    assert "Lớp dữ liệu / Layers" in text
    assert "Cửa khẩu" in text and "Border" in text
    paths = bp.page.eval_on_selector_all("main a", "links => links.map((a) => new URL(a.href).pathname)")
    assert "/collections" in paths
    assert "/collections/border_gates" in paths
    bp.screenshot("landing")

    bp.page.click("main a[href$='/collections/border_gates?f=html']")
    bp.page.wait_for_load_state("networkidle")
    assert bp.page.url.endswith("/collections/border_gates?f=html")
    assert bp.page.is_visible(".leaflet-container")
    bp.assert_clean()


def test_api_docs_render_offline(browser_page: BrowserPage) -> None:
    bp = browser_page
    bp.open("/docs")
    bp.page.wait_for_selector(".swagger-ui .info .title")
    assert "Zone Atlas" in bp.page.inner_text(".swagger-ui .info .title")
    bp.page.get_by_text("/collections/{collection_id}/items", exact=True).first.wait_for()
    bp.screenshot("api_docs")
    bp.assert_clean()


def test_collections_page(browser_page: BrowserPage) -> None:
    bp = browser_page
    bp.open("/collections?f=html")
    ids = bp.page.eval_on_selector_all("main table code", "codes => codes.map((c) => c.textContent)")
    assert {"border_gates", "land_plots"} <= set(ids)
    assert "Lớp dữ liệu / Collections" in bp.page.inner_text("h1")
    bp.screenshot("collections")
    bp.assert_clean()


def test_border_gates_map_draws_every_gate(browser_page: BrowserPage, live_server: str) -> None:
    fc = items(live_server, "border_gates")
    assert fc["numberReturned"] == fc["numberMatched"] == BORDER_GATES
    bp = browser_page
    bp.open("/collections/border_gates?f=html")
    assert bp.page.is_visible("#map.leaflet-container")
    wait_for_features(bp, BORDER_GATES)

    assert bp.page.inner_text("#summary").startswith(f"{BORDER_GATES} / {BORDER_GATES} ")
    names = bp.page.eval_on_selector_all("#features tr td:nth-child(2)", "cells => cells.map((c) => c.textContent)")
    assert len(names) == BORDER_GATES
    assert "Cửa khẩu quốc tế Tịnh Biên" in names
    assert sorted(names) == sorted(f["properties"]["name_vi"] for f in fc["features"])

    assert bp.drawn() == {"maps": 1, "drawn": BORDER_GATES, "inView": BORDER_GATES}
    bp.wait_painted()
    bp.screenshot("border_gates")
    bp.assert_clean()


@pytest.mark.parametrize("page", ["/collections/border_gates?f=html", "/collections/border_gates/items?f=html"])
def test_collection_pages_link_to_their_items(browser_page: BrowserPage, live_server: str, page: str) -> None:
    fc = items(live_server, "border_gates")
    bp = browser_page
    bp.open(page)
    wait_for_features(bp, BORDER_GATES)
    paths = bp.page.eval_on_selector_all("#features a", "links => links.map((a) => new URL(a.href).pathname)")
    assert paths == [f"/collections/border_gates/items/{f['id']}" for f in fc["features"]]
    bp.page.click("#features a >> nth=0")
    bp.page.wait_for_load_state("networkidle")
    assert bp.page.inner_text("h1") == fc["features"][0]["properties"]["name_vi"]
    assert bp.drawn()["drawn"] == 1
    bp.assert_clean()


def test_land_plots_map_draws_every_polygon(browser_page: BrowserPage, live_server: str) -> None:
    fc = items(live_server, "land_plots")
    returned = fc["numberReturned"]
    assert returned == len(fc["features"]) > 0
    bp = browser_page
    bp.open("/collections/land_plots?f=html")
    assert bp.page.is_visible("#map.leaflet-container")
    wait_for_features(bp, min(returned, 200))  # the table lists the first 200

    bp.wait_painted()
    bp.screenshot("land_plots")
    bp.screenshot("land_plots_map", "#map")
    assert bp.page.inner_text("#summary").startswith(f"{returned} / {fc['numberMatched']} ")
    assert bp.drawn() == {"maps": 1, "drawn": returned, "inView": returned}
    assert bp.page.eval_on_selector_all(".leaflet-overlay-pane canvas", "c => c.length") == 1
    # At the layer's extent (plots from the Mekong delta to Ninh Bình) parks are specks, most plots sub-pixel.
    assert bp.canvas_pixels() > 0
    # Zoomed to one park, its plots are painted as polygons.
    bp.page.evaluate("""() => {
      const map = window.__zoneatlasMaps[0];
      const park = [];
      map.eachLayer((l) => { if (l.feature && l.feature.properties.park_uid === "KCN-VA1") park.push(l); });
      map.fitBounds(L.featureGroup(park).getBounds(), { animate: false });
    }""")
    bp.page.wait_for_function(f"() => ({CANVAS_PIXELS_JS})() > 10000")
    bp.screenshot("land_plots_zoomed", "#map")
    bp.assert_clean()


def test_item_page(browser_page: BrowserPage, live_server: str) -> None:
    fc = items(live_server, "border_gates")
    feature = next(f for f in fc["features"] if f["properties"]["name_vi"] == "Cửa khẩu quốc tế Tịnh Biên")
    bp = browser_page
    bp.open(f"/collections/border_gates/items/{feature['id']}?f=html")
    assert bp.page.inner_text("h1") == "Cửa khẩu quốc tế Tịnh Biên"
    assert bp.page.is_visible("#map.leaflet-container")
    rows = dict(
        bp.page.eval_on_selector_all(
            "table.props tr", "rows => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])"
        )
    )
    assert rows["Tên tiếng Việt / Vietnamese name"] == "Cửa khẩu quốc tế Tịnh Biên"
    assert rows["Tên tiếng Anh / English name"] == feature["properties"]["name_en"]
    assert feature["properties"]["country"] == "VN" and rows["Quốc gia / Country"] == "Việt Nam / Viet Nam"
    assert feature["properties"]["counterpart_country"] == "KH" and rows["Nước / Country"] == "Campuchia / Cambodia"
    assert feature["properties"]["opened_on"] is None and rows["Mở từ / Opened"] == "—"
    assert rows["Ranh giới minh họa / Outline is illustrative"] in ("Có / Yes", "Không / No")
    assert "notes" not in feature["properties"] and "Ghi chú / Notes" not in rows  # working notes are staff-only
    assert bp.drawn() == {"maps": 1, "drawn": 1, "inView": 1}
    assert bp.page.eval_on_selector_all(".leaflet-overlay-pane svg path", "p => p.length") == 1
    bp.screenshot("border_gate_item")
    bp.assert_clean()


@pytest.mark.parametrize("path", ["/collections/land_plots/items?f=html", "/collections/economic_zones?f=html"])
def test_other_map_pages_are_clean(browser_page: BrowserPage, path: str) -> None:
    bp = browser_page
    bp.open(path)
    bp.page.wait_for_function("() => document.getElementById('summary').textContent.length > 0")
    assert bp.drawn()["drawn"] > 0
    bp.assert_clean()


# Strings that end or re-enter a script element, and line separators older JavaScript refuses in strings.
HOSTILE_NAME = "<!--<script>"
HOSTILE_EN = "</script><script>window.pwned = 1</script> & \u2028\u2029 end"


def test_item_page_survives_names_that_close_or_open_scripts(
    browser_page: BrowserPage, live_server: str, client, staff, edits
) -> None:
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [105.60, 10.80]},
        "properties": {
            "uid": "TEST-CK-SCRIPT",
            "name_vi": HOSTILE_NAME,
            "name_en": HOSTILE_EN,
            "gate_class": "main",
            "mode": "road",
            "country": "VN",
            "province_code": "DONG_THAP",
        },
    }
    created = client.post(
        "/collections/border_gates/items",
        json=body,
        headers={**staff["editor"], "Content-Type": "application/geo+json"},
    )
    assert created.status_code == 201, created.text
    bp = browser_page
    bp.open(httpx.URL(created.headers["location"]).path + "?f=html")
    assert bp.page.inner_text("h1") == HOSTILE_NAME
    feature = bp.page.evaluate("() => JSON.parse(document.getElementById('feature').textContent)")
    assert feature["properties"]["name_vi"] == HOSTILE_NAME and feature["properties"]["name_en"] == HOSTILE_EN
    assert bp.page.evaluate("() => window.pwned") is None
    assert bp.drawn() == {"maps": 1, "drawn": 1, "inView": 1}  # item.js ran after the data block
    bp.assert_clean()
