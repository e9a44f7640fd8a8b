"""Deterministic scale data: synthetic zones, parks, plots, projects and clearance parcels for load tests.

Everything is built in a VN-2000 TM-3 metric CRS around real places (data/reference/places.csv), then written
in lon/lat with COPY. Cells come from jittered rectilinear grids whose neighbours share vertices bit for bit,
and each park or project site sits in its own disc, so no two parcels (or plots, or parks) overlap.
Every generated row is marked `GEN-` (uid, or decision number) so a rerun replaces it and touches nothing else.
"""

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import shapely
from pyproj import Transformer
from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.engine import Row

from gis import models
from gis.vocab import (
    Authority,
    DecisionKind,
    Milestone,
    ParkKind,
    ParkType,
    PlanLevel,
    PlotStatus,
    ProjectStatus,
    ZoneType,
)

Progress = Callable[[str, int, int], None]

GEN = "GEN-"
SOURCE = "zoneatlas demo generate"
NOTE_VI = "Dữ liệu giả lập để thử tải (không phải dữ liệu thật)"
CUTOFF = np.datetime64("2025-12-31")  # no generated event lies after this: output must not depend on today
COPY_CHUNK = 20_000
PARCELS_PER_SITE = 700  # mean parcels per clearance project
MAX_SITES = 300
PLOTS_PER_TENANT = 100  # one tenant project per this many plots
MAX_TENANTS = 200
WGS84 = 4326


@dataclass(frozen=True)
class Anchor:
    """A real place a synthetic zone clusters around (lat/lon from places.csv, TM-3 zone from vn2000.md)."""

    key: str
    name_vi: str
    name_en: str
    province_code: str  # admin_units.code of the province
    lat: float
    lon: float
    epsg: int
    zone_type: ZoneType
    weight: float  # share of the generated items
    rent_usd_m2: float  # typical land rent for the remaining term


ANCHORS = (
    Anchor("AG", "Tịnh Biên", "Tinh Bien", "AN_GIANG", 10.617, 105.003, 9208, ZoneType.border_gate, 1.2, 60.0),
    Anchor("HT1", "Vũng Áng", "Vung Ang", "HA_TINH", 18.06, 106.36, 9209, ZoneType.coastal, 1.5, 65.0),
    Anchor("HT2", "Cầu Treo", "Cau Treo", "HA_TINH", 18.425, 105.285, 9209, ZoneType.border_gate, 0.6, 45.0),
    Anchor("HG", "Tân Phú Thạnh", "Tan Phu Thanh", "HAU_GIANG", 9.968, 105.735, 5897, ZoneType.specialised, 1.0, 70.0),
    Anchor("NB", "Gián Khẩu", "Gian Khau", "NINH_BINH", 20.308, 105.903, 5897, ZoneType.specialised, 1.0, 110.0),
)

# The 34 provinces and cities of 1 July 2025, one synthetic zone each (`--provinces all`): a rough point near an
# industrial area (not surveyed; synthetic data only), hubs weighted up: code, names, lat, lon, weight, is a city
PROVINCES = (
    ("HA_NOI", "Hà Nội", "Ha Noi", 21.13, 105.78, 3.0, True),
    ("HAI_PHONG", "Hải Phòng", "Hai Phong", 20.86, 106.68, 3.0, True),
    ("HUE", "Huế", "Hue", 16.46, 107.59, 1.0, True),
    ("DA_NANG", "Đà Nẵng", "Da Nang", 16.07, 108.15, 1.5, True),
    ("CAN_THO", "Cần Thơ", "Can Tho", 9.968, 105.735, 1.0, True),
    ("HO_CHI_MINH", "Hồ Chí Minh", "Ho Chi Minh City", 10.98, 106.65, 4.0, True),
    ("LAI_CHAU", "Lai Châu", "Lai Chau", 22.40, 103.46, 0.3, False),
    ("DIEN_BIEN", "Điện Biên", "Dien Bien", 21.39, 103.02, 0.3, False),
    ("SON_LA", "Sơn La", "Son La", 21.33, 103.91, 0.4, False),
    ("LANG_SON", "Lạng Sơn", "Lang Son", 21.85, 106.76, 0.6, False),
    ("QUANG_NINH", "Quảng Ninh", "Quang Ninh", 20.95, 107.08, 1.5, False),
    ("THANH_HOA", "Thanh Hóa", "Thanh Hoa", 19.80, 105.78, 1.2, False),
    ("NGHE_AN", "Nghệ An", "Nghe An", 18.67, 105.68, 1.0, False),
    ("HA_TINH", "Hà Tĩnh", "Ha Tinh", 18.06, 106.36, 0.8, False),
    ("CAO_BANG", "Cao Bằng", "Cao Bang", 22.67, 106.26, 0.3, False),
    ("TUYEN_QUANG", "Tuyên Quang", "Tuyen Quang", 21.82, 105.21, 0.5, False),
    ("LAO_CAI", "Lào Cai", "Lao Cai", 22.48, 103.97, 0.6, False),
    ("THAI_NGUYEN", "Thái Nguyên", "Thai Nguyen", 21.59, 105.85, 1.2, False),
    ("PHU_THO", "Phú Thọ", "Phu Tho", 21.32, 105.40, 1.5, False),
    ("BAC_NINH", "Bắc Ninh", "Bac Ninh", 21.18, 106.07, 3.0, False),
    ("HUNG_YEN", "Hưng Yên", "Hung Yen", 20.85, 106.02, 1.5, False),
    ("NINH_BINH", "Ninh Bình", "Ninh Binh", 20.308, 105.903, 1.2, False),
    ("QUANG_TRI", "Quảng Trị", "Quang Tri", 16.75, 107.19, 0.6, False),
    ("QUANG_NGAI", "Quảng Ngãi", "Quang Ngai", 15.12, 108.80, 0.8, False),
    ("GIA_LAI", "Gia Lai", "Gia Lai", 13.98, 108.00, 0.8, False),
    ("KHANH_HOA", "Khánh Hòa", "Khanh Hoa", 12.24, 109.19, 0.8, False),
    ("LAM_DONG", "Lâm Đồng", "Lam Dong", 11.94, 108.44, 0.8, False),
    ("DAK_LAK", "Đắk Lắk", "Dak Lak", 12.67, 108.04, 0.6, False),
    ("DONG_NAI", "Đồng Nai", "Dong Nai", 10.95, 106.82, 3.0, False),
    ("TAY_NINH", "Tây Ninh", "Tay Ninh", 10.70, 106.40, 2.0, False),
    ("VINH_LONG", "Vĩnh Long", "Vinh Long", 10.25, 105.97, 0.6, False),
    ("DONG_THAP", "Đồng Tháp", "Dong Thap", 10.46, 105.63, 0.6, False),
    ("CA_MAU", "Cà Mau", "Ca Mau", 9.18, 105.15, 0.5, False),
    ("AN_GIANG", "An Giang", "An Giang", 10.617, 105.003, 0.8, False),
)
TM3_MERIDIANS = {  # VN-2000 TM-3 CRSs of data/lookups/crs_choices.csv by meridian: the nearest builds a zone
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.25: 9217,
    108.5: 9218,
}


