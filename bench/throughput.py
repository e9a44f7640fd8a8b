"""Items and vector-tile throughput of the app beside the same SQL run directly in PostGIS (the floor).

Run with `bench/run` (add `--help` for options). It builds its own database `zoneatlas_bench` with the demo data
plus the scale data (`zoneatlas demo generate`), starts `zoneatlas serve` with production workers, drives it with
wrk and runs the identical statements with pgbench at the same concurrency, twice, and prints a table.
"""

import argparse
import math
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import morecantile
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from gis.change_feed import VERSION_SQL
from gis.crs import parse_crs_uri
from gis.settings import Settings
from gis.tiles import TileAddress, tile_statement
from layers.features import BBox, FeatureQuery, page_statements
from layers.registry import get_layer, layers_visible_to
from layers.spec import Access
from layers.tiles import data_version, tile_layer

ROOT = Path(__file__).resolve().parent.parent
PGBENCH = next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), "pgbench")
CRS84 = parse_crs_uri("CRS84")


@dataclass
class Scenario:
    """One request, as a URL for wrk and as SQL statements for pgbench."""

    name: str
    path: str
    statements: list[str]
    cached: bool = False  # served by the app with its tile cache on (the floor still renders: the same SQL)
    staff: bool = False  # asked with a staff viewer's bearer token (internal layers such as clearance_parcels)


@dataclass
class Figures:
    """Throughput and latency of one run, and CPU milliseconds per request of the app, PostgreSQL and the driver."""

    rps: float
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float = 0.0
    pg_cpu_ms: float = 0.0
    driver_cpu_ms: float = 0.0


def measured(run, seconds: int, app_pid: int | None) -> Figures:
    """Run a load (wrk or pgbench) and add the CPU each party spent per request."""
    app_before, pg_before = cpu_seconds(app_pid)
    driver_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = run()
    time.sleep(0.2)  # let closing backends exit so the postmaster has reaped them
    app_after, pg_after = cpu_seconds(app_pid)
    driver_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = figures.rps * seconds
    driver = (driver_after.ru_utime + driver_after.ru_stime) - (driver_before.ru_utime + driver_before.ru_stime)
    figures.app_cpu_ms = 1000 * (app_after - app_before) / done
    figures.pg_cpu_ms = 1000 * (pg_after - pg_before) / done
    figures.driver_cpu_ms = 1000 * driver / done
    return figures


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None if the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _processes() -> dict[int, tuple[str, int, float, float]]:
    """Every process: (command, parent, own CPU seconds, reaped children's CPU seconds)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            try:
                comm = (entry / "comm").read_text().strip()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if fields:
                own = (int(fields[11]) + int(fields[12])) / TICKS
                reaped = (int(fields[13]) + int(fields[14])) / TICKS
                out[int(entry.name)] = (comm, int(fields[1]), own, reaped)
    return out


def cpu_seconds(app_pid: int | None) -> tuple[float, float]:
    """CPU used so far by the app (its process tree) and by PostgreSQL (live processes plus exited backends,
    which the postmaster has reaped), in seconds: sampled before and after a run to split where time went."""
    procs = _processes()
    app = 0.0
    if app_pid is not None:
        tree = {app_pid}
        for _ in range(3):  # serve -> uvicorn supervisor -> workers
            tree |= {pid for pid, (_, parent, _, _) in procs.items() if parent in tree}
        app = sum(procs[pid][2] for pid in tree if pid in procs)
    postgres = sum(own for comm, _, own, _ in procs.values() if comm == "postgres")
    postgres += sum(
        reaped
        for comm, parent, _, reaped in procs.values()
        if comm == "postgres" and procs.get(parent, ("",))[0] != "postgres"
    )
    return app, postgres


def sql_text(statement) -> str:
    """A statement with its values inlined, on one line, as pgbench needs it."""
    compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return " ".join(str(compiled).split()) + ";"


def densest_point(conn) -> tuple[float, float]:
    """Centre of the park with the most plots: where a planner's map is busiest."""
    return conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c, count(*) AS n "
            "FROM land_plots WHERE valid_to IS NULL GROUP BY park_uid ORDER BY n DESC LIMIT 1) s"
        )
    ).one()


def square_bbox(lon: float, lat: float, km2: float) -> BBox:
    """A square of about km2 square kilometres around a point, in degrees."""
    half_km = math.sqrt(km2) / 2
    dlat = half_km / 110.574
    dlon = half_km / (111.320 * math.cos(math.radians(lat)))
    return BBox(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def version_sql(specs) -> str:
    """The change-version lookup the app makes for every tile (part of the same work), values inlined by psycopg2."""
    from psycopg2.extensions import adapt

    return VERSION_SQL.replace("%(tables)s", adapt([s.tracked_table for s in specs]).getquoted().decode()) + ";"


def densest_parcels(conn) -> tuple[float, float]:
    """Centre of the clearance project with the most parcels."""
    return conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c, count(*) AS n "
            "FROM clearance_parcels GROUP BY project_id ORDER BY n DESC LIMIT 1) s"
        )
    ).one()


