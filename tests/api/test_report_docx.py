"""f=docx of the enterprises report and the programme's progress report, read back with python-docx: A4, the same
numbers as plain SQL gives (written the Vietnamese way), diacritics intact, staff-only parts kept from anonymous."""

import io
from decimal import Decimal

from docx import Document
from sqlalchemy import text

from tests.accounts import staff  # noqa: F401  # fixture
from tests.api.test_enterprises_pdf import TOTALS_SQL, _pct, _vn
from tests.api.test_tasks import AS_OF, COUNTS_SQL, QUOTED

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _read(response) -> Document:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == DOCX
    return Document(io.BytesIO(response.content))


def _tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _is_a4(document) -> bool:
    section = document.sections[0]
    sizes = sorted((round(section.page_width.mm), round(section.page_height.mm)))
    return sizes == [210, 297]


def test_enterprises_docx_carries_the_plain_sql_totals(client, staff, engine):  # noqa: F811
    with engine.connect() as conn:
        now = conn.execute(text(TOTALS_SQL), {"y": 2021}).one()
        before = conn.execute(text(TOTALS_SQL), {"y": 2020}).one()
        target = conn.execute(
            text(
                "SELECT * FROM enterprise_targets WHERE scope = 'province' AND scope_uid = 'NINH_BINH' AND year = 2021"
            )
        ).one()
    params = {"year": 2021, "province": "NINH_BINH", "f": "docx"}
    document = _read(client.get("/api/reports/enterprises", params=params, headers=staff["viewer"]))
    assert _is_a4(document)
    lines = [p.text for p in document.paragraphs]
    assert "Báo cáo tình hình hoạt động của doanh nghiệp năm 2021" in lines
    assert "Tỉnh Ninh Bình — năm 2021" in lines
    totals, parks, capital = _tables(document)
    assert totals[0][:4] == ["Chỉ tiêu", "Đơn vị", "năm 2021", "năm 2020"]
    rows = {r[0]: r for r in totals[1:]}
    revenue = rows["Doanh thu"]
    assert revenue[1] == "tỷ đồng"
    assert revenue[2] == _vn(now.revenue_vnd / 10**9, 1) == "69.448,0"  # the published report's own figure
    assert revenue[3] == _vn(before.revenue_vnd / 10**9, 1)
    assert revenue[4] == "+" + _vn((now.revenue_vnd - before.revenue_vnd) / 10**9, 1)
    assert revenue[5] == _pct(now.revenue_vnd - before.revenue_vnd, before.revenue_vnd)
    assert revenue[-1] == _pct(now.revenue_vnd, target.revenue_vnd) == "115,7%"
    assert rows["Kim ngạch xuất khẩu"][2] == _vn(Decimal(now.exports_usd) / 10**6, 1)
    assert rows["Lao động trong nước"][2] == _vn(now.workers_domestic, 0)
    assert rows["Việc làm mới"][-1] == _pct(now.new_jobs, target.new_jobs)
    assert parks[-1][0] == "Tổng cộng" and parks[-1][1] == revenue[2]
    with engine.connect() as conn:
        names = conn.execute(
            text(
                "SELECT DISTINCT pk.name_vi FROM enterprise_figures f JOIN projects pr ON pr.id = f.project_id "
                "JOIN industrial_parks pk ON pk.uid = pr.park_uid AND pk.valid_to IS NULL "
                "WHERE f.year = 2021 AND pr.province_code = 'NINH_BINH'"
            )
        ).scalars()
        names = set(names)
    assert names and names <= {row[0].removesuffix(" (ước)") for row in parks[1:-1]}
    assert document.styles["Normal"].font.name == "Times New Roman"
    json_totals = client.get("/api/reports/enterprises", params={**params, "f": "json"}, headers=staff["viewer"])
    registered = json_totals.json()["totals"]["registered_capital_vnd"]
    assert capital[0][:2] == ["Khu công nghiệp", "Vốn đăng ký (đồng) (tỷ đồng)"]
    assert capital[-1][:2] == ["Tổng cộng", _vn(registered / 10**9, 1) if registered is not None else "—"]


def test_anonymous_readers_get_the_public_enterprises_docx(client):
    document = _read(client.get("/api/reports/enterprises", params={"year": 2025, "f": "docx"}))
    lines = [p.text for p in document.paragraphs]
    assert "Chỉ gồm số liệu công khai / Public figures only" in lines
    totals = _tables(document)[0]
    assert {row[2] for row in totals[1:]} == {"—"}  # the 2025 figures are internal estimates: none shown


def test_programme_docx_counts_agree_with_sql_and_is_for_staff_only(client, staff, engine):  # noqa: F811
    params = {"year": 2023, "province": "HA_TINH", "as_of": AS_OF, "f": "docx"}
    assert client.get("/api/reports/programme", params=params).status_code == 401
    with engine.connect() as conn:
        counted = {r.unit: r for r in conn.execute(text(COUNTS_SQL), {"as_of": AS_OF})}
        units = dict(conn.execute(text("SELECT code, name_vi FROM programme_units")).all())
    document = _read(client.get("/api/reports/programme", params=params, headers=staff["viewer"]))
    assert _is_a4(document)
    lines = [p.text for p in document.paragraphs]
    assert "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh" in lines
    assert "Báo cáo tiến độ thực hiện chương trình công tác năm 2023" in lines
    assert "Tình hình đến ngày 01/01/2024" in lines
    summary, tasks = _tables(document)
    by_name = {row[0]: row for row in summary[1:]}
    for code, row in counted.items():
        name = "Toàn Ban" if code is None else units[code]
        numbers = [str(row.total), str(row.done), str(row.done_late), str(row.in_progress), str(row.overdue)]
        assert by_name[name][1:6] == numbers, name
    assert tasks[0] == [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Cấp trình",
        "Tình trạng",
    ]
    assert len(tasks) - 1 == counted[None].total
    [quoted] = [row for row in tasks[1:] if row[1] == QUOTED]
    assert quoted[4] == "Quý 2/2023" and "quá hạn" in quoted[6]