def national_anchors() -> tuple[Anchor, ...]:
    """One anchor per province of today, in the metric CRS whose meridian is nearest (local geometry only)."""
    anchors = []
    for k, (code, name_vi, name_en, lat, lon, weight, city) in enumerate(PROVINCES):
        meridian = min(TM3_MERIDIANS, key=lambda m: abs(m - lon))
        zone_type = ZoneType.coastal if k % 3 == 0 else ZoneType.specialised
        rent = 60.0 + 25.0 * weight + (30.0 if city else 0.0)
        anchors.append(Anchor(code, name_vi, name_en, code, lat, lon, TM3_MERIDIANS[meridian], zone_type, weight, rent))
    return tuple(anchors)


def choose_anchors(provinces: str | None) -> tuple[tuple[Anchor, ...], bool]:
    """Anchors for `--provinces`: None the five demo places, `all` every province, or codes; and if national."""
    if provinces is None:
        return ANCHORS, False
    national = national_anchors()
    if provinces.strip().lower() == "all":
        return national, True
    by_code = {a.province_code: a for a in national}
    codes = [c.strip().upper() for c in provinces.split(",") if c.strip()]
    unknown = [c for c in codes if c not in by_code]
    if unknown or not codes:
        raise ValueError(
            f"unknown province code(s) {', '.join(unknown) or '(none given)'}; use 'all' or codes among: "
            + ", ".join(sorted(by_code))
        )
    return tuple(by_code[c] for c in dict.fromkeys(codes)), True


# --- vocabularies for names and attributes (weights are rough shares, not statistics) --------------------

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Đinh",
]
FAMILY_P = [0.34, 0.11, 0.095, 0.07, 0.05, 0.04, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.025, 0.025, 0.02, 0.015]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Đức", "Thanh", "Ngọc", "Quốc", "Kim", "Công"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thu",
    "Trang",
    "Tuấn",
    "Vân",
    "Vy",
    "Lộc",
    "Tài",
]
PLACE_WORDS = [
    "Phú",
    "Tân",
    "Bình",
    "An",
    "Hòa",
    "Long",
    "Thạnh",
    "Mỹ",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Hưng",
    "Lộc",
    "Phước",
    "Thuận",
    "Vĩnh",
    "Xuân",
    "Đại",
    "Hải",
]
PARCEL_LANDUSE = ["LUC", "BHK", "CLN", "NTS", "ONT"]
PARCEL_LANDUSE_P = {"rural": [0.5, 0.15, 0.15, 0.12, 0.08], "village": [0.2, 0.12, 0.18, 0.05, 0.45]}
PRICE_VND_M2 = np.array([120_000, 110_000, 150_000, 100_000, 1_800_000])  # per PARCEL_LANDUSE
PLOT_FUNCTIONS = ["industrial", "warehouse_logistics", "services"]
PLOT_FUNCTIONS_P = [0.8, 0.12, 0.08]
PLOT_PREFIX = {"industrial": "CN", "warehouse_logistics": "KB", "services": "DV"}
PLOT_RENT_FACTOR = {"industrial": 1.0, "warehouse_logistics": 0.95, "services": 1.2}
PARK_TYPES = [
    ParkType.regular,
    ParkType.eco,
    ParkType.supporting,
    ParkType.specialised,
    ParkType.high_tech,
    ParkType.export_processing,
]
PARK_TYPES_P = [0.75, 0.08, 0.07, 0.05, 0.03, 0.02]
SITE_SECTORS = [
    ("Hạ tầng khu công nghiệp", "Industrial park infrastructure"),
    ("Khu tái định cư", "Resettlement area"),
    ("Đường giao thông", "Road"),
    ("Trung tâm logistics", "Logistics centre"),
    ("Khu đô thị – dịch vụ", "Urban and services area"),
    ("Nhà máy điện mặt trời", "Solar power plant"),
]
TENANT_SECTORS = [
    ("Điện tử", "Electronics"),
    ("Dệt may", "Textiles and garments"),
    ("Chế biến nông sản", "Agricultural processing"),
    ("Cơ khí", "Engineering"),
    ("Kho vận", "Logistics"),
    ("Vật liệu xây dựng", "Building materials"),
    ("Pin và năng lượng", "Batteries and energy"),
    ("Da giày", "Footwear"),
]
COUNTRIES = ["VN", "KR", "JP", "CN", "TW", "SG", "US", "TH"]
COUNTRIES_P = [0.45, 0.15, 0.1, 0.12, 0.08, 0.05, 0.03, 0.02]
MILESTONE_MONTHS = {
    Milestone.policy_approved: 0,
    Milestone.irc_issued: 3,
    Milestone.land_handover: 9,
    Milestone.construction_start: 12,
    Milestone.operation_start: 30,
}
REACHED = {  # milestones a project in this status has actually reached
    ProjectStatus.policy_approved: 1,
    ProjectStatus.irc_issued: 2,
    ProjectStatus.under_construction: 4,
    ProjectStatus.operating: 5,
    ProjectStatus.terminated: 2,
}
POLICY_YEARS = {  # when a project in this status plausibly got its investment policy
    ProjectStatus.policy_approved: (2021, 2025),
    ProjectStatus.irc_issued: (2019, 2024),
    ProjectStatus.under_construction: (2016, 2022),
    ProjectStatus.operating: (2008, 2019),
    ProjectStatus.terminated: (2012, 2020),
}
STAGE_COLUMNS = ["notice_issued_on", "inventoried_on", "plan_approved_on", "compensation_paid_on", "handed_over_on"]
STAGE_GAP_DAYS = [(0, 60), (30, 150), (60, 240), (5, 45), (10, 120)]  # gap before each stage, min..max

PARCEL_COLUMNS = [
    "project_id",
    "parcel_no",
    "map_sheet",
    "landuse_code",
    "owner_name",
    "households_affected",
    "households_to_resettle",
    "compensation_approved_vnd",
    "compensation_paid_vnd",
    *STAGE_COLUMNS,
    "enforcement_on",
    "source",
    "geom",
]
PLOT_COLUMNS = [
    "uid",
    "valid_from",
    "decision_id",
    "code",
    "name_vi",
    "name_en",
    "park_uid",
    "zone_uid",
    "planning_function",
    "landuse_code",
    "status",
    "land_rent_usd_m2",
    "source",
    "geom",
]

# --- geometry: grids, discs, WKB -------------------------------------------------------------------------


@dataclass
class Cells:
    """Quadrilateral cells of one park or site in local metres, in row-major grid order (for numbering)."""

    quads: np.ndarray  # (n, 4, 2): BL, BR, TR, TL
    u: np.ndarray  # position across the site, 0..1, to give progress and phases a direction

    @property
    def radius(self) -> float:
        """Distance from the local origin to the farthest vertex: the disc this layout needs."""
        return float(np.sqrt((self.quads**2).sum(axis=2)).max())


