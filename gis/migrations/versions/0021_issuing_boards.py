"""the issuing board of each province as data: name, contacts, logo, source (issue 17)

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# A logo is kept as a data: URI of a small PNG, JPEG or SVG image (the sheets and PDFs embed it as it is).
LOGO = r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def upgrade() -> None:
    op.create_table(
        "issuing_boards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_code", sa.String(32), nullable=False, unique=True),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("logo", sa.Text(), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(f"logo IS NULL OR (logo ~ '{LOGO}' AND length(logo) <= 200000)", name="ck_issuing_boards_logo"),
        sa.CheckConstraint(f"email IS NULL OR email ~ '{EMAIL}'", name="ck_issuing_boards_email"),
        sa.CheckConstraint(
            "website IS NULL OR website ~ '^https?://[^\\s]+$'", name="ck_issuing_boards_website"
        ),
    )
    # writes bump the change counter like every layer's
    op.execute("INSERT INTO layer_changes (table_name, version) VALUES ('issuing_boards', 0)")
    op.execute(
        "CREATE TRIGGER trg_issuing_boards_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON issuing_boards "
        "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
    )


def downgrade() -> None:
    op.drop_table("issuing_boards")
    op.execute("DELETE FROM layer_changes WHERE table_name = 'issuing_boards'")
