"""The land finder's queries on the demo data: with the nearest-place bound (NEAREST_BOUND_KM) and without one.

Run with `bench/run-land` (or `.venv/bin/python bench/land_finder.py --repeat 20`). It creates its own database
`zoneatlas_bench_land` (migrations and the demo data), runs each query `repeat` times after one warm-up and prints
the median and best wall time in milliseconds. "Unbounded" is a bound of 20,000 km: every node on Earth counts, as
before the bound existed; the bound caps the candidate search of every nearest-node lookup.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gis.database_admin import ensure_database, ensure_extensions  # noqa: E402
from gis.db import make_engine  # noqa: E402
from gis.migrate import upgrade  # noqa: E402
from gis.settings import PROJECT_ROOT, Settings  # noqa: E402
from layers.demo.loader import load_demo, load_lookups  # noqa: E402
from layers.land import LandQuery, available_plots, plot_by_uid  # noqa: E402
from layers.parks import park_summaries  # noqa: E402

UNBOUNDED_KM = 20_000.0


def queries(bound: float) -> dict[str, Callable[[Connection], object]]:
    """The finder's calls at one bound: every available plot, clean land near a gate, a plot sheet, every park."""
    return {
        "all available plots": lambda c: available_plots(c, LandQuery(limit=10_000, bound_km=bound)),
        "clean, <= 20 km of a gate": lambda c: available_plots(
            c, LandQuery(clean_only=True, max_km={"border_gate": 20.0}, bound_km=bound)
        ),
        "one plot's sheet data": lambda c: plot_by_uid(c, "KCN-XUAN-TO-CN1", bound),
        "every park's summary": lambda c: park_summaries(c, None, bound),
    }


def timed(conn: Connection, call: Callable[[Connection], object], repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` runs after one warm-up."""
    call(conn)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call(conn)
        runs.append((time.perf_counter() - start) * 1000.0)
    return runs


def main() -> int:
    """Prepare the database, run every query at both bounds, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = make_url(Settings().database_url)  # DATABASE_URL's server, or the local default
    url = url.set(database="zoneatlas_bench_land").render_as_string(hide_password=False)
    ensure_database(url)
    ensure_extensions(url)
    upgrade(url)
    engine = make_engine(Settings(DATABASE_URL=url))
    with engine.begin() as conn:
        load_lookups(conn, PROJECT_ROOT / "data" / "lookups")
        load_demo(conn, PROJECT_ROOT / "data" / "demo", replace=True)
    print(f"{'query':32s} {'bound':>10s} {'median ms':>10s} {'best ms':>8s}")
    with engine.connect() as conn:
        for bound, label in ((300.0, "300 km"), (UNBOUNDED_KM, "none")):
            for name, call in queries(bound).items():
                runs = timed(conn, call, args.repeat)
                print(f"{name:32s} {label:>10s} {statistics.median(runs):10.1f} {min(runs):8.1f}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
