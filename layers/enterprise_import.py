"""Import enterprise figures from a CSV (one row per project and period), all or nothing, listing every bad row.

The rows are checked here (each bad row named with why), then written as one change set through
`layers.writes.apply_changes`: audited with the importing account, its province scope honoured. A row with the
project, period and basis of a stored one updates it (the fields the file gives); any other row is a new one.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text

from gis import models
from gis.accounts import User
from gis.errors import InvalidInput, ZoneAtlasError
from gis.tabular import SourceRecord, coerce_values, read_records
from layers.registry import get_layer
from layers.writes import FeatureWrite, apply_changes

TABLE = models.Base.metadata.tables["enterprise_figures"]
FIELDS = ("year", "period_kind", "period", "basis", *models.FIGURE_MEASURES, *models.FIGURE_CAPITAL)
FIELDS += ("source", "public", "notes")
KEY = ("project_id", "year", "period_kind", "period", "basis")
PERIODS = {"year": range(0, 1), "quarter": range(1, 5), "month": range(1, 13)}
MAX_ERRORS = 50


@dataclass(frozen=True)
class ImportResult:
    """How many rows were written: new ones, and ones replacing the same project, period and basis."""

    created: int
    updated: int

    @property
    def rows(self) -> int:
        """Every row written."""
        return self.created + self.updated


def _check(where: str, values: dict) -> None:
    """The schema's rules said in words before anything is written (the database still enforces them)."""
    if not 1990 <= values["year"] <= 2100:
        raise InvalidInput(f"{where}: year must be between 1990 and 2100, not {values['year']}")
    kind, period = values["period_kind"], values["period"]
    if kind not in PERIODS:
        raise InvalidInput(f"{where}: period_kind is year, quarter or month, not '{kind}'")
    if period not in PERIODS[kind]:
        allowed = "0" if kind == "year" else f"1 to {PERIODS[kind][-1]}"
        raise InvalidInput(f"{where}: the period of a {kind} is {allowed}, not {period}")
    if values["basis"] not in ("estimate", "final"):
        raise InvalidInput(f"{where}: basis is estimate (ước) or final, not '{values['basis']}'")
    negative = [n for n in models.FIGURE_MEASURES + models.FIGURE_CAPITAL if (values.get(n) or 0) < 0]
    if negative:
        raise InvalidInput(f"{where}: no figure may be below zero ({', '.join(negative)})")


def _values(where: str, raw: dict, projects: dict[str, int]) -> dict:
    """One row's typed values, or InvalidInput naming the row and the field."""
    unknown = set(raw) - set(FIELDS) - {"project_uid"}
    if unknown:
        raise InvalidInput(f"{where}: unknown column(s) {', '.join(sorted(unknown))}; the columns are project_uid, "
                           f"{', '.join(FIELDS)}")  # fmt: skip
    uid = raw.get("project_uid")
    if not uid:
        raise InvalidInput(f"{where}: project_uid is required")
    if uid not in projects:
        raise InvalidInput(f"{where}: no project '{uid}'")
    given = {k for k in raw if k in FIELDS and raw[k] is not None}
    values = coerce_values(SourceRecord(where, raw, None), TABLE, given)
    if values.get("year") is None:
        raise InvalidInput(f"{where}: year is required")
    values.setdefault("period_kind", "year")
    values.setdefault("period", 0)
    values.setdefault("basis", "final")
    values["project_id"] = projects[uid]
    _check(where, values)
    return values


def _stored(conn: Connection, years: set[int]) -> dict[tuple, int]:
    """The ids of the stored figures of these years, by project, period and basis."""
    columns = [TABLE.c[k] for k in KEY]
    rows = conn.execute(select(TABLE.c.id, *columns).where(TABLE.c.year.in_(sorted(years))))
    return {tuple(row[1:]): row.id for row in rows}


def _writes(conn: Connection, path: Path) -> list[FeatureWrite]:
    """One create or update per row of the file, or InvalidInput listing every bad row (up to 50)."""
    projects = dict(conn.execute(text("SELECT uid, id FROM projects")).all())
    errors: list[str] = []
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: dict[tuple, str] = {}
    for record in read_records(path):
        try:
            values = _values(record.where, record.values, projects)
            key = tuple(values[k] for k in KEY)
            if key in seen:
                raise InvalidInput(f"{record.where}: the same project, period and basis as {seen[key]}")
            seen[key] = record.where
            rows.append((record.where, values))
        except InvalidInput as exc:
            errors.append(str(exc))
        if len(errors) >= MAX_ERRORS:
            errors.append("… stopped after 50 errors")
            break
    if errors:
        raise InvalidInput(f"{len(errors)} row error(s), nothing imported:\n" + "\n".join(errors))
    if not rows:
        raise InvalidInput(f"{path.name}: no rows to import")
    stored = _stored(conn, {values["year"] for _, values in rows})
    writes = []
    for where, values in rows:
        existing = stored.get(tuple(values[k] for k in KEY))
        if existing is None:
            writes.append(FeatureWrite("create", values=values, where=where))
        else:
            writes.append(FeatureWrite("update", key=existing, values=values, where=where))
    return writes


def import_figures(conn: Connection, path: Path, *, user: User | None = None) -> ImportResult:
    """Write every row of the file, or none, as one audited change set by `user` (None: the server operator)."""
    writes = _writes(conn, path)
    request_id = f"figures import {uuid.uuid4().hex[:8]} {path.name}"[:64]
    try:
        apply_changes(conn, get_layer("enterprise_figures"), writes, decision=None, user=user, request_id=request_id)
    except ZoneAtlasError as exc:
        exc.args = (f"the import was refused, nothing was written: {exc}",)
        raise
    created = sum(1 for write in writes if write.action == "create")
    return ImportResult(created, len(writes) - created)
