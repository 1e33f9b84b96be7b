"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


POINT_TABLES = ("case", "service_point", "volunteer_post")
SHAPE_TABLES = ("area", "building", "basemap_feature")


def _postgis() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _geometry():
    """PostGIS geometry on PostgreSQL; WKB bytes on SQLite (shapely does the spatial work there)."""
    if _postgis():
        return geoalchemy2.Geometry(srid=4326, spatial_index=False)
    return sa.LargeBinary()


def upgrade() -> None:
    if _postgis():
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('scope_code', sa.String(length=32), nullable=True),
    sa.Column('display_name', sa.String(length=50), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('area',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_code', sa.String(length=32), nullable=True),
    sa.Column('era', sa.String(length=16), nullable=True),
    sa.Column('leader_name', sa.String(length=50), nullable=True),
    sa.Column('leader_phone', sa.String(length=20), nullable=True),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('elderly', sa.Integer(), nullable=False),
    sa.Column('party_members', sa.Integer(), nullable=False),
    sa.Column('buildings', sa.Integer(), nullable=False),
    sa.Column('geometry', _geometry(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.CheckConstraint("level in ('street', 'community', 'grid', 'compound')", name=op.f('ck_area_level_known')),
    sa.ForeignKeyConstraint(['parent_code'], ['area.code'], name=op.f('fk_area_parent_code_area')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_area'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_area_parent_code'), ['parent_code'], unique=False)

    op.create_table('basemap_feature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('geometry', _geometry(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basemap_feature'))
    )
    with op.batch_alter_table('basemap_feature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basemap_feature_street_code'), ['street_code'], unique=False)

    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reporter_name', sa.String(length=50), nullable=True),
    sa.Column('reporter_phone', sa.String(length=20), nullable=True),
    sa.Column('building_code', sa.String(length=40), nullable=True),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('assignee', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('satisfaction', sa.String(length=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('compound_code', sa.String(length=32), nullable=True),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('community_code', sa.String(length=32), nullable=True),
    sa.Column('street_code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('code', name=op.f('uq_case_code'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_building_code'), ['building_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_community_code'), ['community_code'], unique=False)
        batch_op.create_index('ix_case_community_status', ['community_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_compound_code'), ['compound_code'], unique=False)
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_street_code'), ['street_code'], unique=False)
        batch_op.create_index('ix_case_street_status', ['street_code', 'status'], unique=False)

    op.create_table('data_version',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seeded_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_version'))
    )
    op.create_table('service_point',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('service_type', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('hours', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('compound_code', sa.String(length=32), nullable=True),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('community_code', sa.String(length=32), nullable=True),
    sa.Column('street_code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_service_point'))
    )
    with op.batch_alter_table('service_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_point_community_code'), ['community_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_compound_code'), ['compound_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_service_type'), ['service_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_point_street_code'), ['street_code'], unique=False)

    op.create_table('volunteer_post',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('post_type', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('slots_required', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=100), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('compound_code', sa.String(length=32), nullable=True),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('community_code', sa.String(length=32), nullable=True),
    sa.Column('street_code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_volunteer_post'))
    )
    with op.batch_alter_table('volunteer_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_post_community_code'), ['community_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_post_compound_code'), ['compound_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_post_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_post_street_code'), ['street_code'], unique=False)

    op.create_table('building',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('compound_code', sa.String(length=32), nullable=False),
    sa.Column('grid_code', sa.String(length=32), nullable=False),
    sa.Column('community_code', sa.String(length=32), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('floors', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('elderly', sa.Integer(), nullable=False),
    sa.Column('party_members', sa.Integer(), nullable=False),
    sa.Column('built_year', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('geometry', _geometry(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['compound_code'], ['area.code'], name=op.f('fk_building_compound_code_area')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_building'))
    )
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_community_code'), ['community_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_compound_code'), ['compound_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_grid_code'), ['grid_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_street_code'), ['street_code'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=8), nullable=True),
    sa.Column('to_status', sa.String(length=8), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_event_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('home_building_code', sa.String(length=40), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['home_building_code'], ['building.code'], name=op.f('fk_volunteer_home_building_code_building')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer'))
    )
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_home_building_code'), ['home_building_code'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('post_code', sa.String(length=40), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['post_code'], ['volunteer_post.code'], name=op.f('fk_assignment_post_code_volunteer_post')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_assignment_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_post_code'), ['post_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('service_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('post_code', sa.String(length=40), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['post_code'], ['volunteer_post.code'], name=op.f('fk_service_record_post_code_volunteer_post')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_service_record_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_record'))
    )
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_record_volunteer_id'), ['volunteer_id'], unique=False)


    if _postgis():
        for table in SHAPE_TABLES:
            op.create_index(f"ix_{table}_geometry", table, ["geometry"], postgresql_using="gist")
        # Points keep lon/lat columns on every backend; PostGIS gets a derived, indexed geometry for KNN.
        for table in POINT_TABLES:
            op.execute(f'ALTER TABLE "{table}" ADD COLUMN geom geometry(Point, 4326) '
                       f"GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED")
            op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")

def downgrade() -> None:
    with op.batch_alter_table('service_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_record_volunteer_id'))

    op.drop_table('service_record')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_post_code'))

    op.drop_table('assignment')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_home_building_code'))

    op.drop_table('volunteer')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_street_code'))
        batch_op.drop_index(batch_op.f('ix_building_grid_code'))
        batch_op.drop_index(batch_op.f('ix_building_compound_code'))
        batch_op.drop_index(batch_op.f('ix_building_community_code'))

    op.drop_table('building')
    with op.batch_alter_table('volunteer_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_post_street_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_post_grid_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_post_compound_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_post_community_code'))

    op.drop_table('volunteer_post')
    with op.batch_alter_table('service_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_point_street_code'))
        batch_op.drop_index(batch_op.f('ix_service_point_service_type'))
        batch_op.drop_index(batch_op.f('ix_service_point_grid_code'))
        batch_op.drop_index(batch_op.f('ix_service_point_compound_code'))
        batch_op.drop_index(batch_op.f('ix_service_point_community_code'))

    op.drop_table('service_point')
    op.drop_table('data_version')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_street_status')
        batch_op.drop_index(batch_op.f('ix_case_street_code'))
        batch_op.drop_index(batch_op.f('ix_case_grid_code'))
        batch_op.drop_index('ix_case_created')
        batch_op.drop_index(batch_op.f('ix_case_compound_code'))
        batch_op.drop_index('ix_case_community_status')
        batch_op.drop_index(batch_op.f('ix_case_community_code'))
        batch_op.drop_index(batch_op.f('ix_case_building_code'))

    op.drop_table('case')
    with op.batch_alter_table('basemap_feature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basemap_feature_street_code'))

    op.drop_table('basemap_feature')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_parent_code'))
        batch_op.drop_index(batch_op.f('ix_area_level'))

    op.drop_table('area')
    op.drop_table('app_user')
