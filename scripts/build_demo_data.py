#!/usr/bin/env python3
"""Build the Zone Atlas demo data set in data/demo/ — deterministically, from the facts in shared/domain.

Run:  .venv/bin/python scripts/build_demo_data.py

What is real and what is illustrative
-------------------------------------
* Names, published areas (ha), decision numbers/dates listed in places.csv and the glossary are real
  (with the VERIFY caveats noted per record).  Points tagged [coord SOURCED] in places.csv are real.
* Every polygon and line is ILLUSTRATIVE: built here around the listed points so that its ellipsoidal area
  matches the published hectares (within 1 %), in the province's VN-2000 TM-3 CRS, then transformed to WGS84.
* Land plots, clearance parcels, most projects, investors marked "(hư cấu)", milestones, figures and all
  decisions flagged illustrative=true are invented for the demo.

The script checks its own output (geometry types and validity, areas, containment, non-overlap of plots and
parcels, version chains, foreign keys, stage order) and exits non-zero on the first failure.
Two runs produce byte-identical files (seeded RNG 20261122, no clock, no set iteration order).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box, mapping
from shapely.strtree import STRtree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "demo"
SEED = 20261122
RNG = random.Random(SEED)
AS_OF = date(2026, 10, 31)  # "today" of the demo: nothing happens after this date
GEOD = Geod(ellps="WGS84")
ILLUS = "illustrative: built by scripts/build_demo_data.py"

PLANNING_FUNCTIONS = {
    "industrial",
    "warehouse_logistics",
    "services",
    "admin_services",
    "residential",
    "resettlement",
    "green",
    "water",
    "roads",
    "technical_infra",
    "agriculture_forestry",
    "tourism",
    "non_tariff",
}
LANDUSE_CODES = {
    "SKK",
    "SKN",
    "SKT",
    "TMD",
    "DGT",
    "ODT",
    "ONT",
    "LUC",
    "LUK",
    "BHK",
    "CLN",
    "RSX",
    "NTS",
    "SKC",
    "DTL",
    "SON",
    "MNC",
}
GATE_CLASSES = {"international", "main", "secondary", "crossing"}

# --- sources (from /work/shared/domain/places.csv) ----------------------------------------------------------
SRC = {
    "AG": "https://vietnam.vn/en/phat-trien-khu-cong-nghiep-kinh-te-cua-khau ; "
    "https://vietnammoi.vn/quy-hoach-chung-xay-dung-khu-kinh-te-cua-khau-an-giang-tinh-an-giang-den-nam-2030-2023926174813977.htm",
    "AG_SUB": "https://vietnam.vn/en/phat-trien-khu-cong-nghiep-kinh-te-cua-khau",
    "TINH_BIEN": "http://cnrp-media.blogspot.com/2011/01/more-border-gates-to-open-from-vietnam.html",
    "VINH_XUONG": "https://en.vietnamplus.vn/vinh-xuong-intl-land-waterway-border-gate-on-vietnamcambodia-border-opens/248832.vnp",
    "KHANH_BINH": "http://tuyengiaoangiang.vn/tu-lieu-van-kien/21-thoi-su-tong-hop/quoc-te/7867-h%E1%BB%99i-%C4%91%C3%A0m-v%E1%BB%81-vi%E1%BB%87c-n%C3%A2ng-c%E1%BA%A5p-c%E1%BA%B7p-c%E1%BB%ADa-kh%E1%BA%A9u-kh%C3%A1nh-b%C3%ACnh-chrey-thom-th%C3%A0nh-c%E1%BB%ADa-kh%E1%BA%A9u-qu%E1%BB%91c-t%E1%BA%BF.html",
    "TAN_CHAU": "https://de.wikial.top/wiki/T%C3%A2n_Ch%C3%A2u,_An_Giang",
    "VA": "https://www.vccinews.com/news/24233/.html ; https://luatminhkhue.vn/en/decision-no-1076-qd-ttg-dated-august-20--2007-of-the-prime-minister-approving-the-master-plan-on-construction-of-vung-ang-economic-zone--ha-tinh-province-up-to-2025.aspx",
    "VA_1076": "https://luatminhkhue.vn/en/decision-no-1076-qd-ttg-dated-august-20--2007-of-the-prime-minister-approving-the-master-plan-on-construction-of-vung-ang-economic-zone--ha-tinh-province-up-to-2025.aspx",
    "VA_72": "https://www.vccinews.com/news/24233/.html",
    "VA_PORT": "http://vi.m.wikipedia.org/wiki/V%C5%A9ng_%C3%81ng",
    "SON_DUONG": "https://nipponsteelpipevn.com/en/son-duong-port-formosa-ha-tinh-steel-vietnam/ ; https://luatminhkhue.vn/en/decision-no-1076-qd-ttg-dated-august-20--2007-of-the-prime-minister-approving-the-master-plan-on-construction-of-vung-ang-economic-zone--ha-tinh-province-up-to-2025.aspx",
    "FHS": "http://movatter.jp/mt/?dark=on&url=https%3A%2F%2Fde.wikipedia.org%2Fwiki%2FFormosa_Ha_Tinh_Steel ; https://it.abcdef.wiki/wiki/Formosa_Ha_Tinh_Steel ; https://gem.wiki/Ha_Tinh_Formosa_Plastics_Steel_Complex_power_station",
    "VA_POWER": "https://www.gem.wiki/Vung_Ang_power_station",
    "VINES": "https://vir.com.vn/vinhomes-secures-approval-for-528-million-industrial-park-in-vung-ang-ez-112647.html",
    "VHVA": "https://hatinh24h.com.vn/khu-cong-nghiep-nua-ty-usd-cua-vingroup-o-ha-tinh-du-kien-van-hanh-tu-2028-a190751.html ; https://vir.com.vn/vinhomes-secures-approval-for-528-million-industrial-park-in-vung-ang-ez-112647.html",
    "VA_IPS": "https://baohatinh.vn/chinh-tri/gan-100-doanh-nghiep-nha-dau-tu-tham-quan-khu-kinh-te-vung-ang/249043.htm",
    "CT": "https://defzone.net/wiki/Khu_kinh_t%E1%BA%BF_c%E1%BB%ADa_kh%E1%BA%A9u_qu%E1%BB%91c_t%E1%BA%BF_C%E1%BA%A7u_Treo ; https://tracuuquyhoach.com/tin-tuc/xay-dung-khu-kinh-te-cua-khau-quoc-te-cau-treo-co-ban-sac-mang-tam-co-quoc-te-54713059",
    "CT_162": "https://defzone.net/wiki/Khu_kinh_t%E1%BA%BF_c%E1%BB%ADa_kh%E1%BA%A9u_qu%E1%BB%91c_t%E1%BA%BF_C%E1%BA%A7u_Treo",
    "CT_439": "https://tracuuquyhoach.com/tin-tuc/xay-dung-khu-kinh-te-cua-khau-quoc-te-cau-treo-co-ban-sac-mang-tam-co-quoc-te-54713059",
    "CT_GATE": "https://search.com.vn/wiki/vi/C%E1%BB%ADa_kh%E1%BA%A9u_qu%E1%BB%91c_t%E1%BA%BF_C%E1%BA%A7u_Treo",
    "TAY_SON": "https://defzone.net/wiki/Khu_kinh_t%E1%BA%BF_c%E1%BB%ADa_kh%E1%BA%A9u_qu%E1%BB%91c_t%E1%BA%BF_C%E1%BA%A7u_Treo ; https://wikiwand.com/vi/articles/H%C6%B0%C6%A1ng_S%C6%A1n",
    "GIA_LACH": "https://xe.today/2024/03/19/ha-tinh-unveils-plan-for-nearly-200ha-industrial-park-project",
    "HG_LOG": "https://www.datnenhaugiang.net/2021/04/hau-giang-dau-tu-phat-trien-logistics-va-cong-nghiep.html",
    "HG_VINALINES": "http://mt.gov.vn/vn/tin-tuc/49054/vinalines-hau-giang-de-xuat-xay-dung-trung-tam-logistics-hau-giang-.aspx ; http://mt.gov.vn/vn/tin-tuc/54532/cang-hau-giang--phat-huy-the-manh-cua-vung-trung-tam-logistics-khu-vuc.aspx",
    "TPT": "https://nso.com.vn/en/n/detail/tan-phu-thanh-industrial-park-290 ; https://tinnhanhnhadat.vn/hau-giang-tang-quy-dat-khu-cong-nghiep-them-hon-600-ha.html",
    "NB": "https://www.vietdata.vn/post/industrial-parks-in-vietnam-ninh-binh-builds-industrial-parks-to-become-key-areas-creating-motivat",
    "KHANH_PHU": "https://www.vietdata.vn/post/industrial-parks-in-vietnam-ninh-binh-builds-industrial-parks-to-become-key-areas-creating-motivat ; https://www.thiennhien.net/2014/08/01/dieu-chinh-quy-hoach-cac-kcn-tinh-ninh-binh/",
}


def src(*keys: str, illustrative_geometry: bool = True) -> str:
    """Source string: the URLs of the facts, plus the builder when the geometry is ours."""
    parts = [SRC[k] for k in keys]
    if illustrative_geometry:
        parts.append(ILLUS)
    return " ; ".join(parts)


class BuildError(RuntimeError):
    """A self-check failed: the data set is not written."""


def fail(message: str) -> None:
    """Stop loudly."""
    raise BuildError(message)


def d(text: str) -> date:
    """ISO date."""
    return date.fromisoformat(text)


# --- CRS helpers ----------------------------------------------------------------------------------------------


class Local:
    """A provincial VN-2000 TM-3 CRS: build in metres, hand back rounded WGS84."""

    def __init__(self, epsg: int):
        self.epsg = epsg
        self.fwd = Transformer.from_crs(4326, epsg, always_xy=True)
        self.inv = Transformer.from_crs(epsg, 4326, always_xy=True)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """WGS84 lat/lon → local metres (x east, y north)."""
        x, y = self.fwd.transform(lon, lat)
        return (x, y)

    def to_wgs(self, geom):
        """Local metres → WGS84 lon/lat, coordinates rounded to 7 decimals (what is written)."""

        def inv(coords):
            x, y = self.inv.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return round7(shapely.transform(geom, inv))


def round7(geom):
    """Round every coordinate to 7 decimals, exactly as the files carry them."""
    return shapely.transform(geom, lambda c: np.round(c, 7))


AG = Local(9208)  # An Giang 104°45'
HT = Local(9209)  # Hà Tĩnh 105°30'
HG = Local(5897)  # Hậu Giang 105°00'
NB = Local(5897)  # Ninh Bình 105°00'


def offset(lat: float, lon: float, bearing: float, dist_m: float) -> tuple[float, float]:
    """Point at a geodesic bearing/distance from a lat/lon (returns lat, lon)."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, dist_m)
    return (lat2, lon2)


def geod_area_ha(geom) -> float:
    """Ellipsoidal area of a WGS84 geometry in hectares."""
    area, _ = GEOD.geometry_area_perimeter(geom)
    return abs(area) / 10_000.0


def border_line(local: Local, lat: float, lon: float, bearing: float, half_len: float = 80_000.0) -> LineString:
    """A straight stand-in for a state border through a point, running along `bearing`."""
    x, y = local.xy(lat, lon)
    dx, dy = math.sin(math.radians(bearing)), math.cos(math.radians(bearing))
    return LineString([(x - dx * half_len, y - dy * half_len), (x + dx * half_len, y + dy * half_len)])


# --- shape builders -------------------------------------------------------------------------------------------


def _ray_caps(cx, cy, thetas, obstacles, margin):
    """Distance along each ray to the first obstacle line, minus a margin (inf when none)."""
    caps = []
    far = 200_000.0
    for t in thetas:
        ray = LineString([(cx, cy), (cx + far * math.cos(t), cy + far * math.sin(t))])
        best = math.inf
        for obs in obstacles:
            hit = ray.intersection(obs)
            if hit.is_empty:
                continue
            for g in getattr(hit, "geoms", [hit]):
                for px, py in g.coords:
                    dist = math.hypot(px - cx, py - cy)
                    if dist > 1e-6:
                        best = min(best, dist)
        caps.append(best - margin)
    return caps


def star(
    local: Local,
    lat: float,
    lon: float,
    area_ha: float,
    key: str,
    *,
    n: int = 48,
    jitter: float = 0.16,
    aspect: float = 1.0,
    bearing: float = 0.0,
    obstacles=(),
    must=(),
    margin: float = 30.0,
    min_fraction: float = 0.99,
) -> Polygon:
    """An irregular star-shaped polygon of a given area (local metres) around a point.

    Radii are jittered (seeded by `key`), optionally elongated (`aspect` along `bearing`), capped by rays to
    `obstacles` (lines the shape must not cross: borders, the parent's boundary, neighbours) and raised so that
    `must` points ((lat, lon, clearance_m)) are inside.  A polygon whose vertices have strictly increasing angles
    around an interior centre is simple, so the result is valid by construction (and checked).
    """
    rng = random.Random(f"{SEED}/{key}")
    cx, cy = local.xy(lat, lon)
    step = 2 * math.pi / n
    thetas = [i * step + rng.uniform(-0.3, 0.3) * step for i in range(n)]
    noise = [rng.uniform(-1, 1) for _ in range(n)]
    for _ in range(2):
        noise = [(noise[i - 1] + 2 * noise[i] + noise[(i + 1) % n]) / 4 for i in range(n)]
    peak = max(abs(v) for v in noise) or 1.0
    mult = [1 + jitter * v / peak for v in noise]
    phi0 = math.radians(90 - bearing)
    a, b = math.sqrt(aspect), 1 / math.sqrt(aspect)
    base = [mult[i] * a * b / math.hypot(b * math.cos(t - phi0), a * math.sin(t - phi0)) for i, t in enumerate(thetas)]
    for _attempt in range(6):
        poly = _star_attempt(local, cx, cy, area_ha, key, thetas, base, obstacles, must, margin, min_fraction)
        # a chord between two capped vertices can still cut a concave obstacle: widen the margin and retry
        if not any(poly.exterior.intersects(o) for o in obstacles):
            return poly
        margin *= 2
    fail(f"{key}: cannot keep the outline off its obstacles")


def _star_attempt(local, cx, cy, area_ha, key, thetas, base, obstacles, must, margin, min_fraction):
    """One try of `star` with a given margin."""
    n = len(thetas)
    caps = _ray_caps(cx, cy, thetas, obstacles, margin) if obstacles else [math.inf] * n
    floors = [0.0] * n
    for mlat, mlon, clearance in must:
        px, py = local.xy(mlat, mlon)
        dist, ang = math.hypot(px - cx, py - cy), math.atan2(py - cy, px - cx)
        # a soft bulge towards the point (clamped to the caps) so the shape does not spike...
        window = math.radians(35)
        for i, t in enumerate(thetas):
            dt = abs((t - ang + math.pi) % (2 * math.pi) - math.pi)
            if dt < window:
                soft = (dist + clearance) * (1 - 0.45 * (dt / window) ** 2)
                floors[i] = max(floors[i], min(soft, caps[i] - 1.0))
        # ...and a hard one: the two vertices bracketing the point's direction must hold it in their triangle
        for i in range(n):
            j = (i + 1) % n
            span = (thetas[j] - thetas[i]) % (2 * math.pi)
            rel = (ang - thetas[i]) % (2 * math.pi)
            if rel < span:
                need = (dist + clearance) * math.cos(rel - span / 2) / math.cos(span / 2)
                floors[i] = max(floors[i], need)
                floors[j] = max(floors[j], need)
    for i in range(n):
        if floors[i] > caps[i]:
            fail(f"{key}: a required point lies beyond an obstacle (ray {i})")
        if caps[i] <= 0:
            fail(f"{key}: centre too close to an obstacle")

    def radii(s):
        return [min(caps[i], max(floors[i], s * base[i])) for i in range(n)]

    def area(r):
        total = 0.0
        for i in range(n):
            j = (i + 1) % n
            dt = (thetas[j] - thetas[i]) % (2 * math.pi)
            total += 0.5 * r[i] * r[j] * math.sin(dt)
        return total

    target = area_ha * 10_000.0
    lo, hi = 0.0, 1.0
    while area(radii(hi)) < target and hi < 1e6:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if area(radii(mid)) < target:
            lo = mid
        else:
            hi = mid
    r = radii(hi)
    poly = Polygon([(cx + r[i] * math.cos(thetas[i]), cy + r[i] * math.sin(thetas[i])) for i in range(n)])
    if not poly.is_valid:
        fail(f"{key}: star polygon is not valid")
    if poly.area < target * min_fraction:
        fail(f"{key}: only {poly.area / 1e4:.1f} of {area_ha} ha fit between the obstacles")
    for mlat, mlon, _ in must:
        if not poly.contains(Point(local.xy(mlat, mlon))):
            fail(f"{key}: required point {mlat},{mlon} not inside")
    return poly


def rings(*geoms) -> list:
    """Boundary lines of polygons / multipolygons (obstacles for `star`)."""
    out = []
    for g in geoms:
        for p in getattr(g, "geoms", [g]):
            out.append(p.exterior)
    return out


def lot_grid(
    park: Polygon,
    key: str,
    *,
    angle: float,
    row_h=(180, 300),
    col_w=(120, 320),
    road_main=30.0,
    road_minor=16.0,
    inset=25.0,
) -> list[Polygon]:
    """Rectangular lots separated by internal roads, rotated by `angle`, fully inside the park (inset)."""
    rng = random.Random(f"{SEED}/{key}")
    c = park.centroid
    inner = park.buffer(-inset)
    flat = affinity.rotate(park, -angle, origin=c)
    minx, miny, maxx, maxy = flat.bounds
    lots = []
    y = miny + road_main
    while y < maxy:
        h = rng.uniform(*row_h)
        x = minx + road_minor
        while x < maxx:
            w = rng.uniform(*col_w)
            rect = affinity.rotate(box(x, y, x + w, y + h), angle, origin=c)
            if inner.contains(rect):
                lots.append(rect)
            x += w + road_minor
        y += h + road_main
    return lots


def jitter_grid(
    site: Polygon, key: str, *, cell_w: float, cell_h: float, angle: float, window=None, jit: float = 0.14
) -> list[tuple[int, int, Polygon]]:
    """Cadastral-looking quads sharing vertices (no overlaps, no gaps) inside `site` ∩ `window`."""
    rng = random.Random(f"{SEED}/{key}")
    c = site.centroid
    area = site if window is None else window
    flat = affinity.rotate(area, -angle, origin=c)
    minx, miny, maxx, maxy = flat.bounds
    nx, ny = int((maxx - minx) / cell_w) + 2, int((maxy - miny) / cell_h) + 2
    verts = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            verts[(i, j)] = (
                minx + i * cell_w + rng.uniform(-jit, jit) * cell_w,
                miny + j * cell_h + rng.uniform(-jit, jit) * cell_h,
            )
    inner = site.buffer(-5.0)
    if window is not None:
        inner = inner.intersection(window)
    cells = []
    for j in range(ny):
        for i in range(nx):
            quad = Polygon([verts[(i, j)], verts[(i + 1, j)], verts[(i + 1, j + 1)], verts[(i, j + 1)]])
            quad = affinity.rotate(quad, angle, origin=c)
            if inner.contains(quad):
                cells.append((i, j, quad))
    return cells


# --- output records -------------------------------------------------------------------------------------------

FEATURES: dict[str, list[dict]] = {
    t: []
    for t in [
        "admin_units",
        "economic_zones",
        "functional_areas",
        "industrial_parks",
        "land_plots",
        "border_gates",
        "logistics_centres",
        "transport_nodes",
        "transport_lines",
        "projects",
        "clearance_parcels",
    ]
}
GEOMS: dict[str, list] = {t: [] for t in FEATURES}  # WGS84 shapely geometries, parallel to FEATURES

