"""The server keeps answering: a filter that used to segfault it answers 400, and a worker killed by a signal is
replaced by the supervisor `zoneatlas serve` runs."""

import os
import signal
import time
from pathlib import Path

import httpx

from tests.conftest import served_app

DEEP_PARENS = "(" * 3000 + "status = 'a'" + ")" * 3000  # a 6 KB URL


def _workers(server_pid: int) -> set[int]:
    """The server's worker processes (its children, the multiprocessing resource tracker excepted)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return {int(pid) for pid in children if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()}


def _wait_until_answering(url: str, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(f"{url}/collections/land_plots/items?limit=1", timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_deep_filter_is_refused_and_a_killed_worker_is_replaced(database_url, engine):
    with served_app(database_url) as (url, server):
        refused = httpx.get(f"{url}/collections/land_plots/items", params={"filter": DEEP_PARENS}, timeout=30)
        assert refused.status_code == 400
        assert refused.json()["description"] == "the filter is nested 3000 levels deep; the limit is 64"
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200

        workers = _workers(server.pid)
        assert len(workers) == 1, "the server must run its app in a supervised worker process"
        (worker,) = workers
        os.kill(worker, signal.SIGSEGV)  # dies as the parser's stack overflow made it die
        assert _wait_until_answering(url).status_code == 200
        assert server.poll() is None
        replaced = _workers(server.pid)
        assert len(replaced) == 1 and worker not in replaced
