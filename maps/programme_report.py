"""The programme's progress report as an A4 PDF in Vietnamese, in the board's layout, printed by report_print.py.

A summary per lead unit and for the whole board, a bar chart of % done per unit, then the task table
(STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian hoàn thành, Cấp trình, Tình trạng).
"""

from typing import Any

from markupsafe import Markup

from layers.tasks import status_line
from maps.report_print import Bar, bar_chart, report_pdf, vn_date, vn_pct

WHOLE_BOARD = {"vi": "Toàn Ban", "en": "Whole board"}


def progress_bars(units: list[dict[str, Any]]) -> list[Bar]:
    """% done per unit (0–100), with the overdue count beside each."""
    return [
        Bar(
            unit["unit_words"]["vi"],
            unit["percent_done"] or 0,
            vn_pct(unit["percent_done"]) + (f" · {unit['overdue']} quá hạn" if unit["overdue"] else ""),
            late=bool(unit["overdue"]),
        )
        for unit in units
    ]


def progress_chart(units: list[dict[str, Any]]) -> Markup:
    """Horizontal bars of % done per unit on a 0–100 track, as an inline SVG."""
    return bar_chart(progress_bars(units), "Tỷ lệ hoàn thành theo đơn vị / % done per unit", scale=100, label_width=260)


def title(report: dict[str, Any]) -> str:
    """ "Báo cáo tiến độ thực hiện chương trình công tác năm 2023"."""
    return f"Báo cáo tiến độ thực hiện chương trình công tác năm {report['year']}"


def summary_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The units' rows and the whole board's last."""
    return [*report["units"], {**report["totals"], "unit_words": WHOLE_BOARD}]


def report_document(report: dict[str, Any], board: dict[str, Any], url: str) -> bytes:
    """The report as an A4 PDF."""
    return report_pdf(
        "programme_report.html",
        url,
        title=title(report),
        report=report,
        board=board,
        as_of=vn_date(report["as_of"]),
        rows=summary_rows(report),
        illustrative=any(t["illustrative"] for t in report["tasks"]),
        status=status_line,
        chart=progress_chart(report["units"]),
    )