def grid_lines(
    rng: np.random.Generator, k: int, cell: float, spread: float, road_p: float, road_width: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line coordinates of k cells of varying width along one axis, with roads (gaps) between some cells."""
    widths = cell * rng.uniform(1 - spread, 1 + spread, k)
    roads = rng.random(k) < road_p
    lines, lo, hi = [0.0], np.empty(k, int), np.empty(k, int)
    for i in range(k):
        lo[i] = len(lines) - 1
        lines.append(lines[-1] + widths[i])
        hi[i] = len(lines) - 1
        if roads[i] and i < k - 1:
            lines.append(lines[-1] + road_width * rng.uniform(0.8, 1.3))
    return np.array(lines), lo, hi


def lay_out_cells(
    rng: np.random.Generator, n: int, *, cell: float, spread: float, road_p: float, road_width: float, jitter: float
) -> Cells:
    """n cells on a jittered grid, carved to an irregular blob and rotated: a cadastre-like patch.

    Each vertex is shared by the cells around it and moves by less than a fifth of the narrowest cell, so
    every quadrilateral stays simple (valid) and neighbours share edges exactly; roads are wider than
    two jitters, so cells across a road never touch.
    """
    n_cells = math.ceil(n / 0.7) + 4
    ncols = max(1, math.ceil(math.sqrt(n_cells * rng.uniform(0.6, 1.6))))
    nrows = max(1, math.ceil(n_cells / ncols))
    xs, xlo, xhi = grid_lines(rng, ncols, cell, spread, road_p, road_width)
    ys, ylo, yhi = grid_lines(rng, nrows, cell, spread, road_p, road_width)
    j = min(jitter * cell * (1 - spread), 0.4 * road_width * 0.8)
    vx = xs[None, :] + rng.uniform(-j, j, (len(ys), len(xs)))
    vy = ys[:, None] + rng.uniform(-j, j, (len(ys), len(xs)))
    r, c = np.divmod(np.arange(nrows * ncols), ncols)
    corners = [(ylo[r], xlo[c]), (ylo[r], xhi[c]), (yhi[r], xhi[c]), (yhi[r], xlo[c])]
    quads = np.stack([np.stack([vx[a, b], vy[a, b]], axis=-1) for a, b in corners], axis=1)
    keep = np.sort(np.argsort(blob_score(rng, quads.mean(axis=1)), kind="stable")[:n])
    quads, c = quads[keep], c[keep]
    quads = quads - (quads.reshape(-1, 2).min(axis=0) + quads.reshape(-1, 2).max(axis=0)) / 2
    u = (c - c.min()) / max(1, c.max() - c.min())
    return Cells(rotate(quads, rng.uniform(0, np.pi)), u)


def blob_score(rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Distance from the middle against a wobbly radius: keeping the lowest scores carves an irregular blob."""
    mid = (centres.min(axis=0) + centres.max(axis=0)) / 2
    half = np.maximum((centres.max(axis=0) - centres.min(axis=0)) / 2, 1.0)
    d = (centres - mid) / half
    theta = np.arctan2(d[:, 1], d[:, 0])
    wobble = 1 + sum(rng.uniform(0, 0.25 / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi)) for k in (1, 2, 3))
    return np.hypot(d[:, 0], d[:, 1]) / wobble + rng.normal(0, 0.04, len(d))


def rotate(points: np.ndarray, angle: float) -> np.ndarray:
    """Rotate points (..., 2) about the origin."""
    cos, sin = math.cos(angle), math.sin(angle)
    return np.stack([points[..., 0] * cos - points[..., 1] * sin, points[..., 0] * sin + points[..., 1] * cos], axis=-1)


def pack_discs(rng: np.random.Generator, radii: np.ndarray, margin: float) -> np.ndarray:
    """Centres for discs that never overlap: the free spot nearest the middle among Gaussian draws (clustered)."""
    centres = np.zeros((len(radii), 2))
    placed: list[int] = []
    sigma = 0.4 * math.sqrt(float((radii**2).sum())) + 1.0
    for i in np.argsort(-radii, kind="stable"):
        while True:
            tries = rng.normal(0, sigma, (64, 2))
            if placed:
                gap = np.hypot(*(tries[:, None, :] - centres[placed][None, :, :]).transpose(2, 0, 1))
                ok = (gap >= radii[i] + radii[placed][None, :] + margin).all(axis=1)
            else:
                ok = np.ones(len(tries), bool)
            if ok.any():
                centres[i] = tries[ok][np.argmin(np.hypot(*tries[ok].T))]
                placed.append(int(i))
                break
            sigma *= 1.15
    return centres


def shoelace(quads: np.ndarray) -> np.ndarray:
    """Planar areas (m²) of quadrilaterals in metres."""
    x, y = quads[..., 0], quads[..., 1]
    return 0.5 * np.abs((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1))


