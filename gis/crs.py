"""Coordinate reference systems: the supported EPSG codes, CRS URIs, axis order and cached transformers.

VN-2000 (EPSG:4756 and its TM-3 / UTM projections) differs from WGS84 by a datum shift of about 200 m.
Transformations go through PROJ's own EPSG operations, never hand-written proj strings, exactly as PostGIS
ST_Transform does (it asks PROJ for "EPSG:<srid>"), so Python and the database agree. PROJ picks the
operation per point: EPSG:6960 (the official "VN-2000 to WGS 84 (2)") in most of Vietnam, but EPSG:5194
("(1)", Mekong delta blocks DBSCL 02/03, 104.24-107.11E 9.35-11.04N) inside that box, about 0.8 m apart.
Every transformer here uses always_xy=True: x is longitude or easting, y latitude or northing.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer

from gis.errors import InvalidInput

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI_PREFIX = "http://www.opengis.net/def/crs/EPSG/0/"

WGS84 = 4326
WEB_MERCATOR = 3857
VN2000_GEOGRAPHIC = 4756
VN2000_UTM = (3405, 3406)
VN2000_TM3 = (5896, 5897, 5898, 5899, *range(9205, 9219))
DEPRECATED_TM3 = (6956, 6957, 6958, 6959)

# Keep equal to data/lookups/crs_choices.csv (a test checks it); gis must not read data files at import.
SUPPORTED_EPSG: tuple[int, ...] = (WGS84, WEB_MERCATOR, VN2000_GEOGRAPHIC, *VN2000_UTM, *VN2000_TM3)

# EPSG:6960 in PROJ's +towgs84 (Position Vector) convention; PostGIS proj4text fallback carries the same.
VN2000_TOWGS84 = "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"

# Vietnam's lon/lat box, used to decide whether projected coordinates can be VN-2000 at all.
VIETNAM_BOX = (102.0, 8.0, 110.0, 24.0)


@dataclass(frozen=True)
class TestVector:
    """A WGS84 point with its VN-2000 coordinates, from data/reference/vn2000.md."""

    __test__ = False  # not a pytest test class

    name: str
    lat: float
    lon: float
    epsg: int
    easting: float
    northing: float


TEST_VECTORS: tuple[TestVector, ...] = (
    TestVector("Vũng Áng bay", 18.11222, 106.39083, 9209, 594081.1, 2003540.1),
    TestVector("Cầu Treo gate", 18.390175, 105.160144, 9209, 463895.3, 2034107.6),
    TestVector("Formosa Hà Tĩnh", 18.040731, 106.428567, 9209, 598114.9, 1995647.3),
    TestVector("Tân Châu", 10.77389, 105.23694, 9208, 553055.2, 1191489.6),
    TestVector("Tịnh Biên gate", 10.613, 104.949, 9208, 521577.3, 1173659.6),
    TestVector("Tân Phú Thạnh IP", 9.968, 105.735, 5897, 580390.2, 1102406.3),
    TestVector("Gián Khẩu IP", 20.308, 105.903, 5897, 594108.4, 2246605.5),
)


@dataclass(frozen=True)
class CrsRef:
    """A parsed CRS reference: EPSG code, whether coordinates are written east-first, canonical URI.

    lonlat_order is True when the CRS as named puts the east axis first (CRS84 lon/lat, projected E/N) and
    False when it is northing-first (EPSG:4326 and EPSG:4756 are officially lat/lon).
    """

    epsg: int
    lonlat_order: bool
    uri: str


def epsg_uri(code: int) -> str:
    """Return the OGC URI of an EPSG code, e.g. http://www.opengis.net/def/crs/EPSG/0/9209."""
    return f"{EPSG_URI_PREFIX}{int(code)}"


def supported_crs_uris() -> list[str]:
    """List the CRS URIs the system accepts and offers, CRS84 first (as OGC API Features wants)."""
    return [CRS84_URI, *(epsg_uri(code) for code in SUPPORTED_EPSG)]


