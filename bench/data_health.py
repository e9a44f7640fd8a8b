"""The data-health check and the land finder's clearance state at scale: median times on a database with generated
plots and parcels.

Run with `.venv/bin/python bench/data_health.py [--plots 20000] [--parcels 200000] [--keep]`. It creates its own
throwaway database `zoneatlas_bench_health` (migrations, demo data, then `zoneatlas demo generate` with the given
counts, which the write rules of migration 0023 check as they are inserted), and prints the median of 5 runs of
`data_health` (every kind), of the land finder over every available plot, and of the finder with `clean=true`.
The database is dropped at the end unless --keep.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from enterprises_report import timed  # noqa: E402  (median ms after a warm-up, shared by the benches)

from gis.database_admin import drop_database  # noqa: E402
from gis.settings import Settings  # noqa: E402
from layers.health import data_health  # noqa: E402
from layers.land import LandQuery, available_plots  # noqa: E402


def prepare(url: str, plots: int, parcels: int) -> float:
    """Migrate, load the demo and generate the scale data; the seconds the generation took (rules included)."""
    env = {**os.environ, "DATABASE_URL": url}
    za = [sys.executable, "-m", "api"]
    subprocess.run([*za, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([*za, "demo", "load", "--replace"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    started = time.perf_counter()
    generate = [*za, "demo", "generate", "--plots", str(plots), "--parcels", str(parcels)]
    subprocess.run(generate, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    """Build the database, print the figures, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = make_url(Settings().database_url).set(database="zoneatlas_bench_health").render_as_string(False)
    try:
        generated = prepare(url, args.plots, args.parcels)
        engine = create_engine(url)
        with engine.connect() as conn:
            counts = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM land_plots WHERE valid_to IS NULL), "
                    "(SELECT count(*) FROM clearance_parcels)"
                )
            ).one()
            report = data_health(conn)
            print(f"plots {counts[0]}, parcels {counts[1]}; generated (rules checked) in {generated:.1f} s")
            print(f"contradictions found: {report['count']}")
            print(f"data_health, every kind:        {timed(lambda: data_health(conn)):9.1f} ms")
            every = LandQuery(limit=10_000)
            clean = LandQuery(limit=10_000, clean_only=True)
            print(f"land finder, every plot:        {timed(lambda: available_plots(conn, every)):9.1f} ms")
            print(f"land finder, clean=true:        {timed(lambda: available_plots(conn, clean)):9.1f} ms")
        engine.dispose()
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
