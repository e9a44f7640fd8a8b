"""search aliases: other spellings of a thing's name (a seed's "Hoàn Sơn", a former name), found by search (issue 17)

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("layer", sa.String(64), nullable=False),
        sa.Column("uid", sa.String(64), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("length(btrim(alias)) >= 2", name="ck_search_aliases_alias"),
    )
    # one spelling once per thing, whatever its case and diacritics; looked up per (layer, uid) by the search
    op.execute("CREATE UNIQUE INDEX uq_search_aliases_folded ON search_aliases (layer, uid, za_fold(alias))")


def downgrade() -> None:
    op.drop_table("search_aliases")
