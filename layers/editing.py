"""Editing features (OGC API – Features Part 4): checked input, optimistic locking, versions closed by decisions.

Every write runs in the caller's transaction: the row is locked, its ETag compared with If-Match, the change
validated, written and audited; any error leaves nothing behind. Versioned layers never overwrite: a change
closes the current version on the decision's effective date and inserts the next one.
"""

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, IntegrityError

from gis import models
from gis.accounts import User
from gis.constraints import constraint_message, enum_choices
from gis.crs import CRS84_URI, CrsRef, parse_crs_uri
from gis.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from gis.tabular import SourceRecord, check_geometry, coerce_value
from layers.audit import record_change
from layers.demo.loader import required_columns
from layers.features import fetch_one, table_of
from layers.spec import Access, LayerSpec

VERSION_FIELDS = ("valid_from", "valid_to", "decision_id")
CRS84 = parse_crs_uri(CRS84_URI)


@dataclass(frozen=True)
class DecisionRef:
    """The decision a change is made under."""

    id: int
    number: str
    date_effective: date


@dataclass(frozen=True)
class Change:
    """A parsed request body: typed property values, and the geometry already in EPSG:4326 (WKB)."""

    properties: dict[str, Any]
    geometry_wkb: bytes | None
    has_geometry: bool
    decision: str | int | None = None


@dataclass(frozen=True)
class EditResult:
    """What the HTTP layer answers with."""

    feature_id: int
    etag: str | None
    feature: str | None


# --- what may be written --------------------------------------------------------------------------------


def _computed(table: Table) -> set[str]:
    """Columns PostgreSQL derives (area, length, stage, validity range): never written by clients."""
    return {c.name for c in table.columns if c.computed is not None}


def writable_fields(spec: LayerSpec) -> list[str]:
    """Fields an editor may set: the layer's fields minus computed ones and those a decision sets."""
    table = table_of(spec)
    skip = _computed(table) | {spec.id_column}
    if spec.versioned:
        skip |= set(VERSION_FIELDS)
    return [name for name in spec.fields_for(Access.internal) if name not in skip]


def check_editable(spec: LayerSpec) -> None:
    """Refuse writes to read-only layers."""
    if not spec.editable:
        raise NotAllowed(f"'{spec.id}' is read-only")


# --- reading the request --------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    """JSON has no NaN or Infinity; Python's parser would accept them."""
    raise ValueError(f"{name} is not a JSON number")


def parse_change(conn: Connection, spec: LayerSpec, body: bytes, content_crs: str | None, *, partial: bool) -> Change:
    """Read a GeoJSON Feature (or, for PATCH, a partial one): known fields, typed values, checked geometry."""
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the body is not UTF-8 JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput("the body must be a GeoJSON Feature object")
    kind = document.get("type")
    if kind != "Feature" and not (partial and kind is None):
        raise InvalidInput(f'the body must be a GeoJSON Feature ("type": "Feature"), not {kind!r}')
    raw_props = document.get("properties")
    if raw_props is None:
        raw_props = {}
    if not isinstance(raw_props, dict):
        raise InvalidInput("'properties' must be an object")
    properties = _typed_properties(spec, raw_props)
    has_geometry = "geometry" in document
    wkb = None
    if has_geometry:
        wkb = _geometry_wkb(conn, spec, document["geometry"], content_crs)
    elif not partial and spec.geometry_column:
        raise Unprocessable("geometry is missing: a feature of this layer needs one")
    decision = document.get("decision")
    if decision is not None and not isinstance(decision, str | int):
        raise InvalidInput("'decision' must be the decision's number (e.g. \"439/QĐ-TTg\") or its id")
    return Change(properties, wkb, has_geometry, decision)


def _typed_properties(spec: LayerSpec, raw: dict[str, Any]) -> dict[str, Any]:
    """Convert JSON values to column types; refuse unknown fields and values outside the allowed ones."""
    table = table_of(spec)
    writable = set(writable_fields(spec))
    ignored = _computed(table) | {spec.id_column}
    version_fields = set(VERSION_FIELDS) if spec.versioned else set()
    choices = enum_choices(table)
    unknown = sorted(k for k in raw if k not in writable | ignored | version_fields)
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(unknown)}; '{spec.id}' has: {', '.join(writable)}")
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ignored:
            continue  # computed by the database (area_ha, length_km, stage…): what clients echo back is ignored
        if name in version_fields:
            out[name] = value  # compared with the stored version later; set by the decision
            continue
        out[name] = None if value is None else _typed_value(table, name, value)
        if out[name] is not None and name in choices and out[name] not in choices[name]:
            raise Unprocessable(f"field '{name}' must be one of: {', '.join(choices[name])} (got '{value}')")
    return out


