"""Editing features (OGC API – Features Part 4): the request read and checked, then written by `layers.writes`.

Parsing turns a GeoJSON body into typed values and a checked WGS84 geometry (`layers.checks`, the same checks
imports use); `layers.writes` locks the row, compares If-Match, writes (a versioned layer gets a new version
under the decision) and audits, all in the caller's transaction.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Boolean, Connection, Integer, LargeBinary, Numeric, String, Table, Text, bindparam, func, select
from sqlalchemy.exc import DBAPIError

from gis.accounts import User
from gis.constraints import constraint_message
from gis.crs import CRS84_URI, WGS84, CrsRef, parse_crs_uri
from gis.errors import InvalidInput, NotFound, Unprocessable
from layers.checks import (
    allowed_values,
    check_geojson_geometry,
    check_place,
    check_shape,
    check_text,
    check_value,
    province_outlines,
)
from layers.features import fetch_one, table_of
from layers.spec import Access, LayerSpec
from layers.writes import (
    VERSION_FIELDS,
    DecisionRef,
    FeatureWrite,
    apply_changes,
    check_editable,
    etag_of,
    writable_fields,
)

__all__ = ["check_editable", "etag_of", "writable_fields"]  # read here by the API
CRS84 = parse_crs_uri(CRS84_URI)


@dataclass(frozen=True)
class Change:
    """A parsed request body: typed property values, and the geometry checked and in WGS84."""

    properties: dict[str, Any]
    geometry: BaseGeometry | None
    has_geometry: bool
    decision: str | int | None = None


@dataclass(frozen=True)
class EditResult:
    """What the HTTP layer answers with."""

    feature_id: int
    etag: str | None
    feature: str | None


def _computed(table: Table) -> set[str]:
    """Columns PostgreSQL derives (area, length, stage, validity range): never written by clients."""
    return {c.name for c in table.columns if c.computed is not None}


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
    except RecursionError:
        raise InvalidInput("the body is nested too deeply to be a GeoJSON Feature") from None
    check_text(document)
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
    properties = _typed_properties(spec, raw_props, allowed_values(conn, spec))
    has_geometry = "geometry" in document
    geometry = None
    if has_geometry:
        geometry = _geometry(conn, spec, document["geometry"], content_crs)
    elif not partial and spec.geometry_column:
        raise Unprocessable("geometry is missing: a feature of this layer needs one")
    decision = document.get("decision")
    if decision is not None and not isinstance(decision, str | int):
        raise InvalidInput("'decision' must be the decision's number (e.g. \"439/QĐ-TTg\") or its id")
    return Change(properties, geometry, has_geometry, decision)


def typed_properties(conn: Connection, spec: LayerSpec, raw: dict[str, Any]) -> dict[str, Any]:
    """Field values from JSON checked as an edit's are (the decisions register sends its fields this way)."""
    check_text(raw)
    return _typed_properties(spec, raw, allowed_values(conn, spec))


def _typed_properties(spec: LayerSpec, raw: dict[str, Any], allowed: dict[str, dict[Any, None]]) -> dict[str, Any]:
    """Convert JSON values to column types; refuse unknown fields and values outside the allowed ones."""
    table = table_of(spec)
    writable = set(writable_fields(spec))
    ignored = _computed(table) | {spec.id_column}
    version_fields = set(VERSION_FIELDS) if spec.versioned else set()
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
        out[name] = None if value is None else _typed_value(table, name, value, allowed)
    return out


def _typed_value(table: Table, name: str, value: Any, allowed: dict[str, dict[Any, None]]) -> Any:
    """One JSON value of the right JSON type, then checked as imports check theirs (`layers.checks`)."""
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
    return check_value(table, name, value, allowed)


def _geometry(conn: Connection, spec: LayerSpec, raw: Any, content_crs: str | None) -> BaseGeometry | None:
    """GeoJSON geometry in the Content-Crs (CRS84 by default) → checked geometry in WGS84, transformed by PostGIS."""
    if not spec.geometry_column:
        if raw is not None:
            raise InvalidInput(f"'{spec.id}' has no geometry; send \"geometry\": null")
        return None
    if raw is None:
        raise Unprocessable("geometry is missing: a feature of this layer needs one")
    if not isinstance(raw, dict):
        raise InvalidInput("'geometry' must be a GeoJSON geometry object")
    check_geojson_geometry(raw)
    try:
        geom = shape(raw)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise InvalidInput(f"unreadable GeoJSON geometry: {exc}") from None
    if geom.is_empty:
        raise Unprocessable("geometry is empty")
    crs = parse_crs_uri(content_crs.strip().strip("<>")) if content_crs else CRS84
    return check_shape(spec, geom, lambda g: shapely.from_wkb(_to_wgs84(conn, g.wkb, crs)))


