"""One validation for everything written (API edits, file imports): refused with the reason, never repaired.

Each check raises `Refused` with a kind (the import report groups problems by it) and a message a person can act
on; the importer collects them per feature, an edit answers with the first.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gis.crs import VIETNAM_BOX
from gis.errors import InvalidInput
from gis.tabular import unstorable
from layers.spec import LayerSpec

MULTI = {"MultiPolygon": MultiPolygon, "MultiLineString": MultiLineString, "MultiPoint": MultiPoint}
MAX_PATH_SHOWN = 80


class Refused(InvalidInput):
    """A value or geometry that cannot be written, with the kind of problem."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


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
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if reason := unstorable(key):
                    raise Refused("bad_value", f"a member name in {name} at {_shown(path)} {reason}")
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str) and (reason := unstorable(value)):
            raise Refused("bad_value", f"{_shown(path)} in {name} {reason}")


def _shown(path: str) -> str:
    """Where in the document (its member names were checked first, so the message is itself storable)."""
    return (path or "the top level")[:MAX_PATH_SHOWN]