QUAD_EWKB = np.dtype(
    [("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("rings", "<u4"), ("points", "<u4"), ("xy", "<f8", (10,))]
)


def quads_ewkb_hex(quads: np.ndarray) -> list[str]:
    """Hex EWKB of closed 5-point polygons built straight from a coordinate array (no per-row objects)."""
    rec = np.zeros(len(quads), QUAD_EWKB)
    rec["order"], rec["type"], rec["srid"], rec["rings"], rec["points"] = 1, 0x20000003, WGS84, 1, 5
    rec["xy"] = np.concatenate([quads, quads[:, :1]], axis=1).reshape(len(quads), 10)
    blob, size = rec.tobytes().hex(), 2 * QUAD_EWKB.itemsize
    return [blob[i : i + size] for i in range(0, len(blob), size)]


def geom_ewkb_hex(geom: shapely.Geometry) -> str:
    """Hex EWKB (SRID 4326) of a shapely geometry, for the few parks, zones and points."""
    return shapely.to_wkb(shapely.set_srid(geom, WGS84), hex=True, include_srid=True)


# --- the plan: everything decided in memory before anything is written -----------------------------------


@dataclass
class Item:
    """A park (with plots) or a project site (with parcels) inside a zone, in local metres until placed."""

    kind: str  # "park" | "site"
    index: int
    cells: Cells
    cell_m: float  # nominal cell size: small means a dense village, large means fields
    offset: np.ndarray = field(default_factory=lambda: np.zeros(2))
    lonlat: np.ndarray | None = None  # (n, 4, 2) once placed


@dataclass
class Zone:
    """One synthetic economic zone around an anchor, with the items placed in it."""

    index: int
    anchor: Anchor
    items: list[Item]
    origin: tuple[float, float] = (0.0, 0.0)
    geom: shapely.Geometry | None = None
    park_geoms: dict[int, shapely.Geometry] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        """Stable identity of the zone."""
        return f"{GEN}KKT-{self.index + 1}"

    @property
    def decision_number(self) -> str:
        """Number of the synthetic decision that approved the zone's plan."""
        return f"{GEN}{self.index + 1}/QĐ-UBND"


def split_counts(rng: np.random.Generator, total: int, parts: int, sigma: float) -> np.ndarray:
    """Split total into parts (each >= 1) with log-normal shares: a few big projects, many small."""
    weights = rng.lognormal(0, sigma, parts)
    raw = weights / weights.sum() * (total - parts)
    counts = np.floor(raw).astype(int) + 1
    counts[np.argsort(-(raw - np.floor(raw)), kind="stable")[: total - counts.sum()]] += 1
    return counts


def park_sizes(rng: np.random.Generator, plots: int, parks: int | None = None) -> list[tuple[ParkKind, int]]:
    """Plot counts per park: parks of 60-200 plots, some small clusters (CCN) of 8-30, summing to plots.

    With a number of parks, plots are shared among exactly that many (log-normal shares, clusters the smallest).
    """
    if parks is not None:
        counts = np.sort(split_counts(rng, plots, parks, 0.6))
        clusters = set(rng.choice(parks, size=int(round(parks * 0.15)), replace=False).tolist()) if parks else set()
        kinds = [ParkKind.industrial_cluster if k in clusters else ParkKind.industrial_park for k in range(parks)]
        big_last = sorted(range(parks), key=lambda k: kinds[k] is ParkKind.industrial_park)  # clusters the smallest
        order = rng.permutation(parks)
        sized = dict(zip(big_last, counts.tolist(), strict=True))
        return [(kinds[k], int(sized[k])) for k in order.tolist()]
    sizes: list[tuple[ParkKind, int]] = []
    left = plots
    while left > 0:
        kind = ParkKind.industrial_cluster if rng.random() < 0.15 else ParkKind.industrial_park
        n = int(rng.integers(8, 31) if kind is ParkKind.industrial_cluster else rng.integers(60, 201))
        sizes.append((kind, min(n, left)))
        left -= n
    return sizes


def build_items(
    rng: np.random.Generator, parcels: int, plots: int, parks: int | None = None, sites: int | None = None
) -> tuple[list[Item], list]:
    """Lay out every park and project site in local metres; return them with each park's kind and size."""
    parks = park_sizes(rng, plots, parks)
    items = [
        Item(
            "park",
            k,
            lay_out_cells(rng, n, cell=160.0, spread=0.45, road_p=1.0, road_width=24.0, jitter=0.0),
            cell_m=160.0,
        )
        for k, (_, n) in enumerate(parks)
    ]
    n_sites = (min(MAX_SITES, math.ceil(parcels / PARCELS_PER_SITE)) if sites is None else sites) if parcels else 0
    cell = rng.uniform(21.0, 40.0, n_sites)  # 21 m: dense village plots; 40 m: paddy fields
    for k, n in enumerate(split_counts(rng, parcels, n_sites, 1.0) if n_sites else []):
        cells = lay_out_cells(rng, int(n), cell=cell[k], spread=0.25, road_p=1 / 9, road_width=7.0, jitter=0.15)
        items.append(Item("site", k, cells, cell_m=float(cell[k])))
    return items, parks


def place_zones(
    rng: np.random.Generator, items: list[Item], anchors: Sequence[Anchor] = ANCHORS, spread: bool = False
) -> list[Zone]:
    """Share items among the anchors, pack each zone's discs, and draw zone and park boundaries in lon/lat.

    With `spread` (a national run) the first items, parks first, go one to each anchor, so every province has a park.
    """
    weights = np.array([a.weight for a in anchors])
    owner = rng.choice(len(anchors), size=len(items), p=weights / weights.sum())
    if spread:
        first = min(len(items), len(anchors))
        owner[:first] = rng.permutation(len(anchors))[:first]
    zones = []
    for z, anchor in enumerate(anchors):
        zone = Zone(z, anchor, [it for it, o in zip(items, owner, strict=True) if o == z])
        to_tm3 = Transformer.from_crs(WGS84, anchor.epsg, always_xy=True)
        zone.origin = to_tm3.transform(anchor.lon, anchor.lat)
        to_wgs = Transformer.from_crs(anchor.epsg, WGS84, always_xy=True)
        radii = np.array([it.cells.radius for it in zone.items])
        for it, centre in zip(zone.items, pack_discs(rng, radii, 150.0), strict=True):
            it.offset = centre + zone.origin
            metric = it.cells.quads + it.offset
            lon, lat = to_wgs.transform(metric[..., 0], metric[..., 1])
            it.lonlat = np.stack([lon, lat], axis=-1)
        draw_boundaries(zone, to_wgs)
        zones.append(zone)
    return zones


def draw_boundaries(zone: Zone, to_wgs: Transformer) -> None:
    """Parks hug their plots (hull + 40 m); the zone hugs everything (hull + 1.5 km), both built in metres."""

    def project(geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))

    hulls = []
    for it in zone.items:
        hull = shapely.convex_hull(shapely.multipoints((it.cells.quads + it.offset).reshape(-1, 2)))
        hulls.append(hull)
        if it.kind == "park":
            zone.park_geoms[it.index] = project(shapely.MultiPolygon([hull.buffer(40.0, join_style="mitre")]))
    core = shapely.convex_hull(shapely.union_all(hulls)) if hulls else shapely.Point(zone.origin)
    zone.geom = project(shapely.MultiPolygon([core.buffer(1500.0, quad_segs=4)]))


# --- writing ---------------------------------------------------------------------------------------------


def clear_generated(conn: Connection, progress: Progress) -> None:
    """Delete what an earlier run wrote (children first), and only that: everything keyed GEN-."""
    gen_projects = "SELECT id FROM projects WHERE uid LIKE 'GEN-%'"
    statements = [
        f"DELETE FROM clearance_parcels WHERE project_id IN ({gen_projects})",
        f"DELETE FROM project_plots WHERE project_id IN ({gen_projects})",
        f"DELETE FROM project_milestones WHERE project_id IN ({gen_projects})",
        f"DELETE FROM enterprise_figures WHERE project_id IN ({gen_projects})",
        "DELETE FROM projects WHERE uid LIKE 'GEN-%'",
        "DELETE FROM land_plots WHERE uid LIKE 'GEN-%'",
        "DELETE FROM industrial_parks WHERE uid LIKE 'GEN-%'",
        "DELETE FROM economic_zones WHERE uid LIKE 'GEN-%'",
        "DELETE FROM decisions WHERE number LIKE 'GEN-%'",
        f"DELETE FROM admin_units WHERE level = 'province' AND source LIKE '{SOURCE}%'",
    ]
    for done, sql in enumerate(statements, 1):
        conn.execute(text(sql))
        progress("clear previous", done, len(statements))


def copy_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence], total: int, progress: Progress
) -> int:
    """Stream rows into a table with COPY in chunks, reporting each chunk; None becomes NULL."""
    cursor = conn.connection.dbapi_connection.cursor()
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    done, it = 0, iter(rows)
    try:
        while done < total:
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            n = 0
            for row in it:
                writer.writerow(row)
                n += 1
                if n == COPY_CHUNK:
                    break
            if n == 0:
                break
            buf.seek(0)
            cursor.copy_expert(sql, buf)
            done += n
            progress(table, done, total)
    finally:
        cursor.close()
    return done


def insert_returning(conn: Connection, table: Table, rows: list[dict], key: str) -> dict[str, int]:
    """Insert a few rows with SQLAlchemy Core and map each natural key to its new id."""
    if not rows:
        return {}
    result: Sequence[Row] = conn.execute(insert(table).returning(table.c[key], table.c.id), rows).all()
    return {k: i for k, i in result}


