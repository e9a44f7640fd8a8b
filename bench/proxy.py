"""A z14 plot tile through nginx's shared cache (deploy/nginx) in front of two app processes, beside the app direct.

Run by `bench/run` after the main table (or alone: `.venv/bin/python bench/proxy.py --help`). Every request through
the proxy revalidates with the app (If-None-Match → 304 from the app's fast path) and is answered from nginx's copy:
*revalidated* rows send no validator (nginx's stored body, 200), *304* rows send the tile's ETag as a browser does.
The direct rows are one `zoneatlas serve` with the same number of workers and its tile cache. CPU milliseconds per
request are split between the app processes, nginx and PostgreSQL (which a cached tile does not touch).
"""

import argparse
import os
from functools import partial

import httpx
import morecantile
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from throughput import Figures, cpu_seconds, densest_point, prepare_database, run_wrk, start_server

from gis.nginx_proxy import running_proxy
from gis.settings import Settings


def measured(run, seconds: int, app_pids: list[int], nginx_pid: int | None) -> tuple[Figures, float]:
    """Run wrk and add the CPU ms per request of the app processes, PostgreSQL (in Figures) and nginx (returned)."""
    before = [cpu_seconds(pid) for pid in app_pids]
    nginx_before = cpu_seconds(nginx_pid)[0] if nginx_pid else 0.0
    figures = run()
    after = [cpu_seconds(pid) for pid in app_pids]
    nginx_after = cpu_seconds(nginx_pid)[0] if nginx_pid else 0.0
    done = figures.rps * seconds
    figures.app_cpu_ms = 1000 * sum(a[0] - b[0] for a, b in zip(after, before, strict=True)) / done
    figures.pg_cpu_ms = 1000 * (after[0][1] - before[0][1]) / done
    return figures, 1000 * (nginx_after - nginx_before) / done


def main() -> None:
    """Start the apps and nginx, measure each row twice, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=200_000)
    parser.add_argument("--plots", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="app workers, direct and in total")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", default="zoneatlas_bench", help="the main table's database (shared)")
    parser.add_argument("--only", action="append", default=[], help="as bench/throughput.py: skipped unless 'proxy'")
    args, _ = parser.parse_known_args()  # bench/run passes the main table's options on
    if args.only and not any(only in "proxy" for only in args.only):
        return

    base_url = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base_url).set(database=args.database).render_as_string(hide_password=False)
    prepare_database(url, args.parcels, args.plots)
    engine = create_engine(url)
    with engine.connect() as conn:
        lon, lat = densest_point(conn)
    engine.dispose()
    tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 14)
    path = f"/collections/land_plots/tiles/WebMercatorQuad/14/{tile.x}/{tile.y}"
    per_app = max(1, args.workers // 2)
    direct, direct_url = start_server(url, args.workers, tile_cache=True)
    apps = [start_server(url, per_app, tile_cache=True) for _ in range(2)]
    try:
        with running_proxy([base for _, base in apps]) as nginx:
            etag = httpx.get(direct_url + path).headers["etag"]
            for base in (nginx.url, nginx.url, *(b for _, b in apps)):  # store in nginx, fill every worker's cache
                for _ in range(4 * args.workers):
                    response = httpx.get(base + path)
                    assert response.status_code == 200 and response.headers["etag"] == etag, response.headers
            assert httpx.get(nginx.url + path).headers["x-cache-status"] == "REVALIDATED"
            rows = [
                ("direct, cached", direct_url, (), [direct.pid], None),
                ("direct, If-None-Match (304)", direct_url, (f"If-None-Match: {etag}",), [direct.pid], None),
                ("proxy, revalidated", nginx.url, (), [p.pid for p, _ in apps], nginx.pid),
                (
                    "proxy, If-None-Match (304)",
                    nginx.url,
                    (f"If-None-Match: {etag}",),
                    [p.pid for p, _ in apps],
                    nginx.pid,
                ),
            ]
            print(
                f"\ntile z14 land_plots {tile.x}/{tile.y}, {len(httpx.get(direct_url + path).content)} bytes; "
                f"{args.connections} connections, {args.seconds} s each; direct: 1 app × {args.workers} workers; "
                f"proxy: nginx (1 worker) + 2 apps × {per_app} workers; {os.cpu_count()} cores\n"
            )
            header = (
                f"{'tile z14 land_plots':30} {'round':>5} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} │ "
                f"{'CPU ms/req: app':>15} {'nginx':>6} {'pg':>5}"
            )
            print(header)
            print("-" * len(header))
            for round_no in range(1, args.rounds + 1):
                for name, base, headers, pids, nginx_pid in rows:
                    figures, nginx_ms = measured(
                        partial(run_wrk, base + path, args.connections, args.seconds, headers=headers),
                        args.seconds,
                        pids,
                        nginx_pid,
                    )
                    print(
                        f"{name:30} {round_no:>5} {figures.rps:>9.1f} {figures.p50_ms:>7.1f} {figures.p99_ms:>7.1f} │ "
                        f"{figures.app_cpu_ms:>15.2f} {nginx_ms:>6.2f} {figures.pg_cpu_ms:>5.2f}",
                        flush=True,
                    )
    finally:
        for process in (direct, *(p for p, _ in apps)):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