def crs_name(code: int) -> str:
    """Return the EPSG name of a code, e.g. 'VN-2000 / TM-3 105-30'."""
    return _crs(code).name


def supported_crs_text() -> str:
    """Describe the supported CRSs in one line, for error messages."""
    return "CRS84, " + ", ".join(f"EPSG:{code} ({crs_name(code)})" for code in SUPPORTED_EPSG)


_CRS84_RE = re.compile(
    r"^(?:https?://www\.opengis\.net/def/crs/OGC/(?:1\.3|0)/CRS84|urn:ogc:def:crs:OGC:(?:1\.3)?:CRS84"
    r"|(?:OGC:)?CRS84)$",
    re.IGNORECASE,
)
_EPSG_RES = (
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[^/]+/(\d+)$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.IGNORECASE),
    re.compile(r"^EPSG::?(\d+)$", re.IGNORECASE),
    re.compile(r"^(\d+)$"),
)


def parse_crs_uri(text: str) -> CrsRef:
    """Parse an OGC URI, URN, 'EPSG:n' or CRS84 into a CrsRef; raise InvalidInput if not supported."""
    raw = str(text).strip()
    value = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw  # safe CURIE [EPSG:9209]
    if _CRS84_RE.match(value):
        return CrsRef(WGS84, True, CRS84_URI)
    code = next((int(m.group(1)) for rx in _EPSG_RES if (m := rx.match(value))), None)
    if code is None:
        raise InvalidInput(f"Unrecognised CRS {raw!r}. Supported: {supported_crs_text()}.")
    if code in DEPRECATED_TM3:
        raise InvalidInput(
            f"EPSG:{code} is a deprecated VN-2000 TM-3 code (false easting/northing swapped); use the "
            f"current TM-3 codes 9205-9218 or 5896-5899. Supported: {supported_crs_text()}."
        )
    if code not in SUPPORTED_EPSG:
        raise InvalidInput(f"Unsupported CRS EPSG:{code}. Supported: {supported_crs_text()}.")
    return CrsRef(code, not axis_is_northing_first(code), epsg_uri(code))


@lru_cache(maxsize=64)
def _crs(code: int) -> CRS:
    """Return the pyproj CRS of an EPSG code (cached)."""
    return CRS.from_epsg(code)


@lru_cache(maxsize=64)
def axis_is_northing_first(epsg: int) -> bool:
    """Say whether the CRS's official axis order puts latitude/northing first (4326, 4756: yes; TM-3: no)."""
    return _crs(epsg).axis_info[0].direction.lower() in ("north", "south")


def is_geographic(epsg: int) -> bool:
    """Say whether the CRS counts in degrees (so a size in metres must be converted before use in it)."""
    return bool(_crs(epsg).is_geographic)


@lru_cache(maxsize=128)
def transformer(src: int, dst: int) -> Transformer:
    """Return a cached, thread-safe pyproj Transformer from src to dst EPSG, x/y = lon/lat or E/N."""
    return Transformer.from_crs(_crs(src), _crs(dst), always_xy=True)


@lru_cache(maxsize=64)
def central_meridian(epsg: int) -> float:
    """Return the central meridian (decimal degrees) of a projected VN-2000 CRS, e.g. 105.5 for 9209."""
    lon, _lat = transformer(epsg, VN2000_GEOGRAPHIC).transform(500000.0, 0.0)
    return round(lon, 9)


