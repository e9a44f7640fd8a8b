"""The delayed-projects review and the weekly clearance report as XLSX and PDF: read back (openpyxl, pdftotext) and
compared with figures computed here by plain SQL; Vietnamese intact; the review's rent arrears and findings, and the
whole clearance report, for staff only in every format."""

import io
import subprocess
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.accounts import staff  # noqa: F401  # fixture

DELAYED = "/api/reports/delayed-projects"
CLEARANCE = "/api/reports/clearance"
AS_OF = "2026-01-01"
WEEK = "2025-W14"  # Monday 31/03/2025 to Sunday 06/04/2025
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Late milestones on AS_OF, written apart from layers/projects.py: committed before, not met or met late.
LATE_SQL = """
SELECT p.uid, p.name_vi, m.milestone, m.committed_on, m.actual_on,
       coalesce(m.actual_on, DATE :as_of) - m.committed_on AS days_late
FROM project_milestones m JOIN projects p ON p.id = m.project_id
WHERE p.status <> 'terminated' AND m.committed_on < DATE :as_of
  AND (m.actual_on IS NULL OR (m.actual_on > m.committed_on AND m.actual_on <= DATE :as_of))
ORDER BY p.uid, m.committed_on
"""
ARREARS_SQL = """
SELECT p.uid, sum(a.due_vnd - a.paid_vnd) AS arrears
FROM project_rent_amounts a JOIN projects p ON p.id = a.project_id GROUP BY p.uid
"""
# A project's parcels at the week's end (Sunday), written apart from layers/clearance.py.
CLEARANCE_SQL = """
SELECT p.uid, p.name_vi, count(*) AS parcels, sum(c.area_ha) AS total_ha,
       coalesce(sum(c.area_ha) FILTER (WHERE c.handed_over_on <= DATE '2025-04-06'), 0) AS handed_over_ha,
       sum(c.households_affected) AS households_affected,
       coalesce(sum(c.compensation_paid_vnd) FILTER (WHERE c.compensation_paid_on <= DATE '2025-04-06'), 0) AS paid,
       count(*) FILTER (WHERE c.handed_over_on BETWEEN DATE '2025-03-31' AND DATE '2025-04-06') AS handed_this_week,
       count(*) FILTER (WHERE c.handed_over_on <= DATE '2025-04-06') AS at_handed_over
FROM clearance_parcels c JOIN projects p ON p.id = c.project_id GROUP BY p.uid, p.name_vi ORDER BY p.uid
"""


def _late(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(LATE_SQL), {"as_of": AS_OF}))


def _pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def _vn(value, decimals: int = 0) -> str:
    """Thousands '.', decimals ',' — written apart from the product's formatter."""
    return f"{Decimal(value):,.{decimals}f}".translate(str.maketrans(",.", ".,"))


def _rows(sheet, first: int) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=first)]


# --- the delayed-projects review ----------------------------------------------------------------------------------


