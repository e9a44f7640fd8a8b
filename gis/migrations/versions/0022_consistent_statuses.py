"""statuses that cannot contradict each other: a plot's clearance state derived from its parcels, and the rules that
keep secondary facts in line with the primary ones on every write path (issue 17)

Primary facts: a clearance parcel's stage dates, a project's investment-policy decision, a milestone's actual date.
Derived from them, never typed: a plot's clearance state (`za_plot_clearance_state`). Refused on write, whatever the
write path (API, import, spreadsheet, loader): a plot marked not cleared whose parcels are all handed over; a "land
handed over" milestone while parcels are not handed over, or dated before the last of them; milestones out of order;
clearance stage dates or land-recovery / compensation decisions of a project before its investment policy approval.
A primary fact written later can still leave a secondary one behind (a parcel handed over under a plot still marked
not cleared): such contradictions are not refused but listed by the data-health check (layers/health.py).

Old records are not checked by the upgrade: the triggers judge the rows a statement writes, and the data-health page
lists what older data already contradicts.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# Frozen copy of gis.vocab.Milestone's order as of this revision.
MILESTONE_ORDER = "ARRAY['policy_approved', 'irc_issued', 'land_handover', 'construction_start', 'operation_start']"
STAGE_DATES = "n.notice_issued_on, n.inventoried_on, n.plan_approved_on, n.compensation_paid_on, n.handed_over_on"

CLEARANCE_STATE = """
CREATE FUNCTION za_plot_clearance_state(p_uid text, p_geom geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- The parcels that concern a plot: those of a project linked to it, and those whose area overlaps its area
  -- (interiors intersect; touching edges do not count). No parcel: nothing is known, which is not clean land.
  SELECT CASE WHEN count(*) = 0 THEN 'no_parcels'
              WHEN count(*) FILTER (WHERE c.handed_over_on IS NULL) = 0 THEN 'handed_over'
              WHEN count(*) FILTER (WHERE c.handed_over_on IS NOT NULL) = 0 THEN 'not_handed_over'
              ELSE 'partly_handed_over' END
  FROM clearance_parcels c
  WHERE c.project_id IN (SELECT pp.project_id FROM project_plots pp WHERE pp.plot_uid = p_uid)
     OR (c.geom && p_geom AND ST_Relate(c.geom, p_geom, '2********'))
$$
"""

PLOTS = """
CREATE FUNCTION za_land_plots_check_clearance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  SELECT n.uid INTO bad FROM new_rows n
  WHERE n.valid_to IS NULL AND n.status = 'not_cleared' AND za_plot_clearance_state(n.uid, n.geom) = 'handed_over'
  LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'plot % is marked not cleared but every clearance parcel concerning it is handed over', bad
      USING ERRCODE = 'check_violation', CONSTRAINT = 'za_land_plots_not_cleared_handed_over', TABLE = 'land_plots';
  END IF;
  RETURN NULL;
END $$
"""

MILESTONES = f"""
CREATE FUNCTION za_project_milestones_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  pending integer;
  last_handover date;
  other text;
BEGIN
  IF NEW.actual_on IS NULL THEN
    RETURN NEW;
  END IF;
  IF NEW.milestone = 'land_handover' THEN
    SELECT count(*) FILTER (WHERE handed_over_on IS NULL), max(handed_over_on) INTO pending, last_handover
    FROM clearance_parcels WHERE project_id = NEW.project_id;
    IF pending > 0 THEN
      RAISE EXCEPTION 'project % has % clearance parcel(s) not handed over', NEW.project_id, pending
        USING ERRCODE = 'check_violation', CONSTRAINT = 'za_project_milestones_handover_parcels',
              TABLE = 'project_milestones';
    END IF;
    IF last_handover > NEW.actual_on THEN
      RAISE EXCEPTION 'project %: land handed over on % but its last parcel on %', NEW.project_id, NEW.actual_on,
        last_handover
        USING ERRCODE = 'check_violation', CONSTRAINT = 'za_project_milestones_handover_before_parcels',
              TABLE = 'project_milestones';
    END IF;
  END IF;
  SELECT m.milestone INTO other FROM project_milestones m
  WHERE m.project_id = NEW.project_id AND m.milestone <> NEW.milestone AND m.actual_on IS NOT NULL
    AND sign((array_position({MILESTONE_ORDER}, m.milestone::text)
              - array_position({MILESTONE_ORDER}, NEW.milestone::text))::numeric)
        * sign((m.actual_on - NEW.actual_on)::numeric) < 0
  LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION 'project %: milestone % on % is out of order with %', NEW.project_id, NEW.milestone,
      NEW.actual_on, other
      USING ERRCODE = 'check_violation', CONSTRAINT = 'za_project_milestones_order', TABLE = 'project_milestones';
  END IF;
  RETURN NEW;
END $$
"""

PARCELS = f"""
CREATE FUNCTION za_clearance_parcels_check_policy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  SELECT n.map_sheet || '/' || n.parcel_no || ' (' || p.uid || ')' INTO bad
  FROM new_rows n JOIN projects p ON p.id = n.project_id JOIN decisions d ON d.id = p.policy_decision_id
  WHERE least({STAGE_DATES}, n.enforcement_on) < d.date_signed
  LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'parcel % has a stage date before its project''s investment policy approval', bad
      USING ERRCODE = 'check_violation', CONSTRAINT = 'za_clearance_parcels_after_policy',
            TABLE = 'clearance_parcels';
  END IF;
  RETURN NULL;
END $$
"""

# One check of a project against its investment-policy decision: its recovery / compensation decisions (only
# `p_decision` when given) and its parcels' stage dates (skipped when `p_decision` is given).
PROJECT_POLICY = f"""
CREATE FUNCTION za_check_after_policy(p_project integer, p_decision integer DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  policy date;
  v_uid text;
  bad text;
BEGIN
  SELECT d.date_signed, p.uid INTO policy, v_uid
  FROM projects p JOIN decisions d ON d.id = p.policy_decision_id WHERE p.id = p_project;
  IF policy IS NULL THEN
    RETURN;
  END IF;
  SELECT d.number INTO bad FROM decisions d
  WHERE d.project_uid = v_uid AND d.kind IN ('land_recovery', 'compensation_plan')
    AND d.date_signed < policy AND (p_decision IS NULL OR d.id = p_decision)
  ORDER BY d.date_signed LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'decision % of project % is signed before its investment policy approval (%)', bad,
      v_uid, policy
      USING ERRCODE = 'check_violation', CONSTRAINT = 'za_decisions_recovery_after_policy', TABLE = 'decisions';
  END IF;
  IF p_decision IS NOT NULL THEN
    RETURN;
  END IF;
  SELECT n.map_sheet || '/' || n.parcel_no INTO bad FROM clearance_parcels n
  WHERE n.project_id = p_project AND least({STAGE_DATES}, n.enforcement_on) < policy LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'parcel % of project % has a stage date before its investment policy approval (%)', bad,
      v_uid, policy
      USING ERRCODE = 'check_violation', CONSTRAINT = 'za_clearance_parcels_after_policy', TABLE = 'projects';
  END IF;
END $$
"""

PROJECTS = """
CREATE FUNCTION za_projects_check_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM za_check_after_policy(NEW.id);
  RETURN NULL;
END $$
"""

DECISIONS = """
CREATE FUNCTION za_decisions_check_policy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  project integer;
BEGIN
  IF NEW.project_uid IS NOT NULL AND NEW.kind IN ('land_recovery', 'compensation_plan') THEN
    SELECT id INTO project FROM projects WHERE uid = NEW.project_uid;
    IF project IS NOT NULL THEN
      PERFORM za_check_after_policy(project, NEW.id);
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.date_signed IS DISTINCT FROM OLD.date_signed THEN
    FOR project IN SELECT id FROM projects WHERE policy_decision_id = NEW.id LOOP
      PERFORM za_check_after_policy(project);
    END LOOP;
  END IF;
  RETURN NULL;
END $$
"""

FUNCTIONS = (
    "za_decisions_check_policy()",
    "za_projects_check_policy()",
    "za_check_after_policy(integer, integer)",
    "za_clearance_parcels_check_policy()",
    "za_project_milestones_check()",
    "za_land_plots_check_clearance()",
    "za_plot_clearance_state(text, geometry)",
)
TRIGGERS = (
    ("za_decisions_policy", "decisions"),
    ("za_projects_policy", "projects"),
    ("za_clearance_parcels_policy_ins", "clearance_parcels"),
    ("za_clearance_parcels_policy_upd", "clearance_parcels"),
    ("za_project_milestones_rules", "project_milestones"),
    ("za_land_plots_clearance_ins", "land_plots"),
    ("za_land_plots_clearance_upd", "land_plots"),
)


def upgrade() -> None:
    # The project a decision concerns (investment policy, land recovery, compensation plan, lease), by its uid.
    op.add_column("decisions", sa.Column("project_uid", sa.String(64), nullable=True))
    op.create_index("ix_decisions_project_uid", "decisions", ["project_uid"])
    for sql in (CLEARANCE_STATE, PLOTS, MILESTONES, PARCELS, PROJECT_POLICY, PROJECTS, DECISIONS):
        op.execute(sql)
    for event in ("INSERT", "UPDATE"):
        suffix = event[:3].lower()
        op.execute(
            f"CREATE TRIGGER za_land_plots_clearance_{suffix} AFTER {event} ON land_plots "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION za_land_plots_check_clearance()"
        )
        op.execute(
            f"CREATE TRIGGER za_clearance_parcels_policy_{suffix} AFTER {event} ON clearance_parcels "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION za_clearance_parcels_check_policy()"
        )
    op.execute(
        "CREATE TRIGGER za_project_milestones_rules BEFORE INSERT OR UPDATE ON project_milestones "
        "FOR EACH ROW EXECUTE FUNCTION za_project_milestones_check()"
    )
    op.execute(
        "CREATE TRIGGER za_projects_policy AFTER INSERT OR UPDATE OF policy_decision_id ON projects "
        "FOR EACH ROW EXECUTE FUNCTION za_projects_check_policy()"
    )
    op.execute(
        "CREATE TRIGGER za_decisions_policy AFTER INSERT OR UPDATE ON decisions "
        "FOR EACH ROW EXECUTE FUNCTION za_decisions_check_policy()"
    )


def downgrade() -> None:
    for name, table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_decisions_project_uid", table_name="decisions")
    op.drop_column("decisions", "project_uid")
