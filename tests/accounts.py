"""Accounts and edit clean-up for API tests: one user per role, bearer headers, and rows written by a test removed.

Use in a test module:  from tests import accounts; staff = accounts.staff; edits = accounts.edits
(module-level assignments; pytest finds fixtures by attribute).

Edits through the API commit (the app has its own engine), so `edits` records the highest id of every
table a test may write and deletes newer rows afterwards: other tests keep seeing only the demo data.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from gis.accounts import User, create_user, get_user, issue_token
from gis.errors import NotFound

PASSWORD = "mật-khẩu-đủ-dài-1"
ROLES = ("viewer", "editor", "admin")
# Children before parents, so deleting newer rows never trips a foreign key.
WRITABLE_TABLES = (
    "audit_log",
    "account_audit",
    "api_tokens",
    "users",
    "clearance_parcels",
    "project_plots",
    "project_milestones",
    "enterprise_figures",
    "enterprise_targets",
    "project_rent_terms",
    "project_rent_amounts",
    "project_findings",
    "projects",
    "land_plots",
    "industrial_parks",
    "functional_areas",
    "economic_zones",
    "border_gates",
    "logistics_centres",
    "transport_nodes",
    "transport_lines",
    "programme_tasks",
    "programmes",
    "programme_units",
    "issuing_boards",
    "decisions",
)
LINK_TABLES = ("project_plots", "project_milestones")
ID_TABLES = tuple(t for t in WRITABLE_TABLES if t not in LINK_TABLES)


@dataclass(frozen=True)
class Staff:
    """The users of each role and the headers that authenticate as them."""

    users: dict[str, User]
    headers: dict[str, dict[str, str]]

    def __getitem__(self, role: str) -> dict[str, str]:
        return self.headers[role]


def make_user(engine: Engine, username: str, role: str, password: str = PASSWORD) -> User:
    """Create an account directly (tests do not go through the CLI, except the CLI tests)."""
    with engine.begin() as conn:
        return create_user(conn, username, role, password, display_name=f"Cán bộ {role}")


def bearer(engine: Engine, user: User) -> dict[str, str]:
    """A personal API token for the user, as a request header."""
    with engine.begin() as conn:
        issued = issue_token(conn, user, kind="personal", name="tests")
    return {"Authorization": f"Bearer {issued.token}"}


def _staff_user(engine: Engine, role: str) -> User:
    """The shared test user of a role (each module that imports the fixture gets its own session instance)."""
    with engine.begin() as conn:
        try:
            return get_user(conn, f"test_{role}")
        except NotFound:
            return create_user(conn, f"test_{role}", role, PASSWORD, display_name=f"Cán bộ {role}")


@pytest.fixture(scope="session")
def staff(engine: Engine) -> Staff:
    users = {role: _staff_user(engine, role) for role in ROLES}
    headers = {"anonymous": {}} | {role: bearer(engine, user) for role, user in users.items()}
    return Staff(users, headers)


@pytest.fixture
def edits(engine: Engine, staff: Staff) -> Iterator[None]:
    with engine.connect() as conn:
        marks = {t: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar_one() for t in ID_TABLES}
    yield
    with engine.begin() as conn:
        for table in WRITABLE_TABLES:
            if table in marks:
                conn.execute(text(f"DELETE FROM {table} WHERE id > :mark"), {"mark": marks[table]})


def notified(client, engine: Engine, *tables: str) -> None:
    """A change made outside the app (SQL, the CLI) reaches the app's in-memory versions (tiles, token cache) by a
    notification at commit: wait for it, as the app's own writes do before they answer."""
    with engine.connect() as conn:
        assert client.app.state.change_feed.wait_for_commit(conn, list(tables))
