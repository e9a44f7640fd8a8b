"""The spreadsheet a layer is updated from: which columns it has, and the XLSX template with today's values.

One row per current feature, keyed by uid (clearance parcels: project uid + map sheet + parcel number). Row 1 holds
the bilingual labels, row 2 the field names a sheet is read by; key and read-only columns are grey and never
applied. Codes are shown as words (`layers.labels`): cells and drop-downs (long lists from a hidden sheet) read
"Đã cho thuê / Leased"; the reader maps words (or codes) back. Dates are Excel dates (dd/mm/yyyy).
"""

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Connection, Date, Select, String, Text, func, select

from gis import models
from gis.errors import InvalidInput
from layers.checks import allowed_values
from layers.features import table_of
from layers.labels import field_label, shown, value_labels
from layers.spec import Access, LayerSpec
from layers.writes import check_editable, writable_fields

TEMPLATE_ROW_CAP = 10_000  # a sheet people can open and check by eye; larger layers are filtered (project, park)
FIRST_ROW = 3  # row 1: labels, row 2: field names
GREY = PatternFill("solid", fgColor="D9D9D9")
LISTS_SHEET = "lists"
INLINE_LIST_CHARS = 200  # Excel refuses inline lists over 255 characters: longer ones go to the hidden sheet
PROJECT_UID = "project_uid"
PARCEL_KEY = (PROJECT_UID, "map_sheet", "parcel_no")
FILTERS = {"project": "clearance_parcels", "map_sheet": "clearance_parcels", "park": "land_plots"}  # name -> layer
SHEETS_SUGGESTED = 10  # how many map sheets a refusal names


@dataclass(frozen=True)
class SheetLayout:
    """The columns of a layer's sheet: key columns (identify the row), writable ones, read-only ones."""

    spec: LayerSpec
    keys: tuple[str, ...]
    writable: tuple[str, ...]
    read_only: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column, in the template's order."""
        return self.keys + self.writable + self.read_only


def sheet_layout(spec: LayerSpec) -> SheetLayout:
    """The layout of an editable layer keyed by uid (or a clearance parcel's project, map sheet and number)."""
    check_editable(spec)
    table = table_of(spec)
    if spec.id == "clearance_parcels":
        keys: tuple[str, ...] = PARCEL_KEY
        skip = {"project_id", "map_sheet", "parcel_no"}
    elif "uid" in table.c:
        keys, skip = ("uid",), {"uid"}
    else:
        raise InvalidInput(
            f"'{spec.id}' has no uid to key a spreadsheet by; change its records one by one (the item page or the API)"
        )
    writable = tuple(n for n in writable_fields(spec) if n not in skip)
    hidden = set(keys) | set(writable) | skip | {spec.id_column, "valid_to", "decision_id"}
    read_only = tuple(n for n in spec.fields_for(Access.internal) if n not in hidden and n in table.c)
    return SheetLayout(spec, keys, writable, read_only)


def column_words(conn: Connection, layout: SheetLayout) -> dict[str, dict[Any, tuple[str, str]]]:
    """The words of each vocabulary column's codes (`layers.labels`), so cells and drop-downs never show a code."""
    table = table_of(layout.spec)
    found = {n: value_labels(conn, layout.spec, n) for n in layout.columns if n in table.c}
    return {name: words for name, words in found.items() if words}


def current_rows(
    layout: SheetLayout,
    *,
    project: str | None = None,
    park: str | None = None,
    map_sheets: tuple[str, ...] = (),
) -> Select:
    """The query of the layer's current features with the sheet's columns (and the row id), in key order."""
    spec = layout.spec
    table = table_of(spec)
    given = {"project": project, "park": park, "map_sheet": map_sheets or None}
    for name, value in given.items():
        if value is not None and FILTERS[name] != spec.id:
            raise InvalidInput(f"the filter '{name}' applies to '{FILTERS[name]}' only, not '{spec.id}'")
    columns = [table.c[spec.id_column].label("_id")]
    query: Select
    if spec.id == "clearance_parcels":
        projects = models.Project.__table__
        columns.append(projects.c.uid.label(PROJECT_UID))
        columns += [table.c[n] for n in layout.columns if n != PROJECT_UID]
        query = select(*columns).join(projects, projects.c.id == table.c.project_id)
        if project is not None:
            query = query.where(projects.c.uid == project)
        if map_sheets:
            query = query.where(table.c.map_sheet.in_(map_sheets))
        return query.order_by(projects.c.uid, table.c.map_sheet, table.c.parcel_no, table.c[spec.id_column])
    query = select(*columns, *[table.c[n] for n in layout.columns])
    if spec.versioned:
        query = query.where(table.c.valid_to.is_(None))
    if park is not None:
        query = query.where(table.c.park_uid == park)
    return query.order_by(table.c.uid, table.c[spec.id_column])