def _typed_value(table: Table, name: str, value: Any) -> Any:
    """One JSON value as the column's Python type, with a message naming the field when it does not fit."""
    column_type = table.c[name].type
    where = f"field '{name}'"
    if isinstance(value, dict | list):
        raise InvalidInput(f"{where} must be a single value, not a {type(value).__name__}")
    if isinstance(value, bool) and not isinstance(column_type, Boolean):
        raise InvalidInput(f"{where}: true/false is not a valid {type(column_type).__name__.lower()}")
    if isinstance(column_type, String | Text) and not isinstance(value, str):
        raise InvalidInput(f"{where} must be text, got {json.dumps(value)}")
    if isinstance(column_type, Numeric | Integer) and isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{where} must be a finite number")
    typed = coerce_value(value, column_type, where)
    if isinstance(column_type, String) and column_type.length and len(typed) > column_type.length:
        raise Unprocessable(f"{where} is at most {column_type.length} characters (got {len(typed)})")
    if isinstance(column_type, Integer) and not -(2**31) <= typed < 2**31:
        raise Unprocessable(f"{where} is out of range")
    if isinstance(column_type, Numeric) and column_type.precision is not None:
        digits = column_type.precision - (column_type.scale or 0)
        if not typed.is_finite() or abs(typed) >= 10**digits:
            raise Unprocessable(f"{where} must be below {10**digits} in absolute value")
    return typed


def _geometry_wkb(conn: Connection, spec: LayerSpec, raw: Any, content_crs: str | None) -> bytes | None:
    """GeoJSON geometry in the Content-Crs (CRS84 by default) → checked WKB in EPSG:4326, transformed by PostGIS."""
    if not spec.geometry_column:
        if raw is not None:
            raise InvalidInput(f"'{spec.id}' has no geometry; send \"geometry\": null")
        return None
    if raw is None:
        raise Unprocessable("geometry is missing: a feature of this layer needs one")
    if not isinstance(raw, dict):
        raise InvalidInput("'geometry' must be a GeoJSON geometry object")
    try:
        geom = shapely.force_2d(shape(raw))
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise InvalidInput(f"unreadable GeoJSON geometry: {exc}") from None
    if geom.is_empty:
        raise Unprocessable("geometry is empty")
    if not all(math.isfinite(v) for v in geom.bounds):
        raise InvalidInput("geometry coordinates must be finite numbers")
    crs = parse_crs_uri(content_crs.strip().strip("<>")) if content_crs else CRS84
    wkb = _to_storage(conn, geom.wkb, crs, spec.storage_srid)
    checked = check_geometry(SourceRecord("geometry", {}, shapely.from_wkb(wkb)), spec.geometry_type, False)
    return checked.wkb


def _to_storage(conn: Connection, wkb: bytes, crs: CrsRef, storage_srid: int) -> bytes:
    """Let PostGIS put the axes in x/y order and transform to the storage CRS."""
    geom = func.ST_SetSRID(func.ST_GeomFromWKB(bindparam("wkb", wkb, type_=LargeBinary)), crs.epsg)
    if not crs.lonlat_order:
        geom = func.ST_FlipCoordinates(geom)
    if crs.epsg != storage_srid:
        geom = func.ST_Transform(geom, storage_srid)
    try:
        with conn.begin_nested():
            return bytes(conn.execute(select(func.ST_AsBinary(geom))).scalar_one())
    except DBAPIError as exc:
        raise InvalidInput(f"geometry cannot be transformed from EPSG:{crs.epsg}: {constraint_message(exc)}") from None


# --- decisions ------------------------------------------------------------------------------------------