def test_review_xlsx_by_project_and_milestone_matches_sql_for_staff(client, staff, engine):  # noqa: F811
    late = _late(engine)
    with engine.connect() as conn:
        arrears = {r.uid: int(r.arrears) for r in conn.execute(text(ARREARS_SQL))}
    response = client.get(DELAYED, params={"as_of": AS_OF, "f": "xlsx"}, headers=staff["viewer"])
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert "du-an-cham-tien-do-2026-01-01.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    review, detail = book["Theo dự án"], book["Các mốc chậm"]
    assert review["A1"].value.startswith("Rà soát dự án chậm tiến độ đến ngày 01/01/2026")
    vi, en = [c.value for c in review[3]], [c.value for c in review[4]]
    assert vi[:3] == ["STT", "Dự án", "Mã dự án"] and en[:3] == ["No.", "Project", "Project uid"]
    assert "Nợ tiền thuê đất (đồng)" in vi and "Rent arrears (VND)" in en
    by_uid = {r[2]: r for r in _rows(review, 5) if r[2]}
    projects = sorted({r.uid for r in late})
    assert sorted(by_uid) == projects
    for uid in projects:
        mine = [r for r in late if r.uid == uid]
        line = by_uid[uid]
        assert line[1] == mine[0].name_vi  # Vietnamese intact
        assert line[vi.index("Số mốc chậm")] == len(mine)
        assert line[vi.index("Số ngày chậm")] == max(r.days_late for r in mine)
        assert line[vi.index("Nợ tiền thuê đất (đồng)")] == arrears.get(uid)
    total = _rows(review, 5)[-1]
    assert total[0] == "Tổng cộng / Total" and total[vi.index("Số mốc chậm")] == len(late)
    assert total[vi.index("Nợ tiền thuê đất (đồng)")] == sum(arrears.get(uid, 0) for uid in projects)
    findings = by_uid["PRJ-VA2"][vi.index("Kết luận, vi phạm chưa khắc phục")]
    assert "Chậm đưa đất vào sử dụng" in findings and "05/KL-BQL" in findings
    lines = _rows(detail, 5)
    assert len(lines) == len(late)
    for line, expected in zip(lines, late, strict=True):
        assert line[2] == expected.uid
        assert line[4] == datetime.combine(expected.committed_on, datetime.min.time())  # a real date…
        assert line[6] == expected.days_late and isinstance(line[6], int)
    assert detail.cell(5, 5).number_format == "dd/mm/yyyy"  # …shown dd/mm/yyyy
    assert {line[3] for line in lines} <= {"Khởi công", "Đi vào hoạt động", "Bàn giao đất", "Cấp GCN đăng ký đầu tư"}


def test_review_for_anonymous_readers_has_no_arrears_or_findings_in_any_format(client, staff, engine, tmp_path):  # noqa: F811
    late = _late(engine)
    sheet = client.get(DELAYED, params={"as_of": AS_OF, "f": "xlsx"})
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    assert "Nợ tiền thuê" not in cells and "Rent arrears" not in cells and "05/KL-BQL" not in cells
    assert "Chỉ số liệu công khai" in cells
    assert len(_rows(book["Các mốc chậm"], 5)) == len(late)
    public = _pdf_text(tmp_path, client.get(DELAYED, params={"as_of": AS_OF, "f": "pdf"}).content)
    assert "Nợ tiền thuê" not in public and "05/KL-BQL" not in public and "Chỉ gồm số liệu công khai" in public
    internal = _pdf_text(
        tmp_path, client.get(DELAYED, params={"as_of": AS_OF, "f": "pdf"}, headers=staff["viewer"]).content
    )
    assert "Nợ tiền thuê đất" in internal and "05/KL-BQL" in internal
    with engine.connect() as conn:
        arrears = conn.execute(text(ARREARS_SQL + " HAVING p.uid = 'PRJ-VA2'")).one().arrears
    assert _vn(Decimal(arrears) / 10**6, 1) in internal  # 4.100,0 triệu đồng


