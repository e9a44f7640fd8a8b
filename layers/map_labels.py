"""Where the map pages write names: one anchor per feature, its words in both languages, and how big it is.

PostGIS places each label (the centre of the largest circle inside a polygon, the middle of a line's longest
part, the point itself) and says how much room the feature has, in Web Mercator units: the page divides by its
metres per pixel to know whether the text fits at the zoom it shows, then drops labels that would overlap
(maps/static/map_labels.js). Rows are chosen exactly as the items endpoint chooses them (versions valid on the
date, staff-only rows hidden from anonymous readers: layers.features.where_clause), and the words of codes come
from layers.labels, so a label never shows a raw code.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Float, FromClause, cast, func, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from layers import basemap
from layers.features import BBox, FeatureQuery, Period, table_of, where_clause
from layers.labels import COUNTRIES
from layers.spec import Access, LayerSpec

PER_LAYER = 400  # the largest features first; a view never needs more names than this per layer


@dataclass(frozen=True)
class Labelled:
    """How a layer's features are named on the map: the text column(s) and the label's priority (lower first)."""

    priority: int
    text: str = "name"  # name: name_vi / name_en; code: the plot code; ref: a road's name, else its number


LABELLED: dict[str, Labelled] = {
    "border_gates": Labelled(1),
    "economic_zones": Labelled(2),
    "transport_nodes": Labelled(3),
    "logistics_centres": Labelled(3),
    "industrial_parks": Labelled(4),
    "functional_areas": Labelled(5),
    "transport_lines": Labelled(6, "ref"),
    "land_plots": Labelled(7, "code"),
}
COUNTRY_PRIORITY = 0


def country_words(code: str | None) -> tuple[str, str]:
    """A country's name in Vietnamese and English (the code itself only for a country we have no words for)."""
    return COUNTRIES.get(code or "", (code or "", code or ""))


def _anchor_and_size(spec: LayerSpec) -> tuple[ColumnElement, ColumnElement, FromClause]:
    """The label point (WGS84), the room the feature has (Web Mercator units; 0 for points), and what to select from."""
    table = table_of(spec)
    geom = table.c[spec.geometry_column]
    merc = func.ST_Transform(geom, 3857)
    kind = (spec.geometry_type or "").lower()
    if "polygon" in kind:  # the centre of the largest circle inside: the name sits well inside any shape
        circle = func.ST_MaximumInscribedCircle(merc).table_valued("center", "nearest", "radius").lateral("circle")
        return func.ST_Transform(circle.c.center, 4326), 2 * circle.c.radius, table.join(circle, true())
    if "line" in kind:  # the middle of the first part once the parts that meet are joined
        part = func.ST_GeometryN(func.ST_LineMerge(merc), 1)
        return func.ST_Transform(func.ST_LineInterpolatePoint(part, 0.5), 4326), func.ST_Length(part), table
    return geom, literal(0.0), table


def layer_labels(conn: Connection, spec: LayerSpec, access: Access, bbox: BBox, period: Period | None) -> list[dict]:
    """The labels of one layer's features in the box, largest first, with text in both languages."""
    rule = LABELLED[spec.id]
    table = table_of(spec)
    anchor, size, source = _anchor_and_size(spec)
    columns = [
        table.c[spec.id_column].label("fid"),
        cast(func.ST_X(anchor), Float).label("lon"),
        cast(func.ST_Y(anchor), Float).label("lat"),
        cast(size, Float).label("size"),
    ]
    wanted = {"name_vi", "name_en", "code", "ref", "counterpart_name", "counterpart_country"}
    visible = set(spec.fields_for(access)) & wanted & set(table.c.keys())
    columns += [table.c[name] for name in sorted(visible)]
    query = FeatureQuery(access=access, bbox=bbox, period=period)
    rows = conn.execute(
        select(*columns)
        .select_from(source)
        .where(where_clause(spec, query))
        .order_by(cast(size, Float).desc(), table.c[spec.id_column])
        .limit(PER_LAYER)
    ).mappings()
    out = []
    for row in rows:
        vi, en = _words(spec, rule, row)
        if not vi:
            continue
        out.append(
            {
                "layer": spec.id,
                "id": row["fid"],
                "kind": _kind(spec),
                "priority": rule.priority,
                "lon": round(row["lon"], 6),
                "lat": round(row["lat"], 6),
                "size": round(row["size"] or 0.0, 1),
                "vi": vi,
                "en": en,
            }
        )
    return out


def _kind(spec: LayerSpec) -> str:
    """How the page places a label: beside a point, along a line, or inside an area."""
    geometry = (spec.geometry_type or "").lower()
    return "point" if "point" in geometry else "line" if "line" in geometry else "area"


def _words(spec: LayerSpec, rule: Labelled, row) -> tuple[str, str]:
    """A feature's label in Vietnamese and English; a gate's adds its counterpart and that country."""
    if rule.text == "code":
        code = row.get("code") or ""
        return code, code
    name_vi = row.get("name_vi") or ""
    name_en = row.get("name_en") or name_vi
    if rule.text == "ref" and not name_vi:
        return row.get("ref") or "", row.get("ref") or ""
    if spec.id == "border_gates" and row.get("counterpart_name"):
        country_vi, country_en = country_words(row.get("counterpart_country"))
        return (
            f"{name_vi}\n↔ {row['counterpart_name']} ({country_vi})",
            f"{name_en}\n↔ {row['counterpart_name']} ({country_en})",
        )
    return name_vi, name_en


def country_labels(conn: Connection, bbox: BBox) -> list[dict]:
    """The base map's country names whose point is in the box."""
    out = []
    for code, lon, lat in basemap.country_label_points(conn):
        if bbox.minx <= lon <= bbox.maxx and bbox.miny <= lat <= bbox.maxy:
            vi, en = country_words(code)
            out.append(
                {
                    "layer": "basemap",
                    "id": code,
                    "kind": "country",
                    "priority": COUNTRY_PRIORITY,
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                    "size": None,
                    "vi": vi.upper(),
                    "en": en.upper(),
                }
            )
    return out


def map_labels(
    conn: Connection, specs: list[LayerSpec], access: Access, bbox: BBox, period: Period | None, countries: bool
) -> list[dict]:
    """Every label candidate in the box for the given layers (and the countries), in priority order."""
    labels = country_labels(conn, bbox) if countries else []
    for spec in specs:
        labels += layer_labels(conn, spec, access, bbox, period)
    return sorted(labels, key=lambda label: (label["priority"], -(label["size"] or 0)))
