"""Geometry helpers of the demo builder: provincial VN-2000 CRSs and seeded shapes drawn in metres."""

from __future__ import annotations

import math
import random
from typing import NoReturn

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box

SEED = 20261122
GEOD = Geod(ellps="WGS84")


class BuildError(RuntimeError):
    """A self-check failed: the data set is not written."""


def fail(message: str) -> NoReturn:
    """Stop loudly."""
    raise BuildError(message)


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
            """Inverse-project an (n, 2) array of metres."""
            x, y = self.inv.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return round7(shapely.transform(geom, inv))


def round7(geom):
    """Round every coordinate to 7 decimals, exactly as the files carry them."""
    return shapely.transform(geom, lambda c: np.round(c, 7))


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
        """Radii at scale s, raised to the floors and cut at the caps."""
        return [min(caps[i], max(floors[i], s * base[i])) for i in range(n)]

    def area(r):
        """Area (m²) of the polygon with these radii at the fixed angles."""
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
