"""Versioned writes and the audit log: the one path every writer takes (API edits, file imports, the workspace).

`apply_changes` applies a change set to one layer under one decision by one user, all or nothing: each row it
changes is locked (a writer holding it at that moment makes the change fail, not wait), its If-Match compared
when the writer sent one (without, the last writer wins and the audit record's if_match is NULL), a versioned row
closed on the decision's effective date and its next version inserted (or, when that decision opened it, amended),
and every change recorded in the audit log with the same snapshot of the row (`snapshot`). An account scoped to
provinces changes only rows in them, before and after the change (`layers.scopes`).
Database refusals become one kind of message (`gis.constraints.database_refusal`).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Connection,
    LargeBinary,
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
from sqlalchemy.exc import DBAPIError, OperationalError

from gis import models
from gis.accounts import User
from gis.constraints import database_refusal
from gis.crs import WGS84
from gis.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    ZoneAtlasError,
)
from gis.limits import unstorable
from layers.audit import ACTIONS, audit_log, record_change
from layers.demo.loader import required_columns
from layers.features import table_of
from layers.scopes import Scope, check_board_level, check_scope, scope_of
from layers.spec import Access, LayerSpec

VERSION_FIELDS = ("valid_from", "valid_to", "decision_id")
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class DecisionRef:
    """The decision a change is made under."""

    id: int
    number: str
    date_effective: date


@dataclass(frozen=True)
class FeatureWrite:
    """One change of a change set: create a feature, or update or delete the row `key`."""

    action: str
    key: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # typed values of writable fields
    geometry: BaseGeometry | None = None  # checked, in WGS84 lon/lat; None on an update keeps the stored one
    replace: bool = False  # update: writable fields absent from `values` are cleared (PUT), else kept
    if_match: str | None = None  # the ETag the writer read; compared under the row lock when given
    where: str = ""  # how messages name this change, e.g. "feature #3 (CK-X)"


# --- what may be written ------------------------------------------------------------------------------------


def _computed(table: Table) -> set[str]:
    """Columns PostgreSQL derives (area, length, stage, validity range): never written by clients."""
    return {c.name for c in table.columns if c.computed is not None}


def writable_fields(spec: LayerSpec) -> list[str]:
    """Fields a writer may set: the layer's fields minus computed ones and those a decision sets."""
    table = table_of(spec)
    skip = _computed(table) | {spec.id_column}
    if spec.versioned:
        skip |= set(VERSION_FIELDS)
    return [name for name in spec.fields_for(Access.internal) if name not in skip]


def check_editable(spec: LayerSpec) -> None:
    """Refuse writes to read-only layers."""
    if not spec.editable:
        raise NotAllowed(f"'{spec.id}' is read-only")


# --- decisions ----------------------------------------------------------------------------------------------


