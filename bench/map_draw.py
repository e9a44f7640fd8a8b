"""Time-to-draw of the zone map (/maps/zones) in headless Chromium with 200,000 clearance parcels and 20,000 plots.

Run with `bench/run-map` (add `--help` for options). It prepares its own database `zoneatlas_bench_map` (bench/
throughput.py's preparation: demo data plus `zoneatlas demo generate --parcels 200000 --plots 20000 --seed 1`),
starts two `zoneatlas serve` as bench/throughput.py does (one worker per core, no basemap): "rendered" with
TILE_CACHE_SIZE=0 (PostGIS renders every tile) and "cached" with the tile cache on. It opens the page in Debian's
Chromium (driven by Playwright as tests/browser.py does, 1280×900) through the page's URL state
`#c=lat,lon&z=<zoom>&l=<layers>` on three views:

- the industrial park with the most plots at zoom 14, as an anonymous reader, with the page's default layers
  (land_plots as vector tiles; zones, functional areas, parks, border gates and projects as GeoJSON);
- the project site with the most clearance parcels, as a staff reader (a viewer account's personal token sent as
  `Authorization: Bearer`, the same token lookup a session cookie makes), with the default layers plus
  clearance_parcels as vector tiles: at zoom 14, where the site lies wholly in view and its parcels are drawn
  merged per map sheet and stage, and at zoom 15, the first zoom with individual parcels.

Every load is a fresh browser context (empty HTTP cache) in one browser
process. Per view, each server first gets --warmups loads, not counted (the first, with the view's tiles not yet in
any cache, is printed as "1st load"); then the measured runs alternate between the two servers, so drift in the
shared machine's load hits both.

"Drawn" is measured inside the page, from navigation start (performance.timeOrigin) to the first animation frame in
which every layer the page put on the map is drawn: a GeoJSON layer once its features were fetched and added to
the map (Leaflet's SVG renderer creates their paths synchronously, so the next paint shows them); a vector-tile
layer once Leaflet's GridLayer fired `load` (every tile covering the map fetched, decoded and its features added to
the tile's SVG or canvas; "paths" counts both). A run fails if a tiled layer drew no feature or a request failed.
The light background (zone outlines and roads, drawn under everything) is not waited for.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent))  # for tests.browser
from accounts import staff_token  # noqa: E402
from throughput import prepare_database, start_server  # noqa: E402

from gis.settings import Settings  # noqa: E402
from tests.browser import CHROMIUM_ARGS, chromium_executable  # noqa: E402

DATABASE = "zoneatlas_bench_map"
STAFF_USER = "bench_map_staff"
VIEWPORT = {"width": 1280, "height": 900}
MODES = ("rendered", "cached")  # servers with TILE_CACHE_SIZE=0 (PostGIS renders every tile) and with the cache on
DEFAULT_LAYERS = ["economic_zones", "functional_areas", "industrial_parks", "land_plots", "border_gates", "projects"]

# Before any page script: hook Leaflet's GridLayer (note when each tile layer first fires `load`) and poll every
# animation frame until each layer on the page's map is drawn (see the module docstring).
DRAW_PROBE = """
(() => {
  const probe = { layers: {}, drawnAt: null, paths: {} };
  Object.defineProperty(window, "__zaDraw", { value: probe });
  performance.setResourceTimingBufferSize(5000);
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      if (value && value.GridLayer && !leaflet) {
        value.GridLayer.addInitHook(function () {
          this.once("load", () => { this.__zaLoadedAt = performance.now(); });
        });
      }
      leaflet = value;
    },
  });
  const isDrawn = (layer) => (layer instanceof leaflet.GridLayer ? layer.__zaLoadedAt !== undefined
    : layer.getLayers().length > 0);
  function check() {
    const ctx = window.zoneAtlasPage;
    const layers = ctx && ctx.layersOnMap ? Object.entries(ctx.layersOnMap) : [];
    if (layers.length) {
      const now = performance.now();
      for (const [id, layer] of layers) {
        if (probe.layers[id] === undefined && isDrawn(layer)) probe.layers[id] = now;
      }
      if (layers.every(([id]) => probe.layers[id] !== undefined)) {
        for (const [id, layer] of layers) {
          const onCanvas = Object.values(layer._vectorTiles || {})  // features drawn by canvas tile renderers
            .reduce((n, r) => n + (r instanceof leaflet.Canvas ? Object.keys(r._layers || {}).length : 0), 0);
          probe.paths[id] = { count: ctx.map.getPane(`za-${id}`).querySelectorAll("path").length + onCanvas,
                              tiled: layer instanceof leaflet.GridLayer };
        }
        probe.drawnAt = now;
        return;
      }
    }
    requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
})();
"""

COLLECT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const tiles = performance.getEntriesByType("resource").filter((e) => e.name.includes("/tiles/"));
  return { ...window.__zaDraw, html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, tiles: tiles.length,
           lastTile: Math.max(0, ...tiles.map((e) => e.responseEnd)) };
}
"""


