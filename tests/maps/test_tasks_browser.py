"""The staff tasks page in headless Chromium: the register and the progress per unit equal plain SQL, due-soon and
overdue rows highlighted, the unit kept in the address, and an editor's status change confirmed and written."""

import calendar
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text

from tests import accounts
from tests.browser import BrowserPage

EDITOR = "tasks_browser_editor"
VIEWER = "tasks_browser_viewer"
AS_OF = date(2023, 12, 5)
PAGE = f"/tasks?province=HA_TINH&year=2023&as_of={AS_OF.isoformat()}"
TASKS_SQL = """
SELECT t.id, t.title_vi, t.due_period, t.status, t.completed_on, g.year, u.code AS unit, u.name_vi AS unit_vi
  FROM programme_tasks t JOIN programmes g ON g.id = t.programme_id JOIN programme_units u ON u.id = t.lead_unit_id
 WHERE g.province_code = 'HA_TINH' AND g.year = 2023 ORDER BY t.id
"""


def _sql(engine, query: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def _end(period: str, year: int) -> date:
    """The last day of a due period, worked out here apart from layers/tasks.py."""
    if period in ("quarterly", "monthly"):
        return date(year, 12, 31)
    if "-Q" in period:
        y, q = int(period[:4]), int(period[-1])
        return date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
    if len(period) == 7:
        y, m = int(period[:4]), int(period[5:])
        return date(y, m, calendar.monthrange(y, m)[1])
    return date.fromisoformat(period)


def _expected(engine) -> dict[int, dict]:
    tasks = {}
    for row in _sql(engine, TASKS_SQL):
        end = _end(row.due_period, row.year)
        open_ = row.status not in ("done", "cancelled")
        tasks[row.id] = {
            "unit": row.unit,
            "unit_vi": row.unit_vi,
            "status": row.status,
            "overdue": open_ and end < AS_OF,
            "due_soon": open_ and AS_OF <= end <= AS_OF + timedelta(days=30),
        }
    return tasks


def _sign_in(bp: BrowserPage, engine, username: str, role: str, path: str) -> None:
    accounts.make_user(engine, username, role)
    bp.open("/login?next=" + path.replace("&", "%26").replace("?", "%3F"))
    bp.page.fill("#username", username)
    bp.page.fill("#password", accounts.PASSWORD)
    with bp.page.expect_navigation():
        bp.page.click("form.login-form button[type=submit]")
    bp.page.wait_for_load_state("networkidle")


def _wait_ready(bp: BrowserPage) -> None:
    try:
        bp.page.wait_for_function("() => (document.body.dataset.tasksReady || '').startsWith('{')")
    except PlaywrightTimeout:
        raise AssertionError((bp.page.inner_text("#tk-status-line"), bp.console_errors, bp.bad_responses)) from None


def _rows(bp: BrowserPage) -> dict[int, str]:
    """Task id -> the row's highlight class."""
    return bp.page.eval_on_selector_all(
        "#tk-list tbody tr[data-task]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.task, r.className]))",
    )


def test_staff_see_the_register_its_highlights_and_the_progress_per_unit(browser_page: BrowserPage, engine) -> None:
    bp = browser_page
    expected = _expected(engine)
    assert any(t["overdue"] for t in expected.values()) and any(t["due_soon"] for t in expected.values())
    _sign_in(bp, engine, VIEWER, "viewer", PAGE)
    assert urlsplit(bp.page.url).path == "/tasks"
    _wait_ready(bp)
    shown = _rows(bp)
    assert {int(k) for k in shown} == set(expected)
    for key, task in expected.items():
        wanted = "overdue" if task["overdue"] else "due-soon" if task["due_soon"] else ""
        assert shown[str(key)] == wanted, (key, task)
    assert bp.page.locator("button.tk-edit").count() == 0  # a viewer reads, never edits
    text_ = bp.page.inner_text("#tk-list")
    assert "Quý 4/2023" in text_ and "Đang thực hiện / In progress" in text_ and "in_progress" not in text_
    assert "05/12/2023" in bp.page.inner_text("#tk-status-line")  # the day overdue is judged on, dd/mm/yyyy

    # leadership's view: per unit, tasks / done / in progress / overdue, as plain SQL counts them
    units: dict[str, dict[str, int]] = {}
    for task in expected.values():
        counts = units.setdefault(task["unit"], {"total": 0, "done": 0, "in_progress": 0, "overdue": 0})
        counts["total"] += 1
        counts["done"] += task["status"] == "done"
        counts["in_progress"] += task["status"] == "in_progress"
        counts["overdue"] += task["overdue"]
    cells = bp.page.eval_on_selector_all(
        "#tk-progress-table tbody tr",
        "rows => rows.map(r => [r.dataset.unit, [...r.cells].slice(1, 5).map(c => Number(c.textContent))])",
    )
    names = ("total", "done", "in_progress", "overdue")
    assert {unit: dict(zip(names, numbers, strict=True)) for unit, numbers in cells} == units
    total = bp.page.eval_on_selector("#tk-progress-table tfoot tr", "r => Number(r.cells[1].textContent)")
    assert total == len(expected)

    # choosing a unit narrows the list and is kept in the address, so a bookmark reopens the unit's tasks
    unit = next(t["unit"] for t in expected.values() if t["overdue"])
    bp.page.select_option("#tk-unit", unit)
    _wait_ready(bp)
    assert parse_qs(urlsplit(bp.page.url).query)["unit"] == [unit]
    assert {int(k) for k in _rows(bp)} == {k for k, t in expected.items() if t["unit"] == unit}
    bp.page.check("#tk-overdue")
    _wait_ready(bp)
    assert {int(k) for k in _rows(bp)} == {k for k, t in expected.items() if t["unit"] == unit and t["overdue"]}
    bp.page.reload(wait_until="networkidle")
    _wait_ready(bp)
    assert bp.page.input_value("#tk-unit") == unit and bp.page.is_checked("#tk-overdue")
    bp.screenshot("tasks-page")
    bp.assert_clean()


def test_an_editor_marks_a_task_done_after_confirming(browser_page: BrowserPage, engine, edits) -> None:
    bp = browser_page
    expected = _expected(engine)
    key = next(k for k, t in expected.items() if t["status"] == "in_progress")
    [(audits,)] = _sql(engine, "SELECT count(*) FROM audit_log WHERE layer_id = 'programme_tasks'")
    try:
        _sign_in(bp, engine, EDITOR, "editor", PAGE)
        _wait_ready(bp)
        row = f"#tk-list tr[data-task='{key}']"

        # done without a date is stopped on the page; a dismissed confirmation writes nothing
        bp.page.click(f"{row} button.tk-edit")
        bp.page.select_option(".tk-editor select[name=status]", "done")
        bp.page.fill(".tk-editor input[name=completed_on]", "")
        bp.page.click(".tk-editor button[type=submit]")
        assert "cần ngày hoàn thành" in bp.page.inner_text(".tk-editor .tk-error")
        bp.page.fill(".tk-editor input[name=completed_on]", "2023-11-30")
        questions: list[str] = []

        def dismiss(dialog) -> None:
            questions.append(dialog.message)
            dialog.dismiss()

        bp.page.once("dialog", dismiss)
        bp.page.click(".tk-editor button[type=submit]")
        bp.page.wait_for_timeout(300)
        assert questions and "30/11/2023" in questions[0]
        assert _sql(engine, "SELECT status FROM programme_tasks WHERE id = :k", k=key) == [("in_progress",)]

        bp.page.once("dialog", lambda dialog: dialog.accept())
        bp.page.click(".tk-editor button[type=submit]")
        bp.page.wait_for_function(
            "(k) => (document.querySelector(`#tk-list tr[data-task='${k}'] .tk-status`) || {}).textContent"
            "?.includes('30/11/2023')",
            arg=key,
        )
        assert _sql(engine, "SELECT status, completed_on FROM programme_tasks WHERE id = :k", k=key) == [
            ("done", date(2023, 11, 30))
        ]
        [(after,)] = _sql(engine, "SELECT count(*) FROM audit_log WHERE layer_id = 'programme_tasks'")
        assert after == audits + 1
        assert "Đã hoàn thành / Done" in bp.page.inner_text(f"{row} .tk-status")
        assert not bp.page.get_attribute(row, "class")  # done: no longer due soon or overdue
        bp.assert_clean()
    finally:  # the demo task as it was: other tests read the demo programme
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE programme_tasks SET status = :s, completed_on = NULL WHERE id = :k"),
                {"s": expected[key]["status"], "k": key},
            )
