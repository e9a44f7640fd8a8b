"""Available land for investment promotion: plots on offer now, filtered and ranked, with distances to gates and ports.

Definitions the investment-promotion staff rely on (also in docs/land-finder.md):

- *Available*: the plot's open version (``valid_to IS NULL``) has status ``available``.
- *Clearance state*, derived from the clearance parcels that concern the plot, never typed in (the database function
  ``za_plot_clearance_state``, migration 0022): *no parcels recorded*, *none handed over*, *partly handed over* or
  *all handed over*. A parcel concerns a plot when it belongs to a project linked to the plot (``project_plots``) or
  when its area overlaps the plot's area (interiors intersect; parcels that only touch the plot's edge do not count).
- *Clean land* (đất sạch): every parcel that concerns the plot is handed over, and there is at least one. A plot with
  no parcels recorded is not known to be clean, so it is not clean land.
- *Planned land is not available land*: a plot inside a park, cluster or zone that is only proposed or in the
  approved plan (lifecycle, migration 0022) is never on offer, whatever its own status says.
- *Distance to a kind of node* (border gate, seaport, river port, airport, logistics centre, expressway junction):
  the geodesic distance on the WGS84 ellipsoid from the plot's polygon (0 inside it) to the nearest node of that kind,
  among the nodes whose name contains the requested name when one is given. Border gates count only on the
  Vietnamese side (``country = 'VN'``); planned logistics centres and nodes count, and their status is reported.
- *Distance bound*: a nearest node farther than the bound (setting NEAREST_BOUND_KM, 300 km by default) is none:
  its distance is null and ``distance_bound_km`` says how far was looked (a port 900 km away is no port for a park).
- Bounds are inclusive: ``min_area_ha <= area_ha <= max_area_ha``, ``land_rent_usd_m2 <= max_rent`` (a plot without a
  published rent never matches a rent bound), ``distance <= max_km``.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from gis.errors import InvalidInput, NotFound
from gis.vocab import NOT_BUILT, ClearanceState
from layers.labels import PLACE_KINDS, as_pair, enum_words

# Metres per degree that no geodesic on WGS84 beats: the meridian degree is shortest at the equator
# (a(1-e²)·π/180 = 110 574 m) and a parallel degree is N·cosφ·π/180 >= 111 320·cosφ; 110 000 keeps a margin.
METRES_PER_DEGREE_FLOOR = 110_000.0
DEFAULT_BOUND_KM = 300.0  # gis.settings NEAREST_BOUND_KM: nearer than this or none


@dataclass(frozen=True)
class NodeKind:
    """A kind of place distances are measured to, and where its points live (identifiers are ours, never input)."""

    key: str
    table: str
    condition: str
    status_column: str

    @property
    def label_vi(self) -> str:
        """Its Vietnamese name (words live in layers.labels)."""
        return PLACE_KINDS[self.key][0]

    @property
    def label_en(self) -> str:
        """Its English name."""
        return PLACE_KINDS[self.key][1]


NODE_KINDS: dict[str, NodeKind] = {
    k.key: k
    for k in [
        NodeKind("border_gate", "border_gates", "n.country = 'VN'", "NULL"),
        NodeKind("seaport", "transport_nodes", "n.kind = 'seaport'", "n.status"),
        NodeKind("river_port", "transport_nodes", "n.kind = 'river_port'", "n.status"),
        NodeKind("airport", "transport_nodes", "n.kind = 'airport'", "n.status"),
        NodeKind("logistics_centre", "logistics_centres", "true", "n.status"),
        NodeKind("expressway_junction", "transport_nodes", "n.kind = 'expressway_junction'", "n.status"),
    ]
}

SORTS = {"area": "area_ha", "rent": "land_rent_usd_m2"} | {f"distance_{key}": f"d_{key}_metres" for key in NODE_KINDS}
DISTANCE_SORTS = frozenset(f"d_{key}_metres" for key in NODE_KINDS)


def sql_in_values(values: tuple[str, ...]) -> str:
    """A SQL IN-list of our own vocabulary codes (never user input)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def degree_radius(metres: str, geom: str) -> str:
    """SQL for a planar radius in degrees that holds every point within `metres` on the ellipsoid of `geom`.

    Along a geodesic of length s, ds >= 110 000·cos(φmax)·|d(lon, lat)| in degrees, where φmax (the largest
    latitude on the path) is at most the geometry's largest |latitude| plus s / 110 000 degrees. So every point
    within s metres lies within s / (110 000·cos φmax) degrees in the plane of EPSG:4326: a ST_DWithin on the
    geometry column with that radius uses the GiST index and never drops a true candidate (near the poles the
    radius becomes the whole globe). The antimeridian is not handled: Vietnam is far from it.
    """
    lat = f"(greatest(abs(ST_YMin({geom})), abs(ST_YMax({geom}))) + ({metres}) / {METRES_PER_DEGREE_FLOOR})"
    return (
        f"(CASE WHEN {lat} >= 89.0 THEN 360.0 "
        f"ELSE ({metres}) / ({METRES_PER_DEGREE_FLOOR} * cos(radians({lat}))) + 1e-9 END)"
    )