def _to_wgs84(conn: Connection, wkb: bytes, crs: CrsRef) -> bytes:
    """Let PostGIS put the axes in x/y order and transform to WGS84 longitude/latitude."""
    geom = func.ST_SetSRID(func.ST_GeomFromWKB(bindparam("wkb", wkb, type_=LargeBinary)), crs.epsg)
    if not crs.lonlat_order:
        geom = func.ST_FlipCoordinates(geom)
    if crs.epsg != WGS84:
        geom = func.ST_Transform(geom, WGS84)
    try:
        with conn.begin_nested():
            return bytes(conn.execute(select(func.ST_AsBinary(geom))).scalar_one())
    except DBAPIError as exc:
        raise InvalidInput(f"geometry cannot be transformed from EPSG:{crs.epsg}: {constraint_message(exc)}") from None


def feature_key(spec: LayerSpec, feature_id: str) -> int:
    """A feature id from the URL as the id column's value, or NotFound."""
    if not feature_id.isdigit() or int(feature_id) >= 2**63:
        raise NotFound(f"no feature '{feature_id}' in '{spec.id}'")
    return int(feature_id)


def _check_version_fields(spec: LayerSpec, change: Change, current: dict | None) -> None:
    """valid_from, valid_to and decision_id follow the decision; echoing the stored values back is fine, and so is
    null on a new feature (QGIS sends every field of the layer, empty ones as null)."""
    if not spec.versioned:
        return
    for name in VERSION_FIELDS:
        if name in change.properties and not (current is None and change.properties[name] is None):
            stored = None if current is None else current.get(name)
            if current is None or str(change.properties[name]) != str(stored):
                raise InvalidInput(f"'{name}' is set from the decision named with the change, not written directly")


def _current_version_fields(conn: Connection, spec: LayerSpec, key: int) -> dict | None:
    """The stored valid_from, valid_to and decision_id, to compare with what a client echoes back."""
    table = table_of(spec)
    row = conn.execute(select(*[table.c[n] for n in VERSION_FIELDS]).where(table.c[spec.id_column] == key)).first()
    return None if row is None else row._asdict()


def _values(spec: LayerSpec, change: Change) -> dict[str, Any]:
    """The writable values of a change (version fields removed)."""
    return {k: v for k, v in change.properties.items() if k not in VERSION_FIELDS or not spec.versioned}


def _result(conn: Connection, spec: LayerSpec, key: int) -> EditResult:
    """The feature as written, as the editor sees it, with its new ETag."""
    return EditResult(key, etag_of(conn, spec, key), fetch_one(conn, spec, str(key), Access.internal, CRS84))


def _check_place(conn: Connection, spec: LayerSpec, change: Change, key: int | None) -> None:
    """The province rule imports apply: a feature that names a province must touch its boundary."""
    table = table_of(spec)
    if "province_code" not in table.c or not spec.geometry_column:
        return
    if not change.has_geometry and "province_code" not in change.properties:
        return
    province, geometry = change.properties.get("province_code"), change.geometry
    if key is not None and (province is None or geometry is None):
        stored = conn.execute(
            select(table.c.province_code, func.ST_AsBinary(table.c[spec.geometry_column])).where(
                table.c[spec.id_column] == key
            )
        ).first()
        if stored is None:
            return  # the write answers 404 or 412
        province = province or stored[0]
        geometry = geometry or (None if stored[1] is None else shapely.from_wkb(bytes(stored[1])))
    if province and geometry is not None:
        check_place(province, geometry, province_outlines(conn, [province]))


# --- writing --------------------------------------------------------------------------------------------


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
    _check_version_fields(spec, change, None)
    _check_place(conn, spec, change, None)
    write = FeatureWrite("create", values=_values(spec, change), geometry=change.geometry)
    [key] = apply_changes(conn, spec, [write], decision=decision, user=user, request_id=request_id)
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
    if spec.versioned:
        _check_version_fields(spec, change, _current_version_fields(conn, spec, key))
    _check_place(conn, spec, change, key)
    write = FeatureWrite(
        "update",
        key=key,
        values=_values(spec, change),
        geometry=change.geometry,
        replace=not partial,
        if_match=if_match,
    )
    [new_key] = apply_changes(conn, spec, [write], decision=decision, user=user, request_id=request_id)
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
    write = FeatureWrite("delete", key=feature_key(spec, feature_id), if_match=if_match)
    apply_changes(conn, spec, [write], decision=decision, user=user, request_id=request_id)
