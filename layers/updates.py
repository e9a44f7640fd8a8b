"""Spreadsheet updates: a filled-in template read, compared cell by cell with the stored features, then applied.

Every cell is checked as edits and imports check values (`layers.checks`); every problem is reported with its row
and column, and a sheet with any problem writes nothing. On a layer keyed by a natural key without geometry
(`layers.sheet_keys`: enterprise figures and targets, rent per year) a row whose key is new adds a row; a new row
with nothing filled in is skipped. The changes are applied by `layers.writes.apply_changes` in one call: one
transaction, audited, province scopes honoured, versioned layers under the decision.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import shapely
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from sqlalchemy import Connection, Date, String, Text, func, select

from gis.errors import InvalidInput
from gis.limits import unstorable
from layers.checks import Refused, RuleBroken, allowed_values, check_place, check_value, province_outlines
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.labels import code_of, field_label, shown, words_to_codes
from layers.sheet_keys import PROJECT_NAME, PROJECT_UID, key_problem, project_ids
from layers.spec import LayerSpec
from layers.update_sheet import FIRST_ROW, TEMPLATE_ROW_CAP, SheetLayout, column_words, current_rows, key_column
from layers.writes import DecisionRef, FeatureWrite, apply_changes, decision_required

DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
NEW_FEATURES = "a sheet changes existing features only: draw new ones on the map or import a file"


@dataclass(frozen=True)
class SheetRow:
    """One data row of the sheet: its row number and its cells by field name."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Sheet:
    """The readable content of an uploaded sheet: field name -> column letter, and the non-empty rows."""

    columns: dict[str, str]
    rows: list[SheetRow]


@dataclass
class UpdateReport:
    """What a sheet changes and what is wrong with it, as the page shows it."""

    spec: LayerSpec
    file: str
    rows_read: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    writes: list[FeatureWrite] = field(default_factory=list)

    def error(self, row: int | None, column: str | None, name: str | None, message: str) -> None:
        """Record a problem at a row and column (both optional)."""
        self.errors.append({"row": row, "column": column, "field": name, "message": message})

    def as_dict(self, *, dry_run: bool, applied: bool, decision: DecisionRef | None) -> dict[str, Any]:
        """The JSON answer."""
        touched = {c["row"] for c in self.changes} | {e["row"] for e in self.errors}
        return {
            "collection": self.spec.id,
            "title_vi": self.spec.title_vi,
            "title_en": self.spec.title_en,
            "file": self.file,
            "dry_run": dry_run,
            "applied": applied,
            "decision": None if decision is None else {"id": decision.id, "number": decision.number},
            "versioned": self.spec.versioned,
            "counts": {
                "rows_read": self.rows_read,
                "rows_changed": len(self.changes),
                "rows_new": sum(1 for c in self.changes if c["action"] == "create"),
                "rows_unchanged": self.rows_read - len(touched),
                "errors": len(self.errors),
            },
            "changes": self.changes,
            "errors": self.errors,
        }


# --- reading the file -----------------------------------------------------------------------------------------


def read_sheet(content: bytes, layout: SheetLayout, name: str) -> Sheet:
    """The first sheet's field names (row 2) and data rows; a file that is not such a sheet is refused whole."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # not a zip, no workbook part, damaged XML: openpyxl raises many kinds
        raise InvalidInput(f"{name} is not an XLSX workbook ({type(exc).__name__}); download the template") from None
    try:
        return _read_rows(workbook, layout, name)
    except InvalidInput:
        raise
    except Exception as exc:  # a damaged sheet fails while it is streamed
        raise InvalidInput(f"{name}: the sheet cannot be read ({type(exc).__name__}); save it again as XLSX") from None
    finally:
        workbook.close()


def _read_rows(workbook, layout: SheetLayout, name: str) -> Sheet:
    """Row 2's field names checked against the layout, then the non-empty data rows."""
    worksheet = workbook.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    next(rows, None)  # row 1: labels, for people
    names = list(next(rows, None) or ())
    columns: dict[str, str] = {}
    for index, raw in enumerate(names, start=1):
        letter = get_column_letter(index)
        if raw is None or not str(raw).strip():
            continue
        text = str(raw).strip()
        if text not in layout.columns:
            raise InvalidInput(
                f"{name}: column {letter} (row 2) is '{text[:60]}', not a field of '{layout.spec.id}'; "
                f"its fields are {', '.join(layout.columns)}"
            )
        if text in columns:
            raise InvalidInput(f"{name}: the field '{text}' is in columns {columns[text]} and {letter}")
        columns[text] = letter
    missing = [k for k in layout.keys if k not in columns]
    if missing:
        raise InvalidInput(f"{name}: row 2 has no key column {', '.join(missing)} (download the template)")
    positions = {n: column_index_from_string(letter) - 1 for n, letter in columns.items()}
    data: list[SheetRow] = []
    for number, values in enumerate(rows, start=FIRST_ROW):
        values = tuple(values)
        if all(_blank(v) for v in values):
            continue
        for index, value in enumerate(values):
            if not _blank(value) and (index >= len(names) or _blank(names[index])):
                letter = get_column_letter(index + 1)
                raise InvalidInput(f"{name}: cell {letter}{number} has a value but column {letter} no field name")
        if len(data) >= TEMPLATE_ROW_CAP:
            raise InvalidInput(f"{name}: more than {TEMPLATE_ROW_CAP:,} rows; split the sheet")
        cells = {n: values[i] if i < len(values) else None for n, i in positions.items()}
        data.append(SheetRow(number, cells))
    if not data:
        raise InvalidInput(f"{name}: the sheet has no rows below the two header rows")
    return Sheet(columns, data)