def as_dates(days: np.ndarray, mask: np.ndarray) -> list[str | None]:
    """ISO dates from day numbers since the epoch, None where masked."""
    text_dates = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    return [None if m else s for s, m in zip(text_dates.tolist(), mask.tolist(), strict=True)]


def random_day(rng: np.random.Generator, first_year: int, last_year: int, size: int | None = None):
    """Uniform day numbers (since 1970) between 1 January of first_year and 31 December of last_year."""
    lo = np.datetime64(f"{first_year}-01-01").astype(int)
    hi = np.datetime64(f"{last_year}-12-31").astype(int)
    return rng.integers(lo, hi + 1, size=size)


def write_decisions(conn: Connection, rng: np.random.Generator, zones: list[Zone], seed: int) -> dict[int, int]:
    """One illustrative provincial plan approval per zone: the decision every zone, park and plot version cites."""
    rows = []
    for zone in zones:
        signed = date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 6 * 365)))
        rows.append(
            {
                "number": zone.decision_number,
                "title_vi": (
                    f"Phê duyệt quy hoạch phân khu khu kinh tế {zone.anchor.name_vi} (giả lập {zone.index + 1})"
                ),
                "title_en": f"Zoning plan of {zone.anchor.name_en} economic zone (synthetic {zone.index + 1})",
                "date_signed": signed,
                "date_effective": signed + timedelta(days=int(rng.integers(0, 16))),
                "authority": Authority.provincial_committee.value,
                "authority_name_vi": "UBND tỉnh",
                "kind": DecisionKind.approve_plan.value,
                "plan_level": PlanLevel.zoning.value,
                "horizon_year": 2030,
                "vision_year": 2045,
                "zone_uid": zone.uid,
                "illustrative": True,
                "source": f"{SOURCE} (seed {seed})",
                "notes": NOTE_VI,
            }
        )
    ids = insert_returning(conn, models.Decision.__table__, rows, "number")
    return {zone.index: ids[zone.decision_number] for zone in zones}


def write_provinces(conn: Connection, zones: list[Zone], seed: int) -> int:
    """A province row for each generated zone's province admin_units does not know, so pages name it."""
    known = set(conn.execute(text("SELECT code FROM admin_units WHERE level = 'province'")).scalars())
    rows, seen = [], set()
    for zone in zones:
        anchor = zone.anchor
        if anchor.province_code in known or anchor.province_code in seen:
            continue
        seen.add(anchor.province_code)
        city = any(code == anchor.province_code and is_city for code, *_, is_city in PROVINCES)
        rows.append(
            {
                "code": anchor.province_code,
                "level": "province",
                "name_vi": f"{'Thành phố' if city else 'Tỉnh'} {anchor.name_vi}",
                "name_en": f"{anchor.name_en}{'' if city else ' Province'}",
                "valid_from": date(2025, 7, 1),
                "source": f"{SOURCE} (seed {seed})",
                "notes": f"{NOTE_VI}; no boundary",
            }
        )
    if rows:
        conn.execute(insert(models.AdminUnit.__table__), rows)
    return len(rows)


def decision_dates(conn: Connection, decision_ids: dict[int, int]) -> dict[int, date]:
    """Effective date of each zone's decision: the day its versions become valid."""
    t = models.Decision.__table__
    rows = conn.execute(select(t.c.id, t.c.date_effective).where(t.c.id.in_(list(decision_ids.values())))).all()
    by_id = dict(rows)
    return {z: by_id[i] for z, i in decision_ids.items()}


def write_zones(
    conn: Connection, zones: list[Zone], decisions: dict[int, int], valid: dict[int, date], seed: int
) -> int:
    """One current version per synthetic zone."""
    rows = [
        {
            "uid": z.uid,
            "valid_from": valid[z.index],
            "decision_id": decisions[z.index],
            "name_vi": f"Khu kinh tế {z.anchor.name_vi} (giả lập {z.index + 1})",
            "name_en": f"{z.anchor.name_en} economic zone (synthetic {z.index + 1})",
            "zone_type": z.anchor.zone_type.value,
            "province_code": z.anchor.province_code,
            "official_area_ha": None,
            "geom": geom_ewkb_hex(z.geom),
            "geometry_illustrative": True,
            "source": f"{SOURCE} (seed {seed})",
            "notes": NOTE_VI,
        }
        for z in zones
    ]
    insert_returning(conn, models.EconomicZone.__table__, rows, "uid")
    return len(rows)


def park_uid(index: int) -> str:
    """Stable identity of a park."""
    return f"{GEN}KCN-{index + 1:04d}"


@dataclass
class PlotTable:
    """Per-plot attributes of every park, in plot order, kept to link tenant projects."""

    uid: list[str] = field(default_factory=list)
    park: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    lonlat: list[np.ndarray] = field(default_factory=list)
    area_m2: list[float] = field(default_factory=list)


def plan_plots(rng: np.random.Generator, zones: list[Zone]) -> tuple[PlotTable, list[dict], dict]:
    """Statuses, functions and rents per plot (occupancy varies per park; the far end is not yet cleared)."""
    table, rows, park_rents = PlotTable(), [], {}
    for zone in zones:
        for it in (i for i in zone.items if i.kind == "park"):
            n = len(it.cells.quads)
            leased_share, reserved_share = rng.beta(2.5, 2.0), rng.uniform(0.03, 0.15)
            not_cleared = it.cells.u > 1 - rng.uniform(0.0, 0.35)
            draw = rng.random(n)
            status = np.where(
                draw < leased_share,
                PlotStatus.leased.value,
                np.where(draw < leased_share + reserved_share, PlotStatus.reserved.value, PlotStatus.available.value),
            )
            status = np.where(not_cleared, PlotStatus.not_cleared.value, status)
            function = rng.choice(PLOT_FUNCTIONS, size=n, p=PLOT_FUNCTIONS_P)
            base = zone.anchor.rent_usd_m2 * rng.uniform(0.8, 1.25)
            rent = np.round(base * rng.uniform(0.92, 1.1, n) * [PLOT_RENT_FACTOR[f] for f in function], 2)
            park_rents[it.index] = (float(rent.min()), float(rent.max()))
            counters = dict.fromkeys(PLOT_PREFIX.values(), 0)
            areas = shoelace(it.cells.quads).tolist()
            for k in range(n):
                prefix = PLOT_PREFIX[function[k]]
                counters[prefix] += 1
                uid = f"{park_uid(it.index)}-{k + 1:04d}"
                table.uid.append(uid)
                table.park.append(it.index)
                table.status.append(str(status[k]))
                table.lonlat.append(it.lonlat[k])
                table.area_m2.append(areas[k])
                rows.append(
                    {
                        "uid": uid,
                        "code": f"{prefix}{counters[prefix]}",
                        "zone": zone,
                        "function": str(function[k]),
                        "rent": float(rent[k]),
                    }
                )
    return table, rows, park_rents


