"""unaccent search: an immutable za_fold(text) so "cau treo" finds "Cầu Treo" (and đ matches d), indexable

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # unaccent() is STABLE (it reads a dictionary); pinning the dictionary makes a wrapper safe to index.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION za_fold(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
        $$ SELECT lower(translate(public.unaccent('public.unaccent'::regdictionary, value), 'Đđ', 'Dd')) $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS za_fold(text)")
