"""clearance sites: one outline per clearance project, for province-scale tiles (zoom 8 and below)

At province scale a project's parcels, even merged per map sheet and stage, are thousands of specks. A site row
per project holds every parcel in its counts (parcels, handed over, area) and an outline covering them all,
coloured by the stage most of its parcels are at. Rebuilt with the clearance overview, in the same transaction.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The outline is the union of the convex hulls of the project's parcels on each map sheet: it covers every parcel,
# follows the project sheet by sheet, and rebuilding the largest generated project (17,000 parcels) takes ~20 ms.
REFRESH_SITES = """
CREATE FUNCTION za_refresh_clearance_sites(project_ids integer[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM clearance_sites WHERE project_id = ANY(project_ids);
  INSERT INTO clearance_sites (project_id, parcels, handed_over, area_ha, stage, geom)
  SELECT o.project_id, sum(o.parcels), coalesce(sum(o.parcels) FILTER (WHERE o.stage = 'handed_over'), 0),
         sum(o.area_ha),
         (SELECT x.stage FROM clearance_overview x WHERE x.project_id = o.project_id
           GROUP BY x.stage ORDER BY sum(x.parcels) DESC, x.stage LIMIT 1),
         (SELECT ST_Multi(ST_CollectionExtract(ST_Union(h.hull), 3))
            FROM (SELECT ST_ConvexHull(ST_Collect(y.geom)) AS hull FROM clearance_overview y
                   WHERE y.project_id = o.project_id GROUP BY y.map_sheet) h)
    FROM clearance_overview o
   WHERE o.project_id = ANY(project_ids)
   GROUP BY o.project_id;
$$
"""


def trigger_function(sites: bool) -> str:
    """The clearance trigger of migration 0006, rebuilding the sites of the touched projects too when asked."""
    truncate_sites = "DELETE FROM clearance_sites;" if sites else ""
    refresh_sites = ("PERFORM za_refresh_clearance_sites(ARRAY(SELECT DISTINCT unnest(project_ids)));"
                     if sites else "")
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
    {truncate_sites}
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM new_parcels) g;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT DISTINCT project_id, map_sheet, stage FROM old_parcels) g;
  ELSE
    SELECT array_agg(project_id), array_agg(map_sheet), array_agg(stage) INTO project_ids, sheets, stages
      FROM (SELECT project_id, map_sheet, stage FROM new_parcels
            UNION SELECT project_id, map_sheet, stage FROM old_parcels) g;
  END IF;
  PERFORM za_refresh_clearance_overview(project_ids, sheets, stages);
  {refresh_sites}
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute("""
        CREATE TABLE clearance_sites (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          project_id integer NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
          parcels integer NOT NULL,
          handed_over integer NOT NULL,
          area_ha numeric(14, 4) NOT NULL,
          stage varchar(24) NOT NULL,
          geom geometry(MultiPolygon, 3857) NOT NULL
        )
    """)
    op.execute("CREATE INDEX idx_clearance_sites_geom ON clearance_sites USING gist (geom)")
    op.execute(REFRESH_SITES)
    op.execute(trigger_function(sites=True))
    op.execute("SELECT za_refresh_clearance_sites(ARRAY(SELECT DISTINCT project_id FROM clearance_overview))")


def downgrade() -> None:
    op.execute(trigger_function(sites=False))
    op.execute("DROP FUNCTION za_refresh_clearance_sites(integer[])")
    op.execute("DROP TABLE clearance_sites")