def resolve_decision(conn: Connection, ref: str | int | None) -> DecisionRef | None:
    """The decision named by number (e.g. 439/QĐ-TTg) or id; Unprocessable when there is none such."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return None
    if isinstance(ref, str) and (reason := unstorable(ref)):
        raise InvalidInput(f"the decision named {reason}")
    decisions = models.Decision.__table__
    columns = (decisions.c.id, decisions.c.number, decisions.c.date_effective)
    row = conn.execute(select(*columns).where(decisions.c.number == str(ref).strip())).first()
    if row is None and (isinstance(ref, int) or str(ref).strip().isdigit()) and int(ref) < 2**31:
        row = conn.execute(select(*columns).where(decisions.c.id == int(ref))).first()
    if row is None:
        raise Unprocessable(f"no decision '{ref}'; add it to the decisions collection first")
    return DecisionRef(row.id, row.number, row.date_effective)


def decision_required(spec: LayerSpec, decision: DecisionRef | None) -> DecisionRef:
    """Versioned layers change only under a named decision."""
    if decision is None:
        raise Unprocessable(
            f"'{spec.id}' is versioned by legal decisions: name the decision with the header "
            '\'Decision: <number or id>\' or a top-level "decision" member, e.g. "decision": "439/QĐ-TTg"'
        )
    return decision


# --- versions and snapshots ---------------------------------------------------------------------------------


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


def snapshot(conn: Connection, spec: LayerSpec, key: int) -> dict[str, Any]:
    """The row as the audit log keeps it: every column, the geometry as a GeoJSON object under "geometry"."""
    table = table_of(spec)
    document = cast(func.to_jsonb(table.table_valued()), JSONB)
    if spec.geometry_column:
        geojson = cast(func.ST_AsGeoJSON(table.c[spec.geometry_column]), JSONB)
        document = document.op("-")(spec.geometry_column).op("||")(func.jsonb_build_object("geometry", geojson))
    return conn.execute(select(document).where(table.c[spec.id_column] == key)).scalar_one()


def entity_tags(if_match: str | None) -> list[str]:
    """The entity tags an If-Match header lists ('*', "strong", W/"weak")."""
    return [tag.strip() for tag in (if_match or "").split(",") if tag.strip()]


def check_if_match(if_match: str | None, etag: str) -> None:
    """The strong comparison of RFC 9110: only the current ETag itself passes; '*' and weak tags name no version.

    No If-Match at all is accepted (last writer wins, and the audit record says so: see docs/qgis.md): standard
    clients such as QGIS cannot send one. An If-Match that is sent must name the current version.
    """
    tags = entity_tags(if_match)
    if not tags or etag in tags:
        return
    if "*" in tags:
        raise PreconditionRequired(
            "If-Match: * says only that the feature exists; a change must name the version it was made from: "
            "send the ETag from GET of this feature"
        )
    weak = " (weak ETags, W/…, never match: send the strong ETag)" if any(t.startswith("W/") for t in tags) else ""
    raise PreconditionFailed(
        f"the feature has changed since you read it (If-Match does not match its ETag{weak}); "
        "GET it again and re-apply your change"
    )


def _lock(conn: Connection, spec: LayerSpec, key: int, if_match: str | None, *, deleting: bool) -> str | None:
    """Lock the row until the transaction ends and compare If-Match; a writer holding the row already wins.

    The ETag the If-Match matched, for the audit record; None when none was sent.
    """
    table = table_of(spec)
    row = select(table.c[spec.id_column]).where(table.c[spec.id_column] == key)
    tags = entity_tags(if_match)
    if tags and not any(tag.startswith('"') for tag in tags) and conn.execute(row).first() is not None:
        check_if_match(if_match, "")  # '*' or weak tags name no version: refused without waiting for the lock
    try:
        with conn.begin_nested():
            found = conn.execute(row.with_for_update(nowait=True, key_share=not deleting)).first()
    except OperationalError as exc:
        if getattr(exc.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        busy = f"someone else is changing feature {key} of '{spec.id}' at this moment"
        if not tags:  # an import or a write without If-Match: nothing it read is stale; it may simply try again
            raise Conflict(f"{busy}; try again in a moment") from None
        raise PreconditionFailed(f"{busy}; GET it again and re-apply your change") from None
    if found is None:
        if tags and _was_deleted(conn, spec, key):
            raise PreconditionFailed(f"feature {key} of '{spec.id}' was deleted since you read it")
        if "*" in tags:
            raise PreconditionFailed(f"If-Match: * asks that the feature exists; there is no '{key}' in '{spec.id}'")
        raise NotFound(f"no feature '{key}' in '{spec.id}'")
    if not tags:
        return None
    etag = etag_of(conn, spec, key) or ""
    check_if_match(if_match, etag)
    return etag


def _was_deleted(conn: Connection, spec: LayerSpec, key: int) -> bool:
    """Whether the audit log records the deletion of this row (so a stale writer hears 412, not 404)."""
    condition = (audit_log.c.layer_id == spec.id) & (audit_log.c.feature_id == str(key))
    found = conn.execute(select(audit_log.c.id).where(condition, audit_log.c.action == "delete").limit(1)).first()
    return found is not None


# --- writing ------------------------------------------------------------------------------------------------


def apply_changes(
    conn: Connection,
    spec: LayerSpec,
    writes: Iterable[FeatureWrite],
    *,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None = None,
) -> list[int]:
    """Apply a change set to a layer under a decision by a user, all or nothing; the ids of the rows now current."""
    check_editable(spec)
    scope = scope_of(conn, user)
    check_board_level(spec, scope)
    if spec.versioned:
        decision = decision_required(spec, decision)
    keys: list[int] = []
    with conn.begin_nested():
        for batch in _batches(spec, writes):
            if len(batch) > 1:
                keys += _update_many(conn, spec, batch, decision, user, request_id, scope)
            else:
                keys.append(_apply_one(conn, spec, batch[0], decision, user, request_id, scope))
    return keys


def _batches(spec: LayerSpec, writes: Iterable[FeatureWrite]) -> Iterator[list[FeatureWrite]]:
    """The writes in order, consecutive in-place merges of the same values into distinct rows of an unversioned
    layer together (one UPDATE for them all: see _update_many)."""
    batch: list[FeatureWrite] = []
    keys: set[int | None] = set()
    for write in writes:
        mergeable = not spec.versioned and write.action == "update" and write.key is not None
        mergeable = mergeable and write.geometry is None and not write.replace
        if batch and not (mergeable and write.values == batch[0].values and write.key not in keys):
            yield batch
            batch, keys = [], set()
        if not mergeable:
            yield [write]
            continue
        batch.append(write)
        keys.add(write.key)
    if batch:
        yield batch


@contextmanager
def _named(where: str) -> Iterator[None]:
    """Refusals of one change named by its `where`; a database refusal turned into the one kind of message."""
    prefix = f"{where}: " if where else ""
    try:
        yield
    except DBAPIError as exc:
        raise database_refusal(exc, prefix) from None
    except ZoneAtlasError as exc:
        if prefix and not str(exc).startswith(prefix):
            exc.args = (prefix + str(exc), *exc.args[1:])
        raise


def _apply_one(
    conn: Connection,
    spec: LayerSpec,
    write: FeatureWrite,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
    scope: Scope | None,
) -> int:
    """One change, with its refusals named by `write.where`; a scoped account's checked before and after it."""
    with _named(write.where):
        if write.action == "create":
            key = _create(conn, spec, write, decision, user, request_id)
            check_scope(conn, spec, key, scope, written=True)  # refused: the savepoint of apply_changes undoes it
            return key
        if write.action not in ACTIONS or write.key is None:
            raise InvalidInput(f"a change is create, or update/delete of a feature id (got '{write.action}')")
        key = write.key
        if spec.versioned and not entity_tags(write.if_match):
            key = _successor(conn, spec, key, decision) or key
        matched = _lock(conn, spec, key, write.if_match, deleting=write.action == "delete")
        check_scope(conn, spec, key, scope, written=False)
        if write.action == "delete":
            return _delete(conn, spec, key, decision, user, request_id, matched)
        key = _update(conn, spec, replace(write, key=key), decision, user, request_id, matched)
        check_scope(conn, spec, key, scope, written=True)
        return key


