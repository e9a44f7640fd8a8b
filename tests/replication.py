"""A primary and a streaming standby made with PostgreSQL's own tools, for the read-replica tests only.

The session fixture initdb's a fresh cluster on a free port (wal_level=replica; initdb's pg_hba.conf already lets
127.0.0.1 replicate), builds the test database there as tests/conftest.py does, takes a `pg_basebackup -R` of it as a
hot standby on another free port, and removes both at the end. The system cluster's configuration is never touched.
initdb, pg_ctl and pg_basebackup refuse root, so they run as the `postgres` user on a directory it owns.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from gis.database_admin import ensure_database, ensure_extensions
from gis.migrate import upgrade
from gis.settings import PROJECT_ROOT
from layers.basemap import basemap_file, load_basemap
from layers.demo.loader import load_demo, load_lookups

DATA_DIR = PROJECT_ROOT / "data"
OWNER = "postgres"


def postgres_bin() -> Path:
    """The server binaries (Debian's layout); the newest installed major version."""
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin/pg_basebackup")), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL server binaries are missing: run scripts/ensure-test-tools.sh")
    return versions[-1].parent


def free_port() -> int:
    """A TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_owner(*command: str) -> None:
    """Run a PostgreSQL tool as the postgres user (as root) or as ourselves (any other user)."""
    prefix = ["runuser", "-u", OWNER, "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout[-1500:]} {done.stderr[-1500:]}")


@dataclass
class Cluster:
    """One PostgreSQL server of the pair: its data directory and port."""

    data: Path
    port: int

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        as_owner(
            str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop it (`immediate`: as if the machine went away)."""
        as_owner(str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        """A SQLAlchemy URL of a database on this server (trust authentication on 127.0.0.1)."""
        return f"postgresql+psycopg2://{OWNER}@127.0.0.1:{self.port}/{database}"


@dataclass
class Replicated:
    """The test database on the primary and its hot standby."""

    primary: Cluster
    standby: Cluster
    database: str
    primary_engine: Engine
    standby_engine: Engine  # autocommit, for pausing replay and looking at what the standby has

    @property
    def primary_url(self) -> str:
        return self.primary.url(self.database)

    @property
    def standby_url(self) -> str:
        return self.standby.url(self.database)

    def replayed(self) -> int:
        """Where the standby has replayed to."""
        with self.standby_engine.connect() as conn:
            return conn.execute(text("SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint")).scalar_one()

    def primary_position(self) -> int:
        """The primary's current WAL position."""
        with self.primary_engine.connect() as conn:
            return conn.execute(text("SELECT (pg_current_wal_lsn() - '0/0')::bigint")).scalar_one()

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        target = self.primary_position()
        deadline = time.monotonic() + timeout
        while self.replayed() < target:
            if time.monotonic() > deadline:
                raise AssertionError("the standby did not catch up")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        with self.standby_engine.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_pause()"))

    def resume_replay(self) -> None:
        with self.standby_engine.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))


def _configure_primary(data: Path, port: int, sockets: Path) -> None:
    """Port, sockets, WAL for one standby, and durability off (a throwaway cluster: speed over crash safety)."""
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{sockets}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
            "full_page_writes = off\nshared_buffers = 32MB\nmax_connections = 60\n"
        )


def make_pair(root: Path) -> tuple[Cluster, Cluster]:
    """initdb a primary in root/primary and start it; the standby is made later from its data."""
    if os.geteuid() == 0:
        shutil.chown(root, OWNER, OWNER)
    primary = Cluster(root / "primary", free_port())
    as_owner(str(postgres_bin() / "initdb"), "-D", str(primary.data), "-U", OWNER, "--auth=trust", "-E", "UTF8")
    _configure_primary(primary.data, primary.port, root)
    primary.start()
    return primary, Cluster(root / "standby", free_port())


def make_standby(primary: Cluster, standby: Cluster) -> None:
    """pg_basebackup -R of the primary (it writes primary_conninfo and standby.signal), on its own port."""
    as_owner(
        str(postgres_bin() / "pg_basebackup"),
        *(
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            OWNER,
            "-D",
            str(standby.data),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ),
    )
    with open(standby.data / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {standby.port}\n")
    standby.start()


@contextmanager
def replicated_pair(prefix: str = "zoneatlas_test_") -> Iterator[Replicated]:
    """The demo database on a fresh primary with a caught-up hot standby; everything removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="zoneatlas-replication-"))
    clusters: list[Cluster] = []
    try:
        primary, standby = make_pair(root)
        clusters.append(primary)
        database = f"{prefix}{uuid.uuid4().hex[:10]}"
        url = primary.url(database)
        ensure_database(url)
        ensure_extensions(url)
        upgrade(url)
        primary_engine = create_engine(url)
        with primary_engine.begin() as conn:
            load_lookups(conn, DATA_DIR / "lookups")
            load_basemap(conn, basemap_file(DATA_DIR))
            load_demo(conn, DATA_DIR / "demo")
        make_standby(primary, standby)
        clusters.append(standby)
        standby_engine = create_engine(standby.url(database), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        pair = Replicated(primary, standby, database, primary_engine, standby_engine)
        pair.caught_up()
        yield pair
        standby_engine.dispose()
        primary_engine.dispose()
    finally:
        for cluster in reversed(clusters):
            try:
                cluster.stop("immediate")
            except RuntimeError:
                pass  # already stopped by a test
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def replicated() -> Iterator[Replicated]:
    """The pair for the read-replica tests (see replicated_pair)."""
    with replicated_pair() as pair:
        yield pair