@dataclass
class View:
    """Where the map opens, for whom, with which layers."""

    name: str
    reader: str  # "anonymous" or "staff"
    lat: float
    lon: float
    zoom: int
    layers: list[str]


@dataclass
class Load:
    """One page load, in ms from navigation start."""

    drawn: float
    html: float
    dcl: float
    geojson: float  # the last GeoJSON layer drawn
    tiled: float  # the last vector-tile layer drawn
    last_tile: float  # the last tile response received
    tiles: int
    tiled_paths: dict[str, int] = field(default_factory=dict)


def views(conn) -> list[View]:
    """The busiest park (plots) for anonymous readers; the busiest clearance site, merged and parcels, for staff."""
    park, plat, plon = conn.execute(
        text(
            "SELECT park_uid, ST_Y(c), ST_X(c) FROM (SELECT park_uid, ST_Centroid(ST_Collect(geom)) AS c, "
            "count(*) AS n FROM land_plots WHERE valid_to IS NULL GROUP BY park_uid ORDER BY n DESC LIMIT 1) s"
        )
    ).one()
    site, parcels, slat, slon = conn.execute(
        text(
            "SELECT p.uid, s.n, ST_Y(s.c), ST_X(s.c) FROM (SELECT project_id, ST_Centroid(ST_Collect(geom)) AS c, "
            "count(*) AS n FROM clearance_parcels GROUP BY project_id ORDER BY n DESC LIMIT 1) s "
            "JOIN projects p ON p.id = s.project_id"
        )
    ).one()
    staff_layers = [*DEFAULT_LAYERS, "clearance_parcels"]
    return [
        View(f"park {park}, z14", "anonymous", plat, plon, 14, DEFAULT_LAYERS),
        View(f"site {site} ({parcels} parcels), z14", "staff", slat, slon, 14, staff_layers),
        View(f"site {site}, z15", "staff", slat, slon, 15, staff_layers),
    ]


