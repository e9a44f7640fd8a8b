"""track accounts: users and API tokens bump layer_changes (and notify), so workers can cache token lookups

Only changes that can alter who a token belongs to count: last_used_at bookkeeping does not bump the version.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TOKEN_FIELDS = "user_id, kind, token_hash, expires_at, revoked_at"


def upgrade() -> None:
    for table in ("users", "api_tokens"):
        op.execute(f"INSERT INTO layer_changes (table_name, version) VALUES ('{table}', 0) ON CONFLICT DO NOTHING")
    op.execute("CREATE TRIGGER trg_users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users "
               "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()")
    op.execute("CREATE TRIGGER trg_api_tokens_changed AFTER INSERT OR DELETE OR TRUNCATE ON api_tokens "
               "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()")
    op.execute(f"CREATE TRIGGER trg_api_tokens_updated AFTER UPDATE OF {TOKEN_FIELDS} ON api_tokens "
               "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()")


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_api_tokens_updated ON api_tokens")
    op.execute("DROP TRIGGER trg_api_tokens_changed ON api_tokens")
    op.execute("DROP TRIGGER trg_users_changed ON users")
    op.execute("DELETE FROM layer_changes WHERE table_name IN ('users', 'api_tokens')")
