"""Parse and bound OGC API query parameters into a FeatureQuery, with messages a person understands."""

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from gis.cql import parse_filter
from gis.crs import CrsRef, parse_crs_uri
from gis.errors import InvalidInput
from layers.features import BBox, FeatureQuery, Period
from layers.spec import Access, LayerSpec

if TYPE_CHECKING:  # the parsers serve the `zoneatlas export` command too, which need not load the web stack
    from fastapi import Request

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
ITEM_PARAMS = {
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "datetime",
    "properties",
    "sortby",
    "filter",
    "filter-lang",
    "filter-crs",
    "crs",
}


def parse_limit(raw: str | None) -> int:
    """limit: default 100; values over 10,000 are clamped to 10,000 (the OGC-permitted behaviour)."""
    if raw is None:
        return DEFAULT_LIMIT
    value = _integer(raw, "limit")
    if value < 1:
        raise InvalidInput("limit must be at least 1")
    return min(value, MAX_LIMIT)


def parse_offset(raw: str | None) -> int:
    """offset: zero or more features to skip."""
    if raw is None:
        return 0
    value = _integer(raw, "offset")
    if value < 0:
        raise InvalidInput("offset cannot be negative")
    return value


def parse_bbox(raw: str | None, crs: CrsRef) -> BBox | None:
    """bbox: 4 or 6 numbers in bbox-crs (CRS84 by default), lower corner first."""
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise InvalidInput(f"bbox needs 4 or 6 comma-separated numbers, got {len(parts)}: '{raw}'")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidInput(f"bbox must contain numbers only: '{raw}'") from None
    x1, y1, x2, y2 = numbers if len(numbers) == 4 else (numbers[0], numbers[1], numbers[3], numbers[4])
    if not crs.lonlat_order:
        x1, y1, x2, y2 = y1, x1, y2, x2
    if x1 > x2 or y1 > y2:
        raise InvalidInput(f"bbox lower corner must come first (min before max): '{raw}'")
    if crs.epsg in (4326, 4756) and not (-180 <= x1 <= 180 and -180 <= x2 <= 180 and -90 <= y1 <= y2 <= 90):
        raise InvalidInput(f"bbox is outside longitude -180..180 / latitude -90..90: '{raw}'")
    return BBox(x1, y1, x2, y2, crs.epsg)


def parse_datetime(raw: str | None) -> Period | None:
    """datetime: an instant or an interval 'start/end' with '..' for an open end (RFC 3339)."""
    if raw is None:
        return None
    if "/" in raw:
        start_text, _, end_text = raw.partition("/")
        start, end = _date_or_open(start_text, raw), _date_or_open(end_text, raw)
        if start and end and start > end:
            raise InvalidInput(f"datetime interval ends before it starts: '{raw}'")
        return Period(start, end)
    instant = _date_or_open(raw, raw)
    if instant is None:
        raise InvalidInput("datetime '..' needs to be part of an interval, e.g. '../2020-01-01'")
    return Period(instant, instant)


def parse_sortby(raw: str | None) -> list[tuple[str, bool]]:
    """sortby: comma-separated fields, '-' for descending, optional '+' for ascending."""
    if not raw:
        return []
    keys = []
    for part in raw.split(","):
        part = part.strip()
        descending = part.startswith("-")
        name = part.lstrip("+-").strip()
        if not name:
            raise InvalidInput(f"sortby has an empty field name: '{raw}'")
        keys.append((name, descending))
    return keys


def parse_crs(raw: str | None) -> CrsRef:
    """crs / bbox-crs / filter-crs: CRS84 by default."""
    return parse_crs_uri(raw or "http://www.opengis.net/def/crs/OGC/1.3/CRS84")


def feature_query(request: "Request", spec: LayerSpec, access: Access) -> FeatureQuery:
    """Everything in the query string, checked: unknown parameters that are not properties are refused."""
    params = request.query_params
    repeated = sorted({name for name in params if len(params.getlist(name)) > 1})
    if repeated:
        raise InvalidInput(f"parameter {', '.join(repeated)} is given more than once")
    visible = spec.fields_for(access)
    equals = {k: v for k, v in params.items() if k not in ITEM_PARAMS}
    unknown = [k for k in equals if k not in visible]
    if unknown:
        raise InvalidInput(
            f"unknown parameter or property {', '.join(unknown)}; parameters are {', '.join(sorted(ITEM_PARAMS))} "
            f"and the properties {', '.join(visible)}"
        )
    filter_crs = parse_crs(params.get("filter-crs"))
    properties = params.get("properties")
    return FeatureQuery(
        access=access,
        bbox=parse_bbox(params.get("bbox"), parse_crs(params.get("bbox-crs"))),
        period=parse_datetime(params.get("datetime")),
        equals=equals,
        cql=parse_filter(params.get("filter"), params.get("filter-lang")),
        filter_srid=filter_crs.epsg,
        filter_flip=not filter_crs.lonlat_order,
        properties=None if properties is None else [p.strip() for p in properties.split(",") if p.strip()],
        sortby=parse_sortby(params.get("sortby")),
        limit=parse_limit(params.get("limit")),
        offset=parse_offset(params.get("offset")),
    )


def _integer(raw: str, name: str) -> int:
    """An integer parameter, or a message naming it."""
    if not re.fullmatch(r"[+-]?\d+", raw.strip()):
        raise InvalidInput(f"{name} must be a whole number, got '{raw}'")
    return int(raw)


def _date_or_open(text: str, whole: str) -> date | None:
    """One end of a datetime value: a date, an RFC 3339 timestamp, or '..'/'' for open."""
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        if "T" in text or "t" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"datetime '{whole}' is not an RFC 3339 date or interval (e.g. 2020-01-01, "
            "2016-03-22T00:00:00Z, 2010-01-01/2020-12-31, ../2020-01-01)"
        ) from None