def open_map(browser: Browser, base: str, view: View, headers: dict[str, str]) -> Load:
    """Open the zone map in a fresh context and wait until it is drawn; fail on any failed or foreign request."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", extra_http_headers=headers)
    context.add_init_script(DRAW_PROBE)
    page = context.new_page()
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}: {r.failure}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"foreign {r.url}")
            if urlsplit(r.url).hostname not in (None, "127.0.0.1") and urlsplit(r.url).scheme in ("http", "https")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error {e}"))
    try:
        page.goto(
            f"{base}/maps/zones#c={view.lat:.6f},{view.lon:.6f}&z={view.zoom}&l={','.join(view.layers)}",
            wait_until="commit",
        )
        deadline = time.monotonic() + 120
        while not page.evaluate("() => window.__zaDraw.drawnAt !== null"):
            if problems or time.monotonic() > deadline:
                break
            page.wait_for_timeout(100)
        got = page.evaluate(COLLECT)
    finally:
        context.close()
    if problems or got["drawnAt"] is None:
        raise RuntimeError(f"{view.name}: not drawn within 120 s or a request failed: {problems[:5]}")
    tiled = {k: v["count"] for k, v in got["paths"].items() if v["tiled"]}
    if not tiled or not all(tiled.values()):
        raise RuntimeError(f"{view.name}: a tiled layer drew nothing: {got['paths']}")
    stamps = got["layers"]
    return Load(
        drawn=got["drawnAt"],
        html=got["html"],
        dcl=got["dcl"],
        geojson=max(stamps[k] for k, v in got["paths"].items() if not v["tiled"]),
        tiled=max(stamps[k] for k in tiled),
        last_tile=got["lastTile"],
        tiles=got["tiles"],
        tiled_paths=tiled,
    )


def median(loads: list[Load], name: str) -> float:
    """Median of one figure over the runs."""
    return statistics.median(getattr(load, name) for load in loads)


def main() -> None:
    """Prepare, start both servers, measure each view on both, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured loads per view and server")
    parser.add_argument("--warmups", type=int, default=2, help="loads after each server start, not counted")
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", choices=("anonymous", "staff"), help="one reader only")
    args = parser.parse_args()
    executable = chromium_executable()

    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base_url).set(database=DATABASE).render_as_string(hide_password=False)
    prepare_database(url, args.parcels, args.plots)
    engine = create_engine(url)
    with engine.connect() as conn:
        cases = [v for v in views(conn) if args.only in (None, v.reader)]
    engine.dispose()
    headers = {"anonymous": {}}
    if any(v.reader == "staff" for v in cases):
        headers["staff"] = {"Authorization": f"Bearer {staff_token(url, STAFF_USER)}"}
    os.environ["BASEMAP_URL"] = "none"  # the machine is offline; time our own layers only

    print(
        f"\n/maps/zones, {args.parcels} parcels, {args.plots} plots; Chromium {VIEWPORT['width']}×"
        f"{VIEWPORT['height']}; {args.workers} app workers, {os.cpu_count()} cores; "
        f"{args.runs} runs each (fresh browser context), ms from navigation start\n"
    )
    header = (
        f"{'view':40} {'reader':9} {'tiles':8} {'1st load':>8} {'drawn p50':>9} {'max':>6} {'html':>5} "
        f"{'DOMready':>8} {'GeoJSON':>7} {'tiles drawn':>11} {'last tile':>9} {'requests':>8}  paths"
    )
    print(header)
    print("-" * len(header))
    servers = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for mode in MODES:
                servers[mode] = start_server(url, args.workers, tile_cache=mode == "cached")
            for view in cases:
                bases = {mode: base for mode, (_, base) in servers.items()}
                first, runs = measure_view(browser, bases, view, args, headers[view.reader])
                for mode in MODES:
                    print_row(view, mode, first[mode], runs[mode])
        finally:
            browser.close()
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=10)


def measure_view(
    browser: Browser, bases: dict[str, str], view: View, args: argparse.Namespace, headers: dict[str, str]
) -> tuple[dict[str, Load], dict[str, list[Load]]]:
    """Warm up each server on a view, then load the view from each server in turn."""
    first = {
        mode: [open_map(browser, bases[mode], view, headers) for _ in range(max(args.warmups, 1))][0] for mode in MODES
    }
    runs: dict[str, list[Load]] = {mode: [] for mode in MODES}
    for _ in range(args.runs):
        for mode in MODES:
            runs[mode].append(open_map(browser, bases[mode], view, headers))
    return first, runs


def print_row(view: View, mode: str, first: Load, loads: list[Load]) -> None:
    """One line of the table: the first load, median and max drawn, and the medians of the milestones."""
    paths = ", ".join(f"{k} {v}" for k, v in loads[-1].tiled_paths.items())
    print(
        f"{view.name:40} {view.reader:9} {mode:8} {first.drawn:>8.0f} {median(loads, 'drawn'):>9.0f} "
        f"{max(x.drawn for x in loads):>6.0f} {median(loads, 'html'):>5.0f} {median(loads, 'dcl'):>8.0f} "
        f"{median(loads, 'geojson'):>7.0f} {median(loads, 'tiled'):>11.0f} {median(loads, 'last_tile'):>9.0f} "
        f"{median(loads, 'tiles'):>8.0f}  {paths}",
        flush=True,
    )


if __name__ == "__main__":
    main()
