"""Imports of survey and plan files into a layer: a validation report first, then all or nothing.

Reading and refusing bad files is `gis.io`'s job; here every feature is checked against the layer (geometry
type and validity, inside Vietnam and its province, required fields, allowed values, duplicate keys and codes,
version dates) and the report lists every problem with where it is. Only a report without problems is
written, in one transaction, by `layers.writes` (the path API edits take too): versioned layers closing and
opening versions under the named decision, each feature recorded in the audit log. Values and geometries are
checked by `layers.checks`, the same checks edits get.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Table, literal_column, select

from gis import models
from gis.crs import SUPPORTED_EPSG, WGS84, crs_name, guess_vn2000_zones, transformer
from gis.errors import InvalidInput, ZoneAtlasError
from gis.io import CsvOptions, VectorTable, read_vector, shapefile_field_names
from layers.checks import (
    Refused,
    allowed_values,
    check_place,
    check_shape,
    check_text,
    check_value,
    province_outlines,
)
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.registry import get_layer
from layers.spec import Access, LayerSpec
from layers.writes import DecisionRef, FeatureWrite, apply_changes, resolve_decision, writable_fields

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
NOT_IMPORTED = {"id", "valid_from", "valid_to", "decision_id", "valid_during"}


@dataclass
class ImportOptions:
    """What the person said about the file: its CRS, the decision, the source layer, CSV geometry, defaults."""

    crs: int | None = None
    decision: str | None = None
    source_layer: str | None = None
    csv: CsvOptions = field(default_factory=CsvOptions)
    defaults: dict[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES
    dry_run: bool = False


@dataclass
class Problem:
    """One reason the file cannot be written, and where."""

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ImportReport:
    """What the import found and would do (or did)."""

    layer: str
    file: str
    format: str
    features: int = 0
    crs: str = ""
    field_mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    creates: int = 0
    updates: int = 0
    decision: str | None = None
    valid_from: date | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing stands in the way of writing."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-friendly data (the HTTP answer)."""
        return {
            "layer": self.layer,
            "file": self.file,
            "format": self.format,
            "features": self.features,
            "crs": self.crs,
            "field_mapping": self.field_mapping,
            "ignored_columns": self.ignored_columns,
            "defaults": self.defaults,
            "creates": self.creates,
            "updates": self.updates,
            "decision": self.decision,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "problems": [{"kind": p.kind, "where": p.where, "message": p.message} for p in self.problems],
            "notes": self.notes,
            "dry_run": self.dry_run,
            "written": self.written,
            "text": self.text(),
        }

    def text(self) -> str:
        """The report for a person, as the CLI prints it."""
        lines = [
            f"Import into {self.layer} from {self.file} ({self.format})",
            f"  features: {self.features}",
            f"  CRS: {self.crs}",
        ]
        if self.field_mapping:
            lines.append("  field mapping (layer field <- file column):")
            lines += [f"    {target} <- {source}" for target, source in self.field_mapping.items()]
        if self.defaults:
            lines.append("  defaults: " + ", ".join(f"{k}={v}" for k, v in self.defaults.items()))
        if self.ignored_columns:
            lines.append("  ignored columns: " + ", ".join(self.ignored_columns))
        if self.decision:
            lines.append(f"  decision: {self.decision} (new versions valid from {self.valid_from})")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(
            f"  would create {self.creates}, update {self.updates}"
            if not self.written
            else f"  created {self.creates}, updated {self.updates}"
        )
        if self.problems:
            lines.append(f"  problems ({len(self.problems)}):")
            lines += [f"    [{p.kind}] {p}" for p in self.problems]
        if self.written:
            lines.append("  result: written")
        elif self.problems:
            lines.append("  result: REFUSED, nothing written")
        else:
            lines.append("  result: dry run, nothing written" if self.dry_run else "  result: not written")
        return "\n".join(lines)


@dataclass
class PlannedFeature:
    """One checked feature ready to write: its values, WGS84 geometry and the row it replaces, if any."""

    where: str
    values: dict[str, Any]
    geometry: BaseGeometry
    existing: dict[str, Any] | None


@dataclass
class ImportPlan:
    """The report and, when it is clean, what to write."""

    spec: LayerSpec
    report: ImportReport
    features: list[PlannedFeature]
    decision: DecisionRef | None


