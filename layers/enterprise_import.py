"""Import enterprise figures from a CSV (one row per project and period), all or nothing, listing every bad row."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DataError, IntegrityError

from gis import models
from gis.constraints import constraint_message
from gis.errors import InvalidInput
from gis.tabular import SourceRecord, coerce_values, read_records

TABLE = models.Base.metadata.tables["enterprise_figures"]
FIELDS = ("year", "period_kind", "period", "basis", *models.FIGURE_MEASURES, *models.FIGURE_CAPITAL)
FIELDS += ("source", "public", "notes")
KEY = ("project_id", "year", "period_kind", "period", "basis")
MAX_ERRORS = 50


@dataclass(frozen=True)
class ImportResult:
    """How many rows were written (new or replacing the same project, period and basis)."""

    rows: int


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
    values.setdefault("public", False)
    values["project_id"] = projects[uid]
    return values


def import_figures(conn: Connection, path: Path) -> ImportResult:
    """Write every row of the file, or none: the error lists each bad row (up to 50) and why."""
    projects = dict(conn.execute(text("SELECT uid, id FROM projects")).all())
    errors: list[str] = []
    count = 0
    seen: dict[tuple, str] = {}
    for record in read_records(path):
        try:
            values = _values(record.where, record.values, projects)
            key = tuple(values[k] for k in KEY)
            if key in seen:
                raise InvalidInput(f"{record.where}: the same project, period and basis as {seen[key]}")
            seen[key] = record.where
            columns = sorted(values)
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in KEY) or "source = excluded.source"
            with conn.begin_nested():
                conn.execute(
                    text(
                        f"INSERT INTO enterprise_figures ({', '.join(columns)}) "
                        f"VALUES ({', '.join(':' + c for c in columns)}) "
                        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"
                    ),
                    values,
                )
            count += 1
        except InvalidInput as exc:
            errors.append(str(exc))
        except (IntegrityError, DataError) as exc:
            errors.append(f"{record.where}: {constraint_message(exc)}")
        if len(errors) >= MAX_ERRORS:
            errors.append("… stopped after 50 errors")
            break
    if errors:
        raise InvalidInput(f"{len(errors)} row error(s), nothing imported:\n" + "\n".join(errors))
    if count == 0:
        raise InvalidInput(f"{path.name}: no rows to import")
    return ImportResult(count)