COLUMNS = {
    "admin_units": [
        "code",
        "level",
        "name_vi",
        "name_en",
        "parent_code",
        "merged_into",
        "tm3_epsg",
        "valid_from",
        "valid_to",
    ],
    "economic_zones": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "name_vi",
        "name_en",
        "zone_type",
        "province_code",
        "official_area_ha",
    ],
    "functional_areas": ["uid", "valid_from", "valid_to", "decision", "name_vi", "name_en", "zone_uid", "area_type"],
    "industrial_parks": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "name_vi",
        "name_en",
        "kind",
        "park_type",
        "zone_uid",
        "province_code",
        "developer",
        "operating_from",
        "operating_to",
        "land_rent_usd_m2_min",
        "land_rent_usd_m2_max",
        "factory_rent_usd_m2_month",
        "power_kv",
        "water_m3_day",
        "wastewater_m3_day",
        "contact",
        "official_area_ha",
    ],
    "land_plots": [
        "uid",
        "valid_from",
        "valid_to",
        "decision",
        "code",
        "name_vi",
        "name_en",
        "park_uid",
        "zone_uid",
        "planning_function",
        "landuse_code",
        "status",
        "land_rent_usd_m2",
    ],
    "border_gates": [
        "uid",
        "name_vi",
        "name_en",
        "gate_class",
        "mode",
        "country",
        "counterpart_uid",
        "counterpart_name",
        "counterpart_country",
        "province_code",
        "zone_uid",
        "opened_on",
    ],
    "logistics_centres": ["uid", "name_vi", "name_en", "status", "province_code", "operator", "planned_area_ha"],
    "transport_nodes": ["uid", "name_vi", "name_en", "kind", "status", "province_code", "capacity_note"],
    "transport_lines": ["uid", "name_vi", "name_en", "kind", "ref", "province_code"],
    "projects": [
        "uid",
        "name_vi",
        "name_en",
        "investor",
        "investor_country",
        "sector",
        "capital_vnd",
        "capital_usd",
        "status",
        "province_code",
        "zone_uid",
        "park_uid",
        "policy_decision",
        "site_area_ha",
    ],
    "clearance_parcels": [
        "project_uid",
        "parcel_no",
        "map_sheet",
        "commune_code",
        "landuse_code",
        "owner_name",
        "households_affected",
        "households_to_resettle",
        "compensation_approved_vnd",
        "compensation_paid_vnd",
        "notice_issued_on",
        "inventoried_on",
        "plan_approved_on",
        "compensation_paid_on",
        "handed_over_on",
        "enforcement_on",
    ],
}
PROVENANCE = ["geometry_illustrative", "source", "notes"]
GEOM_TYPE = {
    "admin_units": "MultiPolygon",
    "economic_zones": "MultiPolygon",
    "functional_areas": "MultiPolygon",
    "industrial_parks": "MultiPolygon",
    "land_plots": "Polygon",
    "clearance_parcels": "Polygon",
    "border_gates": "Point",
    "logistics_centres": "Point",
    "transport_nodes": "Point",
    "projects": "Point",
    "transport_lines": "MultiLineString",
}


def add(table: str, geom, *, illustrative: bool = True, source: str = ILLUS, notes: str | None = None, **props):
    """Record one feature (geometry already in rounded WGS84, or None)."""
    unknown = set(props) - set(COLUMNS[table])
    if unknown:
        fail(f"{table}: unknown properties {sorted(unknown)}")
    row = {k: props.get(k) for k in COLUMNS[table]}
    for k, v in row.items():
        if isinstance(v, date):
            row[k] = v.isoformat()
    row.update(geometry_illustrative=illustrative, source=source, notes=notes)
    FEATURES[table].append(row)
    GEOMS[table].append(geom)
    return row


def as_multi(geom):
    """Polygon → MultiPolygon (zones, areas and parks are stored multipart)."""
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


# --- decisions --------------------------------------------------------------------------------------------------

DECISIONS: list[dict] = []
DEC_BY_NO: dict[str, dict] = {}
DEC_COLUMNS = [
    "number",
    "title_vi",
    "title_en",
    "date_signed",
    "date_effective",
    "authority",
    "authority_name_vi",
    "kind",
    "plan_level",
    "horizon_year",
    "vision_year",
    "zone_uid",
    "supersedes",
    "illustrative",
    "source",
    "notes",
]


def decision(
    number,
    title_vi,
    title_en,
    signed,
    authority,
    authority_name_vi,
    kind,
    *,
    effective=None,
    plan_level=None,
    horizon=None,
    vision=None,
    zone=None,
    supersedes=None,
    illustrative=True,
    source=None,
    notes=None,
) -> str:
    """Register a decision and return its number."""
    if number in DEC_BY_NO:
        fail(f"duplicate decision number {number}")
    signed = d(signed) if isinstance(signed, str) else signed
    effective = signed if effective is None else (d(effective) if isinstance(effective, str) else effective)
    if illustrative and notes is None:
        notes = "ILLUSTRATIVE decision invented for the demo data: number, date and content are not real."
    row = dict(
        number=number,
        title_vi=title_vi,
        title_en=title_en,
        date_signed=signed,
        date_effective=effective,
        authority=authority,
        authority_name_vi=authority_name_vi,
        kind=kind,
        plan_level=plan_level,
        horizon_year=horizon,
        vision_year=vision,
        zone_uid=zone,
        supersedes=supersedes,
        illustrative=illustrative,
        source=source if source else (None if not illustrative else ILLUS),
        notes=notes,
    )
    DECISIONS.append(row)
    DEC_BY_NO[number] = row
    return number


def eff(number: str) -> date:
    """Effective date of a decision (what a version made by it is valid from)."""
    return DEC_BY_NO[number]["date_effective"]


_NUMBERS: dict[str, int] = {}


def next_no(suffix: str, start: int) -> str:
    """Next illustrative document number with a given suffix (e.g. 'QĐ-UBND'), unique in the data set."""
    cur = _NUMBERS.get(suffix, start)
    cur += RNG.randint(17, 263)
    _NUMBERS[suffix] = cur
    return f"{cur}/{suffix}"


PM = ("prime_minister", "Thủ tướng Chính phủ")
UBND_HT = ("provincial_committee", "Ủy ban nhân dân tỉnh Hà Tĩnh")
UBND_AG = ("provincial_committee", "Ủy ban nhân dân tỉnh An Giang")
UBND_HG = ("provincial_committee", "Ủy ban nhân dân tỉnh Hậu Giang")
UBND_NB = ("provincial_committee", "Ủy ban nhân dân tỉnh Ninh Bình")
BQL_HT = ("management_board", "Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh")
BQL_AG = ("management_board", "Ban Quản lý Khu kinh tế tỉnh An Giang")
BQL_HG = ("management_board", "Ban Quản lý các Khu công nghiệp tỉnh Hậu Giang")
BQL_NB = ("management_board", "Ban Quản lý các Khu công nghiệp tỉnh Ninh Bình")

# Real decisions (glossary / places.csv).  Effective dates: taken = signing date (not verified).
EFF_NOTE = " date_effective assumed equal to date_signed (VERIFY)."
D_VA_EST = decision(
    "72/2006/QĐ-TTg",
    "Về việc thành lập và ban hành Quy chế hoạt động của Khu kinh tế Vũng Áng, tỉnh Hà Tĩnh",
    "Establishing Vũng Áng Economic Zone, Hà Tĩnh, and issuing its operating regulation",
    "2006-04-03",
    *PM,
    "establish_zone",
    zone="KKT-VA",
    illustrative=False,
    source=SRC["VA_72"],
    notes="Establishment of Vũng Áng EZ (9 southern communes of Kỳ Anh). Title paraphrased." + EFF_NOTE,
)
D_VA_PLAN = decision(
    "1076/QĐ-TTg",
    "Phê duyệt Quy hoạch chung xây dựng Khu kinh tế Vũng Áng, tỉnh Hà Tĩnh đến năm 2025",
    "Approving the general construction plan of Vũng Áng EZ to 2025",
    "2007-08-20",
    *PM,
    "approve_plan",
    plan_level="general",
    horizon=2025,
    zone="KKT-VA",
    illustrative=False,
    source=SRC["VA_1076"],
    notes="22,781 ha; construction land 10,151 ha; non-tariff zone ~730 ha (Sơn Dương port 410 ha + 320 ha)."
    + EFF_NOTE,
)
D_CT_REG = decision(
    "162/2007/QĐ-TTg",
    "Ban hành Quy chế hoạt động của Khu kinh tế cửa khẩu quốc tế Cầu Treo, tỉnh Hà Tĩnh",
    "Regulation of Cầu Treo International Border-Gate EZ",
    "2007-10-19",
    *PM,
    "regulation",
    zone="KKTCK-CT",
    illustrative=False,
    source=SRC["CT_162"],
    notes="56,684.4 ha in 4 units (Sơn Kim 1, Sơn Kim 2, Sơn Tây, TT Tây Sơn). Title paraphrased." + EFF_NOTE,
)
D_CT_439 = decision(
    "439/QĐ-TTg",
    "Phê duyệt điều chỉnh tổng thể Quy hoạch chung xây dựng Khu kinh tế cửa khẩu quốc tế Cầu Treo, "
    "tỉnh Hà Tĩnh đến năm 2045",
    "Overall revision of the general plan of Cầu Treo International Border-Gate EZ to 2045",
    "2026-03-16",
    *PM,
    "overall_revision",
    plan_level="general",
    horizon=2045,
    zone="KKTCK-CT",
    supersedes=D_CT_REG,
    illustrative=False,
    source=SRC["CT_439"],
    notes="56,685 ha; 3 communes after the 2025 reorganisation; core of 9 sub-zones ≈ 23,411 ha. Title paraphrased; "
    "it supersedes the plan/regulation chain that began with 162/2007/QĐ-TTg." + EFF_NOTE,
)
D_AG_OLD = decision(
    "QHC KKTCK An Giang (trước 2016)",
    "Quy hoạch chung xây dựng Khu kinh tế cửa khẩu An Giang (phương án trước 2016)",
    "Earlier general plan of An Giang Border-Gate EZ (before 2016)",
    "2009-06-15",
    *PM,
    "approve_plan",
    plan_level="general",
    zone="KKTCK-AG",
    illustrative=True,
    source=SRC["AG"],
    notes="PLACEHOLDER: an earlier plan version of 26,583 ha is documented, but its decision number and date were "
    "not found; the number here is a label and 2009-06-15 is invented (establishment believed 2008 - VERIFY).",
)
D_AG_456 = decision(
    "456/QĐ-TTg",
    "Phê duyệt Quy hoạch chung xây dựng Khu kinh tế cửa khẩu An Giang, tỉnh An Giang",
    "Approving the general construction plan of An Giang Border-Gate EZ",
    "2016-03-22",
    *PM,
    "approve_plan",
    plan_level="general",
    zone="KKTCK-AG",
    supersedes=D_AG_OLD,
    illustrative=False,
    source=SRC["AG"],
    notes="30,729.8 ha in 3 areas: Tịnh Biên 10,101 ha, Khánh Bình 8,141 ha, Vĩnh Xương 12,487 ha. Title and horizon "
    "year not verified." + EFF_NOTE,
)
D_AG_TASK = decision(
    "60/NQ-HĐND",
    "Thông qua nhiệm vụ điều chỉnh Quy hoạch chung xây dựng Khu kinh tế cửa khẩu An Giang đến năm 2045",
    "Resolution approving the task of revising An Giang BEZ general plan to 2045",
    "2024-11-29",
    "provincial_council",
    "Hội đồng nhân dân tỉnh An Giang",
    "approve_plan_task",
    plan_level="general",
    horizon=2045,
    zone="KKTCK-AG",
    illustrative=False,
    source=SRC["AG"],
    notes="Real resolution of 11/2024; the day (29) is not verified. It starts a revision and changes no boundary."
    + EFF_NOTE,
)
D_GL_578 = decision(
    "578/QĐ-UBND",
    "Phê duyệt Quy hoạch phân khu xây dựng tỷ lệ 1/2.000 Khu công nghiệp Gia Lách mở rộng",
    "Approving the 1/2,000 zoning plan of the Gia Lách IP expansion",
    "2024-03-05",
    *UBND_HT,
    "approve_plan",
    plan_level="zoning",
    illustrative=False,
    source=SRC["GIA_LACH"],
    notes="Xuân An town & Xuân Viên commune (Nghi Xuân): study area 310 ha, planning area 194 ha. Number and year "
    "real; the day (05/03/2024) is estimated from the press date 19/03/2024 - VERIFY." + EFF_NOTE,
)

# --- administrative units -------------------------------------------------------------------------------------

ADMIN_NOTE = "No geometry in the demo (boundaries not digitised)."
PROVINCES = [
    (
        "AN_GIANG",
        "Tỉnh An Giang",
        "An Giang Province",
        None,
        9208,
        "2004-01-01",
        "2025-07-01",
        "Pre-merger An Giang. valid_from 2004-01-01 is an illustrative start, not the founding date.",
    ),
    (
        "KIEN_GIANG",
        "Tỉnh Kiên Giang",
        "Kiên Giang Province",
        "AN_GIANG",
        9207,
        "2004-01-01",
        "2025-07-01",
        "Merged into An Giang on 2025-07-01. valid_from is an illustrative start.",
    ),
    (
        "AN_GIANG",
        "Tỉnh An Giang",
        "An Giang Province",
        None,
        9208,
        "2025-07-01",
        None,
        "Post-merger An Giang (absorbed Kiên Giang). TM-3 meridian after the merger is unknown: 9208 (104°45') "
        "kept from old An Giang - VERIFY.",
    ),
    (
        "HA_TINH",
        "Tỉnh Hà Tĩnh",
        "Hà Tĩnh Province",
        None,
        9209,
        "1991-10-01",
        None,
        "Re-established 1991 (split of Nghệ Tĩnh, resolution 12/08/1991); 1991-10-01 used as start - VERIFY. "
        "Unchanged by the 2025 merger.",
    ),
    (
        "HAU_GIANG",
        "Tỉnh Hậu Giang",
        "Hậu Giang Province",
        "CAN_THO",
        5897,
        "2004-01-01",
        "2025-07-01",
        "Became part of Cần Thơ city on 2025-07-01.",
    ),
    (
        "CAN_THO",
        "Thành phố Cần Thơ",
        "Cần Thơ City",
        None,
        5897,
        "2004-01-01",
        None,
        "One open version kept across the 2025 merger (absorbed Hậu Giang and Sóc Trăng); post-merger meridian VERIFY.",
    ),
    (
        "NINH_BINH",
        "Tỉnh Ninh Bình",
        "Ninh Bình Province",
        None,
        5897,
        "1992-04-01",
        "2025-07-01",
        "Pre-merger Ninh Bình (re-established 1992 - start date VERIFY).",
    ),
    (
        "NINH_BINH",
        "Tỉnh Ninh Bình",
        "Ninh Bình Province",
        None,
        5897,
        "2025-07-01",
        None,
        "Post-merger Ninh Bình (absorbed Hà Nam and Nam Định); post-merger meridian VERIFY.",
    ),
    (
        "HA_NAM",
        "Tỉnh Hà Nam",
        "Hà Nam Province",
        "NINH_BINH",
        5897,
        "1997-01-01",
        "2025-07-01",
        "Merged into Ninh Bình on 2025-07-01. Start 1997-01-01 (re-establishment) - VERIFY; TM-3 zone assumed.",
    ),
    (
        "NAM_DINH",
        "Tỉnh Nam Định",
        "Nam Định Province",
        "NINH_BINH",
        5897,
        "1997-01-01",
        "2025-07-01",
        "Merged into Ninh Bình on 2025-07-01. Start 1997-01-01 (re-establishment) - VERIFY; TM-3 zone assumed.",
    ),
]
for code, vi, en, merged, epsg, vf, vt, note in PROVINCES:
    add(
        "admin_units",
        None,
        code=code,
        level="province",
        name_vi=vi,
        name_en=en,
        parent_code=None,
        merged_into=merged,
        tm3_epsg=epsg,
        valid_from=d(vf),
        valid_to=d(vt) if vt else None,
        notes=f"{note} {ADMIN_NOTE}",
    )

COMMUNE_NOTE = (
    "Commune-level unit relevant to the demo; validity start illustrative; status after the "
    "2025 commune reorganisation not verified (VERIFY). " + ADMIN_NOTE
)
COMMUNES = [
    ("AG_VINH_XUONG", "Xã Vĩnh Xương", "Vĩnh Xương commune", "AN_GIANG", "2004-01-01", None, None),
    ("AG_KHANH_BINH", "Xã Khánh Bình", "Khánh Bình commune", "AN_GIANG", "2004-01-01", None, None),
    ("AG_NHON_HUNG", "Xã Nhơn Hưng", "Nhơn Hưng commune", "AN_GIANG", "2004-01-01", None, None),
    ("HT_KY_LOI", "Xã Kỳ Lợi", "Kỳ Lợi commune", "HA_TINH", "1991-10-01", None, None),
    (
        "HT_KY_LONG",
        "Phường Kỳ Long",
        "Kỳ Long ward",
        "HA_TINH",
        "1991-10-01",
        None,
        "Level (ward of Kỳ Anh town) and the TDP Trường Yên / Trường Phú / Cảnh Trường attribution are assumptions.",
    ),
    (
        "HT_SON_KIM_1",
        "Xã Sơn Kim 1",
        "Sơn Kim 1 commune",
        "HA_TINH",
        "1991-10-01",
        None,
        "Named as part of Cầu Treo BEZ in QĐ 439/QĐ-TTg (2026).",
    ),
    (
        "HT_SON_KIM_2",
        "Xã Sơn Kim 2",
        "Sơn Kim 2 commune",
        "HA_TINH",
        "1991-10-01",
        None,
        "Named as part of Cầu Treo BEZ in QĐ 439/QĐ-TTg (2026).",
    ),
    (
        "HT_SON_TAY",
        "Xã Sơn Tây",
        "Sơn Tây commune",
        "HA_TINH",
        "1991-10-01",
        None,
        "Named as part of Cầu Treo BEZ in QĐ 439/QĐ-TTg (2026).",
    ),
    (
        "HT_TT_TAY_SON",
        "Thị trấn Tây Sơn",
        "Tây Sơn township",
        "HA_TINH",
        "1991-10-01",
        "2025-07-01",
        "No longer a separate unit in QĐ 439/QĐ-TTg (2026); end date 2025-07-01 and successor not verified.",
    ),
    (
        "HT_XUAN_VIEN",
        "Xã Xuân Viên",
        "Xuân Viên commune",
        "HA_TINH",
        "1991-10-01",
        None,
        "Location of the Gia Lách IP expansion (QĐ 578/QĐ-UBND).",
    ),
    (
        "HG_TAN_PHU_THANH",
        "Xã Tân Phú Thạnh",
        "Tân Phú Thạnh commune",
        "HAU_GIANG",
        "2004-01-01",
        "2025-07-01",
        "Version under Hậu Giang.",
    ),
    (
        "HG_TAN_PHU_THANH",
        "Xã Tân Phú Thạnh",
        "Tân Phú Thạnh commune",
        "CAN_THO",
        "2025-07-01",
        None,
        "Version under Cần Thơ after the merger; whether the commune itself was merged is not verified.",
    ),
    (
        "CT_VI_THANH",
        "Phường Vị Thanh",
        "Vị Thanh ward",
        "CAN_THO",
        "2025-07-01",
        None,
        "Ward of Cần Thơ city after 2025-07-01 (former Vị Thanh city of Hậu Giang) - name VERIFY.",
    ),
]
for code, vi, en, parent, vf, vt, extra in COMMUNES:
    add(
        "admin_units",
        None,
        code=code,
        level="commune",
        name_vi=vi,
        name_en=en,
        parent_code=parent,
        merged_into=None,
        tm3_epsg=None,
        valid_from=d(vf),
        valid_to=d(vt) if vt else None,
        notes=((extra + " ") if extra else "") + COMMUNE_NOTE,
    )