def write_parks(
    conn: Connection,
    rng: np.random.Generator,
    zones: list[Zone],
    parks: list,
    rents: dict,
    decisions: dict[int, int],
    valid: dict[int, date],
    seed: int,
) -> int:
    """Parks with developer, term, rents (spanning their plots') and capacities."""
    rows = []
    for zone in zones:
        for it in (i for i in zone.items if i.kind == "park"):
            kind = parks[it.index][0]
            name = " ".join(rng.choice(PLACE_WORDS, 2, replace=False))
            prefix_vi, prefix_en = (
                ("Cụm công nghiệp", "industrial cluster")
                if kind is ParkKind.industrial_cluster
                else ("Khu công nghiệp", "industrial park")
            )
            opened = date(int(rng.integers(2000, 2023)), int(rng.integers(1, 13)), 1)
            water = int(rng.integers(2, 21)) * 1000
            rows.append(
                {
                    "uid": park_uid(it.index),
                    "valid_from": valid[zone.index],
                    "decision_id": decisions[zone.index],
                    "name_vi": f"{prefix_vi} {name} (giả lập {it.index + 1})",
                    "name_en": f"{name} {prefix_en} (synthetic {it.index + 1})",
                    "kind": kind.value,
                    "park_type": ParkType.regular.value
                    if kind is ParkKind.industrial_cluster
                    else str(rng.choice(PARK_TYPES, p=PARK_TYPES_P)),
                    "zone_uid": zone.uid,
                    "province_code": zone.anchor.province_code,
                    "developer": f"Công ty Cổ phần Phát triển hạ tầng {name}",
                    "operating_from": opened,
                    "operating_to": opened.replace(year=opened.year + 50),
                    "land_rent_usd_m2_min": rents[it.index][0],
                    "land_rent_usd_m2_max": rents[it.index][1],
                    "factory_rent_usd_m2_month": round(float(rng.uniform(3.5, 5.5)), 2),
                    "power_kv": int(rng.choice([22, 110])),
                    "water_m3_day": water,
                    "wastewater_m3_day": int(water * 0.8),
                    "geom": geom_ewkb_hex(zone.park_geoms[it.index]),
                    "geometry_illustrative": True,
                    "source": f"{SOURCE} (seed {seed})",
                    "notes": NOTE_VI,
                }
            )
    insert_returning(conn, models.IndustrialPark.__table__, rows, "uid")
    return len(rows)


def statuses_beside_recorded_parcels(conn: Connection, table: PlotTable) -> list[str]:
    """Plots laid over parcels recorded before this run (the curated demo's, perhaps all handed over) are generated
    available, never not cleared: the database refuses a not-cleared plot whose parcels are all handed over."""
    statuses = list(table.status)
    boxes = conn.execute(
        text(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
            "FROM (SELECT Box2D(ST_Transform(geom, 4326)) AS b FROM clearance_parcels) AS recorded"
        )
    ).all()
    if not boxes or not table.lonlat:
        return statuses
    quads = np.array(table.lonlat)
    low, high = quads.min(axis=1), quads.max(axis=1)
    over = np.zeros(len(quads), dtype=bool)
    for x_min, y_min, x_max, y_max in boxes:
        over |= (low[:, 0] <= x_max) & (high[:, 0] >= x_min) & (low[:, 1] <= y_max) & (high[:, 1] >= y_min)
    for index in np.flatnonzero(over):
        if statuses[index] == PlotStatus.not_cleared.value:
            statuses[index] = PlotStatus.available.value
    return statuses


def write_plots(
    conn: Connection,
    parks: list,
    table: PlotTable,
    rows: list[dict],
    decisions: dict[int, int],
    valid: dict[int, date],
    seed: int,
    progress: Progress,
) -> int:
    """All plots with one COPY stream."""
    hexes = quads_ewkb_hex(np.array(table.lonlat)) if table.lonlat else []
    source = f"{SOURCE} (seed {seed})"
    statuses = statuses_beside_recorded_parcels(conn, table)

    def records():
        for row, status, park, geom in zip(rows, statuses, table.park, hexes, strict=True):
            zone = row["zone"]
            landuse = "SKN" if parks[park][0] is ParkKind.industrial_cluster else "SKK"
            yield (
                row["uid"],
                valid[zone.index].isoformat(),
                decisions[zone.index],
                row["code"],
                f"Lô {row['code']}",
                f"Plot {row['code']}",
                park_uid(park),
                zone.uid,
                row["function"],
                landuse,
                status,
                f"{row['rent']:.2f}",
                source,
                geom,
            )

    return copy_rows(conn, "land_plots", PLOT_COLUMNS, records(), len(rows), progress)


def project_row(
    rng: np.random.Generator,
    uid: str,
    zone: Zone,
    status: ProjectStatus,
    sector: tuple[str, str],
    point: shapely.Point,
    area_ha: float,
    park: str | None,
    seed: int,
) -> dict:
    """One project: investor, capital and place; the rest of its story is in milestones and parcels."""
    country = str(rng.choice(COUNTRIES, p=COUNTRIES_P))
    kind = "TNHH" if rng.random() < 0.6 else "Cổ phần"
    investor = f"Công ty {kind} {' '.join(rng.choice(PLACE_WORDS, 2, replace=False))} {int(rng.integers(1, 99))}"
    capital_usd = round(float(rng.lognormal(math.log(20e6), 1.0)), 2)
    number = uid.removeprefix(f"{GEN}DA-")
    return {
        "uid": uid,
        "name_vi": f"Dự án {sector[0].lower()} số {number} ({zone.anchor.name_vi}, giả lập)",
        "name_en": f"{sector[1]} project no. {number} ({zone.anchor.name_en}, synthetic)",
        "investor": investor,
        "investor_country": country,
        "sector": sector[0],
        "capital_vnd": round(capital_usd * 25_000, -6) if country == "VN" else None,
        "capital_usd": None if country == "VN" else capital_usd,
        "status": status.value,
        "province_code": zone.anchor.province_code,
        "zone_uid": zone.uid,
        "park_uid": park,
        "policy_decision_id": None,
        "site_area_ha": round(area_ha, 2),
        "geom": geom_ewkb_hex(point),
        "geometry_illustrative": True,
        "source": f"{SOURCE} (seed {seed})",
    }


@dataclass
class Projects:
    """Rows for projects and what hangs off them, before ids are known."""

    rows: list[dict] = field(default_factory=list)
    policy_day: dict[str, int] = field(default_factory=dict)
    site_uid: dict[int, str] = field(default_factory=dict)  # site index -> project uid
    plots: list[tuple[str, str]] = field(default_factory=list)  # (project uid, plot uid)


