"""The programme's task register: reads in words, overdue by hand, the progress report against SQL and its XLSX,
and writes through the one audited path (the OGC editing routes)."""

import io
import json
import subprocess
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import text

from tests import scopes

scoped = scopes.scoped

GEOJSON = {"Content-Type": "application/geo+json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
QUOTED = "Rà soát toàn bộ các dự án chậm đưa đất vào sử dụng"  # Hà Tĩnh 2023, as quoted in the issue


def ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        programme = conn.execute(text("SELECT id FROM programmes WHERE code = 'HT-2023'")).scalar_one()
        unit = conn.execute(text("SELECT id FROM programme_units WHERE code = 'HT-QLDT'")).scalar_one()
    return {"programme": programme, "unit": unit}


def new_task(engine, **values) -> dict:
    known = ids(engine)
    properties = {
        "programme_id": known["programme"],
        "lead_unit_id": known["unit"],
        "title_vi": "Thẩm định hồ sơ dự án đầu tư mới – Khu công nghiệp Phú Vinh",
        "coordinating_units": "Phòng Quy hoạch – Xây dựng",
        "due_period": "2023-Q3",
        "submitted_to": "board_leadership",
        "status": "in_progress",
        **values,
    }
    return {"type": "Feature", "geometry": None, "properties": properties}


# --- reads ------------------------------------------------------------------------------------------------------


def test_tasks_need_a_staff_account(client, staff):
    assert client.get("/api/tasks").status_code == 401
    assert client.get("/api/reports/programme", params={"year": 2023}).status_code == 401
    assert client.get("/api/tasks", headers=staff["viewer"]).status_code == 200


def test_every_code_comes_with_words_and_vietnamese_is_intact(client, staff):
    found = client.get("/api/tasks", params={"province": "HA_TINH", "year": 2023}, headers=staff["viewer"]).json()
    [task] = [t for t in found["tasks"] if t["title_vi"] == QUOTED]
    assert task["lead_unit_words"] == {"vi": "Phòng Quản lý đầu tư", "en": "Investment management department"}
    assert task["due_words"]["vi"] == "Quý 2/2023"
    assert task["status_words"]["vi"] == "Chậm tiến độ"
    first = next(t for t in found["tasks"] if t["due_period"] == "2023-Q1")
    assert first["submitted_to_words"] == {"vi": "UBND tỉnh", "en": "Provincial People's Committee"}
    assert "Cầu Treo" in first["title_vi"]
    monthly = client.get("/api/tasks", params={"province": "AN_GIANG"}, headers=staff["viewer"]).json()["tasks"]
    assert {t["due_words"]["vi"] for t in monthly} >= {"Báo cáo định kỳ hằng tháng"}


def test_overdue_as_of_a_fixed_date_computed_by_hand(client, staff):
    def overdue(as_of: str) -> set[str]:
        params = {"province": "HA_TINH", "year": 2023, "overdue": "true", "as_of": as_of}
        return {t["title_vi"] for t in client.get("/api/tasks", params=params, headers=staff["viewer"]).json()["tasks"]}

    # 1 July 2023: only the Q2 review (status late) has a due period that ended and is not done or cancelled.
    assert overdue("2023-07-01") == {QUOTED}
    # 1 January 2024: also the two Q4 tasks not done and the quarterly report (due all year) still in progress.
    assert overdue("2024-01-01") == {
        QUOTED,
        "Bổ sung khu công nghiệp chuyên ngành FHS vào quy hoạch",
        "Cập nhật cơ sở dữ liệu GIS các lô đất khu công nghiệp",
        "Báo cáo tình hình hoạt động của doanh nghiệp trong khu kinh tế và các khu công nghiệp",
    }
    # Q2 2023 (1 April–30 June): the Q2 review, the June promotion and the quarterly report.
    due = client.get("/api/tasks", params={"province": "HA_TINH", "due": "2023-Q2"}, headers=staff["viewer"]).json()[
        "tasks"
    ]
    assert {t["due_period"] for t in due} == {"2023-Q2", "2023-06", "quarterly"}


def test_filters_by_unit_and_status_agree_with_sql(client, staff, engine):
    with engine.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT count(*) FROM programme_tasks t JOIN programme_units u ON u.id = t.lead_unit_id "
                "WHERE u.code = 'HT-QHXD' AND t.status = 'in_progress'"
            )
        ).scalar_one()
    found = client.get("/api/tasks", params={"unit": "HT-QHXD", "status": "in_progress"}, headers=staff["viewer"])
    assert found.json()["count"] == expected == 1


