"""The workspace's requests at 200,000 parcels, as an editor's browser makes them, one after another.

Run with `bench/run-workspace` (or `.venv/bin/python bench/workspace.py`). It prepares its own databases as
bench/throughput.py does: `zoneatlas_bench_workspace` (demo data plus `zoneatlas demo generate --parcels 200000
--plots 20000 --seed 1`; skipped when the counts are already there, so a second run reuses it) and
`zoneatlas_bench_workspace_demo` (the plain demo data, to show the page does not grow with the data). The app runs
as `zoneatlas serve` with every tile rendered (TILE_CACHE_SIZE=0) and is asked with an editor's personal token
(`zoneatlas users`, every province). Each request is timed sequentially: warm-up, then rounds; p50 and p99.

- `GET /workspace`: its bytes on both databases and its time;
- the click-to-open of `maps/static/workspace.js::featureAt` (items, `S_INTERSECTS(geom, POINT(lon lat))`,
  limit 1) on clearance_parcels and land_plots, and the GET of the feature it finds;
- the clearance panel's box selection (`maps/static/workspace_clearance.js::select`: the count with limit=1, then
  the items of the box, limit 5,001) for boxes of ~100, ~1,000 and ~5,000 parcels around the densest project;
- `POST /api/clearance/stages` for those parcels (notice date), dry run, then applied and restored by SQL;
- the spreadsheet template of the project with the most parcels and a dry-run upload with ~1,000 changed cells;
- clearance_parcels vector tiles at z14 and z15 around that project (a 2×2 block at each zoom).

Writes are undone after each round by SQL (the parcels' stage dates and the audit rows they added), outside the
timed span; the dry runs write nothing. Every answer's status and size are checked, so a refusal is not timed.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import morecantile
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accounts import staff_token  # noqa: E402
from throughput import prepare_database, start_server  # noqa: E402

from gis.settings import Settings  # noqa: E402
from layers.update_sheet import TEMPLATE_ROW_CAP  # noqa: E402

EDITOR = "bench_workspace_editor"
STAGE = "notice_issued"  # the first dated stage: needs no earlier date, so any parcel takes it
STAGE_DATE = "2001-02-03"  # before every generated date, so the order rule holds and every parcel changes
STAGE_COLUMNS = ("notice_issued_on", "inventoried_on", "plan_approved_on", "compensation_paid_on", "handed_over_on")
MAX_SELECTION = 5_000  # workspace_clearance.js MAX: the panel asks for MAX + 1 to see whether the box holds more
PANEL_FIELDS = "project_id,map_sheet,parcel_no,stage"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 (nearest rank) of times in seconds, as ms."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, round(len(ordered) * 0.99) - 1)] * 1000


def checked(response: httpx.Response, status: int = 200) -> httpx.Response:
    """The answer, if it has the expected status and a body; anything else stops the benchmark."""
    if response.status_code != status or not response.content:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: HTTP {response.status_code} {response.text[:400]}"
        )
    return response


def timed(
    call: Callable[[], httpx.Response],
    warmup: int,
    rounds: int,
    undo: Callable[[], None] | None = None,
    status: int = 200,
) -> tuple[list[float], httpx.Response]:
    """Times of rounds calls after warm-up ones, and the last answer; undo (untimed) runs after every call."""
    samples: list[float] = []
    for i in range(warmup + rounds):
        start = time.perf_counter()
        last = checked(call(), status)
        elapsed = time.perf_counter() - start
        if undo:
            undo()
        if i >= warmup:
            samples.append(elapsed)
    return samples, last


def url_for(base: str, database: str) -> str:
    """The server's DATABASE_URL with another database name."""
    return make_url(base).set(database=database).render_as_string(hide_password=False)


def page_bytes(url: str, workers: int) -> int:
    """Bytes of /workspace for an editor on a database (the plain demo one, for comparison)."""
    token = staff_token(url, EDITOR, role="editor")
    process, base = start_server(url, workers, tile_cache=False)
    try:
        return len(checked(httpx.get(f"{base}/workspace", headers={"Authorization": f"Bearer {token}"})).content)
    finally:
        process.terminate()
        process.wait(timeout=10)


