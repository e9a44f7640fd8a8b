"""clearance overview: parcels merged per project, map sheet and stage, for truthful low-zoom tiles

Every clearance parcel is in exactly one overview row (its project's row for its map sheet and stage), so a low-zoom map shows
all of them, merged and simplified, instead of cutting a parcel layer at N features. Statement-level triggers with
transition tables rebuild the (project, map sheet, stage) rows a statement touched, in the same transaction, so the overview
is never stale (the parcels' change counter in layer_changes keeps driving ETags and tile caches).

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Merged outlines are simplified to 2 m in Web Mercator: under one tile unit (4096 a tile: 2.4 m at zoom 14, the
# finest zoom they are drawn at), so nothing visible is lost while vertex counts fall.
SIMPLIFY_M = 2.0

REFRESH_FUNCTION = f"""
CREATE FUNCTION za_refresh_clearance_overview(project_ids integer[], sheets text[], stages text[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM clearance_overview o USING unnest(project_ids, sheets, stages) AS g(project_id, map_sheet, stage)
   WHERE o.project_id = g.project_id AND o.map_sheet = g.map_sheet AND o.stage = g.stage;
  INSERT INTO clearance_overview (project_id, map_sheet, stage, parcels, area_ha, geom)
  SELECT p.project_id, p.map_sheet, p.stage, count(*), sum(p.area_ha),
         ST_Multi(ST_CollectionExtract(
           ST_SimplifyPreserveTopology(ST_Transform(ST_Union(p.geom), 3857), {SIMPLIFY_M}), 3))
    FROM clearance_parcels p
    JOIN (SELECT DISTINCT * FROM unnest(project_ids, sheets, stages) AS u(project_id, map_sheet, stage)) g
      ON p.project_id = g.project_id AND p.map_sheet = g.map_sheet AND p.stage = g.stage
   GROUP BY p.project_id, p.map_sheet, p.stage;
$$
"""

# Only the (project, map sheet, stage) groups a statement touched are rebuilt: an edit of one parcel's stage
# dates merges its old and new groups on that sheet again (a few hundred parcels at most), not the whole project.
TRIGGER_FUNCTION = """
CREATE FUNCTION za_clearance_overview_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  project_ids integer[];
  sheets text[];
  stages text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM clearance_overview;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM new_parcels) g;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM old_parcels) g;
  ELSE
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT project_id, map_sheet, stage FROM new_parcels UNION SELECT project_id, map_sheet, stage FROM old_parcels) g;
  END IF;
  PERFORM za_refresh_clearance_overview(project_ids, sheets, stages);
  RETURN NULL;
END
$$
"""

TRIGGERS = {  # transition tables allow one event per trigger
    "insert": "AFTER INSERT ON clearance_parcels REFERENCING NEW TABLE AS new_parcels",
    "update": "AFTER UPDATE ON clearance_parcels REFERENCING OLD TABLE AS old_parcels NEW TABLE AS new_parcels",
    "delete": "AFTER DELETE ON clearance_parcels REFERENCING OLD TABLE AS old_parcels",
    "truncate": "AFTER TRUNCATE ON clearance_parcels",
}


def upgrade() -> None:
    op.execute("""
        CREATE TABLE clearance_overview (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          project_id integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          map_sheet varchar(16) NOT NULL,
          stage varchar(24) NOT NULL,
          parcels integer NOT NULL,
          area_ha numeric(14, 4) NOT NULL,
          geom geometry(MultiPolygon, 3857) NOT NULL,
          CONSTRAINT uq_clearance_overview_group UNIQUE (project_id, map_sheet, stage)
        )
    """)
    op.execute("CREATE INDEX idx_clearance_overview_geom ON clearance_overview USING gist (geom)")
    op.execute(REFRESH_FUNCTION)
    op.execute(TRIGGER_FUNCTION)
    for event, clause in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER clearance_overview_{event} {clause} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION za_clearance_overview_changed()")
    op.execute("SELECT za_refresh_clearance_overview(array_agg(project_id), array_agg(map_sheet), array_agg(stage)) "
               "FROM (SELECT DISTINCT project_id, map_sheet, stage FROM clearance_parcels) g")


def downgrade() -> None:
    for event in TRIGGERS:
        op.execute(f"DROP TRIGGER clearance_overview_{event} ON clearance_parcels")
    op.execute("DROP FUNCTION za_clearance_overview_changed()")
    op.execute("DROP FUNCTION za_refresh_clearance_overview(integer[], text[], text[])")
    op.execute("DROP TABLE clearance_overview")
