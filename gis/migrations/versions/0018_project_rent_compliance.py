"""land rent of projects (terms, yearly amounts) and compliance findings (issue 16)

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BASES = "('per_m2_year', 'per_ha_year', 'lump_sum_term', 'per_year')"
KINDS = "('slow_land_use', 'off_objective', 'violation', 'rent_arrears', 'other')"
STATUSES = "('open', 'resolved')"
TABLES = ("project_rent_terms", "project_rent_amounts", "project_findings")


def _provenance() -> list[sa.Column]:
    """Where a row comes from, and whether it was invented for the demo."""
    return [
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    ]


def _project() -> sa.Column:
    """The project a row belongs to (its rows go with it)."""
    return sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "project_rent_terms",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("rate", sa.Numeric(20, 2), nullable=False),
        sa.Column("rate_basis", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False, server_default=sa.text("'VND'")),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("decision_number", sa.Text(), nullable=True),
        *_provenance(),
        sa.CheckConstraint(f"rate_basis IN {BASES}", name="ck_project_rent_terms_basis"),
        sa.CheckConstraint("rate >= 0", name="ck_project_rent_terms_rate"),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_project_rent_terms_currency"),
        sa.CheckConstraint("period_to IS NULL OR period_to >= period_from", name="ck_project_rent_terms_period"),
    )
    op.create_table(
        "project_rent_amounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due_vnd", sa.Numeric(20, 0), nullable=False),
        sa.Column("paid_vnd", sa.Numeric(20, 0), nullable=False, server_default=sa.text("0")),
        *_provenance(),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_project_rent_amounts_year"),
        sa.CheckConstraint("due_vnd >= 0 AND paid_vnd >= 0", name="ck_project_rent_amounts_not_negative"),
        sa.UniqueConstraint("project_id", "year", name="uq_project_rent_amounts_year"),
    )
    op.create_table(
        "project_findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _project(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("found_by", sa.Text(), nullable=False),
        sa.Column("decided", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default=sa.text("'open'")),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        *_provenance(),
        sa.CheckConstraint(f"kind IN {KINDS}", name="ck_project_findings_kind"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_project_findings_status"),
        sa.CheckConstraint("status <> 'resolved' OR resolved_on IS NOT NULL", name="ck_project_findings_resolved_date"),
        sa.CheckConstraint("resolved_on IS NULL OR resolved_on >= found_on", name="ck_project_findings_dates"),
    )
    op.create_index("ix_project_rent_terms_project_id", "project_rent_terms", ["project_id"])
    op.create_index("ix_project_findings_project_id", "project_findings", ["project_id"])
    for table in TABLES:  # writes bump the change counter like every layer's
        op.execute(f"INSERT INTO layer_changes (table_name, version) VALUES ('{table}', 0)")
        op.execute(
            f"CREATE TRIGGER trg_{table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
        op.execute(f"DELETE FROM layer_changes WHERE table_name = '{table}'")
