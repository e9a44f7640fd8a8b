"""One board's requests on a database of one board, of the country at 200,000 parcels and at 2,000,000, with plans.

Run with `bench/run-scale national` (or `.venv/bin/python bench/national.py --repeat 20`). It prepares three
databases (each skipped when its counts are already there; generation is `zoneatlas demo generate … --seed 1`
over the demo data, then `VACUUM ANALYZE`):

- `zoneatlas_national_board`: one board's share of the country alone (`--provinces BAC_NINH`, 7.3 % of the
  national weights: 145,000 parcels, 2,900 plots, 29 parks, 3,600 projects);
- `zoneatlas_national_200000` and `zoneatlas_national_2000000`: the country (`--provinces all --parks 400
  --plots 40000 --projects 50000`, 34 provinces) with 200,000 and 2,000,000 parcels.

In each it times, for the board (province BAC_NINH) and, where the call has one, for the whole country: the
clearance_parcels tile at z15 and z14 and a 1 km² items page (limit 100) over the board's densest site, the
land_plots tile at z14 over its busiest park, the land finder (`available_plots`, first 1,000 plots), and the
board dashboard's calls (`enterprises_report` for 2025, `enterprises_trend` 2019–2025, `clearance_report`, and
`park_summaries`, the board's parks or every park). Everything runs in this process on one connection through the
app's own functions and statement builders (no HTTP: bench/scale.py measures what the app adds), --repeat times
after one warm-up; it prints the median and the slowest, in ms. Then `EXPLAIN (ANALYZE, BUFFERS)` of each
distinct statement each board call ran on the largest database goes to docs/query-plans-national.md (overwritten).
`--database NAME` times a database you generated yourself (for one of --databases; generation skipped when its
parcel count matches).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import morecantile
from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's code, whatever the venv points at
from scale import ENVELOPE  # noqa: E402
from throughput import CRS84, ROOT, sql_text, square_bbox  # noqa: E402

from gis.settings import Settings  # noqa: E402
from gis.tiles import TileAddress, tile_statement  # noqa: E402
from layers.enterprises import ReportQuery, TrendQuery, enterprises_report, enterprises_trend  # noqa: E402
from layers.features import FeatureQuery, page_statements  # noqa: E402
from layers.land import LandQuery, available_plots  # noqa: E402
from layers.parks import park_summaries  # noqa: E402
from layers.places import Place  # noqa: E402
from layers.registry import get_layer  # noqa: E402
from layers.reports import clearance_report  # noqa: E402
from layers.spec import Access  # noqa: E402
from layers.tiles import tile_layer  # noqa: E402

BOARD = "BAC_NINH"
PLANS_FILE = ROOT / "docs" / "query-plans-national.md"
NATIONAL = ["--provinces", "all", "--parks", "400", "--plots", "40000", "--projects", "50000"]
DATABASES = {  # name suffix: (parcels, generate options)
    "board": (145_000, ["--provinces", BOARD, "--parks", "29", "--plots", "2900", "--projects", "3600"]),
    "200000": (200_000, NATIONAL),
    "2000000": (2_000_000, NATIONAL),
}
GEN_PARCELS = "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.uid LIKE 'GEN-%'"


@dataclass
class Call:
    """One timed call: a name, the scope it covers, and what it runs on a connection."""

    name: str
    scope: str
    run: Callable[[Connection], object]


def prepare(url: str, parcels: int, options: list[str]) -> float | None:
    """Migrate, load the demo and generate (skipped when the parcels are there); seconds spent generating."""
    env = {**os.environ, "DATABASE_URL": url}
    za = str(ROOT / ".venv" / "bin" / "zoneatlas")
    subprocess.run([za, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    engine = create_engine(url)
    with engine.connect() as conn:
        have = conn.execute(text(GEN_PARCELS)).scalar_one()
    engine.dispose()
    if have == parcels:
        return None
    subprocess.run([za, "demo", "load", "--replace"], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"generating {parcels} parcels ({' '.join(options)}) …", flush=True)
    start = time.perf_counter()
    command = [za, "demo", "generate", "--parcels", str(parcels), *options, "--seed", "1"]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    spent = time.perf_counter() - start
    libpq = make_url(url).render_as_string(hide_password=False).replace("+psycopg2", "")
    subprocess.run(["psql", libpq, "-qc", "VACUUM ANALYZE"], check=True)
    return spent


def board_places(conn: Connection) -> tuple[tuple[float, float], tuple[float, float], str]:
    """Centre of the board's densest clearance site, centre of its busiest park, and that park's uid."""
    site = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(c.geom)) AS c, count(*) AS n "
            "FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.province_code = :b "
            "GROUP BY c.project_id ORDER BY n DESC LIMIT 1) s"
        ),
        {"b": BOARD},
    ).one()
    park = conn.execute(
        text(
            "SELECT l.park_uid, ST_X(ST_Centroid(ST_Collect(l.geom))), ST_Y(ST_Centroid(ST_Collect(l.geom))) "
            "FROM land_plots l JOIN industrial_parks k ON k.uid = l.park_uid AND k.valid_to IS NULL "
            "WHERE l.valid_to IS NULL AND k.province_code = :b GROUP BY l.park_uid ORDER BY count(*) DESC LIMIT 1"
        ),
        {"b": BOARD},
    ).one()
    return (site[0], site[1]), (park[1], park[2]), park[0]


def tile_sql(layer: str, lon: float, lat: float, z: int) -> str:
    """The tile of a layer at zoom z around a point, as the app draws it for staff."""
    spec = get_layer(layer).at_zoom(z)
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    return sql_text(tile_statement(tile_layer(spec, FeatureQuery(access=Access.internal)), TileAddress(z, t.x, t.y)))


def sql_call(name: str, scope: str, sql: str) -> Call:
    """A call that runs one SQL statement and fetches its rows."""
    return Call(name, scope, lambda c: c.exec_driver_sql(sql).all())


def calls(conn: Connection) -> list[Call]:
    """Every timed call on one database: the board's, then the country's where the call has a place."""
    (site_lon, site_lat), (park_lon, park_lat), _ = board_places(conn)
    page, _count = page_statements(
        get_layer("clearance_parcels"),
        FeatureQuery(access=Access.internal, bbox=square_bbox(site_lon, site_lat, 1), limit=100),
        CRS84,
    )
    board, country = Place(province=BOARD), Place()
    out = [
        sql_call("tile z15 clearance parcels", "board", tile_sql("clearance_parcels", site_lon, site_lat, 15)),
        sql_call("tile z14 clearance merged", "board", tile_sql("clearance_parcels", site_lon, site_lat, 14)),
        sql_call("items 1 km² parcels", "board", sql_text(page)),
        sql_call("tile z14 land_plots", "board", tile_sql("land_plots", park_lon, park_lat, 14)),
    ]
    for scope, place, province in (("board", board, BOARD), ("country", country, None)):
        out += [
            Call("land finder (1,000)", scope, lambda c, p=province: available_plots(c, LandQuery(province=p))),
            Call(
                "dashboard report 2025",
                scope,
                lambda c, p=province: enterprises_report(c, ReportQuery(2025, province=p), staff=True),
            ),
            Call(
                "dashboard trend 2019-25",
                scope,
                lambda c, pl=place: enterprises_trend(c, TrendQuery(2019, 2025, pl), staff=True),
            ),
            Call("dashboard clearance", scope, lambda c, pl=place: clearance_report(c, None, None, pl)),
            Call("dashboard parks", scope, lambda c, pl=place: park_summaries(c, place=pl)),
        ]

    return out


def timed(conn: Connection, call: Call, repeat: int) -> tuple[float, float]:
    """Median and slowest of `repeat` runs after one warm-up, in ms."""
    call.run(conn)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call.run(conn)
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


@contextmanager
def captured(conn: Connection):
    """The statements (with their parameters) a block runs on a connection."""
    seen: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", keep)


def plans(conn: Connection, call: Call) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one call runs, values inlined by the driver."""
    with captured(conn) as seen:
        call.run(conn)
    cursor = conn.connection.dbapi_connection.cursor()
    out, templates = [], set()
    try:
        for statement, parameters in seen:
            if statement in templates:  # a statement run once per project: its first plan stands for all
                continue
            templates.add(statement)
            sql = cursor.mogrify(statement, parameters or None).decode()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(ENVELOPE.sub("'<envelope>'::geometry", plan))
    finally:
        cursor.close()
    return out


