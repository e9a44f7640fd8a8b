"""The leadership dashboard in headless Chromium: cards equal to plain SQL over the figures, charts drawn with the
expected labels and data, filters that update them, and only the public part (no staff-only calls) for anonymous."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

STAFF = "dash_browser_viewer"
STAFF_ONLY = ("/api/tasks", "/api/reports/clearance", "/api/reports/programme")

# Each project's yearly figure (its final one when it has one), per park — written apart from layers/enterprises.py.
YEARLY_SQL = """
SELECT pr.park_uid, f.basis = 'estimate' AS estimated,
       f.revenue_vnd, f.exports_usd, f.budget_vnd, f.workers_domestic, f.workers_foreign, f.new_jobs
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'year' AND pr.province_code = :p AND (:public_only = false OR f.public)
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final' AND (:public_only = false OR g.public)))
"""
CHART_JS = """
(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  if (!chart) return null;
  const canvas = chart.canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
  return { labels: chart.data.labels.map(String), data: chart.data.datasets.map((d) => d.data), painted };
}
"""


def _totals(engine, province: str, year: int, public_only: bool = False) -> tuple[dict, dict]:
    """Province totals and revenue per park, added up in Python from the rows."""
    totals: dict[str, Any] = {}
    parks: dict[str, Decimal] = {}
    with engine.connect() as conn:
        rows = conn.execute(text(YEARLY_SQL), {"y": year, "p": province, "public_only": public_only}).all()
    for row in rows:
        for key, value in row._mapping.items():
            if key not in ("park_uid", "estimated") and value is not None:
                totals[key] = totals.get(key, Decimal(0)) + Decimal(value)
        if row.park_uid and row.revenue_vnd is not None:
            parks[row.park_uid] = parks.get(row.park_uid, Decimal(0)) + Decimal(row.revenue_vnd)
    totals["estimated"] = any(row.estimated for row in rows)
    return totals, parks


def vi(value: Decimal) -> str:
    """A number the Vietnamese way, as the page shows it: dot thousands, comma decimals, at most one decimal."""
    text_ = f"{value.quantize(Decimal('0.1')):,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text_.removesuffix(",0")


def _card(bp: BrowserPage, measure: str) -> str:
    return bp.page.inner_text(f"#dash-cards article[data-measure='{measure}'] .value")


def _wait_ready(bp: BrowserPage, state: str) -> None:
    """Wait until the page has drawn everything for this filter, or fail saying what the page said."""
    try:
        bp.page.wait_for_function("(s) => document.body.dataset.dashboardReady === s", arg=state)
    except PlaywrightTimeout:
        status = bp.page.inner_text("#dash-status")
        raise AssertionError((state, status, bp.console_errors, bp.page_errors, bp.bad_responses)) from None


def _sign_in(bp: BrowserPage) -> None:
    bp.open("/login?next=/dashboard")
    bp.page.fill("#username", STAFF)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def test_staff_see_cards_equal_to_sql_charts_and_filters(browser_page: BrowserPage, engine, edits) -> None:
    bp = browser_page
    accounts.make_user(engine, STAFF, "viewer")
    with engine.connect() as conn:
        years = list(conn.execute(text("SELECT DISTINCT year FROM enterprise_figures ORDER BY 1")).scalars())
    _sign_in(bp)
    assert bp.page.url.endswith("/dashboard")
    _wait_ready(bp, f"{years[-1]}|||")  # the latest year with figures is the default, everywhere
    assert bp.page.is_visible("header a[href='/dashboard']")

    bp.page.select_option("#f-province", "NINH_BINH")
    _wait_ready(bp, f"{years[-1]}|NINH_BINH||")
    bp.page.select_option("#f-year", "2021")
    _wait_ready(bp, "2021|NINH_BINH||")
    totals, parks = _totals(engine, "NINH_BINH", 2021)
    assert totals["revenue_vnd"] == 69_448 * 10**9  # the board's published total
    assert _card(bp, "revenue_vnd").startswith(f"{vi(totals['revenue_vnd'] / 10**9)} tỷ đồng")
    assert _card(bp, "exports_usd").startswith(f"{vi(totals['exports_usd'] / 10**6)} triệu USD")
    assert _card(bp, "budget_vnd").startswith(f"{vi(totals['budget_vnd'] / 10**9)} tỷ đồng")
    workers = totals["workers_domestic"] + totals["workers_foreign"]
    assert _card(bp, "workers").startswith(f"{vi(workers)} người")
    assert _card(bp, "new_jobs").startswith(f"{vi(totals['new_jobs'])} người")
    before, _ = _totals(engine, "NINH_BINH", 2020)
    change = totals["revenue_vnd"] - before["revenue_vnd"]
    revenue_card = bp.page.inner_text("#dash-cards article[data-measure='revenue_vnd']")
    assert f"+{vi(change / 10**9)} tỷ đồng" in revenue_card and "so với / on 2020" in revenue_card
    assert "115,7 % kế hoạch / of target" in revenue_card  # the published 115.7 % of the 2021 plan
    assert totals["estimated"] and "ước / est." in revenue_card  # the published totals are estimates

    trend = bp.page.evaluate(CHART_JS, "chart-trend")
    assert trend["labels"] == [str(y) for y in years] and trend["painted"] > 0
    assert trend["data"][0][years.index(2021)] == float(totals["revenue_vnd"] / 10**9)
    assert trend["data"][1][years.index(2021)] == float(totals["exports_usd"] / 10**6)
    before_tip = bp.page.evaluate(TICKS_AND_TOOLTIP, ["chart-trend", "y", 0, years.index(2021)])
    assert before_tip["title"] == ["2021"] and before_tip["after"] == ["ước / est."]  # 2021's totals are estimates
    assert bp.page.evaluate(TICKS_AND_TOOLTIP, ["chart-trend", "y", 0, years.index(2020)])["after"] == []
    by_park = bp.page.evaluate(CHART_JS, "chart-parks")
    with engine.connect() as conn:
        names = dict(conn.execute(text("SELECT uid, name_vi FROM industrial_parks WHERE valid_to IS NULL")).all())
    shown = dict(zip(by_park["labels"], by_park["data"][0], strict=True))
    assert shown == {names[uid]: float(value / 10**9) for uid, value in parks.items()}
    assert by_park["painted"] > 0
    people = bp.page.evaluate(CHART_JS, "chart-workers")
    assert people["data"][0] == [float(totals["workers_domestic"]), float(totals["workers_foreign"])]
    with engine.connect() as conn:
        nb_parks = set(
            conn.execute(
                text("SELECT name_vi FROM industrial_parks WHERE valid_to IS NULL AND province_code = 'NINH_BINH'")
            ).scalars()
        )
    occupancy = bp.page.evaluate(CHART_JS, "chart-occupancy")
    assert occupancy["labels"] and set(occupancy["labels"]) <= nb_parks
    for chart in ("chart-tasks", "chart-clearance"):
        assert bp.page.evaluate(CHART_JS, chart) is not None, chart

    # Another board and year: the cards follow the filter.
    bp.page.select_option("#f-province", "HA_TINH")
    _wait_ready(bp, "2021|HA_TINH||")
    bp.page.select_option("#f-year", "2023")
    _wait_ready(bp, "2023|HA_TINH||")
    ha_tinh, _ = _totals(engine, "HA_TINH", 2023)
    assert _card(bp, "revenue_vnd").startswith(f"{vi(ha_tinh['revenue_vnd'] / 10**9)} tỷ đồng")
    assert ha_tinh["revenue_vnd"] != totals["revenue_vnd"]
    assert ("ước / est." in bp.page.inner_text("#dash-cards")) is ha_tinh["estimated"]
    bp.screenshot("dashboard-staff")
    bp.assert_clean()


def test_anonymous_readers_get_the_public_part_without_staff_calls(browser_page: BrowserPage, engine) -> None:
    bp = browser_page
    asked: list[str] = []
    bp.page.on("request", lambda request: asked.append(request.url))
    with engine.connect() as conn:
        latest = conn.execute(text("SELECT max(year) FROM enterprise_figures WHERE public")).scalar_one()
    bp.open("/dashboard")
    _wait_ready(bp, f"{latest}|||")
    assert not bp.page.query_selector("#dash-tasks") and not bp.page.query_selector("#dash-clearance")
    assert not bp.page.query_selector("#chart-tasks") and not bp.page.query_selector("#chart-clearance")
    assert not [url for url in asked if any(path in url for path in STAFF_ONLY)]
    # One refresh: the chosen year's report and one trend call for every year (not one report per year).
    paths = [urlparse(url).path for url in asked]
    assert paths.count("/api/reports/enterprises") == 1 and paths.count("/api/reports/enterprises/trend") == 1
    with engine.connect() as conn:
        public_years = list(conn.execute(text("SELECT DISTINCT year FROM enterprise_figures WHERE public ORDER BY 1")))
    trend = bp.page.evaluate(CHART_JS, "chart-trend")
    assert trend["labels"] == [str(y) for (y,) in public_years] and trend["painted"] > 0
    bp.page.select_option("#f-province", "NINH_BINH")
    bp.page.select_option("#f-year", "2021")
    _wait_ready(bp, "2021|NINH_BINH||")
    public, _ = _totals(engine, "NINH_BINH", 2021, public_only=True)
    expected = f"{vi(public['revenue_vnd'] / 10**9)} tỷ đồng" if "revenue_vnd" in public else "—"
    assert _card(bp, "revenue_vnd").startswith(expected)
    assert bp.page.is_visible("header a[href='/dashboard']")
    bp.assert_clean()


CAPITAL_SQL = """
SELECT pr.park_uid, f.illustrative, f.registered_capital_vnd, f.implemented_capital_vnd,
       f.registered_capital_usd, f.implemented_capital_usd
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'year' AND pr.province_code = :p
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final'))
"""
CLEARANCE_SQL = """
SELECT p.name_vi, a.name_vi AS province, sum(c.area_ha) AS total_ha,
       coalesce(sum(c.area_ha) FILTER (WHERE c.handed_over_on <= :end), 0) AS handed_over_ha
