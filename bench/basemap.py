"""The offline base map and the names on maps: time and size of base tiles per zoom, and of label requests.

Run: `DATABASE_URL=… .venv/bin/python bench/basemap.py` against a database where `zoneatlas db upgrade` and
`zoneatlas demo load` ran (the local default otherwise). Base tiles are rendered without the tile cache (what a
cache miss costs): for each zoom, every tile on a line of points down Vietnam from Lạng Sơn to Cà Mau. Labels are
asked for through the app's route (TestClient) for views the pages show. Prints medians and maxima.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import morecantile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from gis.db import make_engine  # noqa: E402
from gis.settings import DEFAULT_DATABASE_URL, Settings  # noqa: E402
from gis.tiles import TileAddress  # noqa: E402
from layers.basemap import render_basemap_tile  # noqa: E402

SPINE = [
    (106.76, 21.85),
    (105.85, 21.03),
    (105.16, 18.39),
    (107.59, 16.46),
    (108.22, 16.05),
    (109.19, 13.78),
    (106.70, 10.78),
    (105.07, 10.77),
    (105.78, 10.03),
    (105.15, 9.18),
]  # Lạng Sơn … Cà Mau
VIEWS = {
    "country (z6)": "100,8,112,24",
    "province (z9)": "104.6,10.3,105.6,11.2",
    "zone (z12)": "104.9,10.55,105.05,10.67",
}
ALL_LABELLED = (
    "border_gates,economic_zones,functional_areas,industrial_parks,land_plots,logistics_centres,"
    "transport_lines,transport_nodes"
)


def tiles_at(z: int) -> list[TileAddress]:
    """The distinct tiles under the spine's points at zoom z."""
    tms = morecantile.tms.get("WebMercatorQuad")
    return sorted(
        {TileAddress(z, t.x, t.y) for t in (tms.tile(lon, lat, z) for lon, lat in SPINE)}, key=lambda t: (t.x, t.y)
    )


def main() -> None:
    """Print the figures."""
    settings = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    engine = make_engine(settings)
    print("base tiles (rendered, no cache)")
    print(f"{'zoom':>4} {'tiles':>5} {'median ms':>10} {'max ms':>8} {'median KB':>10} {'max KB':>7}")
    with engine.connect() as conn:
        for z in (5, 7, 9, 11, 13, 15):
            times, sizes = [], []
            for tile in tiles_at(z):
                start = time.perf_counter()
                rendered = render_basemap_tile(conn, tile)
                times.append((time.perf_counter() - start) * 1000)
                sizes.append(len(rendered.data) / 1024)
            print(
                f"{z:>4} {len(times):>5} {statistics.median(times):>10.1f} {max(times):>8.1f} "
                f"{statistics.median(sizes):>10.1f} {max(sizes):>7.1f}"
            )
    print("\nlabels (GET /api/map-labels, every labelled layer, anonymous)")
    print(f"{'view':<15} {'labels':>6} {'median ms':>10}")
    with TestClient(create_app(settings)) as client:
        for name, bbox in VIEWS.items():
            times, count = [], 0
            for _ in range(7):
                start = time.perf_counter()
                response = client.get("/api/map-labels", params={"bbox": bbox, "layers": ALL_LABELLED})
                times.append((time.perf_counter() - start) * 1000)
                count = len(response.json()["labels"])
            print(f"{name:<15} {count:>6} {statistics.median(times):>10.1f}")


if __name__ == "__main__":
    main()
