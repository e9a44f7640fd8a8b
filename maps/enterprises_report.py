"""The enterprises report as an A4 PDF in Vietnamese, in the shape of a board's annual report (WeasyPrint).

Totals with the change on the previous year and % of plan, a bar chart of revenue by park drawn here as inline SVG
(no script: the PDF and the browser show the same drawing), and the table per park. Numbers are written the
Vietnamese way: '.' between thousands, ',' before decimals (69.448,0 tỷ đồng).
"""

from datetime import date
from typing import Any

from markupsafe import Markup, escape

from maps.land import board_logo, sheet_pdf
from maps.pages import STATIC, render

# (label, unit, divisor, decimals) of each measure as the report prints it.
MEASURES: dict[str, tuple[str, str, int, int]] = {
    "revenue_vnd": ("Doanh thu", "tỷ đồng", 10**9, 1),
    "exports_usd": ("Kim ngạch xuất khẩu", "triệu USD", 10**6, 1),
    "budget_vnd": ("Nộp ngân sách nhà nước", "tỷ đồng", 10**9, 1),
    "workers_domestic": ("Lao động trong nước", "người", 1, 0),
    "workers_foreign": ("Lao động nước ngoài", "người", 1, 0),
    "new_jobs": ("Việc làm mới", "người", 1, 0),
}
BAR = "#2b6c9e"


def vn_number(value: float | int | None, decimals: int = 0, divisor: int = 1) -> str:
    """'69.448,0': thousands with '.', decimals with ',' (as Vietnamese reports write them); '—' when missing."""
    if value is None:
        return "—"
    text = f"{value / divisor:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_pct(value: float | None) -> str:
    """A percentage to one decimal, '4,6%'; '—' when missing."""
    return "—" if value is None else vn_number(value, 1) + "%"


def measure(key: str, value: float | int | None) -> str:
    """A measure in the report's unit, without the unit."""
    _label, _unit, divisor, decimals = MEASURES[key]
    return vn_number(value, decimals, divisor)


def signed(key: str, value: float | int | None) -> str:
    """A change with its sign, '+3.047,0'."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + measure(key, value)


def revenue_chart(rows: list[dict[str, Any]]) -> Markup:
    """Horizontal bars of revenue (tỷ đồng) per park, longest first, as an inline SVG."""
    shown = sorted((r for r in rows if r.get("revenue_vnd")), key=lambda r: -r["revenue_vnd"])
    if not shown:
        return Markup('<p class="none">Chưa có số liệu doanh thu / No revenue figures</p>')
    label_w, bar_w, value_w, line = 300, 260, 80, 18
    top = max(r["revenue_vnd"] for r in shown)
    height = line * len(shown) + 6
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + value_w} {height}" '
        f'role="img" aria-label="Doanh thu theo khu công nghiệp / Revenue by park">'
    ]
    for index, row in enumerate(shown):
        y = 3 + index * line
        width = max(bar_w * row["revenue_vnd"] / top, 1)
        full = row["name_vi"]
        name = escape(full if len(full) <= 50 else full[:49] + "…")
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="10">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{line - 5}" fill="{BAR}"/>')
        value = measure("revenue_vnd", row["revenue_vnd"])
        parts.append(f'<text x="{label_w + width + 4:.1f}" y="{y + 12}" font-size="10">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def place_name(report: dict[str, Any]) -> str:
    """What the report covers, in Vietnamese: the park, zone or province asked for, or every province."""
    for kind, found in (("park", report["rows"]), ("zone", report["zones"]), ("province", report["provinces"])):
        uid = report[kind]
        if uid:
            key = "park_uid" if kind == "park" else "uid"
            named = next((r["name_vi"] for r in found if r.get(key) == uid), None)
            return named or uid
    return "Tất cả các tỉnh"


def report_html(report: dict[str, Any], board: dict[str, Any], url: str) -> str:
    """The report as one printable HTML page (the PDF is printed from it)."""
    period = f"quý {report['quarter']}/{report['year']}" if report["quarter"] else f"năm {report['year']}"
    before = f"quý {report['quarter']}/{report['year'] - 1}" if report["quarter"] else f"năm {report['year'] - 1}"
    return render(
        "enterprises_report.html",
        title=f"Báo cáo tình hình hoạt động của doanh nghiệp {period}",
        report=report,
        board=board,
        board_logo=board_logo(board),
        place=place_name(report),
        period=period,
        before=before,
        measures=MEASURES,
        measure=measure,
        signed=signed,
        pct=vn_pct,
        chart=revenue_chart(report["rows"]),
        url=url,
        today=date.today().strftime("%d/%m/%Y"),
        css=(STATIC / "report.css").read_text(encoding="utf-8"),
    )


def report_pdf(report: dict[str, Any], board: dict[str, Any], url: str) -> bytes:
    """The report as an A4 PDF."""
    return sheet_pdf(report_html(report, board, url))