def guess_vn2000_zones(
    minx: float, miny: float, maxx: float, maxy: float, near: tuple[float, float] | None = None
) -> list[int]:
    """List the TM-3 EPSG codes that projected coordinates without a CRS could be in, likeliest first.

    A zone is a candidate when the bbox, read in that zone, falls inside Vietnam's lon/lat box. The easting
    alone cannot tell zones apart (every zone puts the point the same distance from its own meridian), so
    the ranking uses what else is known: with `near` (lon, lat of where the data should be, e.g. the
    economic zone being edited) candidates are ordered by distance from it; without, zones whose EPSG
    area of use contains the data come first, the more specific (smaller) areas before the broad ones.
    Province -> meridian is data (admin_units.tm3_epsg): prefer it whenever the province is known.
    """
    lon_min, lat_min, lon_max, lat_max = VIETNAM_BOX
    ranked = []
    for code in VN2000_TM3:
        to_lonlat = transformer(code, WGS84)
        corners = [to_lonlat.transform(x, y) for x in (minx, maxx) for y in (miny, maxy)]
        if not all(
            math.isfinite(lon) and math.isfinite(lat) and lon_min <= lon <= lon_max and lat_min <= lat <= lat_max
            for lon, lat in corners
        ):
            continue
        lon_c, lat_c = to_lonlat.transform((minx + maxx) / 2, (miny + maxy) / 2)
        if near is not None:
            key = (math.hypot(lon_c - near[0], lat_c - near[1]),)
        else:
            area = _crs(code).area_of_use
            west, south, east, north = area.bounds if area else VIETNAM_BOX
            outside = math.hypot(max(west - lon_c, 0, lon_c - east), max(south - lat_c, 0, lat_c - north))
            key = (outside, (east - west) * (north - south), abs(lon_c - central_meridian(code)))
        ranked.append((key, code))
    return [code for _key, code in sorted(ranked)]


def check_postgis_matches_pyproj(conn, tolerance_m: float = 0.01) -> list[str]:
    """Transform the vn2000.md test points with ST_Transform into every supported CRS; list disagreements.

    `conn` is a SQLAlchemy Connection. Returns human-readable lines, empty when PostGIS and pyproj agree
    within tolerance_m (geographic results are compared after converting degrees to metres).
    """
    from sqlalchemy import text

    problems: list[str] = []
    present = set(
        conn.execute(
            text("SELECT srid FROM spatial_ref_sys WHERE srid = ANY(:codes)"), {"codes": list(SUPPORTED_EPSG)}
        ).scalars()
    )
    problems += [
        f"EPSG:{code} ({crs_name(code)}) missing from spatial_ref_sys" for code in SUPPORTED_EPSG if code not in present
    ]
    for vector in TEST_VECTORS:
        for code in (c for c in SUPPORTED_EPSG if c in present and c != WGS84):
            x_db, y_db = conn.execute(
                text(
                    "SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),"
                    " CAST(:srid AS integer)) AS g"
                ),
                {"lon": vector.lon, "lat": vector.lat, "srid": code},
            ).one()
            x_py, y_py = transformer(WGS84, code).transform(vector.lon, vector.lat)
            dx, dy = x_db - x_py, y_db - y_py
            if _crs(code).is_geographic:
                dx, dy = dx * 111_320 * math.cos(math.radians(vector.lat)), dy * 110_574
            if math.hypot(dx, dy) > tolerance_m:
                problems.append(
                    f"{vector.name} -> EPSG:{code}: PostGIS ({x_db:.6f}, {y_db:.6f}) vs pyproj "
                    f"({x_py:.6f}, {y_py:.6f}), {math.hypot(dx, dy):.3f} m apart"
                )
        if vector.epsg not in present:
            continue
        e_db, n_db = conn.execute(
            text("SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(:e, :n), :srid), 4326) g"),
            {"e": vector.easting, "n": vector.northing, "srid": vector.epsg},
        ).one()
        lon_py, lat_py = transformer(vector.epsg, WGS84).transform(vector.easting, vector.northing)
        gap = math.hypot((e_db - lon_py) * 111_320 * math.cos(math.radians(lat_py)), (n_db - lat_py) * 110_574)
        if gap > tolerance_m:
            problems.append(f"{vector.name} EPSG:{vector.epsg} -> WGS84: PostGIS and pyproj {gap:.3f} m apart")
    return problems
