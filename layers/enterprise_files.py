"""The enterprises report as CSV (machine keys) and formatted XLSX (Vietnamese headers first, numbers as numbers)."""

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gis.io import csv_text
from layers.enterprises import MEASURES, SUFFIXES
from layers.labels import field_label

PLACE_COLUMNS = ("level", "park_uid", "name_vi", "name_en", "zone_uid", "province_code")
CSV_COLUMNS = [*PLACE_COLUMNS, *(m + s for m in MEASURES for s in SUFFIXES), "projects_reporting", "includes_estimates"]
CSV_COLUMNS += ["includes_illustrative"]
LABELS = {m: field_label(m) for m in MEASURES}  # the words of layers/labels.py, as the collections show them
PARTS = {
    "": ("Kỳ báo cáo", "This period"),
    "_previous": ("Cùng kỳ năm trước", "Same period last year"),
    "_change": ("Tăng/giảm", "Change"),
    "_change_pct": ("Tăng/giảm (%)", "Change (%)"),
    "_target": ("Kế hoạch năm", "Year's target"),
    "_pct_of_target": ("% kế hoạch", "% of target"),
}
PLACE_HEADERS = [
    ("Khu công nghiệp", "Industrial park"),
    ("Khu kinh tế", "Economic zone"),
    ("Tỉnh", "Province"),
    ("Số dự án báo cáo", "Projects reporting"),
    ("Có số ước", "Includes estimates"),
    ("Có số liệu minh họa", "Includes illustrative figures"),
]
ILLUSTRATIVE_NOTE = "có số liệu minh họa (không phải số liệu thật) / includes illustrative figures, not real data"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def report_csv(report: dict[str, Any]) -> str:
    """One line per row and a last 'total' line, with a UTF-8 byte-order mark so spreadsheet programs keep accents."""
    lines = [[row.get(c) for c in CSV_COLUMNS] for row in report["rows"]]
    total = {**report["totals"], "level": "total", "name_vi": "Tổng cộng", "name_en": "Total"}
    total.update({"zone_uid": report["zone"], "province_code": report["province"], "park_uid": report["park"]})
    lines.append([total.get(c) for c in CSV_COLUMNS])
    return "\ufeff" + "".join(csv_text([CSV_COLUMNS, *lines]))


TREND_COLUMNS = ["year", *CSV_COLUMNS[len(PLACE_COLUMNS) :]]  # the totals' columns, one line per year


def trend_csv(trend: dict[str, Any]) -> str:
    """One line per year with the totals' columns, with a UTF-8 byte-order mark as the report's CSV."""
    lines = [[year.get(c) for c in TREND_COLUMNS] for year in trend["years"]]
    return "\ufeff" + "".join(csv_text([TREND_COLUMNS, *lines]))


def _period(report: dict[str, Any]) -> str:
    """'năm 2021' or 'quý 2/2021'."""
    return f"quý {report['quarter']}/{report['year']}" if report["quarter"] else f"năm {report['year']}"


def _flags(row: dict[str, Any]) -> list[str]:
    """The 'includes estimates' and 'includes illustrative figures' cells of a row."""
    return ["có / yes" if row[key] else "" for key in ("includes_estimates", "includes_illustrative")]


def report_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet: a title, two header lines (Vietnamese, then English), one row per park and the totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Doanh nghiệp"
    sheet.append([f"Tình hình hoạt động của doanh nghiệp {_period(report)} / Enterprises' figures"])
    sheet["A1"].font = Font(bold=True, size=13)
    public = report["public_only"]
    note = "Chỉ số liệu công khai / Public figures only" if public else "Gồm số liệu nội bộ / Includes internal figures"
    sheet.append([note + ("; " + ILLUSTRATIVE_NOTE if report["includes_illustrative"] else "")])
    measure_keys = [m + s for m in MEASURES for s in SUFFIXES]
    vi = [h[0] for h in PLACE_HEADERS] + [f"{LABELS[m][0]} – {PARTS[s][0]}" for m in MEASURES for s in SUFFIXES]
    en = [h[1] for h in PLACE_HEADERS] + [f"{LABELS[m][1]} – {PARTS[s][1]}" for m in MEASURES for s in SUFFIXES]
    sheet.append(vi)
    sheet.append(en)
    for line in (3, 4):
        for cell in sheet[line]:
            cell.font = Font(bold=line == 3, italic=line == 4)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = sheet.max_row + 1
    for row in report["rows"]:
        place = [row["name_vi"], row["zone_name_vi"], row["province_name_vi"], row["projects_reporting"]]
        sheet.append([*place, *_flags(row), *(row[k] for k in measure_keys)])
    totals = report["totals"]
    sheet.append(
        [
            "Tổng cộng / Total",
            None,
            None,
            totals["projects_reporting"],
            *_flags(totals),
            *(totals[k] for k in measure_keys),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, key in enumerate(measure_keys, start=len(PLACE_HEADERS) + 1):
        pct = key.endswith("_pct") or key.endswith("_pct_of_target")
        money = "_usd" in key and not pct
        number_format = '0.0"%"' if pct else "#,##0.00" if money else "#,##0"
        for line in range(first, sheet.max_row + 1):
            sheet.cell(line, index).number_format = number_format
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 18
    sheet.freeze_panes = sheet.cell(first, 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
