"""One validation for everything written (API edits, file imports): refused with the reason, never repaired.

Each check raises `Refused` with a kind (the import report groups problems by it) and a message a person can act
on; the importer collects them per feature, an edit answers with the first.
"""

import re
from collections.abc import Callable, Iterable
from datetime import datetime, time
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import Connection, Date, Integer, Numeric, Table, func, select

from gis import models
from gis.constraints import enum_choices
from gis.crs import VIETNAM_BOX
from gis.errors import InvalidInput, Unprocessable
from gis.limits import unstorable_in
from gis.tabular import coerce_value
from layers.features import table_of
from layers.spec import LayerSpec

MULTI = {"MultiPolygon": MultiPolygon, "MultiLineString": MultiLineString, "MultiPoint": MultiPoint}


class Refused(InvalidInput):
    """A value or geometry that cannot be read as what the layer holds, with the kind of problem (400)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class RuleBroken(Refused, Unprocessable):
    """A well-formed value that breaks a rule of the data: allowed values, length, range (422)."""


def allowed_values(conn: Connection, spec: LayerSpec) -> dict[str, dict[Any, None]]:
    """Closed vocabularies (CHECK … IN, in their order) and lookup tables (foreign keys, sorted) per field."""
    table = table_of(spec)
    allowed: dict[str, dict[Any, None]] = {name: dict.fromkeys(values) for name, values in enum_choices(table).items()}
    for column in table.columns:
        for fk in column.foreign_keys:
            allowed[column.name] = dict.fromkeys(sorted(conn.execute(select(fk.column).distinct()).scalars()))
    return allowed


def check_value(table: Table, name: str, raw: Any, allowed: dict[str, dict[Any, None]]) -> Any:
    """One value as its column's Python type, within the column's length, range and allowed values."""
    column_type = table.c[name].type
    where = f"field '{name}'"
    if isinstance(column_type, Date):
        raw = _date_text(raw)
    try:
        value = coerce_value(raw, column_type, where)
    except InvalidInput as exc:
        raise Refused("bad_value", str(exc)) from None
    length = getattr(column_type, "length", None)
    if length and isinstance(value, str) and len(value) > length:
        raise RuleBroken("bad_value", f"{where} holds at most {length} characters; '{value[:30]}' has {len(value)}")
    if isinstance(column_type, Integer) and not -(2**31) <= value < 2**31:
        raise RuleBroken("bad_value", f"{where} is out of range ({value})")
    if isinstance(column_type, Numeric) and column_type.precision is not None:
        digits = column_type.precision - (column_type.scale or 0)
        if not value.is_finite() or abs(value) >= 10**digits:
            raise RuleBroken("bad_value", f"{where} must be below {10**digits} in absolute value (got {value})")
    if name in allowed and value not in allowed[name]:
        choices = [str(v) for v in allowed[name]]
        shown = ", ".join(choices[:15]) + (" …" if len(choices) > 15 else "")
        raise RuleBroken("unknown_value", f"'{value}' is not an allowed value of '{name}'; it must be one of: {shown}")
    return value


def _date_text(raw: Any) -> Any:
    """Dates as other tools write them (KML 2023/02/23, FlatGeobuf 2023-02-23 00:00:00) in ISO form."""
    if isinstance(raw, datetime) and raw.time() == time(0):
        return raw.date()
    match = re.fullmatch(
        r"(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?", str(raw).strip()
    )
    return f"{match[1]}-{match[2]}-{match[3]}" if match else raw


def check_shape(
    spec: LayerSpec, geom: BaseGeometry | None, to_wgs84: Callable[[BaseGeometry], BaseGeometry] | None = None
) -> BaseGeometry:
    """The geometry as the layer's type, valid, 2D, in WGS84 and inside Vietnam; or why it cannot be."""
    if geom is None or geom.is_empty:
        raise Refused("geometry_missing", "the feature has no geometry")
    if geom.has_z:
        heights = shapely.get_coordinates(geom, include_z=True)[:, 2]
        heights = heights[~np.isnan(heights)]
        if heights.size and np.any(heights != 0):
            raise Refused(
                "geometry_z",
                f"the geometry has heights (Z from {heights.min():g} to {heights.max():g}); '{spec.id}' stores "
                "2D positions only: send longitude/latitude (x, y) without Z",
            )
        geom = shapely.force_2d(geom)  # Z of 0 everywhere is what CAD and GPS tools write for "no height"
    if not np.all(np.isfinite(shapely.get_coordinates(geom))):
        raise Refused("invalid_geometry", "geometry coordinates must be finite numbers")
    expected = spec.geometry_type or geom.geom_type
    if expected in MULTI and geom.geom_type == expected.removeprefix("Multi"):
        geom = MULTI[expected]([geom])
    if geom.geom_type == f"Multi{expected}" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != expected:
        raise Refused("geometry_type", f"the geometry is a {geom.geom_type}; '{spec.id}' holds {expected} features")
    if not geom.is_valid:
        raise Refused("invalid_geometry", f"invalid geometry: {explain_validity(geom)}")
    wgs84 = geom if to_wgs84 is None else to_wgs84(geom)
    if not wgs84.is_valid:
        raise Refused("invalid_geometry", f"the geometry becomes invalid in WGS84: {explain_validity(wgs84)}")
    lon_min, lat_min, lon_max, lat_max = VIETNAM_BOX
    minx, miny, maxx, maxy = wgs84.bounds
    if not (lon_min <= minx and maxx <= lon_max and lat_min <= miny and maxy <= lat_max):
        raise Refused(
            "outside",
            f"the feature lies outside Vietnam (longitude {minx:.5f}…{maxx:.5f}, latitude {miny:.5f}…{maxy:.5f} "
            "in WGS84); check the CRS (Content-Crs or the file's) and the axis order",
        )
    return wgs84