def resolve_decision(conn: Connection, ref: str | int | None) -> DecisionRef | None:
    """The decision named by number (e.g. 439/QĐ-TTg) or id; Unprocessable when there is none such."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return None
    decisions = models.Decision.__table__
    columns = (decisions.c.id, decisions.c.number, decisions.c.date_effective)
    row = conn.execute(select(*columns).where(decisions.c.number == str(ref).strip())).first()
    if row is None and (isinstance(ref, int) or str(ref).strip().isdigit()) and int(ref) < 2**31:
        row = conn.execute(select(*columns).where(decisions.c.id == int(ref))).first()
    if row is None:
        raise Unprocessable(f"no decision '{ref}'; add it to the decisions collection first")
    return DecisionRef(row.id, row.number, row.date_effective)


def _decision_required(spec: LayerSpec, decision: DecisionRef | None) -> DecisionRef:
    """Versioned layers change only under a named decision."""
    if decision is None:
        raise Unprocessable(
            f"'{spec.id}' is versioned by legal decisions: name the decision with the header "
            '\'Decision: <number or id>\' or a top-level "decision" member, e.g. "decision": "439/QĐ-TTg"'
        )
    return decision


# --- reading rows ---------------------------------------------------------------------------------------


def _snapshot_columns(spec: LayerSpec):
    """The whole row as JSON (geometry as GeoJSON), its ETag, and its geometry as WKB."""
    table = table_of(spec)
    row = cast(func.to_jsonb(table.table_valued()), JSONB)
    document = row
    geom_wkb = literal_column("NULL")
    if spec.geometry_column:
        geom = table.c[spec.geometry_column]
        document = row.op("-")(spec.geometry_column).op("||")(
            func.jsonb_build_object("geometry", cast(func.ST_AsGeoJSON(geom), JSONB))
        )
        geom_wkb = func.ST_AsBinary(geom)
    return document.label("document"), row_version(table).label("etag"), geom_wkb.label("wkb")


def row_version(table: Table):
    """The row's version: the id of the (sub)transaction that last wrote it (xmin), new on every write.

    Not a hash of the row: anyone could rebuild the public part of a row and guess its internal fields from that.
    """
    return cast(literal_column(f'"{table.name}".xmin'), Text)


def etag_of(conn: Connection, spec: LayerSpec, feature_id: int) -> str | None:
    """The row's strong ETag: its version, the same for every reader, changed by every write."""
    table = table_of(spec)
    tag = conn.execute(select(row_version(table)).where(table.c[spec.id_column] == feature_id)).scalar_one_or_none()
    return None if tag is None else f'"{tag}"'


def feature_key(spec: LayerSpec, feature_id: str) -> int:
    """A feature id from the URL as the id column's value, or NotFound."""
    if not feature_id.isdigit() or int(feature_id) >= 2**63:
        raise NotFound(f"no feature '{feature_id}' in '{spec.id}'")
    return int(feature_id)


def _locked(conn: Connection, spec: LayerSpec, key: int):
    """The row, locked until the transaction ends, so two writers cannot both pass the ETag check."""
    table = table_of(spec)
    row = conn.execute(select(*_snapshot_columns(spec)).where(table.c[spec.id_column] == key).with_for_update()).first()
    if row is None:
        raise NotFound(f"no feature '{key}' in '{spec.id}'")
    return row


def _snapshot(conn: Connection, spec: LayerSpec, key: int) -> dict:
    """The row as the audit log keeps it."""
    table = table_of(spec)
    document = _snapshot_columns(spec)[0]
    return conn.execute(select(document).where(table.c[spec.id_column] == key)).scalar_one()


