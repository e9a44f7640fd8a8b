"""The programme's progress report as an A4 PDF in Vietnamese, in the board's layout (WeasyPrint).

It shares the enterprises report's base template, style and Vietnamese number formatting (one path): a summary per
lead unit and for the whole board, a bar chart of % done per unit drawn here as inline SVG, then the task table
(STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian hoàn thành, Cấp trình, Tình trạng).
"""

from datetime import date
from typing import Any

from markupsafe import Markup, escape

from maps.enterprises_report import BAR, vn_number, vn_pct
from maps.land import board_logo, sheet_pdf
from maps.pages import STATIC, render

LATE = "#c0392b"


def status_text(task: dict[str, Any]) -> str:
    """The status in words, with 'quá hạn' / 'chậm' and the completion date dd/mm/yyyy."""
    words = task["status_words"]["vi"]
    if task["overdue"]:
        words += " (quá hạn)"
    elif task["done_late"]:
        words += " (chậm)"
    if task["completed_on"]:
        words += f" – {date.fromisoformat(task['completed_on']):%d/%m/%Y}"
    return words


def progress_chart(units: list[dict[str, Any]]) -> Markup:
    """Horizontal bars of % done per unit (0–100), with the overdue count beside each, as an inline SVG."""
    label_w, bar_w, value_w, line = 260, 260, 120, 18
    height = line * len(units) + 6
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + value_w} {height}" '
        f'role="img" aria-label="Tỷ lệ hoàn thành theo đơn vị / % done per unit">'
    ]
    for index, unit in enumerate(units):
        y = 3 + index * line
        share = unit["percent_done"] or 0
        width = max(bar_w * share / 100, 1)
        full = unit["unit_words"]["vi"]
        name = escape(full if len(full) <= 45 else full[:44] + "…")
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="10">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{line - 5}" fill="#e8eef3"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{line - 5}" fill="{BAR}"/>')
        late = f" · {unit['overdue']} quá hạn" if unit["overdue"] else ""
        fill = LATE if unit["overdue"] else "#1d1d1d"
        parts.append(
            f'<text x="{label_w + bar_w + 4}" y="{y + 12}" font-size="10" fill="{fill}">'
            f"{vn_pct(unit['percent_done'])}{late}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def report_html(report: dict[str, Any], board: dict[str, Any], url: str) -> str:
    """The report as one printable HTML page (the PDF is printed from it)."""
    return render(
        "programme_report.html",
        title=f"Báo cáo tiến độ thực hiện chương trình công tác năm {report['year']}",
        report=report,
        board=board,
        board_logo=board_logo(board),
        as_of=f"{date.fromisoformat(report['as_of']):%d/%m/%Y}",
        rows=[*report["units"], {**report["totals"], "unit_words": {"vi": "Toàn Ban", "en": "Whole board"}}],
        illustrative=any(t["illustrative"] for t in report["tasks"]),
        number=vn_number,
        pct=vn_pct,
        status=status_text,
        chart=progress_chart(report["units"]),
        url=url,
        today=date.today().strftime("%d/%m/%Y"),
        css=(STATIC / "report.css").read_text(encoding="utf-8"),
    )


def report_pdf(report: dict[str, Any], board: dict[str, Any], url: str) -> bytes:
    """The report as an A4 PDF."""
    return sheet_pdf(report_html(report, board, url))