def test_review_pdf_names_every_late_project_with_its_longest_delay(client, engine, tmp_path):
    late = _late(engine)
    response = client.get(DELAYED, params={"as_of": AS_OF, "f": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    page = _pdf_text(tmp_path, response.content)
    projects = {r.uid: [m for m in late if m.uid == r.uid] for r in late}
    assert "Báo cáo rà soát các dự án chậm tiến độ đến ngày 01/01/2026" in page
    assert f"{len(projects)} dự án, {len(late)} mốc tiến độ chậm" in page
    for milestones in projects.values():
        assert milestones[0].name_vi in page
        assert f"{_vn(max(m.days_late for m in milestones))} ngày" in page  # the chart's bar
        for m in milestones:
            assert f"cam kết {m.committed_on:%d/%m/%Y}" in page
            assert f"chậm {_vn(m.days_late)} ngày" in page


# --- the weekly clearance report ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["xlsx", "pdf"])
def test_clearance_documents_are_for_staff_only(client, staff, form):  # noqa: F811
    refused = client.get(CLEARANCE, params={"week": WEEK, "f": form})
    assert refused.status_code == 401 and refused.content.startswith(b"{")  # no document at all
    assert client.get(CLEARANCE, params={"week": WEEK, "f": form}, headers=staff["viewer"]).status_code == 200


def test_clearance_xlsx_matches_sql(client, staff, engine):  # noqa: F811
    with engine.connect() as conn:
        expected = {r.uid: r for r in conn.execute(text(CLEARANCE_SQL))}
    response = client.get(CLEARANCE, params={"week": WEEK, "f": "xlsx"}, headers=staff["viewer"])
    assert response.status_code == 200 and "gpmb-2025-W14.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("Tiến độ giải phóng mặt bằng tuần 14/2025 (31/03/2025 – 06/04/2025)")
    vi = [c.value for c in sheet[3]]
    column = {name: vi.index(name) for name in vi}
    rows = _rows(sheet, 5)
    by_uid = {r[2]: r for r in rows[:-1]}
    assert set(by_uid) == set(expected)
    for uid, want in expected.items():
        got = by_uid[uid]
        assert got[1] == want.name_vi
        assert got[column["Số thửa"]] == want.parcels
        assert got[column["Tổng diện tích (ha)"]] == pytest.approx(float(want.total_ha), abs=1e-4)
        assert got[column["Diện tích đã bàn giao (ha)"]] == pytest.approx(float(want.handed_over_ha), abs=1e-4)
        share = round(100 * float(want.handed_over_ha) / float(want.total_ha), 1)
        assert got[column["Tỷ lệ diện tích đã bàn giao (%)"]] == share
        assert got[column["Kinh phí đã chi trả (đồng)"]] == int(want.paid)
        assert got[column["Số thửa ở bước: Đã bàn giao mặt bằng"]] == want.at_handed_over
        assert got[column["Trong tuần – Đã bàn giao mặt bằng"]] == want.handed_this_week
    total = rows[-1]
    assert total[0] == "Tổng cộng / Total"
    assert total[column["Số thửa"]] == sum(r.parcels for r in expected.values())
    assert total[column["Số hộ bị ảnh hưởng"]] == sum(r.households_affected for r in expected.values())
    assert sheet.cell(5, column["Kinh phí đã chi trả (đồng)"] + 1).number_format == "#,##0"
    assert sheet.cell(5, column["Tổng diện tích (ha)"] + 1).number_format == "#,##0.00"


def test_clearance_pdf_carries_the_sql_figures_and_the_chart(client, staff, engine, tmp_path):  # noqa: F811
    with engine.connect() as conn:
        expected = list(conn.execute(text(CLEARANCE_SQL)))
    response = client.get(CLEARANCE, params={"week": WEEK, "f": "pdf"}, headers=staff["viewer"])
    assert response.headers["content-type"] == "application/pdf"
    page = _pdf_text(tmp_path, response.content)
    assert "Báo cáo tiến độ giải phóng mặt bằng tuần 14/2025 (31/03/2025 – 06/04/2025)" in page
    for want in expected:
        assert want.name_vi in page
        share = _vn(Decimal(100) * want.handed_over_ha / want.total_ha, 1) + "%"
        ha = f"{_vn(want.handed_over_ha, 2)}/{_vn(want.total_ha, 2)} ha"
        assert f"{share} · {ha}" in page  # the chart's bar
        assert _vn(Decimal(want.paid) / 10**9, 1) in page  # tỷ đồng
    assert "Tổng cộng " + _vn(sum(w.parcels for w in expected)) in page


def test_an_unknown_format_is_refused_and_case_does_not_matter(client, staff):  # noqa: F811
    refused = client.get(CLEARANCE, params={"week": WEEK, "f": "docx"}, headers=staff["viewer"])
    assert refused.status_code == 400 and "f must be one of json, csv, xlsx, pdf" in refused.json()["description"]
    upper = client.get(DELAYED, params={"as_of": AS_OF, "f": "XLSX"})
    assert upper.status_code == 200 and upper.headers["content-type"] == XLSX
