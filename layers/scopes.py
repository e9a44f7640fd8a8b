"""Province scopes: the provinces a feature belongs to, and the rule that a scoped account changes only its own.

An account with provinces (users.provinces) may change a feature only when every province the feature belongs to,
before and after the change, is one of them. A feature's province comes from its own `province_code`, or from its
parent: plots through their park and zone, functional areas through their zone, clearance parcels, enterprise
figures, rent and findings through their project, programme tasks through their programme. Provinces merged in
2025 count as their successor (`merged_into`), on both sides. Decisions are the board's legal record, shared by
the versions of every province, and enterprise targets the board's plan: only an account without provinces changes
them.
Checked inside `layers.writes.apply_changes`, so every write path (API edits, imports, later the workspace) has it.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, select

from gis import models
from gis.accounts import User
from gis.errors import Forbidden
from gis.provinces import Provinces, provinces
from layers.features import table_of
from layers.spec import LayerSpec

# Layers whose rows name no province: (their column, the parent table, its column) for each way to a province.
PARENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "functional_areas": (("zone_uid", "economic_zones", "uid"),),
    "land_plots": (("park_uid", "industrial_parks", "uid"), ("zone_uid", "economic_zones", "uid")),
    "clearance_parcels": (("project_id", "projects", "id"),),
    "programme_tasks": (("programme_id", "programmes", "id"),),  # the board whose programme it is
    "enterprise_figures": (("project_id", "projects", "id"),),
    "project_rent_terms": (("project_id", "projects", "id"),),
    "project_rent_amounts": (("project_id", "projects", "id"),),
    "project_findings": (("project_id", "projects", "id"),),
}
# Shared by every province: changed only by accounts without provinces (targets: the board's own plan).
BOARD_LEVEL = frozenset(
    {"decisions", "enterprise_targets"}
)  # shared by every province: changed only by accounts without provinces
NOUNS = {
    "economic_zones": "economic zone",
    "functional_areas": "functional area",
    "industrial_parks": "park",
    "land_plots": "plot",
    "border_gates": "border gate",
    "logistics_centres": "logistics centre",
    "transport_nodes": "transport node",
    "transport_lines": "road or canal",
    "projects": "project",
    "clearance_parcels": "clearance parcel",
    "programme_tasks": "programme task",
    "enterprise_figures": "enterprise figure",
    "project_rent_terms": "rent terms",
    "project_rent_amounts": "rent amount",
    "project_findings": "compliance finding",
}


@dataclass(frozen=True)
class Scope:
    """The provinces (current codes) an account may change data in, with the province table to name them."""

    username: str
    allowed: frozenset[str]
    known: Provinces

    def refuse(self, reason: str) -> Forbidden:
        """The 403 of a write outside the account's provinces, saying why."""
        where = self.known.names_of(self.allowed) if self.allowed else "no province"
        return Forbidden(f"account '{self.username}' may change data in {where} only; {reason}")


def scope_of(conn: Connection, user: User | None) -> Scope | None:
    """The account's scope as stored now (not as a cached sign-in remembers it); None for every province."""
    if user is None:
        return None  # the server operator (CLI without --user): unscoped
    stored = conn.execute(select(models.User.__table__.c.provinces).where(models.User.__table__.c.id == user.id))
    row = stored.first()
    codes = user.provinces if row is None else row.provinces
    if codes is None:
        return None
    known = provinces(conn)
    return Scope(user.username, frozenset(known.current(c) for c in codes), known)


def province_known(spec: LayerSpec) -> bool:
    """Whether a layer's features have a known province (every editable layer must, or be board-level)."""
    return spec.id in BOARD_LEVEL or spec.id in PARENTS or "province_code" in table_of(spec).c


def provinces_of(conn: Connection, spec: LayerSpec, key: int) -> set[str]:
    """The provinces a stored row belongs to, as recorded (old codes kept): by its own column or its parents."""
    table = table_of(spec)
    this_row = table.c[spec.id_column] == key
    if "province_code" in table.c:
        return {code for code in conn.execute(select(table.c.province_code).where(this_row)).scalars() if code}
    found: set[str] = set()
    for column, parent_name, parent_column in PARENTS.get(spec.id, ()):
        parent = models.Base.metadata.tables[parent_name]
        query = (
            select(parent.c.province_code)
            .distinct()
            .join_from(table, parent, parent.c[parent_column] == table.c[column])
            .where(this_row)
        )
        found |= {code for code in conn.execute(query).scalars() if code}
    return found


def check_scope(conn: Connection, spec: LayerSpec, key: int, scope: Scope | None, *, written: bool) -> None:
    """Forbidden unless every province of row `key` is in the scope; `written`: the row as the change leaves it."""
    if scope is None:
        return
    check_board_level(spec, scope)
    noun = NOUNS.get(spec.id, "feature")
    found = provinces_of(conn, spec, key)
    if not found:
        raise scope.refuse(
            f"the province of this {noun} is not known (its park, zone or project is not recorded), "
            "so only an account without provinces may change it"
        )
    outside = {code for code in found if scope.known.current(code) not in scope.allowed}
    if outside:
        place = scope.known.names_of(outside)
        raise scope.refuse(f"the {noun} would be in {place}" if written else f"this {noun} is in {place}")


def check_board_level(spec: LayerSpec, scope: Scope | None) -> None:
    """Refuse a scoped account's change to a layer every province shares before anything is written."""
    if scope is not None and (spec.id in BOARD_LEVEL or not province_known(spec)):
        raise scope.refuse(f"'{spec.id}' is shared by every province: only an account without provinces may change it")