def _update_many(
    conn: Connection,
    spec: LayerSpec,
    writes: list[FeatureWrite],
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
    scope: Scope | None,
) -> list[int]:
    """The same values merged into many rows of an unversioned layer by one UPDATE, so the layer's statement-level
    triggers (the clearance overview and sites) run once, not once per row; each row is locked, checked, audited."""
    table = table_of(spec)
    given = {k: v for k, v in writes[0].values.items() if k in writable_fields(spec)}
    cleared = sorted(c for c in required_columns(table) - set(VERSION_FIELDS) if c in given and given[c] is None)
    if cleared:
        raise Unprocessable(f"required field(s) missing: {', '.join(cleared)}")
    keyed = [(write, write.key) for write in writes if write.key is not None]  # every write of a batch has one
    before: list[tuple[dict, str | None]] = []
    for write, key in keyed:
        with _named(write.where):
            matched = _lock(conn, spec, key, write.if_match, deleting=False)
            check_scope(conn, spec, key, scope, written=False)
            before.append((snapshot(conn, spec, key), matched))
    keys = [key for _, key in keyed]
    row = given or {spec.id_column: table.c[spec.id_column]}  # a change that changes nothing still moves the version
    with _named(f"{len(set(keys))} features of '{spec.id}'"):
        conn.execute(update(table).where(table.c[spec.id_column].in_(keys)).values(row))
    for (write, key), (snapshot_before, matched) in zip(keyed, before, strict=True):
        with _named(write.where):
            check_scope(conn, spec, key, scope, written=True)
            _audit(conn, spec, "update", key, snapshot_before, key, decision, user, request_id, matched)
    return keys


