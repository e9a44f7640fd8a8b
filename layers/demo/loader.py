"""Load the lookup tables and the demo data set from data/, all or nothing, skipping when unchanged."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.exc import DataError as SADataError
from sqlalchemy.exc import IntegrityError

from gis import models
from gis.constraints import constraint_message as _constraint_message
from gis.errors import Conflict, InvalidInput
from gis.tabular import SourceRecord, check_geometry, coerce_values, read_records

LOOKUPS = ["crs_choices", "gate_classes", "landuse_codes", "planning_functions"]


@dataclass(frozen=True)
class Reference:
    """A file field naming another record by its natural key, resolved to the foreign-key id."""

    field: str
    column: str
    table: str
    key: str


@dataclass(frozen=True)
class DemoFile:
    """One demo file and the table it fills."""

    table: str
    suffix: str
    references: tuple[Reference, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """File name inside data/demo/."""
        return f"{self.table}.{self.suffix}"


DECISION = Reference("decision", "decision_id", "decisions", "number")
PROJECT = Reference("project_uid", "project_id", "projects", "uid")
LIFECYCLE = Reference("lifecycle_decision", "lifecycle_decision_id", "decisions", "number")

# Load order follows the foreign keys.
DEMO_FILES = [
    DemoFile("admin_units", "geojson"),
    DemoFile("issuing_boards", "csv"),
    DemoFile("decisions", "csv", (Reference("supersedes", "supersedes_id", "decisions", "number"),)),
    DemoFile("economic_zones", "geojson", (DECISION, LIFECYCLE)),
    DemoFile("functional_areas", "geojson", (DECISION,)),
    DemoFile("industrial_parks", "geojson", (DECISION, LIFECYCLE)),
    DemoFile("land_plots", "geojson", (DECISION,)),
    DemoFile("border_gates", "geojson"),
    DemoFile("logistics_centres", "geojson", (LIFECYCLE,)),
    DemoFile("transport_nodes", "geojson", (LIFECYCLE,)),
    DemoFile("transport_lines", "geojson", (LIFECYCLE,)),
    DemoFile("projects", "geojson", (Reference("policy_decision", "policy_decision_id", "decisions", "number"),)),
    DemoFile("project_milestones", "csv", (PROJECT,)),
    DemoFile("project_plots", "csv", (PROJECT,)),
    DemoFile("enterprise_figures", "csv", (PROJECT,)),
    DemoFile("enterprise_targets", "csv"),
    DemoFile("clearance_parcels", "geojson", (PROJECT,)),
    DemoFile("programme_units", "csv"),
    DemoFile("programmes", "csv", (DECISION,)),
    DemoFile(
        "programme_tasks",
        "csv",
        (
            Reference("programme", "programme_id", "programmes", "code"),
            Reference("lead_unit", "lead_unit_id", "programme_units", "code"),
            DECISION,
        ),
    ),
    DemoFile("project_rent_terms", "csv", (PROJECT,)),
    DemoFile("project_rent_amounts", "csv", (PROJECT,)),
    DemoFile("project_findings", "csv", (PROJECT,)),
    DemoFile("search_aliases", "csv"),
]
DATA_TABLES = [f.table for f in DEMO_FILES]


@dataclass
class LoadResult:
    """What a load did: rows per table, or that nothing needed doing."""

    skipped: bool
    checksum: str
    rows: dict[str, int]


def writable_columns(table: Table) -> set[str]:
    """Columns a file may set: not generated, not the surrogate key."""
    return {c.name for c in table.columns if c.computed is None and c.name != "id" and c.name != "geom"}


def required_columns(table: Table) -> set[str]:
    """Columns a record must carry (NOT NULL with no default)."""
    return {
        c.name
        for c in table.columns
        if not c.nullable
        and c.server_default is None
        and c.computed is None
        and c.name not in {"id", "geom"}
        and not (c.primary_key and c.autoincrement is True)
    }


def directory_checksum(paths: list[Path]) -> str:
    """Checksum of the files' names and bytes, to skip a load that would change nothing."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_lookups(conn: Connection, lookup_dir: Path) -> dict[str, int]:
    """Upsert the lookup CSVs (reference data, not code) into their tables."""
    counts = {}
    for name in LOOKUPS:
        path = lookup_dir / f"{name}.csv"
        if not path.exists():
            raise InvalidInput(f"lookup file {path} is missing")
        table = models.Base.metadata.tables[name]
        key = [c.name for c in table.primary_key.columns]
        columns = writable_columns(table) | set(key)
        rows = [_row(record, table, columns, ()) for record in read_records(path)]
        if rows:
            updates = ", ".join(f"{c} = excluded.{c}" for c in sorted(columns - set(key)))
            cols = ", ".join(sorted(columns))
            params = ", ".join(f":{c}" for c in sorted(columns))
            changed = " OR ".join(f"{name}.{c} IS DISTINCT FROM excluded.{c}" for c in sorted(columns - set(key)))
            conn.execute(
                text(
                    f"INSERT INTO {name} ({cols}) VALUES ({params}) ON CONFLICT ({', '.join(key)}) "
                    f"DO UPDATE SET {updates} WHERE {changed}"
                ),
                rows,
            )
        counts[name] = len(rows)
    return counts


