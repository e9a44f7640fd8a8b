"""Find things by name the way planners type them: "cau treo" finds Cầu Treo (za_fold ignores case and diacritics)."""

from dataclasses import dataclass

from sqlalchemy import Connection, Float, String, case, cast, exists, func, literal, null, select, text, union_all

from gis.errors import InvalidInput
from gis.models import SearchAlias
from layers.features import table_of
from layers.registry import layers_visible_to
from layers.spec import Access, LayerSpec

# Bigger things first when names match equally well: a zone before the gate and the areas named after it.
PRIORITY = (
    "economic_zones",
    "industrial_parks",
    "border_gates",
    "functional_areas",
    "projects",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "land_plots",
)
MIN_QUERY = 2
MAX_QUERY = 100


@dataclass(frozen=True)
class SearchHit:
    """One named thing with where it is, for zooming to it."""

    layer: str
    id: int
    uid: str | None
    name_vi: str
    name_en: str | None
    context: str | None
    bbox: tuple[float, float, float, float]
    alias: str | None = None  # the other spelling that matched, when the name itself did not


ALIASES = SearchAlias.__table__


def alias_matches(layer_id: str, uid, condition):
    """The aliases (search_aliases) of one thing of a layer that satisfy a condition on their folded spelling."""
    return (ALIASES.c.layer == layer_id) & (ALIASES.c.uid == uid) & condition(func.za_fold(ALIASES.c.alias))


def searchable_layers(access: Access) -> list[LayerSpec]:
    """Layers with a geometry and a Vietnamese name the reader may see."""
    return [s for s in layers_visible_to(access) if s.geometry_column and "name_vi" in s.fields_for(access)]


