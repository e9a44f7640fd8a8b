"""enterprise figures per project and period (year, quarter, month; estimate or final) and targets per board,
zone or park; the yearly project_year_figures rows move in as final, public yearly figures

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

MEASURES = [
    ("revenue_vnd", sa.Numeric(20, 0)),
    ("exports_usd", sa.Numeric(16, 2)),
    ("imports_usd", sa.Numeric(16, 2)),
    ("budget_vnd", sa.Numeric(20, 0)),
    ("workers_domestic", sa.Integer()),
    ("workers_foreign", sa.Integer()),
    ("new_jobs", sa.Integer()),
]
CAPITAL = [
    ("registered_capital_vnd", sa.Numeric(20, 0)),
    ("registered_capital_usd", sa.Numeric(16, 2)),
    ("implemented_capital_vnd", sa.Numeric(20, 0)),
    ("implemented_capital_usd", sa.Numeric(16, 2)),
]


def _not_negative(table: str, columns: list) -> sa.CheckConstraint:
    """No measure below zero."""
    return sa.CheckConstraint(
        " AND ".join(f"coalesce({name}, 0) >= 0" for name, _ in columns), name=f"ck_{table}_not_negative"
    )


def upgrade() -> None:
    op.create_table(
        "enterprise_figures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False, server_default="year"),
        sa.Column("period", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("basis", sa.String(8), nullable=False, server_default="final"),
        *(sa.Column(name, kind, nullable=True) for name, kind in MEASURES + CAPITAL),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_enterprise_figures_year"),
        sa.CheckConstraint(
            "(period_kind = 'year' AND period = 0) OR (period_kind = 'quarter' AND period BETWEEN 1 AND 4) "
            "OR (period_kind = 'month' AND period BETWEEN 1 AND 12)",
            name="ck_enterprise_figures_period",
        ),
        sa.CheckConstraint("basis IN ('estimate', 'final')", name="ck_enterprise_figures_basis"),
        _not_negative("enterprise_figures", MEASURES + CAPITAL),
        sa.UniqueConstraint("project_id", "year", "period_kind", "period", "basis", name="uq_enterprise_figures_period"),
    )
    op.create_index("ix_enterprise_figures_year", "enterprise_figures", ["year", "project_id"])
    op.create_table(
        "enterprise_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("scope_uid", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in MEASURES),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_enterprise_targets_year"),
        sa.CheckConstraint("scope IN ('province', 'zone', 'park')", name="ck_enterprise_targets_scope"),
        _not_negative("enterprise_targets", MEASURES),
        sa.UniqueConstraint("scope", "scope_uid", "year", name="uq_enterprise_targets_scope_year"),
    )
    # The old yearly figures were shown to everyone on the park sheets: they stay public, as final yearly figures.
    op.execute(
        "INSERT INTO enterprise_figures (project_id, year, period_kind, period, basis, revenue_vnd, exports_usd, "
        "workers_domestic, workers_foreign, source, public) "
        "SELECT project_id, year, 'year', 0, 'final', revenue_vnd, exports_usd, workers_domestic, workers_foreign, "
        "'project_year_figures (before issue 16)', true FROM project_year_figures"
    )
    op.drop_table("project_year_figures")


def downgrade() -> None:
    op.create_table(
        "project_year_figures",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("revenue_vnd", sa.Numeric(20, 0), nullable=True),
        sa.Column("exports_usd", sa.Numeric(16, 2), nullable=True),
        sa.Column("workers_domestic", sa.Integer(), nullable=True),
        sa.Column("workers_foreign", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "coalesce(workers_domestic, 0) >= 0 AND coalesce(workers_foreign, 0) >= 0",
            name="ck_project_year_figures_workers",
        ),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="ck_project_year_figures_year"),
    )
    op.execute(
        "INSERT INTO project_year_figures SELECT DISTINCT ON (project_id, year) project_id, year, revenue_vnd, "
        "exports_usd, workers_domestic, workers_foreign FROM enterprise_figures WHERE period_kind = 'year' "
        "ORDER BY project_id, year, basis = 'final' DESC"
    )
    op.drop_table("enterprise_targets")
    op.drop_index("ix_enterprise_figures_year", table_name="enterprise_figures")
    op.drop_table("enterprise_figures")