# --- economic zones and functional areas -----------------------------------------------------------------------


def zone_version(
    uid, local, parts, dec_no, valid_to, *, name_vi, name_en, zone_type, province, official, source, notes
):
    """Write one zone version (parts: list of local polygons)."""
    wgs = local.to_wgs(MultiPolygon(parts))
    add(
        "economic_zones",
        wgs,
        source=source,
        notes=notes,
        uid=uid,
        valid_from=eff(dec_no),
        valid_to=valid_to,
        decision=dec_no,
        name_vi=name_vi,
        name_en=name_en,
        zone_type=zone_type,
        province_code=province,
        official_area_ha=official,
    )
    return wgs


def fa_version(uid, zone_uid, local, geom, dec_no, valid_to, *, name_vi, name_en, area_type, source, notes):
    """Write one functional-area version."""
    wgs = local.to_wgs(as_multi(geom))
    add(
        "functional_areas",
        wgs,
        source=source,
        notes=notes,
        uid=uid,
        valid_from=eff(dec_no),
        valid_to=valid_to,
        decision=dec_no,
        name_vi=name_vi,
        name_en=name_en,
        zone_uid=zone_uid,
        area_type=area_type,
    )
    return wgs


LOCAL_ZONE: dict[tuple[str, str], object] = {}  # (uid, decision) → local geometry, for containment while building

# ---- KKTCK An Giang: two versions, three sub-areas each ----
TB_GATE, VX_GATE, KB_GATE = (10.613, 104.949), (10.915, 105.175), (10.945, 105.072)
AG_BORDER_TB = border_line(AG, *offset(*TB_GATE, 333, 700), 63)  # Vĩnh Tế canal, Cambodia to the NW
_kb_n, _vx_n = offset(*KB_GATE, 0, 700), offset(*VX_GATE, 0, 700)
_bkv = GEOD.inv(_kb_n[1], _kb_n[0], _vx_n[1], _vx_n[0])[0]
AG_BORDER_N = border_line(AG, *_kb_n, _bkv)  # Cambodia to the north
AG_SUBS = {  # key: (name, centre, area old, area new, gate, border)
    "TB": ("Tịnh Biên", (10.6, 104.985), 9255, 10101, TB_GATE, AG_BORDER_TB),
    "KB": ("Khánh Bình", (10.9, 105.085), 7412, 8141, KB_GATE, AG_BORDER_N),
    "VX": ("Vĩnh Xương", (10.84, 105.21), 9916, 12487, VX_GATE, AG_BORDER_N),
}
AG_SUB_POLY: dict[tuple[str, str], Polygon] = {}
for version, dec_no in (("old", D_AG_OLD), ("new", D_AG_456)):
    placed = []
    for key in ("TB", "KB", "VX"):
        name, (clat, clon), a_old, a_new, gate, border = AG_SUBS[key]
        poly = star(
            AG,
            clat,
            clon,
            a_old if version == "old" else a_new,
            f"AG-{key}-{version}",
            jitter=0.2,
            aspect=1.4,
            bearing={"TB": 60, "KB": 100, "VX": 155}[key],
            obstacles=[border, *rings(*placed)],
            must=[(*gate, 150)],
            margin=40,
        )
        AG_SUB_POLY[(key, version)] = poly
        placed.append(poly)
AG_ZONE_NAME = ("Khu kinh tế cửa khẩu An Giang", "An Giang Border-Gate Economic Zone")
zone_version(
    "KKTCK-AG",
    AG,
    [AG_SUB_POLY[(k, "old")] for k in ("TB", "KB", "VX")],
    D_AG_OLD,
    eff(D_AG_456),
    name_vi=AG_ZONE_NAME[0],
    name_en=AG_ZONE_NAME[1],
    zone_type="border_gate",
    province="AN_GIANG",
    official=26583,
    source=src("AG", "AG_SUB"),
    notes="Earlier plan version: 26,583 ha = Tịnh Biên 9,255 + Khánh Bình 7,412 + Vĩnh Xương 9,916 ha. "
    "Three illustrative sub-area outlines around ESTIMATED points, sized to those areas and cut along a "
    "straight stand-in for the border; real boundaries not digitised.",
)
zone_version(
    "KKTCK-AG",
    AG,
    [AG_SUB_POLY[(k, "new")] for k in ("TB", "KB", "VX")],
    D_AG_456,
    None,
    name_vi=AG_ZONE_NAME[0],
    name_en=AG_ZONE_NAME[1],
    zone_type="border_gate",
    province="AN_GIANG",
    official=30729.8,
    source=src("AG", "AG_SUB"),
    notes="QĐ 456/QĐ-TTg: 30,729.8 ha = Tịnh Biên 10,101 + Khánh Bình 8,141 + Vĩnh Xương 12,487 ha. "
    "Illustrative sub-area outlines (sizes real, shapes invented). Revision to 2045 started by "
    "60/NQ-HĐND (11/2024) - not yet a new version.",
)

# functional areas: (uid suffix, sub, name_vi, name_en, type, centre-spec, area old, area new)
#   centre-spec: ("gate", bearing, dist) relative to the sub-area's gate, or (lat, lon)
AG_FAS = [
    ("TB-CK", "TB", "Khu cửa khẩu quốc tế Tịnh Biên", "Tịnh Biên gate area", "gate_area", ("gate", 153, 650), 150, 220),
    (
        "TB-LOG",
        "TB",
        "Khu kho bãi, logistics Tịnh Biên",
        "Tịnh Biên logistics yard",
        "logistics_port",
        ("gate", 100, 2300),
        None,
        180,
    ),
    (
        "TB-TMDV",
        "TB",
        "Khu thương mại – dịch vụ Tịnh Biên",
        "Tịnh Biên trade & services",
        "trade_services",
        ("gate", 150, 2600),
        350,
        520,
    ),
    ("TB-CN", "TB", "Khu công nghiệp Xuân Tô", "Xuân Tô industrial area", "industrial", (10.578, 104.975), 400, 500),
    ("TB-DT", "TB", "Khu đô thị Nhà Bàng", "Nhà Bàng urban area", "urban", (10.617, 105.003), 700, 900),
    (
        "TB-TDC",
        "TB",
        "Khu dân cư – tái định cư Nhơn Hưng",
        "Nhơn Hưng residential & resettlement",
        "residential_resettlement",
        (10.585, 105.012),
        250,
        None,
    ),
    ("KB-CK", "KB", "Khu cửa khẩu Khánh Bình", "Khánh Bình gate area", "gate_area", ("gate", 180, 600), 100, 140),
    (
        "KB-TMDV",
        "KB",
        "Khu thương mại – dịch vụ Long Bình",
        "Long Bình trade & services",
        "trade_services",
        ("gate", 170, 2400),
        180,
        250,
    ),
    (
        "KB-DC",
        "KB",
        "Khu dân cư – tái định cư Khánh Bình",
        "Khánh Bình residential & resettlement",
        "residential_resettlement",
        (10.895, 105.095),
        300,
        300,
    ),
    (
        "VX-CK",
        "VX",
        "Khu cửa khẩu quốc tế Vĩnh Xương",
        "Vĩnh Xương gate area",
        "gate_area",
        ("gate", 180, 650),
        120,
        200,
    ),
    (
        "VX-CANG",
        "VX",
        "Khu cảng – logistics Vĩnh Xương",
        "Vĩnh Xương river port & logistics",
        "logistics_port",
        ("gate", 120, 2200),
        None,
        150,
    ),
    (
        "VX-TMDV",
        "VX",
        "Khu thương mại – dịch vụ Vĩnh Xương",
        "Vĩnh Xương trade & services",
        "trade_services",
        ("gate", 165, 2800),
        300,
        420,
    ),
    (
        "VX-CN",
        "VX",
        "Khu công nghiệp Vĩnh Xương",
        "Vĩnh Xương industrial area",
        "industrial",
        (10.85, 105.225),
        250,
        350,
    ),
    ("VX-DT", "VX", "Khu đô thị Tân Châu", "Tân Châu urban area", "urban", (10.80, 105.225), 900, 1100),
]
AG_FA_POLY: dict[tuple[str, str], Polygon] = {}
for version, dec_no in (("old", D_AG_OLD), ("new", D_AG_456)):
    placed: list = []
    for suffix, sub, vi, en, typ, centre, a_old, a_new in AG_FAS:
        area = a_old if version == "old" else a_new
        if area is None:
            continue
        gate = AG_SUBS[sub][4]
        clat, clon = offset(*gate, centre[1], centre[2]) if centre[0] == "gate" else centre
        must = [(*gate, 60)] if typ == "gate_area" else []
        sub_poly = AG_SUB_POLY[(sub, version)]
        if not sub_poly.contains(Point(AG.xy(clat, clon))):
            fail(f"KKTCK-AG-{suffix} centre outside sub-area {sub} ({version})")
        poly = star(
            AG,
            clat,
            clon,
            area,
            f"AG-FA-{suffix}-{version}",
            jitter=0.22,
            aspect=1.3,
            bearing=RNG.uniform(0, 180),
            obstacles=rings(sub_poly, *placed),
            must=must,
            margin=25,
        )
        AG_FA_POLY[(suffix, version)] = poly
        placed.append(poly)
for suffix, sub, vi, en, typ, centre, a_old, a_new in AG_FAS:
    uid = f"KKTCK-AG-{suffix}"
    base_note = "Illustrative outline; area and position invented for the demo (only the zone totals are published)."
    if a_old is not None:
        to = eff(D_AG_456)
        note = base_note + (" Removed by QĐ 456/QĐ-TTg." if a_new is None else " Replaced by the QĐ 456 version.")
        fa_version(
            uid,
            "KKTCK-AG",
            AG,
            AG_FA_POLY[(suffix, "old")],
            D_AG_OLD,
            to,
            name_vi=vi,
            name_en=en,
            area_type=typ,
            source=ILLUS,
            notes=note,
        )
    if a_new is not None:
        note = base_note + (" Added by QĐ 456/QĐ-TTg." if a_old is None else " Boundary changed by QĐ 456/QĐ-TTg.")
        fa_version(
            uid,
            "KKTCK-AG",
            AG,
            AG_FA_POLY[(suffix, "new")],
            D_AG_456,
            None,
            name_vi=vi,
            name_en=en,
            area_type=typ,
            source=ILLUS,
            notes=note,
        )

# ---- KKTCK Cầu Treo: two versions ----
CT_GATE, NAM_PHAO = (18.390175, 105.160144), (18.383098, 105.15815)
CT_BORDER = border_line(HT, (CT_GATE[0] + NAM_PHAO[0]) / 2, (CT_GATE[1] + NAM_PHAO[1]) / 2, 125)
TAY_SON = (18.425, 105.285)
CT_ZONE = {}
for version, dec_no, area in (("v1", D_CT_REG, 56684.4), ("v2", D_CT_439, 56685)):
    # same seed → same outline; the tiny area difference only rescales it
    CT_ZONE[version] = star(
        HT,
        18.415,
        105.215,
        area,
        "CT-ZONE",
        n=96,
        jitter=0.22,
        aspect=1.5,
        bearing=40,
        obstacles=[CT_BORDER],
        must=[(*CT_GATE, 80), (*TAY_SON, 3200)],
        margin=30,
    )
zone_version(
    "KKTCK-CT",
    HT,
    [CT_ZONE["v1"]],
    D_CT_REG,
    eff(D_CT_439),
    name_vi="Khu kinh tế cửa khẩu quốc tế Cầu Treo",
    name_en="Cầu Treo International Border-Gate Economic Zone",
    zone_type="border_gate",
    province="HA_TINH",
    official=56684.4,
    source=src("CT"),
    notes="Under QĐ 162/2007/QĐ-TTg: 56,684.4 ha (Sơn Kim 1, Sơn Kim 2, Sơn Tây, TT Tây Sơn). Illustrative "
    "outline sized to the area, cut by a straight stand-in for the Lao border; not the real boundary.",
)
zone_version(
    "KKTCK-CT",
    HT,
    [CT_ZONE["v2"]],
    D_CT_439,
    None,
    name_vi="Khu kinh tế cửa khẩu quốc tế Cầu Treo",
    name_en="Cầu Treo International Border-Gate Economic Zone",
    zone_type="border_gate",
    province="HA_TINH",
    official=56685,
    source=src("CT"),
    notes="Under QĐ 439/QĐ-TTg (16/3/2026): 56,685 ha, communes Sơn Kim 1, Sơn Kim 2, Sơn Tây; core of 9 "
    "sub-zones ≈ 23,411 ha (not drawn individually). Same illustrative outline as the 2007 version.",
)
CT_FAS = [  # suffix, vi, en, type, centre-spec, area v1, area v2
    ("CK", "Khu cửa khẩu quốc tế Cầu Treo", "Cầu Treo gate area", "gate_area", ("gate", 40, 650), 120, 180),
    ("PTQ", "Khu phi thuế quan Cầu Treo", "Cầu Treo non-tariff area", "non_tariff", ("gate", 75, 2100), None, 150),
    ("LOG", "Khu logistics cửa khẩu", "Border logistics area", "logistics_port", ("gate", 15, 2200), None, 120),
    (
        "TMDV",
        "Khu thương mại – dịch vụ cửa khẩu",
        "Border trade & services",
        "trade_services",
        ("gate", 55, 4200),
        250,
        400,
    ),
    (
        "CN",
        "Khu công nghiệp – tiểu thủ công nghiệp Sơn Kim",
        "Sơn Kim light-industry area",
        "industrial",
        (18.405, 105.235),
        200,
        None,
    ),
    ("DT", "Đô thị Tây Sơn", "Tây Sơn township (urban area)", "urban", TAY_SON, 600, 800),
    (
        "TDC",
        "Khu tái định cư Sơn Tây",
        "Sơn Tây resettlement area",
        "residential_resettlement",
        (18.445, 105.31),
        None,
        150,
    ),
    (
        "DL",
        "Khu du lịch sinh thái – nước khoáng nóng Sơn Kim",
        "Sơn Kim eco-tourism & hot-spring area",
        "tourism",
        (18.45, 105.205),
        400,
        600,
    ),
    (
        "NLN",
        "Khu nông – lâm nghiệp, rừng phòng hộ",
        "Agro-forestry & protection forest",
        "agro_forestry",
        (18.52, 105.29),
        9000,
        7000,
    ),
]
CT_FA_POLY = {}
for version in ("v1", "v2"):
    placed = []
    for suffix, vi, en, typ, centre, a1, a2 in CT_FAS:
        area = a1 if version == "v1" else a2
        if area is None:
            continue
        clat, clon = offset(*CT_GATE, centre[1], centre[2]) if centre[0] == "gate" else centre
        must = [(*CT_GATE, 60)] if typ == "gate_area" else []
        pt = Point(HT.xy(clat, clon))
        if not CT_ZONE[version].contains(pt) or any(p.contains(pt) for p in placed):
            fail(f"KKTCK-CT-{suffix} ({version}): centre outside the zone or inside another area")
        poly = star(
            HT,
            clat,
            clon,
            area,
            f"CT-FA-{suffix}-{version}",
            n=144 if area > 2000 else 48,
            jitter=0.22,
            aspect=1.3,
            bearing=RNG.uniform(0, 180),
            obstacles=rings(CT_ZONE[version], *placed) + [CT_BORDER],
            must=must,
            margin=25,
            min_fraction=0.9 if typ == "agro_forestry" else 0.99,
        )
        CT_FA_POLY[(suffix, version)] = poly
        placed.append(poly)
for suffix, vi, en, typ, centre, a1, a2 in CT_FAS:
    uid = f"KKTCK-CT-{suffix}"
    base_note = "Illustrative outline; position and size invented (sub-zone boundaries not published in the sources)."
    if a1 is not None:
        fa_version(
            uid,
            "KKTCK-CT",
            HT,
            CT_FA_POLY[(suffix, "v1")],
            D_CT_REG,
            eff(D_CT_439),
            name_vi=vi,
            name_en=en,
            area_type=typ,
            source=ILLUS,
            notes=base_note + (" Dropped by QĐ 439/QĐ-TTg." if a2 is None else " Changed by QĐ 439/QĐ-TTg."),
        )
    if a2 is not None:
        fa_version(
            uid,
            "KKTCK-CT",
            HT,
            CT_FA_POLY[(suffix, "v2")],
            D_CT_439,
            None,
            name_vi=vi,
            name_en=en,
            area_type=typ,
            source=ILLUS,
            notes=base_note + (" New in QĐ 439/QĐ-TTg." if a1 is None else " Boundary revised by QĐ 439/QĐ-TTg."),
        )

# ---- KKT Vũng Áng ----
VA_PORT, SON_DUONG, FHS = (18.11222, 106.39083), (18.06, 106.44), (18.040731, 106.428567)
VA_POWER, VINES_PT = (18.09792, 106.38123), (18.075, 106.33)
PARK_CENTRES = {"VA1": (18.07, 106.34), "PV": (18.04, 106.34), "VHVA": (18.028, 106.372), "HS": (17.998, 106.405)}
VA_ZONE = star(
    HT,
    18.05,
    106.378,
    22781,
    "VA-ZONE",
    jitter=0.14,
    aspect=1.25,
    bearing=150,
    must=[
        (*VA_PORT, 1300),
        (*SON_DUONG, 1800),
        (*FHS, 2500),
        (*VA_POWER, 1200),
        (*VINES_PT, 800),
        (*PARK_CENTRES["VA1"], 1800),
        (*PARK_CENTRES["PV"], 1600),
        (*PARK_CENTRES["VHVA"], 2600),
        (*PARK_CENTRES["HS"], 1700),
    ],
)
zone_version(
    "KKT-VA",
    HT,
    [VA_ZONE],
    D_VA_EST,
    None,
    name_vi="Khu kinh tế Vũng Áng",
    name_en="Vũng Áng Economic Zone",
    zone_type="coastal",
    province="HA_TINH",
    official=22781,
    source=src("VA"),
    notes="22,781 ha (QĐ 72/2006/QĐ-TTg, plan QĐ 1076/QĐ-TTg). Illustrative outline sized to the area around "
    "an ESTIMATED centroid; includes sea area near the ports. Later real plan revisions not modelled.",
)

D_VA_LOCAL = decision(
    next_no("QĐ-TTg", 1400),
    "Phê duyệt điều chỉnh cục bộ Quy hoạch chung xây dựng Khu kinh tế Vũng Áng (khu dân cư – tái định cư phía Tây Nam)",
    "Local revision of the Vũng Áng EZ general plan (south-west residential & resettlement area)",
    "2024-10-08",
    *PM,
    "local_revision",
    plan_level="general",
    zone="KKT-VA",
    notes="ILLUSTRATIVE local revision (điều chỉnh cục bộ) invented for the demo: enlarges the resettlement area "
    "for the Vinhomes Vũng Áng IP relocations (the ~143 ha resettlement site is real, this decision is not).",
)

VA_FA_POLY = {}
va_placed: list = []


def va_fa(suffix, lat, lon, area, *, must=(), aspect=1.3, bearing=None, key=None, min_fraction=0.99, extra=()):
    """Place one Vũng Áng functional-area polygon (local) avoiding the ones already placed."""
    pt = Point(HT.xy(lat, lon))
    if not VA_ZONE.contains(pt) or any(p.contains(pt) for p in va_placed):
        fail(f"KKT-VA-{suffix}: centre outside the zone or inside another area")
    poly = star(
        HT,
        lat,
        lon,
        area,
        key or f"VA-FA-{suffix}",
        jitter=0.2,
        aspect=aspect,
        bearing=RNG.uniform(0, 180) if bearing is None else bearing,
        obstacles=rings(VA_ZONE, *va_placed, *extra),
        must=must,
        margin=30,
        min_fraction=min_fraction,
    )
    return poly


