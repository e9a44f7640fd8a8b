"""audit if_match: the ETag a change was made from, NULL when the writer sent no If-Match (last writer wins)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("if_match", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "if_match")