def like_pattern(query: str) -> str:
    """The folded query as a LIKE pattern with its own wildcards escaped (a typed '%' means a percent sign)."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(conn: Connection, query: str, access: Access, limit: int = 20, layer: str | None = None) -> list[SearchHit]:
    """Current things whose Vietnamese or English name, plot code or an alias contains the query, best first.

    Aliases (table search_aliases) are the other spellings documents use: "Hoàn Sơn" finds Hoành Sơn.

    `layer` keeps one layer's things (a form picking a project): other layers' names never crowd them out.
    """
    words = " ".join((query or "").split())
    if len(words) < MIN_QUERY:
        raise InvalidInput(f"search text needs at least {MIN_QUERY} characters, got '{words}'")
    if len(words) > MAX_QUERY:
        raise InvalidInput(f"search text is limited to {MAX_QUERY} characters")
    layers = searchable_layers(access)
    if layer is not None:
        layers = [spec for spec in layers if spec.id == layer]
        if not layers:
            known = ", ".join(spec.id for spec in searchable_layers(access))
            raise InvalidInput(f"'{layer}' is not a layer you can search by name; these are: {known}")
    folded = func.za_fold(words)
    pattern = func.za_fold(like_pattern(words))
    parts = []
    for spec in layers:
        table = table_of(spec)
        name_vi = func.za_fold(table.c.name_vi)
        name_en = func.za_fold(func.coalesce(table.c.name_en, ""))
        matches = name_vi.like(pattern, escape="\\") | name_en.like(pattern, escape="\\")
        exact = (name_vi == folded) | (name_en == folded)
        if "code" in table.c:
            exact = exact | (func.za_fold(table.c.code) == folded)
            matches = matches | exact
        alias = cast(null(), String)
        if "uid" in table.c:
            like_alias = alias_matches(spec.id, table.c.uid, lambda a: a.like(pattern, escape="\\"))
            alias = case(
                (matches, None),
                else_=select(ALIASES.c.alias).where(like_alias).order_by(ALIASES.c.alias).limit(1).scalar_subquery(),
            )
            exact = exact | exists().where(alias_matches(spec.id, table.c.uid, lambda a: a == folded))
            matches = matches | exists().where(like_alias)
        condition = matches & table.c.valid_to.is_(None) if spec.versioned else matches
        geom = table.c[spec.geometry_column]
        uid = table.c.uid if "uid" in table.c else cast(literal(None), String)
        parents = [table.c[c] for c in ("park_uid", "zone_uid", "province_code") if c in table.c]
        context = func.coalesce(*parents) if parents else cast(literal(None), String)
        priority = PRIORITY.index(spec.id) if spec.id in PRIORITY else len(PRIORITY)
        parts.append(
            select(
                literal(spec.id).label("layer"),
                table.c.id,
                uid.label("uid"),
                table.c.name_vi,
                table.c.name_en,
                context.label("context"),
                alias.label("alias"),
                # exact name first, then by kind of thing, then names where the text comes early
                case((exact, 0), else_=1).label("rank"),
                literal(priority).label("priority"),
                func.least(
                    func.nullif(func.strpos(name_vi, folded), 0), func.nullif(func.strpos(name_en, folded), 0), 1000
                ).label("position"),
                cast(func.ST_XMin(geom), Float).label("minx"),
                cast(func.ST_YMin(geom), Float).label("miny"),
                cast(func.ST_XMax(geom), Float).label("maxx"),
                cast(func.ST_YMax(geom), Float).label("maxy"),
            ).where(condition)
        )
    if not parts:
        return []
    hits = union_all(*parts).subquery()
    rows = conn.execute(
        select(hits)
        .order_by(hits.c.rank, hits.c.priority, hits.c.position, func.length(hits.c.name_vi), hits.c.name_vi)
        .limit(limit)
    )
    return [
        SearchHit(r.layer, r.id, r.uid, r.name_vi, r.name_en, r.context, (r.minx, r.miny, r.maxx, r.maxy), r.alias)
        for r in rows
    ]


# Provinces have no boundary in the demo data, so a province's extent is that of the things the board keeps in it.
PLACES_SQL = text(
    """
    WITH things AS (
      SELECT province_code, geom FROM economic_zones WHERE valid_to IS NULL
      UNION ALL SELECT province_code, geom FROM industrial_parks WHERE valid_to IS NULL
      UNION ALL SELECT province_code, geom FROM border_gates
      UNION ALL SELECT province_code, geom FROM projects
    ), boxes AS (
      SELECT province_code, ST_Extent(geom) AS box FROM things GROUP BY province_code
    )
    SELECT 'province' AS kind, b.province_code AS code, a.name_vi, a.name_en, a.tm3_epsg,
           ST_XMin(b.box) AS minx, ST_YMin(b.box) AS miny, ST_XMax(b.box) AS maxx, ST_YMax(b.box) AS maxy
    FROM boxes b
    JOIN LATERAL (SELECT name_vi, name_en, tm3_epsg FROM admin_units u
                  WHERE u.code = b.province_code AND u.level = 'province'
                  ORDER BY u.valid_from DESC LIMIT 1) a ON true
    UNION ALL
    SELECT 'zone', z.uid, z.name_vi, z.name_en, a.tm3_epsg,
           ST_XMin(z.geom), ST_YMin(z.geom), ST_XMax(z.geom), ST_YMax(z.geom)
    FROM economic_zones z
    LEFT JOIN LATERAL (SELECT tm3_epsg FROM admin_units u WHERE u.code = z.province_code AND u.level = 'province'
                       ORDER BY u.valid_from DESC LIMIT 1) a ON true
    WHERE z.valid_to IS NULL
    ORDER BY 1, 3
    """
)


@dataclass(frozen=True)
class Place:
    """A province or zone to zoom to, with the VN-2000 TM-3 system its surveyors use."""

    kind: str
    code: str
    name_vi: str
    name_en: str | None
    tm3_epsg: int | None
    bbox: tuple[float, float, float, float]


def places(conn: Connection) -> list[Place]:
    """Provinces (with their TM-3 EPSG) and current economic zones, with extents for 'zoom to'."""
    return [
        Place(
            r.kind,
            r.code,
            r.name_vi,
            r.name_en,
            r.tm3_epsg,
            (float(r.minx), float(r.miny), float(r.maxx), float(r.maxy)),
        )
        for r in conn.execute(PLACES_SQL)
    ]