def build_template(
    conn: Connection,
    spec: LayerSpec,
    *,
    project: str | None = None,
    park: str | None = None,
    map_sheets: tuple[str, ...] = (),
) -> bytes:
    """The XLSX template of a layer's current features; refused when it would pass the row cap."""
    layout = sheet_layout(spec)
    query = current_rows(layout, project=project, park=park, map_sheets=map_sheets)
    count = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    if count > TEMPLATE_ROW_CAP:
        raise InvalidInput(_too_many(conn, spec, query, count, project=project, park=park, map_sheets=map_sheets))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.id[:31]
    table = table_of(spec)
    grey = set(layout.keys) | set(layout.read_only)
    for index, name in enumerate(layout.columns, start=1):
        vi, en = field_label(name)
        sheet.cell(1, index, f"{vi} / {en}").font = Font(bold=True)
        sheet.cell(2, index, name).font = Font(italic=True, color="555555")
        if name in grey:
            sheet.cell(1, index).fill = sheet.cell(2, index).fill = GREY
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(vi) + len(en) + 3))
    formats = {n: _number_format(table, n) for n in layout.columns}
    words = column_words(conn, layout)
    row_number = FIRST_ROW - 1
    for row_number, row in enumerate(conn.execute(query).mappings(), start=FIRST_ROW):
        for index, name in enumerate(layout.columns, start=1):
            value = row[name]
            if name in words and value in words[name]:
                value = shown(words[name][value])
            cell = sheet.cell(row_number, index, value)
            if cell.data_type == "f":  # text that starts with "=" stays text: never a formula Excel would run
                cell.data_type = "s"
            if formats[name]:
                cell.number_format = formats[name]
            if name in grey:
                cell.fill = GREY
    sheet.freeze_panes = sheet.cell(FIRST_ROW, len(layout.keys) + 1)
    _drop_downs(workbook, sheet, layout, allowed_values(conn, spec), words, max(row_number, FIRST_ROW))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _too_many(
    conn: Connection,
    spec: LayerSpec,
    query: Select,
    count: int,
    *,
    project: str | None,
    park: str | None,
    map_sheets: tuple[str, ...],
) -> str:
    """Why a template is refused, naming the filters given and what would narrow it further (the next map sheets)."""
    given = [f"project {project}" if project else "", f"park {park}" if park else ""]
    if map_sheets:
        given.append(f"map sheet{'s' if len(map_sheets) > 1 else ''} {', '.join(map_sheets)}")
    what = " with ".join(g for g in given if g) or f"'{spec.id}'"
    head = f"{what} has {count:,} {'parcels' if spec.id == 'clearance_parcels' else 'current features'}, "
    head += f"over the {TEMPLATE_ROW_CAP:,} a sheet holds"
    if spec.id != "clearance_parcels":
        narrow = [name for name, layer in FILTERS.items() if layer == spec.id]
        hint = f"narrow it with {' or '.join(narrow)}=<uid>" if narrow else "ask an analyst for an export instead"
        return f"{head}: {hint}"
    if not project:
        return f"{head}: narrow it with project=<uid>, and map_sheet=<sheet> if one project is still too large"
    rows = query.order_by(None).subquery()
    sheets = conn.execute(
        select(rows.c.map_sheet, func.count()).group_by(rows.c.map_sheet).order_by(rows.c.map_sheet)
    ).all()
    if len(sheets) < 2:
        return f"{head}, all on one map sheet: ask an analyst for an export instead"
    named = ", ".join(f"{sheet} ({n:,})" for sheet, n in sheets[:SHEETS_SUGGESTED])
    more = f" … first {SHEETS_SUGGESTED} of {len(sheets)}" if len(sheets) > SHEETS_SUGGESTED else ""
    return f"{head}: add map_sheet=<sheet>, several comma-separated (its sheets, with parcels: {named}{more})"


def _number_format(table, name: str) -> str | None:
    """Dates shown dd/mm/yyyy; text kept as text (so a parcel number 012 stays 012)."""
    if name == PROJECT_UID:
        return "@"
    column_type = table.c[name].type
    if isinstance(column_type, Date):
        return "DD/MM/YYYY"
    if isinstance(column_type, String | Text):
        return "@"
    return None


def _drop_downs(
    workbook: Workbook,
    sheet,
    layout: SheetLayout,
    allowed: dict[str, dict[Any, None]],
    words: dict[str, dict[Any, tuple[str, str]]],
    last: int,
) -> None:
    """A list of words per writable vocabulary column; lists too long to write inline go to a hidden sheet."""
    lists = None
    for index, name in enumerate(layout.columns, start=1):
        if name not in layout.writable or not allowed.get(name):
            continue
        labels = words.get(name, {})
        values = [shown(labels[v]) if v in labels else str(v) for v in allowed[name]]
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_CHARS and not any("," in v or '"' in v for v in values):
            formula = f'"{inline}"'
        else:
            if lists is None:
                lists = workbook.create_sheet(LISTS_SHEET)
                lists.sheet_state = "hidden"
            column = lists.max_column + 1 if lists.max_row > 1 or lists.cell(1, 1).value is not None else 1
            lists.cell(1, column, name)
            for offset, value in enumerate(values, start=2):
                lists.cell(offset, column, value)
            letter = get_column_letter(column)
            formula = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Giá trị không hợp lệ / Invalid value",
            error="Chọn một giá trị trong danh sách / Pick a value from the list",
        )
        letter = get_column_letter(index)
        rule.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        sheet.add_data_validation(rule)
