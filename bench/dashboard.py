"""Every API call the leadership dashboard makes, for a board of 500 enterprises × 7 years × 12 months.

Run with `.venv/bin/python bench/dashboard.py [--enterprises 500] [--rounds 5] [--keep]`. It prepares the throwaway
database `zoneatlas_bench_dashboard` as bench/enterprises_report.py does (the demo data plus GEN-ENT-… projects with
monthly figures 2019-2025, capital among them, and targets), starts `zoneatlas serve` (production workers, no access
log) and asks it with a viewer's personal token, as a signed-in leader's browser does (maps/static/dashboard.js):

- the page `GET /dashboard`;
- `GET /api/reports/enterprises?year=…` for the chosen year (cards, revenue and capital by park, workers);
- `GET /api/reports/enterprises/trend?from=…&to=…` over the years with figures (the trend chart: one call);
- `GET /api/parks` (occupancy), `GET /api/tasks?year=…&province=…` and `GET /api/reports/clearance` with the place
  (staff charts);

for the whole country, one province (HA_TINH) and one park (KCN-VA1), year 2025. Each call: one warm-up, then the
median and the slowest of --rounds calls, one after another. Then the whole refresh as the browser makes it: the
5 calls at once over 6 connections (Chromium's limit per host), median wall time of --rounds refreshes; and, in
alternate rounds under the same load, the refresh as the page made it before the trend call (one report per year
instead: 11 calls), for comparison.
"""

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accounts import staff_token  # noqa: E402
from enterprises_report import prepare  # noqa: E402
from throughput import start_server  # noqa: E402

from gis.database_admin import drop_database  # noqa: E402
from gis.settings import Settings  # noqa: E402

YEAR = 2025
PLACES = [("all provinces", {}), ("province HA_TINH", {"province": "HA_TINH"}), ("park KCN-VA1", {"park": "KCN-VA1"})]
BROWSER_CONNECTIONS = 6


def dashboard_calls(years: list[int], place: dict[str, str], per_year_trend: bool) -> list[tuple[str, str, dict]]:
    """The calls one refresh of the page makes (name, path, query), as dashboard.js asks them."""
    calls = [("report (chosen year)", "/api/reports/enterprises", {"year": YEAR, **place})]
    if per_year_trend:
        calls += [(f"report {y} (trend)", "/api/reports/enterprises", {"year": y, **place}) for y in years]
    else:
        span = {"from": years[0], "to": years[-1], **place}
        calls += [(f"trend {years[0]}-{years[-1]}", "/api/reports/enterprises/trend", span)]
    calls += [
        ("parks (occupancy)", "/api/parks", {}),
        ("tasks", "/api/tasks", {"year": YEAR, **({"province": place["province"]} if "province" in place else {})}),
        ("clearance", "/api/reports/clearance", place),
    ]
    return calls


def ask(client: httpx.Client, path: str, query: dict) -> float:
    """Seconds for one call; a refusal or an empty answer stops the benchmark (a refusal is not timed)."""
    start = time.perf_counter()
    response = client.get(path, params=query)
    elapsed = time.perf_counter() - start
    if response.status_code != 200 or not response.content:
        raise RuntimeError(f"GET {response.request.url}: HTTP {response.status_code} {response.text[:300]}")
    return elapsed


def measure(client: httpx.Client, path: str, query: dict, rounds: int) -> tuple[float, float]:
    """Median and slowest ms of rounds sequential calls after one warm-up."""
    ask(client, path, query)
    samples = [ask(client, path, query) for _ in range(rounds)]
    return statistics.median(samples) * 1000, max(samples) * 1000


def refresh(client: httpx.Client, calls: list[tuple[str, str, dict]]) -> float:
    """Wall seconds of one refresh: every call at once over the browser's connections."""
    start = time.perf_counter()
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        list(pool.map(lambda call: ask(client, call[1], call[2]), calls))
    return time.perf_counter() - start


def main() -> None:
    """Prepare, serve, time every call per place, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    args = parser.parse_args()
    base = Settings(DATABASE_URL=os.environ.get("DATABASE_URL", Settings().database_url)).database_url
    url = make_url(base).set(database="zoneatlas_bench_dashboard").render_as_string(hide_password=False)
    drop_database(url)
    server = None
    try:
        prepare(url, args.enterprises)
        engine = create_engine(url)
        with engine.connect() as conn:
            years = list(conn.execute(text("SELECT DISTINCT year FROM enterprise_figures ORDER BY 1")).scalars())
        engine.dispose()
        token = staff_token(url, "bench_dashboard_viewer")
        server, address = start_server(url, args.workers, tile_cache=True)
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=BROWSER_CONNECTIONS)
        with httpx.Client(base_url=address, headers=headers, timeout=60, limits=limits) as client:
            page_ms, page_max = measure(client, "/dashboard", {}, args.rounds)
            print(f"{args.workers} server worker(s); {len(years)} years with figures; {args.rounds} rounds")
            print(f"{'GET /dashboard (the page)':44s} {page_ms:8.1f} ms median {page_max:8.1f} ms slowest")
            for label, place in PLACES:
                print(f"\n{label}, {YEAR}")
                calls = dashboard_calls(years, place, per_year_trend=False)
                before = dashboard_calls(years, place, per_year_trend=True)
                total = 0.0
                for name, path, query in calls:
                    median, slowest = measure(client, path, query, args.rounds)
                    total += median
                    print(f"  {name:42s} {median:8.1f} ms median {slowest:8.1f} ms slowest")
                refresh(client, calls), refresh(client, before)  # warm-up
                walls: dict[str, list[float]] = {"now": [], "before": []}
                for _ in range(args.rounds):  # alternate, so both see the same load
                    walls["now"].append(refresh(client, calls))
                    walls["before"].append(refresh(client, before))
                print(f"  {'sum of the ' + str(len(calls)) + ' calls, one after another':42s} {total:8.1f} ms")
                for key, words in (
                    ("now", "refresh as the browser makes it"),
                    ("before", "refresh, one report per year"),
                ):
                    print(
                        f"  {words:42s} {statistics.median(walls[key]) * 1000:8.1f} ms median "
                        f"{max(walls[key]) * 1000:8.1f} ms slowest ({BROWSER_CONNECTIONS} connections)",
                        flush=True,
                    )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