def importable_fields(spec: LayerSpec) -> list[str]:
    """Fields a file may set: every field of the layer except ids, version bookkeeping and computed columns."""
    return [name for name in writable_fields(spec) if name not in NOT_IMPORTED]


def required_fields(spec: LayerSpec) -> list[str]:
    """Fields a new feature must have: the ones the write path requires (NOT NULL without a default)."""
    required = required_columns(table_of(spec))
    return [name for name in importable_fields(spec) if name in required]


def plan_import(
    conn: Connection, layer_id: str, path: Path, options: ImportOptions, display_name: str | None = None
) -> ImportPlan:
    """Read and check a file against a layer; nothing is written. File-level faults raise InvalidInput."""
    spec = get_layer(layer_id)
    if spec.geometry_column is None or not spec.editable:
        raise InvalidInput(f"'{spec.id}' cannot be imported into (it has no geometry or is not editable)")
    decision = _decision(conn, spec, options)
    effective = None if decision is None else decision.date_effective
    _refuse_unstorable_json(path, display_name or path.name, options.max_bytes)
    source = read_vector(
        path,
        max_bytes=options.max_bytes,
        layer=options.source_layer,
        csv_options=options.csv,
        display_name=display_name,
    )
    report = ImportReport(
        spec.id,
        source.name,
        source.kind,
        features=len(source.rows),
        dry_run=options.dry_run,
        decision=options.decision if decision else None,
        valid_from=effective,
    )
    report.notes += source.notes
    if not source.rows:
        raise InvalidInput(f"{source.name}: the file holds no features")
    mapping = _map_fields(spec, source, report)
    epsg = _source_crs(conn, source, options, report, _province_systems(conn, source, mapping))
    defaults = _defaults(spec, options.defaults)
    report.defaults = dict(options.defaults)
    table = table_of(spec)
    required = required_fields(spec)
    absent = [f for f in required if f not in mapping and f not in defaults]
    allowed = allowed_values(conn, spec)
    existing = _existing(conn, spec)
    provinces = province_outlines(conn)
    to_wgs84 = None if epsg == WGS84 else transformer(epsg, WGS84)
    keys_seen: dict[Any, str] = {}
    codes_seen: dict[Any, str] = {}
    planned: list[PlannedFeature] = []
    new_features = 0
    for index, (row, geom) in enumerate(zip(source.rows, source.geometries, strict=True), start=1):
        values = dict(defaults)
        label = None
        for target, column in mapping.items():
            raw = row.get(column)
            if raw is not None and not (isinstance(raw, str) and raw.strip() == ""):
                values[target] = raw
        label = values.get("uid") or values.get("code") or values.get("parcel_no")
        where = f"feature #{index}" + (f" ({label})" if label else "")
        problems_before = len(report.problems)
        typed = _typed_values(table, values, allowed, where, report)
        key = _identity(spec, typed)
        current = existing.get(key) if key is not None else None
        if current is None:
            new_features += 1
            for name in required:
                if name not in absent and values.get(name) is None:
                    report.problems.append(Problem("missing_field", where, f"required field '{name}' is empty"))
        if key is not None:
            if key in keys_seen:
                report.problems.append(
                    Problem("duplicate", where, f"{_key_text(spec, key)} appears again (first at {keys_seen[key]})")
                )
            keys_seen.setdefault(key, where)
        _check_code(spec, typed, key, existing, codes_seen, where, report)
        shape = _check_geometry(spec, geom, where, to_wgs84, report)
        if shape is not None:
            try:
                check_place(typed.get("province_code") or (current or {}).get("province_code"), shape, provinces)
            except Refused as exc:
                report.problems.append(Problem(exc.kind, where, str(exc)))
        if spec.versioned and current is not None and effective is not None and current["valid_from"] >= effective:
            report.problems.append(
                Problem(
                    "version",
                    where,
                    f"the current version of {key} is valid from {current['valid_from']}, not before "
                    f"the decision's effective date {effective}",
                )
            )
        if len(report.problems) == problems_before and shape is not None and not (current is None and absent):
            planned.append(PlannedFeature(where, typed, shape, current))
            if current is None:
                report.creates += 1
            else:
                report.updates += 1
    for name in absent if new_features else ():
        report.problems.insert(
            0,
            Problem(
                "missing_field",
                "",
                f"required field '{name}' is missing (new features "
                f"need it: {new_features}): no column maps to it and no default was given",
            ),
        )
    if spec.versioned and decision is None:
        report.notes.append(f"'{spec.id}' is versioned: a real import needs the decision (--decision NUMBER)")
    return ImportPlan(spec, report, planned if report.ok else [], decision)