def name_condition(kind: NodeKind, alias: str, named: bool) -> str:
    """Accent- and case-insensitive 'name contains' (Vietnamese or English name) or exact uid, when asked."""
    if not named:
        return ""
    param = f":name_{kind.key}"
    return (
        f" AND (strpos(za_fold({alias}.name_vi), za_fold({param})) > 0"
        f" OR strpos(za_fold(coalesce({alias}.name_en, '')), za_fold({param})) > 0"
        f" OR {alias}.uid = {param})"
    )


def nearest_join(kind: NodeKind, geom: str, named: bool) -> str:
    """LEFT JOIN LATERAL giving d_<kind>: the nearest node of a kind to `geom` on the ellipsoid, exactly.

    Only nodes within :nearest_bound_m metres count: past the bound there is none (NULL), not a far number.
    Step 1: the KNN operator `<->` walks the GiST index in planar degrees and yields a seed node; its geodesic
    distance d is an upper bound on the true nearest distance. Step 2: every node within d on the ellipsoid lies
    inside degree_radius(d) in the plane, so ST_DWithin on the indexed geometry collects all candidates, and
    ST_Distance on geography (spheroid) ranks them. The result is the exact geodesic nearest, not an estimate
    (degrees alone would be wrong: a degree of longitude is 1-8 % shorter than one of latitude in Vietnam).
    """
    cond = kind.condition.replace("n.", "s.")
    seed = (
        f"(SELECT ST_Distance(s.geom::geography, {geom}::geography) FROM {kind.table} s "
        f"WHERE {cond}{name_condition(kind, 's', named)} ORDER BY s.geom <-> {geom} LIMIT 1)"
    )
    radius = "least(seed.metres, :nearest_bound_m)"  # nodes beyond the distance bound count as none
    return (
        f"LEFT JOIN LATERAL (SELECT * FROM (SELECT n.uid, n.name_vi, n.name_en, {kind.status_column} AS status, "
        f"ST_Distance(n.geom::geography, {geom}::geography) AS metres "
        f"FROM (SELECT {seed} AS metres OFFSET 0) seed, {kind.table} n "
        f"WHERE {kind.condition}{name_condition(kind, 'n', named)} "
        f"AND ST_DWithin(n.geom, {geom}, {degree_radius(radius, geom)}) "
        f"ORDER BY metres, n.uid LIMIT 1) nearest WHERE nearest.metres <= :nearest_bound_m) d_{kind.key} ON true"
    )


def within_condition(kind: NodeKind, geom: str, named: bool) -> str:
    """Some node of a kind lies within :max_<kind> metres of `geom` on the ellipsoid (index-backed prefilter)."""
    limit = f":max_{kind.key}"
    return (
        f"EXISTS (SELECT 1 FROM {kind.table} n WHERE {kind.condition}{name_condition(kind, 'n', named)} "
        f"AND ST_DWithin(n.geom, {geom}, {degree_radius(limit, geom)}) "
        f"AND ST_DWithin(n.geom::geography, {geom}::geography, {limit}))"
    )


