"""What reading from a streaming replica costs: the replay-position check at checkout, and requests end to end.

Run with `.venv/bin/python bench/replicas.py --repeat 300` (as root or the postgres user: it builds its own primary
and standby with initdb and pg_basebackup on free ports, as the tests do, and removes them afterwards). It prints, in
milliseconds, the median and p99 of: a read-pool checkout on the primary's read engine and on the replica (with the
position check); an items page and an uncached tile through the app without replicas, with the replica, and with
the replica paused behind the primary (every read then checks the replica and falls back to the primary).
Both servers share this machine's cores, so read the figures as differences, not as capacity.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api.app import create_app  # noqa: E402
from gis.settings import Settings  # noqa: E402
from tests.replication import Replicated, replicated_pair  # noqa: E402

ITEMS = "/collections/land_plots/items?bbox=106.335,18.055,106.345,18.065&limit=100"
TILE = "/collections/land_plots/tiles/WebMercatorQuad/14/13031/7356"


def timed(repeat: int, call: Callable[[], object]) -> tuple[float, float]:
    """Median and p99 wall time of `call` in ms, after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def checkout(reads) -> None:
    """One read-pool checkout and a trivial statement."""
    with reads.connect() as conn:
        conn.exec_driver_sql("SELECT 1").scalar()


def get(client: TestClient, path: str) -> None:
    """One request that must succeed."""
    response = client.get(path)
    assert response.status_code in (200, 204), response.text


def run(pair: Replicated, repeat: int) -> None:
    """Every row, printed as it is measured."""
    print(f"{'what':58} {'p50 ms':>8} {'p99 ms':>8}")
    base = {"DATABASE_URL": pair.primary_url, "TILE_CACHE_SIZE": 0}
    setups = [
        ("primary only", Settings(**base)),
        ("with the replica", Settings(**base, DATABASE_READ_URLS=pair.standby_url)),
    ]
    for label, settings in setups:
        with TestClient(create_app(settings)) as client:
            reads = client.app.state.reads
            rows = [
                ("read-pool checkout + SELECT 1", lambda pool=reads: checkout(pool)),
                ("items page (1 km², ≤100 plots)", lambda app=client: get(app, ITEMS)),
                ("tile z14 land_plots (cache off)", lambda app=client: get(app, TILE)),
            ]
            for name, call in rows:
                p50, p99 = timed(repeat, call)
                print(f"{name + ', ' + label:58} {p50:8.2f} {p99:8.2f}", flush=True)
            if reads.replicas:
                pair.pause_replay()
                with pair.primary_engine.begin() as conn:
                    conn.execute(text("UPDATE land_plots SET notes = notes WHERE false"))  # the feed moves on
                time.sleep(0.5)
                try:
                    for name, call in rows[1:]:
                        p50, p99 = timed(repeat, call)
                        print(f"{name + ', replica lagging':58} {p50:8.2f} {p99:8.2f}", flush=True)
                finally:
                    pair.resume_replay()


def main() -> None:
    """Build the pair, measure, remove the pair."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with replicated_pair("zoneatlas_bench_") as pair:
        run(pair, args.repeat)


if __name__ == "__main__":
    main()
