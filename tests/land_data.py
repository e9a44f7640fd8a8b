"""Hand-built places for the land-finder tests: a gate, a park and plots at distances set on the ellipsoid by pyproj.

Everything is inserted inside the caller's transaction (db_conn), far from the demo data (north-west Vietnam,
around 21.5°N 103.5°E, where the demo has no gate, port or park), and rolled back after the test.
"""

from dataclasses import dataclass

from pyproj import Geod
from shapely.geometry import LineString, Polygon
from sqlalchemy import Connection, text

GEOD = Geod(ellps="WGS84")
ORIGIN = (103.5, 21.5)  # lon, lat


def offset(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    """The point `metres` away along `azimuth` (degrees from north) on the WGS84 ellipsoid."""
    x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return float(x), float(y)


def square_east_of(lon: float, lat: float, side: float) -> Polygon:
    """A square of `side` metres whose west edge is centred on (lon, lat) and which extends east."""
    sw = offset(lon, lat, 180, side / 2)
    nw = offset(lon, lat, 0, side / 2)
    se = offset(*sw, 90, side)
    ne = offset(*nw, 90, side)
    return Polygon([sw, se, ne, nw, sw])


def geodesic_distance(point: tuple[float, float], polygon: Polygon, steps: int = 2000) -> float:
    """Metres from a point to a polygon's boundary on the ellipsoid, by densely sampling the boundary (pyproj)."""
    ring = LineString(polygon.exterior.coords)
    best = float("inf")
    for i in range(steps + 1):
        p = ring.interpolate(i / steps, normalized=True)
        _, _, d = GEOD.inv(point[0], point[1], p.x, p.y)
        best = min(best, d)
    return best


def geodesic_area_ha(polygon: Polygon) -> float:
    """Area on the ellipsoid by pyproj, in hectares."""
    area, _ = GEOD.geometry_area_perimeter(polygon)
    return abs(area) / 10_000


@dataclass
class Built:
    """Ids of what a test inserted."""

    decision_id: int


def decision(conn: Connection) -> Built:
    """A decision that the versioned rows can point at."""
    decision_id = conn.execute(
        text(
            "INSERT INTO decisions (number, title_vi, date_signed, date_effective, authority, kind) "
            "VALUES ('T-LAND/QĐ-TEST', 'Quyết định thử nghiệm', '2024-01-01', '2024-01-01', 'management_board', "
            "'approve_plan') RETURNING id"
        )
    ).scalar_one()
    return Built(decision_id)


def gate(
    conn: Connection,
    uid: str,
    name_vi: str,
    lonlat: tuple[float, float],
    country: str = "VN",
    name_en: str | None = None,
) -> None:
    """A border gate at a point."""
    conn.execute(
        text(
            "INSERT INTO border_gates (uid, name_vi, name_en, gate_class, mode, country, province_code, geom) "
            "VALUES (:uid, :name_vi, :name_en, 'main', 'road', :country, 'DIEN_BIEN', "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        {"uid": uid, "name_vi": name_vi, "name_en": name_en, "country": country, "x": lonlat[0], "y": lonlat[1]},
    )


def node(conn: Connection, uid: str, kind: str, name_vi: str, lonlat: tuple[float, float]) -> None:
    """A transport node (seaport, river port, airport, expressway junction) at a point."""
    conn.execute(
        text(
            "INSERT INTO transport_nodes (uid, kind, name_vi, province_code, geom) "
            "VALUES (:uid, :kind, :name_vi, 'DIEN_BIEN', ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
        ),
        {"uid": uid, "kind": kind, "name_vi": name_vi, "x": lonlat[0], "y": lonlat[1]},
    )


def park(
    conn: Connection,
    built: Built,
    uid: str,
    polygon: Polygon,
    province: str = "HA_TINH",
    name_vi: str = "Khu công nghiệp Thử Nghiệm",
    **values,
) -> None:
    """A current industrial park version."""
    columns = {
        "uid": uid,
        "name_vi": name_vi,
        "name_en": "Test Industrial Park",
        "kind": "industrial_park",
        "province_code": province,
        "valid_from": "2024-01-01",
        "decision_id": built.decision_id,
        **values,
    }
    names = ", ".join(columns)
    binds = ", ".join(f":{k}" for k in columns)
    conn.execute(
        text(f"INSERT INTO industrial_parks ({names}, geom) VALUES ({binds}, ST_Multi(ST_GeomFromText(:wkt, 4326)))"),
        {**columns, "wkt": polygon.wkt},
    )


def plot(
    conn: Connection,
    built: Built,
    uid: str,
    polygon: Polygon,
    park_uid: str | None,
    *,
    status: str = "available",
    rent: float | None = 50.0,
    function: str = "industrial",
    zone_uid: str | None = None,
) -> int:
    """A current land-plot version; returns its row id."""
    return conn.execute(
        text(
            "INSERT INTO land_plots (uid, code, name_vi, name_en, park_uid, zone_uid, planning_function, status, "
            "land_rent_usd_m2, valid_from, decision_id, geom) VALUES (:uid, :code, :name_vi, :name_en, :park, :zone, "
            ":function, :status, :rent, '2024-01-01', :decision, ST_GeomFromText(:wkt, 4326)) RETURNING id"
        ),
        {
            "uid": uid,
            "code": uid.split("-")[-1],
            "name_vi": f"Lô đất thử {uid}",
            "name_en": f"Test lot {uid}",
            "park": park_uid,
            "zone": zone_uid,
            "function": function,
            "status": status,
            "rent": rent,
            "decision": built.decision_id,
            "wkt": polygon.wkt,
        },
    ).scalar_one()


def project(
    conn: Connection,
    uid: str,
    investor: str,
    *,
    park_uid: str | None = None,
    status: str = "operating",
    plots: tuple[str, ...] = (),
) -> int:
    """An investment project, optionally in a park and linked to plots; returns its id."""
    project_id = conn.execute(
        text(
            "INSERT INTO projects (uid, name_vi, investor, sector, status, province_code, park_uid, geom) "
            "VALUES (:uid, :name, :investor, 'Sản xuất', :status, 'HA_TINH', :park, "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id"
        ),
        {
            "uid": uid,
            "name": f"Dự án {uid}",
            "investor": investor,
            "status": status,
            "park": park_uid,
            "x": ORIGIN[0],
            "y": ORIGIN[1],
        },
    ).scalar_one()
    for plot_uid in plots:
        conn.execute(
            text("INSERT INTO project_plots (project_id, plot_uid) VALUES (:p, :u)"), {"p": project_id, "u": plot_uid}
        )
    return project_id


def parcel(conn: Connection, project_id: int, number: str, polygon: Polygon, handed_over: bool) -> None:
    """A clearance parcel of a project, handed over or still at 'compensation paid'."""
    conn.execute(
        text(
            "INSERT INTO clearance_parcels (project_id, parcel_no, map_sheet, notice_issued_on, inventoried_on, "
            "plan_approved_on, compensation_paid_on, handed_over_on, geom) VALUES (:p, :n, '1', '2024-01-01', "
            "'2024-02-01', '2024-03-01', '2024-04-01', :handed, ST_GeomFromText(:wkt, 4326))"
        ),
        {"p": project_id, "n": number, "handed": "2024-05-01" if handed_over else None, "wkt": polygon.wkt},
    )


def figures(conn: Connection, project_id: int, year: int, domestic: int, foreign: int) -> None:
    """Reported workers of a project in a year (a final, public yearly figure)."""
    conn.execute(
        text(
            "INSERT INTO enterprise_figures (project_id, year, workers_domestic, workers_foreign, public) "
            "VALUES (:p, :y, :d, :f, true)"
        ),
        {"p": project_id, "y": year, "d": domestic, "f": foreign},
    )


def around(*polygons: Polygon, margin: float = 0.01) -> Polygon:
    """A park boundary enclosing the given plots."""
    minx = min(p.bounds[0] for p in polygons) - margin
    miny = min(p.bounds[1] for p in polygons) - margin
    maxx = max(p.bounds[2] for p in polygons) + margin
    maxy = max(p.bounds[3] for p in polygons) + margin
    return Polygon([(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy), (minx, miny)])


def halves(polygon: Polygon) -> tuple[Polygon, Polygon]:
    """The west and east halves of a polygon's bounding box (two parcels side by side over one plot)."""
    minx, miny, maxx, maxy = polygon.bounds
    mid = (minx + maxx) / 2
    west = Polygon([(minx, miny), (mid, miny), (mid, maxy), (minx, maxy), (minx, miny)])
    east = Polygon([(mid, miny), (maxx, miny), (maxx, maxy), (mid, maxy), (mid, miny)])
    return west, east
