"""CQL2 filters: parsed by the maintained `cql2` library, then walked into bound SQLAlchemy expressions.

The one representation is CQL2-JSON: text filters are converted to it on parsing, so items, tiles and exports
share the same walker. Property names are resolved through an allow-list; every value becomes a bound parameter.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import cql2
from sqlalchemy import Date, DateTime, Numeric, and_, between, bindparam, cast, func, literal, not_, null, or_
from sqlalchemy.sql.elements import ColumnElement

from gis.errors import InvalidInput

SPATIAL = {
    "s_intersects": func.ST_Intersects,
    "s_within": func.ST_Within,
    "s_contains": func.ST_Contains,
    "s_disjoint": func.ST_Disjoint,
    "s_equals": func.ST_Equals,
    "s_touches": func.ST_Touches,
    "s_crosses": func.ST_Crosses,
    "s_overlaps": func.ST_Overlaps,
}
COMPARISON = {"=": "__eq__", "<>": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


@dataclass(frozen=True)
class FilterContext:
    """What a filter may refer to: allowed properties, the geometry column and the CRS of literals."""

    properties: Mapping[str, ColumnElement]
    geometry: ColumnElement | None
    storage_srid: int
    filter_srid: int = 4326
    flip_axes: bool = False  # literal coordinates are lat/lon (EPSG:4326 as the standard orders it)


def parse_filter(text: str | None, lang: str | None) -> dict | None:
    """Parse a cql2-text or cql2-json filter into CQL2-JSON, or explain where it is wrong."""
    if text is None or text.strip() == "":
        return None
    lang = (lang or "cql2-text").lower()
    try:
        if lang == "cql2-text":
            return cql2.parse_text(text).to_json()
        if lang == "cql2-json":
            return cql2.parse_json(text).to_json()
    except (cql2.ParseError, ValueError) as exc:
        raise InvalidInput(f"the filter is not valid {lang}: {exc}") from exc
    raise InvalidInput(f"filter-lang '{lang}' is not supported; use cql2-text or cql2-json")


def cql_properties(node) -> set[str]:
    """Names of the properties a CQL2-JSON condition refers to."""
    if isinstance(node, dict):
        found = {node["property"]} if isinstance(node.get("property"), str) else set()
        return found.union(*(cql_properties(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(cql_properties(v) for v in node))
    return set()


def to_sql(node: dict, ctx: FilterContext) -> ColumnElement[bool]:
    """Turn a CQL2-JSON condition into a SQLAlchemy boolean expression with bound values."""
    if isinstance(node, bool):
        return literal(node)
    if not isinstance(node, dict) or "op" not in node:
        raise InvalidInput(f"expected a condition in the filter, found {json.dumps(node, ensure_ascii=False)}")
    op = str(node["op"]).lower()
    args = node.get("args", [])
    if op in {"and", "or"}:
        parts = [to_sql(a, ctx) for a in args]
        return and_(*parts) if op == "and" else or_(*parts)
    if op == "not":
        return not_(to_sql(args[0], ctx))
    if op in COMPARISON:
        left, right = _pair(args, ctx)
        return getattr(left, COMPARISON[op])(right)
    if op == "like":
        left, right = _pair(args, ctx)
        return left.like(right)
    if op == "between":
        value, low, high = (_expr(a, ctx) for a in args)
        return between(value, low, high)
    if op == "in":
        values = args[1] if isinstance(args[1], list) else args[1:]
        return _expr(args[0], ctx).in_([_value(v) for v in values])
    if op == "isnull":
        return _expr(args[0], ctx).is_(null())
    if op in SPATIAL:
        return SPATIAL[op](*(_geom(a, ctx) for a in args))
    if op == "s_dwithin":
        left, right = (func.geography(func.ST_Transform(_geom(a, ctx), 4326)) for a in args[:2])
        return func.ST_DWithin(left, right, _number(args[2], "distance (metres)"))
    if op.startswith("t_"):
        return _temporal(op, args, ctx)
    raise InvalidInput(f"the filter operator '{node['op']}' is not supported")


def _pair(args: list, ctx: FilterContext) -> tuple[ColumnElement, ColumnElement]:
    """Both operands of a binary operator, literals typed like the property they meet."""
    left, right = _expr(args[0], ctx), _expr(args[1], ctx)
    if isinstance(args[1], str) and isinstance(left.type, Date | DateTime):
        right = cast(right, left.type)
    return left, right


def _expr(arg: Any, ctx: FilterContext) -> ColumnElement:
    """A property reference or a literal value."""
    if isinstance(arg, dict) and "property" in arg:
        return _property(arg["property"], ctx)
    if isinstance(arg, dict) and "op" in arg:
        op = str(arg["op"]).lower()
        if op in {"casei", "lower"}:
            return func.lower(_expr(arg["args"][0], ctx))
        if op == "accenti":
            return _expr(arg["args"][0], ctx)
        return to_sql(arg, ctx)
    return _value(arg)


def _property(name: str, ctx: FilterContext) -> ColumnElement:
    """Resolve a property through the allow-list."""
    if name in ctx.properties:
        return ctx.properties[name]
    if ctx.geometry is not None and name in {"geom", "geometry"}:
        return ctx.geometry
    allowed = ", ".join(sorted(ctx.properties))
    raise InvalidInput(f"unknown property '{name}' in the filter; queryable properties are: {allowed}")


def _value(arg: Any) -> ColumnElement:
    """A bound literal: text, number, boolean, date or timestamp."""
    if isinstance(arg, dict) and "date" in arg:
        return bindparam(None, _parse_date(arg["date"]), type_=Date)
    if isinstance(arg, dict) and "timestamp" in arg:
        return bindparam(None, _parse_timestamp(arg["timestamp"]), type_=DateTime(timezone=True))
    if isinstance(arg, bool | str):
        return bindparam(None, arg)
    if isinstance(arg, int | float):
        return bindparam(None, arg, type_=Numeric())
    raise InvalidInput(f"unsupported value in the filter: {json.dumps(arg, ensure_ascii=False)}")


def _geom(arg: Any, ctx: FilterContext) -> ColumnElement:
    """A geometry operand: the layer's column, or a literal moved into the storage CRS."""
    if isinstance(arg, dict) and "property" in arg:
        column = _property(arg["property"], ctx)
        if column is not ctx.geometry:
            raise InvalidInput(f"'{arg['property']}' is not a geometry")
        return column
    if isinstance(arg, dict) and "bbox" in arg:
        box = arg["bbox"]
        x1, y1, x2, y2 = (box[0], box[1], box[3], box[4]) if len(box) == 6 else box
        literal_geom = func.ST_MakeEnvelope(*(bindparam(None, float(v)) for v in (x1, y1, x2, y2)), ctx.filter_srid)
    elif isinstance(arg, dict) and "type" in arg:
        geojson = bindparam(None, json.dumps(arg))
        literal_geom = func.ST_SetSRID(func.ST_GeomFromGeoJSON(geojson), ctx.filter_srid)
    else:
        raise InvalidInput(f"expected a geometry in the filter, found {json.dumps(arg, ensure_ascii=False)}")
    if ctx.flip_axes:
        literal_geom = func.ST_FlipCoordinates(literal_geom)
    if ctx.filter_srid != ctx.storage_srid:
        literal_geom = func.ST_Transform(literal_geom, ctx.storage_srid)
    return literal_geom