def _blank(value: Any) -> bool:
    """Empty cells and cells holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


# --- comparing ----------------------------------------------------------------------------------------------------


def plan_updates(conn: Connection, layout: SheetLayout, sheet: Sheet, name: str) -> UpdateReport:
    """Match rows to current features by key, type and check every writable cell, and list what changes."""
    spec = layout.spec
    table = table_of(spec)
    report = UpdateReport(spec, name, rows_read=len(sheet.rows))
    allowed = allowed_values(conn, spec)
    required = required_columns(table)
    not_null = {c.name for c in table.columns if not c.nullable}  # required, or kept by a default: never cleared
    present = [n for n in layout.writable if n in sheet.columns]
    words = column_words(conn, layout)
    readers = {name: words_to_codes(labels) for name, labels in words.items()}
    stored = _stored(conn, layout, sheet, readers)
    projects = _projects(conn, layout, sheet) if layout.inserts else {}
    seen: dict[tuple, int] = {}
    for row in sheet.rows:
        key = _row_key(layout, row, readers)
        said = _key_words(layout, key, words)
        if any(k is None for k in key):
            missing = [k for k, v in zip(layout.keys, key, strict=True) if v is None]
            report.error(row.number, sheet.columns[missing[0]], missing[0], f"the key {', '.join(missing)} is empty")
            continue
        if key in seen:
            first = layout.keys[0]
            report.error(row.number, sheet.columns[first], first, f"{said} is also in row {seen[key]}")
            continue
        seen[key] = row.number
        matches = stored.get(key, [])
        if not matches and layout.inserts:
            _plan_insert(conn, layout, sheet, row, said, projects, (allowed, readers, words, required), report)
            continue
        if len(matches) != 1:
            where = sheet.columns[layout.keys[0]]
            if not matches:
                report.error(
                    row.number, where, layout.keys[0], f"no current feature {said} in '{spec.id}'; {NEW_FEATURES}"
                )
            else:
                report.error(
                    row.number, where, layout.keys[0], f"{said} names {len(matches)} features; edit them on the map"
                )
            continue
        current = matches[0]
        values: dict[str, Any] = {}
        fields: list[dict[str, Any]] = []
        for field_name in present:
            column = sheet.columns[field_name]
            try:
                raw = _code(field_name, row.cells.get(field_name), readers, words, allowed)
                new = _typed(table, field_name, raw, allowed)
            except InvalidInput as exc:
                report.error(row.number, column, field_name, f"{column}{row.number}: {exc}")
                continue
            old = current[field_name]
            if new == old:
                continue
            if new is None and field_name in not_null:
                vi, en = field_label(field_name)
                report.error(
                    row.number,
                    column,
                    field_name,
                    f"{column}{row.number}: {vi} / {en} is required; it cannot be cleared",
                )
                continue
            values[field_name] = new
            fields.append(_field_change(field_name, old, new, words))
        if "province_code" in values and values["province_code"] is not None:
            problem = _place_problem(conn, spec, current["_id"], values["province_code"])
            if problem:
                report.error(row.number, sheet.columns["province_code"], "province_code", problem)
        if fields:
            report.changes.append(
                {
                    "row": row.number,
                    "action": "update",
                    "key": said,
                    "feature_id": current["_id"],
                    "name": _name(current),
                    "fields": fields,
                }
            )
            report.writes.append(
                FeatureWrite("update", key=current["_id"], values=values, where=f"row {row.number} ({said})")
            )
    return report


def _plan_insert(
    conn: Connection,
    layout: SheetLayout,
    sheet: Sheet,
    row: SheetRow,
    said: str,
    projects: dict[str, tuple[int, str]],
    rules: tuple,
    report: UpdateReport,
) -> None:
    """A row whose key is new adds a row: its key and filled cells checked; skipped when nothing is filled in."""
    allowed, readers, words, required = rules
    spec = layout.spec
    table = table_of(spec)
    filled = [n for n in layout.writable if n in sheet.columns and not _blank(row.cells.get(n))]
    if not filled:
        return  # a blank row offered by the template, left empty
    values: dict[str, Any] = {}
    errors = len(report.errors)
    for name in (*layout.keys, *filled):
        column = sheet.columns[name]
        if name == PROJECT_UID:
            uid = _key_text(row.cells.get(name)) or ""
            if uid not in projects:
                report.error(row.number, column, name, f"{column}{row.number}: no project '{uid[:64]}'")
            else:
                values["project_id"] = projects[uid][0]
            continue
        try:
            raw = _code(name, row.cells.get(name), readers, words, allowed)
            values[name] = _typed(table, name, raw, allowed)
        except InvalidInput as exc:
            report.error(row.number, column, name, f"{column}{row.number}: {exc}")
    if len(report.errors) > errors:
        return
    missing = [n for n in required if values.get(n) is None and n not in layout.keys and n != "project_id"]
    if missing:
        labels = "; ".join(shown(field_label(n)) for n in sorted(missing))
        column = sheet.columns.get(missing[0])
        report.error(row.number, column, missing[0], f"a new row ({said}) needs {labels}")
        return
    if problem := key_problem(conn, spec, values):
        report.error(row.number, sheet.columns[layout.keys[0]], layout.keys[0], problem)
        return
    uid = _key_text(row.cells.get(PROJECT_UID)) if PROJECT_UID in layout.keys else None
    fields = [_field_change(n, None, values[n], words) for n in layout.keys + tuple(filled) if n in values]
    report.changes.append(
        {
            "row": row.number,
            "action": "create",
            "key": said,
            "feature_id": None,
            "name": projects[uid][1] if uid else said,
            "fields": fields,
        }
    )
    report.writes.append(FeatureWrite("create", values=values, where=f"row {row.number} ({said})"))


def _field_change(name: str, old: Any, new: Any, words: dict[str, dict[Any, tuple[str, str]]]) -> dict[str, Any]:
    """One field's change as the preview shows it: label, old and new values, and their words for a code."""
    vi, en = field_label(name)
    return {
        "field": name,
        "label_vi": vi,
        "label_en": en,
        "old": _json(old),
        "new": _json(new),
        **_value_labels(words.get(name), old, new),
    }


