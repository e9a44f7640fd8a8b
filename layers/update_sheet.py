"""The spreadsheet a layer is updated from: which columns it has, and the XLSX template with today's values.

One row per current feature, keyed by uid, or by the layer's natural key (`LayerSpec.sheet_key`: a clearance
parcel's project uid + map sheet + parcel number, an enterprise figure's project + year + period + basis). Row 1
holds the bilingual labels, row 2 the field names a sheet is read by; read-only columns are grey and never applied,
and so are key columns, except on layers where a new key adds a row (`layers.sheet_keys`): there the key columns are
blue and a year's template ends with blank rows to fill in. Codes are shown as words (`layers.labels`): cells and
drop-downs (long lists from a hidden sheet) read "Đã cho thuê / Leased"; the reader maps words (or codes) back.
Dates are Excel dates (dd/mm/yyyy).
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
from layers.sheet_keys import PROJECT_NAME, PROJECT_UID, blank_rows, inserts_rows
from layers.spec import Access, LayerSpec
from layers.writes import check_editable, writable_fields

TEMPLATE_ROW_CAP = 10_000  # a sheet people can open and check by eye; larger layers are filtered (project, park)
FIRST_ROW = 3  # row 1: labels, row 2: field names
GREY = PatternFill("solid", fgColor="D9D9D9")
KEY_BLUE = PatternFill("solid", fgColor="DDEBF7")  # key columns a person types for a new row
LISTS_SHEET = "lists"
INLINE_LIST_CHARS = 200  # Excel refuses inline lists over 255 characters: longer ones go to the hidden sheet
PARCEL_KEY = (PROJECT_UID, "map_sheet", "parcel_no")
FILTERS = {  # a template filter -> the layers it narrows
    "project": ("clearance_parcels", "enterprise_figures", "project_rent_amounts"),
    "map_sheet": ("clearance_parcels",),
    "park": ("land_plots", "enterprise_figures"),
    "province": ("enterprise_figures",),
    "year": ("enterprise_figures", "enterprise_targets", "project_rent_amounts"),
}
SHEETS_SUGGESTED = 10  # how many map sheets a refusal names


@dataclass(frozen=True)
class TemplateFilter:
    """Which rows a template lists: a project's, a park's, a province's, a year's, some map sheets' (all optional)."""

    project: str | None = None
    park: str | None = None
    map_sheets: tuple[str, ...] = ()
    province: str | None = None
    year: int | None = None

    def given(self) -> dict[str, Any]:
        """The filters given, by parameter name."""
        values = {"project": self.project, "park": self.park, "map_sheet": self.map_sheets or None}
        values.update(province=self.province, year=self.year)
        return {name: value for name, value in values.items() if value is not None}


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

    @property
    def inserts(self) -> bool:
        """Whether a row with a new key adds a row (its key columns are then typed by people)."""
        return inserts_rows(self.spec)


def sheet_layout(spec: LayerSpec) -> SheetLayout:
    """The layout of an editable layer keyed by uid or by its declared natural key (`LayerSpec.sheet_key`)."""
    check_editable(spec)
    table = table_of(spec)
    if spec.sheet_key:
        keys: tuple[str, ...] = spec.sheet_key
        skip = {"project_id" if k == PROJECT_UID else k for k in keys}
    elif "uid" in table.c:
        keys, skip = ("uid",), {"uid"}
    else:
        raise InvalidInput(
            f"'{spec.id}' has no uid to key a spreadsheet by; change its records one by one (the item page or the API)"
        )
    writable = tuple(n for n in writable_fields(spec) if n not in skip)
    hidden = set(keys) | set(writable) | skip | {spec.id_column, "valid_to", "decision_id"}
    read_only = tuple(n for n in spec.fields_for(Access.internal) if n not in hidden and n in table.c)
    if PROJECT_UID in keys:
        read_only = (PROJECT_NAME, *read_only)
    return SheetLayout(spec, keys, writable, read_only)


def key_column(layout: SheetLayout, name: str):
    """The SQL column a key column reads: the project's uid for project_uid, else the layer's own column."""
    if name == PROJECT_UID:
        return models.Project.__table__.c.uid
    return table_of(layout.spec).c[name]


def column_words(conn: Connection, layout: SheetLayout) -> dict[str, dict[Any, tuple[str, str]]]:
    """The words of each vocabulary column's codes (`layers.labels`), so cells and drop-downs never show a code."""
    table = table_of(layout.spec)
    found = {n: value_labels(conn, layout.spec, n) for n in layout.columns if n in table.c}
    return {name: words for name, words in found.items() if words}


