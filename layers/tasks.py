"""The board's yearly work programme: its tasks in words, what is due and overdue, and the progress report.

Tasks are rows of the `programme_tasks` layer, so they are created and changed by the OGC editing routes through
`layers.writes.apply_changes` (audited, scoped by the programme's province); this module only reads them.
A task's due period is a quarter (2023-Q1), a month (2023-03), a date (2023-03-15), or a recurring report
(quarterly, monthly) due all year: it ends on the quarter's, month's or year's last day, or on the date. A task is
overdue when that day is past (as of a date) and it is neither done nor cancelled; due soon when it is still open
and that day falls within the next DUE_SOON_DAYS; done late when its completion date is after it.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Connection, select

from gis import models
from gis.errors import InvalidInput, NotFound
from gis.vocab import SubmissionLevel, TaskStatus
from layers.labels import Words, as_pair, enum_words, shown
from layers.report_sheets import Column, first_sheet, workbook_bytes, write_table

QUARTER = re.compile(r"^(20[0-9]{2})-Q([1-4])$")  # years from 2000, as programmes have
MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^(20[0-9]{2}|2100)$")
RECURRING: dict[str, Words] = {
    "quarterly": ("Báo cáo định kỳ hằng quý", "Quarterly report"),
    "monthly": ("Báo cáo định kỳ hằng tháng", "Monthly report"),
}
CLOSED = {TaskStatus.done.value, TaskStatus.cancelled.value}
DUE_SOON_DAYS = 30  # an open task whose due period ends within this many days is "sắp đến hạn / due soon"
# The board's own task table (Vietnamese only, as programmes are written), and the summary per unit (bilingual).
TASK_COLUMNS = [
    Column("STT", kind="count", width=6),
    Column("Nội dung nhiệm vụ", width=60, wrap=True),
    Column("Đơn vị chủ trì", width=28, wrap=True),
    Column("Đơn vị phối hợp", width=28, wrap=True),
    Column("Thời gian hoàn thành", width=18, wrap=True),
    Column("Cấp trình", width=22, wrap=True),
    Column("Tình trạng", width=26, wrap=True),
]
SUMMARY_COLUMNS = [
    Column("Đơn vị", "Unit", width=50),
    Column("Tổng số nhiệm vụ", "Tasks", "count"),
    Column("Đã hoàn thành", "Done", "count"),
    Column("Hoàn thành chậm", "Done late", "count"),
    Column("Đang thực hiện", "In progress", "count"),
    Column("Quá hạn", "Overdue", "count"),
    Column("Tỷ lệ hoàn thành (%)", "% done", "pct"),
]
COUNTS = ("total", "done", "done_late", "in_progress", "overdue")

tasks_t = models.ProgrammeTask.__table__
programmes_t = models.Programme.__table__
units_t = models.ProgrammeUnit.__table__


# --- due periods --------------------------------------------------------------------------------------------


def due_end(period: str, year: int) -> date:
    """The last day of a due period; a recurring report's is the last day of its programme's year."""
    if period in RECURRING:
        return date(year, 12, 31)
    if match := QUARTER.match(period):
        y, quarter = int(match.group(1)), int(match.group(2))
        return date(y, quarter * 3, calendar.monthrange(y, quarter * 3)[1])
    if match := MONTH.match(period):
        y, month = int(match.group(1)), int(match.group(2))
        return date(y, month, calendar.monthrange(y, month)[1])
    return date.fromisoformat(period)


def due_words(period: str) -> Words:
    """A due period as the board writes it: "Quý 1/2023", "Tháng 03/2023", "15/03/2023", "Báo cáo định kỳ hằng quý"."""
    if period in RECURRING:
        return RECURRING[period]
    if match := QUARTER.match(period):
        return f"Quý {match.group(2)}/{match.group(1)}", f"Q{match.group(2)} {match.group(1)}"
    if match := MONTH.match(period):
        return f"Tháng {match.group(2)}/{match.group(1)}", f"{match.group(2)}/{match.group(1)}"
    day = date.fromisoformat(period)
    return f"{day:%d/%m/%Y}", f"{day:%d/%m/%Y}"


def due_range(text: str) -> tuple[date, date]:
    """The days of a `due` filter: a year (2023), a quarter (2023-Q2) or a month (2023-05)."""
    value = text.strip().upper()
    if YEAR.match(value):
        return date(int(value), 1, 1), date(int(value), 12, 31)
    if match := QUARTER.match(value):
        y, quarter = int(match.group(1)), int(match.group(2))
        return date(y, quarter * 3 - 2, 1), due_end(value, y)
    if match := MONTH.match(value):
        return date(int(match.group(1)), int(match.group(2)), 1), due_end(value, int(match.group(1)))
    raise InvalidInput(
        f"due is a year (2023), a quarter (2023-Q2) or a month (2023-05) from 2000 on, got '{text[:40]}'"
    )


def _due_in(period: str, year: int, days: tuple[date, date]) -> bool:
    """Whether a task is due within the days; a recurring report is due in every period of its year."""
    if period in RECURRING:
        return days[0].year <= year <= days[1].year
    return days[0] <= due_end(period, year) <= days[1]


# --- tasks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    """What `GET /api/tasks` and the progress report select (all optional)."""

    unit: str | None = None
    status: str | None = None
    due: str | None = None
    overdue: bool | None = None
    province: str | None = None
    year: int | None = None
    as_of: date | None = None


def list_tasks(conn: Connection, chosen: TaskFilter) -> list[dict[str, Any]]:
    """The tasks chosen, each with words for every code, its due period in words and whether it is overdue."""
    as_of = chosen.as_of or date.today()
    if chosen.status is not None and chosen.status not in enum_words(TaskStatus):
        raise InvalidInput(f"status is one of {', '.join(enum_words(TaskStatus))}, got '{chosen.status}'")
    days = due_range(chosen.due) if chosen.due else None
    lead = units_t.alias("lead")
    decisions = models.Decision.__table__
    query = (
        select(
            tasks_t,
            programmes_t.c.code.label("programme_code"),
            programmes_t.c.title_vi.label("programme_title_vi"),
            programmes_t.c.province_code,
            programmes_t.c.year,
            lead.c.code.label("lead_unit"),
            lead.c.name_vi.label("lead_unit_vi"),
            lead.c.name_en.label("lead_unit_en"),
            decisions.c.number.label("decision"),
        )
        .join(programmes_t, programmes_t.c.id == tasks_t.c.programme_id)
        .join(lead, lead.c.id == tasks_t.c.lead_unit_id)
        .outerjoin(decisions, decisions.c.id == tasks_t.c.decision_id)
        .order_by(programmes_t.c.province_code, programmes_t.c.year, tasks_t.c.id)
    )
    if chosen.unit:
        query = query.where(lead.c.code == chosen.unit)
    if chosen.status:
        query = query.where(tasks_t.c.status == chosen.status)
    if chosen.province:
        query = query.where(programmes_t.c.province_code == chosen.province)
    if chosen.year is not None:
        query = query.where(programmes_t.c.year == chosen.year)
    found = []
    for row in conn.execute(query).mappings():
        task = task_json(dict(row), as_of)
        if days is not None and not _due_in(row["due_period"], row["year"], days):
            continue
        if chosen.overdue is not None and task["overdue"] is not chosen.overdue:
            continue
        found.append(task)
    return found


def task_json(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    """One task as the register shows it: codes kept for machines, words beside every one of them."""
    end = due_end(row["due_period"], row["year"])
    done_on = row["completed_on"]
    level = row["submitted_to"]
    return {
        "id": row["id"],
        "programme": row["programme_code"],
        "programme_title_vi": row["programme_title_vi"],
        "province_code": row["province_code"],
        "year": row["year"],
        "title_vi": row["title_vi"],
        "title_en": row["title_en"],
        "lead_unit": row["lead_unit"],
        "lead_unit_words": {"vi": row["lead_unit_vi"], "en": row["lead_unit_en"] or row["lead_unit_vi"]},
        "coordinating_units": row["coordinating_units"],
        "due_period": row["due_period"],
        "due_words": as_pair(due_words(row["due_period"])),
        "due_end": end.isoformat(),
        "submitted_to": level,
        "submitted_to_words": as_pair(enum_words(SubmissionLevel)[level]) if level else None,
        "status": row["status"],
        "status_words": as_pair(enum_words(TaskStatus)[row["status"]]),
        "completed_on": done_on.isoformat() if done_on else None,
        "overdue": row["status"] not in CLOSED and end < as_of,
        "due_soon": row["status"] not in CLOSED and as_of <= end <= as_of + timedelta(days=DUE_SOON_DAYS),
        "done_late": row["status"] == TaskStatus.done.value and done_on is not None and done_on > end,
        "zone_uid": row["zone_uid"],
        "park_uid": row["park_uid"],
        "project_uid": row["project_uid"],
        "decision": row["decision"],
        "illustrative": row["illustrative"],
        "source": row["source"],
        "notes": row["notes"],
    }


# --- the progress report ------------------------------------------------------------------------------------


def _counts(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of a group of tasks; % done counts done tasks among those not cancelled."""
    counted = {
        "total": len(tasks),
        "done": sum(t["status"] == TaskStatus.done.value for t in tasks),
        "done_late": sum(t["done_late"] for t in tasks),
        "in_progress": sum(t["status"] == TaskStatus.in_progress.value for t in tasks),
        "overdue": sum(t["overdue"] for t in tasks),
        "cancelled": sum(t["status"] == TaskStatus.cancelled.value for t in tasks),
    }
    live = counted["total"] - counted["cancelled"]
    counted["percent_done"] = round(100 * counted["done"] / live, 1) if live else None
    return counted