# non-tariff zone: Sơn Dương port 410 ha + back-up area 320 ha (two parts)
ptq_a = va_fa("PTQ-A", *SON_DUONG, 410, must=[(*SON_DUONG, 200)])
va_placed.append(ptq_a)
ptq_b = va_fa("PTQ-B", 18.073, 106.417, 320)
va_placed.append(ptq_b)
VA_FA_POLY["PTQ"] = MultiPolygon([ptq_a, ptq_b])
VA_FA_POLY["CANG"] = va_fa("CANG", 18.118, 106.395, 450, must=[(*VA_PORT, 150)])
va_placed.append(VA_FA_POLY["CANG"])
VA_FA_POLY["DL_DIEN"] = va_fa("DL_DIEN", 18.093, 106.384, 520, must=[(*VA_POWER, 500)])
va_placed.append(VA_FA_POLY["DL_DIEN"])
cn_n = va_fa(
    "CN-N",
    18.055,
    106.340,
    1500,
    aspect=2.0,
    bearing=0,
    must=[(*PARK_CENTRES["VA1"], 1350), (*PARK_CENTRES["PV"], 1200)],
)
va_placed.append(cn_n)
cn_s = va_fa(
    "CN-S",
    18.015,
    106.388,
    2700,
    aspect=1.6,
    bearing=135,
    must=[(*PARK_CENTRES["VHVA"], 2150), (*PARK_CENTRES["HS"], 1250)],
)
va_placed.append(cn_s)
VA_FA_POLY["CN"] = MultiPolygon([cn_n, cn_s])
VA_FA_POLY["LK"] = va_fa("LK", 18.036, 106.437, 1300, must=[(*FHS, 300)], min_fraction=0.9)
va_placed.append(VA_FA_POLY["LK"])
VA_FA_POLY["DT"] = va_fa("DT", 18.098, 106.338, 1400, min_fraction=0.9)
va_placed.append(VA_FA_POLY["DT"])
VA_FA_POLY["TMDV"] = va_fa("TMDV", 18.078, 106.372, 300, min_fraction=0.9)
va_placed.append(VA_FA_POLY["TMDV"])
VA_FA_POLY["DLICH"] = va_fa("DLICH", 18.0, 106.432, 300, min_fraction=0.8)
va_placed.append(VA_FA_POLY["DLICH"])
VA_FA_POLY["HC"] = va_fa("HC", 18.062, 106.392, 60, min_fraction=0.9)
va_placed.append(VA_FA_POLY["HC"])
VA_FA_POLY["NLN"] = va_fa("NLN", 17.982, 106.372, 400, min_fraction=0.6)
va_placed.append(VA_FA_POLY["NLN"])
# resettlement: v1 (1076) and enlarged v2 (local revision); v2 avoids every other current area
VA_FA_POLY["TDC-v1"] = va_fa("TDC", 18.018, 106.328, 300, min_fraction=0.9, key="VA-FA-TDC-v1")
VA_FA_POLY["TDC-v2"] = va_fa("TDC", 18.018, 106.328, 445, min_fraction=0.9, key="VA-FA-TDC-v2")
VA_FAS = [  # suffix, vi, en, type, note
    (
        "PTQ",
        "Khu phi thuế quan (cảng Sơn Dương và khu hậu cần)",
        "Non-tariff zone (Sơn Dương port + back-up area)",
        "non_tariff",
        "QĐ 1076: ~730 ha = Sơn Dương port 410 ha + 320 ha back-up; two illustrative parts sized so.",
    ),
    ("CANG", "Khu cảng Vũng Áng", "Vũng Áng port area", "logistics_port", "Around the SOURCED Vũng Áng bay point."),
    (
        "DL_DIEN",
        "Trung tâm điện lực Vũng Áng",
        "Vũng Áng power centre",
        "industrial",
        "Around the GEM complex point of Vũng Áng 1/2 power plants.",
    ),
    (
        "CN",
        "Các khu công nghiệp tập trung",
        "Industrial parks area",
        "industrial",
        "Two illustrative parts holding the IPs Vũng Áng 1, Phú Vinh, Vinhomes Vũng Áng and Hoành Sơn.",
    ),
    (
        "LK",
        "Khu liên hợp luyện kim và công nghiệp nặng",
        "Steel & heavy-industry complex",
        "industrial",
        "Around the SOURCED Formosa Hà Tĩnh point; size illustrative (FHS allocation ~3,300 ha incl. port).",
    ),
    ("DT", "Khu đô thị trung tâm", "Central urban area", "urban", None),
    ("TMDV", "Khu thương mại – dịch vụ", "Trade & services area", "trade_services", None),
    ("DLICH", "Khu du lịch biển Kỳ Nam", "Kỳ Nam coastal tourism area", "tourism", None),
    ("HC", "Khu điều hành – hành chính Khu kinh tế", "EZ administrative centre", "administrative", None),
    ("NLN", "Khu nông – lâm nghiệp", "Agro-forestry area", "agro_forestry", None),
]
for suffix, vi, en, typ, note in VA_FAS:
    fa_version(
        f"KKT-VA-{suffix}",
        "KKT-VA",
        HT,
        VA_FA_POLY[suffix],
        D_VA_PLAN,
        None,
        name_vi=vi,
        name_en=en,
        area_type=typ,
        source=src("VA_1076") if suffix == "PTQ" else ILLUS,
        notes=((note + " ") if note else "") + "Illustrative outline (plan maps not digitised).",
    )
fa_version(
    "KKT-VA-TDC",
    "KKT-VA",
    HT,
    VA_FA_POLY["TDC-v1"],
    D_VA_PLAN,
    eff(D_VA_LOCAL),
    name_vi="Khu dân cư – tái định cư phía Tây Nam",
    name_en="South-west residential & resettlement area",
    area_type="residential_resettlement",
    source=ILLUS,
    notes="Illustrative outline; replaced by the local revision.",
)
fa_version(
    "KKT-VA-TDC",
    "KKT-VA",
    HT,
    VA_FA_POLY["TDC-v2"],
    D_VA_LOCAL,
    None,
    name_vi="Khu dân cư – tái định cư phía Tây Nam (điều chỉnh cục bộ)",
    name_en="South-west residential & resettlement area (local revision)",
    area_type="residential_resettlement",
    source=src("VHVA"),
    notes="Illustrative: enlarged by an ILLUSTRATIVE local revision to take the Vinhomes Vũng Áng relocations "
    "(the ~143 ha resettlement site and 1,335 households are from the source).",
)


# --- industrial parks and plots ---------------------------------------------------------------------------------

PARKS: dict[str, dict] = {}  # uid → {"local": Local, "versions": [(geom_local, dec, to)], ...}
PLOTS: list[dict] = []  # plot records before writing: uid, code, park, versions...


def park_decision(park_uid, name_vi, year_date, auth, suffix, start, zone=None):
    """Illustrative detailed plan (quy hoạch chi tiết 1/500) of a park: the decision of its first version."""
    return decision(
        next_no(suffix, start),
        f"Phê duyệt Quy hoạch chi tiết xây dựng tỷ lệ 1/500 {name_vi}",
        f"Approving the 1/500 detailed plan of {park_uid}",
        year_date,
        *auth,
        "approve_plan",
        plan_level="detailed",
        zone=zone,
    )


PARK_SPECS = [
    # uid, local, name_vi, name_en, kind, centre, area_ha (polygon), official, province, zone, developer,
    # term (from, to), rent (lo, hi), plan decision (date, authority, suffix, start), lot grid params, notes, source
    dict(
        uid="KCN-VA1",
        local=HT,
        vi="Khu công nghiệp Vũng Áng 1",
        en="Vũng Áng 1 Industrial Park",
        kind="industrial_park",
        centre=PARK_CENTRES["VA1"],
        area=350,
        official=None,
        province="HA_TINH",
        zone="KKT-VA",
        developer="Ban Quản lý Khu kinh tế tỉnh Hà Tĩnh (hạ tầng ngân sách) - VERIFY",
        term=("2010-05-20", "2060-05-20"),
        rent=(45, 70),
        plan=("2010-05-20", BQL_HT, "QĐ-BQLKKT", 100),
        grid=dict(angle=12),
        source=src("VA_IPS"),
        notes="Operating IP in Vũng Áng EZ; area not found - 350 ha polygon is ILLUSTRATIVE (official_area_ha left "
        "null). Developer, term, rents and capacities illustrative.",
        power=110,
        water=10000,
        ww=6000,
    ),
    dict(
        uid="KCN-PV",
        local=HT,
        vi="Khu công nghiệp Phú Vinh",
        en="Phú Vinh Industrial Park",
        kind="industrial_park",
        centre=PARK_CENTRES["PV"],
        area=250,
        official=None,
        province="HA_TINH",
        zone="KKT-VA",
        developer="Nhà đầu tư hạ tầng tư nhân (tên chưa xác minh)",
        term=("2016-08-15", "2066-08-15"),
        rent=(42, 65),
        plan=("2016-08-15", BQL_HT, "QĐ-BQLKKT", 100),
        grid=dict(angle=-8),
        source=src("VA_IPS"),
        notes="Infrastructure project inside Vũng Áng EZ run by a private developer; area not found - 250 ha polygon "
        "ILLUSTRATIVE. Term, rents illustrative.",
        power=110,
        water=6000,
        ww=4000,
    ),
    dict(
        uid="KCN-VHVA",
        local=HT,
        vi="Khu công nghiệp Vinhomes Vũng Áng",
        en="Vinhomes Vũng Áng Industrial Park",
        kind="industrial_park",
        centre=PARK_CENTRES["VHVA"],
        area=964.84,
        official=964.84,
        province="HA_TINH",
        zone="KKT-VA",
        developer="Công ty Cổ phần Vinhomes",
        term=("2024-12-10", "2094-12-10"),
        rent=(55, 85),
        plan=("2024-12-10", BQL_HT, "QĐ-BQLKKT", 100),
        grid=dict(angle=25, row_h=(260, 420), col_w=(200, 480)),
        source=src("VHVA"),
        notes="~965 ha (phase 1 500 ha, phase 2 465 ha; 662 ha factory/warehouse land; 31 ha services/worker housing; "
        "757 ha farmland; 1,335 households to relocate; operating life 70 years) per source. Outline, lot layout "
        "and start date ILLUSTRATIVE; lots CN4 and CN5 exist by name in the source.",
        power=220,
        water=30000,
        ww=24000,
    ),
    dict(
        uid="KCN-HS",
        local=HT,
        vi="Khu công nghiệp Hoành Sơn",
        en="Hoành Sơn Industrial Park",
        kind="industrial_park",
        centre=PARK_CENTRES["HS"],
        area=300,
        official=None,
        province="HA_TINH",
        zone="KKT-VA",
        developer="Chủ đầu tư hạ tầng (chưa xác minh)",
        term=("2018-04-02", "2068-04-02"),
        rent=(40, 60),
        plan=("2018-04-02", BQL_HT, "QĐ-BQLKKT", 100),
        grid=dict(angle=-20),
        source=src("VA_IPS"),
        notes='Seed spelling "Hoàn Sơn" read as "Hoành Sơn" (near Hoành Sơn pass) - VERIFY. Area not found - 300 ha '
        "polygon ILLUSTRATIVE; position moved ~1.5 km N of the places.csv estimate to stay inside the zone.",
        power=110,
        water=5000,
        ww=3500,
    ),
    dict(
        uid="KCN-GL",
        local=HT,
        vi="Khu công nghiệp Gia Lách",
        en="Gia Lách Industrial Park",
        kind="industrial_park",
        centre=(18.652, 105.715),
        area=120,
        official=None,
        province="HA_TINH",
        zone=None,
        developer="Công ty phát triển hạ tầng KCN (chưa xác minh)",
        term=("2008-09-12", "2058-09-12"),
        rent=(55, 80),
        plan=("2008-09-12", UBND_HT, "QĐ-UBND", 1000),
        grid=dict(angle=5),
        source=src("GIA_LACH"),
        notes="Operating IP in Nghi Xuân, bounded W by QL1; original area not found - 120 ha polygon ILLUSTRATIVE.",
        power=110,
        water=4000,
        ww=3000,
    ),
    dict(
        uid="KCN-TPT",
        local=HG,
        vi="Khu công nghiệp Tân Phú Thạnh",
        en="Tân Phú Thạnh Industrial Park",
        kind="industrial_park",
        centre=(9.968, 105.735),
        area=210,
        official=210,
        province="HAU_GIANG",
        zone=None,
        developer="Chủ đầu tư hạ tầng KCN Tân Phú Thạnh (tên chưa xác minh)",
        term=("2009-07-30", "2059-07-30"),
        rent=(60, 95),
        plan=("2010-03-18", UBND_HG, "QĐ-UBND", 1000),
        grid=dict(angle=-35),
        source=src("TPT"),
        notes="210 ha total (phase 1 201 ha operating), term 2009-2059, Tân Phú Thạnh commune, Châu Thành A; W edge "
        "on Ba Láng river. Outline and lots ILLUSTRATIVE around an ESTIMATED point; term days illustrative.",
        power=110,
        water=12000,
        ww=8000,
    ),
    dict(
        uid="CCN-TAN-TIEN",
        local=HG,
        vi="Cụm công nghiệp – kho tàng bến bãi Tân Tiến",
        en="Tân Tiến Industrial & Warehousing Cluster",
        kind="industrial_cluster",
        centre=(9.745, 105.44),
        area=45,
        official=None,
        province="HAU_GIANG",
        zone=None,
        developer="Trung tâm phát triển cụm công nghiệp (minh họa)",
        term=("2015-06-01", "2065-06-01"),
        rent=(50, 65),
        plan=("2015-06-01", UBND_HG, "QĐ-UBND", 1000),
        grid=dict(angle=15, row_h=(100, 160), col_w=(100, 190), road_main=20, road_minor=12, inset=15),
        source=src("HG_LOG"),
        notes="Named as a potential logistics site; location and area NOT found - 45 ha cluster ILLUSTRATIVE "
        "(CCN regime: 10-75 ha).",
        power=22,
        water=1000,
        ww=800,
    ),
    dict(
        uid="CCN-TAN-THANH",
        local=HG,
        vi="Cụm công nghiệp Tân Thành",
        en="Tân Thành Industrial Cluster",
        kind="industrial_cluster",
        centre=(9.8, 105.8),
        area=35,
        official=None,
        province="HAU_GIANG",
        zone=None,
        developer="Trung tâm phát triển cụm công nghiệp (minh họa)",
        term=("2017-09-20", "2067-09-20"),
        rent=(50, 62),
        plan=("2017-09-20", UBND_HG, "QĐ-UBND", 1000),
        grid=dict(angle=-10, row_h=(100, 150), col_w=(100, 180), road_main=20, road_minor=12, inset=15),
        source=src("HG_LOG"),
        notes="Assumed in Tân Thành commune, Ngã Bảy - VERIFY; 35 ha cluster ILLUSTRATIVE.",
        power=22,
        water=800,
        ww=600,
    ),
    dict(
        uid="KCN-GIAN-KHAU",
        local=NB,
        vi="Khu công nghiệp Gián Khẩu",
        en="Gián Khẩu Industrial Park",
        kind="industrial_park",
        centre=(20.308, 105.903),
        area=262,
        official=None,
        province="NINH_BINH",
        zone=None,
        developer="Ban Quản lý các KCN tỉnh Ninh Bình (hạ tầng ngân sách)",
        term=("2004-05-10", "2054-05-10"),
        rent=(80, 115),
        plan=("2004-05-10", UBND_NB, "QĐ-UBND", 1000),
        grid=dict(angle=30),
        source=src("NB"),
        notes="Operating, 'basically filled', State-budget infrastructure. Area 262 ha from memory - VERIFY (used "
        "only to size the illustrative polygon; official_area_ha left null).",
        power=110,
        water=10000,
        ww=7000,
    ),
    dict(
        uid="KCN-KHANH-PHU",
        local=NB,
        vi="Khu công nghiệp Khánh Phú",
        en="Khánh Phú Industrial Park",
        kind="industrial_park",
        centre=(20.218, 106.01),
        area=351,
        official=None,
        province="NINH_BINH",
        zone=None,
        developer="Ban Quản lý các KCN tỉnh Ninh Bình (hạ tầng ngân sách)",
        term=("2014-08-01", "2064-08-01"),
        rent=(70, 100),
        plan=("2014-08-01", UBND_NB, "QĐ-UBND", 1000),
        grid=dict(angle=-15),
        source=src("KHANH_PHU"),
        notes="Formerly KCN Ninh Phúc (renamed 2014); operating, State-budget infrastructure. Area 351 ha from memory "
        "- VERIFY (sizes the illustrative polygon only).",
        power=110,
        water=15000,
        ww=10000,
    ),
]
PARK_HOSTS = {"KCN-VA1": cn_n, "KCN-PV": cn_n, "KCN-VHVA": cn_s, "KCN-HS": cn_s}  # local FA parts holding them
host_placed: dict[int, list] = {}
for spec in PARK_SPECS:
    uid, local = spec["uid"], spec["local"]
    obstacles = []
    if uid in PARK_HOSTS:
        host = PARK_HOSTS[uid]
        obstacles = rings(host, *host_placed.setdefault(id(host), []))
    poly = star(
        local,
        *spec["centre"],
        spec["area"],
        f"PARK-{uid}",
        jitter=0.15,
        aspect=1.4,
        bearing=RNG.uniform(0, 180),
        obstacles=obstacles,
        margin=40,
    )
    if uid in PARK_HOSTS:
        host_placed[id(PARK_HOSTS[uid])].append(poly)
    dec_no = park_decision(
        uid, spec["vi"], spec["plan"][0], spec["plan"][1], spec["plan"][2], spec["plan"][3], zone=spec["zone"]
    )
    spec["versions"] = [(MultiPolygon([poly]), dec_no, None)]
    spec["core"] = poly
    PARKS[uid] = spec

# Gia Lách expansion (QĐ 578/QĐ-UBND): a 194 ha second part east of QL1 → new version of the park
gl = PARKS["KCN-GL"]
gl_core = gl["core"]
gl_exp = star(
    HT,
    *offset(*gl["centre"], 75, 1900),
    194,
    "PARK-KCN-GL-EXP",
    jitter=0.15,
    aspect=1.5,
    bearing=30,
    obstacles=rings(gl_core),
    margin=60,
)
gl["versions"] = [
    (MultiPolygon([gl_core]), gl["versions"][0][1], eff(D_GL_578)),
    (MultiPolygon([gl_core, gl_exp]), D_GL_578, None),
]
gl["expansion"] = gl_exp
D_GL_EXP_DETAIL = decision(
    next_no("QĐ-UBND", 1000),
    "Phê duyệt Quy hoạch chi tiết xây dựng tỷ lệ 1/500 Khu công nghiệp Gia Lách mở rộng",
    "Approving the 1/500 detailed plan of the Gia Lách IP expansion",
    "2025-05-20",
    *UBND_HT,
    "approve_plan",
    plan_level="detailed",
)

# ---- lots ----
ROW_DEFAULT = dict(row_h=(180, 300), col_w=(120, 320), road_main=30.0, road_minor=16.0, inset=25.0)


def make_lots(park_uid, poly, key, grid):
    """Lots of one park polygon (local)."""
    params = {**ROW_DEFAULT, **grid}
    angle = params.pop("angle")
    return lot_grid(poly, key, angle=angle, **params)


def rent_for(spec, rng):
    """Land rent of a lot (USD/m² for the remaining term) within the park's band."""
    lo, hi = spec["rent"]
    return round(rng.uniform(lo, hi) * 2) / 2


