"""Read GeoJSON and CSV records into column values typed for a table, with geometry checked before any write."""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shapely import MultiLineString, MultiPolygon
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import Boolean, Date, Integer, Numeric, Table

from gis.errors import InvalidInput
from gis.limits import unstorable

PROMOTIONS = {("Polygon", "MULTIPOLYGON"): MultiPolygon, ("LineString", "MULTILINESTRING"): MultiLineString}


@dataclass
class SourceRecord:
    """One feature or CSV row, with where it came from so errors can point at it."""

    where: str
    values: dict[str, Any]
    geometry: BaseGeometry | None


def read_records(path: Path) -> Iterator[SourceRecord]:
    """Yield the records of a GeoJSON FeatureCollection or a UTF-8 CSV file."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                values = {k: (v if v != "" else None) for k, v in row.items()}
                yield SourceRecord(f"{path.name} line {line_no}", values, None)
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path.name}: not valid UTF-8 GeoJSON ({exc})") from exc
    if document.get("type") != "FeatureCollection":
        raise InvalidInput(f"{path.name}: expected a GeoJSON FeatureCollection")
    for index, feature in enumerate(document.get("features", []), start=1):
        props = dict(feature.get("properties") or {})
        label = props.get("uid") or props.get("code") or props.get("parcel_no") or ""
        where = f"{path.name} feature #{index}" + (f" ({label})" if label else "")
        raw = feature.get("geometry")
        try:
            geometry = shape(raw) if raw else None
        except Exception as exc:  # shapely raises several types for malformed coordinates
            raise InvalidInput(f"{where}: unreadable geometry ({exc})") from exc
        yield SourceRecord(where, props, geometry)


def check_geometry(record: SourceRecord, geometry_type: str | None, nullable: bool) -> BaseGeometry | None:
    """Return the record's geometry as the column's type, or explain why it cannot be stored."""
    geom = record.geometry
    if geom is None or geom.is_empty:
        if nullable:
            return None
        raise InvalidInput(f"{record.where}: geometry is missing")
    expected = (geometry_type or "GEOMETRY").upper()
    promote = PROMOTIONS.get((geom.geom_type, expected))
    if promote is not None:
        geom = promote([geom])
    if expected != "GEOMETRY" and geom.geom_type.upper() != expected:
        raise InvalidInput(f"{record.where}: geometry is a {geom.geom_type}, this layer holds {expected.title()}")
    if not geom.is_valid:
        raise InvalidInput(f"{record.where}: invalid geometry: {explain_validity(geom)}")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput(f"{record.where}: coordinates are not WGS84 longitude/latitude")
    return geom


def coerce_values(record: SourceRecord, table: Table, columns: set[str]) -> dict[str, Any]:
    """Convert text from files into the Python types of the table's columns."""
    out: dict[str, Any] = {}
    for name in columns:
        raw = record.values.get(name)
        column = table.c[name]
        out[name] = None if raw is None else coerce_value(raw, column.type, f"{record.where}: field '{name}'")
    return out


def coerce_value(raw: Any, sql_type: Any, where: str) -> Any:
    """Convert one value from text to a column's Python type, naming the field when it does not fit."""
    if isinstance(raw, str) and (reason := unstorable(raw)):
        raise InvalidInput(f"{where} {reason}")
    try:
        if isinstance(sql_type, Boolean):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"true", "1", "yes", "t"}:
                return True
            if text in {"false", "0", "no", "f"}:
                return False
            raise ValueError(raw)
        if isinstance(sql_type, Date):
            return date.fromisoformat(str(raw))
        if isinstance(sql_type, Integer):
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError(raw)
            return int(raw)
        if isinstance(sql_type, Numeric):
            return Decimal(str(raw))
    except (ValueError, InvalidOperation) as exc:
        kind = type(sql_type).__name__.lower()
        raise InvalidInput(f"{where}: '{raw}' is not a valid {kind}") from exc
    return raw if isinstance(raw, str) else str(raw)
