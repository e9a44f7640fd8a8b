"""the offline base map: land, borders, coastline and country label points from an open data set (issue 17)

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KINDS = "('land', 'border', 'coastline', 'label')"


def upgrade() -> None:
    op.execute(f"""
        CREATE TABLE basemap_features (
          id serial PRIMARY KEY,
          kind varchar(16) NOT NULL CONSTRAINT ck_basemap_features_kind CHECK (kind IN {KINDS}),
          country varchar(2),
          countries varchar(5),
          source text NOT NULL,
          geom geometry(Geometry, 3857) NOT NULL CONSTRAINT ck_basemap_features_geom_valid CHECK (ST_IsValid(geom))
        )
    """)
    op.execute("CREATE INDEX idx_basemap_features_geom ON basemap_features USING gist (geom)")
    # a reload bumps the change counter like every layer's, so tile ETags and caches follow it
    op.execute("INSERT INTO layer_changes (table_name, version) VALUES ('basemap_features', 0)")
    op.execute(
        "CREATE TRIGGER trg_basemap_features_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON basemap_features FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE basemap_features")
    op.execute("DELETE FROM layer_changes WHERE table_name = 'basemap_features'")