def programme_report(conn: Connection, year: int, province: str | None, as_of: date | None) -> dict[str, Any]:
    """Per lead unit and overall: tasks, done, done late, in progress, overdue and % done, with the task table."""
    tasks = list_tasks(conn, TaskFilter(year=year, province=province, as_of=as_of))
    if not tasks:
        where = f" of {province}" if province else ""
        raise NotFound(f"no programme tasks{where} for {year}")
    units: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        units.setdefault(task["lead_unit"], []).append(task)
    return {
        "report": "programme",
        "title": f"Tiến độ thực hiện chương trình công tác năm {year} / Work-programme progress {year}",
        "year": year,
        "province": province,
        "as_of": (as_of or date.today()).isoformat(),
        "totals": _counts(tasks),
        "units": [
            {"unit": code, "unit_words": group[0]["lead_unit_words"], **_counts(group)} for code, group in units.items()
        ],
        "tasks": tasks,
    }


def status_line(task: dict[str, Any]) -> str:
    """The status in words, with 'quá hạn' / 'chậm' and the completion date dd/mm/yyyy, as the table's last column."""
    words = task["status_words"]["vi"]
    if task["overdue"]:
        words += " (quá hạn)"
    elif task["done_late"]:
        words += " (chậm)"
    if task["completed_on"]:
        words += f" – {date.fromisoformat(task['completed_on']):%d/%m/%Y}"
    return words


