"""The plan of a zone at a moment: the versions of zones and functional areas valid then."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from gis.errors import NotFound

# One statement serves both questions: "as of a date" binds :on directly, "under decision X" derives
# :on from the decision's effective date. `valid_during @> date` uses the GiST index on valid_during.
PLAN_SQL = text(
    """
    WITH moment AS (
      SELECT coalesce(CAST(:on AS date), (SELECT date_effective FROM decisions WHERE number = :number)) AS on_date
    )
    SELECT 'economic_zones' AS layer, z.id, z.uid, z.name_vi, NULL AS area_type, z.area_ha, d.number AS decision
    FROM economic_zones z JOIN decisions d ON d.id = z.decision_id, moment m
    WHERE z.uid = :zone AND z.valid_during @> m.on_date
    UNION ALL
    SELECT 'functional_areas', f.id, f.uid, f.name_vi, f.area_type, f.area_ha, d.number
    FROM functional_areas f JOIN decisions d ON d.id = f.decision_id, moment m
    WHERE f.zone_uid = :zone AND f.valid_during @> m.on_date
    ORDER BY 1, 3
    """
)


@dataclass(frozen=True)
class PlanVersion:
    """One version row that makes up the plan at a moment."""

    layer: str
    id: int
    uid: str
    name_vi: str
    area_type: str | None
    area_ha: float
    decision: str


def plan_as_of(conn: Connection, zone_uid: str, on: date) -> list[PlanVersion]:
    """The zone boundary and functional areas valid on a date."""
    return _plan(conn, zone_uid, on=on, number=None)


def plan_under_decision(conn: Connection, zone_uid: str, number: str) -> list[PlanVersion]:
    """The zone boundary and functional areas in force once a decision took effect."""
    exists = conn.execute(text("SELECT 1 FROM decisions WHERE number = :n"), {"n": number}).first()
    if exists is None:
        raise NotFound(f"no decision numbered '{number}'")
    return _plan(conn, zone_uid, on=None, number=number)


def _plan(conn: Connection, zone_uid: str, *, on: date | None, number: str | None) -> list[PlanVersion]:
    """Run the one plan statement with bound parameters."""
    rows = conn.execute(PLAN_SQL, {"zone": zone_uid, "on": on, "number": number})
    return [PlanVersion(r.layer, r.id, r.uid, r.name_vi, r.area_type, float(r.area_ha), r.decision) for r in rows]