def apply_import(
    conn: Connection, plan: ImportPlan, *, user: Any = None, request_id: str | None = None
) -> ImportReport:
    """Write a clean plan through `layers.writes`: all or nothing, each feature into the audit log."""
    report, spec = plan.report, plan.spec
    if not report.ok:
        raise InvalidInput(f"the import has {len(report.problems)} problems; nothing was written")
    if spec.versioned and plan.decision is None:
        raise InvalidInput(f"'{spec.id}' is versioned: name the decision that makes these versions (--decision)")
    request_id = request_id or f"import {uuid.uuid4().hex[:8]} {report.file}"[:64]
    writes = [
        FeatureWrite(
            "create" if feature.existing is None else "update",
            key=None if feature.existing is None else feature.existing["id"],
            values=feature.values,
            geometry=feature.geometry,
            where=feature.where,
        )
        for feature in plan.features
    ]
    try:
        apply_changes(conn, spec, writes, decision=plan.decision, user=user, request_id=request_id[:64])
    except ZoneAtlasError as exc:
        exc.args = (f"the import was refused, nothing was written: {exc}",)
        raise
    report.written = True
    return report


def _refuse_unstorable_json(path: Path, name: str, max_bytes: int) -> None:
    """GDAL cuts GeoJSON text at a NUL ("a\\u0000b" becomes "a"): refuse it first, naming the feature and field."""
    if Path(name).suffix.lower() not in (".geojson", ".json") or path.stat().st_size > max_bytes:
        return
    data = path.read_bytes()
    if b"\\u0000" not in data and b"\x00" not in data:
        return
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return  # read_vector says what is wrong with the file
    features = document.get("features") if isinstance(document, dict) else None
    for index, feature in enumerate(features if isinstance(features, list) else [], start=1):
        try:
            check_text(feature, f"feature #{index}")
        except Refused as exc:
            raise InvalidInput(f"{name}: {exc}") from None
    check_text(document, name)


def _decision(conn: Connection, spec: LayerSpec, options: ImportOptions) -> DecisionRef | None:
    """The decision named for a versioned layer (by number or id), with its effective date."""
    if not options.decision:
        if spec.versioned and not options.dry_run:
            raise InvalidInput(
                f"'{spec.id}' is versioned: name the decision that makes these versions "
                "(--decision NUMBER, e.g. --decision 456/QĐ-TTg)"
            )
        return None
    return resolve_decision(conn, options.decision)


def _province_systems(conn: Connection, source: VectorTable, mapping: dict[str, str]) -> dict[int, str]:
    """The TM-3 systems of the provinces the file's features name (admin_units.tm3_epsg), as hints."""

    def values(field_name: str) -> list[str]:
        column = mapping.get(field_name)
        return sorted({str(row[column]) for row in source.rows if row.get(column) is not None}) if column else []

    codes = set(values("province_code"))
    parents = (("park_uid", models.IndustrialPark.__table__), ("zone_uid", models.EconomicZone.__table__))
    for field_name, table in parents:
        if values(field_name):
            codes |= set(
                conn.execute(select(table.c.province_code).where(table.c.uid.in_(values(field_name)))).scalars()
            )
    if not codes:
        return {}
    units = models.AdminUnit.__table__
    rows = conn.execute(
        select(units.c.tm3_epsg, units.c.code).where(
            units.c.code.in_(sorted(map(str, codes))), units.c.tm3_epsg.isnot(None), units.c.valid_to.is_(None)
        )
    )
    return {epsg: code for epsg, code in rows}