def plan_projects(
    rng: np.random.Generator, zones: list[Zone], plots: PlotTable, seed: int, tenants: int | None = None
) -> Projects:
    """Clearance projects, one per parcel site, then tenant projects that lease plots in parks.

    With a number of tenants, those beyond the leased plots (one to three plots each) sit in a park without a plot.
    """
    out = Projects()

    def add(zone: Zone, status: ProjectStatus, sector, point, area_ha, park=None) -> str:
        uid = f"{GEN}DA-{len(out.rows) + 1:04d}"
        out.rows.append(project_row(rng, uid, zone, status, sector, point, area_ha, park, seed))
        out.policy_day[uid] = int(random_day(rng, *POLICY_YEARS[status]))
        return uid

    site_statuses = [
        ProjectStatus.policy_approved,
        ProjectStatus.irc_issued,
        ProjectStatus.under_construction,
        ProjectStatus.terminated,
    ]
    for zone in zones:
        for it in (i for i in zone.items if i.kind == "site"):
            status = site_statuses[int(rng.choice(4, p=[0.3, 0.35, 0.3, 0.05]))]
            centre = it.lonlat.reshape(-1, 2).mean(axis=0)
            area_ha = float(shoelace(it.cells.quads).sum()) / 10_000
            sector = SITE_SECTORS[int(rng.integers(len(SITE_SECTORS)))]
            out.site_uid[it.index] = add(zone, status, sector, shapely.Point(*centre), area_ha)
    leased = [k for k, s in enumerate(plots.status) if s == PlotStatus.leased.value]
    if tenants is None:
        n_tenants, unlinked = min(MAX_TENANTS, len(plots.uid) // PLOTS_PER_TENANT, len(leased)), 0
    else:
        n_tenants = min(tenants, len(leased))
        unlinked = tenants - n_tenants
    zone_of_park = {it.index: z for z in zones for it in z.items if it.kind == "park"}
    tenant_statuses = [ProjectStatus.irc_issued, ProjectStatus.under_construction, ProjectStatus.operating]
    starts = np.sort(rng.choice(len(leased), size=n_tenants, replace=False)).tolist() if n_tenants else []
    stops = [*starts[1:], len(leased)] if starts else []  # no tenants (tiny runs): no windows
    for k, stop in zip(starts, stops, strict=True):
        first = leased[k]
        park = plots.park[first]
        window = leased[k : min(stop, k + int(rng.integers(1, 4)))]  # windows never reach the next start
        taken = [p for p in window if plots.park[p] == park]
        status = tenant_statuses[int(rng.choice(3, p=[0.2, 0.3, 0.5]))]
        sector = TENANT_SECTORS[int(rng.integers(len(TENANT_SECTORS)))]
        point = shapely.Point(*plots.lonlat[first].mean(axis=0))
        area_ha = sum(plots.area_m2[p] for p in taken) / 10_000
        uid = add(zone_of_park[park], status, sector, point, area_ha, park_uid(park))
        out.plots.extend((uid, plots.uid[p]) for p in taken)
    for k in rng.integers(0, len(plots.uid), unlinked).tolist() if unlinked else []:
        park = plots.park[k]
        status = tenant_statuses[int(rng.choice(3, p=[0.2, 0.3, 0.5]))]
        sector = TENANT_SECTORS[int(rng.integers(len(TENANT_SECTORS)))]
        point = shapely.Point(*plots.lonlat[k].mean(axis=0))
        area_ha = plots.area_m2[k] * float(rng.uniform(0.2, 1.0)) / 10_000
        add(zone_of_park[park], status, sector, point, area_ha, park_uid(park))
    return out


def milestone_rows(rng: np.random.Generator, projects: Projects, ids: dict[str, int]) -> list[dict]:
    """Committed dates from the policy date; actual dates for milestones the status has reached, some late."""
    rows = []
    for row in projects.rows:
        status = ProjectStatus(row["status"])
        start = np.datetime64(int(projects.policy_day[row["uid"]]), "D")
        reached = start  # milestones follow one another (the rule of migration 0022): never before the one before
        for k, (milestone, months) in enumerate(MILESTONE_MONTHS.items()):
            committed = start + np.timedelta64(months * 30, "D")
            late = int(max(-20, rng.normal(45, 90))) if k else 0
            actual = None
            if k < REACHED[status]:
                actual = min(max(committed + np.timedelta64(late, "D"), reached), CUTOFF)
                reached = actual
            rows.append(
                {
                    "project_id": ids[row["uid"]],
                    "milestone": milestone.value,
                    "committed_on": committed.item(),
                    "actual_on": None if actual is None else actual.item(),
                }
            )
    return rows


FIGURE_COLUMNS = [
    *("project_id", "year", "period_kind", "period", "basis"),
    *models.FIGURE_MEASURES,
    *models.FIGURE_CAPITAL,
    *("public", "illustrative", "source"),
]
FIGURES_FROM = {  # the milestone from whose (actual) year a project in this status reports yearly figures
    ProjectStatus.operating.value: Milestone.operation_start.value,
    ProjectStatus.under_construction.value: Milestone.construction_start.value,
}
LAST_YEAR = int(str(CUTOFF)[:4])
VND_PER_USD = 25_000


def figure_records(
    rng: np.random.Generator, projects: Projects, ids: dict[str, int], milestones: list[dict], seed: int
) -> list[tuple]:
    """Yearly figures (the last year an estimate) of operating projects since they opened, and of projects
    under construction (capital only) since building started: revenue ramps up, capital is drawn down."""
    started = {(m["project_id"], m["milestone"]): m["actual_on"].year for m in milestones if m["actual_on"] is not None}
    source = f"{SOURCE} (seed {seed})"
    out = []
    for row in projects.rows:
        pid, status = ids[row["uid"]], row["status"]
        first = started.get((pid, FIGURES_FROM.get(status, "")))
        if first is None:
            continue
        usd = float(row["capital_usd"] or row["capital_vnd"] / VND_PER_USD)
        foreign = row["investor_country"] != "VN"
        turnover, drawn = float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.6, 1.0))
        export_share = float(rng.uniform(0.5, 0.9) if foreign else rng.uniform(0.0, 0.3))
        staff = max(5.0, usd / 40_000 * float(rng.uniform(0.5, 1.5)))
        workers_before = 0
        for year in range(first, LAST_YEAR + 1):
            ramp = min(1.0, (year - first + 1) / 3)
            implemented = usd * drawn * (ramp if status == ProjectStatus.operating.value else 0.4 * ramp)
            capital = (
                (None, f"{usd:.2f}", None, f"{implemented:.2f}")
                if foreign
                else (f"{usd * VND_PER_USD:.0f}", None, f"{implemented * VND_PER_USD:.0f}", None)
            )
            measures: tuple = (None,) * 7
            if status == ProjectStatus.operating.value:
                revenue = usd * turnover * ramp * 1.05 ** (year - first) * float(rng.uniform(0.9, 1.1))
                workers = int(staff * ramp)
                measures = (
                    f"{revenue * VND_PER_USD:.0f}",
                    f"{revenue * export_share:.2f}",
                    f"{revenue * export_share * 0.6:.2f}",
                    f"{revenue * VND_PER_USD * 0.03:.0f}",
                    workers - int(workers * 0.02) if foreign else workers,
                    int(workers * 0.02) if foreign else 0,
                    max(0, workers - workers_before),
                )
                workers_before = workers
            basis = "estimate" if year == LAST_YEAR else "final"
            out.append((pid, year, "year", 0, basis, *measures, *capital, False, True, source))
    return out


def owner_names(rng: np.random.Generator, n: int) -> list[str]:
    """Plausible Vietnamese owner names (family, middle, given)."""
    f = rng.choice(len(FAMILY), n, p=np.array(FAMILY_P) / sum(FAMILY_P))
    m = rng.integers(0, len(MIDDLE), n)
    g = rng.integers(0, len(GIVEN), n)
    return [f"{FAMILY[a]} {MIDDLE[b]} {GIVEN[c]}" for a, b, c in zip(f.tolist(), m.tolist(), g.tolist(), strict=True)]