def counts(conn: Connection) -> str:
    """What a database holds, for the table's heading."""
    parcels = conn.execute(text("SELECT count(*) FROM clearance_parcels")).scalar_one()
    board = conn.execute(
        text(
            "SELECT count(*) FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE province_code = :b"
        ),
        {"b": BOARD},
    ).scalar_one()
    projects, parks, figures = conn.execute(
        text(
            "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM industrial_parks WHERE valid_to IS NULL), "
            "(SELECT count(*) FROM enterprise_figures)"
        )
    ).one()
    size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar_one()
    return (
        f"{parcels:,} parcels ({board:,} the board's), {projects:,} projects, {parks:,} parks, "
        f"{figures:,} figure rows, {size}"
    )


def main() -> None:
    """Prepare each database, time every call, print the table, write the largest database's plans."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default=",".join(DATABASES), help=f"among {', '.join(DATABASES)}")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="time only calls whose names start with these (comma-separated)")
    parser.add_argument("--plans-file", type=Path, default=PLANS_FILE, help="where the plans go (overwritten)")
    parser.add_argument(
        "--database", default="", help="time this database instead of zoneatlas_national_NAME (one of --databases)"
    )
    args = parser.parse_args()
    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    header = f"{'database':9} {'scope':8} {'call':28} {'median':>8} {'slowest':>8}"
    lines = [f"ms, {args.repeat} runs each after a warm-up, one connection, in process", "", header, "-" * len(header)]
    print("\n".join(lines), flush=True)
    sections: list[str] = []
    for name in args.databases.split(","):
        parcels, options = DATABASES[name]
        database = args.database or f"zoneatlas_national_{name}"
        url = make_url(base_url).set(database=database).render_as_string(hide_password=False)
        spent = prepare(url, parcels, options)
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SET jit = off"))  # as docs/scaling.md advises for a small database machine
            held = counts(conn)
            lines.append(f"{name}: {held}" + (f"; generated in {spent:.0f} s" if spent else ""))
            print(lines[-1], flush=True)
            todo = calls(conn)
            only = tuple(n for n in args.only.split(",") if n)
            for call in todo:
                if only and not call.name.startswith(only):
                    continue
                median, slowest = timed(conn, call, args.repeat)
                lines.append(f"{name:9} {call.scope:8} {call.name:28} {median:8.1f} {slowest:8.1f}")
                print(lines[-1], flush=True)
            if name == args.databases.split(",")[-1]:
                for call in todo:
                    if call.scope == "board" or call.name.startswith("dashboard parks"):
                        body = "\n\n".join(plans(conn, call))
                        sections.append(f"## {call.name} ({call.scope}, {name})\n\n```\n{body}\n```")
            conn.rollback()
        engine.dispose()
    table = "\n".join(lines)
    intro = (
        f"Written by `bench/run-scale national` ({datetime.date.today().isoformat()}, {os.cpu_count()} shared "
        "cores); rerunning it overwrites this file. The databases and calls are described in bench/national.py; "
        f"the board is {BOARD}. Below the table: `EXPLAIN (ANALYZE, BUFFERS)` (JIT off) of each distinct statement "
        "each board call runs (a statement run once per project: its first plan) on the last database, warm buffers; "
        "`<envelope>` is a tile's or box's envelope."
    )
    args.plans_file.write_text(
        "# Query plans from one board to the country\n\n"
        + textwrap.fill(intro, 118, break_on_hyphens=False)
        + f"\n\n```\n{table}\n```\n\n"
        + "\n\n".join(sections)
        + "\n",
        encoding="utf-8",
    )
    print(f"\n{table}\n\nplans written to {args.plans_file}")


if __name__ == "__main__":
    main()