FROM clearance_parcels c JOIN projects p ON p.id = c.project_id
JOIN admin_units a ON a.code = p.province_code AND a.level = 'province' AND a.valid_to IS NULL
WHERE :province IS NULL OR p.province_code = :province
GROUP BY p.name_vi, a.name_vi
"""
TICKS_AND_TOOLTIP = """
([id, axis, dataset, index]) => {
  const chart = Chart.getChart(document.getElementById(id));
  chart.tooltip.setActiveElements([{ datasetIndex: dataset, index }], { x: 0, y: 0 });
  chart.update();
  const tip = chart.tooltip;
  return {
    ticks: chart.scales[axis].ticks.map((t) => String(t.label)),
    title: tip.title,
    lines: tip.body.flatMap((b) => b.lines),
    after: tip.afterBody,
  };
}
"""
KINDS = ("registered", "implemented")
VI_NUMBER = r"^-?\d{1,3}(\.\d{3})*(,\d+)?$"  # 1.503,2: dots between thousands, a comma before decimals


def _capital(engine, province: str, year: int) -> tuple[dict[str, dict[str, Decimal]], bool]:
    """Capital per park (uid → measure → sum) added up in Python, and whether any figure is invented."""
    parks: dict[str, dict[str, Decimal]] = {}
    with engine.connect() as conn:
        rows = conn.execute(text(CAPITAL_SQL), {"y": year, "p": province}).all()
    for row in rows:
        park = parks.setdefault(row.park_uid, {})
        for key, value in row._mapping.items():
            if key not in ("park_uid", "illustrative") and value is not None:
                park[key] = park.get(key, Decimal(0)) + Decimal(value)
    return parks, any(row.illustrative for row in rows)


def test_capital_and_clearance_charts_in_vietnamese_numbers_with_the_illustrative_flag(
    browser_page: BrowserPage, engine, edits
) -> None:
    bp = browser_page
    accounts.make_user(engine, STAFF, "viewer")
    with engine.begin() as conn:  # a year of real-looking figures typed in by the board: nothing invented
        project = conn.execute(text("SELECT id FROM projects WHERE uid = 'PRJ-GK-MAY'")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO enterprise_figures (project_id, year, revenue_vnd, registered_capital_vnd, "
                "implemented_capital_vnd, source, public) VALUES (:p, 2031, 1503200000000, 2500000000000, "
                "1250000000000, 'báo cáo thử / test report', true)"
            ),
            {"p": project},
        )
        names = dict(conn.execute(text("SELECT uid, name_vi FROM industrial_parks WHERE valid_to IS NULL")).all())
        english = dict(conn.execute(text("SELECT uid, name_en FROM industrial_parks WHERE valid_to IS NULL")).all())
    _sign_in(bp)
    _wait_ready(bp, "2031|||")

    # No place chosen: clearance per province, as at the end of this ISO week, its date written dd/mm/yyyy.
    sunday = date.today() + timedelta(days=6 - date.today().weekday())
    with engine.connect() as conn:
        clearance = conn.execute(text(CLEARANCE_SQL), {"end": sunday, "province": None}).all()
    provinces = sorted({r.province for r in clearance})
    chart = bp.page.evaluate(CHART_JS, "chart-clearance")
    assert sorted(chart["labels"]) == provinces and chart["painted"] > 0
    handed = {p: round(float(sum(r.handed_over_ha for r in clearance if r.province == p)), 2) for p in provinces}
    assert dict(zip(chart["labels"], chart["data"][2], strict=True)) == pytest.approx(handed, abs=0.01)
    when = bp.page.inner_text("#clearance-when")
    assert sunday.strftime("%d/%m/%Y") in when and "theo tỉnh / by province" in when

    bp.page.select_option("#f-province", "NINH_BINH")
    _wait_ready(bp, "2031|NINH_BINH||")
    # 2031's figures are the board's own: no chart of that year says illustrative (the trend's years still do).
    assert bp.page.get_attribute("#dash-capital", "data-illustrative") == "false"
    assert not bp.page.is_visible("#dash-capital .dash-illus") and not bp.page.is_visible("#dash-parks .dash-illus")
    assert bp.page.is_visible("#dash-trend .dash-illus") and bp.page.is_visible("#dash-illustrative")
    vnd = bp.page.evaluate(CHART_JS, "chart-capital-vnd")
    assert vnd["labels"] == [names["KCN-GIAN-KHAU"]] and vnd["data"] == [[2500.0], [1250.0]]
    assert bp.page.inner_text("#capital-total-vnd").startswith(
        "Tổng / Total: đăng ký / registered 2.500 tỷ đồng · thực hiện / implemented 1.250 tỷ đồng (50 %)"
    )
    assert bp.page.is_visible("#dash-capital .dash-canvas:has(#chart-capital-usd) .dash-empty")  # no USD project
    tip = bp.page.evaluate(TICKS_AND_TOOLTIP, ["chart-parks", "x", 0, 0])
    assert tip["lines"] == ["Doanh thu (tỷ đồng) / Revenue (billion VND): 1.503,2"]
    assert tip["title"] == [f"{names['KCN-GIAN-KHAU']} / {english['KCN-GIAN-KHAU']}"]
    assert bp.page.is_visible("#dash-clearance .dash-empty")  # no clearance project in Ninh Bình

    # A demo year: every figure shown is invented, and says so; capital per park equals the rows added up.
    bp.page.select_option("#f-year", "2021")
    _wait_ready(bp, "2021|NINH_BINH||")
    parks, invented = _capital(engine, "NINH_BINH", 2021)
    assert invented and bp.page.is_visible("#dash-illustrative")
    assert "số liệu minh họa / illustrative" in bp.page.inner_text("#dash-capital figcaption")
    assert bp.page.get_attribute("#dash-capital", "data-illustrative") == "true"
    for currency, scale in (("vnd", 10**9), ("usd", 10**6)):
        shown = bp.page.evaluate(CHART_JS, f"chart-capital-{currency}")
        expected = {
            names[uid]: [float(p.get(f"{kind}_capital_{currency}", 0)) / scale for kind in KINDS]
            for uid, p in parks.items()
            if f"registered_capital_{currency}" in p or f"implemented_capital_{currency}" in p
        }
        got = {label: [shown["data"][0][i], shown["data"][1][i]] for i, label in enumerate(shown["labels"])}
        assert got == expected, currency
    tip = bp.page.evaluate(TICKS_AND_TOOLTIP, ["chart-parks", "x", 0, 0])
    assert all(re.match(VI_NUMBER, t) for t in tip["ticks"]), tip["ticks"]
    assert any("." in t for t in tip["ticks"]), tip["ticks"]  # revenue per park runs into thousands of tỷ đồng
    label, value = tip["lines"][0].rsplit(": ", 1)
    assert label == "Doanh thu (tỷ đồng) / Revenue (billion VND)" and re.match(VI_NUMBER, value), value
    capital_tip = bp.page.evaluate(TICKS_AND_TOOLTIP, ["chart-capital-vnd", "x", 1, 0])
    assert any("% vốn đăng ký / " in line for line in capital_tip["after"]), capital_tip
    assert all(re.match(VI_NUMBER, t) for t in capital_tip["ticks"]), capital_tip["ticks"]

    # Hà Tĩnh: clearance per project of the province.
    bp.page.select_option("#f-province", "HA_TINH")
    _wait_ready(bp, "2021|HA_TINH||")
    with engine.connect() as conn:
        projects = conn.execute(text(CLEARANCE_SQL), {"end": sunday, "province": "HA_TINH"}).all()
    chart = bp.page.evaluate(CHART_JS, "chart-clearance")
    short = {r.name_vi if len(r.name_vi) <= 40 else r.name_vi[:39] + "…": r for r in projects}
    assert sorted(chart["labels"]) == sorted(short)
    for label, total in zip(chart["labels"], chart["data"][0], strict=True):
        assert total == pytest.approx(float(short[label].total_ha), abs=0.01)
    assert "theo dự án / by project" in bp.page.inner_text("#clearance-when")
    assert not re.search(r"\b(HA_TINH|NINH_BINH|KCN-[A-Z-]+|PRJ-[A-Z-]+)\b", bp.page.inner_text("main"))  # no codes
    bp.screenshot("dashboard-capital", "#dash-capital")
    bp.screenshot("dashboard-clearance", "#dash-clearance")
    bp.assert_clean()