def test_bad_filters_are_refused(client, staff):
    for params in ({"due": "2023-Q5"}, {"due": "0000"}, {"status": "finished"}, {"overdue": "maybe"}, {"year": "1999"}):
        assert client.get("/api/tasks", params=params, headers=staff["viewer"]).status_code == 400, params
    refused = client.get("/api/reports/programme", params={"year": 2023, "f": "odt"}, headers=staff["viewer"])
    assert refused.status_code == 400 and "f must be one of json, xlsx, pdf, docx" in refused.json()["description"]


# --- the progress report --------------------------------------------------------------------------------------

AS_OF = "2024-01-01"
COUNTS_SQL = """
SELECT u.code AS unit,
       count(*) AS total,
       count(*) FILTER (WHERE t.status = 'done') AS done,
       count(*) FILTER (WHERE t.status = 'done' AND t.completed_on > e.due_end) AS done_late,
       count(*) FILTER (WHERE t.status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE t.status NOT IN ('done', 'cancelled') AND e.due_end < DATE :as_of) AS overdue,
       count(*) FILTER (WHERE t.status = 'cancelled') AS cancelled
FROM programme_tasks t
JOIN programmes p ON p.id = t.programme_id
JOIN programme_units u ON u.id = t.lead_unit_id
CROSS JOIN LATERAL (SELECT CASE
    WHEN t.due_period IN ('quarterly', 'monthly') THEN make_date(p.year, 12, 31)
    WHEN t.due_period ~ 'Q' THEN (make_date(left(t.due_period, 4)::int, right(t.due_period, 1)::int * 3, 1)
                                  + interval '1 month' - interval '1 day')::date
    WHEN length(t.due_period) = 7 THEN (to_date(t.due_period, 'YYYY-MM') + interval '1 month' - interval '1 day')::date
    ELSE t.due_period::date END AS due_end) e
WHERE p.year = 2023 AND p.province_code = 'HA_TINH'
GROUP BY ROLLUP (u.code)
"""


def test_progress_report_counts_agree_with_sql_json_and_xlsx(client, staff, engine):
    with engine.connect() as conn:
        rows = {r.unit: dict(r._mapping) for r in conn.execute(text(COUNTS_SQL), {"as_of": AS_OF})}
    params = {"year": 2023, "province": "HA_TINH", "as_of": AS_OF}
    report = client.get("/api/reports/programme", params=params, headers=staff["viewer"]).json()
    names = ("total", "done", "done_late", "in_progress", "overdue", "cancelled")
    assert {n: report["totals"][n] for n in names} == {n: rows[None][n] for n in names}
    assert rows[None]["total"] == 8 and rows[None]["overdue"] == 4 and rows[None]["done_late"] == 1
    live = rows[None]["total"] - rows[None]["cancelled"]
    assert report["totals"]["percent_done"] == round(100 * rows[None]["done"] / live, 1)
    by_unit = {u["unit"]: u for u in report["units"]}
    assert set(by_unit) == set(rows) - {None}
    for code, unit in by_unit.items():
        assert {n: unit[n] for n in names} == {n: rows[code][n] for n in names}, code

    sheet = client.get("/api/reports/programme", params={**params, "f": "xlsx"}, headers=staff["viewer"])
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    tasks = book["Nhiệm vụ"]
    assert [c.value for c in tasks[2]] == [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Cấp trình",
        "Tình trạng",
    ]
    table = [[c.value for c in r] for r in tasks.iter_rows(min_row=3)]
    assert len(table) == rows[None]["total"] and [r[0] for r in table] == list(range(1, len(table) + 1))
    [quoted] = [r for r in table if r[1] == QUOTED]
    coordinating = "Phòng Quản lý tài nguyên và môi trường; Phòng Quy hoạch – Xây dựng"  # data/demo, by hand
    assert quoted[2:6] == ["Phòng Quản lý đầu tư", coordinating, "Quý 2/2023", None] and "quá hạn" in quoted[6]
    summary = book["Tổng hợp"]
    last = [c.value for c in list(summary.iter_rows())[-1]]
    assert last[1:6] == [rows[None][n] for n in ("total", "done", "done_late", "in_progress", "overdue")]
    assert last[6] == report["totals"]["percent_done"] and isinstance(last[1], int)