def require_if_match(if_match: str | None) -> None:
    """428 without If-Match: checked before anything else about a write to an existing feature."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "send If-Match with the ETag from GET of this feature, so changes made meanwhile are not overwritten"
        )


def check_if_match(if_match: str | None, etag: str) -> None:
    """428 without If-Match, 412 when it names an older version of the row."""
    require_if_match(if_match)
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" not in tags and f'"{etag}"' not in tags:
        raise PreconditionFailed(
            "the feature has changed since you read it (If-Match does not match its ETag); "
            "GET it again and re-apply your change"
        )


# --- writing --------------------------------------------------------------------------------------------


def _write(conn: Connection, statement) -> Any:
    """Run a write; constraint violations become 409 (duplicates, overlaps) or 422 (other rules)."""
    try:
        with conn.begin_nested():
            return conn.execute(statement)
    except IntegrityError as exc:
        code = getattr(getattr(exc, "orig", None), "pgcode", "")
        message = constraint_message(exc)
        if code in ("23505", "23P01"):  # unique violation, exclusion violation
            raise Conflict(message) from None
        raise Unprocessable(message) from None
    except DBAPIError as exc:
        raise Unprocessable(constraint_message(exc)) from None


def _check_required(spec: LayerSpec, values: dict[str, Any], has_geometry: bool) -> None:
    """Required fields must have a value (those a decision sets are filled in by the caller)."""
    table = table_of(spec)
    missing = sorted(c for c in required_columns(table) - set(VERSION_FIELDS) if values.get(c) is None)
    if spec.geometry_column and not has_geometry:
        missing.append("geometry")
    if missing:
        raise Unprocessable(f"required field(s) missing: {', '.join(missing)}")


def _check_version_fields(change: Change, current: dict | None) -> None:
    """valid_from, valid_to and decision_id follow the decision; echoing the stored values back is fine."""
    for name in VERSION_FIELDS:
        if name in change.properties:
            stored = None if current is None else current.get(name)
            if current is None or str(change.properties[name]) != str(stored):
                raise InvalidInput(f"'{name}' is set from the decision named with the change, not written directly")


def _values(spec: LayerSpec, change: Change) -> dict[str, Any]:
    """The writable values of a change (version fields removed)."""
    return {k: v for k, v in change.properties.items() if k not in VERSION_FIELDS or not spec.versioned}


def _geom_value(spec: LayerSpec, wkb: bytes | None):
    """A bound WKB geometry in the storage CRS."""
    return func.ST_SetSRID(func.ST_GeomFromWKB(bindparam("geom_wkb", wkb, type_=LargeBinary)), spec.storage_srid)


def _insert(conn: Connection, spec: LayerSpec, values: dict[str, Any], wkb: bytes | None) -> int:
    """Insert one row and return its id (absent fields that have a default get it)."""
    table = table_of(spec)
    row = {k: v for k, v in values.items() if v is not None or table.c[k].server_default is None}
    if spec.geometry_column:
        row[spec.geometry_column] = _geom_value(spec, wkb)
    return _write(conn, insert(table).values(row).returning(table.c[spec.id_column])).scalar_one()


def _result(conn: Connection, spec: LayerSpec, key: int) -> EditResult:
    """The feature as written, as the editor sees it, with its new ETag."""
    return EditResult(key, etag_of(conn, spec, key), fetch_one(conn, spec, str(key), Access.internal, CRS84))


def create_feature(
    conn: Connection,
    spec: LayerSpec,
    change: Change,
    *,
    user: User | None,
    decision: DecisionRef | None,
    request_id: str | None = None,
) -> EditResult:
    """Insert a new feature (for versioned layers: its first version, valid from the decision)."""
    check_editable(spec)
    values = _values(spec, change)
    if spec.versioned:
        _check_version_fields(change, None)
        decision = _decision_required(spec, decision)
        values.update(valid_from=decision.date_effective, decision_id=decision.id)
    _check_required(spec, values, change.geometry_wkb is not None)
    key = _insert(conn, spec, values, change.geometry_wkb)
    record_change(
        conn,
        user=user,
        layer_id=spec.id,
        feature_id=key,
        action="create",
        before=None,
        after=_snapshot(conn, spec, key),
        decision_id=None if decision is None else decision.id,
        request_id=request_id,
    )
    return _result(conn, spec, key)


def update_feature(
    conn: Connection,
    spec: LayerSpec,
    feature_id: str,
    change: Change,
    *,
    if_match: str | None,
    partial: bool,
    user: User | None,
    decision: DecisionRef | None,
    request_id: str | None = None,
) -> EditResult:
    """Replace (PUT) or merge (PATCH) a feature; a versioned one gets a new version under the decision."""
    check_editable(spec)
    key = feature_key(spec, feature_id)
    current = _locked(conn, spec, key)
    check_if_match(if_match, current.etag)
    before = current.document
    values = _values(spec, change)
    if partial:
        merged = {name: before.get(name) for name in writable_fields(spec)}
        merged.update(values)
        values = _typed_properties(spec, {k: v for k, v in merged.items()})
    else:
        values = {name: values.get(name) for name in writable_fields(spec)}
    wkb = change.geometry_wkb if change.has_geometry else (bytes(current.wkb) if current.wkb is not None else None)
    if spec.versioned:
        _check_version_fields(change, before)
        return _new_version(conn, spec, key, before, values, wkb, user=user, decision=decision, request_id=request_id)
    _check_required(spec, values, wkb is not None)
    table = table_of(spec)
    if not partial:
        for name in list(values):
            if values[name] is None and table.c[name].server_default is not None:
                values[name] = literal_column("DEFAULT")
    row = dict(values)
    if spec.geometry_column:
        row[spec.geometry_column] = _geom_value(spec, wkb)
    _write(conn, update(table).where(table.c[spec.id_column] == key).values(row))
    record_change(
        conn,
        user=user,
        layer_id=spec.id,
        feature_id=key,
        action="update",
        before=before,
        after=_snapshot(conn, spec, key),
        decision_id=None if decision is None else decision.id,
        request_id=request_id,
    )
    return _result(conn, spec, key)


def _close_current(conn: Connection, spec: LayerSpec, key: int, before: dict, decision: DecisionRef) -> None:
    """End the current version on the decision's effective date (nothing is overwritten)."""
    if before.get("valid_to") is not None:
        raise Conflict(
            f"version {key} of '{before.get('uid')}' was closed on {before['valid_to']}; "
            "change the current version instead"
        )
    valid_from = date.fromisoformat(before["valid_from"])
    if decision.date_effective <= valid_from:
        raise Conflict(
            f"decision {decision.number} takes effect on {decision.date_effective}, not after the current "
            f"version's start ({valid_from}); a change must take effect after the version it replaces"
        )
    table = table_of(spec)
    _write(conn, update(table).where(table.c[spec.id_column] == key).values(valid_to=decision.date_effective))


