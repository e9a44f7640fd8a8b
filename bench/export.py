"""Export of clearance parcels to GeoPackage: `zoneatlas export` beside `ogr2ogr` reading the same PostGIS table.

Run with `bench/run-export` (or `.venv/bin/python bench/export.py --sizes 20000,200000`). For each size it prepares
its own database `zoneatlas_bench_export_<n>` (migrations, demo data and `zoneatlas demo generate --parcels n`,
reusing bench/throughput.py's preparation), then runs each tool in a fresh process under a small wrapper that
reports wall time and the child's peak resident memory (getrusage RUSAGE_CHILDREN), and prints a table. Both
tools write every parcel with every field; memory that stays flat from 20k to 200k parcels shows the streaming.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, prepare_database  # noqa: E402

from gis.settings import Settings  # noqa: E402

MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "seconds = time.perf_counter() - start\n"
    "peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'rc': done.returncode, 'seconds': seconds, 'peak_kb': peak_kb, 'err': done.stderr[-800:]}))\n"
)


IDLE = (
    "from gis import ogr; ogr.skip_pandas_probe(); ogr.ogr()\n"  # what `zoneatlas export` loads before any row
    "import api.cli, api.query_text, layers.exports, pyarrow.csv, psycopg2\n"
)


def measure(command: list[str], env: dict[str, str]) -> dict:
    """Run a command in a fresh wrapper process: wall time and the peak RSS of that one command."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, env=env, check=True
    )
    figures = json.loads(done.stdout)
    if figures["rc"] != 0:
        raise RuntimeError(f"{command[0]} failed: {figures['err']}")
    return figures


def pg_connection_string(url: str) -> str:
    """The libpq string GDAL's PG driver takes."""
    parsed = make_url(url)
    parts = {
        "dbname": parsed.database,
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username,
        "password": parsed.password,
    }
    return "PG:" + " ".join(f"{k}={v}" for k, v in parts.items() if v)


def count(url: str) -> int:
    """Parcels in the database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM clearance_parcels")).scalar_one()
    engine.dispose()
    return total


def main() -> None:
    """Prepare each size, run both tools, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000", help="Parcel counts, comma-separated.")
    parser.add_argument("--plots", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("ogr2ogr"):
        sys.exit("ogr2ogr is not installed (Debian package gdal-bin)")
    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    zoneatlas = str(ROOT / ".venv" / "bin" / "zoneatlas")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        url = make_url(base_url).set(database=f"zoneatlas_bench_export_{size}").render_as_string(hide_password=False)
        prepare_database(url, size, args.plots)
        total = count(url)
        env = {**os.environ, "DATABASE_URL": url}
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(1, args.rounds + 1):
                ours = Path(folder) / f"ours{round_no}.gpkg"
                theirs = Path(folder) / f"ogr{round_no}.gpkg"
                app = measure(
                    [zoneatlas, "export", "clearance_parcels", "--internal", "--format", "gpkg", "-o", str(ours)], env
                )
                ogr = measure(
                    ["ogr2ogr", "-f", "GPKG", str(theirs), pg_connection_string(url), "clearance_parcels"], env
                )
                rows.append((total, round_no, "zoneatlas export", app, ours.stat().st_size))
                rows.append((total, round_no, "ogr2ogr", ogr, theirs.stat().st_size))
                ours.unlink()
                theirs.unlink()
    idle = measure([sys.executable, "-c", IDLE], {**os.environ})
    print(f"\nclearance_parcels to GeoPackage, every field; {os.cpu_count()} cores; peak RSS of the one process\n")
    header = f"{'parcels':>8} {'round':>5} {'tool':18} {'seconds':>8} {'peak RSS MB':>12} {'file MB':>8}"
    print(header)
    print("-" * len(header))
    for total, round_no, tool, figures, size in rows:
        print(
            f"{total:>8} {round_no:>5} {tool:18} {figures['seconds']:>8.1f} {figures['peak_kb'] / 1024:>12.0f} "
            f"{size / 1_048_576:>8.1f}"
        )
    print()
    for total in sorted({r[0] for r in rows}):
        best = {
            tool: min(f["seconds"] for t, _, tool_name, f, _ in rows if t == total and tool_name == tool)
            for tool in ("zoneatlas export", "ogr2ogr")
        }
        print(
            f"{total:>8} parcels: zoneatlas export / ogr2ogr = {best['zoneatlas export'] / best['ogr2ogr']:.2f} "
            "(fastest round of each)"
        )
    print(f"\nPython with the export modules imported and nothing exported: {idle['peak_kb'] / 1024:.0f} MB peak RSS")


if __name__ == "__main__":
    main()
