"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:09:11.148449
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('crs_choices',
    sa.Column('epsg', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('epsg')
    )
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Text(), nullable=False),
    sa.Column('title_vi', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=True),
    sa.Column('date_signed', sa.Date(), nullable=False),
    sa.Column('date_effective', sa.Date(), nullable=False),
    sa.Column('authority', sa.String(length=32), nullable=False),
    sa.Column('authority_name_vi', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('plan_level', sa.String(length=16), nullable=True),
    sa.Column('horizon_year', sa.Integer(), nullable=True),
    sa.Column('vision_year', sa.Integer(), nullable=True),
    sa.Column('zone_uid', sa.String(length=64), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('illustrative', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("authority IN ('prime_minister', 'government', 'ministry', 'provincial_council', 'provincial_committee', 'management_board')", name='ck_decisions_authority'),
    sa.CheckConstraint("kind IN ('approve_plan_task', 'approve_plan', 'overall_revision', 'local_revision', 'establish_zone', 'enlarge_zone', 'regulation', 'investment_policy', 'land_recovery', 'compensation_plan', 'land_lease')", name='ck_decisions_kind'),
    sa.CheckConstraint("plan_level IS NULL OR plan_level IN ('general', 'zoning', 'detailed')", name='ck_decisions_level'),
    sa.CheckConstraint('date_effective >= date_signed', name='ck_decisions_dates'),
    sa.CheckConstraint('supersedes_id IS NULL OR supersedes_id <> id', name='ck_decisions_not_self'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['decisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index(op.f('ix_decisions_zone_uid'), 'decisions', ['zone_uid'], unique=False)
    op.create_table('gate_classes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('landuse_codes',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('group_code', sa.String(length=8), nullable=True),
    sa.Column('circular', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('layer_changes',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('table_name')
    )
    op.create_geospatial_table('logistics_centres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('operator', sa.Text(), nullable=True),
    sa.Column('planned_area_ha', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('planned', 'under_construction', 'operating')", name='ck_logistics_centres_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_geospatial_index('idx_logistics_centres_geom', 'logistics_centres', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('planning_functions',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('leasable', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name='ck_planning_functions_color'),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_geospatial_table('transport_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=True),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('length_km', sa.Numeric(precision=10, scale=3), sa.Computed('ST_Length(geom::geography) / 1000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTILINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('expressway', 'national_road', 'provincial_road', 'canal', 'river', 'railway')", name='ck_transport_lines_kind'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_transport_lines_geom_valid'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_geospatial_index('idx_transport_lines_geom', 'transport_lines', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_table('transport_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=24), server_default='operating', nullable=False),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('capacity_note', sa.Text(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('seaport', 'river_port', 'airport', 'expressway_junction')", name='ck_transport_nodes_kind'),
    sa.CheckConstraint("status IN ('planned', 'under_construction', 'operating')", name='ck_transport_nodes_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_geospatial_index('idx_transport_nodes_geom', 'transport_nodes', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_table('admin_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('merged_into', sa.String(length=32), nullable=True),
    sa.Column('tm3_epsg', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('valid_during', postgresql.DATERANGE(), sa.Computed("daterange(valid_from, valid_to, '[)')", persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    postgresql.ExcludeConstraint((sa.column('code'), '='), (sa.column('valid_during'), '&&'), using='gist', name='ex_admin_units_code'),
    sa.CheckConstraint("level IN ('province', 'district', 'commune')", name='ck_admin_units_level'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_admin_units_geom_valid'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name='ck_admin_units_valid_range'),
    sa.ForeignKeyConstraint(['tm3_epsg'], ['crs_choices.epsg'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_admin_units_geom', 'admin_units', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_table('border_gates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('gate_class', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), server_default='VN', nullable=False),
    sa.Column('counterpart_uid', sa.String(length=64), nullable=True),
    sa.Column('counterpart_name', sa.Text(), nullable=True),
    sa.Column('counterpart_country', sa.String(length=2), nullable=True),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('zone_uid', sa.String(length=64), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name='ck_border_gates_country'),
    sa.CheckConstraint("mode IN ('road', 'river', 'road_river', 'rail')", name='ck_border_gates_mode'),
    sa.ForeignKeyConstraint(['gate_class'], ['gate_classes.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_geospatial_index('idx_border_gates_geom', 'border_gates', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_border_gates_zone_uid'), 'border_gates', ['zone_uid'], unique=False)
    op.create_geospatial_table('economic_zones',
    sa.Column('zone_type', sa.String(length=16), nullable=False),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('official_area_ha', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('area_ha', sa.Numeric(precision=14, scale=4), sa.Computed('ST_Area(geom::geography) / 10000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('valid_during', postgresql.DATERANGE(), sa.Computed("daterange(valid_from, valid_to, '[)')", persisted=True), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    postgresql.ExcludeConstraint((sa.column('uid'), '='), (sa.column('valid_during'), '&&'), using='gist', name='ex_economic_zones_uid_no_overlap'),
    sa.CheckConstraint("zone_type IN ('coastal', 'border_gate', 'specialised')", name='ck_economic_zones_type'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_economic_zones_geom_valid'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name='ck_economic_zones_valid_range'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_economic_zones_geom', 'economic_zones', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_economic_zones_current', 'economic_zones', ['uid'], unique=True, postgresql_where=sa.text('valid_to IS NULL'))
    op.create_index(op.f('ix_economic_zones_decision_id'), 'economic_zones', ['decision_id'], unique=False)
    op.create_index('ix_economic_zones_valid_during', 'economic_zones', ['valid_during'], unique=False, postgresql_using='gist')
    op.create_geospatial_table('functional_areas',
    sa.Column('zone_uid', sa.String(length=64), nullable=False),
    sa.Column('area_type', sa.String(length=32), nullable=False),
    sa.Column('area_ha', sa.Numeric(precision=14, scale=4), sa.Computed('ST_Area(geom::geography) / 10000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('valid_during', postgresql.DATERANGE(), sa.Computed("daterange(valid_from, valid_to, '[)')", persisted=True), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    postgresql.ExcludeConstraint((sa.column('uid'), '='), (sa.column('valid_during'), '&&'), using='gist', name='ex_functional_areas_uid_no_overlap'),
    sa.CheckConstraint("area_type IN ('non_tariff', 'bonded', 'export_processing', 'industrial', 'logistics_port', 'gate_area', 'trade_services', 'tourism', 'urban', 'residential_resettlement', 'administrative', 'agro_forestry')", name='ck_functional_areas_type'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_functional_areas_geom_valid'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name='ck_functional_areas_valid_range'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_functional_areas_geom', 'functional_areas', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_functional_areas_current', 'functional_areas', ['uid'], unique=True, postgresql_where=sa.text('valid_to IS NULL'))
    op.create_index(op.f('ix_functional_areas_decision_id'), 'functional_areas', ['decision_id'], unique=False)
    op.create_index('ix_functional_areas_valid_during', 'functional_areas', ['valid_during'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_functional_areas_zone_uid'), 'functional_areas', ['zone_uid'], unique=False)
    op.create_geospatial_table('industrial_parks',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('park_type', sa.String(length=24), server_default='regular', nullable=False),
    sa.Column('zone_uid', sa.String(length=64), nullable=True),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('developer', sa.Text(), nullable=True),
    sa.Column('operating_from', sa.Date(), nullable=True),
    sa.Column('operating_to', sa.Date(), nullable=True),
    sa.Column('land_rent_usd_m2_min', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('land_rent_usd_m2_max', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('factory_rent_usd_m2_month', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('power_kv', sa.Integer(), nullable=True),
    sa.Column('water_m3_day', sa.Integer(), nullable=True),
    sa.Column('wastewater_m3_day', sa.Integer(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('official_area_ha', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('area_ha', sa.Numeric(precision=14, scale=4), sa.Computed('ST_Area(geom::geography) / 10000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('valid_during', postgresql.DATERANGE(), sa.Computed("daterange(valid_from, valid_to, '[)')", persisted=True), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    postgresql.ExcludeConstraint((sa.column('uid'), '='), (sa.column('valid_during'), '&&'), using='gist', name='ex_industrial_parks_uid_no_overlap'),
    sa.CheckConstraint("kind IN ('industrial_park', 'industrial_cluster')", name='ck_industrial_parks_kind'),
    sa.CheckConstraint("park_type IN ('regular', 'export_processing', 'supporting', 'eco', 'specialised', 'high_tech')", name='ck_industrial_parks_type'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_industrial_parks_geom_valid'),
    sa.CheckConstraint('land_rent_usd_m2_min IS NULL OR land_rent_usd_m2_max IS NULL OR land_rent_usd_m2_min <= land_rent_usd_m2_max', name='ck_industrial_parks_rent_range'),
    sa.CheckConstraint('operating_to IS NULL OR operating_from IS NULL OR operating_to > operating_from', name='ck_industrial_parks_term'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name='ck_industrial_parks_valid_range'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_industrial_parks_geom', 'industrial_parks', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_industrial_parks_current', 'industrial_parks', ['uid'], unique=True, postgresql_where=sa.text('valid_to IS NULL'))
    op.create_index(op.f('ix_industrial_parks_decision_id'), 'industrial_parks', ['decision_id'], unique=False)
    op.create_index('ix_industrial_parks_valid_during', 'industrial_parks', ['valid_during'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_industrial_parks_zone_uid'), 'industrial_parks', ['zone_uid'], unique=False)
    op.create_geospatial_table('land_plots',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('park_uid', sa.String(length=64), nullable=True),
    sa.Column('zone_uid', sa.String(length=64), nullable=True),
    sa.Column('planning_function', sa.String(length=32), nullable=False),
    sa.Column('landuse_code', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('land_rent_usd_m2', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('area_ha', sa.Numeric(precision=14, scale=4), sa.Computed('ST_Area(geom::geography) / 10000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('valid_during', postgresql.DATERANGE(), sa.Computed("daterange(valid_from, valid_to, '[)')", persisted=True), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    postgresql.ExcludeConstraint((sa.column('uid'), '='), (sa.column('valid_during'), '&&'), using='gist', name='ex_land_plots_uid_no_overlap'),
    sa.CheckConstraint("status IN ('available', 'reserved', 'leased', 'not_cleared')", name='ck_land_plots_status'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_land_plots_geom_valid'),
    sa.CheckConstraint('land_rent_usd_m2 IS NULL OR land_rent_usd_m2 >= 0', name='ck_land_plots_rent'),
    sa.CheckConstraint('park_uid IS NOT NULL OR zone_uid IS NOT NULL', name='ck_land_plots_parent'),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name='ck_land_plots_valid_range'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], ),
    sa.ForeignKeyConstraint(['landuse_code'], ['landuse_codes.code'], ),
    sa.ForeignKeyConstraint(['planning_function'], ['planning_functions.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_land_plots_geom', 'land_plots', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_land_plots_current', 'land_plots', ['uid'], unique=True, postgresql_where=sa.text('valid_to IS NULL'))
    op.create_index(op.f('ix_land_plots_decision_id'), 'land_plots', ['decision_id'], unique=False)
    op.create_index(op.f('ix_land_plots_park_uid'), 'land_plots', ['park_uid'], unique=False)
    op.create_index('ix_land_plots_valid_during', 'land_plots', ['valid_during'], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_land_plots_zone_uid'), 'land_plots', ['zone_uid'], unique=False)
    op.create_geospatial_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=64), nullable=False),
    sa.Column('investor', sa.Text(), nullable=False),
    sa.Column('investor_country', sa.String(length=2), nullable=True),
    sa.Column('sector', sa.Text(), nullable=False),
    sa.Column('capital_vnd', sa.Numeric(precision=20, scale=0), nullable=True),
    sa.Column('capital_usd', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('province_code', sa.String(length=32), nullable=False),
    sa.Column('zone_uid', sa.String(length=64), nullable=True),
    sa.Column('park_uid', sa.String(length=64), nullable=True),
    sa.Column('policy_decision_id', sa.Integer(), nullable=True),
    sa.Column('site_area_ha', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('policy_approved', 'irc_issued', 'under_construction', 'operating', 'terminated')", name='ck_projects_status'),
    sa.CheckConstraint('capital_usd IS NULL OR capital_usd >= 0', name='ck_projects_capital_usd'),
    sa.CheckConstraint('capital_vnd IS NULL OR capital_vnd >= 0', name='ck_projects_capital_vnd'),
    sa.ForeignKeyConstraint(['policy_decision_id'], ['decisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_geospatial_index('idx_projects_geom', 'projects', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_projects_park_uid'), 'projects', ['park_uid'], unique=False)
    op.create_index(op.f('ix_projects_zone_uid'), 'projects', ['zone_uid'], unique=False)
    op.create_geospatial_table('clearance_parcels',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('parcel_no', sa.String(length=16), nullable=False),
    sa.Column('map_sheet', sa.String(length=16), nullable=False),
    sa.Column('commune_code', sa.String(length=32), nullable=True),
    sa.Column('landuse_code', sa.String(length=8), nullable=True),
    sa.Column('owner_name', sa.Text(), nullable=True),
    sa.Column('households_affected', sa.Integer(), server_default='0', nullable=False),
    sa.Column('households_to_resettle', sa.Integer(), server_default='0', nullable=False),
    sa.Column('compensation_approved_vnd', sa.Numeric(precision=18, scale=0), nullable=True),
    sa.Column('compensation_paid_vnd', sa.Numeric(precision=18, scale=0), nullable=True),
    sa.Column('notice_issued_on', sa.Date(), nullable=True),
    sa.Column('inventoried_on', sa.Date(), nullable=True),
    sa.Column('plan_approved_on', sa.Date(), nullable=True),
    sa.Column('compensation_paid_on', sa.Date(), nullable=True),
    sa.Column('handed_over_on', sa.Date(), nullable=True),
    sa.Column('enforcement_on', sa.Date(), nullable=True),
    sa.Column('stage', sa.String(length=24), sa.Computed("CASE WHEN handed_over_on IS NOT NULL THEN 'handed_over' WHEN compensation_paid_on IS NOT NULL THEN 'compensation_paid' WHEN plan_approved_on IS NOT NULL THEN 'plan_approved' WHEN inventoried_on IS NOT NULL THEN 'inventoried' WHEN notice_issued_on IS NOT NULL THEN 'notice_issued' ELSE 'not_started' END", persisted=True), nullable=True),
    sa.Column('area_ha', sa.Numeric(precision=14, scale=4), sa.Computed('ST_Area(geom::geography) / 10000.0', persisted=True), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('geometry_illustrative', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint('(notice_issued_on IS NULL OR inventoried_on IS NULL OR notice_issued_on <= inventoried_on) AND (inventoried_on IS NULL OR plan_approved_on IS NULL OR inventoried_on <= plan_approved_on) AND (plan_approved_on IS NULL OR compensation_paid_on IS NULL OR plan_approved_on <= compensation_paid_on) AND (compensation_paid_on IS NULL OR handed_over_on IS NULL OR compensation_paid_on <= handed_over_on)', name='ck_clearance_parcels_stage_order'),
    sa.CheckConstraint('compensation_paid_vnd IS NULL OR compensation_paid_vnd >= 0', name='ck_clearance_parcels_paid'),
    sa.CheckConstraint('geom IS NULL OR ST_IsValid(geom)', name='ck_clearance_parcels_geom_valid'),
    sa.CheckConstraint('households_to_resettle >= 0 AND households_affected >= households_to_resettle', name='ck_clearance_parcels_households'),
    sa.ForeignKeyConstraint(['landuse_code'], ['landuse_codes.code'], ),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'map_sheet', 'parcel_no', name='uq_clearance_parcels_number')
    )
    op.create_geospatial_index('idx_clearance_parcels_geom', 'clearance_parcels', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_clearance_parcels_project_stage', 'clearance_parcels', ['project_id', 'stage'], unique=False)
    op.create_table('project_milestones',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=24), nullable=False),
    sa.Column('committed_on', sa.Date(), nullable=True),
    sa.Column('actual_on', sa.Date(), nullable=True),
    sa.CheckConstraint("milestone IN ('policy_approved', 'irc_issued', 'land_handover', 'construction_start', 'operation_start')", name='ck_project_milestones_milestone'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'milestone')
    )
    op.create_table('project_plots',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('plot_uid', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'plot_uid')
    )
    op.create_index('ix_project_plots_plot_uid', 'project_plots', ['plot_uid'], unique=False)
    op.create_table('project_year_figures',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('revenue_vnd', sa.Numeric(precision=20, scale=0), nullable=True),
    sa.Column('exports_usd', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('workers_domestic', sa.Integer(), nullable=True),
    sa.Column('workers_foreign', sa.Integer(), nullable=True),
    sa.CheckConstraint('coalesce(workers_domestic, 0) >= 0 AND coalesce(workers_foreign, 0) >= 0', name='ck_project_year_figures_workers'),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name='ck_project_year_figures_year'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'year')
    )
    _create_change_tracking()


def downgrade() -> None:
    for table in TRACKED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS zoneatlas_bump_layer_version()")
    op.drop_table('project_year_figures')
    op.drop_index('ix_project_plots_plot_uid', table_name='project_plots')
    op.drop_table('project_plots')
    op.drop_table('project_milestones')
    op.drop_index('ix_clearance_parcels_project_stage', table_name='clearance_parcels')
    op.drop_geospatial_index('idx_clearance_parcels_geom', table_name='clearance_parcels', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('clearance_parcels')
    op.drop_index(op.f('ix_projects_zone_uid'), table_name='projects')
    op.drop_index(op.f('ix_projects_park_uid'), table_name='projects')
    op.drop_geospatial_index('idx_projects_geom', table_name='projects', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('projects')
    op.drop_index(op.f('ix_land_plots_zone_uid'), table_name='land_plots')
    op.drop_index('ix_land_plots_valid_during', table_name='land_plots', postgresql_using='gist')
    op.drop_index(op.f('ix_land_plots_park_uid'), table_name='land_plots')
    op.drop_index(op.f('ix_land_plots_decision_id'), table_name='land_plots')
    op.drop_index('ix_land_plots_current', table_name='land_plots', postgresql_where=sa.text('valid_to IS NULL'))
    op.drop_geospatial_index('idx_land_plots_geom', table_name='land_plots', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('land_plots')
    op.drop_index(op.f('ix_industrial_parks_zone_uid'), table_name='industrial_parks')
    op.drop_index('ix_industrial_parks_valid_during', table_name='industrial_parks', postgresql_using='gist')
    op.drop_index(op.f('ix_industrial_parks_decision_id'), table_name='industrial_parks')
    op.drop_index('ix_industrial_parks_current', table_name='industrial_parks', postgresql_where=sa.text('valid_to IS NULL'))
    op.drop_geospatial_index('idx_industrial_parks_geom', table_name='industrial_parks', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('industrial_parks')
    op.drop_index(op.f('ix_functional_areas_zone_uid'), table_name='functional_areas')
    op.drop_index('ix_functional_areas_valid_during', table_name='functional_areas', postgresql_using='gist')
    op.drop_index(op.f('ix_functional_areas_decision_id'), table_name='functional_areas')
    op.drop_index('ix_functional_areas_current', table_name='functional_areas', postgresql_where=sa.text('valid_to IS NULL'))
    op.drop_geospatial_index('idx_functional_areas_geom', table_name='functional_areas', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('functional_areas')
    op.drop_index('ix_economic_zones_valid_during', table_name='economic_zones', postgresql_using='gist')
    op.drop_index(op.f('ix_economic_zones_decision_id'), table_name='economic_zones')
    op.drop_index('ix_economic_zones_current', table_name='economic_zones', postgresql_where=sa.text('valid_to IS NULL'))
    op.drop_geospatial_index('idx_economic_zones_geom', table_name='economic_zones', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('economic_zones')
    op.drop_index(op.f('ix_border_gates_zone_uid'), table_name='border_gates')
    op.drop_geospatial_index('idx_border_gates_geom', table_name='border_gates', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('border_gates')
    op.drop_geospatial_index('idx_admin_units_geom', table_name='admin_units', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('admin_units')
    op.drop_geospatial_index('idx_transport_nodes_geom', table_name='transport_nodes', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('transport_nodes')
    op.drop_geospatial_index('idx_transport_lines_geom', table_name='transport_lines', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('transport_lines')
    op.drop_table('planning_functions')
    op.drop_geospatial_index('idx_logistics_centres_geom', table_name='logistics_centres', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('logistics_centres')
    op.drop_table('layer_changes')
    op.drop_table('landuse_codes')
    op.drop_table('gate_classes')
    op.drop_index(op.f('ix_decisions_zone_uid'), table_name='decisions')
    op.drop_table('decisions')
    op.drop_table('crs_choices')


TRACKED_TABLES = [
    "economic_zones", "functional_areas", "industrial_parks", "land_plots", "border_gates",
    "logistics_centres", "transport_nodes", "transport_lines", "projects", "clearance_parcels",
    "decisions", "admin_units",
]


def _create_change_tracking() -> None:
    """Bump layer_changes.version once per statement that writes a tracked table (ETags, tile caches)."""
    op.execute(
        """
        CREATE FUNCTION zoneatlas_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO layer_changes (table_name, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
          ON CONFLICT (table_name) DO UPDATE
            SET version = layer_changes.version + 1, changed_at = now();
          RETURN NULL;
        END $$
        """
    )
    for table in TRACKED_TABLES:
        op.execute(f"INSERT INTO layer_changes (table_name, version) VALUES ('{table}', 0)")
        op.execute(
            f"CREATE TRIGGER trg_{table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION zoneatlas_bump_layer_version()"
        )

