"""Parse and bound query-parameter text into typed values, with messages a person understands.

Plain functions without the web stack: api/params.py declares the parameters for FastAPI and calls these, and the
`zoneatlas export` command calls them too.
"""

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from gis.crs import CrsRef, parse_crs_uri
from gis.errors import InvalidInput
from layers.features import BBox, Period

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
BIGINT_MAX = 2**63 - 1  # PostgreSQL's LIMIT and OFFSET take a bigint
MAX_AMOUNT = Decimal(1_000_000_000)  # areas, rents and distances: far above any real one, far inside numeric


def parse_limit(raw: str | None, default: int = DEFAULT_LIMIT, clamp: int | None = MAX_LIMIT) -> int:
    """limit: values over the clamp (10,000) are served as the clamp (the OGC-permitted behaviour)."""
    if raw is None or raw.strip() == "":
        return default
    value = _integer(raw, "limit")
    if value < 1:
        raise InvalidInput("limit must be at least 1")
    return value if clamp is None else min(value, clamp)


def parse_offset(raw: str | None) -> int:
    """offset: zero or more features to skip."""
    if raw is None or raw.strip() == "":
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
        numbers = []
    if not numbers or not all(math.isfinite(n) for n in numbers):
        raise InvalidInput(f"bbox must contain numbers only: '{raw}'")
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


def parse_amount(raw: str | None, name: str) -> Decimal | None:
    """A non-negative decimal (area, rent, distance) up to a billion; empty means not given (forms send it)."""
    if raw is None or raw.strip() == "":
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise InvalidInput(f"{name} must be a number, got '{raw}'") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{name} must be a number of zero or more, got '{raw}'")
    if value > MAX_AMOUNT:
        raise InvalidInput(f"{name} must be at most {MAX_AMOUNT:,}, got '{raw}'")
    return value.quantize(Decimal("1e-9"))


def parse_boolean(raw: str | None, name: str) -> bool:
    """true/false, 1/0, yes/no, on/off; absent or empty means false."""
    if raw is None or raw.strip() == "":
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise InvalidInput(f"{name} must be true or false, got '{raw}'")


def parse_day(raw: str | None, name: str) -> date | None:
    """An optional YYYY-MM-DD parameter, with a message naming it when it is not a date."""
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD, got '{raw}'") from None


def _integer(raw: str, name: str) -> int:
    """A whole number that fits PostgreSQL's bigint, or a message naming the parameter."""
    text = raw.strip()
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise InvalidInput(f"{name} must be a whole number, got '{raw[:40]}'")
    digits = text.lstrip("+-").lstrip("0")
    if text.startswith("-") and digits:
        return -1  # every caller refuses negative numbers, whatever their size
    if len(digits) > len(str(BIGINT_MAX)) or int(text) > BIGINT_MAX:
        raise InvalidInput(f"{name} is too large: at most {BIGINT_MAX}")
    return int(text)


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