def _source_crs(
    conn: Connection, source: VectorTable, options: ImportOptions, report: ImportReport, hints: dict[int, str]
) -> int:
    """The file's CRS (from the file, or declared), or a message listing the likely VN-2000 systems."""
    declared = options.crs
    if declared is not None and declared not in SUPPORTED_EPSG:
        raise InvalidInput(f"EPSG:{declared} is not supported; supported: " + ", ".join(str(c) for c in SUPPORTED_EPSG))
    bounds = _bounds(source.geometries)
    if source.kind == "KML":
        report.crs = "EPSG:4326 WGS 84 (KML is always WGS84)"
        return WGS84
    if source.crs is not None:
        found = _epsg_of(source.crs)
        if found is None:
            raise InvalidInput(
                f"{source.name}: the file's CRS ({source.crs.name}) is not one of the supported "
                "systems (WGS84, VN-2000 geographic, UTM and TM-3 zones); reproject it first"
            )
        if declared is not None and declared != found:
            raise InvalidInput(
                f"{source.name}: the file says EPSG:{found} ({crs_name(found)}) but EPSG:{declared} "
                "was declared; leave out the declared CRS or fix the file"
            )
        report.crs = f"EPSG:{found} {crs_name(found)} (from the file)"
        return found
    if declared is not None:
        report.crs = f"EPSG:{declared} {crs_name(declared)} (declared)"
        return declared
    if bounds is None:
        raise InvalidInput(f"{source.name}: no feature has coordinates")
    minx, miny, maxx, maxy = bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        rule = (
            "GeoJSON is WGS84 by definition"
            if source.kind == "GeoJSON"
            else "the file has no CRS; its coordinates look like longitude/latitude, read as WGS84"
        )
        report.crs = f"EPSG:4326 WGS 84 ({rule})"
        return WGS84
    guesses = guess_vn2000_zones(minx, miny, maxx, maxy)
    if guesses:
        guesses = [c for c in hints if c in guesses] + [c for c in guesses if c not in hints]
    listing = "; ".join(
        f"EPSG:{code} ({crs_name(code)}" + (f", the system of {hints[code]})" if code in hints else ")")
        for code in guesses[:6]
    )
    raise InvalidInput(
        f"{source.name}: the file has no CRS and its coordinates (x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}) "
        f"are projected metres, not longitude/latitude. Declare the CRS (--crs EPSG or crs=). "
        + (
            f"Likely VN-2000 systems: {listing}. The province's meridian decides the zone (An Giang 9208, "
            "Kiên Giang 9207, Hà Tĩnh 9209, Hậu Giang/Ninh Bình 5897)."
            if guesses
            else "The coordinates do not fall in Vietnam in any VN-2000 TM-3 zone; if X is the northing, "
            "use the northing-first option."
        )
    )


def _epsg_of(crs: CRS) -> int | None:
    """The supported EPSG code a file's CRS is (by authority code or by equivalence; heights are checked apart)."""
    crs = crs.to_2d()  # GeoJSON with Z coordinates reads as WGS 84 3D; the geometry check refuses real heights
    code = crs.to_epsg(min_confidence=70)
    if code in SUPPORTED_EPSG:
        return code
    for candidate in SUPPORTED_EPSG:
        if crs.equals(CRS.from_epsg(candidate), ignore_axis_order=True):
            return candidate
    return None


def _bounds(geometries: list[BaseGeometry | None]) -> tuple[float, float, float, float] | None:
    """The bounding box of all non-empty geometries."""
    boxes = [g.bounds for g in geometries if g is not None and not g.is_empty]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _map_fields(spec: LayerSpec, source: VectorTable, report: ImportReport) -> dict[str, str]:
    """Layer field -> file column: exact, then case-insensitive, then Shapefile short names, then KML Name."""
    fields = importable_fields(spec)
    short = {v.lower(): k for k, v in shapefile_field_names(["id", *spec.fields_for(Access.internal)]).items()}
    mapping: dict[str, str] = {}
    for column in source.columns:
        target = None
        if column in fields:
            target = column
        elif column.lower() in {f.lower() for f in fields}:
            target = next(f for f in fields if f.lower() == column.lower())
        elif column.lower() in short and short[column.lower()] in fields:
            target = short[column.lower()]
        if target and target not in mapping:
            mapping[target] = column
        else:
            report.ignored_columns.append(column)
    if "name_vi" in fields and "name_vi" not in mapping and "Name" in source.columns:
        mapping["name_vi"] = "Name"
        report.ignored_columns.remove("Name")
    report.field_mapping = {f: mapping[f] for f in fields if f in mapping}
    return report.field_mapping


def _defaults(spec: LayerSpec, given: dict[str, str]) -> dict[str, str]:
    """Values for fields the file lacks (e.g. a DXF's status), checked against the layer's fields."""
    fields = importable_fields(spec)
    unknown = [k for k in given if k not in fields]
    if unknown:
        raise InvalidInput(f"unknown field {', '.join(unknown)} in the defaults; fields are: {', '.join(fields)}")
    return dict(given)


