"""The land finder and the sheets in headless Chromium against `zoneatlas serve`: list, map and API agree.

Counts come from the API over httpx (an independent path from the page's own fetch), with the page's URL
as the query: the filter lives in the URL, so the same link must give the same answer.
"""

import subprocess
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.browser import SCREENSHOTS, BrowserPage

UI_PARAMS = {"lang", "tab", "cmp", "sel"}

# Plot features drawn on the page's map (the parks and zones outlines are features too, but not plots).
DRAWN_PLOTS_JS = """
() => {
  const maps = window.__zoneatlasMaps || [];
  let plots = 0;
  maps[0].eachLayer((layer) => {
    if (layer.feature && layer.feature.properties && layer.feature.properties.sheet_url) plots += 1;
  });
  return { maps: maps.length, plots };
}
"""


def api_count(live_server: str, page_url: str) -> int:
    params = [(k, v) for k, v in parse_qsl(urlsplit(page_url).query) if k not in UI_PARAMS]
    response = httpx.get(f"{live_server}/api/land/available", params=params, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"]
    return body["numberMatched"]


def wait_ready(bp: BrowserPage) -> None:
    bp.page.wait_for_function("() => document.body.dataset.ready === 'true'")


def agree(bp: BrowserPage, live_server: str) -> int:
    """Rows in the list, plots drawn on the map and the API's count for the page's URL are the same number."""
    expected = api_count(live_server, bp.page.url)
    bp.page.wait_for_function(f"() => document.querySelectorAll('#plot-list tbody tr').length === {expected}")
    drawn = bp.page.evaluate(DRAWN_PLOTS_JS)
    assert drawn == {"maps": 1, "plots": expected}
    assert bp.page.inner_text("#count") == str(expected)
    return expected


def test_finder_filters_and_keeps_list_map_and_url_in_step(browser_page: BrowserPage, live_server: str) -> None:
    bp = browser_page
    bp.open("/maps/land")
    wait_ready(bp)
    everything = agree(bp, live_server)
    assert everything > 10
    assert "Tìm đất cho nhà đầu tư" in bp.page.inner_text("header")
    bp.screenshot("land_finder")

    # Filter from the panel: at most 10 km from a seaport and 60 USD/m² at most.
    bp.page.fill("input[name=max_km_seaport]", "10")
    bp.page.fill("input[name=max_rent]", "60")
    bp.page.wait_for_function("() => location.search.includes('max_rent=60')")
    bp.page.wait_for_function(f"() => document.getElementById('count').textContent !== '{everything}'")
    wait_ready(bp)
    filtered = agree(bp, live_server)
    assert 0 < filtered < everything
    rents = bp.page.eval_on_selector_all(
        "#plot-list tbody tr td:nth-child(5)", "cells => cells.map(c => c.textContent)"
    )
    assert all(float(r) <= 60 for r in rents)
    assert "max_km_seaport=10" in bp.page.url

    # The link reproduces the search in a fresh page.
    link = bp.page.url
    second = bp.page.context.new_page()
    second.goto(link, wait_until="networkidle")
    second.wait_for_function("() => document.body.dataset.ready === 'true'")
    assert second.inner_text("#count") == str(filtered)
    assert second.input_value("input[name=max_rent]") == "60"
    second.close()

    # Clicking a row highlights its plot on the map; clicking a plot on the map selects its row.
    first = bp.page.locator("#plot-list tbody tr").first
    uid = first.get_attribute("data-uid")
    first.click()
    weight = bp.page.evaluate(f"() => window.landFinder.plotLayers.get({uid!r}).options.weight")
    assert weight == 4
    assert f"sel={uid}" in bp.page.url
    other = bp.page.locator("#plot-list tbody tr").nth(1).get_attribute("data-uid")
    bp.page.evaluate(f"() => window.landFinder.plotLayers.get({other!r}).fire('click')")
    assert bp.page.locator("#plot-list tbody tr.selected").get_attribute("data-uid") == other
    assert bp.page.evaluate(f"() => window.landFinder.plotLayers.get({uid!r}).options.weight") == 1
    bp.screenshot("land_finder_filtered")
    bp.assert_clean()


def test_finder_switches_language_and_compares_three_at_most(browser_page: BrowserPage, live_server: str) -> None:
    bp = browser_page
    bp.open("/maps/land?max_km_seaport=10&sort=distance_seaport")
    wait_ready(bp)
    agree(bp, live_server)
    bp.page.click("button[data-lang=en]")
    assert "Land finder for investors" in bp.page.inner_text("header")
    assert "Maximum rent (USD/m²)" in bp.page.inner_text("aside")
    assert "lang=en" in bp.page.url
    boxes = bp.page.locator("#plot-list tbody input.cmp")
    for i in range(4):
        boxes.nth(i).click()
    assert bp.page.locator("#plot-list tbody input.cmp:checked").count() == 3
    assert "At most three" in bp.page.inner_text("#status")
    header_cells = bp.page.locator("#compare-table tr").first.locator("td")
    assert header_cells.count() == 3
    assert bp.page.locator("#compare-table").inner_text().count("Seaport (km)") == 1
    compared = [bp.page.locator("#plot-list tbody tr").nth(i).get_attribute("data-uid") for i in range(3)]
    assert "cmp=" + "%2C".join(f"plot%3A{u}" for u in compared) in bp.page.url
    # The parks tab ranks parks; comparing a park starts a new comparison of parks.
    bp.page.click("#tab-parks")
    bp.page.locator("#park-list tbody input.cmp").first.click()
    bp.page.locator("#park-list tbody input.cmp").nth(1).click()
    assert bp.page.locator("#compare-table tr").first.locator("td").count() == 2
    assert "Occupancy (%)" in bp.page.inner_text("#compare-table")
    bp.screenshot("land_finder_compare_en")
    # Vietnamese again, from the same page.
    bp.page.click("button[data-lang=vi]")
    assert "Lấp đầy (%)" in bp.page.inner_text("#compare-table")
    bp.assert_clean()


def test_sheet_renders_and_its_pdf_opens(browser_page: BrowserPage, live_server: str, tmp_path) -> None:
    bp = browser_page
    bp.open("/land/plots/KCN-VA1-CN4")
    text = bp.page.text_content("article")  # the DOM text: CSS shows the sheet kind in capitals
    assert "Phiếu thông tin lô đất" in text and "Land plot information sheet" in text
    assert "Khu công nghiệp Vũng Áng 1" in text
    assert bp.page.locator("svg.extract path").count() > 10
    assert bp.page.locator(".qr svg").count() == 1
    bp.screenshot("land_plot_sheet", "article.sheet")
    href = bp.page.get_attribute("#pdf-link", "href")
    assert href == f"{live_server}/land/plots/KCN-VA1-CN4.pdf"
    with bp.page.expect_download() as download_info:
        bp.page.click("#pdf-link")
    pdf = tmp_path / "sheet.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    extracted = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "PHIẾU THÔNG TIN LÔ ĐẤT" in extracted and "LAND PLOT INFORMATION SHEET" in extracted
    assert "Khu công nghiệp Vũng Áng 1" in extracted
    assert "Giá thuê đất" in extracted and "Land rent" in extracted
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(SCREENSHOTS / "land_plot_sheet_pdf")], check=True
    )

    bp.open("/land/parks/KCN-VA1")
    assert "Tỷ lệ lấp đầy" in bp.page.inner_text("article") and "Occupancy" in bp.page.inner_text("article")
    bp.screenshot("land_park_sheet", "article.sheet")
    bp.assert_clean()