def test_a_year_without_tasks_is_not_found(client, staff):
    assert client.get("/api/reports/programme", params={"year": 2031}, headers=staff["viewer"]).status_code == 404


# --- writes through the one path --------------------------------------------------------------------------------


def test_editors_create_and_change_tasks_audited_viewers_refused(client, staff, engine, edits):
    body = new_task(engine)
    assert client.post("/collections/programme_tasks/items", json=body, headers=staff["viewer"]).status_code == 403
    created = client.post(
        "/collections/programme_tasks/items", content=json.dumps(body), headers={**staff["editor"], **GEOJSON}
    )
    assert created.status_code == 201, created.text
    key = int(created.headers["location"].rsplit("/", 1)[1])
    etag = client.get(f"/collections/programme_tasks/items/{key}", headers=staff["editor"]).headers["etag"]
    change = {"properties": {"status": "done", "completed_on": "2023-10-05"}}
    refused = client.patch(
        f"/collections/programme_tasks/items/{key}",
        content=json.dumps(change),
        headers={**staff["viewer"], **MERGE, "If-Match": etag},
    )
    assert refused.status_code == 403
    changed = client.patch(
        f"/collections/programme_tasks/items/{key}",
        content=json.dumps(change),
        headers={**staff["editor"], **MERGE, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM programme_tasks WHERE id = :k"), {"k": key}).mappings().one()
        audit = conn.execute(
            text(
                "SELECT action, username, after FROM audit_log WHERE layer_id = 'programme_tasks' "
                "AND feature_id = :k ORDER BY id"
            ),
            {"k": str(key)},
        ).all()
    assert stored["title_vi"] == body["properties"]["title_vi"] and stored["status"] == "done"
    assert [(a.action, a.username) for a in audit] == [("create", "test_editor"), ("update", "test_editor")]
    assert audit[1].after["completed_on"] == "2023-10-05"
    found = client.get("/api/tasks", params={"as_of": "2024-01-01"}, headers=staff["viewer"]).json()["tasks"]
    [mine] = [t for t in found if t["id"] == key]
    assert mine["done_late"] is True and mine["overdue"] is False  # done 5 October, due by 30 September


def test_done_without_a_completion_date_is_refused_with_a_sentence(client, staff, engine, edits):
    body = new_task(engine, status="done")
    response = client.post(
        "/collections/programme_tasks/items", content=json.dumps(body), headers={**staff["editor"], **GEOJSON}
    )
    assert response.status_code == 422
    assert "needs its completion date (ngày hoàn thành" in response.json()["description"]
    bad_due = new_task(engine, due_period="Q1/2023")
    response = client.post(
        "/collections/programme_tasks/items", content=json.dumps(bad_due), headers={**staff["editor"], **GEOJSON}
    )
    assert response.status_code == 422 and "a quarter like 2023-Q1" in response.json()["description"]
    for due in ("0000-Q1", "2023-02-30"):  # periods no reader could place are never stored
        response = client.post(
            "/collections/programme_tasks/items",
            content=json.dumps(new_task(engine, due_period=due)),
            headers={**staff["editor"], **GEOJSON},
        )
        assert response.status_code in (400, 422), (due, response.text)
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM programme_tasks WHERE title_vi = :t"), {"t": body["properties"]["title_vi"]}
            ).scalar_one()
            == 0
        )


def test_a_lead_unit_of_another_board_is_refused(client, staff, engine, edits):
    with engine.connect() as conn:
        an_giang = conn.execute(text("SELECT id FROM programme_units WHERE code = 'AG-VP'")).scalar_one()
    body = new_task(engine, lead_unit_id=an_giang)  # a Hà Tĩnh programme led by An Giang's office
    response = client.post(
        "/collections/programme_tasks/items", content=json.dumps(body), headers={**staff["editor"], **GEOJSON}
    )
    assert response.status_code == 422
    assert "not a department of this programme's board" in response.json()["description"]


