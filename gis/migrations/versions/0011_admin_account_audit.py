"""account audit: who changed which account, when and how (never passwords or token values)

The feature audit_log is about layer features (layer, feature id, create/update/delete), so account changes get
their own small table.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_audit",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("actor_name", sa.String(64)),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("account_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("details", postgresql.JSONB()),
        sa.Column("request_id", sa.String(64)),
    )
    op.create_index("ix_account_audit_changed_at", "account_audit", ["changed_at"])


def downgrade() -> None:
    op.drop_table("account_audit")