def _number(arg: Any, what: str) -> ColumnElement:
    """A bound number, or a message naming what was expected."""
    if isinstance(arg, int | float) and not isinstance(arg, bool):
        return bindparam(None, float(arg))
    raise InvalidInput(f"expected a number for the {what}, found {json.dumps(arg, ensure_ascii=False)}")


def _bounds(arg: Any, ctx: FilterContext) -> tuple[ColumnElement, ColumnElement]:
    """Start and end of a temporal operand (an instant is its own start and end)."""
    if isinstance(arg, dict) and "interval" in arg:
        start, end = (_instant(v) for v in arg["interval"])
        return start, end
    value = _expr(arg, ctx)
    return value, value


def _instant(value: Any) -> ColumnElement:
    """One end of an interval; '..' is open."""
    if value == "..":
        return null()
    if isinstance(value, dict):
        return _value(value)
    text = str(value)
    return _value({"timestamp": text} if "T" in text else {"date": text})


def _temporal(op: str, args: list, ctx: FilterContext) -> ColumnElement[bool]:
    """Temporal predicates on date properties, instants and intervals alike."""
    a_start, a_end = _bounds(args[0], ctx)
    b_start, b_end = _bounds(args[1], ctx)
    rules = {
        "t_before": lambda: a_end < b_start,
        "t_after": lambda: a_start > b_end,
        "t_equals": lambda: and_(a_start == b_start, a_end == b_end),
        "t_during": lambda: and_(a_start > b_start, a_end < b_end),
        "t_contains": lambda: and_(a_start < b_start, a_end > b_end),
        "t_intersects": lambda: and_(or_(b_end.is_(None), a_start <= b_end), or_(b_start.is_(None), a_end >= b_start)),
        "t_disjoint": lambda: or_(a_end < b_start, a_start > b_end),
        "t_begins": lambda: and_(a_start == b_start, a_end < b_end),
        "t_ends": lambda: and_(a_end == b_end, a_start > b_start),
        "t_meets": lambda: a_end == b_start,
        "t_metby": lambda: a_start == b_end,
    }
    if op not in rules:
        raise InvalidInput(f"the temporal operator '{op.upper()}' is not supported")
    return rules[op]()


def _parse_date(text: str) -> date:
    """An ISO date, or a message saying it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def _parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp, or a message saying it is not one."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"'{text}' is not an RFC 3339 timestamp") from exc
