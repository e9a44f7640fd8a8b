"""The enterprises report and the programme's progress report as DOCX (python-docx), for boards that edit the report
before signing it: A4, Times New Roman (the font of Vietnamese administrative documents), the board's heading and
the same tables and numbers as the PDF, written the same Vietnamese way (69.448,0).

Tables only: the PDF's charts are inline SVG, which Word documents cannot carry without a raster copy, and no
dependency of the product draws raster charts.
"""

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from layers.enterprises import CAPITAL, before_words, period_words
from layers.tasks import task_cells
from maps.enterprises_report import MEASURES, measure, place_name, quarter_before_words, signed, title
from maps.programme_report import summary_rows
from maps.programme_report import title as programme_title
from maps.report_print import vn_date, vn_number, vn_pct

PARK_FIGURES = ("exports_usd", "budget_vnd", "workers_domestic", "workers_foreign", "new_jobs")  # after revenue

FONT = "Times New Roman"
BOARD = "Ban Quản lý Khu kinh tế / Economic Zone Management Board"
HEADER_SHADE = "DDEBF7"
NOTE = RGBColor(0x8A, 0x4B, 0x00)
GREY = RGBColor(0x55, 0x55, 0x55)


class DocxReport:
    """A report being written: the board's heading, sections, notes and tables on A4."""

    def __init__(self, board: str, heading: str, scope: str, english: str, *, landscape: bool = False) -> None:
        self.document = Document()
        section = self.document.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.left_margin, section.right_margin = Mm(25), Mm(15)
        section.top_margin = section.bottom_margin = Mm(20)
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(11)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Word reads this one for some scripts
        self.line(board, size=10, colour=GREY)
        self.line(heading, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.line(scope, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.line(english, size=10, italic=True, colour=GREY, align=WD_ALIGN_PARAGRAPH.CENTER)

    def line(
        self,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        italic: bool = False,
        colour: RGBColor | None = None,
        align: WD_ALIGN_PARAGRAPH | None = None,
    ) -> None:
        """One paragraph of one run."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
        if colour is not None:
            run.font.color.rgb = colour

    def note(self, text: str) -> None:
        """A note under the heading: public figures only, illustrative data, estimates."""
        self.line(text, size=10, italic=True, colour=NOTE)

    def section(self, text: str) -> None:
        """A numbered section's title, "I. Kết quả chung / Totals"."""
        self.line(text, size=12, bold=True)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        numeric: Sequence[int] = (),
        bold_last: bool = False,
        widths_mm: Sequence[float] = (),
    ) -> None:
        """A bordered table: a shaded header row, numbers right-aligned, the last row bold when it is a total."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            _write(cell, header, bold=True)
            _shade(cell, HEADER_SHADE)
        for index, values in enumerate(rows):
            cells = table.add_row().cells
            bold = bold_last and index == len(rows) - 1
            for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
                _write(cell, "" if value is None else str(value), bold=bold, right=column in numeric)
        for column, width in enumerate(widths_mm):
            for row in table.rows:
                row.cells[column].width = Mm(width)
        self.document.add_paragraph()

    def finish(self, url: str) -> bytes:
        """The footer line (the day and the link the report came from) and the file's bytes."""
        self.line(f"Lập ngày / Generated on: {date.today():%d/%m/%Y} · Zone Atlas", size=8, colour=GREY)
        self.line(url, size=8, colour=GREY)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _write(cell: Any, text: str, *, bold: bool = False, right: bool = False) -> None:
    """A table cell's text at 9 pt."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else None
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(9), bold


def _shade(cell: Any, colour: str) -> None:
    """A cell's background colour (python-docx has no call for it: the w:shd element)."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


# --- the enterprises report -------------------------------------------------------------------------------------


def enterprises_docx(report: dict[str, Any], url: str) -> bytes:
    """The annual (or quarterly) report on the parks' enterprises: totals against last year and plan, then per park."""
    doc = DocxReport(
        BOARD,
        title(report),
        f"{place_name(report)} — {period_words(report)}",
        "Report on the enterprises of the industrial parks and economic zones",
    )
    if report["public_only"]:
        doc.note("Chỉ gồm số liệu công khai / Public figures only")
    if report["includes_illustrative"]:
        doc.note("Có số liệu minh họa (không phải số liệu thật) / Includes illustrative figures, not real data")
    if report["totals"]["includes_estimates"]:
        doc.note("Có số ước tính (ước) / Includes estimates")
    quarter_before = quarter_before_words(report)
    headers = ["Chỉ tiêu", "Đơn vị", period_words(report), before_words(report), "Tăng/giảm", "Tăng/giảm (%)"]
    if quarter_before:
        headers += [f"{quarter_before} (quý trước)", "So với quý trước (%)"]
    headers += ["Kế hoạch năm", "% kế hoạch năm"]
    totals = report["totals"]
    rows = []
    for key, (label, unit, _divisor, _decimals) in MEASURES.items():
        line = [label, unit, measure(key, totals[key]), measure(key, totals[f"{key}_previous"])]
        line += [signed(key, totals[f"{key}_change"]), vn_pct(totals[f"{key}_change_pct"])]
        if quarter_before:
            earlier = totals[f"{key}_previous_quarter"]
            line += [measure(key, earlier), vn_pct(totals[f"{key}_previous_quarter_change_pct"])]
        line += [measure(key, totals[f"{key}_target"]), vn_pct(totals[f"{key}_pct_of_target"])]
        rows.append(line)
    doc.section("I. Kết quả chung / Totals")
    doc.table(headers, rows, numeric=range(2, len(headers)))
    doc.line(f"Số dự án báo cáo / Projects reporting: {totals['projects_reporting']}", size=9, colour=GREY)
    doc.section("II. Số liệu từng khu công nghiệp / Figures per park")
    park_headers = ["Khu công nghiệp", "Doanh thu (tỷ đồng)", "% kế hoạch năm", "Xuất khẩu (triệu USD)"]
    park_headers += ["Nộp ngân sách (tỷ đồng)", "Lao động trong nước", "Lao động nước ngoài", "Việc làm mới"]
    parks = [
        [
            row["name_vi"] + (" (ước)" if row["includes_estimates"] else ""),
            measure("revenue_vnd", row["revenue_vnd"]),
            vn_pct(row["revenue_vnd_pct_of_target"]),
            *(measure(key, row[key]) for key in PARK_FIGURES),
        ]
        for row in report["rows"]
    ]
    total = ["Tổng cộng", measure("revenue_vnd", totals["revenue_vnd"]), vn_pct(totals["revenue_vnd_pct_of_target"])]
    total += [measure(key, totals[key]) for key in PARK_FIGURES]
    doc.table(park_headers, [*parks, total], numeric=range(1, 8), bold_last=True, widths_mm=(50,))
    doc.section("III. Vốn đầu tư theo khu công nghiệp / Capital per park")
    capital_headers = ["Khu công nghiệp", *(f"{MEASURES[key][0]} ({MEASURES[key][1]})" for key in CAPITAL)]
    capital = [[row["name_vi"], *(measure(key, row[key]) for key in CAPITAL)] for row in report["rows"]]
    capital.append(["Tổng cộng", *(measure(key, totals[key]) for key in CAPITAL)])
    doc.table(capital_headers, capital, numeric=range(1, 5), bold_last=True, widths_mm=(50,))
    return doc.finish(url)


# --- the programme's progress report ----------------------------------------------------------------------------


def programme_docx(report: dict[str, Any], board: str, url: str) -> bytes:
    """The progress report: the summary per lead unit and the board's task table, as the PDF prints them."""
    as_of = vn_date(report["as_of"])
    doc = DocxReport(
        board,
        programme_title(report),
        f"Tình hình đến ngày {as_of}",
        f"Work-programme progress report {report['year']}, as of {as_of}",
        landscape=True,
    )
    if any(t["illustrative"] for t in report["tasks"]):
        doc.note("Có nhiệm vụ minh họa (không phải số liệu thật) / Includes illustrative tasks, not real data")
    doc.section("I. Tổng hợp theo đơn vị / Summary per unit")
    headers = ["Đơn vị chủ trì", "Tổng số nhiệm vụ", "Đã hoàn thành", "Hoàn thành chậm", "Đang thực hiện"]
    headers += ["Quá hạn", "Tỷ lệ hoàn thành"]
    units = [
        [
            unit["unit_words"]["vi"],
            *(vn_number(unit[name]) for name in ("total", "done", "done_late", "in_progress", "overdue")),
            vn_pct(unit["percent_done"]),
        ]
        for unit in summary_rows(report)
    ]
    doc.table(headers, units, numeric=range(1, 7), bold_last=True, widths_mm=(80,))
    doc.line("Tỷ lệ hoàn thành tính trên các nhiệm vụ không bị hủy / % done counts tasks not cancelled.", size=9)
    doc.section("II. Danh mục nhiệm vụ / Tasks")
    headers = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành", "Cấp trình"]
    headers += ["Tình trạng"]
    tasks = [task_cells(number, task) for number, task in enumerate(report["tasks"], start=1)]
    doc.table(headers, tasks, widths_mm=(10, 85, 35, 40, 25, 30, 35))
    return doc.finish(url)
