"""Reads spread over PostgreSQL streaming replicas, each used only once it has replayed what the reader must see.

The change versions in ETags and tile-cache keys come from the primary (its change feed). A connection to a replica
is handed out only when the replica's replay position is at or past the primary WAL position recorded with those
versions, so a tile rendered on it holds at least the data its key names, and a writer's next read sees its edit.
Otherwise — a replica that lags, stopped answering or is not a standby — the next replica is tried, then the
primary. The position check is one round trip at checkout and doubles as the ping: a replica that fails it is
taken out of rotation until the background check finds it healthy again.
"""

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, create_engine

from gis.db import database_unreachable

# Where a standby has replayed to, as a number (NULL on a server that is not in recovery).
REPLAY_SQL = "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint"
# The primary's current WAL position, when the change feed cannot say (CHANGE_FEED=false or down).
PRIMARY_POSITION_SQL = "SELECT (pg_current_wal_lsn() - '0/0')::bigint"
# What /health and the background check read from a replica.
STATUS_SQL = (
    "SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint, "
    "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8"
)
CONNECT_TIMEOUT_SECONDS = 3  # a replica host that vanished must not hold a request longer than this

log = logging.getLogger(__name__)


@dataclass
class Replica:
    """One replica: its autocommit pool and what the last check or checkout learnt about it."""

    name: str  # "replica 1", …: hosts and credentials stay out of /health
    engine: Engine
    in_rotation: bool = True
    replayed: int | None = None  # last replay position seen
    replay_delay_seconds: float | None = None  # since the last replayed commit (grows on an idle primary too)
    problem: str | None = None  # why it is out of rotation, for the log and /health (no hosts or passwords)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def checkout(self, needed: int) -> Connection | None:
        """A connection when this replica answers and has replayed to `needed`; None (and why noted) otherwise."""
        try:
            conn = self.engine.connect()
        except Exception as error:
            if not database_unreachable(error):
                raise
            self.take_out(error)
            return None
        try:
            replayed = conn.exec_driver_sql(REPLAY_SQL).scalar()
        except Exception as error:
            conn.close()
            if not database_unreachable(error):
                raise
            self.take_out(error)
            return None
        if replayed is None:
            conn.close()
            self.take_out("it is not a standby (not in recovery)")
            return None
        self.replayed = max(self.replayed or 0, replayed)
        if replayed < needed:
            conn.close()  # lagging: still in rotation, the next reader may find it caught up
            return None
        return conn

    def take_out(self, reason: BaseException | str) -> None:
        """Out of rotation until a check succeeds; its pooled connections are dropped (they may be dead)."""
        text = reason if isinstance(reason, str) else "not answering"
        with self.lock:
            was_in = self.in_rotation
            self.in_rotation, self.problem = False, text
        if was_in:
            log.warning("%s taken out of rotation: %s", self.name, str(reason).strip())
        self.engine.dispose(close=False)

    def check(self) -> bool:
        """Ask the replica its replay position and delay on a fresh connection; back into rotation if it answers."""
        try:
            with self.engine.connect() as conn:
                replayed, delay = conn.exec_driver_sql(STATUS_SQL).one()
        except Exception as error:
            if not database_unreachable(error):
                log.error("%s check failed", self.name, exc_info=error)
            self.take_out(error)
            return False
        if replayed is None:
            self.take_out("it is not a standby (not in recovery)")
            return False
        self.replayed, self.replay_delay_seconds = replayed, delay
        with self.lock:
            came_back = not self.in_rotation
            self.in_rotation, self.problem = True, None
        if came_back:
            log.warning("%s is answering again: back in rotation", self.name)
        return True


class ReadPool:
    """Where the read-only paths get their connections: a replica that has caught up, else the primary."""

    def __init__(
        self,
        primary: Engine,
        replicas: list[Replica],
        position: Callable[[], int | None] | None = None,
        check_seconds: float = 2.0,
    ) -> None:
        self.primary = primary  # the autocommit read engine on the primary (gis.db.make_read_engine)
        self.replicas = replicas
        self._position = position  # the change feed's position, when it has one
        self._turn = itertools.count()
        self._check_seconds = check_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def connect(self) -> Connection:
        """A read connection (autocommit) that sees at least every change the primary's feed has reported."""
        if not self.replicas:
            return self.primary.connect()
        needed = self.required_position()
        start = next(self._turn)
        for i in range(len(self.replicas)):
            replica = self.replicas[(start + i) % len(self.replicas)]
            if replica.in_rotation:
                conn = replica.checkout(needed)
                if conn is not None:
                    return conn
        return self.primary.connect()

    def required_position(self) -> int:
        """The primary WAL position a replica must have replayed: the feed's, else asked of the primary.

        While the primary cannot be reached nothing new can commit there, so the last position known (or none)
        is enough and the replicas keep serving.
        """
        if self._position is not None:
            position = self._position()
            if position is not None:
                return position
        try:
            with self.primary.connect() as conn:
                return int(conn.exec_driver_sql(PRIMARY_POSITION_SQL).scalar_one())
        except Exception as error:
            if not database_unreachable(error):
                raise
            return 0

    def start(self) -> None:
        """Check every replica now and then every check_seconds in a daemon thread (none without replicas)."""
        if not self.replicas:
            return
        self._thread = threading.Thread(target=self._run, name="replica-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        """Check each replica until stopped."""
        while not self._stopping.is_set():
            for replica in self.replicas:
                replica.check()
            self._stopping.wait(self._check_seconds)

    def dispose(self, close: bool = True) -> None:
        """Drop every pooled connection (after an outage, or at shutdown with close=True)."""
        self.primary.dispose(close=close)
        for replica in self.replicas:
            replica.engine.dispose(close=close)

    def stop(self) -> None:
        """Stop the background check and close every connection."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.dispose()

    def status(self, primary_position: int | None) -> list[dict]:
        """Each replica checked now, with its lag behind `primary_position` in bytes (for /health)."""
        report = []
        for replica in self.replicas:
            ok = replica.check()
            lag = None
            if ok and primary_position is not None and replica.replayed is not None:
                lag = max(primary_position - replica.replayed, 0)
            report.append(
                {
                    "name": replica.name,
                    "status": "ok" if ok else "unavailable",
                    "in_rotation": replica.in_rotation,
                    "lag_bytes": lag,
                    "replay_delay_seconds": round(replica.replay_delay_seconds, 3)
                    if ok and replica.replay_delay_seconds is not None
                    else None,
                    "detail": replica.problem,
                }
            )
        return report


def make_replicas(urls: list[str], pool_size: int) -> list[Replica]:
    """One autocommit pool per replica URL, named by position only."""
    return [
        Replica(
            name=f"replica {i}",
            engine=create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_size=pool_size,
                pool_pre_ping=False,  # the position check at checkout is the ping
                connect_args={
                    "options": "-c timezone=UTC",
                    "application_name": "zoneatlas-replica-read",
                    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                },
            ),
        )
        for i, url in enumerate(urls, start=1)
    ]