PLOT_RNG = random.Random(f"{SEED}/plots")
for spec in PARK_SPECS:
    uid = spec["uid"]
    lots = make_lots(uid, spec["core"], f"LOTS-{uid}", spec["grid"])
    if uid == "KCN-GL":
        exp_lots = make_lots(uid, gl["expansion"], "LOTS-KCN-GL-EXP", dict(angle=30))
    else:
        exp_lots = []
    spec["lots"] = []
    counters = {"CN": 0, "KH": 0, "DV": 0}
    for group, lot_list, dec_no in (("core", lots, spec["versions"][0][1]), ("exp", exp_lots, D_GL_EXP_DETAIL)):
        for k, rect in enumerate(lot_list):
            # a few warehouse and service lots per park, the rest industrial
            if k % 9 == 4:
                prefix, func, lu = "KH", "warehouse_logistics", "SKN" if spec["kind"] == "industrial_cluster" else "SKK"
            elif k % 13 == 7:
                prefix, func, lu = "DV", "services", "TMD"
            else:
                prefix, func, lu = "CN", "industrial", "SKN" if spec["kind"] == "industrial_cluster" else "SKK"
            counters[prefix] += 1
            code = f"{prefix}{counters[prefix]}"
            spec["lots"].append(
                dict(
                    uid=f"{uid}-{code}",
                    code=code,
                    park=uid,
                    group=group,
                    func=func,
                    lu=lu,
                    geom=rect,
                    dec=dec_no,
                    rent=rent_for(spec, PLOT_RNG),
                    status=None,
                    versions=None,
                    area_ha=None,
                )
            )
    for lot in spec["lots"]:
        lot["area_ha"] = geod_area_ha(spec["local"].to_wgs(lot["geom"]))


def lot(uid):
    """Find a lot by uid."""
    for spec in PARK_SPECS:
        for item in spec["lots"]:
            if item["uid"] == uid:
                return item
    fail(f"no lot {uid}")


# --- projects -------------------------------------------------------------------------------------------------

PROJECTS: list[dict] = []
MILESTONES: list[tuple] = []
PROJECT_PLOTS: list[tuple] = []
YEAR_FIGURES: list[tuple] = []
MS = ["policy_approved", "irc_issued", "land_handover", "construction_start", "operation_start"]


def policy_decision(name_vi, on, auth, suffix, start, zone=None, note=None):
    """Illustrative investment-policy decision (quyết định chủ trương đầu tư)."""
    return decision(
        next_no(suffix, start),
        f"Chấp thuận chủ trương đầu tư dự án {name_vi}",
        f"Investment policy approval: {name_vi}",
        on,
        *auth,
        "investment_policy",
        zone=zone,
        notes=note,
    )


def schedule(
    policy_on: date,
    status: str,
    rng: random.Random,
    *,
    late: str | None = None,
    gaps=(90, 270, 90, 540),
    late_days=(120, 420),
):
    """Committed and actual milestone dates.

    Committed dates follow the policy date by `gaps` (days).  Milestones a project has reached (by `status`) get an
    actual date on or before the commitment, except the milestone named `late` (and everything after it), which is
    met late or not at all.  Unreached milestones keep only their committed date.
    """
    reached = {"policy_approved": 1, "irc_issued": 2, "under_construction": 4, "operating": 5, "terminated": 3}[status]
    committed = [None]
    cur = policy_on
    for g in gaps:
        cur = cur + timedelta(days=g + rng.randint(-20, 20))
        committed.append(cur)
    actual: list[date | None] = [policy_on]
    slip = 0
    for i in range(1, 5):
        if i >= reached:
            actual.append(None)
            continue
        if late is not None and MS[i] == late:
            slip = rng.randint(*late_days)
        day = committed[i] + timedelta(days=slip) if slip else committed[i] - timedelta(days=rng.randint(0, 45))
        day = max(day, actual[-1])
        if day > AS_OF:
            actual.append(None)
            reached = i
            continue
        actual.append(day)
    return [(MS[i], committed[i], actual[i]) for i in range(5)]


def is_delayed(rows, status):
    """Same rule as layers/projects.py: a committed date before AS_OF missed, or met late."""
    if status == "terminated":
        return False
    return any(c is not None and c < AS_OF and (a is None or a > c) and (a is None or a <= AS_OF) for _, c, a in rows)


def project(
    uid,
    name_vi,
    name_en,
    investor,
    country,
    sector,
    status,
    province,
    *,
    zone=None,
    park=None,
    capital_vnd=None,
    capital_usd=None,
    policy_on,
    policy_auth,
    policy_suffix,
    policy_start,
    late=None,
    gaps=(90, 270, 90, 540),
    plots=(),
    lots_area=None,
    point=None,
    point_local=None,
    site_area=None,
    illustrative_point=True,
    source=ILLUS,
    notes="",
    expect_delayed=False,
    rows=None,
):
    """Register a project with its policy decision, milestones and plots."""
    rng = random.Random(f"{SEED}/project/{uid}")
    pol = policy_decision(name_vi, policy_on, policy_auth, policy_suffix, policy_start, zone=zone)
    ms = rows or schedule(d(policy_on), status, rng, late=late, gaps=gaps)
    if is_delayed(ms, status) != expect_delayed:
        fail(f"{uid}: delayed={is_delayed(ms, status)} but expected {expect_delayed}: {ms}")
    rec = dict(
        uid=uid,
        name_vi=name_vi,
        name_en=name_en,
        investor=investor,
        investor_country=country,
        sector=sector,
        capital_vnd=capital_vnd,
        capital_usd=capital_usd,
        status=status,
        province_code=province,
        zone_uid=zone,
        park_uid=park,
        policy_decision=pol,
        site_area_ha=site_area,
        plots=list(plots),
        point=point,
        point_local=point_local,
        illustrative=illustrative_point,
        source=source,
        notes=notes,
        ms=ms,
    )
    PROJECTS.append(rec)
    for m, c, a in ms:
        MILESTONES.append((uid, m, c, a))
    return rec


def claim(park_uid, target_ha, *, func="industrial", start=0, exclude=()):
    """Consecutive unclaimed lots of a park with a function, until their area reaches target_ha."""
    spec = PARKS[park_uid]
    chosen, total = [], 0.0
    candidates = [
        x
        for x in spec["lots"]
        if x["func"] == func and x["status"] is None and x["uid"] not in exclude and x["group"] == "core"
    ]
    for item in candidates[start:] + candidates[:start]:
        if total >= target_ha:
            break
        chosen.append(item)
        total += item["area_ha"]
    if total < target_ha * 0.6:
        fail(f"{park_uid}: cannot find {target_ha} ha of {func} lots")
    return chosen


HTN, HGN, NBN = "HA_TINH", "HAU_GIANG", "NINH_BINH"
FICT = " (hư cấu)"
FICT_NOTE = "FICTIONAL project and investor invented for the demo; all dates and figures illustrative."

# ---- real Vũng Áng projects ----
project(
    "PRJ-FHS",
    "Khu liên hợp gang thép Formosa Hà Tĩnh",
    "Formosa Hà Tĩnh Steel complex",
    "Công ty TNHH Gang thép Hưng Nghiệp Formosa Hà Tĩnh",
    "TW",
    "Luyện kim – gang thép",
    "operating",
    HTN,
    zone="KKT-VA",
    capital_usd=10_500_000_000,
    policy_on="2008-06-12",
    policy_auth=PM,
    policy_suffix="QĐ-TTg",
    policy_start=700,
    rows=[
        ("policy_approved", None, d("2008-06-12")),
        ("irc_issued", d("2008-07-15"), d("2008-07-10")),
        ("land_handover", d("2010-06-30"), d("2010-06-01")),
        ("construction_start", d("2010-12-31"), d("2010-12-15")),
        ("operation_start", d("2017-06-30"), d("2017-05-29")),
    ],
    site_area=3300,
    point=FHS,
    illustrative_point=False,
    source=src("FHS", illustrative_geometry=False),
    notes="Point SOURCED. Steel production from May 2017; ~3,300 ha allocated in 2010 (incl. port). Capital, policy "
    "decision and milestone dates ILLUSTRATIVE (not the real certificate dates).",
)
project(
    "PRJ-VA1",
    "Nhà máy nhiệt điện Vũng Áng 1 (2×600 MW)",
    "Vũng Áng 1 coal power plant (2×600 MW)",
    "Tổng công ty Điện lực Dầu khí Việt Nam (PV Power)",
    "VN",
    "Năng lượng – nhiệt điện than",
    "operating",
    HTN,
    zone="KKT-VA",
    capital_usd=1_690_000_000,
    policy_on="2008-09-25",
    policy_auth=PM,
    policy_suffix="QĐ-TTg",
    policy_start=700,
    rows=[
        ("policy_approved", None, d("2008-09-25")),
        ("irc_issued", d("2008-12-31"), d("2008-12-10")),
        ("land_handover", d("2009-06-30"), d("2009-05-20")),
        ("construction_start", d("2009-09-30"), d("2009-09-12")),
        ("operation_start", d("2015-01-31"), d("2014-12-30")),
    ],
    site_area=None,
    point=VA_POWER,
    illustrative_point=False,
    source=src("VA_POWER", illustrative_geometry=False),
    notes="Point = GEM complex point (SOURCED). Units online 2014/2015. Capital and milestone dates ILLUSTRATIVE.",
)

# Vũng Áng 2 site: a zone-level lot inside the power-centre area, cleared parcel by parcel
va2_centre = offset(*VA_POWER, 120, 750)
va2_site = star(
    HT,
    *va2_centre,
    48,
    "VA2-SITE",
    jitter=0.12,
    aspect=1.3,
    bearing=40,
    obstacles=rings(VA_FA_POLY["DL_DIEN"]),
    margin=30,
)
va2_rows = [
    ("policy_approved", None, d("2009-12-15")),
    ("irc_issued", d("2010-06-30"), d("2010-06-02")),
    ("land_handover", d("2019-12-31"), d("2021-03-15")),
    ("construction_start", d("2020-06-30"), d("2021-07-20")),
    ("operation_start", d("2025-06-30"), None),
]
project(
    "PRJ-VA2",
    "Nhà máy nhiệt điện Vũng Áng 2 (2×665 MW)",
    "Vũng Áng 2 coal power plant (2×665 MW)",
    "Công ty TNHH Điện lực Vũng Áng 2 (VAPCO)",
    "JP",
    "Năng lượng – nhiệt điện than",
    "under_construction",
    HTN,
    zone="KKT-VA",
    capital_usd=2_200_000_000,
    policy_on="2009-12-15",
    policy_auth=PM,
    policy_suffix="QĐ-TTg",
    policy_start=700,
    rows=va2_rows,
    plots=["KKT-VA-VA2"],
    point_local=va2_site.centroid,
    expect_delayed=True,
    source=src("VA_POWER"),
    notes="Owner VAPCO (investor_country JP is a simplification of a mixed foreign ownership - VERIFY). Exact site "
    "not located: point and the 48 ha site (lot KKT-VA-VA2) ILLUSTRATIVE, ~750 m ESE of the GEM complex "
    "point. Milestone dates and capital ILLUSTRATIVE; shown as delayed.",
)

# ---- Vinhomes Vũng Áng IP (developer project) and its tenants ----
vhva = PARKS["KCN-VHVA"]
project(
    "PRJ-VHVA",
    "Đầu tư xây dựng và kinh doanh kết cấu hạ tầng Khu công nghiệp Vinhomes Vũng Áng",
    "Vinhomes Vũng Áng IP infrastructure",
    "Công ty Cổ phần Vinhomes",
    "VN",
    "Hạ tầng khu công nghiệp",
    "irc_issued",
    HTN,
    zone="KKT-VA",
    park="KCN-VHVA",
    capital_usd=528_000_000,
    policy_on="2024-05-20",
    policy_auth=PM,
    policy_suffix="QĐ-TTg",
    policy_start=700,
    gaps=(75, 1000, 120, 700),
    site_area=964.84,
    point_local=vhva["core"].representative_point(),
    source=src("VHVA"),
    notes="Investment policy approved by the PM in 2024 (USD 528 million, ~965 ha, operation expected from 2028) "
    "per source; the decision number/date here are ILLUSTRATIVE. Clearance parcels attach to this project.",
)
cn4, cn5 = lot("KCN-VHVA-CN4"), lot("KCN-VHVA-CN5")
cn4["status"], cn5["status"] = "leased", "reserved"
project(
    "PRJ-VHVA-CN4",
    "Nhà máy linh kiện điện tử ô tô Kỳ Anh" + FICT,
    "Kỳ Anh automotive electronics plant (fictional)",
    "Công ty TNHH Linh kiện Hà Vũng" + FICT,
    "KR",
    "Điện tử – linh kiện ô tô",
    "irc_issued",
    HTN,
    zone="KKT-VA",
    park="KCN-VHVA",
    capital_usd=85_000_000,
    policy_on="2026-01-12",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    gaps=(60, 300, 60, 500),
    plots=[cn4["uid"]],
    notes=FICT_NOTE,
)
project(
    "PRJ-VHVA-CN5",
    "Nhà máy pin lưu trữ năng lượng Vũng Áng" + FICT,
    "Vũng Áng energy-storage battery plant (fictional)",
    "Công ty Cổ phần Năng lượng Sông Trí" + FICT,
    "VN",
    "Pin – lưu trữ năng lượng",
    "policy_approved",
    HTN,
    zone="KKT-VA",
    park="KCN-VHVA",
    capital_vnd=3_200_000_000_000,
    policy_on="2026-08-03",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    gaps=(120, 300, 90, 540),
    plots=[cn5["uid"]],
    notes=FICT_NOTE + " Lot CN5 reserved for it.",
)

# ---- VA1 park ----
vines_lots = claim("KCN-VA1", 13, start=2)
for x in vines_lots:
    x["status"] = "leased"
project(
    "PRJ-VINES",
    "Nhà máy sản xuất pin VinES Hà Tĩnh",
    "VinES EV battery plant",
    "Công ty Cổ phần VinES Energy Solutions",
    "VN",
    "Pin xe điện",
    "operating",
    HTN,
    zone="KKT-VA",
    park="KCN-VA1",
    capital_vnd=4_000_000_000_000,
    policy_on="2021-10-25",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    gaps=(20, 40, 20, 240),
    plots=[x["uid"] for x in vines_lots],
    source=src("VINES"),
    notes="Established late 2021 on nearly 13 ha in Vũng Áng EZ (source). Site not located: placed on lots of "
    "KCN Vũng Áng 1 (places.csv estimate 18.075,106.33 is ±4 km). Status, capital and dates ILLUSTRATIVE - "
    "VERIFY the plant's current status.",
)
va1_a = claim("KCN-VA1", 22, start=8)
for x in va1_a:
    x["status"] = "leased"
project(
    "PRJ-VA1-VLXD",
    "Nhà máy vật liệu xây dựng Kỳ Anh" + FICT,
    "Kỳ Anh building-materials plant (fictional)",
    "Công ty Cổ phần Vật liệu Hoành Sơn Xanh" + FICT,
    "VN",
    "Vật liệu xây dựng",
    "operating",
    HTN,
    zone="KKT-VA",
    park="KCN-VA1",
    capital_vnd=1_250_000_000_000,
    policy_on="2015-04-07",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    plots=[x["uid"] for x in va1_a],
    notes=FICT_NOTE,
)
va1_b = claim("KCN-VA1", 6, func="warehouse_logistics")
for x in va1_b:
    x["status"] = "leased"
project(
    "PRJ-VA1-KNQ",
    "Kho ngoại quan và trung tâm phân phối Vũng Áng" + FICT,
    "Vũng Áng bonded warehouse (fictional)",
    "Công ty TNHH Logistics Cửa Vũng" + FICT,
    "SG",
    "Kho bãi – logistics",
    "operating",
    HTN,
    zone="KKT-VA",
    park="KCN-VA1",
    capital_usd=24_000_000,
    policy_on="2018-02-26",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    gaps=(45, 180, 60, 360),
    plots=[x["uid"] for x in va1_b],
    notes=FICT_NOTE,
)

# ---- Phú Vinh ----
pv_a = claim("KCN-PV", 18)
for x in pv_a:
    x["status"] = "leased"
project(
    "PRJ-PV-GO",
    "Nhà máy chế biến gỗ xuất khẩu Phú Vinh" + FICT,
    "Phú Vinh export wood-processing plant (fictional)",
    "Công ty TNHH Gỗ Thiên Cầm" + FICT,
    "CN",
    "Chế biến gỗ",
    "under_construction",
    HTN,
    zone="KKT-VA",
    park="KCN-PV",
    capital_usd=46_000_000,
    policy_on="2022-03-14",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    late="operation_start",
    gaps=(60, 200, 60, 900),
    plots=[x["uid"] for x in pv_a],
    expect_delayed=True,
    notes=FICT_NOTE + " Operation start missed.",
)
pv_b = claim("KCN-PV", 9, start=6)
for x in pv_b:
    x["status"] = "terminated-lease"
D_PV_LEASE = decision(
    next_no("QĐ-UBND", 1000),
    "Cho Công ty TNHH May mặc Kỳ Trinh (hư cấu) thuê đất tại KCN Phú Vinh",
    "Land lease in Phú Vinh IP (fictional garment project)",
    "2019-05-06",
    *UBND_HT,
    "land_lease",
    zone="KKT-VA",
)
D_PV_RECOVER = decision(
    next_no("QĐ-UBND", 1000),
    "Thu hồi đất do chấm dứt hoạt động dự án Nhà máy may Kỳ Trinh (hư cấu) tại KCN Phú Vinh",
    "Land recovery after termination of a fictional garment project",
    "2023-09-18",
    *UBND_HT,
    "land_recovery",
    zone="KKT-VA",
)
pv_b_rows = [
    ("policy_approved", None, d("2018-11-20")),
    ("irc_issued", d("2019-02-28"), d("2019-02-11")),
    ("land_handover", d("2019-08-31"), d("2019-07-15")),
    ("construction_start", d("2019-12-31"), None),
    ("operation_start", d("2021-06-30"), None),
]
project(
    "PRJ-PV-MAY",
    "Nhà máy may xuất khẩu Kỳ Trinh" + FICT,
    "Kỳ Trinh garment plant (fictional)",
    "Công ty TNHH May mặc Kỳ Trinh" + FICT,
    "HK",
    "Dệt may",
    "terminated",
    HTN,
    zone="KKT-VA",
    park="KCN-PV",
    capital_usd=12_000_000,
    policy_on="2018-11-20",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    rows=pv_b_rows,
    plots=[x["uid"] for x in pv_b],
    notes=FICT_NOTE + f" Never started construction; terminated and land recovered by {D_PV_RECOVER}.",
)

# ---- Hoành Sơn ----
hs_a = claim("KCN-HS", 16)
for x in hs_a:
    x["status"] = "leased"
project(
    "PRJ-HS-CK",
    "Nhà máy cơ khí chế tạo kết cấu thép Hoành Sơn" + FICT,
    "Hoành Sơn steel-structure plant (fictional)",
    "Công ty Cổ phần Cơ khí Kỳ Nam" + FICT,
    "VN",
    "Cơ khí chế tạo",
    "operating",
    HTN,
    zone="KKT-VA",
    park="KCN-HS",
    capital_vnd=780_000_000_000,
    policy_on="2019-07-01",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    plots=[x["uid"] for x in hs_a],
    notes=FICT_NOTE,
)
hs_b = claim("KCN-HS", 8, start=5)
for x in hs_b:
    x["status"] = "reserved"
project(
    "PRJ-HS-HOA",
    "Nhà máy hóa chất công nghiệp Hoành Sơn" + FICT,
    "Hoành Sơn industrial chemicals plant (fictional)",
    "Công ty TNHH Hóa chất Đèo Ngang" + FICT,
    "TH",
    "Hóa chất",
    "policy_approved",
    HTN,
    zone="KKT-VA",
    park="KCN-HS",
    capital_usd=60_000_000,
    policy_on="2025-01-20",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    late="irc_issued",
    gaps=(150, 270, 90, 540),
    plots=[x["uid"] for x in hs_b],
    expect_delayed=True,
    notes=FICT_NOTE + " IRC not issued by its committed date; lots reserved.",
)

