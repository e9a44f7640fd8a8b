"""planned things are first-class: a lifecycle (proposed → in the approved plan → under construction → operating) and
the decision of the current step on zones, parks and clusters, logistics centres, transport nodes and lines (issue 17)

Centres and nodes already said planned / under construction / operating in `status`: that column is their lifecycle
and gains `proposed`. Zones, parks and lines get a `lifecycle` column; what exists today is operating. Every one of
the five gets `lifecycle_decision_id`, the decision that put it at its current step (a versioned zone or park keeps
one per version, so its history lists the steps; the others keep theirs in the audit log).

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# Frozen copy of gis.vocab.FacilityStatus as of this revision.
STEPS = "('proposed', 'planned', 'under_construction', 'operating')"
OLD_STEPS = "('planned', 'under_construction', 'operating')"
WITH_COLUMN = ("economic_zones", "industrial_parks", "transport_lines")
WITH_STATUS = ("logistics_centres", "transport_nodes")


def upgrade() -> None:
    for table in WITH_COLUMN:
        op.add_column(table, sa.Column("lifecycle", sa.String(24), nullable=False, server_default="operating"))
        op.create_check_constraint(f"ck_{table}_lifecycle", table, f"lifecycle IN {STEPS}")
    for table in WITH_STATUS:
        op.drop_constraint(f"ck_{table}_status", table, type_="check")
        op.create_check_constraint(f"ck_{table}_status", table, f"status IN {STEPS}")
    for table in WITH_COLUMN + WITH_STATUS:
        op.add_column(table, sa.Column("lifecycle_decision_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            f"fk_{table}_lifecycle_decision", table, "decisions", ["lifecycle_decision_id"], ["id"]
        )
        op.create_index(f"ix_{table}_lifecycle_decision_id", table, ["lifecycle_decision_id"])


def downgrade() -> None:
    for table in WITH_COLUMN + WITH_STATUS:
        op.drop_index(f"ix_{table}_lifecycle_decision_id", table_name=table)
        op.drop_constraint(f"fk_{table}_lifecycle_decision", table, type_="foreignkey")
        op.drop_column(table, "lifecycle_decision_id")
    for table in WITH_STATUS:
        op.execute(f"UPDATE {table} SET status = 'planned' WHERE status = 'proposed'")
        op.drop_constraint(f"ck_{table}_status", table, type_="check")
        op.create_check_constraint(f"ck_{table}_status", table, f"status IN {OLD_STEPS}")
    for table in WITH_COLUMN:
        op.drop_constraint(f"ck_{table}_lifecycle", table, type_="check")
        op.drop_column(table, "lifecycle")
