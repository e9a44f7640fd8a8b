"""The enterprises report as CSV (machine keys) and formatted XLSX (Vietnamese headers first, numbers as numbers)."""

from typing import Any

from openpyxl import Workbook

from gis.io import csv_text
from layers.enterprises import MEASURES, QUARTER_SUFFIXES, SUFFIXES, period_words
from layers.labels import field_label
from layers.report_sheets import Column, first_sheet, workbook_bytes, write_table

PLACE_COLUMNS = ("level", "park_uid", "name_vi", "name_en", "zone_uid", "province_code")
LABELS = {m: field_label(m) for m in MEASURES}  # the words of layers/labels.py, as the collections show them
ILLUSTRATIVE_NOTE = "có số liệu minh họa (không phải số liệu thật) / includes illustrative figures, not real data"
PARTS = {
    "": ("Kỳ báo cáo", "This period"),
    "_previous": ("Cùng kỳ năm trước", "Same period last year"),
    "_change": ("Tăng/giảm", "Change"),
    "_change_pct": ("Tăng/giảm (%)", "Change (%)"),
    "_target": ("Kế hoạch năm", "Year's target"),
    "_pct_of_target": ("% kế hoạch", "% of target"),
    "_previous_quarter": ("Quý trước", "Previous quarter"),
    "_previous_quarter_change": ("Tăng/giảm so với quý trước", "Change on the previous quarter"),
    "_previous_quarter_change_pct": ("Tăng/giảm so với quý trước (%)", "Change on the previous quarter (%)"),
}


def measure_keys(report: dict[str, Any]) -> list[str]:
    """Every measure's columns, in order; a quarter's report adds the comparison with the quarter before."""
    suffixes = SUFFIXES + (QUARTER_SUFFIXES if report["quarter"] else ())
    return [m + s for m in MEASURES for s in suffixes]


def report_csv(report: dict[str, Any]) -> str:
    """One line per row and a last 'total' line, with a UTF-8 byte-order mark so spreadsheet programs keep accents."""
    columns = [*PLACE_COLUMNS, *measure_keys(report), *TOTAL_FLAGS]
    lines = [[row.get(c) for c in columns] for row in report["rows"]]
    total = {**report["totals"], "level": "total", "name_vi": "Tổng cộng", "name_en": "Total"}
    total.update({"zone_uid": report["zone"], "province_code": report["province"], "park_uid": report["park"]})
    lines.append([total.get(c) for c in columns])
    return "\ufeff" + "".join(csv_text([columns, *lines]))


def _kind(key: str) -> str:
    """How a measure's cell is shown: a percentage, US dollars with cents, or a whole number."""
    if key.endswith("_pct") or key.endswith("_pct_of_target"):
        return "pct"
    return "usd" if "_usd" in key else "count"


def _measure_column(key: str) -> Column:
    """A measure column's headers, "Doanh thu (đồng) – Cùng kỳ năm trước", and how its cells are shown."""
    measure = next(m for m in MEASURES if key.startswith(m))
    part = key[len(measure) :]
    (vi, en), (part_vi, part_en) = LABELS[measure], PARTS[part]
    return Column(f"{vi} – {part_vi}", f"{en} – {part_en}", _kind(key), width=20)


TOTAL_FLAGS = ["projects_reporting", "includes_estimates", "includes_illustrative"]
TREND_COLUMNS = ["year", *(m + s for m in MEASURES for s in SUFFIXES), *TOTAL_FLAGS]  # the totals' columns per year


def trend_csv(trend: dict[str, Any]) -> str:
    """One line per year with the totals' columns, with a UTF-8 byte-order mark as the report's CSV."""
    lines = [[year.get(c) for c in TREND_COLUMNS] for year in trend["years"]]
    return "\ufeff" + "".join(csv_text([TREND_COLUMNS, *lines]))


def _flags(row: dict[str, Any]) -> list[str]:
    """The 'includes estimates' and 'includes illustrative figures' cells of a row."""
    return ["có / yes" if row[key] else "" for key in ("includes_estimates", "includes_illustrative")]


def report_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet: a title, two header lines (Vietnamese, then English), one row per park and the totals row."""
    keys = measure_keys(report)
    columns = [
        Column("Khu công nghiệp", "Industrial park", width=44),
        Column("Khu kinh tế", "Economic zone", width=30),
        Column("Tỉnh", "Province", width=18),
        Column("Số dự án báo cáo", "Projects reporting", "count", width=18),
        Column("Có số ước", "Includes estimates", width=18),
        Column("Có số liệu minh họa", "Includes illustrative figures", width=18),
        *(_measure_column(key) for key in keys),
    ]
    rows = [
        [
            row["name_vi"],
            row["zone_name_vi"],
            row["province_name_vi"],
            row["projects_reporting"],
            *_flags(row),
            *(row[k] for k in keys),
        ]
        for row in report["rows"]
    ]
    totals = report["totals"]
    total = ["Tổng cộng / Total", None, None, totals["projects_reporting"]]
    total += [*_flags(totals), *(totals[k] for k in keys)]
    scope = "Chỉ số liệu công khai / Public figures only" if report["public_only"] else None
    illustrative = [ILLUSTRATIVE_NOTE] if report["includes_illustrative"] else []
    book = Workbook()
    write_table(
        first_sheet(book, "Doanh nghiệp"),
        f"Tình hình hoạt động của doanh nghiệp {period_words(report)} / Enterprises' figures",
        columns,
        rows,
        notes=["; ".join([scope or "Gồm số liệu nội bộ / Includes internal figures"] + illustrative)],
        totals=total,
    )
    return workbook_bytes(book)