def task_cells(number: int, task: dict[str, Any]) -> list[Any]:
    """One line of the board's task table, in words (the PDF and DOCX print the same)."""
    level = task["submitted_to_words"]
    return [
        number,
        task["title_vi"],
        task["lead_unit_words"]["vi"],
        task["coordinating_units"] or "",
        task["due_words"]["vi"],
        level["vi"] if level else "",
        status_line(task),
    ]


def programme_workbook(report: dict[str, Any]) -> bytes:
    """The report as the board's table (STT, Nội dung nhiệm vụ, …, Tình trạng) and a sheet of totals per unit."""
    book = Workbook()
    rows = [task_cells(number, task) for number, task in enumerate(report["tasks"], start=1)]
    write_table(first_sheet(book, "Nhiệm vụ"), report["title"], TASK_COLUMNS, rows, english=False, freeze_column=1)
    write_table(
        book.create_sheet("Tổng hợp"),
        report["title"],
        SUMMARY_COLUMNS,
        [[shown((u["unit_words"]["vi"], u["unit_words"]["en"])), *_summary_numbers(u)] for u in report["units"]],
        totals=["Toàn Ban / Whole board", *_summary_numbers(report["totals"])],
    )
    return workbook_bytes(book)


def _summary_numbers(counted: dict[str, Any]) -> list[Any]:
    """A row of totals as numbers (the % a number too, or empty when every task was cancelled)."""
    return [*(counted[name] for name in COUNTS), counted["percent_done"]]
