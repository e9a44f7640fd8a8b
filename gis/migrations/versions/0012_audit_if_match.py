"""audit if_match: the ETag a change was made from, NULL when the writer sent no If-Match (last writer wins)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("if_match", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "if_match")