def _row_key(layout: SheetLayout, row: SheetRow, readers: dict[str, dict[str, Any]]) -> tuple[str | None, ...]:
    """A row's key as text, its words read back to codes ("Số ước" → estimate), so it compares with stored keys."""
    key = []
    for name in layout.keys:
        value = row.cells.get(name)
        if name in readers:
            value = code_of(value, readers[name])
        key.append(_key_text(value))
    return tuple(key)


def _key_words(layout: SheetLayout, key: tuple[str | None, ...], words: dict[str, dict[Any, tuple[str, str]]]) -> str:
    """A key as a person reads it: codes in Vietnamese words ("PRJ-FHS / 2025 / Năm / 0 / Số ước")."""
    parts = []
    for name, value in zip(layout.keys, key, strict=True):
        known = words.get(name, {})
        parts.append(known[value][0] if value in known else value or "")
    return " / ".join(parts)


def _projects(conn: Connection, layout: SheetLayout, sheet: Sheet) -> dict[str, tuple[int, str]]:
    """The projects the sheet names by uid (for new rows), with their ids and names."""
    if PROJECT_UID not in layout.keys:
        return {}
    uids = {_key_text(row.cells.get(PROJECT_UID)) for row in sheet.rows} - {None}
    return project_ids(conn, {u for u in uids if u is not None})


def _stored(
    conn: Connection, layout: SheetLayout, sheet: Sheet, readers: dict[str, dict[str, Any]]
) -> dict[tuple, list[dict[str, Any]]]:
    """The current features the sheet's keys name, by key (only those: a layer may hold 200,000 parcels)."""
    first = {_row_key(layout, row, readers)[0] for row in sheet.rows} - {None}
    query = current_rows(layout).where(key_column(layout, layout.keys[0]).in_(sorted(str(k) for k in first)))
    found: dict[tuple, list[dict[str, Any]]] = {}
    for row in conn.execute(query).mappings():
        key = tuple(_key_text(row[k]) for k in layout.keys)
        found.setdefault(key, []).append(dict(row))
    return found


