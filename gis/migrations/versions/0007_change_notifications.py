"""change notifications: the change-counter trigger also NOTIFYs the new version (in-memory versions per worker)

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BUMP = """
CREATE OR REPLACE FUNCTION zoneatlas_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_version bigint;
BEGIN
  INSERT INTO layer_changes (table_name, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
  ON CONFLICT (table_name) DO UPDATE
    SET version = layer_changes.version + 1, changed_at = now()
  RETURNING version INTO new_version;
  {notify}
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    # Delivered at commit, to every listening worker (gis/change_feed.py); payload "table:version".
    op.execute(BUMP.format(notify="PERFORM pg_notify('za_layer_changes', TG_TABLE_NAME || ':' || new_version);"))


def downgrade() -> None:
    op.execute(BUMP.format(notify=""))
