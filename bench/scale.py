"""Single-client latency of the hot clearance-parcel requests at 20,000, 200,000 and 2,000,000 parcels, with plans.

Run with `bench/run-scale` (or `.venv/bin/python bench/scale.py --sizes 20000,200000`). For each size n it prepares
its own database `zoneatlas_bench_scale_<n>` (bench/throughput.py's preparation: demo data plus `zoneatlas demo
generate --parcels n --plots 20000 --seed 1`; the plots stay at 20,000 so only the parcel table grows; skipped when
the counts are already there). Over the project site with the most parcels in that database it times, one request
after another (a warm-up first, then --requests timed rounds; p50 and p99):

- vector tiles of clearance_parcels at z14 (drawn merged per project, map sheet and stage from
  clearance_overview, as the app serves it below zoom 15) and at z15 (individual parcels), and an items page of
  clearance_parcels in a ~1 km² box (limit 100),
  through the app (`zoneatlas serve` with TILE_CACHE_SIZE=0, so every tile is rendered; a viewer account's
  personal token, made with `zoneatlas users`, as `Authorization: Bearer`, since the layer is internal), and
- the same SQL straight into PostGIS over one psycopg2 connection, compiled from the app's own builders as
  bench/throughput.py does (the tile statement; the page and, for a full page, the count). The app adds the HTTP
  stack and the token lookup; its tiles' change version comes from memory (the change feed), not a query.
  The SQL is timed twice: with the server's settings, as the app runs it, and "serial", with JIT and parallel
  workers off, because once the estimated rows of a tile push its cost over jit_above_cost the planner adds both,
  which on a small machine costs more than it saves.

Then it prints `EXPLAIN (ANALYZE, BUFFERS)` of the tile, page and count statements at each size and writes them to
docs/query-plans.md (overwritten), so a reader sees the GiST index scans and that the work follows the rows in the
envelope, not the table.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import morecantile
import psycopg2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accounts import staff_token  # noqa: E402
from throughput import CRS84, ROOT, prepare_database, sql_text, square_bbox, start_server  # noqa: E402

from gis.settings import Settings  # noqa: E402
from gis.tiles import TileAddress, tile_statement  # noqa: E402
from layers.features import FeatureQuery, page_statements  # noqa: E402
from layers.registry import get_layer  # noqa: E402
from layers.spec import Access  # noqa: E402
from layers.tiles import tile_layer  # noqa: E402

STAFF_USER = "bench_scale_staff"
PLANS_FILE = ROOT / "docs" / "query-plans.md"
SERIAL = "SET jit = off; SET max_parallel_workers_per_gather = 0"  # the SQL again, without JIT or parallel workers
ENVELOPE = re.compile(r"'[0-9A-F]{40,}'::geometry")  # a constant-folded envelope in a plan, as hex EWKB


@dataclass
class Request:
    """One request: its app path, the statements the app runs for it, which to EXPLAIN, and the rows it covers."""

    name: str
    path: str
    statements: list[str]
    explained: dict[str, str]
    rows: int


@dataclass
class Latency:
    """Sequential request times, in ms."""

    p50: float
    p99: float


def densest_site(conn) -> tuple[str, int, float, float]:
    """The project site with the most parcels: its uid, parcel count and the centre of its parcels (lon, lat)."""
    return tuple(
        conn.execute(
            text(
                "SELECT p.uid, s.n, ST_X(s.c), ST_Y(s.c) FROM (SELECT project_id, ST_Centroid(ST_Collect(geom)) AS c, "
                "count(*) AS n FROM clearance_parcels GROUP BY project_id ORDER BY n DESC LIMIT 1) s "
                "JOIN projects p ON p.id = s.project_id"
            )
        ).one()
    )


def tile_request(conn, lon: float, lat: float, z: int) -> Request:
    """The clearance_parcels tile at zoom z around a point, drawn from what the app draws there for staff."""
    drawn_spec = get_layer("clearance_parcels").at_zoom(z)  # merged groups below the detail zoom, parcels from it
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    tile = sql_text(
        tile_statement(tile_layer(drawn_spec, FeatureQuery(access=Access.internal)), TileAddress(z, t.x, t.y))
    )
    kind = "parcels" if drawn_spec.table == "clearance_parcels" else f"merged ({drawn_spec.table})"
    _, _, drawn = conn.exec_driver_sql(tile).one()
    path = f"/collections/clearance_parcels/tiles/WebMercatorQuad/{z}/{t.x}/{t.y}"
    return Request(f"tile z{z} {kind.split()[0]}", path, [tile], {f"tile z{z}/{t.x}/{t.y} {kind}": tile}, drawn)


def requests_at(conn, lon: float, lat: float) -> list[Request]:
    """The z14 and z15 tiles and the 1 km² items page of clearance_parcels around a point, as staff sees them."""
    parcels = get_layer("clearance_parcels")
    box = square_bbox(lon, lat, 1)
    page, count = page_statements(parcels, FeatureQuery(access=Access.internal, bbox=box, limit=100), CRS84)
    full = len(conn.execute(page).all()) == 100  # the app counts only after a full page
    matched = conn.execute(count).scalar_one()
    items = [sql_text(page)] + ([sql_text(count)] if full else [])
    return [
        tile_request(conn, lon, lat, 14),
        tile_request(conn, lon, lat, 15),
        Request(
            "items 1 km² (limit 100)",
            f"/collections/clearance_parcels/items?bbox={box.minx:.6f},{box.miny:.6f},{box.maxx:.6f},"
            f"{box.maxy:.6f}&limit=100",
            items,
            {"items page": sql_text(page), **({"items count": sql_text(count)} if full else {})},
            matched,
        ),
    ]


def percentiles(samples: list[float]) -> Latency:
    """p50 and p99 (nearest rank) of times in seconds, as ms."""
    ordered = sorted(samples)
    return Latency(statistics.median(ordered) * 1000, ordered[max(0, round(len(ordered) * 0.99) - 1)] * 1000)


def app_once(client: httpx.Client, path: str) -> float:
    """One GET over the keep-alive connection, in seconds; the answer must be 200 with a body."""
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    if response.status_code != 200 or not response.content:
        raise RuntimeError(f"{path}: HTTP {response.status_code} {response.text[:300]}")
    return elapsed


def sql_once(cursor, statements: list[str]) -> float:
    """The request's statements one after another, each result fetched, in seconds."""
    start = time.perf_counter()
    for statement in statements:
        cursor.execute(statement)
        cursor.fetchall()
    return time.perf_counter() - start


