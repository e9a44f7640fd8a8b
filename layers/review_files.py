"""The delayed-projects review and the weekly clearance report as formatted XLSX (layers/report_sheets.py).

Headers in Vietnamese with English under them (words from layers/labels.py), codes in words, numbers as numbers and
dates as real dates shown dd/mm/yyyy. The review's rent arrears and open findings are written only when the report
carries them, which it does for staff only (layers/reports.py).
"""

from datetime import date
from typing import Any

from openpyxl import Workbook

from gis.vocab import Milestone, ProjectStatus
from layers.clearance import DATED_STAGES, STAGES
from layers.labels import enum_words, report_label
from layers.report_sheets import Column, first_sheet, workbook_bytes, write_table
from layers.reports import Report, delayed_by_project

STAFF_ONLY = ("rent_arrears_vnd", "open_findings")
PUBLIC_NOTE = "Chỉ số liệu công khai / Public figures only"
STAFF_NOTE = (
    "Gồm số liệu nội bộ: nợ tiền thuê đất, kết luận chưa khắc phục / Includes internal figures: rent arrears, "
    "open findings"
)


def _column(name: str, kind: str = "text", width: float | None = None, wrap: bool = False) -> Column:
    """A column headed by the report label of `name`."""
    vi, en = report_label(name)
    return Column(vi, en, kind, width, wrap)


def staff_view(report: Report) -> bool:
    """Whether the report carries the staff-only columns (it does only for signed-in staff)."""
    return all(name in report.columns for name in STAFF_ONLY)


def _day(value: Any) -> date | None:
    """A date cell from a date or ISO text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def milestone_words(milestone: dict[str, Any]) -> str:
    """ "Khởi công: cam kết 01/03/2023, chưa thực hiện, chậm 305 ngày" (or "thực hiện 10/05/2023")."""
    name = enum_words(Milestone)[milestone["milestone"]][0]
    committed, actual = _day(milestone["committed_on"]), _day(milestone["actual_on"])
    done = f"thực hiện {actual:%d/%m/%Y}" if actual else "chưa thực hiện"
    late = f"{milestone['days_late']:,}".replace(",", ".")  # thousands with '.', as Vietnamese text writes them
    return f"{name}: cam kết {committed:%d/%m/%Y}, {done}, chậm {late} ngày"


def delayed_workbook(report: Report) -> bytes:
    """Two sheets: the review by project (staff: with rent arrears and open findings) and every late milestone."""
    as_of = date.fromisoformat(report.parameters["as_of"])
    staff = staff_view(report)
    projects = delayed_by_project(report)
    notes = [STAFF_NOTE if staff else PUBLIC_NOTE]
    title = f"Rà soát dự án chậm tiến độ đến ngày {as_of:%d/%m/%Y} / Review of delayed projects as of {as_of:%d/%m/%Y}"
    status = enum_words(ProjectStatus)
    places = [_column(n, width=22) for n in ("province_name_vi", "zone_name_vi", "park_name_vi")]
    columns = [
        Column("STT", "No.", "count", 6),
        _column("name_vi", width=40, wrap=True),
        _column("project_uid", width=14),
        _column("investor", width=28, wrap=True),
        *places,
        _column("status", width=22),
        _column("milestones_late", "count"),
        _column("days_late", "count"),
        _column("late_milestones", width=60, wrap=True),
    ]
    if staff:
        columns += [_column("rent_arrears_vnd", "vnd", 20), _column("open_findings", width=60, wrap=True)]
    rows = []
    for number, p in enumerate(projects, start=1):
        line = [number, p["name_vi"], p["project_uid"], p["investor"], p["province_name_vi"], p["zone_name_vi"]]
        line += [p["park_name_vi"], status[p["status"]][0], len(p["milestones"]), p["days_late"]]
        line.append("\n".join(milestone_words(m) for m in p["milestones"]))
        if staff:
            line += [p["rent_arrears_vnd"], p["open_findings"] or None]
        rows.append(line)
    totals = ["Tổng cộng / Total", f"{len(projects)} dự án / projects", *[None] * 6, len(report.rows), None, None]
    if staff:
        totals += [sum(p["rent_arrears_vnd"] or 0 for p in projects), None]
    book = Workbook()
    write_table(first_sheet(book, "Theo dự án"), title, columns, rows, notes=notes, totals=totals, freeze_column=3)
    detail = [
        Column("STT", "No.", "count", 6),
        _column("name_vi", width=40, wrap=True),
        _column("project_uid", width=14),
        _column("milestone", width=24),
        _column("committed_on", "date", 14),
        _column("actual_on", "date", 14),
        _column("days_late", "count"),
    ]
    lines = [
        [n, r["name_vi"], r["project_uid"], enum_words(Milestone)[r["milestone"]][0]]
        + [_day(r["committed_on"]), _day(r["actual_on"]), r["days_late"]]
        for n, r in enumerate(report.rows, start=1)
    ]
    write_table(book.create_sheet("Các mốc chậm"), title, detail, lines, notes=notes, freeze_column=3)
    return workbook_bytes(book)


def handed_over_pct(row: dict[str, Any]) -> float | None:
    """Share of the project's parcel area handed over, in % to one decimal; None for a project without area."""
    return round(100 * row["handed_over_ha"] / row["total_ha"], 1) if row["total_ha"] else None