def densest_project(engine: Engine) -> tuple[str, int, int, float, float]:
    """The project with the most parcels: uid, id, parcel count and its parcels' centre (lon, lat)."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT p.uid, p.id, s.n, ST_X(s.c), ST_Y(s.c) FROM (SELECT project_id, count(*) AS n, "
                    "ST_Centroid(ST_Collect(geom)) AS c FROM clearance_parcels GROUP BY project_id "
                    "ORDER BY n DESC LIMIT 1) s JOIN projects p ON p.id = s.project_id"
                )
            ).one()
        )


def inside(engine: Engine, table: str, lon: float, lat: float, current: bool) -> tuple[int, float, float]:
    """The feature of a table nearest a point and a point on its surface (where a person would click)."""
    where = "WHERE valid_to IS NULL" if current else ""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    f"SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM {table} {where} "
                    "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1) s"
                ),
                {"lon": lon, "lat": lat},
            ).one()
        )


def box_around(engine: Engine, lon: float, lat: float, wanted: int) -> tuple[str, list[int]]:
    """A bbox around a point holding about `wanted` parcels (the extent of the nearest ones), and its parcels' ids.

    The ids are counted independently of the app (ST_Intersects on the table, with the box's corners rounded as
    they are sent); the box shrinks until it holds at
    most 20% more than wanted and at most the panel's 5,000.
    """
    k = wanted
    with engine.connect() as conn:
        while True:
            extent = conn.execute(
                text(
                    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::geometry AS e "
                    "FROM (SELECT geom FROM clearance_parcels ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), "
                    "4326) LIMIT :k) n) s"
                ),
                {"lon": lon, "lat": lat, "k": k},
            ).one()
            minx, miny, maxx, maxy = (round(v, 7) for v in extent)  # as the page sends it (7 decimals)
            ids = list(
                conn.execute(
                    text(
                        "SELECT id FROM clearance_parcels WHERE ST_Intersects(geom, "
                        "ST_MakeEnvelope(:a, :b, :c, :d, 4326)) ORDER BY id"
                    ),
                    {"a": minx, "b": miny, "c": maxx, "d": maxy},
                ).scalars()
            )
            if len(ids) <= min(MAX_SELECTION, wanted * 1.2):
                return f"{minx:.7f},{miny:.7f},{maxx:.7f},{maxy:.7f}", ids
            k = int(k * 0.95)


def restorer(engine: Engine, ids: list[int]) -> Callable[[], None]:
    """Undo of an applied stage change: the parcels' stage dates as they are now, and no audit rows after now."""
    columns = ", ".join(STAGE_COLUMNS)
    with engine.connect() as conn:
        saved = stage_dates(engine, ids)
        last_audit = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()

    def undo() -> None:
        arrays = ", ".join(f"CAST(:{c} AS date[])" for c in STAGE_COLUMNS)
        by_column = zip(*saved, strict=True)
        params = {name: list(values) for name, values in zip(("id", *STAGE_COLUMNS), by_column, strict=True)}
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"UPDATE clearance_parcels c SET {', '.join(f'{c} = s.{c}' for c in STAGE_COLUMNS)} "
                    f"FROM unnest(CAST(:id AS bigint[]), {arrays}) AS s(id, {columns}) WHERE c.id = s.id"
                ),
                params,
            )
            conn.execute(text("DELETE FROM audit_log WHERE id > :last"), {"last": last_audit})

    return undo