def _audit(
    conn: Connection,
    spec: LayerSpec,
    action: str,
    key: int,
    before: dict | None,
    after_key: int | None,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
    if_match: str | None = None,
) -> None:
    """The audit record of one change, the row snapshotted the one way (`if_match`: the ETag it was made from)."""
    record_change(
        conn,
        user=user,
        layer_id=spec.id,
        feature_id=key,
        action=action,
        before=before,
        after=None if after_key is None else snapshot(conn, spec, after_key),
        decision_id=None if decision is None else decision.id,
        request_id=request_id,
        if_match=if_match,
    )


def _create(
    conn: Connection,
    spec: LayerSpec,
    write: FeatureWrite,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
) -> int:
    """Insert a new feature (for versioned layers: its first version, valid from the decision)."""
    values = {k: v for k, v in write.values.items() if k not in VERSION_FIELDS or not spec.versioned}
    if spec.versioned:
        values.update(valid_from=decision.date_effective, decision_id=decision.id)
    _check_required(spec, values, write.geometry is not None)
    key = _insert(conn, spec, values, write.geometry)
    _audit(conn, spec, "create", key, None, key, decision, user, request_id)
    return key


def _update(
    conn: Connection,
    spec: LayerSpec,
    write: FeatureWrite,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
    if_match: str | None = None,
) -> int:
    """Replace or merge fields; a versioned feature gets a new version, anything else is changed in place."""
    key = write.key
    table = table_of(spec)
    fields = writable_fields(spec)
    before = snapshot(conn, spec, key)
    given = {k: v for k, v in write.values.items() if k in fields}
    stored = conn.execute(select(*[table.c[n] for n in fields]).where(table.c[spec.id_column] == key)).one()
    values = {n: given.get(n) for n in fields} if write.replace else {**stored._asdict(), **given}
    geometry = write.geometry
    if spec.versioned:
        if values.get("uid") not in (None, before.get("uid")):
            raise InvalidInput(f"uid is the feature's identity across versions and cannot change ({before['uid']})")
        values = {**values, "uid": before["uid"]}
    if spec.versioned and not _opened_by(before, decision):
        values = {**values, "valid_from": decision.date_effective, "decision_id": decision.id}
        if geometry is None and spec.geometry_column:
            geometry = _stored_geometry(conn, spec, key)
        _check_required(spec, values, geometry is not None or not spec.geometry_column)
        _close(conn, spec, key, before, decision)
        new_key = _insert(conn, spec, values, geometry)
        _audit(conn, spec, "update", new_key, before, new_key, decision, user, request_id, if_match)
        return new_key
    _check_required(spec, values, True)
    row = dict(values) if write.replace else dict(given)
    if write.replace:
        row.update({n: literal_column("DEFAULT") for n, v in values.items() if v is None and table.c[n].server_default})
    if geometry is not None:
        row[spec.geometry_column] = _geometry_value(spec, geometry)
    if not row:  # a change that changes nothing is still a write: the row's version moves on
        row = {spec.id_column: table.c[spec.id_column]}
    conn.execute(update(table).where(table.c[spec.id_column] == key).values(row))
    _audit(conn, spec, "update", key, before, key, decision, user, request_id, if_match)
    return key


