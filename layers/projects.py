"""Investment-project queries: delay is derived from committed vs actual milestones, never typed in."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

DELAYED_SQL = text(
    """
    SELECT p.id, p.uid, p.name_vi, p.status, m.milestone, m.committed_on, m.actual_on,
           (coalesce(m.actual_on, CAST(:as_of AS date)) - m.committed_on) AS days_late
    FROM projects p
    JOIN project_milestones m ON m.project_id = p.id
    WHERE p.status <> 'terminated'
      AND m.committed_on IS NOT NULL
      AND m.committed_on < CAST(:as_of AS date)
      AND (m.actual_on IS NULL OR m.actual_on > m.committed_on)
      AND (m.actual_on IS NULL OR m.actual_on <= CAST(:as_of AS date))
    ORDER BY p.uid, m.committed_on
    """
)


@dataclass(frozen=True)
class MilestoneDelay:
    """A milestone that was missed or met late."""

    project_id: int
    uid: str
    name_vi: str
    status: str
    milestone: str
    committed_on: date
    actual_on: date | None
    days_late: int


def delayed_milestones(conn: Connection, as_of: date) -> list[MilestoneDelay]:
    """Milestones whose committed date had passed on `as_of` without being met on time."""
    return [MilestoneDelay(*row) for row in conn.execute(DELAYED_SQL, {"as_of": as_of})]


def delayed_project_uids(conn: Connection, as_of: date) -> set[str]:
    """Uids of projects with at least one missed or late milestone on `as_of`."""
    return {d.uid for d in delayed_milestones(conn, as_of)}
