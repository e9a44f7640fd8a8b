"""CQL2 filters: parsed by the maintained `cql2` library, then walked into bound SQLAlchemy expressions.

The one representation is CQL2-JSON: text filters are converted to it on parsing, so items, tiles and exports
share the same walker. Property names are resolved through an allow-list; every value becomes a bound parameter.
Filters are bounded in length and nesting before the (native, recursive) parser sees them, and operands are checked
against the property's type, so no filter reaches PostgreSQL that it would refuse.
"""

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import cql2
from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    and_,
    between,
    bindparam,
    func,
    literal,
    not_,
    null,
    or_,
)
from sqlalchemy.sql.elements import ColumnElement

from gis.crs import VN2000_GEOGRAPHIC, WGS84, transformer
from gis.errors import InvalidInput
from gis.limits import check_nesting, check_storable, json_nesting

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
GEOGRAPHIC = {WGS84, VN2000_GEOGRAPHIC}
COMPARISON = {"=": "__eq__", "<>": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
MAX_FILTER_CHARS = 20_000
# cql2-text tokens that nest: quoted strings (skipped), brackets, NOT and signs; any other run of characters.
TEXT_TOKENS = re.compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|[()\[\]+-]|[^\s()\[\]'\"+-]+")


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
    if lang not in {"cql2-text", "cql2-json"}:
        raise InvalidInput(f"filter-lang '{lang}' is not supported; use cql2-text or cql2-json")
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidInput(f"the filter is {len(text)} characters long; the limit is {MAX_FILTER_CHARS}")
    check_storable(text, "the filter")
    check_nesting(_text_nesting(text) if lang == "cql2-text" else json_nesting(text), "the filter")
    try:
        parsed = cql2.parse_text(text).to_json() if lang == "cql2-text" else cql2.parse_json(text).to_json()
    except (cql2.ParseError, ValueError) as exc:
        raise InvalidInput(f"the filter is not valid {lang}: {exc}") from exc
    check_nesting(_tree_nesting(parsed), "the filter")  # chains like 1 + 1 + … nest only once parsed
    return parsed


def _text_nesting(text: str) -> int:
    """An upper bound of how deep cql2-text nests: open brackets plus the NOTs and signs in a row before an operand."""
    depth = deepest = run = 0
    for match in TEXT_TOKENS.finditer(text):
        token = match.group()
        if token in {"(", "["}:
            depth += 1
        elif token in {")", "]"}:
            depth, run = depth - 1, 0
        elif token in {"+", "-"} or token.upper() == "NOT":
            run += 1
        else:
            run = 0
        deepest = max(deepest, depth + run)
    return deepest


def _tree_nesting(node: Any) -> int:
    """How deep a parsed filter nests, walked without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


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
    if not isinstance(node, dict) or "op" not in node or not isinstance(node.get("args", []), list):
        raise InvalidInput(f"expected a condition in the filter, found {_show(node)}")
    op = str(node["op"]).lower()
    args = node.get("args", [])
    if op in {"and", "or"}:
        parts = [to_sql(a, ctx) for a in args]
        return and_(*parts) if op == "and" else or_(*parts)
    _arity(op, args)
    if op == "not":
        return not_(to_sql(args[0], ctx))
    if op in COMPARISON:
        left, right = _operands(op, args[:2], ctx, ORDERED)
        return getattr(left, COMPARISON[op])(right)
    if op == "like":
        left, right = _operands(op, args[:2], ctx, {"text"})
        return left.like(right)
    if op == "between":
        value, low, high = _operands(op, args[:3], ctx, ORDERED - {"boolean"})
        return between(value, low, high)
    if op == "in":
        values = args[1] if isinstance(args[1], list) else args[1:]
        column, *bound = _operands(op, [args[0], *values], ctx, ORDERED)
        return column.in_(bound)
    if op == "isnull":
        return _expr(args[0], ctx).is_(null())
    if op in SPATIAL:
        return SPATIAL[op](*(_geom(a, ctx) for a in args[:2]))
    if op == "s_dwithin":
        left, right = (func.geography(func.ST_Transform(_geom(a, ctx), 4326)) for a in args[:2])
        return func.ST_DWithin(left, right, _number(args[2], "distance (metres)"))
    if op.startswith("t_"):
        return _temporal(op, args, ctx)
    raise InvalidInput(f"the filter operator '{node['op']}' is not supported")


ORDERED = {"text", "number", "boolean", "date", "timestamp"}  # kinds that =, <, BETWEEN and IN may compare
ARITY = {"not": 1, "like": 2, "between": 3, "in": 2, "isnull": 1, "s_dwithin": 3, **dict.fromkeys(COMPARISON, 2)}


def _arity(op: str, args: list) -> None:
    """Refuse an operator given too few operands (CQL2-JSON is not checked for this by the parser)."""
    wanted = ARITY.get(op, 2)
    if len(args) < wanted:
        raise InvalidInput(f"the filter operator '{op}' needs {wanted} operand(s), found {len(args)}")


def _kind(expr: ColumnElement) -> str:
    """What sort of value an expression holds, in the words used in messages."""
    sql_type = expr.type
    for kind, types in KINDS:
        if isinstance(sql_type, types):
            return kind
    return "other"


KINDS: list[tuple[str, Any]] = [
    ("boolean", Boolean),
    ("timestamp", DateTime),
    ("date", Date),
    ("number", Integer | Numeric),
    ("text", String),
    ("geometry", Geometry),
]
TEMPORAL = {"date", "timestamp"}


def _operands(op: str, args: list, ctx: FilterContext, allowed: set[str]) -> list[ColumnElement]:
    """The operands of a comparison, each of a kind the operator takes and all of one kind (dates with timestamps).

    A text literal met by a date property is read as a date, so `opened_on > '2024-01-01'` works as users expect.
    """
    exprs = [_expr(a, ctx) for a in args]
    kinds = [_kind(e) for e in exprs]
    target = next((k for a, k in zip(args, kinds, strict=True) if _is_property(a)), kinds[0])
    for i, (arg, kind) in enumerate(zip(args, kinds, strict=True)):
        if target in TEMPORAL and kind == "text" and isinstance(arg, str):
            exprs[i] = _value({"timestamp": arg} if target == "timestamp" or "T" in arg else {"date": arg})
            kinds[i] = _kind(exprs[i])
    for arg, kind in zip(args, kinds, strict=True):
        if kind not in allowed:
            raise InvalidInput(f"'{op.upper()}' cannot take {_show(arg)} ({_a(kind)}) in the filter")
        same = kind == target or {kind, target} <= TEMPORAL
        if not same:
            first = args[kinds.index(target)]
            raise InvalidInput(
                f"the filter compares {_show(first)} ({_a(target)}) with {_show(arg)} ({_a(kind)}); "
                f"use {_a(target)} there"
            )
    return exprs


def _is_property(arg: Any) -> bool:
    """True for a property reference (possibly wrapped in CASEI/ACCENTI)."""
    return isinstance(arg, dict) and ("property" in arg or str(arg.get("op", "")).lower() in TEXT_FUNCTIONS)


def _a(kind: str) -> str:
    """A kind with its article, for messages."""
    special = {"other": "a value of another type", "text": "text"}
    return special.get(kind, ("an " if kind[0] in "aeiou" else "a ") + kind)


def _show(arg: Any) -> str:
    """An operand as the user wrote it: a property's name in quotes, a literal as JSON (shortened)."""
    if isinstance(arg, dict) and isinstance(arg.get("property"), str):
        return f"property '{arg['property']}'"
    shown = json.dumps(arg, ensure_ascii=False)
    return shown if len(shown) <= 80 else shown[:77] + "..."


TEXT_FUNCTIONS = {"casei", "lower", "accenti"}


def _expr(arg: Any, ctx: FilterContext) -> ColumnElement:
    """A property reference or a literal value."""
    if isinstance(arg, dict) and "property" in arg:
        return _property(arg["property"], ctx)
    if isinstance(arg, dict) and "op" in arg:
        op = str(arg["op"]).lower()
        if op in TEXT_FUNCTIONS:
            inner_args = arg.get("args")
            if not isinstance(inner_args, list) or len(inner_args) != 1:
                raise InvalidInput(f"'{op.upper()}' takes one text operand in the filter")
            inner = _expr(inner_args[0], ctx)
            if _kind(inner) != "text":
                raise InvalidInput(f"'{op.upper()}' takes text, not {_show(inner_args[0])} ({_a(_kind(inner))})")
            return inner if op == "accenti" else func.lower(inner, type_=String())
        return to_sql(arg, ctx)
    return _value(arg)


def _property(name: Any, ctx: FilterContext) -> ColumnElement:
    """Resolve a property through the allow-list."""
    if isinstance(name, str) and name in ctx.properties:
        return ctx.properties[name]
    if ctx.geometry is not None and name in {"geom", "geometry"}:
        return ctx.geometry
    allowed = ", ".join(sorted(ctx.properties))
    shown = f"'{name}'" if isinstance(name, str) else _show(name)
    raise InvalidInput(f"unknown property {shown} in the filter; queryable properties are: {allowed}")


def _value(arg: Any) -> ColumnElement:
    """A bound literal: text, number, boolean, date or timestamp."""
    if isinstance(arg, dict) and isinstance(arg.get("date"), str):
        return bindparam(None, _parse_date(arg["date"]), type_=Date)
    if isinstance(arg, dict) and isinstance(arg.get("timestamp"), str):
        return bindparam(None, _parse_timestamp(arg["timestamp"]), type_=DateTime(timezone=True))
    if isinstance(arg, bool):
        return bindparam(None, arg, type_=Boolean)
    if isinstance(arg, str):
        return bindparam(None, arg, type_=String)
    if isinstance(arg, int) or (isinstance(arg, float) and math.isfinite(arg)):
        return bindparam(None, arg, type_=Numeric())
    if isinstance(arg, float):
        raise InvalidInput("a number in the filter is too large")
    raise InvalidInput(f"unsupported value in the filter: {_show(arg)}")


def _geom(arg: Any, ctx: FilterContext) -> ColumnElement:
    """A geometry operand: the layer's column, or a literal moved into the storage CRS."""
    if isinstance(arg, dict) and "property" in arg:
        column = _property(arg["property"], ctx)
        if column is not ctx.geometry:
            raise InvalidInput(f"{_show(arg)} is not a geometry; spatial operators take geom or a geometry literal")
        return column
    if isinstance(arg, dict) and "bbox" in arg:
        box = arg["bbox"]
        if not isinstance(box, list) or len(box) not in (4, 6) or not all(_is_number(v) for v in box):
            raise InvalidInput(f"a bbox in the filter is 4 or 6 numbers, not {_show(box)}")
        x1, y1, x2, y2 = (box[0], box[1], box[3], box[4]) if len(box) == 6 else box
        _check_positions([[x1, y1], [x1, y2], [x2, y1], [x2, y2]], ctx)
        literal_geom = func.ST_MakeEnvelope(*(bindparam(None, float(v)) for v in (x1, y1, x2, y2)), ctx.filter_srid)
    elif isinstance(arg, dict) and "type" in arg:
        _check_positions(list(_positions(arg)), ctx)
        geojson = bindparam(None, json.dumps(arg))
        literal_geom = func.ST_SetSRID(func.ST_GeomFromGeoJSON(geojson), ctx.filter_srid)
    else:
        raise InvalidInput(f"expected a geometry in the filter, found {json.dumps(arg, ensure_ascii=False)}")
    if ctx.flip_axes:
        literal_geom = func.ST_FlipCoordinates(literal_geom)
    if ctx.filter_srid != ctx.storage_srid:
        literal_geom = func.ST_Transform(literal_geom, ctx.storage_srid)
    return literal_geom


def _positions(node: Any) -> Iterator[list]:
    """Every coordinate position inside a GeoJSON geometry literal."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _positions(value)
    elif isinstance(node, list):
        if len(node) >= 2 and all(_is_number(v) for v in node):
            yield node
        else:
            for item in node:
                yield from _positions(item)


def _check_positions(positions: list, ctx: FilterContext) -> None:
    """Refuse literal coordinates that are not places in the filter CRS (PostGIS would fail to transform them)."""
    xs = [float(p[1] if ctx.flip_axes else p[0]) for p in positions]
    ys = [float(p[0] if ctx.flip_axes else p[1]) for p in positions]
    on_earth = all(-180 <= x <= 180 for x in xs) and all(-90 <= y <= 90 for y in ys)
    if ctx.filter_srid in GEOGRAPHIC and not on_earth:
        raise InvalidInput("a geometry in the filter is outside longitude -180..180 / latitude -90..90")
    if ctx.filter_srid != ctx.storage_srid and positions:
        moved = transformer(ctx.filter_srid, ctx.storage_srid).transform(xs, ys, errcheck=False)
        if not all(math.isfinite(v) for axis in moved for v in axis):
            raise InvalidInput(
                f"a geometry in the filter has coordinates outside EPSG:{ctx.filter_srid}'s area; is filter-crs right?"
            )


def _is_number(value: Any) -> bool:
    """A finite JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value))


def _number(arg: Any, what: str) -> ColumnElement:
    """A bound number, or a message naming what was expected."""
    if _is_number(arg):
        return bindparam(None, float(arg))
    raise InvalidInput(f"expected a number for the {what}, found {json.dumps(arg, ensure_ascii=False)}")


def _bounds(arg: Any, ctx: FilterContext) -> tuple[ColumnElement, ColumnElement]:
    """Start and end of a temporal operand (an instant is its own start and end)."""
    if isinstance(arg, dict) and "interval" in arg:
        interval = arg["interval"]
        if not isinstance(interval, list) or len(interval) != 2:
            raise InvalidInput(f"an interval in the filter has a start and an end, not {_show(interval)}")
        start, end = (_instant(v) for v in interval)
        return start, end
    value = _expr(arg, ctx)
    if _kind(value) not in TEMPORAL:
        raise InvalidInput(f"temporal operators take dates and timestamps, not {_show(arg)} ({_a(_kind(value))})")
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
    if len(args) != 2:
        raise InvalidInput(f"'{op.upper()}' takes two operands in the filter, found {len(args)}")
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