def distance_columns(kinds: list[NodeKind]) -> str:
    """Select list of the nearest-node columns, as d_<kind>_uid, _name_vi, _name_en, _status, _metres."""
    return ", ".join(
        f"d_{k.key}.uid AS d_{k.key}_uid, d_{k.key}.name_vi AS d_{k.key}_name_vi, "
        f"d_{k.key}.name_en AS d_{k.key}_name_en, d_{k.key}.status AS d_{k.key}_status, "
        f"d_{k.key}.metres AS d_{k.key}_metres"
        for k in kinds
    )


def distances_of(row: Any) -> dict[str, dict[str, Any] | None]:
    """Nearest node of each kind from a row selected with distance_columns, km to the metre."""
    found = row._mapping
    result: dict[str, dict[str, Any] | None] = {}
    for key in NODE_KINDS:
        metres = found[f"d_{key}_metres"]
        result[key] = (
            None
            if metres is None
            else {
                "uid": found[f"d_{key}_uid"],
                "name_vi": found[f"d_{key}_name_vi"],
                "name_en": found[f"d_{key}_name_en"],
                "status": found[f"d_{key}_status"],
                "km": round(float(metres) / 1000.0, 3),
            }
        )
    return result


# Where clearance stands on a plot, from the parcels that concern it: one definition, in the database (0022), that the
# write rules, the land finder and the data-health check share.
CLEARANCE_STATE_SQL = "za_plot_clearance_state(p.uid, p.geom)"
CLEAN_SQL = f"({CLEARANCE_STATE_SQL} = '{ClearanceState.handed_over.value}')"
# Plots of a park or zone that is only proposed or planned are not on offer (identifiers ours, never input).
BUILT_SQL = (
    f"coalesce(pk.lifecycle, '') NOT IN {sql_in_values(NOT_BUILT)} AND coalesce(z.lifecycle, '') NOT IN "
    f"{sql_in_values(NOT_BUILT)}"
)

PLOTS_SQL = """
SELECT p.id, p.uid, p.code, p.name_vi, p.name_en, p.status, p.planning_function,
       pf.name_vi AS function_vi, pf.name_en AS function_en, p.land_rent_usd_m2, p.area_ha,
       p.park_uid, pk.name_vi AS park_name_vi, pk.name_en AS park_name_en,
       coalesce(p.zone_uid, pk.zone_uid) AS zone_uid, z.name_vi AS zone_name_vi, z.name_en AS zone_name_en,
       coalesce(pk.province_code, z.province_code) AS province_code,
       {clearance_state} AS clearance_state, p.geometry_illustrative,
       pk.lifecycle AS park_lifecycle,
       ST_AsGeoJSON(p.geom, 7) AS geometry, ST_X(ST_PointOnSurface(p.geom)) AS lon,
       ST_Y(ST_PointOnSurface(p.geom)) AS lat,
       {distances}
FROM land_plots p
JOIN planning_functions pf ON pf.code = p.planning_function
LEFT JOIN industrial_parks pk ON pk.uid = p.park_uid AND pk.valid_to IS NULL
LEFT JOIN economic_zones z ON z.uid = coalesce(p.zone_uid, pk.zone_uid) AND z.valid_to IS NULL
{joins}
WHERE {where}
"""


@dataclass(frozen=True)
class LandQuery:
    """What an investor asks for; every value is bound as a parameter, never pasted into SQL."""

    province: str | None = None
    zone: str | None = None
    park: str | None = None
    planning_functions: tuple[str, ...] = ()
    min_area_ha: Decimal | None = None
    max_area_ha: Decimal | None = None
    max_rent: Decimal | None = None
    clean_only: bool = False
    max_km: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sort: str = "area"
    descending: bool = False
    limit: int = 1000
    offset: int = 0
    uids: tuple[str, ...] = ()
    bound_km: float = DEFAULT_BOUND_KM  # nearest nodes farther than this are none (NEAREST_BOUND_KM)