def tile_scenario(name: str, specs, access: Access, z: int, lon: float, lat: float, path: str, **flags) -> Scenario:
    """A tile request and its SQL: the version lookup and each layer's tile statement, as drawn at zoom z."""
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    drawn = [s.at_zoom(z) for s in specs if s.min_zoom <= z <= s.max_zoom]
    statements = [version_sql(drawn)] + [
        sql_text(tile_statement(tile_layer(s, FeatureQuery(access=access)), TileAddress(z, t.x, t.y))) for s in drawn
    ]
    return Scenario(name, path.format(z=z, x=t.x, y=t.y), statements, **flags)


def scenarios(conn) -> list[Scenario]:
    """Items in ~1 km² and ~100 km² boxes, tiles at z14, z10 and z6 over the densest area (cached too), and
    clearance-parcel tiles for staff at z15 (parcels), z12 and z6 (merged) over the densest parcels."""
    lon, lat = densest_point(conn)
    plots = get_layer("land_plots")
    out = []
    for name, km2, limit in (("items 1 km² (limit 100)", 1, 100), ("items 100 km² (limit 1000)", 100, 1000)):
        box = square_bbox(lon, lat, km2)
        query = FeatureQuery(bbox=box, limit=limit)
        page, count = page_statements(plots, query, CRS84)
        path = (
            f"/collections/land_plots/items?bbox={box.minx:.6f},{box.miny:.6f},{box.maxx:.6f},{box.maxy:.6f}"
            f"&limit={limit}"
        )
        short_page = len(conn.execute(page).all()) < limit  # the app skips the count then, so does the floor
        out.append(Scenario(name, path, [sql_text(page)] + ([] if short_page else [sql_text(count)])))
    plots_path = "/collections/land_plots/tiles/WebMercatorQuad/{z}/{x}/{y}"
    public = [s for s in layers_visible_to(Access.public) if s.geometry_column]
    every = [s for s in layers_visible_to(Access.internal) if s.geometry_column]
    for z in (14, 10):
        out.append(tile_scenario(f"tile z{z} land_plots", [plots], Access.public, z, lon, lat, plots_path))
        out.append(
            tile_scenario(
                f"tile z{z} land_plots (cached)", [plots], Access.public, z, lon, lat, plots_path, cached=True
            )
        )
    all_path = "/tiles/WebMercatorQuad/{z}/{x}/{y}"
    out.append(tile_scenario("tile z6 all public layers", public, Access.public, 6, lon, lat, all_path))
    out.append(
        tile_scenario("tile z6 all public layers (cached)", public, Access.public, 6, lon, lat, all_path, cached=True)
    )
    plon, plat = densest_parcels(conn)
    parcels = get_layer("clearance_parcels")
    parcels_path = "/collections/clearance_parcels/tiles/WebMercatorQuad/{z}/{x}/{y}"
    out.append(
        tile_scenario(
            "tile z15 clearance_parcels (staff)", [parcels], Access.internal, 15, plon, plat, parcels_path, staff=True
        )
    )
    out.append(
        tile_scenario(
            "tile z12 clearance, merged (staff)", [parcels], Access.internal, 12, plon, plat, parcels_path, staff=True
        )
    )
    out.append(
        tile_scenario(
            "tile z6 clearance, merged (staff)", [parcels], Access.internal, 6, plon, plat, parcels_path, staff=True
        )
    )
    out.append(tile_scenario("tile z6 all layers (staff)", every, Access.internal, 6, plon, plat, all_path, staff=True))
    return out


def run_wrk(
    url: str, connections: int, seconds: int, token: str | None = None, headers: tuple[str, ...] = ()
) -> Figures:
    """Drive the app with wrk (as a staff reader when given a token) and read requests/s and latency percentiles."""
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    auth += [arg for header in headers for arg in ("-H", header)]
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *auth, url],
        capture_output=True,
        text=True,
        check=True,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    if errors:
        raise RuntimeError(f"{url} answered {errors.group(1)} errors:\n{done.stdout}")
    return Figures(rps, _wrk_ms(done.stdout, "50%"), _wrk_ms(done.stdout, "99%"))


def _wrk_ms(output: str, percentile: str) -> float:
    """One latency percentile from wrk's --latency table, in ms."""
    value, unit = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_pgbench(url: str, statements: list[str], connections: int, seconds: int) -> Figures:
    """Run the same statements as one pgbench transaction at the same concurrency."""
    parsed = make_url(url)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "request.sql"
        script.write_text("\n".join(statements) + "\n", encoding="utf-8")
        env = {**os.environ, "PGPASSWORD": parsed.password or ""}
        done = subprocess.run(
            [
                PGBENCH,
                "-n",
                "-c",
                str(connections),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                str(script),
                "-l",
                "--log-prefix",
                f"{folder}/log",
                "-h",
                parsed.host or "127.0.0.1",
                "-p",
                str(parsed.port or 5432),
                "-U",
                parsed.username or "postgres",
                parsed.database,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=folder,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
        tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))
        latencies = sorted(
            int(line.split()[2]) / 1000.0 for log in Path(folder).glob("log*") for line in log.read_text().splitlines()
        )
    return Figures(tps, statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1])


