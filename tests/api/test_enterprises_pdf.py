"""GET /api/reports/enterprises?f=pdf: the A4 report's text carries the totals computed by plain SQL, written the
Vietnamese way (69.448,0), with the diacritics intact, the revenue chart and the illustrative-figures note."""

import subprocess
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import text

from tests.accounts import staff  # noqa: F401  # fixture

URL = "/api/reports/enterprises"

# Ninh Bình's projects (and those of the provinces merged into it), each one's yearly figure, its final one first.
TOTALS_SQL = """
SELECT sum(f.revenue_vnd) AS revenue_vnd, sum(f.exports_usd) AS exports_usd, sum(f.budget_vnd) AS budget_vnd,
       sum(f.workers_domestic) AS workers_domestic, sum(f.workers_foreign) AS workers_foreign,
       sum(f.new_jobs) AS new_jobs, bool_or(f.illustrative) AS illustrative
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'year'
  AND pr.province_code IN (SELECT code FROM admin_units WHERE code = 'NINH_BINH' OR merged_into = 'NINH_BINH')
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'year' AND g.basis = 'final'))
"""


def _vn(value, decimals: int) -> str:
    """Thousands '.', decimals ',' — written apart from the page's own formatter."""
    return f"{Decimal(value):,.{decimals}f}".translate(str.maketrans(",.", ".,"))


def _pct(part, whole) -> str:
    return _vn((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1) + "%"


def test_pdf_carries_the_plain_sql_totals_in_vietnamese(client, staff, engine, tmp_path):  # noqa: F811
    with engine.connect() as conn:
        now = conn.execute(text(TOTALS_SQL), {"y": 2021}).one()
        before = conn.execute(text(TOTALS_SQL), {"y": 2020}).one()
        target = conn.execute(
            text(
                "SELECT * FROM enterprise_targets WHERE scope = 'province' AND scope_uid = 'NINH_BINH' AND year = 2021"
            )
        ).one()
        parks = conn.execute(
            text(
                "SELECT DISTINCT pk.name_vi FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id "
                "JOIN industrial_parks pk ON pk.uid = pr.park_uid AND pk.valid_to IS NULL "
                "WHERE f.year = 2021 AND pr.province_code = 'NINH_BINH'"
            )
        ).scalars()
        parks = sorted(parks)
    response = client.get(URL, params={"year": 2021, "province": "NINH_BINH", "f": "pdf"}, headers=staff["viewer"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    got = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True)
    page = " ".join(got.stdout.split())
    assert "Báo cáo tình hình hoạt động của doanh nghiệp" in page
    assert "Tỉnh Ninh Bình — năm 2021" in page
    expected = [
        _vn(now.revenue_vnd / 10**9, 1),
        "+" + _vn((now.revenue_vnd - before.revenue_vnd) / 10**9, 1),
        _pct(now.revenue_vnd - before.revenue_vnd, before.revenue_vnd),
        _pct(now.revenue_vnd, target.revenue_vnd),
        _vn(now.exports_usd / 10**6, 1),
        _pct(now.exports_usd, target.exports_usd),
        _vn(now.budget_vnd / 10**9, 1),
        _vn(now.workers_domestic, 0),
        _vn(now.workers_foreign, 0),
        _vn(now.new_jobs, 0),
        _pct(now.new_jobs, target.new_jobs),
    ]
    for text_ in expected:
        assert text_ in page, (text_, page[:2000])
    assert "69.448,0" in page and "115,7%" in page  # the published report's own figures
    assert parks and all(page.count(name) >= 2 for name in parks)  # in the chart and in the table
    note = "Có số liệu minh họa" in page
    assert note is bool(now.illustrative or before.illustrative)


def test_illustrative_years_say_so_and_anonymous_readers_get_a_pdf_too(client, engine, tmp_path):
    with engine.connect() as conn:
        year = conn.execute(
            text("SELECT max(year) FROM enterprise_figures WHERE illustrative AND public AND period_kind = 'year'")
        ).scalar_one()
    response = client.get(URL, params={"year": year, "f": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    got = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True)
    page = " ".join(got.stdout.split())
    assert "Có số liệu minh họa" in page and "Chỉ gồm số liệu công khai" in page