def current_rows(layout: SheetLayout, only: TemplateFilter | None = None) -> Select:
    """The query of the layer's current rows with the sheet's columns (and the row id), in key order."""
    spec = layout.spec
    table = table_of(spec)
    only = only or TemplateFilter()
    for name in only.given():
        if spec.id not in FILTERS[name]:
            raise InvalidInput(f"the filter '{name}' applies to {', '.join(FILTERS[name])} only, not '{spec.id}'")
    own = [n for n in layout.columns if n in table.c]
    columns = [table.c[spec.id_column].label("_id"), *[table.c[n] for n in own]]
    query = select(*columns)
    projects = models.Project.__table__
    if PROJECT_UID in layout.keys:
        query = query.add_columns(projects.c.uid.label(PROJECT_UID), projects.c.name_vi.label(PROJECT_NAME))
        query = query.join(projects, projects.c.id == table.c.project_id)
        if only.project is not None:
            query = query.where(projects.c.uid == only.project)
        if only.park is not None:
            query = query.where(projects.c.park_uid == only.park)
        if only.province is not None:
            query = query.where(projects.c.province_code == only.province)
    elif only.park is not None:
        query = query.where(table.c.park_uid == only.park)
    if only.map_sheets:
        query = query.where(table.c.map_sheet.in_(only.map_sheets))
    if only.year is not None:
        query = query.where(table.c.year == only.year)
    if spec.versioned:
        query = query.where(table.c.valid_to.is_(None))
    return query.order_by(*[key_column(layout, k) for k in layout.keys], table.c[spec.id_column])


def build_template(conn: Connection, spec: LayerSpec, only: TemplateFilter | None = None) -> bytes:
    """The XLSX template of a layer's current rows (and a year's blank rows); refused when it would pass the cap."""
    only = only or TemplateFilter()
    layout = sheet_layout(spec)
    query = current_rows(layout, only)
    count = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    blanks = []
    if layout.inserts:
        blanks = blank_rows(conn, spec, year=only.year, project=only.project, park=only.park, province=only.province)
    if count + len(blanks) > TEMPLATE_ROW_CAP:
        raise InvalidInput(_too_many(conn, spec, query, count + len(blanks), only))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.id[:31]
    table = table_of(spec)
    grey = set(layout.read_only) | (set() if layout.inserts else set(layout.keys))
    for index, name in enumerate(layout.columns, start=1):
        vi, en = field_label(name)
        sheet.cell(1, index, f"{vi} / {en}").font = Font(bold=True)
        sheet.cell(2, index, name).font = Font(italic=True, color="555555")
        if name in grey:
            sheet.cell(1, index).fill = sheet.cell(2, index).fill = GREY
        elif name in layout.keys:
            sheet.cell(1, index).fill = sheet.cell(2, index).fill = KEY_BLUE
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(vi) + len(en) + 3))
    formats = {n: _number_format(table, n) for n in layout.columns}
    words = column_words(conn, layout)
    row_number = FIRST_ROW - 1
    rows = [*conn.execute(query).mappings(), *blanks]
    for row_number, row in enumerate(rows, start=FIRST_ROW):
        for index, name in enumerate(layout.columns, start=1):
            value = row.get(name)
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


def _too_many(conn: Connection, spec: LayerSpec, query: Select, count: int, only: TemplateFilter) -> str:
    """Why a template is refused, naming the filters given and what would narrow it further (the next map sheets)."""
    project, map_sheets = only.project, only.map_sheets
    given = [f"{name} {value}" for name, value in only.given().items() if name != "map_sheet"]
    if map_sheets:
        given.append(f"map sheet{'s' if len(map_sheets) > 1 else ''} {', '.join(map_sheets)}")
    what = " with ".join(given) or f"'{spec.id}'"
    head = f"{what} has {count:,} {'parcels' if spec.id == 'clearance_parcels' else 'current features'}, "
    head += f"over the {TEMPLATE_ROW_CAP:,} a sheet holds"
    if spec.id != "clearance_parcels":
        narrow = [f"{name}=<{'year' if name == 'year' else 'uid'}>" for name, ids in FILTERS.items() if spec.id in ids]
        hint = f"narrow it with {' or '.join(narrow)}" if narrow else "ask an analyst for an export instead"
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
    if name in (PROJECT_UID, PROJECT_NAME):
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
    """A list of words per writable vocabulary column (and key column, where a new key adds a row); lists too long
    to write inline go to a hidden sheet."""
    typed = set(layout.writable) | (set(layout.keys) if layout.inserts else set())
    lists = None
    for index, name in enumerate(layout.columns, start=1):
        if name not in typed or not allowed.get(name):
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