@dataclass
class LandResult:
    """One page of matching plots and how many matched in all."""

    plots: list[dict[str, Any]]
    number_matched: int


def parse_sort(raw: str | None, max_km: dict[str, float]) -> tuple[str, bool]:
    """sort: area, rent, distance_<kind>, or distance (the first kind with a distance bound); '-' for descending."""
    value = (raw or "area").strip()
    descending = value.startswith("-")
    value = value.lstrip("-")
    if value == "distance":
        if not max_km:
            raise InvalidInput(
                "sort=distance needs a distance bound (e.g. max_km_border_gate); "
                "or sort by distance_<kind>, e.g. distance_seaport"
            )
        value = f"distance_{next(iter(max_km))}"
    if value not in SORTS:
        raise InvalidInput(
            f"cannot sort by '{value}'; sort by one of: {', '.join(SORTS)}, distance (prefix '-' for descending)"
        )
    return value, descending


def check_query(conn: Connection, query: LandQuery) -> None:
    """Refuse unknown codes and names with a message naming what exists (an empty answer would mislead)."""
    if query.min_area_ha is not None and query.max_area_ha is not None and query.min_area_ha > query.max_area_ha:
        raise InvalidInput(f"min_area_ha ({query.min_area_ha}) is larger than max_area_ha ({query.max_area_ha})")
    for key, value in (
        ("min_area_ha", query.min_area_ha),
        ("max_area_ha", query.max_area_ha),
        ("max_rent", query.max_rent),
    ):
        if value is not None and (value < 0 or not math.isfinite(value)):
            raise InvalidInput(f"{key} must be a number of zero or more, got {value}")
    for key, value in query.max_km.items():
        if key not in NODE_KINDS:
            raise InvalidInput(f"unknown kind of place '{key}'; kinds are: {', '.join(NODE_KINDS)}")
        if value < 0 or not math.isfinite(value):
            raise InvalidInput(f"max_km_{key} must be a distance of zero or more kilometres, got {value}")
        if value > query.bound_km:
            raise InvalidInput(
                f"max_km_{key} is {value:g} km, but places are looked for only within {query.bound_km:g} km "
                f"(farther ones count as none); ask for at most {query.bound_km:g}"
            )
    functions = set(conn.execute(text("SELECT code FROM planning_functions")).scalars())
    unknown = [f for f in query.planning_functions if f not in functions]
    if unknown:
        raise InvalidInput(
            f"unknown planning function {', '.join(unknown)}; functions are: {', '.join(sorted(functions))}"
        )
    checks = [
        ("province", query.province, "SELECT 1 FROM admin_units WHERE level = 'province' AND code = :v"),
        ("zone", query.zone, "SELECT 1 FROM economic_zones WHERE uid = :v"),
        ("park", query.park, "SELECT 1 FROM industrial_parks WHERE uid = :v"),
    ]
    for label, value, sql in checks:
        if value is not None and conn.execute(text(sql + " LIMIT 1"), {"v": value}).first() is None:
            raise InvalidInput(f"no {label} with code '{value}'")
    for key, name in query.names.items():
        kind = NODE_KINDS.get(key)
        if kind is None:
            raise InvalidInput(f"unknown kind of place '{key}'; kinds are: {', '.join(NODE_KINDS)}")
        sql = f"SELECT 1 FROM {kind.table} n WHERE {kind.condition}{name_condition(kind, 'n', True)} LIMIT 1"
        if conn.execute(text(sql), {f"name_{key}": name}).first() is None:
            raise InvalidInput(f"no {kind.label_en.lower()} named like '{name}'")


