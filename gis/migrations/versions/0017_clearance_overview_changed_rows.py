"""clearance overview: an update rebuilds only the groups of parcels whose project, map sheet, stage or outline changed

The statement trigger of migrations 0006/0008 rebuilt every (project, map sheet, stage) group an UPDATE touched,
whatever it changed. A spreadsheet update writes one UPDATE per row, so a sheet of 1,000 note or owner changes
rebuilt 1,000 merged outlines for nothing (82 s at 200,000 parcels, bench/run-workspace). The overview and the
sites depend only on project_id, map_sheet, stage (derived from the stage dates) and geom; rows where none of them
changed are now skipped, and a statement that changed none of them rebuilds nothing.

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def trigger_function(changed_rows_only: bool) -> str:
    """The clearance trigger function of migration 0008, the update branch limited to changed rows when asked."""
    if changed_rows_only:
        updated = """
      FROM (SELECT n.project_id, n.map_sheet, n.stage, o.project_id AS old_project_id, o.map_sheet AS old_map_sheet,
                   o.stage AS old_stage
              FROM new_parcels n JOIN old_parcels o ON o.id = n.id
             WHERE n.project_id IS DISTINCT FROM o.project_id OR n.map_sheet IS DISTINCT FROM o.map_sheet
                OR n.stage IS DISTINCT FROM o.stage OR NOT ST_Equals(n.geom, o.geom)) c
      CROSS JOIN LATERAL (VALUES (c.project_id, c.map_sheet, c.stage),
                                 (c.old_project_id, c.old_map_sheet, c.old_stage)) AS g(project_id, map_sheet, stage)"""
        select = "SELECT DISTINCT g.project_id, g.map_sheet, g.stage"
    else:
        updated = """
      FROM (SELECT project_id, map_sheet, stage FROM new_parcels
            UNION SELECT project_id, map_sheet, stage FROM old_parcels) g"""
        select = "SELECT project_id, map_sheet, stage"
    return f"""
CREATE OR REPLACE FUNCTION za_clearance_overview_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  project_ids integer[];
  sheets text[];
  stages text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM clearance_overview;
    DELETE FROM clearance_sites;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM new_parcels) g;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM old_parcels) g;
  ELSE
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM ({select}{updated}) t;
  END IF;
  IF project_ids IS NULL THEN
    RETURN NULL;  -- nothing the overview or the sites show has changed
  END IF;
  PERFORM za_refresh_clearance_overview(project_ids, sheets, stages);
  PERFORM za_refresh_clearance_sites(ARRAY(SELECT DISTINCT unnest(project_ids)));
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(trigger_function(changed_rows_only=True))


def downgrade() -> None:
    op.execute(trigger_function(changed_rows_only=False))
