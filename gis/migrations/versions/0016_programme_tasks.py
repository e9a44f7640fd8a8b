"""the board's yearly work programme: its units, programmes and tasks (issue 16)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUSES = "('not_started', 'in_progress', 'done', 'late', 'cancelled')"
LEVELS = "('prime_minister', 'government', 'ministry', 'provincial_committee', 'board_leadership')"
DUE_PERIOD = r"^(20[0-9]{2}-Q[1-4]|20[0-9]{2}-(0[1-9]|1[0-2])(-[0-3][0-9])?|quarterly|monthly)$"


def upgrade() -> None:
    op.create_table(
        "programme_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=True),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.UniqueConstraint("province_code", "year", name="uq_programmes_province_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_programmes_year"),
    )
    op.create_table(
        "programme_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("title_vi", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), sa.ForeignKey("programme_units.id"), nullable=False),
        sa.Column("coordinating_units", sa.Text(), nullable=True),
        sa.Column("due_period", sa.String(16), nullable=False),
        sa.Column("submitted_to", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default=sa.text("'not_started'")),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("zone_uid", sa.String(64), nullable=True),
        sa.Column("park_uid", sa.String(64), nullable=True),
        sa.Column("project_uid", sa.String(64), nullable=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("illustrative", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_programme_tasks_status"),
        sa.CheckConstraint(f"submitted_to IS NULL OR submitted_to IN {LEVELS}", name="ck_programme_tasks_level"),
        sa.CheckConstraint(  # a date must be a real day: the cast refuses 2023-02-30 before anything is stored
            f"due_period ~ '{DUE_PERIOD}' AND (length(due_period) <> 10 OR due_period::date IS NOT NULL)",
            name="ck_programme_tasks_due",
        ),
        sa.CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="ck_programme_tasks_done_date"),
    )
    op.create_index("ix_programme_units_province_code", "programme_units", ["province_code"])
    op.create_index("ix_programme_tasks_programme_id", "programme_tasks", ["programme_id"])
    op.create_index("ix_programme_tasks_lead_unit_id", "programme_tasks", ["lead_unit_id"])
    # A task's lead unit is a department of its programme's board, whichever path writes it.
    op.execute(
        """
        CREATE FUNCTION zoneatlas_task_unit_of_board() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NOT EXISTS (
            SELECT 1 FROM programme_units u JOIN programmes p ON p.province_code = u.province_code
            WHERE u.id = NEW.lead_unit_id AND p.id = NEW.programme_id
          ) THEN
            RAISE EXCEPTION 'lead unit % is not a unit of the board of programme %', NEW.lead_unit_id, NEW.programme_id
              USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_programme_tasks_unit_board';
          END IF;
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_programme_tasks_unit_board BEFORE INSERT OR UPDATE OF lead_unit_id, programme_id "
        "ON programme_tasks FOR EACH ROW EXECUTE FUNCTION zoneatlas_task_unit_of_board()"
    )
    # Writes bump the change counter like every layer's (ETags, the writer's wait for its own change).
    op.execute("INSERT INTO layer_changes (table_name, version) VALUES ('programme_tasks', 0)")
    op.execute(
        "CREATE TRIGGER trg_programme_tasks_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON programme_tasks "
        "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
    )


def downgrade() -> None:
    op.drop_table("programme_tasks")
    op.execute("DROP FUNCTION zoneatlas_task_unit_of_board()")
    op.drop_table("programmes")
    op.drop_table("programme_units")
    op.execute("DELETE FROM layer_changes WHERE table_name = 'programme_tasks'")