CLEARANCE_SUMS = (
    "parcels",
    "total_ha",
    "households_affected",
    "households_to_resettle",
    "households_resettled",
    "cleared_ha",
    "handed_over_ha",
)
CLEARANCE_MONEY = ("approved_vnd", "paid_vnd", "enforcement_parcels")
CLEARANCE_STAGES = tuple(f"parcels_at_{s}" for s in STAGES) + tuple(f"reached_{s}_this_week" for s in DATED_STAGES)


def week_words(report: Report) -> tuple[str, str]:
    """ "tuần 14/2025 (31/03/2025 – 06/04/2025)" and its English, from the report's ISO week."""
    year, week = report.parameters["week"].split("-W")
    start, end = (date.fromisoformat(report.parameters[k]) for k in ("week_start", "week_end"))
    days = f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    return f"tuần {int(week)}/{year} ({days})", f"week {int(week)} of {year} ({days})"


def clearance_totals(report: Report) -> dict[str, Any]:
    """Every project's figures added up (areas to 4 decimals, as the rows), with the share handed over."""
    names = CLEARANCE_SUMS + CLEARANCE_MONEY + CLEARANCE_STAGES
    totals: dict[str, Any] = {n: sum(r.get(n) or 0 for r in report.rows) for n in names}
    for name in ("total_ha", "cleared_ha", "handed_over_ha"):
        totals[name] = round(totals[name], 4)
    totals["handed_over_pct"] = handed_over_pct(totals)
    return totals


def clearance_workbook(report: Report) -> bytes:
    """One sheet: a line per project with the figures at the week's end and the parcels that moved during it."""
    vi, en = week_words(report)
    kinds = {"total_ha": "ha", "cleared_ha": "ha", "handed_over_ha": "ha", "approved_vnd": "vnd", "paid_vnd": "vnd"}
    names = [*CLEARANCE_SUMS, "handed_over_pct", *CLEARANCE_MONEY, *CLEARANCE_STAGES]
    kinds["handed_over_pct"] = "pct"
    columns = [
        Column("STT", "No.", "count", 6),
        _column("name_vi", width=40, wrap=True),
        _column("project_uid", width=14),
        *(_column(n, kinds.get(n, "count"), 16, wrap=True) for n in names),
    ]
    rows = [
        [n, r["name_vi"], r["project_uid"], *({**r, "handed_over_pct": handed_over_pct(r)}[k] for k in names)]
        for n, r in enumerate(report.rows, start=1)
    ]
    totals = clearance_totals(report)
    book = Workbook()
    write_table(
        first_sheet(book, "GPMB"),
        f"Tiến độ giải phóng mặt bằng {vi} / Land-clearance progress, {en}",
        columns,
        rows,
        notes=[
            "Số liệu đến hết ngày cuối tuần; “Trong tuần”: số thửa đạt bước đó trong tuần / Figures at the "
            "week's end; “This week”: parcels that reached the stage during the week"
        ],
        totals=["Tổng cộng / Total", None, None, *(totals[k] for k in names)],
        freeze_column=3,
    )
    return workbook_bytes(book)
