"""The one way the board's reports are written as XLSX, so every sheet reads the same to the people who get them.

A sheet is a title line, note lines (public figures only, illustrative data…), a Vietnamese header line and, where
the sheet is bilingual, an English one under it, one line per row and an optional bold totals line. Numbers stay
numbers with a display format per kind, dates are real dates shown dd/mm/yyyy, the headers stay in view.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FONT = Font(italic=True, color="8A4B00")
# How each kind of value is shown; the cell keeps the number (or the date) itself.
NUMBER_FORMATS = {
    "count": "#,##0",
    "vnd": "#,##0",
    "usd": "#,##0.00",
    "ha": "#,##0.00",
    "pct": '0.0"%"',
    "date": "dd/mm/yyyy",
}
WIDTHS = {"text": 30, "date": 12, "count": 12, "pct": 12}


@dataclass(frozen=True)
class Column:
    """A column: its Vietnamese and English headers, the kind of value (text, count, vnd, usd, ha, pct, date)."""

    vi: str
    en: str = ""
    kind: str = "text"
    width: float | None = None
    wrap: bool = False


def write_table(
    sheet: Worksheet,
    title: str | None,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    notes: Sequence[str] = (),
    totals: Sequence[Any] | None = None,
    english: bool = True,
    freeze_column: int = 2,
) -> None:
    """Write a titled table on an empty sheet: notes, header line(s), rows, totals; formats and widths by kind."""
    if title:
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
    for note in notes:
        sheet.append([note])
        sheet.cell(sheet.max_row, 1).font = NOTE_FONT
    header_lines = [[c.vi for c in columns]] + ([[c.en for c in columns]] if english else [])
    for index, line in enumerate(header_lines):
        sheet.append(line)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=index == 0, italic=index == 1)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = sheet.max_row + 1
    for row in rows:
        sheet.append(list(row))
    if totals is not None:
        sheet.append(list(totals))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        number_format = NUMBER_FORMATS.get(column.kind)
        for line in range(first, sheet.max_row + 1):
            cell = sheet.cell(line, index)
            if number_format:
                cell.number_format = number_format
            if column.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = column.width or WIDTHS.get(column.kind, 18)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(first, freeze_column)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def first_sheet(book: Workbook, name: str) -> Worksheet:
    """The new workbook's first sheet, named (Excel allows 31 characters)."""
    sheet = book.active
    sheet.title = name[:31]
    return sheet