def load_demo(conn: Connection, demo_dir: Path, *, replace: bool = False) -> LoadResult:
    """Load every demo file in one transaction; skip when the same files were loaded before."""
    paths = [demo_dir / f.name for f in DEMO_FILES]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise InvalidInput(f"demo data in {demo_dir} is incomplete: missing {', '.join(missing)}")
    checksum = directory_checksum(paths)
    previous = conn.execute(text("SELECT checksum FROM data_loads WHERE name = 'demo'")).scalar_one_or_none()
    if previous == checksum:
        return LoadResult(True, checksum, {})
    if previous is None and not replace and _has_rows(conn):
        raise Conflict(
            "the database already holds data that was not loaded as demo data; "
            "run 'zoneatlas demo load --replace' to replace it with the demo set"
        )
    _clear(conn)
    rows = {spec.table: _load_file(conn, spec, demo_dir / spec.name) for spec in DEMO_FILES}
    conn.execute(
        text(
            "INSERT INTO data_loads (name, checksum, loaded_at) VALUES ('demo', :c, now()) "
            "ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, loaded_at = now()"
        ),
        {"c": checksum},
    )
    return LoadResult(False, checksum, rows)


def _has_rows(conn: Connection) -> bool:
    """True when any data table holds a row."""
    return any(conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar() for t in DATA_TABLES)


def _clear(conn: Connection) -> None:
    """Empty the data tables before a (re)load; the load's transaction makes this all or nothing."""
    conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))


def _load_file(conn: Connection, spec: DemoFile, path: Path) -> int:
    """Insert one file's records, naming the file and feature of the first that cannot be stored."""
    table = models.Base.metadata.tables[spec.table]
    columns = writable_columns(table)
    geom_col = table.c.get("geom")
    external = tuple(ref for ref in spec.references if ref.table != spec.table)
    internal = [ref for ref in spec.references if ref.table == spec.table]
    lookups = {ref.field: _key_map(conn, ref) for ref in external}
    deferred: list[tuple[SourceRecord, Reference, str]] = []
    count = 0
    for record in read_records(path):
        values = _row(record, table, columns, external, lookups, ignore={r.field for r in internal})
        deferred += [(record, ref, record.values[ref.field]) for ref in internal if record.values.get(ref.field)]
        if geom_col is not None:
            geometry_type = geom_col.type.geometry_type  # type: ignore[attr-defined]  # a GeoAlchemy2 Geometry
            geometry = check_geometry(record, geometry_type, geom_col.nullable)
            values["geom"] = None if geometry is None else func.ST_GeomFromText(geometry.wkt, models.SRID)
        try:
            with conn.begin_nested():
                conn.execute(insert(table).values(**values))
        except (IntegrityError, SADataError) as exc:
            raise InvalidInput(f"{record.where}: {_constraint_message(exc)}") from exc
        count += 1
    _resolve_self_references(conn, table, deferred)
    return count


def _resolve_self_references(conn: Connection, table: Table, deferred: list) -> None:
    """Set references between rows of one file (e.g. a decision superseding another) once all rows exist."""
    for record, ref, key in deferred:
        target = conn.execute(select(table.c.id).where(table.c[ref.key] == key)).scalar_one_or_none()
        if target is None:
            raise InvalidInput(f"{record.where}: {ref.field} '{key}' does not match any {ref.table}.{ref.key}")
        own_key = record.values[ref.key]
        conn.execute(table.update().where(table.c[ref.key] == own_key).values({ref.column: target}))


def _row(record: SourceRecord, table: Table, columns: set[str], references, lookups=None, ignore=frozenset()) -> dict:
    """Typed column values for a record, with references resolved and required fields checked."""
    unknown = set(record.values) - columns - {ref.field for ref in references} - set(ignore)
    if unknown:
        raise InvalidInput(f"{record.where}: unknown field(s) {', '.join(sorted(unknown))}")
    values = coerce_values(record, table, columns & set(record.values))
    for ref in references:
        key = record.values.get(ref.field)
        if key is None:
            continue
        resolved = (lookups or {}).get(ref.field, {}).get(key)
        if resolved is None:
            raise InvalidInput(f"{record.where}: {ref.field} '{key}' does not match any {ref.table}.{ref.key}")
        values[ref.column] = resolved
    missing = sorted(c for c in required_columns(table) if values.get(c) is None)
    if missing:
        raise InvalidInput(f"{record.where}: required field(s) missing: {', '.join(missing)}")
    return values


def _key_map(conn: Connection, ref: Reference) -> dict[str, int]:
    """Natural key → id for a referenced table (small tables only)."""
    table = models.Base.metadata.tables[ref.table]
    return {k: v for k, v in conn.execute(select(table.c[ref.key], table.c.id))}