def _new_version(
    conn: Connection,
    spec: LayerSpec,
    key: int,
    before: dict,
    values: dict[str, Any],
    wkb: bytes | None,
    *,
    user: User | None,
    decision: DecisionRef | None,
    request_id: str | None,
) -> EditResult:
    """Close the current version and insert the next one, valid from the decision."""
    decision = _decision_required(spec, decision)
    if values.get("uid") not in (None, before.get("uid")):
        raise InvalidInput(f"uid is the feature's identity across versions and cannot change ({before.get('uid')})")
    values = {**values, "uid": before["uid"], "valid_from": decision.date_effective, "decision_id": decision.id}
    _check_required(spec, values, wkb is not None)
    _close_current(conn, spec, key, before, decision)
    new_key = _insert(conn, spec, values, wkb)
    record_change(
        conn,
        user=user,
        layer_id=spec.id,
        feature_id=new_key,
        action="update",
        before=before,
        after=_snapshot(conn, spec, new_key),
        decision_id=decision.id,
        request_id=request_id,
    )
    return _result(conn, spec, new_key)


def delete_feature(
    conn: Connection,
    spec: LayerSpec,
    feature_id: str,
    *,
    if_match: str | None,
    user: User | None,
    decision: DecisionRef | None,
    request_id: str | None = None,
) -> None:
    """Delete a feature; for a versioned layer, close its current version under the decision."""
    check_editable(spec)
    key = feature_key(spec, feature_id)
    current = _locked(conn, spec, key)
    check_if_match(if_match, current.etag)
    before = current.document
    table = table_of(spec)
    if spec.versioned:
        decision = _decision_required(spec, decision)
        _close_current(conn, spec, key, before, decision)
        after = _snapshot(conn, spec, key)
    else:
        _refuse_if_referenced(conn, spec, key)
        _write(conn, delete(table).where(table.c[spec.id_column] == key))
        after = None
    record_change(
        conn,
        user=user,
        layer_id=spec.id,
        feature_id=key,
        action="delete",
        before=before,
        after=after,
        decision_id=None if decision is None else decision.id,
        request_id=request_id,
    )


def _refuse_if_referenced(conn: Connection, spec: LayerSpec, key: int) -> None:
    """Deleting must not cascade silently into other records (e.g. a project's clearance parcels)."""
    target = table_of(spec)
    for table in models.Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is target and table.name != "audit_log" and not table.info.get("derived"):
                count = conn.execute(select(func.count()).select_from(table).where(fk.parent == key)).scalar_one()
                if count:
                    raise Conflict(
                        f"feature {key} of '{spec.id}' is referenced by {count} row(s) of {table.name} "
                        f"({fk.parent.name}); change or delete those first"
                    )
