"""The one path the board's reports take to A4 PDF: a template over report_base.html, its style, Vietnamese number
formatting and horizontal bar charts drawn as inline SVG (no script, so the PDF and a browser show the same drawing).

Numbers are written the Vietnamese way: '.' between thousands, ',' before decimals (69.448,0 tỷ đồng).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from layers.boards import ALL_BOARDS
from maps.land import board_logo, sheet_pdf
from maps.pages import STATIC, render

BAR = "#2b6c9e"
TRACK = "#e8eef3"
LATE = "#c0392b"
INK = "#1d1d1d"


def vn_number(value: float | int | None, decimals: int = 0, divisor: int = 1) -> str:
    """'69.448,0': thousands with '.', decimals with ',' (as Vietnamese reports write them); '—' when missing."""
    if value is None:
        return "—"
    text = f"{value / divisor:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_pct(value: float | None) -> str:
    """A percentage to one decimal, '4,6%'; '—' when missing."""
    return "—" if value is None else vn_number(value, 1) + "%"


def vn_date(value: date | str | None) -> str:
    """A date as dd/mm/yyyy (from a date or ISO text); '' when missing."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%d/%m/%Y}"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value on the chart's scale, the words beside it and whether to mark it late."""

    label: str
    value: float
    text: str
    late: bool = False


def bar_chart(bars: Sequence[Bar], aria: str, *, scale: float | None = None, label_width: int = 300) -> Markup:
    """Horizontal bars as an inline SVG; with a scale (100 for %), each bar sits on a track of the full scale,
    otherwise the longest bar fills the width."""
    if not bars:
        return Markup('<p class="none">Chưa có số liệu / No figures</p>')
    bar_w, value_w, line = 260, 140, 18
    top = scale or max(b.value for b in bars) or 1
    height = line * len(bars) + 6
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_w + value_w} '
        f'{height}" role="img" aria-label="{escape(aria)}">'
    ]
    most = max(8, label_width // 6)  # characters that fit beside the bar at 10 px
    for index, bar in enumerate(bars):
        y = 3 + index * line
        width = max(bar_w * min(bar.value, top) / top, 1)
        name = escape(bar.label if len(bar.label) <= most else bar.label[: most - 1] + "…")
        parts.append(f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end" font-size="10">{name}</text>')
        if scale:
            parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{bar_w}" height="{line - 5}" fill="{TRACK}"/>')
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="{line - 5}" fill="{BAR}"/>')
        x = label_width + (bar_w if scale else width) + 4
        fill = LATE if bar.late else INK
        parts.append(f'<text x="{x:.1f}" y="{y + 12}" font-size="10" fill="{fill}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def report_html(template: str, url: str, *, board: dict[str, Any] = ALL_BOARDS, **context: Any) -> str:
    """A report as one printable HTML page: the issuing board's heading, the template with the report style, the day
    and the link it came from."""
    return render(
        template,
        url=url,
        board=board,
        board_logo=board_logo(board),
        today=date.today().strftime("%d/%m/%Y"),
        css=(STATIC / "report.css").read_text(encoding="utf-8"),
        number=vn_number,
        pct=vn_pct,
        day=vn_date,
        **context,
    )


def report_pdf(template: str, url: str, *, board: dict[str, Any] = ALL_BOARDS, **context: Any) -> bytes:
    """A report as an A4 PDF (WeasyPrint)."""
    return sheet_pdf(report_html(template, url, board=board, **context))