def _typed_values(
    table: Table, values: dict[str, Any], allowed: dict[str, dict[Any, None]], where: str, report: ImportReport
) -> dict[str, Any]:
    """Values checked as edits are (`layers.checks.check_value`); each problem goes to the report."""
    typed: dict[str, Any] = {}
    for name, raw in values.items():
        try:
            typed[name] = check_value(table, name, raw, allowed)
        except Refused as exc:
            report.problems.append(Problem(exc.kind, where, str(exc)))
    return typed


def _identity(spec: LayerSpec, values: dict[str, Any]) -> Any:
    """The key that says whether a feature is new or replaces one: uid, or a parcel's project/sheet/number."""
    if "uid" in importable_fields(spec):
        return values.get("uid")
    if spec.id == "clearance_parcels":
        key = (values.get("project_id"), values.get("map_sheet"), values.get("parcel_no"))
        return None if None in key else key
    return None


def _key_text(spec: LayerSpec, key: Any) -> str:
    """A key as a person reads it."""
    if isinstance(key, tuple):
        return f"parcel {key[2]} on sheet {key[1]} of project {key[0]}"
    return f"uid '{key}'"


def _existing(conn: Connection, spec: LayerSpec) -> dict[Any, dict[str, Any]]:
    """Current rows by identity key (current versions for versioned layers), with code and parent for checks."""
    table = table_of(spec)
    condition = table.c.valid_to.is_(None) if spec.versioned else literal_column("true")
    extra = [c for c in ("code", "park_uid", "zone_uid", "province_code", "valid_from") if c in table.c]
    if "uid" in importable_fields(spec):
        keys = [table.c.uid]
    elif spec.id == "clearance_parcels":
        keys = [table.c.project_id, table.c.map_sheet, table.c.parcel_no]
    else:
        return {}
    rows = conn.execute(
        select(table.c[spec.id_column].label("id"), *keys, *[table.c[c] for c in extra]).where(condition)
    )
    found = {}
    for row in rows:
        data = row._asdict()
        key = data["uid"] if len(keys) == 1 else (data["project_id"], data["map_sheet"], data["parcel_no"])
        found[key] = data
    return found


def _check_code(
    spec: LayerSpec, values: dict, key: Any, existing: dict, seen: dict, where: str, report: ImportReport
) -> None:
    """A plot code is unique within its park (or zone): in the file and against the current rows."""
    if "code" not in importable_fields(spec) or values.get("code") is None:
        return
    parent = values.get("park_uid") or values.get("zone_uid")
    code_key = (parent, values["code"])
    if code_key in seen:
        report.problems.append(
            Problem(
                "duplicate", where, f"code '{values['code']}' in {parent} appears again (first at {seen[code_key]})"
            )
        )
    seen.setdefault(code_key, where)
    for other_key, row in existing.items():
        if (
            other_key != key
            and row.get("code") == values["code"]
            and (row.get("park_uid") or row.get("zone_uid")) == parent
        ):
            report.problems.append(
                Problem(
                    "duplicate",
                    where,
                    f"code '{values['code']}' in {parent} is already used by {other_key} in the database",
                )
            )
            break


def _check_geometry(spec: LayerSpec, geom: BaseGeometry | None, where: str, to_wgs84, report: ImportReport):
    """The geometry checked as edits are (`layers.checks`), in WGS84; or the reason it cannot be, with its location."""
    expected = spec.geometry_type
    if (
        geom is not None
        and expected in ("Polygon", "MultiPolygon")
        and geom.geom_type in ("LineString", "LinearRing")
        and geom.is_closed
        and len(geom.coords) >= 4
    ):
        geom = Polygon(geom.coords)  # CAD draws parcels as closed polylines
    try:
        transform = None if to_wgs84 is None else lambda g: shapely.transform(g, lambda xy: _xy(to_wgs84, xy))
        return check_shape(spec, geom, transform)
    except Refused as exc:
        report.problems.append(Problem(exc.kind, where, str(exc)))
        return None


def _xy(to_wgs84, coords):
    """Transform an (n, 2) array of coordinates."""
    x, y = to_wgs84.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])