def check_geojson_geometry(raw: dict[str, Any]) -> None:
    """What a GeoJSON reader would silently fix: unclosed rings (closed by shapely and GDAL) are refused."""
    kind = raw.get("type")
    coordinates = raw.get("coordinates")
    if kind == "GeometryCollection":
        for part in raw.get("geometries") or []:
            if isinstance(part, dict):
                check_geojson_geometry(part)
        return
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for p, rings in enumerate(polygons or [], start=1):
        for r, ring in enumerate(rings if isinstance(rings, list) else [], start=1):
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                where = f"ring {r}" + (f" of polygon {p}" if kind == "MultiPolygon" else "")
                raise Refused(
                    "invalid_geometry",
                    f"{where} is not closed (it starts at {ring[0]} and ends at {ring[-1]}); geometry is never "
                    "repaired: repeat the first position at the end",
                )


def check_text(document: Any, name: str = "the body") -> None:
    """Refuse text PostgreSQL cannot store (NUL, lone surrogates) anywhere in a JSON document, naming where."""
    if problem := unstorable_in(document, name):
        raise Refused("bad_value", problem)


def province_outlines(conn: Connection, codes: Iterable[str] | None = None) -> dict[str, BaseGeometry]:
    """Current province boundaries the database holds (admin_units with a geometry), all or the ones named."""
    units = models.AdminUnit.__table__
    query = select(units.c.code, func.ST_AsBinary(units.c.geom)).where(
        units.c.level == "province", units.c.valid_to.is_(None), units.c.geom.isnot(None)
    )
    if codes is not None:
        query = query.where(units.c.code.in_(sorted(set(codes))))
    return {code: shapely.from_wkb(bytes(wkb)) for code, wkb in conn.execute(query)}


def check_place(province: str | None, shape: BaseGeometry, outlines: dict[str, BaseGeometry]) -> None:
    """A feature that names a province (or replaces one that does) must touch that province's boundary."""
    outline = outlines.get(province) if province else None
    if outline is not None and not outline.intersects(shape):
        raise Refused("outside", f"the feature lies outside the province {province}")
