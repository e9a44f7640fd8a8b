"""decisions register: a public flag, and the signed PDF stored in PostgreSQL (content-addressed by sha256)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="ck_documents_sha256"),
        sa.CheckConstraint("size = octet_length(content)", name="ck_documents_size"),
        sa.UniqueConstraint("sha256", "size", name="uq_documents_sha256_size"),  # the target of the decisions' key
    )
    # Existing decisions were all published: they stay public.
    op.add_column("decisions", sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.text("true")))
    op.add_column("decisions", sa.Column("document_filename", sa.Text(), nullable=True))
    op.add_column("decisions", sa.Column("document_sha256", sa.String(64), nullable=True))
    op.add_column("decisions", sa.Column("document_size", sa.Integer(), nullable=True))
    # Hash and size together name a stored file: whichever path writes them, they cannot disagree with the bytes.
    op.create_foreign_key(
        "fk_decisions_document", "decisions", "documents", ["document_sha256", "document_size"], ["sha256", "size"]
    )
    op.create_check_constraint(
        "ck_decisions_document",
        "decisions",
        "(document_sha256 IS NULL) = (document_filename IS NULL) AND (document_sha256 IS NULL) = (document_size IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint("ck_decisions_document", "decisions")
    op.drop_constraint("fk_decisions_document", "decisions", type_="foreignkey")
    for column in ("document_size", "document_sha256", "document_filename", "public"):
        op.drop_column("decisions", column)
    op.drop_table("documents")
