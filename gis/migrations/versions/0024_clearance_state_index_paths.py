"""a plot's clearance state found through indexes: the linked projects' parcels and the overlapping parcels as two
index-backed queries, not one OR that scanned every parcel for every plot (issue 18)

Migration 0022's `za_plot_clearance_state` selected the parcels that concern a plot with
`project_id IN (linked projects) OR (geom && plot AND ST_Relate(...))`: PostgreSQL cannot answer that OR from two
indexes when one side is a subquery, so it read the whole parcel table once per plot. At 200,000 parcels that was
0.2-1.6 s a plot, and the land finder over a province's 12,000 available plots took minutes. The same parcels, each
once (UNION on the parcel id), now come from the project index and from the GiST index. Same answers.

Revision ID: 0024
Revises: 0023
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

STATE = """
  SELECT CASE WHEN count(*) = 0 THEN 'no_parcels'
              WHEN count(*) FILTER (WHERE c.handed_over_on IS NULL) = 0 THEN 'handed_over'
              WHEN count(*) FILTER (WHERE c.handed_over_on IS NOT NULL) = 0 THEN 'not_handed_over'
              ELSE 'partly_handed_over' END
"""

INDEXED = f"""
CREATE OR REPLACE FUNCTION za_plot_clearance_state(p_uid text, p_geom geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- The parcels that concern a plot: those of a project linked to it, and those whose area overlaps its area
  -- (interiors intersect; touching edges do not count), each once. No parcel: nothing is known, not clean land.
{STATE}
  FROM (
    SELECT c.id, c.handed_over_on FROM clearance_parcels c
    JOIN project_plots pp ON pp.project_id = c.project_id WHERE pp.plot_uid = p_uid
    UNION
    SELECT c.id, c.handed_over_on FROM clearance_parcels c
    WHERE c.geom && p_geom AND ST_Relate(c.geom, p_geom, '2********')
  ) c
$$
"""

SCANNING = f"""
CREATE OR REPLACE FUNCTION za_plot_clearance_state(p_uid text, p_geom geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
{STATE}
  FROM clearance_parcels c
  WHERE c.project_id IN (SELECT pp.project_id FROM project_plots pp WHERE pp.plot_uid = p_uid)
     OR (c.geom && p_geom AND ST_Relate(c.geom, p_geom, '2********'))
$$
"""


def upgrade() -> None:
    """Two index-backed paths to the parcels that concern a plot."""
    op.execute(INDEXED)


def downgrade() -> None:
    """Back to the single OR of migration 0022."""
    op.execute(SCANNING)