def available_plots(conn: Connection, query: LandQuery) -> LandResult:
    """Plots on offer now matching the query, each with its park, zone, clean-land flag and nearest distances."""
    check_query(conn, query)
    params: dict[str, Any] = {}
    where = ["p.valid_to IS NULL", "p.status = 'available'", BUILT_SQL]
    if query.province is not None:
        # A province also covers the provinces merged into it (Hậu Giang's parks are in Cần Thơ since 2025-07-01).
        # ARRAY(...) is computed once, so the test is a plain filter on the plot's park and zone, applied before
        # the nearest-node joins; an IN (subquery) became a semi-join above them, which measured every plot of the
        # country before keeping the province's (bench/national.py).
        where.append(
            "coalesce(pk.province_code, z.province_code) = ANY(ARRAY(SELECT CAST(:province AS text) UNION "
            "SELECT code FROM admin_units WHERE merged_into = :province))"
        )
        params["province"] = query.province
    if query.zone is not None:
        where.append("coalesce(p.zone_uid, pk.zone_uid) = :zone")
        params["zone"] = query.zone
    if query.park is not None:
        where.append("p.park_uid = :park")
        params["park"] = query.park
    if query.planning_functions:
        where.append("p.planning_function = ANY(:functions)")
        params["functions"] = list(query.planning_functions)
    if query.min_area_ha is not None:
        where.append("p.area_ha >= :min_area")
        params["min_area"] = query.min_area_ha
    if query.max_area_ha is not None:
        where.append("p.area_ha <= :max_area")
        params["max_area"] = query.max_area_ha
    if query.max_rent is not None:
        where.append("p.land_rent_usd_m2 <= :max_rent")
        params["max_rent"] = query.max_rent
    if query.clean_only:
        where.append(CLEAN_SQL)
    if query.uids:
        where.append("p.uid = ANY(:uids)")
        params["uids"] = list(query.uids)
    for key, name in query.names.items():
        params[f"name_{key}"] = name
    for key, km in query.max_km.items():
        where.append(within_condition(NODE_KINDS[key], "p.geom", key in query.names))
        params[f"max_{key}"] = km * 1000.0
    kinds = list(NODE_KINDS.values())
    joins = "\n".join(nearest_join(k, "p.geom", k.key in query.names) for k in kinds)
    sort = SORTS[query.sort] if query.sort in SORTS else SORTS["area"]
    order = f"{sort} {'DESC' if query.descending else 'ASC'} NULLS LAST, uid"
    if sort in DISTANCE_SORTS:  # the order needs every plot's distances
        sql = PLOTS_SQL.format(
            clearance_state=CLEARANCE_STATE_SQL,
            distances=distance_columns(kinds),
            joins=joins,
            where=" AND ".join(where),
        )
        paged = f"SELECT *, count(*) OVER () AS matched FROM ({sql}) found ORDER BY {order} LIMIT :limit OFFSET :offset"
    else:  # page first, then the clearance state and nearest nodes of the page's plots only (the same values)
        sql = PLOTS_SQL.format(
            clearance_state="NULL", distances="p.geom AS plot_geom", joins="", where=" AND ".join(where)
        )
        page = f"SELECT *, count(*) OVER () AS matched FROM ({sql}) f ORDER BY {order} LIMIT :limit OFFSET :offset"
        late = "\n".join(nearest_join(k, "found.plot_geom", k.key in query.names) for k in kinds)
        paged = (
            f"SELECT found.*, za_plot_clearance_state(found.uid, found.plot_geom) AS measured_state, "
            f"{distance_columns(kinds)} FROM ({page}) found {late} ORDER BY {order}"
        )
    params["nearest_bound_m"] = query.bound_km * 1000.0
    rows = conn.execute(text(paged), {**params, "limit": query.limit, "offset": query.offset}).all()
    matched = rows[0].matched if rows else 0
    if not rows and query.offset:
        matched = conn.execute(text(f"SELECT count(*) FROM ({sql}) found"), params).scalar_one()
    return LandResult([plot_record(r, query.bound_km) for r in rows], int(matched))