def parcel_records(
    rng: np.random.Generator, it: Item, project_id: int, status: str, policy_day: int, source: str
) -> Iterable[tuple]:
    """Rows for one site's parcels: stage dates in order up to a stage that advances across the site."""
    n = len(it.cells.quads)
    village = it.cell_m < 28.0
    landuse = rng.choice(len(PARCEL_LANDUSE), n, p=PARCEL_LANDUSE_P["village" if village else "rural"])
    ont = landuse == PARCEL_LANDUSE.index("ONT")
    affected = np.where(ont, 1 + rng.poisson(0.4, n), rng.binomial(1, 0.12, n))
    resettle = np.where(ont, rng.binomial(affected, 0.35), 0)
    progress = {"policy_approved": 0.8, "irc_issued": 2.2, "under_construction": 4.2, "terminated": 1.5}[status]
    reached = np.clip(
        np.round(progress + rng.uniform(-1.5, 1.5) * (it.cells.u - 0.5) * 2 + rng.normal(0, 0.8, n)), 0, 5
    ).astype(int)
    gaps = np.stack([rng.integers(lo, hi + 1, n) for lo, hi in STAGE_GAP_DAYS], axis=1)
    days = policy_day + int(rng.integers(60, 300)) + np.cumsum(gaps, axis=1)
    unset = (np.arange(5)[None, :] >= reached[:, None]) | (days > CUTOFF.astype(int))
    stage_dates = [as_dates(days[:, s], unset[:, s]) for s in range(5)]
    last = np.where(unset, -1, days).max(axis=1)
    enforce_day = last + rng.integers(30, 200, n)
    enforced = np.isin(reached, [2, 3]) & (last >= 0) & (rng.random(n) < 0.02) & (enforce_day <= CUTOFF.astype(int))
    enforcement = as_dates(enforce_day, ~enforced)
    area = shoelace(it.cells.quads)
    approved = np.round(area * PRICE_VND_M2[landuse] * rng.uniform(0.85, 1.15, n), -3)
    has_plan, has_paid = ~unset[:, 2], ~unset[:, 3]
    sheet_size = int(rng.integers(200, 601))
    first_sheet = int(rng.integers(1, 60))
    order = np.arange(n)  # cells are already in row-major grid order
    sheets = (first_sheet + order // sheet_size).tolist()
    numbers = (order % sheet_size + 1).tolist()
    names = owner_names(rng, n)
    hexes = quads_ewkb_hex(it.lonlat)
    codes = [PARCEL_LANDUSE[k] for k in landuse.tolist()]
    approved_txt = [f"{v:.0f}" if p else None for v, p in zip(approved.tolist(), has_plan.tolist(), strict=True)]
    paid_txt = [a if p else None for a, p in zip(approved_txt, has_paid.tolist(), strict=True)]
    return zip(
        [project_id] * n,
        numbers,
        sheets,
        codes,
        names,
        affected.tolist(),
        resettle.tolist(),
        approved_txt,
        paid_txt,
        *stage_dates,
        enforcement,
        [source] * n,
        hexes,
        strict=True,
    )


def write_parcels(
    conn: Connection,
    rng: np.random.Generator,
    zones: list[Zone],
    projects: Projects,
    ids: dict[str, int],
    total: int,
    seed: int,
    progress: Progress,
) -> int:
    """All parcels of all sites with one chunked COPY stream."""
    source = f"{SOURCE} (seed {seed})"
    by_uid = {row["uid"]: row for row in projects.rows}

    def records():
        for zone in zones:
            for it in (i for i in zone.items if i.kind == "site"):
                uid = projects.site_uid[it.index]
                yield from parcel_records(rng, it, ids[uid], by_uid[uid]["status"], projects.policy_day[uid], source)

    return copy_rows(conn, "clearance_parcels", PARCEL_COLUMNS, records(), total, progress)


def generate_scale_data(
    conn: Connection,
    *,
    parcels: int,
    plots: int,
    seed: int,
    parks: int | None = None,
    projects: int | None = None,
    provinces: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace all GEN- rows with a fresh deterministic set of the given size; return rows written per table.

    Without parks, projects and provinces the sizes follow parcels and plots (at most 300 clearance sites and 200
    tenants) around the five demo places; with them (`--parks 400 --projects 50000 --provinces all`) there are
    exactly that many parks and projects, one clearance site per ~700 parcels, spread over the provinces.
    """
    if parcels < 0 or plots < 0:
        raise ValueError("parcels and plots must be >= 0")
    if parks is not None and not 0 <= parks <= plots:
        raise ValueError(f"--parks must be between 0 and the number of plots ({plots}): every park needs a plot")
    sites = None
    if projects is not None:
        sites = min(projects, math.ceil(parcels / PARCELS_PER_SITE))
        if parcels and projects < 1:
            raise ValueError("--projects must be at least 1 when there are parcels: parcels belong to a project")
        if projects > sites and plots == 0:
            raise ValueError("projects beyond the clearance sites are tenants of parks: give --plots above 0")
    anchors, national = choose_anchors(provinces)
    report = progress or (lambda label, done, total: None)
    rng = np.random.default_rng(seed)
    items, park_list = build_items(rng, parcels, plots, parks, sites)
    zones = place_zones(rng, items, anchors, spread=national)
    plot_table, plot_rows, rents = plan_plots(rng, zones)
    tenants = None if projects is None else projects - (sites or 0)
    planned = plan_projects(rng, zones, plot_table, seed, tenants)

    clear_generated(conn, report)
    counts = {"admin_units": write_provinces(conn, zones, seed)}
    decisions = write_decisions(conn, rng, zones, seed)
    valid = decision_dates(conn, decisions)
    counts |= {"decisions": len(decisions), "economic_zones": write_zones(conn, zones, decisions, valid, seed)}
    counts["industrial_parks"] = write_parks(conn, rng, zones, park_list, rents, decisions, valid, seed)
    counts["land_plots"] = write_plots(conn, park_list, plot_table, plot_rows, decisions, valid, seed, report)
    ids = insert_returning(conn, models.Project.__table__, planned.rows, "uid")
    counts["projects"] = len(ids)
    milestones = milestone_rows(rng, planned, ids)
    columns = ["project_id", "milestone", "committed_on", "actual_on"]
    records = ([m[c] for c in columns] for m in milestones)
    counts["project_milestones"] = copy_rows(conn, "project_milestones", columns, records, len(milestones), report)
    links = [(ids[p], u) for p, u in planned.plots]
    counts["project_plots"] = copy_rows(conn, "project_plots", ["project_id", "plot_uid"], links, len(links), report)
    counts["clearance_parcels"] = write_parcels(conn, rng, zones, planned, ids, parcels, seed, report)
    figures = figure_records(np.random.default_rng([seed, 1]), planned, ids, milestones, seed)
    counts["enterprise_figures"] = copy_rows(conn, "enterprise_figures", FIGURE_COLUMNS, figures, len(figures), report)
    for table in counts:
        conn.execute(text(f"ANALYZE {table}"))
    report("analyze", 1, 1)
    return counts
