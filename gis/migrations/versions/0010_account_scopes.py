"""account scopes: provinces an account may change, and the decision a personal token edits under

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("provinces", ARRAY(sa.String(32)), nullable=True))
    op.add_column(
        "api_tokens",
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id", ondelete="RESTRICT"), nullable=True),
    )
    # A token's decision changes what its holder's edits do: cached token lookups must see it change.
    op.execute("DROP TRIGGER trg_api_tokens_updated ON api_tokens")
    op.execute(
        "CREATE TRIGGER trg_api_tokens_updated AFTER UPDATE OF user_id, kind, token_hash, expires_at, revoked_at, "
        "decision_id ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_api_tokens_updated ON api_tokens")
    op.execute(
        "CREATE TRIGGER trg_api_tokens_updated AFTER UPDATE OF user_id, kind, token_hash, expires_at, revoked_at "
        "ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
    )
    op.drop_column("api_tokens", "decision_id")
    op.drop_column("users", "provinces")
