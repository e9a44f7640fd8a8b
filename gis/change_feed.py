"""Layer change versions held in memory per worker, kept current by PostgreSQL LISTEN/NOTIFY.

The change triggers bump layer_changes.version and, from migration 0007, NOTIFY the new version on the channel
below. A worker that listens knows every layer's version without asking the database, so a cached tile costs no
round trip. PostgreSQL delivers a notification when its transaction commits; a request first drains whatever has
arrived on the socket, and writers that need their own edit seen at once call `wait_for_commit`. While the
listening connection is down the feed reports itself unavailable and callers ask the database, as before.
"""

import logging
import select
import threading
import time
from collections.abc import Callable

import psycopg2
import psycopg2.extensions

CHANNEL = "za_layer_changes"
# The committed versions of some tables (driver SQL, built once: tiles ask it on every request without the feed).
VERSION_SQL = "SELECT table_name, version FROM layer_changes WHERE table_name = ANY(%(tables)s)"
# The primary's WAL position as a number: asked after notifications arrive, it is past their commits.
POSITION_SQL = "SELECT (pg_current_wal_lsn() - '0/0')::bigint"
RETRY_SECONDS = 2.0

log = logging.getLogger(__name__)


class ChangeFeed:
    """Every tracked table's change version, as the database last notified it."""

    def __init__(self, dsn: str, on_reconnect: Callable[[], None] | None = None, track_position: bool = False) -> None:
        self._dsn = dsn
        self._on_reconnect = on_reconnect  # called after the connection came back from a loss
        self._lost = False
        self._versions: dict[str, int] = {}
        self._track_position = track_position  # only read replicas need it (gis/replicas.py)
        self._position: int | None = None  # primary WAL position at or past every version applied
        self._conn: psycopg2.extensions.connection | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Connect, listen and load the versions, then keep draining notifications in a daemon thread."""
        try:
            self._connect()
        except psycopg2.Error as error:  # the database may come up later: the thread keeps trying
            self._lost = True
            log.warning("change feed could not connect (%s); asking the database until it can", error)
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and close the connection."""
        self._stopping.set()
        with self._lock:
            self._close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def available(self) -> bool:
        """True while the listening connection is up (versions are then current)."""
        return self._conn is not None

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend serving the listening connection (for diagnostics and tests)."""
        conn = self._conn
        return None if conn is None else conn.get_backend_pid()

    def versions(self, tables: list[str]) -> dict[str, int] | None:
        """The tables' versions after draining what has arrived, or None while the feed is down."""
        with self._lock:
            if self._conn is None or not self._drain():
                return None
            return {t: self._versions[t] for t in tables if t in self._versions}

    def position(self) -> int | None:
        """After draining: a primary WAL position at or past the commit of every version this feed reports.

        A replica that has replayed this far shows every version the feed has handed out (None while the feed is
        down, or when it was built without track_position).
        """
        with self._lock:
            if self._conn is None or not self._drain():
                return None
            return self._position

    def known_position(self) -> int | None:
        """The position last recorded, even while the feed is down (see known_versions)."""
        with self._lock:
            return self._position

    def known_versions(self, tables: list[str]) -> dict[str, int] | None:
        """The versions last notified, even while the feed is down; None if it never connected.

        For when the database cannot be reached: nothing can change then, so tiles cached under these versions
        are still the current ones.
        """
        with self._lock:
            if not self._versions:
                return None
            return {t: self._versions[t] for t in tables if t in self._versions}

    def wait_for_commit(self, conn, tables: list[str], timeout: float = 2.0) -> bool:
        """After a commit: wait until this worker has been notified of the tables' committed versions.

        PostgreSQL signals every listener at commit, so once this worker's notification is in, other workers'
        are too: the writer's next request, to any worker, sees its edit.
        """
        wanted = dict(conn.exec_driver_sql(VERSION_SQL, {"tables": tables}).all())
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._conn is not None:
                self._drain()
                if all(self._versions.get(t, -1) >= v for t, v in wanted.items()):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.01))
        return False

    # --- the listening connection -------------------------------------------------------------------------------

    def _connect(self) -> None:
        """Open the connection, LISTEN first and then read every version, so no change falls in between."""
        conn = psycopg2.connect(self._dsn, application_name="zoneatlas-change-feed")
        conn.set_session(autocommit=True)
        with conn.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
            cursor.execute("SELECT table_name, version FROM layer_changes")
            versions = dict(cursor.fetchall())
            position = self._ask_position(cursor)
        with self._lock:
            self._versions = versions
            self._position = position
            self._conn = conn
            self._changed.notify_all()
        if self._lost and self._on_reconnect is not None:
            self._on_reconnect()
        self._lost = False

    def _drain(self) -> bool:
        """Apply the notifications waiting on the socket (caller holds the lock); False if the connection broke."""
        try:
            self._conn.poll()
        except psycopg2.Error as error:
            log.warning("change feed lost its connection (%s); asking the database until it is back", error)
            self._close()
            return False
        if not self._conn.notifies:
            return True
        notes = list(self._conn.notifies)  # any that arrive while the position is asked wait for the next drain
        self._conn.notifies.clear()
        for note in notes:
            table, _, version = note.payload.rpartition(":")
            if int(version) > self._versions.get(table, -1):
                self._versions[table] = int(version)
        if self._track_position:
            try:
                with self._conn.cursor() as cursor:
                    self._position = self._ask_position(cursor)
            except psycopg2.Error as error:
                log.warning("change feed lost its connection (%s); asking the database until it is back", error)
                self._close()
                return False
        self._changed.notify_all()
        return True

    def _ask_position(self, cursor) -> int | None:
        """The primary's current WAL position, asked after the versions were read (when replicas need it)."""
        if not self._track_position:
            return None
        cursor.execute(POSITION_SQL)
        return int(cursor.fetchone()[0])

    def _close(self) -> None:
        """Drop the connection (caller holds the lock)."""
        self._lost = not self._stopping.is_set()
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg2.Error:
                pass
            self._conn = None

    def _run(self) -> None:
        """Wait on the socket and drain; reconnect (and reload every version) after a failure."""
        while not self._stopping.is_set():
            conn = self._conn
            if conn is None:
                try:
                    self._connect()
                except psycopg2.Error:
                    self._stopping.wait(RETRY_SECONDS)
                continue
            try:
                select.select([conn], [], [], 1.0)
            except (OSError, ValueError):  # closed under us
                continue
            with self._lock:
                if self._conn is conn:
                    self._drain()