def prepare_database(url: str, parcels: int, plots: int) -> None:
    """Migrate, load the demo data and the scale data (skipped when already there)."""
    env = {**os.environ, "DATABASE_URL": url}
    za = str(ROOT / ".venv" / "bin" / "zoneatlas")
    subprocess.run([za, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([za, "demo", "load", "--replace"], env=env, check=True, stdout=subprocess.DEVNULL)
    engine = create_engine(url)
    with engine.connect() as conn:
        have = conn.execute(
            text(
                "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
                "WHERE p.uid LIKE 'GEN-%'"
            )
        ).scalar_one()
        have_plots = conn.execute(text("SELECT count(*) FROM land_plots WHERE uid LIKE 'GEN-%'")).scalar_one()
    engine.dispose()
    if (have, have_plots) != (parcels, plots):
        print(f"generating {parcels} parcels and {plots} plots …", flush=True)
        subprocess.run(
            [za, "demo", "generate", "--parcels", str(parcels), "--plots", str(plots), "--seed", "1"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                "psql",
                make_url(url).render_as_string(hide_password=False).replace("+psycopg2", ""),
                "-qc",
                "VACUUM ANALYZE",
            ],
            check=True,
        )


def start_server(url: str, workers: int, tile_cache: bool) -> tuple[subprocess.Popen, str]:
    """`zoneatlas serve` as make run starts it, with production workers and no access log.

    Without tile_cache the server renders every tile (TILE_CACHE_SIZE=0), so uncached rows measure PostGIS work.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port), "WORKERS": str(workers), "ACCESS_LOG": "false"}
    if not tile_cache:
        env["TILE_CACHE_SIZE"] = "0"
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "zoneatlas"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start")


def main() -> None:
    """Parse options, prepare, measure twice, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", default="zoneatlas_bench", help="the bench database to build or reuse")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only requests whose name contains this text (repeatable), e.g. --only items",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")

    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base_url).set(database=args.database).render_as_string(hide_password=False)
    prepare_database(url, args.parcels, args.plots)
    from accounts import staff_token  # bench/accounts.py imports this module: import it once this one is loaded

    token = staff_token(url, "bench_viewer")
    engine = create_engine(url)
    with engine.connect() as conn:
        cases = [c for c in scenarios(conn) if not args.only or any(o in c.name for o in args.only)]
        data_version(conn, [get_layer("land_plots")])
    engine.dispose()
    plain, plain_base = start_server(url, args.workers, tile_cache=False)
    cached, cached_base = start_server(url, args.workers, tile_cache=True)
    servers = {False: (plain_base, plain.pid), True: (cached_base, cached.pid)}
    try:
        for case in cases:  # warm both paths and check the app answers
            headers = {"Authorization": f"Bearer {token}"} if case.staff else {}
            response = httpx.get(servers[case.cached][0] + case.path, headers=headers, timeout=60)
            assert response.status_code in (200, 204), (case.path, response.status_code, response.text[:300])
        print(
            f"\n{args.plots} plots, {args.parcels} parcels; {args.connections} connections, {args.seconds} s each, "
            f"{args.workers} app workers, {os.cpu_count()} cores"
        )
        print("CPU ms/req: CPU milliseconds each party spent per request (app workers, PostgreSQL, wrk or pgbench)\n")
        header = (
            f"{'request':34} {'round':>5} {'app req/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'floor tps':>9} {'p50 ms':>7} {'p99 ms':>7} {'app/floor':>9} │ {'CPU ms/req: app':>15} "
            f"{'pg':>5} {'wrk':>5} │ {'floor: pg':>9} {'pgbench':>7}"
        )
        print(header)
        print("-" * len(header))
        for round_no in range(1, args.rounds + 1):
            for case in cases:
                base, pid = servers[case.cached]
                token_for_case = token if case.staff else None
                app = measured(
                    partial(run_wrk, base + case.path, args.connections, args.seconds, token_for_case),
                    args.seconds,
                    pid,
                )
                floor = measured(
                    partial(run_pgbench, url, case.statements, args.connections, args.seconds), args.seconds, None
                )
                print(
                    f"{case.name:34} {round_no:>5} {app.rps:>9.1f} {app.p50_ms:>7.1f} {app.p99_ms:>7.1f} "
                    f"{floor.rps:>9.1f} {floor.p50_ms:>7.1f} {floor.p99_ms:>7.1f} {app.rps / floor.rps:>9.2f} │ "
                    f"{app.app_cpu_ms:>15.2f} {app.pg_cpu_ms:>5.2f} {app.driver_cpu_ms:>5.2f} │ "
                    f"{floor.pg_cpu_ms:>9.2f} {floor.driver_cpu_ms:>7.2f}",
                    flush=True,
                )
    finally:
        for process in (plain, cached):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
