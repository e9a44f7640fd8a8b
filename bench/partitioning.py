"""Would partitioning clearance_parcels by province help? The hot parcel statements on the table and on a copy
partitioned by LIST (province), side by side, with the partitions each plan touches.

Run with `.venv/bin/python bench/partitioning.py [--database zoneatlas_national_2000000] [--repeat 20]` after
`bench/run-scale national` has prepared that database. It copies the parcels with their project's province into
`bench_parcels_by_province` (one partition per province, a GiST index on each; dropped at the end) and times, over
the board's densest site (BAC_NINH): the 1 km² page (100 rows) and its count, the parcels of a z15 tile as
ST_AsMVT, and one project's parcels (by project_id) — each on the plain table, on the partitioned copy as the
app would query it (no province in the query), and on the copy with the province given (pruned to one
partition). Prints median and slowest ms and the partitions each plan scans; nothing is asserted.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import morecantile
import psycopg2
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gis.settings import Settings  # noqa: E402

COPY = "bench_parcels_by_province"
BOARD = "BAC_NINH"


def build(cur) -> float:
    """The partitioned copy (one partition per province of the projects), indexed and analysed; seconds taken."""
    start = time.perf_counter()
    cur.execute(f"DROP TABLE IF EXISTS {COPY}")
    cur.execute(
        f"CREATE TABLE {COPY} (LIKE clearance_parcels INCLUDING DEFAULTS, province_code varchar(32) NOT NULL) "
        "PARTITION BY LIST (province_code)"
    )
    cur.execute("SELECT DISTINCT province_code FROM projects ORDER BY 1")
    for (code,) in cur.fetchall():
        cur.execute(f"CREATE TABLE {COPY}_{code.lower()} PARTITION OF {COPY} FOR VALUES IN (%s)", (code,))
    cur.execute(
        f"INSERT INTO {COPY} SELECT c.*, p.province_code FROM clearance_parcels c "
        "JOIN projects p ON p.id = c.project_id"
    )
    cur.execute(f"CREATE INDEX ON {COPY} USING gist (geom)")
    cur.execute(f"CREATE INDEX ON {COPY} (project_id, stage)")
    cur.execute(f"ANALYZE {COPY}")
    return time.perf_counter() - start


def envelopes(cur) -> tuple[str, str, int]:
    """The board's densest site: a ~1 km² box around its centre (4326), its z15 tile (3857), and the project id."""
    cur.execute(
        "SELECT c.project_id, ST_X(ST_Centroid(ST_Collect(c.geom))), ST_Y(ST_Centroid(ST_Collect(c.geom))) "
        "FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE p.province_code = %s "
        "GROUP BY c.project_id ORDER BY count(*) DESC LIMIT 1",
        (BOARD,),
    )
    project, lon, lat = cur.fetchone()
    box = f"ST_Expand(ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326), 0.0045)"
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 15)
    return box, f"ST_TileEnvelope(15, {t.x}, {t.y})", project


def statements(table: str, box: str, tile: str, project: int, province: str) -> dict[str, str]:
    """The four statements on one table (province: an extra condition, empty for the app's own form)."""
    return {
        "page 1 km² (100)": f"SELECT id, ST_AsGeoJSON(geom) FROM {table} WHERE geom && {box} "
        f"AND ST_Intersects(geom, {box}){province} ORDER BY id LIMIT 100",
        "count 1 km²": f"SELECT count(*) FROM {table} WHERE geom && {box} AND ST_Intersects(geom, {box}){province}",
        "tile z15 (MVT)": f"SELECT ST_AsMVT(q) FROM (SELECT id, ST_AsMVTGeom(ST_Transform(geom, 3857), {tile}) AS g "
        f"FROM {table} WHERE geom && ST_Transform({tile}, 4326){province}) q",
        "one project's parcels": f"SELECT count(*) FROM {table} WHERE project_id = {project}{province}",
    }


def timed(cur, sql: str, repeat: int) -> tuple[float, float]:
    """Median and slowest of `repeat` runs after a warm-up, in ms."""
    cur.execute(sql)
    cur.fetchall()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


def partitions_scanned(cur, sql: str) -> int:
    """How many distinct relations the plan scans (partitions on the copy, 1 on the plain table)."""
    cur.execute("EXPLAIN " + sql)
    plan = "\n".join(r[0] for r in cur.fetchall())
    return len(set(re.findall(r" on (\w+)", plan)) - {"projects"})


def main() -> None:
    """Build the copy, time each statement three ways, print, drop the copy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="zoneatlas_national_2000000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    base = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base).set(database=args.database, drivername="postgresql")
    connection = psycopg2.connect(url.render_as_string(hide_password=False))
    connection.autocommit = True
    cur = connection.cursor()
    cur.execute("SET jit = off")
    try:
        print(f"building {COPY} …", flush=True)
        print(f"copied, indexed and analysed in {build(cur):.0f} s", flush=True)
        box, tile, project = envelopes(cur)
        header = f"{'statement':24} {'table':34} {'relations':>9} {'median':>8} {'slowest':>8}"
        print(f"\nms, {args.repeat} runs each after a warm-up\n\n{header}\n{'-' * len(header)}")
        forms = {
            "clearance_parcels": statements("clearance_parcels", box, tile, project, ""),
            "partitioned, no province": statements(COPY, box, tile, project, ""),
            "partitioned, province given": statements(COPY, box, tile, project, f" AND province_code = '{BOARD}'"),
        }
        for name in forms["clearance_parcels"]:
            for form, sqls in forms.items():
                median, slowest = timed(cur, sqls[name], args.repeat)
                scanned = partitions_scanned(cur, sqls[name])
                print(f"{name:24} {form:34} {scanned:>9} {median:8.2f} {slowest:8.2f}", flush=True)
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {COPY}")
        connection.close()


if __name__ == "__main__":
    main()