def test_a_scoped_editor_changes_only_tasks_of_its_provinces(client, staff, engine, edits, scoped):
    body = new_task(engine)
    outside = client.post(
        "/collections/programme_tasks/items",
        content=json.dumps(body),
        headers={**scoped[("editor", "AN_GIANG")], **GEOJSON},
    )
    assert outside.status_code == 403 and "programme task" in outside.json()["description"]
    inside = client.post(
        "/collections/programme_tasks/items",
        content=json.dumps(body),
        headers={**scoped[("editor", "HA_TINH")], **GEOJSON},
    )
    assert inside.status_code == 201, inside.text


def test_progress_report_pdf_carries_the_sql_counts_and_titles_in_vietnamese(client, staff, engine, tmp_path):
    with engine.connect() as conn:
        rows = {r.unit: dict(r._mapping) for r in conn.execute(text(COUNTS_SQL), {"as_of": AS_OF})}
        units = dict(conn.execute(text("SELECT code, name_vi FROM programme_units")).all())
        titles = conn.execute(
            text(
                "SELECT t.title_vi FROM programme_tasks t JOIN programmes p ON p.id = t.programme_id "
                "WHERE p.year = 2023 AND p.province_code = 'HA_TINH'"
            )
        ).scalars()
        titles = list(titles)
        illustrative = conn.execute(
            text(
                "SELECT bool_or(t.illustrative) FROM programme_tasks t JOIN programmes p ON p.id = t.programme_id "
                "WHERE p.year = 2023 AND p.province_code = 'HA_TINH'"
            )
        ).scalar_one()
    params = {"year": 2023, "province": "HA_TINH", "as_of": AS_OF, "f": "pdf"}
    assert client.get("/api/reports/programme", params=params).status_code == 401
    response = client.get("/api/reports/programme", params=params, headers=staff["viewer"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf" and response.content.startswith(b"%PDF")
    pdf = tmp_path / "programme.pdf"
    pdf.write_bytes(response.content)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flowing = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    page = " ".join(flowing.split())
    assert "Báo cáo tiến độ thực hiện chương trình công tác năm 2023" in page
    assert "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh" in page and "01/01/2024" in page
    assert ("Có nhiệm vụ minh họa" in page) is illustrative
    assert QUOTED in titles and len(titles) == rows[None]["total"]
    for title in titles:
        assert " ".join(title.split()) in page, title

    def shown_row(name: str, counted: dict) -> None:
        live = counted["total"] - counted["cancelled"]
        share = f"{Decimal(100 * counted['done']) / live:.1f}".replace(".", ",") + "%"
        numbers = [str(counted[n]) for n in ("total", "done", "done_late", "in_progress", "overdue")] + [share]
        # the summary table comes before the chart, whose bars carry the unit's name and % too
        line = next(x for x in layout.splitlines() if x.strip().startswith(name) and "%" in x)
        assert line.split()[-6:] == numbers, (name, line)

    shown_row("Toàn Ban", rows[None])
    for code, counted in rows.items():
        if code is not None and counted["total"] - counted["cancelled"]:
            shown_row(units[code], counted)
    assert "Quý 2/2023" in page and "quá hạn" in page

    every = client.get("/api/reports/programme", params={"year": 2023, "f": "pdf"}, headers=staff["viewer"])
    assert every.status_code == 200 and every.content.startswith(b"%PDF")


def test_due_soon_is_an_open_task_ending_within_thirty_days(client, staff):
    """5 December 2023: the open Q4 tasks and the quarterly report end on 31 December, 26 days later; the Q2 review
    is overdue instead, and done or cancelled tasks are never due soon (read from data/demo/programme_tasks.csv)."""
    params = {"province": "HA_TINH", "year": 2023, "as_of": "2023-12-05"}
    tasks = client.get("/api/tasks", params=params, headers=staff["viewer"]).json()["tasks"]
    soon = {t["title_vi"] for t in tasks if t["due_soon"]}
    assert soon == {
        "Bổ sung khu công nghiệp chuyên ngành FHS vào quy hoạch",
        "Cập nhật cơ sở dữ liệu GIS các lô đất khu công nghiệp",
        "Báo cáo tình hình hoạt động của doanh nghiệp trong khu kinh tế và các khu công nghiệp",
    }
    assert not any(t["due_soon"] and t["overdue"] for t in tasks)
    params["as_of"] = "2023-11-30"  # 31 days before the Q4 end: not yet
    later = client.get("/api/tasks", params=params, headers=staff["viewer"]).json()["tasks"]
    assert not any(t["due_soon"] for t in later)