# ---- Gia Lách ----
gl_a = claim("KCN-GL", 30)
for x in gl_a:
    x["status"] = "leased"
project(
    "PRJ-GL-DT",
    "Nhà máy linh kiện điện tử Nghi Xuân" + FICT,
    "Nghi Xuân electronic components plant (fictional)",
    "Công ty TNHH Điện tử Hồng Lam" + FICT,
    "KR",
    "Điện tử",
    "operating",
    HTN,
    park="KCN-GL",
    capital_usd=150_000_000,
    policy_on="2016-09-12",
    policy_auth=UBND_HT,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    plots=[x["uid"] for x in gl_a],
    notes=FICT_NOTE,
)
gl_exp_lots = [x for x in gl["lots"] if x["group"] == "exp" and x["func"] == "industrial"][:3]
for x in gl_exp_lots:
    x["status"] = "leased"
project(
    "PRJ-GL-MR",
    "Nhà máy thiết bị điện Gia Lách" + FICT,
    "Gia Lách electrical equipment plant (fictional)",
    "Công ty TNHH Thiết bị điện Xuân Hải" + FICT,
    "JP",
    "Thiết bị điện",
    "irc_issued",
    HTN,
    park="KCN-GL",
    capital_usd=70_000_000,
    policy_on="2026-02-09",
    policy_auth=UBND_HT,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    gaps=(70, 300, 90, 540),
    plots=[x["uid"] for x in gl_exp_lots],
    notes=FICT_NOTE + " On lots of the 2024 expansion.",
)

# ---- Cầu Treo, An Giang (zone-level projects) ----
project(
    "PRJ-CT-TTTM",
    "Trung tâm thương mại – dịch vụ cửa khẩu Cầu Treo" + FICT,
    "Cầu Treo border trade centre (fictional)",
    "Công ty Cổ phần Thương mại Keo Nưa" + FICT,
    "VN",
    "Thương mại – dịch vụ",
    "under_construction",
    HTN,
    zone="KKTCK-CT",
    capital_vnd=420_000_000_000,
    policy_on="2021-06-21",
    policy_auth=BQL_HT,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    late="construction_start",
    gaps=(60, 240, 90, 720),
    site_area=8.5,
    point_local=CT_FA_POLY[("TMDV", "v2")].representative_point(),
    expect_delayed=True,
    notes=FICT_NOTE + " Construction started late.",
)
project(
    "PRJ-AG-TB-TM",
    "Khu thương mại cửa khẩu Tịnh Biên" + FICT,
    "Tịnh Biên border trade complex (fictional)",
    "Công ty Cổ phần Thương mại Biên giới Thất Sơn" + FICT,
    "VN",
    "Thương mại – dịch vụ",
    "operating",
    "AN_GIANG",
    zone="KKTCK-AG",
    capital_vnd=610_000_000_000,
    policy_on="2017-03-06",
    policy_auth=UBND_AG,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    site_area=12.0,
    point_local=AG_FA_POLY[("TB-TMDV", "new")].representative_point(),
    notes=FICT_NOTE,
)
project(
    "PRJ-AG-VX-LOG",
    "Cảng và kho logistics Vĩnh Xương" + FICT,
    "Vĩnh Xương river port & logistics (fictional)",
    "Công ty Cổ phần Logistics Sông Tiền" + FICT,
    "VN",
    "Cảng – logistics",
    "policy_approved",
    "AN_GIANG",
    zone="KKTCK-AG",
    capital_vnd=950_000_000_000,
    policy_on="2025-10-13",
    policy_auth=UBND_AG,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    late="irc_issued",
    gaps=(200, 270, 90, 540),
    site_area=25.0,
    point_local=AG_FA_POLY[("VX-CANG", "new")].representative_point(),
    expect_delayed=True,
    notes=FICT_NOTE + " IRC overdue.",
)
kb_rows = [
    ("policy_approved", None, d("2019-04-15")),
    ("irc_issued", d("2019-07-31"), d("2019-07-10")),
    ("land_handover", d("2020-03-31"), None),
    ("construction_start", d("2020-09-30"), None),
    ("operation_start", d("2022-06-30"), None),
]
project(
    "PRJ-AG-KB-NS",
    "Nhà máy chế biến nông sản Khánh Bình" + FICT,
    "Khánh Bình agri-processing plant (fictional)",
    "Công ty TNHH Nông sản Bình Di" + FICT,
    "KH",
    "Chế biến nông sản",
    "terminated",
    "AN_GIANG",
    zone="KKTCK-AG",
    capital_usd=8_000_000,
    policy_on="2019-04-15",
    policy_auth=BQL_AG,
    policy_suffix="QĐ-BQLKKT",
    policy_start=100,
    rows=kb_rows,
    site_area=5.0,
    point_local=AG_FA_POLY[("KB-TMDV", "new")].representative_point(),
    notes=FICT_NOTE + " Terminated in 2022 (land never handed over).",
)

# ---- Hậu Giang ----
for pid, vi, en, inv, ctry, sector, status, target, kw in [
    (
        "PRJ-TPT-TS",
        "Nhà máy chế biến thủy sản xuất khẩu Tân Phú Thạnh",
        "Tân Phú Thạnh seafood processing plant",
        "Công ty Cổ phần Thủy sản Ba Láng",
        "VN",
        "Chế biến thủy sản",
        "operating",
        24,
        dict(capital_vnd=900_000_000_000, policy_on="2012-05-14"),
    ),
    (
        "PRJ-TPT-NGK",
        "Nhà máy nước giải khát Hậu Giang",
        "Hậu Giang beverages plant",
        "Công ty TNHH Nước giải khát Sông Hậu",
        "TH",
        "Đồ uống",
        "operating",
        20,
        dict(capital_usd=65_000_000, policy_on="2016-11-07"),
    ),
    (
        "PRJ-TPT-BB",
        "Nhà máy bao bì giấy Châu Thành A",
        "Châu Thành A paper packaging plant",
        "Công ty TNHH Bao bì Xà No",
        "TW",
        "Bao bì",
        "under_construction",
        12,
        dict(capital_usd=30_000_000, policy_on="2024-06-17", gaps=(45, 150, 60, 700)),
    ),
]:
    chosen = claim("KCN-TPT", target, start=len(PROJECTS) % 5)
    for x in chosen:
        x["status"] = "leased"
    project(
        pid,
        vi + FICT,
        en + " (fictional)",
        inv + FICT,
        ctry,
        sector,
        status,
        HGN,
        park="KCN-TPT",
        policy_auth=UBND_HG,
        policy_suffix="QĐ-UBND",
        policy_start=1000,
        plots=[x["uid"] for x in chosen],
        notes=FICT_NOTE,
        **kw,
    )
tt_lots = claim("CCN-TAN-TIEN", 5, func="industrial")
for x in tt_lots:
    x["status"] = "leased"
project(
    "PRJ-TT-KL",
    "Kho lạnh nông sản Vị Thanh" + FICT,
    "Vị Thanh agri-products cold store (fictional)",
    "Công ty TNHH Kho lạnh Kênh Xà No" + FICT,
    "VN",
    "Kho lạnh – logistics",
    "irc_issued",
    HGN,
    park="CCN-TAN-TIEN",
    capital_vnd=180_000_000_000,
    policy_on="2024-09-09",
    policy_auth=UBND_HG,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    late="land_handover",
    gaps=(60, 240, 90, 540),
    plots=[x["uid"] for x in tt_lots],
    expect_delayed=True,
    notes=FICT_NOTE + " Land handover overdue.",
)

# ---- Ninh Bình ----
gk_lots = claim("KCN-GIAN-KHAU", 110)
for x in gk_lots:
    x["status"] = "leased"
project(
    "PRJ-GK-MAY",
    "Tổ hợp nhà máy may và giày dép Gián Khẩu" + FICT,
    "Gián Khẩu garment & footwear complex (fictional)",
    "Công ty TNHH Dệt may Hoa Lư" + FICT,
    "CN",
    "Dệt may – giày dép",
    "operating",
    NBN,
    park="KCN-GIAN-KHAU",
    capital_usd=210_000_000,
    policy_on="2006-03-20",
    policy_auth=UBND_NB,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    plots=[x["uid"] for x in gk_lots],
    notes=FICT_NOTE,
)
kp_lots = claim("KCN-KHANH-PHU", 120)
for x in kp_lots:
    x["status"] = "leased"
project(
    "PRJ-KP-PB",
    "Nhà máy phân bón và hóa chất Khánh Phú" + FICT,
    "Khánh Phú fertiliser & chemicals plant (fictional)",
    "Công ty Cổ phần Hóa chất Sông Đáy" + FICT,
    "VN",
    "Phân bón – hóa chất",
    "operating",
    NBN,
    park="KCN-KHANH-PHU",
    capital_vnd=5_400_000_000_000,
    policy_on="2015-01-19",
    policy_auth=UBND_NB,
    policy_suffix="QĐ-UBND",
    policy_start=1000,
    plots=[x["uid"] for x in kp_lots],
    notes=FICT_NOTE,
)


# --- plot statuses and versions ---------------------------------------------------------------------------------

STATUS_WEIGHTS = {  # for lots not claimed by a project
    "KCN-VA1": (("available", 5), ("reserved", 2), ("not_cleared", 1)),
    "KCN-PV": (("available", 4), ("reserved", 1), ("not_cleared", 3)),
    "KCN-VHVA": (("not_cleared", 1),),
    "KCN-HS": (("available", 3), ("reserved", 1), ("not_cleared", 4)),
    "KCN-GL": (("available", 3), ("reserved", 2)),
    "KCN-TPT": (("available", 3), ("reserved", 2), ("not_cleared", 1)),
    "CCN-TAN-TIEN": (("available", 3), ("not_cleared", 2)),
    "CCN-TAN-THANH": (("available", 4), ("reserved", 1), ("not_cleared", 2)),
    "KCN-GIAN-KHAU": (("available", 1), ("reserved", 2)),
    "KCN-KHANH-PHU": (("available", 2), ("reserved", 2)),
}
st_rng = random.Random(f"{SEED}/status")
for spec in PARK_SPECS:
    weights = STATUS_WEIGHTS[spec["uid"]]
    for item in spec["lots"]:
        if item["status"] is None:
            if item["group"] == "exp":
                item["status"] = st_rng.choice(["not_cleared", "not_cleared", "available"])
            else:
                item["status"] = st_rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]

# Vinhomes Vũng Áng: ~55 ha cleared by a land-recovery decision → those lots become available (second version);
# CN4 then leased (third version), CN5 reserved.
D_VHVA_RECOVER = decision(
    next_no("QĐ-UBND", 1000),
    "Thu hồi đất đợt 1 để thực hiện dự án Khu công nghiệp Vinhomes Vũng Áng",
    "Land recovery (batch 1) for the Vinhomes Vũng Áng IP",
    "2025-09-15",
    *UBND_HT,
    "land_recovery",
    zone="KKT-VA",
)
D_VHVA_CN4_LEASE = decision(
    next_no("QĐ-BQLKKT", 100),
    "Cho thuê lại đất lô CN4 Khu công nghiệp Vinhomes Vũng Áng",
    "Sub-lease of lot CN4 in Vinhomes Vũng Áng IP",
    "2026-06-22",
    *BQL_HT,
    "land_lease",
    zone="KKT-VA",
    notes="ILLUSTRATIVE: the board records the sub-lease (the developer leases "
    "the lot); invented to show a status change.",
)
cleared, total = [], 0.0
for item in vhva["lots"]:
    if item["func"] == "industrial" and total < 55 and item["uid"] not in (cn4["uid"], cn5["uid"]):
        cleared.append(item)
        total += item["area_ha"]
cn4_cn5 = [cn4, cn5]
vhva_dec = vhva["versions"][0][1]
for item in vhva["lots"]:
    if item in cleared:
        item["versions"] = [("not_cleared", vhva_dec, eff(D_VHVA_RECOVER)), ("available", D_VHVA_RECOVER, None)]
    elif item is cn4:
        item["versions"] = [
            ("not_cleared", vhva_dec, eff(D_VHVA_RECOVER)),
            ("available", D_VHVA_RECOVER, eff(D_VHVA_CN4_LEASE)),
            ("leased", D_VHVA_CN4_LEASE, None),
        ]
    elif item is cn5:
        cn5_pol = next(p for p in PROJECTS if p["uid"] == "PRJ-VHVA-CN5")["policy_decision"]
        item["versions"] = [
            ("not_cleared", vhva_dec, eff(D_VHVA_RECOVER)),
            ("available", D_VHVA_RECOVER, eff(cn5_pol)),
            ("reserved", cn5_pol, None),
        ]
# Phú Vinh: the terminated garment project's lots: available → leased → available again
for x in pv_b:
    x["versions"] = [
        ("available", x["dec"], eff(D_PV_LEASE)),
        ("leased", D_PV_LEASE, eff(D_PV_RECOVER)),
        ("available", D_PV_RECOVER, None),
    ]
# Vũng Áng 1: one large available lot split in two by a local revision of the detailed plan
D_VA1_SPLIT = decision(
    next_no("QĐ-BQLKKT", 100),
    "Phê duyệt điều chỉnh cục bộ Quy hoạch chi tiết xây dựng tỷ lệ 1/500 Khu công nghiệp Vũng Áng 1 (chia lô)",
    "Local revision of the Vũng Áng 1 IP detailed plan (lot split)",
    "2021-06-10",
    *BQL_HT,
    "local_revision",
    plan_level="detailed",
    zone="KKT-VA",
)
va1 = PARKS["KCN-VA1"]
split_lot = max(
    (x for x in va1["lots"] if x["status"] in ("available", "reserved") and x["func"] == "industrial"),
    key=lambda x: x["area_ha"],
)
split_lot["versions"] = [(split_lot["status"], split_lot["dec"], eff(D_VA1_SPLIT))]
# the rectangle's corners: rotate back, cut across the long side with a 12 m road, rotate again
_c = va1["core"].centroid
_flat = affinity.rotate(split_lot["geom"], -va1["grid"]["angle"], origin=_c)
_x0, _y0, _x1, _y1 = _flat.bounds
if _x1 - _x0 >= _y1 - _y0:
    _mid = (_x0 + _x1) / 2
    halves = [box(_x0, _y0, _mid - 6, _y1), box(_mid + 6, _y0, _x1, _y1)]
else:
    _mid = (_y0 + _y1) / 2
    halves = [box(_x0, _y0, _x1, _mid - 6), box(_x0, _mid + 6, _x1, _y1)]
for suffix, half, status in zip("AB", halves, ("available", "reserved"), strict=True):
    geom = affinity.rotate(half, va1["grid"]["angle"], origin=_c)
    va1["lots"].append(
        dict(
            uid=f"{split_lot['uid']}{suffix}",
            code=f"{split_lot['code']}{suffix}",
            park="KCN-VA1",
            group="core",
            func="industrial",
            lu="SKK",
            geom=geom,
            dec=D_VA1_SPLIT,
            rent=split_lot["rent"],
            status=status,
            versions=[(status, D_VA1_SPLIT, None)],
            area_ha=geod_area_ha(HT.to_wgs(geom)),
            split_from=split_lot["uid"],
        )
    )

# lease decisions for project lots are implied by the detailed plan version; a note says so
for spec in PARK_SPECS:
    for item in spec["lots"]:
        if item["versions"] is None:
            item["versions"] = [(item["status"], item["dec"], None)]

# --- write plots ---
for spec in PARK_SPECS:
    local = spec["local"]
    for item in spec["lots"]:
        wgs = local.to_wgs(item["geom"])
        func_name = {
            "industrial": ("Lô đất công nghiệp", "Industrial lot"),
            "warehouse_logistics": ("Lô đất kho bãi, logistics", "Warehouse/logistics lot"),
            "services": ("Lô đất dịch vụ", "Services lot"),
        }[item["func"]]
        for status, dec_no, to in item["versions"]:
            note = "ILLUSTRATIVE lot layout (the park's real 1/500 plan is not digitised); rent illustrative."
            if len(item["versions"]) == 1 and status == "leased":
                note += " Status is the current one, carried over the whole version (lease date not modelled)."
            if item.get("split_from"):
                note += f" Created by splitting {item['split_from']} ({D_VA1_SPLIT})."
            if item is split_lot:
                note += f" Split into {item['uid']}A and {item['uid']}B by {D_VA1_SPLIT}."
            if item["uid"] in (cn4["uid"], cn5["uid"]):
                note += " Lot name from the source; geometry and status history illustrative."
            add(
                "land_plots",
                wgs,
                source=src("VHVA") if item["uid"] in (cn4["uid"], cn5["uid"]) else ILLUS,
                notes=note,
                uid=item["uid"],
                valid_from=eff(dec_no),
                valid_to=to,
                decision=dec_no,
                code=item["code"],
                name_vi=f"{func_name[0]} {item['code']}",
                name_en=f"{func_name[1]} {item['code']}",
                park_uid=item["park"],
                zone_uid=spec["zone"],
                planning_function=item["func"],
                landuse_code=item["lu"],
                status=status,
                land_rent_usd_m2=item["rent"],
            )
# Vũng Áng 2 site: a zone-level lot (no park)
va2_pol = next(p for p in PROJECTS if p["uid"] == "PRJ-VA2")["policy_decision"]
add(
    "land_plots",
    HT.to_wgs(va2_site),
    source=src("VA_POWER"),
    notes="ILLUSTRATIVE 48 ha site of the Vũng Áng 2 power plant inside the power-centre area (real site not located); "
    "leased to VAPCO, clearance of the remaining parcels still running.",
    uid="KKT-VA-VA2",
    valid_from=eff(va2_pol),
    valid_to=None,
    decision=va2_pol,
    code="VA2",
    name_vi="Khu đất Nhà máy nhiệt điện Vũng Áng 2",
    name_en="Vũng Áng 2 power plant site",
    park_uid=None,
    zone_uid="KKT-VA",
    planning_function="technical_infra",
    landuse_code=None,
    status="leased",
    land_rent_usd_m2=None,
)

# --- write parks (rents from their lots) ---
for spec in PARK_SPECS:
    rents = [x["rent"] for x in spec["lots"]]
    for k, (geom, dec_no, to) in enumerate(spec["versions"]):
        note = spec["notes"]
        if spec["uid"] == "KCN-GL" and k == 1:
            note += " Version 2 adds the 194 ha expansion (QĐ 578/QĐ-UBND zoning plan 1/2,000) as a second part."
        add(
            "industrial_parks",
            spec["local"].to_wgs(geom),
            source=spec["source"],
            notes=note,
            uid=spec["uid"],
            valid_from=eff(dec_no),
            valid_to=to,
            decision=dec_no,
            name_vi=spec["vi"],
            name_en=spec["en"],
            kind=spec["kind"],
            park_type="regular",
            zone_uid=spec["zone"],
            province_code=spec["province"],
            developer=spec["developer"],
            operating_from=d(spec["term"][0]),
            operating_to=d(spec["term"][1]),
            land_rent_usd_m2_min=min(rents),
            land_rent_usd_m2_max=max(rents),
            factory_rent_usd_m2_month=round(2.5 + (spec["rent"][0] - 40) / 40, 1),
            power_kv=spec["power"],
            water_m3_day=spec["water"],
            wastewater_m3_day=spec["ww"],
            contact=None,
            official_area_ha=spec["official"],
        )


# --- project points, plots, figures ----------------------------------------------------------------------------

