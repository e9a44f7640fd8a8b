"""CPU the app spends per request, in-process: the ASGI app called directly (no sockets, no uvicorn, no load tool).

A quick, quiet companion to `bench/run` for trying a change: it sends the same requests as `bench/run`'s small
rows (items in 1 km², an uncached z14 tile, a cached z14 tile) through the whole middleware stack, 16 at a time,
and prints this process's CPU milliseconds per request (which include psycopg2's side of each query) and the
PostgreSQL CPU per request from /proc. Run after `bench/run` has built its database:

    .venv/bin/python bench/app_cpu.py [--database zoneatlas_bench] [--requests 3000]
"""

import argparse
import asyncio
import os
import time

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from throughput import cpu_seconds, densest_point, scenarios

from api.app import create_app
from gis.settings import Settings


async def call(app, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One GET through the ASGI app; the status."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(app, path: str, requests: int, concurrency: int, headers) -> tuple[float, float, float]:
    """Requests per second, and app and PostgreSQL CPU ms per request, for `requests` calls `concurrency` at a time."""
    for _ in range(20):
        assert await call(app, path, headers) in (200, 204), path
    queue = iter(range(requests))

    async def client():
        for _ in queue:
            await call(app, path, headers)

    cpu0, wall0, pg0 = time.process_time(), time.perf_counter(), cpu_seconds(None)[1]
    await asyncio.gather(*(client() for _ in range(concurrency)))
    cpu, wall, pg = time.process_time() - cpu0, time.perf_counter() - wall0, cpu_seconds(None)[1] - pg0
    return requests / wall, 1000 * cpu / requests, 1000 * pg / requests


async def main() -> None:
    """Build the app on the bench database, run each request, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="zoneatlas_bench")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    base = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base).set(database=args.database).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.connect() as conn:
        densest_point(conn)
        cases = [c for c in scenarios(conn) if c.name.startswith(("items 1 km", "tile z14 land_plots"))]
    engine.dispose()
    cases = [c for c in cases if not args.only or any(o in c.name for o in args.only)]
    for cached in (False, True):
        app = create_app(Settings(DATABASE_URL=url, TILE_CACHE_SIZE=2048 if cached else 0, ACCESS_LOG=False))
        async with app.router.lifespan_context(app):
            for case in (c for c in cases if c.cached == cached):
                rps, app_ms, pg_ms = await measure(app, case.path, args.requests, args.concurrency, [])
                print(f"{case.name:34} {rps:8.0f} req/s   app CPU {app_ms:5.2f} ms/req   pg {pg_ms:5.2f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