def _key_text(value: Any) -> str | None:
    """A key cell as text: Excel turns a parcel number 12 into the number 12.0."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _typed(table, name: str, raw: Any, allowed: dict[str, dict[Any, None]]) -> Any:
    """One cell as its column's value, checked by `layers.checks.check_value`; blank is None (clear the value)."""
    if _blank(raw):
        return None
    column_type = table.c[name].type
    if isinstance(raw, str) and (reason := unstorable(raw)):
        raise Refused("bad_value", f"field '{name}' {reason}")
    if isinstance(column_type, Date) and isinstance(raw, str) and (match := DAY_FIRST.fullmatch(raw.strip())):
        day, month, year = (int(g) for g in match.groups())
        try:
            raw = date(year, month, day)
        except ValueError:
            raise Refused("bad_value", f"field '{name}': '{raw}' is not a date (dd/mm/yyyy)") from None
    if isinstance(column_type, Date) and isinstance(raw, int | float) and not isinstance(raw, bool):
        raise Refused("bad_value", f"field '{name}': {raw} is a number, not a date (dd/mm/yyyy)")
    if isinstance(column_type, String | Text) and isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
    if isinstance(column_type, String | Text) and isinstance(raw, datetime | date):
        raise Refused("bad_value", f"field '{name}' holds text, not a date")
    return check_value(table, name, raw, allowed)


def _place_problem(conn: Connection, spec: LayerSpec, key: int, province: str) -> str | None:
    """The rule edits and imports apply: a feature naming a province must touch it."""
    table = table_of(spec)
    if not spec.geometry_column:
        return None
    wkb = conn.execute(
        select(func.ST_AsBinary(func.ST_Transform(table.c[spec.geometry_column], 4326))).where(
            table.c[spec.id_column] == key
        )
    ).scalar_one_or_none()
    if wkb is None:
        return None
    try:
        check_place(province, shapely.from_wkb(bytes(wkb)), province_outlines(conn, [province]))
    except Refused as exc:
        return str(exc)
    return None


def _value_labels(labels: dict[Any, tuple[str, str]] | None, old: Any, new: Any) -> dict[str, str | None]:
    """Words for the old and new codes of a vocabulary field (status, stage, kind…), so a page never shows a code."""
    if not labels:
        return {}
    return {
        "old_label": shown(labels[old]) if old in labels else None,
        "new_label": shown(labels[new]) if new in labels else None,
    }


def _code(
    name: str, raw: Any, readers: dict[str, dict[str, Any]], words: dict[str, dict[Any, tuple[str, str]]], allowed
) -> Any:
    """A vocabulary cell's words (either language, both, or the code) as its code; unknown words name the choices."""
    if name not in readers or _blank(raw):
        return raw
    code = code_of(raw, readers[name])
    if name in allowed and isinstance(code, str) and code not in allowed[name]:
        choices = [shown(words[name][v]) for v in allowed[name] if v in words[name]]
        listed = "; ".join(choices[:15]) + (" …" if len(choices) > 15 else "")
        given = str(raw).strip()[:60]
        raise RuleBroken(
            "unknown_value", f"'{given}' is not an allowed value of {shown(field_label(name))}; pick one of: {listed}"
        )
    return code


def _name(row: dict[str, Any]) -> str:
    """How a person recognises the feature: its name, code, or parcel number and map sheet."""
    if row.get("name_vi"):
        return str(row["name_vi"])
    if row.get("parcel_no") is not None:
        return f"Thửa {row['parcel_no']}, tờ {row['map_sheet']}"
    return str(row.get(PROJECT_NAME) or row.get("code") or row.get("uid") or row["_id"])


def _json(value: Any) -> Any:
    """A value as JSON: dates ISO (the page shows dd/mm/yyyy), decimals as numbers."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- applying -----------------------------------------------------------------------------------------------------


def apply_sheet(
    conn: Connection,
    report: UpdateReport,
    *,
    decision: DecisionRef | None,
    user,
    request_id: str | None,
    preview: bool = False,
) -> None:
    """Write every change of a clean sheet in one `apply_changes` call; each change gets the row id now current
    (a preview's new rows keep none: they are rolled back)."""
    spec = report.spec
    if spec.versioned:
        decision = decision_required(spec, decision)
    if not report.writes:
        return
    keys = apply_changes(conn, spec, report.writes, decision=decision, user=user, request_id=request_id)
    for change, key in zip(report.changes, keys, strict=True):
        if not (preview and change["action"] == "create"):
            change["feature_id"] = key