def plot_record(row: Any, bound_km: float) -> dict[str, Any]:
    """One plot as plain values (public fields only), with its sheet URL and the distance bound its nodes obey."""
    state = row._mapping.get("measured_state") or row.clearance_state  # measured after paging, or in the query
    return {
        "id": row.id,
        "uid": row.uid,
        "code": row.code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "status": row.status,
        "planning_function": row.planning_function,
        "planning_function_vi": row.function_vi,
        "planning_function_en": row.function_en,
        "area_ha": _number(row.area_ha),
        "land_rent_usd_m2": _number(row.land_rent_usd_m2),
        "clean": state == ClearanceState.handed_over.value,
        "clearance_state": state,
        "clearance_state_words": as_pair(enum_words(ClearanceState)[state]),
        "geometry_illustrative": bool(row.geometry_illustrative),
        "province_code": row.province_code,
        "park": None
        if row.park_uid is None
        else {
            "uid": row.park_uid,
            "name_vi": row.park_name_vi,
            "name_en": row.park_name_en,
            "lifecycle": row.park_lifecycle,
        },
        "zone": None
        if row.zone_uid is None
        else {"uid": row.zone_uid, "name_vi": row.zone_name_vi, "name_en": row.zone_name_en},
        "distances": distances_of(row),
        "distance_bound_km": bound_km,
        "sheet_url": f"/land/plots/{row.uid}",
        "geometry": row.geometry,
        "point": [round(float(row.lon), 7), round(float(row.lat), 7)],
    }


def _number(value: Decimal | None) -> float | None:
    """Decimals as JSON numbers."""
    return None if value is None else float(value)


def plot_by_uid(conn: Connection, uid: str, bound_km: float = DEFAULT_BOUND_KM) -> dict[str, Any]:
    """The open version of one plot, whatever its status, for its sheet (NotFound if it has none)."""
    kinds = list(NODE_KINDS.values())
    sql = PLOTS_SQL.format(
        clearance_state=CLEARANCE_STATE_SQL,
        distances=distance_columns(kinds),
        joins="\n".join(nearest_join(k, "p.geom", False) for k in kinds),
        where="p.valid_to IS NULL AND p.uid = :uid",
    )
    row = conn.execute(text(sql), {"uid": uid, "nearest_bound_m": bound_km * 1000.0}).first()
    if row is None:
        raise NotFound(f"no current land plot '{uid}'")
    return plot_record(row, bound_km)


@dataclass(frozen=True)
class FinderOptions:
    """Choices offered by the finder's filter panel, read from the data."""

    provinces: list[dict[str, str]]
    zones: list[dict[str, str]]
    parks: list[dict[str, str]]
    functions: list[dict[str, str]]
    nodes: dict[str, list[str]]


def finder_options(conn: Connection) -> FinderOptions:
    """Current provinces, zones, parks, leasable planning functions and node names for the filter panel."""

    def rows(sql: str) -> list[dict[str, str]]:
        return [dict(r._mapping) for r in conn.execute(text(sql))]

    nodes = {
        kind.key: list(
            conn.execute(
                text(f"SELECT n.name_vi FROM {kind.table} n WHERE {kind.condition} ORDER BY za_fold(n.name_vi)")
            ).scalars()
        )
        for kind in NODE_KINDS.values()
    }
    return FinderOptions(
        provinces=rows(
            "SELECT code, name_vi, coalesce(name_en, name_vi) AS name_en FROM admin_units "
            "WHERE level = 'province' AND valid_to IS NULL ORDER BY za_fold(name_vi)"
        ),
        zones=rows(
            "SELECT uid AS code, name_vi, coalesce(name_en, name_vi) AS name_en FROM economic_zones "
            "WHERE valid_to IS NULL ORDER BY za_fold(name_vi)"
        ),
        parks=rows(
            "SELECT uid AS code, name_vi, coalesce(name_en, name_vi) AS name_en FROM industrial_parks "
            "WHERE valid_to IS NULL ORDER BY za_fold(name_vi)"
        ),
        functions=rows(
            "SELECT code, name_vi, coalesce(name_en, name_vi) AS name_en FROM planning_functions "
            "WHERE leasable ORDER BY code"
        ),
        nodes=nodes,
    )
