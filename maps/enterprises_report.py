"""The enterprises report as an A4 PDF in Vietnamese, in the shape of a board's annual (or quarterly) report.

Totals with the change on the same period of the previous year (and, for a quarter, on the quarter before) and % of
the year's plan, a bar chart of revenue by park, and the table per park; printed by maps/report_print.py.
"""

from typing import Any

from markupsafe import Markup

from layers.enterprises import before_words, period_words
from maps.report_print import Bar, bar_chart, report_pdf, vn_number

# (label, unit, divisor, decimals) of each measure as the report prints it.
MEASURES: dict[str, tuple[str, str, int, int]] = {
    "revenue_vnd": ("Doanh thu", "tỷ đồng", 10**9, 1),
    "exports_usd": ("Kim ngạch xuất khẩu", "triệu USD", 10**6, 1),
    "budget_vnd": ("Nộp ngân sách nhà nước", "tỷ đồng", 10**9, 1),
    "workers_domestic": ("Lao động trong nước", "người", 1, 0),
    "workers_foreign": ("Lao động nước ngoài", "người", 1, 0),
    "new_jobs": ("Việc làm mới", "người", 1, 0),
    "registered_capital_vnd": ("Vốn đăng ký (đồng)", "tỷ đồng", 10**9, 1),
    "implemented_capital_vnd": ("Vốn thực hiện (đồng)", "tỷ đồng", 10**9, 1),
    "registered_capital_usd": ("Vốn đăng ký (USD)", "triệu USD", 10**6, 1),
    "implemented_capital_usd": ("Vốn thực hiện (USD)", "triệu USD", 10**6, 1),
}


def measure(key: str, value: float | int | None) -> str:
    """A measure in the report's unit, without the unit."""
    _label, _unit, divisor, decimals = MEASURES[key]
    return vn_number(value, decimals, divisor)


def signed(key: str, value: float | int | None) -> str:
    """A change with its sign, '+3.047,0'."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + measure(key, value)


def revenue_bars(rows: list[dict[str, Any]]) -> list[Bar]:
    """Revenue (tỷ đồng) per park, largest first."""
    shown = sorted((r for r in rows if r.get("revenue_vnd")), key=lambda r: -r["revenue_vnd"])
    return [Bar(r["name_vi"], r["revenue_vnd"], measure("revenue_vnd", r["revenue_vnd"])) for r in shown]


def revenue_chart(rows: list[dict[str, Any]]) -> Markup:
    """Horizontal bars of revenue (tỷ đồng) per park, longest first, as an inline SVG."""
    return bar_chart(revenue_bars(rows), "Doanh thu theo khu công nghiệp / Revenue by park")


def place_name(report: dict[str, Any]) -> str:
    """What the report covers, in Vietnamese: the park, zone or province asked for, or every province."""
    for kind, found in (("park", report["rows"]), ("zone", report["zones"]), ("province", report["provinces"])):
        uid = report[kind]
        if uid:
            key = "park_uid" if kind == "park" else "uid"
            named = next((r["name_vi"] for r in found if r.get(key) == uid), None)
            return named or uid
    return "Tất cả các tỉnh"


def title(report: dict[str, Any]) -> str:
    """ "Báo cáo tình hình hoạt động của doanh nghiệp Quý 2/2024" (or "… năm 2024")."""
    return f"Báo cáo tình hình hoạt động của doanh nghiệp {period_words(report)}"


def quarter_before_words(report: dict[str, Any]) -> str | None:
    """ "Quý 1/2024" for a report on Q2/2024; None for a year's report."""
    earlier = report.get("previous_quarter")
    return f"Quý {earlier['quarter']}/{earlier['year']}" if earlier else None


def report_document(report: dict[str, Any], board: dict[str, Any], url: str) -> bytes:
    """The report as an A4 PDF."""
    return report_pdf(
        "enterprises_report.html",
        url,
        title=title(report),
        report=report,
        board=board,
        place=place_name(report),
        period=period_words(report),
        before=before_words(report),
        quarter_before=quarter_before_words(report),
        measures=MEASURES,
        measure=measure,
        signed=signed,
        chart=revenue_chart(report["rows"]),
    )
