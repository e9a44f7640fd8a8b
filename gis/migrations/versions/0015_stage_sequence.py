"""clearance parcels: a stage's date needs the date of the stage before it, on every write path (one rule per stage)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Frozen copies of gis.models.STAGE_SEQUENCE_RULES as of this revision: (stage column, the column before it).
RULES = {
    "ck_clearance_parcels_stage_sequence_inventoried": ("inventoried_on", "notice_issued_on"),
    "ck_clearance_parcels_stage_sequence_plan_approved": ("plan_approved_on", "inventoried_on"),
    "ck_clearance_parcels_stage_sequence_compensation_paid": ("compensation_paid_on", "plan_approved_on"),
    "ck_clearance_parcels_stage_sequence_handed_over": ("handed_over_on", "compensation_paid_on"),
}
SHOWN = 20


def _gaps(rule: str) -> tuple[int, list[str]]:
    """How many parcels break a rule, and the first of them as map sheet/parcel number (project)."""
    sql = (
        "SELECT count(*) OVER () AS n, c.map_sheet || '/' || c.parcel_no || ' (' || p.uid || ')' AS parcel "
        f"FROM clearance_parcels c JOIN projects p ON p.id = c.project_id WHERE NOT ({rule}) "
        f"ORDER BY p.uid, c.map_sheet, c.parcel_no LIMIT {SHOWN}"
    )
    rows = op.get_bind().execute(sa.text(sql)).all()
    return (rows[0].n if rows else 0), [r.parcel for r in rows]


def upgrade() -> None:
    # Old records may have a later stage's date without an earlier one. Dates are never invented: such parcels
    # are named, and the upgrade stops until someone enters the missing dates (or clears the later ones).
    problems = []
    for later, earlier in RULES.values():
        count, parcels = _gaps(f"{later} IS NULL OR {earlier} IS NOT NULL")
        if count:
            problems.append(f"{count} parcel(s) have {later} but no {earlier}, e.g. {', '.join(parcels)}")
    if problems:
        raise RuntimeError(
            "clearance_parcels: a stage's date needs the date of the stage before it; fix these parcels, then "
            "upgrade again: " + "; ".join(problems)
        )
    for name, (later, earlier) in RULES.items():
        op.create_check_constraint(name, "clearance_parcels", f"{later} IS NULL OR {earlier} IS NOT NULL")


def downgrade() -> None:
    for name in RULES:
        op.drop_constraint(name, "clearance_parcels", type_="check")