LOCAL_OF_PARK = {s["uid"]: s["local"] for s in PARK_SPECS}
fig_rng = random.Random(f"{SEED}/figures")
for p in PROJECTS:
    local = LOCAL_OF_PARK.get(p["park_uid"], AG if p["province_code"] == "AN_GIANG" else HT)
    if p["point"] is not None:
        geom = round7(Point(p["point"][1], p["point"][0]))
    elif p["point_local"] is not None:
        geom = local.to_wgs(p["point_local"])
    else:
        lots_ = [lot(u) if u != "KKT-VA-VA2" else None for u in p["plots"]]
        geom = local.to_wgs(shapely.union_all([x["geom"] for x in lots_]).representative_point())
    if p["site_area_ha"] is None and p["plots"]:
        p["site_area_ha"] = round(
            sum(lot(u)["area_ha"] if u != "KKT-VA-VA2" else geod_area_ha(HT.to_wgs(va2_site)) for u in p["plots"]), 2
        )
    note = p["notes"]
    if p["point"] is None:
        note += " Point illustrative (centre of its lots or area)."
    add(
        "projects",
        geom,
        illustrative=p["illustrative"],
        source=p["source"],
        notes=note,
        uid=p["uid"],
        name_vi=p["name_vi"],
        name_en=p["name_en"],
        investor=p["investor"],
        investor_country=p["investor_country"],
        sector=p["sector"],
        capital_vnd=p["capital_vnd"],
        capital_usd=p["capital_usd"],
        status=p["status"],
        province_code=p["province_code"],
        zone_uid=p["zone_uid"],
        park_uid=p["park_uid"],
        policy_decision=p["policy_decision"],
        site_area_ha=p["site_area_ha"],
    )
    for u in p["plots"]:
        PROJECT_PLOTS.append((p["uid"], u))
    if p["status"] == "operating":
        op = dict((m, a) for m, _, a in p["ms"])["operation_start"]
        if op is None:
            fail(f"{p['uid']}: operating without an operation_start date")
        scale = (p["capital_usd"] or (p["capital_vnd"] or 0) / 25_000) / 1e6  # USD million
        for year in range(max(2021, op.year + (1 if op.month > 6 else 0)), 2026):
            growth = 1 + 0.06 * (year - 2021) + fig_rng.uniform(-0.08, 0.08)
            revenue_usd = scale * 1e6 * fig_rng.uniform(0.6, 1.1) * growth
            exports = (
                revenue_usd * fig_rng.uniform(0.2, 0.85)
                if p["investor_country"] != "VN"
                else revenue_usd * fig_rng.uniform(0.0, 0.4)
            )
            workers = int(min(12000, 80 + scale * fig_rng.uniform(2.5, 6.0)) * growth)
            foreign = int(workers * (fig_rng.uniform(0.01, 0.06) if p["investor_country"] != "VN" else 0.003))
            YEAR_FIGURES.append(
                (p["uid"], year, int(round(revenue_usd * 25_400, -6)), round(exports, 2), workers - foreign, foreign)
            )