def stage_dates(engine: Engine, ids: list[int]) -> list[tuple]:
    """The parcels' stage dates, to check that the restore put them back."""
    with engine.connect() as conn:
        columns = ", ".join(STAGE_COLUMNS)
        return [
            tuple(r)
            for r in conn.execute(
                text(f"SELECT id, {columns} FROM clearance_parcels WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
            )
        ]


def changed_sheet(content: bytes, cells: int) -> tuple[bytes, int]:
    """The template with `notes` changed on `cells` rows (Vietnamese text), and how many rows it has."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    names = [c.value for c in sheet[2]]
    column = names.index("notes") + 1
    rows = sheet.max_row - 2
    for row in range(3, 3 + min(cells, rows)):
        sheet.cell(row, column, f"Kiểm tra hiệu năng — dòng {row}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def largest_sheet_project(engine: Engine) -> tuple[str, int]:
    """The project with the most parcels that one template still holds (at most TEMPLATE_ROW_CAP)."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT p.uid, count(*) AS n FROM clearance_parcels c JOIN projects p ON p.id = c.project_id "
                    "GROUP BY p.uid HAVING count(*) <= :cap ORDER BY n DESC LIMIT 1"
                ),
                {"cap": TEMPLATE_ROW_CAP},
            ).one()
        )


def tile_paths(lon: float, lat: float, z: int) -> list[str]:
    """The clearance_parcels tile under a point and its east, south and south-east neighbours."""
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, z)
    return [
        f"/collections/clearance_parcels/tiles/WebMercatorQuad/{z}/{t.x + dx}/{t.y + dy}"
        for dx in (0, 1)
        for dy in (0, 1)
    ]