def measure(client: httpx.Client, cursor, serial_cursor, case: Request, warmup: int, count: int) -> list[Latency]:
    """App, SQL and serial SQL, one of each in turn per round, so the shared machine's drift hits all three alike."""
    samples: list[list[float]] = [[], [], []]
    for i in range(warmup + count):
        times = (
            app_once(client, case.path),
            sql_once(cursor, case.statements),
            sql_once(serial_cursor, case.statements),
        )
        if i >= warmup:
            for kept, elapsed in zip(samples, times, strict=True):
                kept.append(elapsed)
    return [percentiles(s) for s in samples]


def explain(cursor, statement: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, as text, with the envelope's hex EWKB shortened."""
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
    return ENVELOPE.sub("'<envelope>'::geometry", "\n".join(row[0] for row in cursor.fetchall()))


def libpq_dsn(url: str) -> str:
    """The database URL as psycopg2 takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def plans_markdown(table: str, sections: list[str]) -> str:
    """docs/query-plans.md: how it was made, the latency table and every plan."""
    intro = (
        f"Written by `bench/run-scale` ({datetime.date.today().isoformat()}, {os.cpu_count()} shared cores); "
        "rerunning it overwrites this file. Each database is `zoneatlas demo generate --parcels n --plots 20000 "
        "--seed 1` over the demo data; the requests are vector tiles of `clearance_parcels` at z14 (merged per "
        "project, map sheet and stage, from `clearance_overview`) and z15 (individual parcels) and a ~1 km² items "
        "page (limit 100) over the project site with the most parcels, as a staff reader; *rows* are the features "
        "in the tile and the parcels in the box. The statements are compiled from the app's own builders "
        "(`gis.tiles.tile_statement`, `layers.features.page_statements`). Latency is single-client and sequential: "
        "the app through HTTP with every tile rendered (`TILE_CACHE_SIZE=0`), the SQL over one psycopg2 "
        f"connection with the server's settings and again *serial* (`{SERIAL}`). The plans below are "
        "`EXPLAIN (ANALYZE, BUFFERS)` with the server's settings, as the app runs them, taken after the timed "
        "runs (warm buffers); `<envelope>` stands for the tile's or the box's envelope as hex EWKB."
    )
    return (
        "# Query plans of the hot parcel queries at 20k, 200k and 2M parcels\n\n"
        + textwrap.fill(intro, 118, break_on_hyphens=False)
        + f"\n\n```\n{table}\n```\n\n"
        + "\n\n".join(sections)
        + "\n"
    )


def main() -> None:
    """Prepare each size, time app and SQL, print the table and the plans, write docs/query-plans.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000,2000000", help="Parcel counts, comma-separated.")
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--plans-file", type=Path, default=PLANS_FILE, help="where the plans go (overwritten)")
    args = parser.parse_args()
    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url

    header = (
        f"{'parcels':>9}  {'request':24} {'rows':>6} {'app p50':>8} {'app p99':>8} {'SQL p50':>8} "
        f"{'SQL p99':>8} {'serial':>8} {'p99':>8}"
    )
    lines = [
        f"ms, {args.requests} sequential requests each; serial: the same SQL with {SERIAL}",
        "",
        header,
        "-" * len(header),
    ]
    print("\n".join(lines), flush=True)
    sections = []
    for size in (int(s) for s in args.sizes.split(",")):
        url = make_url(base_url).set(database=f"zoneatlas_bench_scale_{size}").render_as_string(hide_password=False)
        prepare_database(url, size, args.plots)
        engine = create_engine(url)
        with engine.connect() as conn:
            site, parcels, lon, lat = densest_site(conn)
            cases = requests_at(conn, lon, lat)
        engine.dispose()
        token = staff_token(url, STAFF_USER)
        process, base = start_server(url, args.workers, tile_cache=False)
        connection, serial_connection = psycopg2.connect(libpq_dsn(url)), psycopg2.connect(libpq_dsn(url))
        connection.autocommit = serial_connection.autocommit = True
        try:
            with (
                httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
                connection.cursor() as cursor,
                serial_connection.cursor() as serial_cursor,
            ):
                serial_cursor.execute(SERIAL)
                plans = []
                for case in cases:
                    app, sql, serial = measure(client, cursor, serial_cursor, case, args.warmup, args.requests)
                    lines.append(
                        f"{size:>9}  {case.name:24} {case.rows:>6} {app.p50:>8.1f} {app.p99:>8.1f} "
                        f"{sql.p50:>8.1f} {sql.p99:>8.1f} {serial.p50:>8.1f} {serial.p99:>8.1f}"
                    )
                    print(lines[-1], flush=True)
                    plans += [
                        f"== {name} ({case.rows} rows)\n{explain(cursor, statement)}"
                        for name, statement in case.explained.items()
                    ]
        finally:
            connection.close()
            serial_connection.close()
            process.terminate()
            process.wait(timeout=10)
        section = (
            f"## {size:,} parcels (densest site {site}: {parcels:,} parcels, centre {lon:.5f}, {lat:.5f})\n\n"
            "```\n" + "\n".join(plans) + "\n```"
        )
        print("\n" + section + "\n", flush=True)
        sections.append(section)
    table = "\n".join(lines)
    print("\n" + table)
    args.plans_file.write_text(plans_markdown(table, sections), encoding="utf-8")
    print(f"\nplans written to {args.plans_file}")


if __name__ == "__main__":
    main()