# --- clearance parcels ------------------------------------------------------------------------------------------

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Hà",
    "Trương",
    "Thái",
    "Lưu",
    "Mai",
]
MIDDLE_M, MIDDLE_F = ["Văn", "Đình", "Hữu", "Quang", "Xuân", "Minh", "Đức"], ["Thị", "Thị", "Thu", "Ngọc", "Hồng"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Thắng", "Sơn", "Hải", "Long", "Bình", "Cường", "Nam", "Phúc", "Tâm", "Lợi", "Kỳ"]
GIVEN_F = ["Lan", "Hoa", "Hương", "Mai", "Hạnh", "Nga", "Thủy", "Yến", "Loan", "Hà", "Liên", "Tuyết"]


def owner(rng):
    """A fictional Vietnamese owner name (internal field)."""
    if rng.random() < 0.04:
        return "UBND xã (đất công ích)"
    if rng.random() < 0.6:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def clearance(
    project_uid, local, site, key, *, commune, window, cell, angle, batches, sheet0, ont_centre, landuse_mix, price
):
    """Parcels of one project: batches (by column band) go through the stages; stop at AS_OF or when stuck."""
    rng = random.Random(f"{SEED}/clearance/{project_uid}")
    cells = jitter_grid(site, key, cell_w=cell[0], cell_h=cell[1], angle=angle, window=window)
    if not cells:
        fail(f"{project_uid}: no parcels fit")
    imin = min(i for i, _, _ in cells)
    imax = max(i for i, _, _ in cells)
    ocx, ocy = local.xy(*ont_centre)
    per_sheet: dict[str, int] = {}
    approvals: dict[int, date] = {}
    for i, j, quad in cells:
        b = min(len(batches) - 1, (i - imin) * len(batches) // (imax - imin + 1))
        notice = d(batches[b]) + timedelta(days=rng.randint(0, 20))
        plan_day = d(batches[b]) + timedelta(days=150 + 7 * b % 40)
        near_village = math.hypot(quad.centroid.x - ocx, quad.centroid.y - ocy) < 260
        lu = "ONT" if near_village else rng.choices([c for c, _ in landuse_mix], [w for _, w in landuse_mix])[0]
        m2 = quad.area
        name = owner(rng)
        households = 0 if name.startswith("UBND") else (rng.randint(1, 3) if lu == "ONT" else 1)
        resettle = households if (lu == "ONT" and rng.random() < 0.7) else 0
        if lu == "ONT":
            approved = m2 * rng.uniform(*price["ONT"]) + households * rng.uniform(350e6, 900e6)
        else:
            approved = m2 * rng.uniform(*price["farm"])
        dates = {"notice": notice, "inv": None, "plan": None, "paid": None, "hand": None, "enf": None}
        stuck = rng.random()
        inv = notice + timedelta(days=rng.randint(20, 100))
        if inv <= AS_OF and stuck > 0.06:
            dates["inv"] = inv
            if plan_day >= inv and plan_day <= AS_OF and stuck > 0.16:
                dates["plan"] = plan_day
                approvals[b] = plan_day
                if stuck < 0.24:  # refused compensation → enforcement decided
                    enf = plan_day + timedelta(days=rng.randint(120, 260))
                    if enf <= AS_OF:
                        dates["enf"] = enf
                else:
                    paid = plan_day + timedelta(days=rng.randint(5, 30))
                    if paid <= AS_OF:
                        dates["paid"] = paid
                        hand = paid + timedelta(days=rng.randint(10, 120))
                        if hand <= AS_OF and stuck > 0.32:
                            dates["hand"] = hand
        if notice > AS_OF:
            dates = dict.fromkeys(dates)
        sheet = str(sheet0 + (j // 6))
        per_sheet[sheet] = per_sheet.get(sheet, 0) + rng.randint(1, 4)
        stage_note = "Parcel geometry, owner, amounts and dates ILLUSTRATIVE (invented cadastral layout)."
        if dates["enf"]:
            stage_note += " Owner refused the compensation plan; enforcement (cưỡng chế) decided."
        add(
            "clearance_parcels",
            local.to_wgs(quad),
            source=ILLUS,
            notes=stage_note,
            project_uid=project_uid,
            parcel_no=str(per_sheet[sheet]),
            map_sheet=sheet,
            commune_code=commune,
            landuse_code=lu,
            owner_name=name,
            households_affected=households,
            households_to_resettle=resettle,
            compensation_approved_vnd=int(round(approved, -3)) if dates["plan"] else None,
            compensation_paid_vnd=int(round(approved, -3)) if dates["paid"] else None,
            notice_issued_on=dates["notice"],
            inventoried_on=dates["inv"],
            plan_approved_on=dates["plan"],
            compensation_paid_on=dates["paid"],
            handed_over_on=dates["hand"],
            enforcement_on=dates["enf"],
        )
    return approvals


vhva_site = vhva["core"]
vc = vhva_site.centroid
vhva_window = affinity.rotate(box(vc.x - 700, vc.y - 150, vc.x + 150, vc.y + 600), 25, origin=vc)
vhva_ont = HT.to_wgs(Point(vc.x - 350, vc.y + 350))
approvals_vhva = clearance(
    "PRJ-VHVA",
    HT,
    vhva_site,
    "PARCELS-VHVA",
    commune="HT_KY_LONG",
    window=vhva_window,
    cell=(55, 70),
    angle=25,
    batches=[
        "2023-03-10",
        "2023-09-12",
        "2024-04-08",
        "2024-10-14",
        "2025-05-05",
        "2025-11-17",
        "2026-06-01",
        "2026-12-01",
    ],
    sheet0=21,
    ont_centre=(vhva_ont.y, vhva_ont.x),
    landuse_mix=[("LUC", 6), ("BHK", 2), ("CLN", 1), ("NTS", 1)],
    price={"ONT": (1.2e6, 2.6e6), "farm": (95e3, 185e3)},
)
va2c = va2_site.centroid
va2_ont = HT.to_wgs(Point(va2c.x + 250, va2c.y - 150))
approvals_va2 = clearance(
    "PRJ-VA2",
    HT,
    va2_site,
    "PARCELS-VA2",
    commune="HT_KY_LOI",
    window=None,
    cell=(50, 62),
    angle=40,
    batches=["2023-05-22", "2024-01-15", "2024-09-03", "2025-06-16", "2026-05-11"],
    sheet0=7,
    ont_centre=(va2_ont.y, va2_ont.x),
    landuse_mix=[("LUC", 3), ("LUK", 2), ("BHK", 2), ("NTS", 2), ("CLN", 1)],
    price={"ONT": (1.0e6, 2.2e6), "farm": (90e3, 170e3)},
)
# one land-recovery + compensation-plan decision per approved batch (district-level bodies before 7/2025)
for pid, approvals, place in (
    ("PRJ-VHVA", approvals_vhva, "Khu công nghiệp Vinhomes Vũng Áng"),
    ("PRJ-VA2", approvals_va2, "Nhà máy nhiệt điện Vũng Áng 2"),
):
    for b in sorted(approvals):
        day = approvals[b]
        body = (
            "Ủy ban nhân dân thị xã Kỳ Anh" if day < d("2025-07-01") else "Ủy ban nhân dân phường Kỳ Anh (sau sắp xếp)"
        )
        note = (
            "ILLUSTRATIVE. Issued by a district/commune-level People's Committee; authority set to "
            "provincial_committee because the vocabulary has no lower level."
        )
        decision(
            next_no("QĐ-UBND", 1000),
            f"Thu hồi đất đợt {b + 1} để thực hiện dự án {place}",
            f"Land recovery, batch {b + 1}: {pid}",
            day,
            "provincial_committee",
            body,
            "land_recovery",
            zone="KKT-VA",
            notes=note,
        )
        decision(
            next_no("QĐ-UBND", 1000),
            f"Phê duyệt phương án bồi thường, hỗ trợ, tái định cư đợt {b + 1} dự án {place}",
            f"Compensation, support and resettlement plan, batch {b + 1}: {pid}",
            day,
            "provincial_committee",
            body,
            "compensation_plan",
            zone="KKT-VA",
            notes=note,
        )


# --- border gates -----------------------------------------------------------------------------------------------


def gate(
    uid,
    vi,
    en,
    cls,
    mode,
    country,
    counterpart,
    cp_name,
    cp_country,
    province,
    zone,
    point,
    *,
    opened=None,
    sourced=False,
    source=ILLUS,
    notes="",
):
    """One border gate point."""
    add(
        "border_gates",
        round7(Point(point[1], point[0])),
        illustrative=not sourced,
        source=source,
        notes=notes,
        uid=uid,
        name_vi=vi,
        name_en=en,
        gate_class=cls,
        mode=mode,
        country=country,
        counterpart_uid=counterpart,
        counterpart_name=cp_name,
        counterpart_country=cp_country,
        province_code=province,
        zone_uid=zone,
        opened_on=d(opened) if opened else None,
    )


gate(
    "CK-TINH-BIEN",
    "Cửa khẩu quốc tế Tịnh Biên",
    "Tịnh Biên International Border Gate",
    "international",
    "road",
    "VN",
    "KH-PHNOM-DEN",
    "Phnom Den",
    "KH",
    "AN_GIANG",
    "KKTCK-AG",
    TB_GATE,
    source=src("TINH_BIEN", illustrative_geometry=False),
    notes="[coord ESTIMATE ±1.5 km] QL91 ↔ Cambodia NR2; counterpart Phnom Den, Takeo.",
)
gate(
    "CK-VINH-XUONG",
    "Cửa khẩu quốc tế Vĩnh Xương",
    "Vĩnh Xương International Border Gate (road + river)",
    "international",
    "road_river",
    "VN",
    "KH-KAORM-SAMNOR",
    "Kaorm Samnor",
    "KH",
    "AN_GIANG",
    "KKTCK-AG",
    VX_GATE,
    opened="2023-02-23",
    source=src("VINH_XUONG", illustrative_geometry=False),
    notes="[coord ESTIMATE ±3 km] International river gate since 1995; road gate merged by NQ 146/NQ-CP "
    "(26/11/2021) and opened 23/2/2023 (opened_on = the road gate).",
)
gate(
    "CK-KHANH-BINH",
    "Cửa khẩu Khánh Bình",
    "Khánh Bình Border Gate",
    "main",
    "road",
    "VN",
    "KH-CHREY-THOM",
    "Chrey Thom",
    "KH",
    "AN_GIANG",
    "KKTCK-AG",
    KB_GATE,
    source=src("KHANH_BINH", illustrative_geometry=False),
    notes="[coord ESTIMATE ±3 km] Main gate; Long Bình–Chrey Thom bridge opened 24/4/2017; upgrade to international "
    "under study (Dec 2025).",
)
gate(
    "CK-CAU-TREO",
    "Cửa khẩu quốc tế Cầu Treo",
    "Cầu Treo International Border Gate",
    "international",
    "road",
    "VN",
    "LA-NAM-PHAO",
    "Nam Phao (Nậm Phao)",
    "LA",
    "HA_TINH",
    "KKTCK-CT",
    CT_GATE,
    sourced=True,
    source=SRC["CT_GATE"],
    notes="[coord SOURCED] International since 08/1997 (day not known, opened_on left empty); "
    "end of QL8 on Keo Nưa pass.",
)
gate(
    "LA-NAM-PHAO",
    "Cửa khẩu quốc tế Nậm Phao (Lào)",
    "Nam Phao International Border Checkpoint (Laos)",
    "international",
    "road",
    "LA",
    "CK-CAU-TREO",
    "Cầu Treo",
    "VN",
    "BOLIKHAMXAY",
    None,
    NAM_PHAO,
    sourced=True,
    source=SRC["CT_GATE"],
    notes="[coord SOURCED] Lao counterpart (Khamkeuth district, Bolikhamxay); province_code "
    "is free text, not an admin_units code.",
)
for uid, vi, en, cls, mode, cp, cp_name, prov, base, bearing, note_src in [
    (
        "KH-PHNOM-DEN",
        "Cửa khẩu Phnom Den (Campuchia)",
        "Phnom Den International Border Gate (Cambodia)",
        "international",
        "road",
        "CK-TINH-BIEN",
        "Tịnh Biên",
        "TAKEO",
        TB_GATE,
        333,
        "TINH_BIEN",
    ),
    (
        "KH-KAORM-SAMNOR",
        "Cửa khẩu Kaorm Samnor (Campuchia)",
        "Kaorm Samnor International Border Gate (Cambodia)",
        "international",
        "road_river",
        "CK-VINH-XUONG",
        "Vĩnh Xương",
        "KANDAL",
        VX_GATE,
        0,
        "VINH_XUONG",
    ),
    (
        "KH-CHREY-THOM",
        "Cửa khẩu Chrey Thom (Campuchia)",
        "Chrey Thom Border Gate (Cambodia)",
        "main",
        "road",
        "CK-KHANH-BINH",
        "Khánh Bình",
        "KANDAL",
        KB_GATE,
        0,
        "KHANH_BINH",
    ),
]:
    gate(
        uid,
        vi,
        en,
        cls,
        mode,
        "KH",
        cp,
        cp_name,
        "VN",
        prov,
        None,
        offset(*base, bearing, 1500),
        source=src(note_src),
        notes="ILLUSTRATIVE point ~1.5 km across the border from the (estimated) Vietnamese "
        "gate; province_code is free text (Cambodian province), not an admin_units code.",
    )

# --- logistics centres, transport nodes and lines ---------------------------------------------------------------

for uid, vi, en, operator, pt, source_key, note in [
    (
        "LC-HG-MEKONG",
        "Trung tâm logistics Mekong",
        "Mekong Logistics Centre",
        None,
        (9.905, 105.87),
        "HG_LOG",
        "[coord ESTIMATE - LOW CONFIDENCE] Planned (one of 3 provincial logistics centres); location not found, placed "
        "near the Hậu Giang port / KCN Sông Hậu.",
    ),
    (
        "LC-HG-VINALINES",
        "Khu trung tâm logistics Hậu Giang",
        "Hậu Giang Logistics Centre (Vinalines Hậu Giang)",
        "Vinalines Hậu Giang (đề xuất)",
        (9.905, 105.872),
        "HG_VINALINES",
        "[coord ESTIMATE ±4 km] Proposed by Vinalines Hậu Giang around its port in KCN Sông Hậu; planned_area_ha left "
        "empty (87.1 ha is the port plan area).",
    ),
    (
        "LC-HG-NONG-SAN",
        "Trung tâm Logistics Nông sản xuất khẩu Hậu Giang",
        "Hậu Giang Export Agri-products Logistics Centre",
        None,
        (9.785, 105.47),
        "HG_LOG",
        "[coord ESTIMATE - LOW CONFIDENCE] Planned; location not found, placed at Vị Thanh (QL61C / Xà No canal).",
    ),
]:
    add(
        "logistics_centres",
        round7(Point(pt[1], pt[0])),
        source=src(source_key),
        notes=note,
        uid=uid,
        name_vi=vi,
        name_en=en,
        status="planned",
        province_code="HAU_GIANG",
        operator=operator,
        planned_area_ha=None,
    )

for uid, vi, en, kind, status, prov, pt, sourced, source, note in [
    (
        "TN-CANG-VUNG-ANG",
        "Cảng Vũng Áng",
        "Vũng Áng port",
        "seaport",
        "operating",
        "HA_TINH",
        VA_PORT,
        True,
        SRC["VA_PORT"],
        "[coord SOURCED] Vũng Áng bay (Kỳ Lợi); berths 1-6 not located individually.",
    ),
    (
        "TN-CANG-SON-DUONG",
        "Cảng Sơn Dương",
        "Sơn Dương deep-water port (Formosa)",
        "seaport",
        "operating",
        "HA_TINH",
        SON_DUONG,
        False,
        src("SON_DUONG"),
        "[coord ESTIMATE ±2 km] 410 ha in the non-tariff zone (QĐ 1076/2007).",
    ),
    (
        "TN-CANG-HAU-GIANG",
        "Cảng Hậu Giang (Vinalines)",
        "Hậu Giang port (Vinalines)",
        "river_port",
        "operating",
        "HAU_GIANG",
        (9.9035, 105.8745),
        False,
        src("HG_VINALINES"),
        "[coord ESTIMATE ±4 km] General port in KCN Sông Hậu: berth 150 m, 20,000 DWT, opened 19/5/2017.",
    ),
    (
        "TN-SB-CAN-THO",
        "Cảng hàng không quốc tế Cần Thơ",
        "Cần Thơ International Airport",
        "airport",
        "operating",
        "CAN_THO",
        (10.085, 105.712),
        False,
        ILLUS,
        "Approximate position (±1 km) - not from places.csv.",
    ),
    (
        "TN-SB-VINH",
        "Cảng hàng không quốc tế Vinh",
        "Vinh International Airport",
        "airport",
        "operating",
        "NGHE_AN",
        (18.7376, 105.6706),
        False,
        ILLUS,
        "Approximate position (±1 km) - not from places.csv; province_code NGHE_AN is free text (not in admin_units).",
    ),
    (
        "TN-NG-MAI-SON",
        "Nút giao Mai Sơn (cao tốc Bắc – Nam phía Đông)",
        "Mai Sơn expressway junction",
        "expressway_junction",
        "operating",
        "NINH_BINH",
        (20.16, 105.93),
        False,
        ILLUS,
        "ILLUSTRATIVE position (±3 km) - VERIFY.",
    ),
    (
        "TN-NG-QL61C-CT-CM",
        "Nút giao QL61C – cao tốc Cần Thơ – Cà Mau",
        "QL61C × Cần Thơ–Cà Mau expressway junction",
        "expressway_junction",
        "under_construction",
        "HAU_GIANG",
        (9.952, 105.698),
        False,
        ILLUS,
        "ILLUSTRATIVE position and status - VERIFY.",
    ),
    (
        "TN-CANG-NINH-PHUC",
        "Cảng Ninh Phúc",
        "Ninh Phúc river port",
        "river_port",
        "operating",
        "NINH_BINH",
        (20.225, 106.022),
        False,
        ILLUS,
        "ILLUSTRATIVE position near KCN Khánh Phú on the Đáy river (±2 km).",
    ),
]:
    add(
        "transport_nodes",
        round7(Point(pt[1], pt[0])),
        illustrative=not sourced,
        source=source,
        notes=note,
        uid=uid,
        name_vi=vi,
        name_en=en,
        kind=kind,
        status=status,
        province_code=prov,
        capacity_note=None,
    )

LINES = [
    (
        "TL-QL61C",
        "Quốc lộ 61C",
        "National Road 61C",
        "national_road",
        "QL61C",
        "HAU_GIANG",
        [
            [
                (10.004, 105.776),
                (9.99, 105.756),
                (9.978, 105.731),
                (9.962, 105.702),
                (9.925, 105.648),
                (9.874, 105.585),
                (9.826, 105.527),
                (9.79, 105.478),
                (9.782, 105.43),
                (9.776, 105.37),
            ]
        ],
        "ILLUSTRATIVE route Cần Thơ (Cái Răng) – Châu Thành A – Vị Thanh – toward Rạch Giá.",
    ),
    (
        "TL-DT931",
        "Đường tỉnh 931",
        "Provincial Road 931",
        "provincial_road",
        "ĐT931",
        "HAU_GIANG",
        [[(9.786, 105.474), (9.76, 105.5), (9.73, 105.53), (9.70, 105.556), (9.68, 105.57)]],
        "ILLUSTRATIVE route Vị Thanh – Long Mỹ direction - VERIFY the alignment.",
    ),
    (
        "TL-KENH-XA-NO",
        "Kênh Xà No",
        "Xà No canal",
        "canal",
        "Xà No",
        "HAU_GIANG",
        [
            [
                (10.002, 105.781),
                (9.986, 105.757),
                (9.973, 105.733),
                (9.957, 105.704),
                (9.921, 105.651),
                (9.87, 105.588),
                (9.822, 105.53),
                (9.787, 105.482),
                (9.781, 105.47),
            ]
        ],
        "ILLUSTRATIVE alignment Cái Răng (Cần Thơ) – Vị Thanh, parallel to QL61C.",
    ),
    (
        "TL-QL91",
        "Quốc lộ 91",
        "National Road 91",
        "national_road",
        "QL91",
        "AN_GIANG",
        [
            [
                (10.05, 105.75),
                (10.16, 105.64),
                (10.27, 105.53),
                (10.38, 105.43),
                (10.48, 105.33),
                (10.573, 105.228),
                (10.7, 105.115),
                (10.66, 105.03),
                (10.625, 104.975),
                (10.613, 104.949),
            ]
        ],
        "ILLUSTRATIVE route Cần Thơ – Long Xuyên – Châu Đốc – Tịnh Biên gate.",
    ),
    (
        "TL-QL8",
        "Quốc lộ 8",
        "National Road 8",
        "national_road",
        "QL8",
        "HA_TINH",
        [
            [
                (18.53, 105.70),
                (18.52, 105.58),
                (18.51, 105.45),
                (18.47, 105.35),
                (18.425, 105.285),
                (18.405, 105.22),
                (18.395, 105.18),
                (18.390175, 105.160144),
            ]
        ],
        "ILLUSTRATIVE route Hồng Lĩnh – Phố Châu – Tây Sơn – Cầu Treo gate (ends at the SOURCED gate point).",
    ),
    (
        "TL-QL1-HT",
        "Quốc lộ 1 (đoạn Hà Tĩnh)",
        "National Road 1 (Hà Tĩnh section)",
        "national_road",
        "QL1",
        "HA_TINH",
        [
            [
                (18.67, 105.705),
                (18.652, 105.701),
                (18.6, 105.71),
                (18.53, 105.72),
                (18.44, 105.82),
                (18.34, 105.9),
                (18.22, 106.05),
                (18.1, 106.22),
                (18.07, 106.29),
                (18.03, 106.33),
                (17.99, 106.38),
                (17.95, 106.43),
            ]
        ],
        "ILLUSTRATIVE route Bến Thủy – Hồng Lĩnh bypass (W of Gia Lách) – Hà Tĩnh – Kỳ Anh – Đèo Ngang.",
    ),
    (
        "TL-CT-CAN-THO-CA-MAU",
        "Cao tốc Cần Thơ – Cà Mau (đoạn Hậu Giang)",
        "Cần Thơ–Cà Mau expressway (Hậu Giang section)",
        "expressway",
        "CT.01",
        "HAU_GIANG",
        [[(10.01, 105.72), (9.952, 105.698), (9.88, 105.66), (9.80, 105.63), (9.72, 105.61)]],
        "ILLUSTRATIVE alignment and ref - VERIFY.",
    ),
]
for uid, vi, en, kind, ref, prov, parts, note in LINES:
    geom = round7(MultiLineString([[(lon, lat) for lat, lon in part] for part in parts]))
    add(
        "transport_lines",
        geom,
        source=ILLUS,
        notes=note,
        uid=uid,
        name_vi=vi,
        name_en=en,
        kind=kind,
        ref=ref,
        province_code=prov,
    )


# --- self-checks ------------------------------------------------------------------------------------------------


def overlaps_in_time(a, b):
    """[from, to) ranges overlap (None = open)."""
    a0, a1 = a["valid_from"], a["valid_to"] or "9999-12-31"
    b0, b1 = b["valid_from"], b["valid_to"] or "9999-12-31"
    return a0 < b1 and b0 < a1


def check_all():
    """Validate everything that is about to be written; raise BuildError on the first problem."""
    dec_numbers = {r["number"] for r in DECISIONS}
    for r in DECISIONS:
        if r["date_effective"] < r["date_signed"]:
            fail(f"decision {r['number']}: effective before signed")
        if r["supersedes"] and r["supersedes"] not in dec_numbers:
            fail(f"decision {r['number']}: supersedes unknown {r['supersedes']}")
        if r["date_signed"] > AS_OF:
            fail(f"decision {r['number']} is in the future")
    for table, rows in FEATURES.items():
        for row, geom in zip(rows, GEOMS[table], strict=True):
            label = f"{table} {row.get('uid') or row.get('code') or row.get('parcel_no')}"
            if geom is None:
                if table != "admin_units":
                    fail(f"{label}: missing geometry")
                continue
            if geom.geom_type != GEOM_TYPE[table]:
                fail(f"{label}: {geom.geom_type} instead of {GEOM_TYPE[table]}")
            if not geom.is_valid:
                fail(f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
            minx, miny, maxx, maxy = geom.bounds
            if not (102 < minx and maxx < 110 and 8 < miny and maxy < 24):
                fail(f"{label}: outside Vietnam/border area")
            for key in ("decision", "policy_decision"):
                if row.get(key) and row[key] not in dec_numbers:
                    fail(f"{label}: unknown decision {row[key]}")
            if row.get("decision") and row["valid_from"] != DEC_BY_NO[row["decision"]]["date_effective"].isoformat():
                fail(f"{label}: valid_from != decision date_effective")
    # versions: no overlap, contiguous, one open
    for table in ("economic_zones", "functional_areas", "industrial_parks", "land_plots"):
        by_uid: dict[str, list] = {}
        for row in FEATURES[table]:
            by_uid.setdefault(row["uid"], []).append(row)
        for uid, versions in by_uid.items():
            versions.sort(key=lambda r: r["valid_from"])
            if sum(1 for v in versions if v["valid_to"] is None) > 1:
                fail(f"{table} {uid}: more than one open version")
            for a, b in zip(versions, versions[1:], strict=False):
                if a["valid_to"] != b["valid_from"]:
                    fail(f"{table} {uid}: versions not contiguous ({a['valid_to']} → {b['valid_from']})")
            for v in versions:
                if v["valid_to"] is not None and v["valid_to"] <= v["valid_from"]:
                    fail(f"{table} {uid}: empty validity")
    admin: dict[str, list] = {}
    for row in FEATURES["admin_units"]:
        admin.setdefault(row["code"], []).append(row)
    for code, versions in admin.items():
        for a in versions:
            for b in versions:
                if a is not b and overlaps_in_time(a, b):
                    fail(f"admin_units {code}: overlapping validity")
    # areas of zones and parks with a published area
    for table in ("economic_zones", "industrial_parks"):
        for row, geom in zip(FEATURES[table], GEOMS[table], strict=True):
            official = row["official_area_ha"]
            if official:
                got = geod_area_ha(geom)
                if abs(got - official) / official > 0.01:
                    fail(f"{table} {row['uid']}: {got:.1f} ha vs published {official}")

    # containment: functional areas in their zone version(s); parks of a zone in it; plots in their park
    def containing(parent_table, uid_field, child_table, child_uid_field, tol=1e-6):
        parents = list(zip(FEATURES[parent_table], GEOMS[parent_table], strict=True))
        for row, geom in zip(FEATURES[child_table], GEOMS[child_table], strict=True):
            parent_uid = row.get(child_uid_field)
            if not parent_uid:
                continue
            hosts = [(p, g) for p, g in parents if p[uid_field] == parent_uid and overlaps_in_time(p, row)]
            if not hosts:
                fail(f"{child_table} {row.get('uid')}: no {parent_table} {parent_uid} valid at the same time")
            for p, g in hosts:
                if not g.buffer(tol).contains(geom):
                    fail(
                        f"{child_table} {row.get('uid')} ({row['valid_from']}) not inside {parent_uid} "
                        f"({p['valid_from']})"
                    )

    containing("economic_zones", "uid", "functional_areas", "zone_uid")
    containing("economic_zones", "uid", "industrial_parks", "zone_uid")
    containing("industrial_parks", "uid", "land_plots", "park_uid")
    for row, geom in zip(FEATURES["land_plots"], GEOMS["land_plots"], strict=True):
        if row["park_uid"] is None:
            zones = [
                g
                for z, g in zip(FEATURES["economic_zones"], GEOMS["economic_zones"], strict=True)
                if z["uid"] == row["zone_uid"]
            ]
            if not zones or not all(z.contains(geom) for z in zones):
                fail(f"land_plots {row['uid']}: not inside its zone")
    # no two same-time functional areas, parks or plots overlap
    for table, group in (("functional_areas", "zone_uid"), ("land_plots", "zone_uid"), ("industrial_parks", "kind")):
        geoms = GEOMS[table]
        tree = STRtree(geoms)
        for i, (row, geom) in enumerate(zip(FEATURES[table], geoms, strict=True)):
            for j in tree.query(geom):
                j = int(j)
                if j <= i:
                    continue
                other = FEATURES[table][j]
                if other.get("uid") == row.get("uid") or not overlaps_in_time(row, other):
                    continue
                if geom.relate_pattern(geoms[j], "T********"):
                    fail(f"{table}: {row['uid']} overlaps {other['uid']} at the same time")
    # clearance parcels: no overlaps, inside the project's site, stage order, money rules
    sites = {
        "PRJ-VHVA": [
            g
            for r, g in zip(FEATURES["industrial_parks"], GEOMS["industrial_parks"], strict=True)
            if r["uid"] == "KCN-VHVA"
        ][0],
        "PRJ-VA2": [
            g for r, g in zip(FEATURES["land_plots"], GEOMS["land_plots"], strict=True) if r["uid"] == "KKT-VA-VA2"
        ][0],
    }
    parcels, pgeoms = FEATURES["clearance_parcels"], GEOMS["clearance_parcels"]
    tree = STRtree(pgeoms)
    keys = set()
    for i, (row, geom) in enumerate(zip(parcels, pgeoms, strict=True)):
        key = (row["project_uid"], row["map_sheet"], row["parcel_no"])
        if key in keys:
            fail(f"clearance parcel number repeated: {key}")
        keys.add(key)
        if not sites[row["project_uid"]].contains(geom):
            fail(f"clearance parcel {key} outside the project's site")
        for j in tree.query(geom):
            if int(j) > i and geom.relate_pattern(pgeoms[int(j)], "T********"):
                fail(f"clearance parcels {key} and #{int(j)} overlap")
        seq = [
            row[k]
            for k in (
                "notice_issued_on",
                "inventoried_on",
                "plan_approved_on",
                "compensation_paid_on",
                "handed_over_on",
            )
        ]
        present = [s for s in seq if s]
        if present != sorted(present) or any(seq[k] is None and seq[k + 1] for k in range(4)):
            fail(f"clearance parcel {key}: stage dates out of order {seq}")
        if (row["compensation_paid_vnd"] is None) != (row["compensation_paid_on"] is None):
            fail(f"clearance parcel {key}: paid amount without payment date or vice versa")
        if row["households_to_resettle"] > row["households_affected"]:
            fail(f"clearance parcel {key}: more to resettle than affected")
        if row["landuse_code"] not in LANDUSE_CODES:
            fail(f"clearance parcel {key}: landuse {row['landuse_code']}")
    stages = set()
    for row in parcels:
        stage = "not_started"
        for k, s in (
            ("notice_issued_on", "notice_issued"),
            ("inventoried_on", "inventoried"),
            ("plan_approved_on", "plan_approved"),
            ("compensation_paid_on", "compensation_paid"),
            ("handed_over_on", "handed_over"),
        ):
            if row[k]:
                stage = s
        stages.add(stage)
    if len(stages) != 6:
        fail(f"clearance stages represented: {sorted(stages)}")
    if not any(r["enforcement_on"] for r in parcels):
        fail("no parcel under enforcement")
    # vocabularies and keys
    for row in FEATURES["land_plots"]:
        if row["planning_function"] not in PLANNING_FUNCTIONS or (
            row["landuse_code"] and row["landuse_code"] not in LANDUSE_CODES
        ):
            fail(f"land plot {row['uid']}: bad code")
    for row in FEATURES["border_gates"]:
        if row["gate_class"] not in GATE_CLASSES:
            fail(f"gate {row['uid']}: class")
    gates = {r["uid"]: r for r in FEATURES["border_gates"]}
    for r in gates.values():
        if r["counterpart_uid"] and gates[r["counterpart_uid"]]["counterpart_uid"] != r["uid"]:
            fail(f"gate {r['uid']}: counterpart not linked both ways")
    plot_uids = {r["uid"] for r in FEATURES["land_plots"]}
    proj_uids = {r["uid"] for r in FEATURES["projects"]}
    linked = {u for _, u in PROJECT_PLOTS}
    for pid, u in PROJECT_PLOTS:
        if u not in plot_uids or pid not in proj_uids:
            fail(f"project_plots ({pid}, {u}) dangles")
    current_leased = {r["uid"] for r in FEATURES["land_plots"] if r["status"] == "leased" and r["valid_to"] is None}
    if current_leased - linked:
        fail(f"leased plots without a project: {sorted(current_leased - linked)[:5]}")
    if len(proj_uids) != len(FEATURES["projects"]):
        fail("duplicate project uid")
    statuses = {r["status"] for r in FEATURES["projects"]}
    if statuses != {"policy_approved", "irc_issued", "under_construction", "operating", "terminated"}:
        fail(f"project statuses: {statuses}")
    delayed = [p["uid"] for p in PROJECTS if is_delayed(p["ms"], p["status"])]
    if len(delayed) < 5:
        fail(f"only {len(delayed)} delayed projects")
    plot_status = {r["status"] for r in FEATURES["land_plots"]}
    if plot_status != {"available", "reserved", "leased", "not_cleared"}:
        fail(f"plot statuses {plot_status}")
    n_plot_uids = len(plot_uids)
    if n_plot_uids < 220:
        fail(f"only {n_plot_uids} plots")
    if len(parcels) < 150:
        fail(f"only {len(parcels)} clearance parcels")
    if not {"KCN-VHVA-CN4", "KCN-VHVA-CN5"} <= plot_uids:
        fail("Vinhomes Vũng Áng lots CN4/CN5 missing")
    for row in FEATURES["land_plots"]:
        if row["land_rent_usd_m2"] is not None and not 40 <= row["land_rent_usd_m2"] <= 150:
            fail(f"rent out of band: {row['uid']}")
    return delayed


# --- writing ----------------------------------------------------------------------------------------------------


def _num(v):
    """JSON-friendly numbers (ints stay ints)."""
    if isinstance(v, float) and v.is_integer() and abs(v) > 1e6:
        return int(v)
    return v


def _coords(obj):
    """Round nested coordinate arrays to 7 decimals (already rounded; this only normalises types)."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), 7) for c in obj]
        return [_coords(o) for o in obj]
    return obj


def geojson_text(table: str) -> str:
    """A FeatureCollection, one feature per line (stable diffs), UTF-8 literal diacritics."""
    lines = []
    for row, geom in zip(FEATURES[table], GEOMS[table], strict=True):
        if geom is None:
            g = None
        else:
            if geom.geom_type in ("Polygon", "MultiPolygon"):
                geom = shapely.orient_polygons(geom, exterior_cw=False)  # RFC 7946: exteriors counter-clockwise
            m = mapping(geom)
            g = {"type": m["type"], "coordinates": _coords(m["coordinates"])}
        props = {k: _num(v) for k, v in row.items()}
        lines.append(json.dumps({"type": "Feature", "properties": props, "geometry": g}, ensure_ascii=False))
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def csv_text(header, rows) -> str:
    """CSV with a header row; None → empty, booleans → true/false, dates → ISO."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        out = []
        for v in r:
            if v is None:
                out.append("")
            elif isinstance(v, bool):
                out.append("true" if v else "false")
            elif isinstance(v, date):
                out.append(v.isoformat())
            else:
                out.append(v)
        w.writerow(out)
    return buf.getvalue()


def main() -> int:
    """Check, then write every file; print counts."""
    try:
        delayed = check_all()
    except BuildError as exc:
        print(f"build_demo_data: FAILED: {exc}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    for table in FEATURES:
        files[f"{table}.geojson"] = geojson_text(table)
    files["decisions.csv"] = csv_text(DEC_COLUMNS, [[r[c] for c in DEC_COLUMNS] for r in DECISIONS])
    files["project_milestones.csv"] = csv_text(["project_uid", "milestone", "committed_on", "actual_on"], MILESTONES)
    files["project_plots.csv"] = csv_text(["project_uid", "plot_uid"], sorted(set(PROJECT_PLOTS)))
    files["project_year_figures.csv"] = csv_text(
        ["project_uid", "year", "revenue_vnd", "exports_usd", "workers_domestic", "workers_foreign"], YEAR_FIGURES
    )
    for name, text in sorted(files.items()):
        (OUT / name).write_text(text, encoding="utf-8")
    counts = {
        name: (len(FEATURES[name.split(".")[0]]) if name.endswith(".geojson") else text.count("\n") - 1)
        for name, text in files.items()
    }
    for name in sorted(counts):
        print(f"{name:28s} {counts[name]:5d}")
    print(
        f"distinct plot uids: {len({r['uid'] for r in FEATURES['land_plots']})}; "
        f"delayed projects as of {AS_OF}: {', '.join(delayed)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