def main() -> None:
    """Prepare both databases, time every workspace request at 200,000 parcels, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds of the light requests")
    parser.add_argument("--heavy-rounds", type=int, default=5, help="timed rounds of writes and spreadsheets")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    server_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    demo_url = url_for(server_url, "zoneatlas_bench_workspace_demo")
    url = url_for(server_url, "zoneatlas_bench_workspace")
    prepare_database(demo_url, 0, 0)
    prepare_database(url, args.parcels, args.plots)
    demo_page = page_bytes(demo_url, args.workers)

    engine = create_engine(url)
    uid, project_id, count, lon, lat = densest_project(engine)
    parcel_id, plon, plat = inside(engine, "clearance_parcels", lon, lat, current=False)
    plot_id, qlon, qlat = inside(engine, "land_plots", lon, lat, current=True)
    boxes = {n: box_around(engine, lon, lat, n) for n in (100, 1_000, 5_000)}
    token = staff_token(url, EDITOR, role="editor")
    process, base = start_server(url, args.workers, tile_cache=False)
    rows: list[tuple[str, str, float, float]] = []
    light, heavy = (args.warmup, args.rounds), (1, args.heavy_rounds)

    def record(name: str, what: str, samples: list[float]) -> None:
        p50, p99 = percentiles(samples)
        rows.append((name, what, p50, p99))
        print(f"{name:44} {what:>22} {p50:>9.1f} {p99:>9.1f}", flush=True)

    print(f"densest project {uid}: {count:,} parcels around {lon:.5f}, {lat:.5f}", flush=True)
    print(f"{'request':44} {'size':>22} {'p50 ms':>9} {'p99 ms':>9}", flush=True)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
            samples, page = timed(lambda: client.get("/workspace"), *light)
            record("GET /workspace (editor)", f"{len(page.content):,} B (demo {demo_page:,} B)", samples)

            for layer, fid, x, y in (("clearance_parcels", parcel_id, plon, plat), ("land_plots", plot_id, qlon, qlat)):
                params = {"f": "geojson", "limit": "1", "filter": f"S_INTERSECTS(geom, POINT({x:.7f} {y:.7f}))"}
                click = f"/collections/{layer}/items"
                samples, found = timed(lambda p=params, c=click: client.get(c, params=p), *light)
                ids = [f["id"] for f in found.json()["features"]]
                if ids != [fid]:
                    raise RuntimeError(f"{layer}: the click found {ids}, not the feature {fid} under the point")
                record(f"click {layer} (S_INTERSECTS, limit 1)", "1 feature", samples)
                item = f"/collections/{layer}/items/{fid}"
                samples, one = timed(lambda i=item: client.get(i, params={"f": "geojson"}), *light)
                record(f"GET {layer}/items/{{id}}", f"{len(one.content):,} B", samples)

            for n, (bbox, ids) in boxes.items():
                probe = {"bbox": bbox, "f": "geojson", "properties": PANEL_FIELDS, "limit": "1"}
                items = {**probe, "limit": str(MAX_SELECTION + 1)}
                samples, counted = timed(
                    lambda p=probe: client.get("/collections/clearance_parcels/items", params=p), *light
                )
                if counted.json()["numberMatched"] != len(ids):
                    raise RuntimeError(f"box {bbox}: the app counts {counted.json()['numberMatched']}, SQL {len(ids)}")
                record(f"box ~{n:,}: count (limit 1)", f"{len(ids):,} parcels", samples)
                samples, found = timed(
                    lambda p=items: client.get("/collections/clearance_parcels/items", params=p), *light
                )
                if len(found.json()["features"]) != len(ids):
                    raise RuntimeError(f"box {bbox}: {len(found.json()['features'])} features, SQL {len(ids)}")
                record(f"box ~{n:,}: items (limit {MAX_SELECTION + 1})", f"{len(found.content):,} B", samples)

            for _, ids in boxes.values():
                body = {"stage": STAGE, "date": STAGE_DATE, "parcels": ids}
                samples, answer = timed(
                    lambda b=body: client.post("/api/clearance/stages", json={**b, "dry_run": True}), *heavy
                )
                if answer.json()["changed"] != len(ids):
                    raise RuntimeError(f"stages dry run: {answer.json()['changed']} would change, not {len(ids)}")
                record(f"stages dry run, {len(ids):,} parcels", f"{len(answer.content):,} B", samples)
                before = stage_dates(engine, ids)
                samples, answer = timed(
                    lambda b=body: client.post("/api/clearance/stages", json=b), *heavy, undo=restorer(engine, ids)
                )
                if answer.json()["changed"] != len(ids) or stage_dates(engine, ids) != before:
                    raise RuntimeError("stages apply: not every parcel changed, or the restore did not put them back")
                record(f"stages apply, {len(ids):,} parcels", f"{len(answer.content):,} B", samples)

            template = "/api/updates/clearance_parcels/template.xlsx"
            if count > TEMPLATE_ROW_CAP:  # refused at once with a hint; the officer filters, as the message says
                samples, refusal = timed(lambda: client.get(template, params={"project": uid}), *light, status=400)
                record(f"template.xlsx, project {uid} (refused)", f"{count:,} parcels > cap", samples)
                print(f"  {refusal.json().get('description', refusal.text)[:200]}", flush=True)
            sheet_uid, sheet_count = largest_sheet_project(engine)
            samples, sheet = timed(lambda: client.get(template, params={"project": sheet_uid}), *heavy)
            record(f"template.xlsx, project {sheet_uid}", f"{sheet_count:,} rows, {len(sheet.content):,} B", samples)
            upload, sheet_rows = changed_sheet(sheet.content, 1_000)
            files = {"file": ("clearance.xlsx", upload, XLSX)}
            samples, report = timed(
                lambda: client.post("/api/updates/clearance_parcels", params={"dry_run": "true"}, files=files), *heavy
            )
            counts = report.json()["counts"]
            if counts["errors"] or counts["rows_changed"] != min(1_000, sheet_rows):
                raise RuntimeError(f"upload dry run: {counts}, not 1,000 rows changed without errors")
            record(f"upload dry run, {sheet_rows:,} rows, 1,000 changed", f"report {len(report.content):,} B", samples)

            for z in (14, 15):
                paths = tile_paths(lon, lat, z)
                sizes: list[int] = []
                every: list[float] = []
                for path in paths:
                    samples, tile = timed(lambda p=path: client.get(p), *light)
                    every += samples
                    sizes.append(len(tile.content))
                record(f"tiles z{z} (2×2 block, each)", f"{min(sizes):,}–{max(sizes):,} B", every)
    finally:
        process.terminate()
        process.wait(timeout=10)
        engine.dispose()

    print(
        f"\n{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {args.parcels:,} "
        f"parcels; rounds {args.rounds} (heavy {args.heavy_rounds}) after warm-up"
    )
    print("| Request | Size | p50 ms | p99 ms |\n|---|---|---:|---:|")
    for name, what, p50, p99 in rows:
        print(f"| {name} | {what} | {p50:,.0f} | {p99:,.0f} |")


if __name__ == "__main__":
    main()