def _delete(
    conn: Connection,
    spec: LayerSpec,
    key: int,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None,
    if_match: str | None = None,
) -> int:
    """Delete a feature; a versioned one is closed under the decision instead (nothing is erased), unless this
    decision opened it: then it is removed, and the version it replaced stays closed on the decision's date."""
    before = snapshot(conn, spec, key)
    if spec.versioned and not _opened_by(before, decision):
        _close(conn, spec, key, before, decision)
        _audit(conn, spec, "delete", key, before, key, decision, user, request_id, if_match)
        return key
    _refuse_if_referenced(conn, spec, key)
    table = table_of(spec)
    conn.execute(delete(table).where(table.c[spec.id_column] == key))
    _audit(conn, spec, "delete", key, before, None, decision, user, request_id, if_match)
    return key


def _opened_by(before: dict, decision: DecisionRef | None) -> bool:
    """Whether this current version was opened by this decision: changing it again amends it (PUT, PATCH) or
    removes it (DELETE; its predecessor stays closed on the decision's date), rather than opening an empty one."""
    return (
        decision is not None
        and before.get("valid_to") is None
        and before.get("decision_id") == decision.id
        and before.get("valid_from") == decision.date_effective.isoformat()
    )


def _successor(conn: Connection, spec: LayerSpec, key: int, decision: DecisionRef | None) -> int | None:
    """The current version that replaced the closed version `key` under this decision, for writers without If-Match.

    QGIS keeps the id it read: its second change to a plot in one save (attributes, then geometry) names the version
    its first change closed. A writer that sent If-Match named that version on purpose and is not redirected.
    """
    if decision is None:
        return None
    table = table_of(spec)
    old, current = table.alias("old"), table.alias("current")
    return conn.execute(
        select(current.c[spec.id_column])
        .join(old, old.c.uid == current.c.uid)
        .where(
            old.c[spec.id_column] == key,
            old.c.valid_to == current.c.valid_from,
            current.c.valid_to.is_(None),
            current.c.decision_id == decision.id,
        )
    ).scalar_one_or_none()


def _close(conn: Connection, spec: LayerSpec, key: int, before: dict, decision: DecisionRef) -> None:
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
    conn.execute(update(table).where(table.c[spec.id_column] == key).values(valid_to=decision.date_effective))


def _check_required(spec: LayerSpec, values: dict[str, Any], has_geometry: bool) -> None:
    """Required fields must have a value (those a decision sets are filled in here)."""
    table = table_of(spec)
    missing = sorted(c for c in required_columns(table) - set(VERSION_FIELDS) if values.get(c) is None)
    if spec.geometry_column and not has_geometry:
        missing.append("geometry")
    if missing:
        raise Unprocessable(f"required field(s) missing: {', '.join(missing)}")


def _geometry_value(spec: LayerSpec, geometry: BaseGeometry):
    """A bound WGS84 geometry, transformed by PostGIS to the layer's storage CRS."""
    wkb = bindparam(None, shapely.to_wkb(geometry), type_=LargeBinary)
    geom = func.ST_GeomFromWKB(wkb, WGS84)
    return geom if spec.storage_srid == WGS84 else func.ST_Transform(geom, spec.storage_srid)


def _stored_geometry(conn: Connection, spec: LayerSpec, key: int) -> BaseGeometry | None:
    """The row's geometry in WGS84, carried into its next version."""
    table = table_of(spec)
    geom = table.c[spec.geometry_column]
    if spec.storage_srid != WGS84:
        geom = func.ST_Transform(geom, WGS84)
    wkb = conn.execute(select(func.ST_AsBinary(geom)).where(table.c[spec.id_column] == key)).scalar_one()
    return None if wkb is None else shapely.from_wkb(bytes(wkb))


def _insert(conn: Connection, spec: LayerSpec, values: dict[str, Any], geometry: BaseGeometry | None) -> int:
    """Insert one row and return its id (absent fields that have a default get it)."""
    table = table_of(spec)
    row = {k: v for k, v in values.items() if v is not None or table.c[k].server_default is None}
    if spec.geometry_column:
        row[spec.geometry_column] = None if geometry is None else _geometry_value(spec, geometry)
    return conn.execute(insert(table).values(row).returning(table.c[spec.id_column])).scalar_one()


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
