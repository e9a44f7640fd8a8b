"""Split and merge polygons for the workspace: the shapes computed here, written as ONE change set by `apply_changes`.

A split keeps the feature (its next version, or the row changed in place) as the larger piece and creates a new
feature with the same attributes for the other; a merge gives the first feature the union of both and deletes the
second (a versioned one is closed under the decision). Either is all or nothing, audited like every write.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import split as split_by
from sqlalchemy import Connection, func, select

from gis.accounts import User
from gis.crs import WGS84
from gis.errors import InvalidInput, NotFound, Unprocessable
from layers.checks import check_geojson_geometry, check_shape
from layers.features import table_of
from layers.spec import LayerSpec
from layers.writes import DecisionRef, FeatureWrite, apply_changes, check_editable, writable_fields

SNAP_DEGREES = 1e-7  # about 1 cm: outlines drawn apart by less than this still count as shared


@dataclass(frozen=True)
class Stored:
    """A feature as the split or merge reads it: writable values and geometry in WGS84."""

    key: int
    values: dict[str, Any]
    geometry: BaseGeometry
    label: str


def _check_polygons(spec: LayerSpec) -> None:
    """Only polygon layers are split or merged."""
    check_editable(spec)
    if "Polygon" not in (spec.geometry_type or ""):
        raise InvalidInput(f"'{spec.id}' holds {spec.geometry_type or 'no'} geometries: only polygons split or merge")


def _read(conn: Connection, spec: LayerSpec, key: int) -> Stored:
    """The feature's writable values and WGS84 geometry, or NotFound."""
    table = table_of(spec)
    geom = table.c[spec.geometry_column]
    if spec.storage_srid != WGS84:
        geom = func.ST_Transform(geom, WGS84)
    fields = writable_fields(spec)
    columns = [table.c[n] for n in fields]
    if spec.versioned:
        columns.append(table.c.valid_to)
    row = conn.execute(
        select(*columns, func.ST_AsBinary(geom).label("wkb")).where(table.c[spec.id_column] == key)
    ).first()
    if row is None:
        raise NotFound(f"no feature '{key}' in '{spec.id}'")
    values = {n: getattr(row, n) for n in fields}
    if spec.versioned and row.valid_to is not None:
        raise Unprocessable(f"feature {key} of '{spec.id}' is an old version (closed {row.valid_to}); use the current")
    label = values.get("code") or values.get("name_vi") or values.get("uid") or key
    geometry = shapely.from_wkb(bytes(row.wkb))
    if geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 1:
        geometry = geometry.geoms[0]  # a one-part multipolygon layer: cut and join its single polygon
    return Stored(key, values, geometry, f"feature #{key} ({label})")


def _line(raw: dict[str, Any]) -> BaseGeometry:
    """The drawn cutting line as a shapely LineString."""
    check_geojson_geometry(raw)
    try:
        line = shape(raw)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise InvalidInput(f"unreadable cutting line: {exc}") from None
    if line.geom_type != "LineString" or line.is_empty or len(line.coords) < 2:
        raise InvalidInput(f"the cutting line must be a GeoJSON LineString of 2 points or more, not {line.geom_type}")
    return line


def _new_identity(spec: LayerSpec, values: dict[str, Any]) -> dict[str, Any]:
    """The new piece's uid and code: the old ones with a short suffix (editable afterwards)."""
    suffix = uuid.uuid4().hex[:4].upper()
    table = table_of(spec)
    out = dict(values)
    for name in ("uid", "code"):
        if out.get(name):
            length = getattr(table.c[name].type, "length", None) or 64
            out[name] = f"{str(out[name])[: length - 5]}-{suffix}"
    return out


def split_feature(
    conn: Connection,
    spec: LayerSpec,
    key: int,
    line_geojson: dict[str, Any],
    *,
    if_match: str,
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None = None,
) -> list[int]:
    """Cut a polygon in two by a line: [the feature's id now, the new feature's id]; 422 unless exactly two pieces."""
    _check_polygons(spec)
    stored = _read(conn, spec, key)
    pieces = [g for g in split_by(stored.geometry, _line(line_geojson)).geoms if g.geom_type == "Polygon"]
    if len(pieces) != 2:
        found = "does not cross it" if len(pieces) < 2 else f"cuts it into {len(pieces)} pieces"
        raise Unprocessable(
            f"the line must cut {stored.label} into exactly two parts, from one side to the other; it {found}. "
            "Draw a line that starts and ends outside the outline and crosses it once"
        )
    keep, other = sorted(pieces, key=lambda g: g.area, reverse=True)
    keep, other = (check_shape(spec, shapely.normalize(p)) for p in (keep, other))
    writes = [
        FeatureWrite("update", key=key, geometry=keep, if_match=if_match, where=stored.label),
        FeatureWrite("create", values=_new_identity(spec, stored.values), geometry=other, where="the new part"),
    ]
    return apply_changes(conn, spec, writes, decision=decision, user=user, request_id=request_id)


def merge_features(
    conn: Connection,
    spec: LayerSpec,
    keys: list[int],
    *,
    if_matches: list[str],
    decision: DecisionRef | None,
    user: User | None,
    request_id: str | None = None,
) -> list[int]:
    """Join two adjacent polygons into the first (the second is deleted or closed); 422 unless they share an edge."""
    _check_polygons(spec)
    if len(keys) != 2 or keys[0] == keys[1] or len(if_matches) != 2:
        raise InvalidInput("merge takes two different features and the ETag of each, in the same order")
    first, second = (_read(conn, spec, k) for k in keys)
    merged = _union(first.geometry, second.geometry)
    if not isinstance(merged, Polygon):
        raise Unprocessable(
            f"{first.label} and {second.label} are not adjacent: they must share part of their outline "
            "(touching at a corner is not enough) to be merged into one"
        )
    merged = check_shape(spec, shapely.normalize(merged))
    writes = [
        FeatureWrite("update", key=first.key, geometry=merged, if_match=if_matches[0], where=first.label),
        FeatureWrite("delete", key=second.key, if_match=if_matches[1], where=second.label),
    ]
    return apply_changes(conn, spec, writes, decision=decision, user=user, request_id=request_id)[:1]


def _union(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """The union of two outlines sharing an edge; vertices within a centimetre of the other outline are snapped."""
    if a.intersection(b).area > 0.01 * min(a.area, b.area):
        return shapely.MultiPolygon([a, b])  # overlapping plots are an error to fix, not a merge
    if a.boundary.intersection(b.boundary).length > 0:
        merged = shapely.union(a, b)
        if isinstance(merged, Polygon):
            return merged
    snapped = shapely.snap(b, a, SNAP_DEGREES)
    if a.boundary.intersection(snapped.boundary).length == 0 and a.distance(b) > SNAP_DEGREES:
        return shapely.MultiPolygon([a, b])
    return shapely.union(a, snapped).buffer(0)
