"""GET /api/reports/enterprises?quarter=N end to end: the quarter's totals, the same quarter a year before and the
quarter before it (Q1's is the previous year's Q4) against plain SQL over the demo's quarterly figures, in JSON, XLSX,
PDF and DOCX, each titled "Quý N/YYYY"."""

import io
import subprocess
from decimal import ROUND_HALF_UP, Decimal

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from tests.api.test_enterprises_pdf import _pct, _vn

URL = "/api/reports/enterprises"

# Hà Tĩnh's projects' figures of one quarter (the final one of each project when it has one), written apart.
QUARTER_SQL = """
SELECT sum(f.revenue_vnd) AS revenue_vnd, sum(f.exports_usd) AS exports_usd, sum(f.workers_domestic) AS workers
FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id
WHERE f.year = :y AND f.period_kind = 'quarter' AND f.period = :q AND f.public
  AND pr.province_code IN (SELECT code FROM admin_units WHERE code = 'HA_TINH' OR merged_into = 'HA_TINH')
  AND (f.basis = 'final' OR NOT EXISTS (
       SELECT 1 FROM enterprise_figures g WHERE g.project_id = f.project_id AND g.year = f.year
       AND g.period_kind = 'quarter' AND g.period = f.period AND g.basis = 'final'))
"""


def _quarter(engine, year: int, quarter: int):
    with engine.connect() as conn:
        return conn.execute(text(QUARTER_SQL), {"y": year, "q": quarter}).one()


def test_a_quarter_is_compared_with_the_same_quarter_and_the_quarter_before(client, engine, tmp_path):
    now, year_before, quarter_before = _quarter(engine, 2024, 3), _quarter(engine, 2023, 3), _quarter(engine, 2024, 2)
    assert now.revenue_vnd and year_before.revenue_vnd and quarter_before.revenue_vnd  # the demo reports quarters
    params = {"year": 2024, "quarter": 3, "province": "HA_TINH"}
    body = client.get(URL, params=params).json()
    totals = body["totals"]
    assert body["compared_with"] == {"year": 2023, "quarter": 3}
    assert body["previous_quarter"] == {"year": 2024, "quarter": 2}
    assert totals["revenue_vnd"] == int(now.revenue_vnd)
    assert totals["revenue_vnd_previous"] == int(year_before.revenue_vnd)
    change = Decimal(now.revenue_vnd - year_before.revenue_vnd) * 100 / Decimal(year_before.revenue_vnd)
    assert totals["revenue_vnd_change_pct"] == float(change.quantize(Decimal("0.1"), ROUND_HALF_UP))
    assert totals["revenue_vnd_previous_quarter"] == int(quarter_before.revenue_vnd)
    assert totals["revenue_vnd_previous_quarter_change"] == int(now.revenue_vnd - quarter_before.revenue_vnd)
    assert totals["workers_domestic"] == now.workers  # the quarter's own head count
    assert totals["workers_domestic_previous_quarter"] == quarter_before.workers

    sheet = load_workbook(io.BytesIO(client.get(URL, params={**params, "f": "xlsx"}).content)).active
    assert sheet["A1"].value.startswith("Tình hình hoạt động của doanh nghiệp Quý 3/2024")
    headers = [c.value for c in sheet[3]]
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[0] == "Tổng cộng / Total"
    assert total[headers.index("Doanh thu (đồng) – Kỳ báo cáo")] == int(now.revenue_vnd)
    assert total[headers.index("Doanh thu (đồng) – Cùng kỳ năm trước")] == int(year_before.revenue_vnd)
    assert total[headers.index("Doanh thu (đồng) – Quý trước")] == int(quarter_before.revenue_vnd)

    pdf = tmp_path / "q.pdf"
    pdf.write_bytes(client.get(URL, params={**params, "f": "pdf"}).content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True)
    page = " ".join(out.stdout.split())
    assert "Tỉnh Hà Tĩnh — Quý 3/2024" in page and "Quý 3/2023" in page and "Quý 2/2024 (quý trước)" in page
    for value in (now.revenue_vnd, year_before.revenue_vnd, quarter_before.revenue_vnd):
        assert _vn(value / 10**9, 1) in page
    assert _pct(now.revenue_vnd - quarter_before.revenue_vnd, quarter_before.revenue_vnd) in page

    document = Document(io.BytesIO(client.get(URL, params={**params, "f": "docx"}).content))
    assert "Báo cáo tình hình hoạt động của doanh nghiệp Quý 3/2024" in [p.text for p in document.paragraphs]
    revenue = next(r for r in document.tables[0].rows if r.cells[0].text == "Doanh thu")
    assert [c.text for c in revenue.cells][2:4] == [
        _vn(now.revenue_vnd / 10**9, 1),
        _vn(year_before.revenue_vnd / 10**9, 1),
    ]
    assert revenue.cells[6].text == _vn(quarter_before.revenue_vnd / 10**9, 1)


def test_the_first_quarter_is_compared_with_the_previous_years_fourth(client, engine):
    q4 = _quarter(engine, 2023, 4)
    body = client.get(URL, params={"year": 2024, "quarter": 1, "province": "HA_TINH"}).json()
    assert body["previous_quarter"] == {"year": 2023, "quarter": 4}
    assert body["totals"]["revenue_vnd_previous_quarter"] == int(q4.revenue_vnd)
    assert body["totals"]["exports_usd_previous_quarter"] == float(q4.exports_usd)
    year = client.get(URL, params={"year": 2024, "province": "HA_TINH"}).json()
    assert year["previous_quarter"] is None and "revenue_vnd_previous_quarter" not in year["totals"]
    csv_header = client.get(URL, params={"year": 2024, "quarter": 1, "f": "csv"}).content.decode("utf-8-sig")
    assert "revenue_vnd_previous_quarter_change_pct" in csv_header.splitlines()[0]
