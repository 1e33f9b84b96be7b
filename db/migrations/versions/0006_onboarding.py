"""onboarding a real street: import batches that can be rolled back, generated and estimated areas, OSM walking

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('crs', sa.String(length=40), nullable=True),
        sa.Column('counts', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=50), nullable=True),
        sa.Column('rolled_back_at', sa.DateTime(), nullable=True),
        sa.Column('rolled_back_by', sa.String(length=50), nullable=True),
        sa.CheckConstraint("status in ('applied', 'rolled_back')", name=op.f('ck_import_batch_status_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch')),
    )
    op.create_table(
        'import_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=32), nullable=False),
        sa.Column('row_key', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('before', sa.Text(), nullable=True),
        sa.CheckConstraint("action in ('created', 'updated', 'deleted')", name=op.f('ck_import_change_action_known')),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_change_batch_id_import_batch')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_change')),
    )
    op.create_index(op.f('ix_import_change_batch_id'), 'import_change', ['batch_id'], unique=False)
    with op.batch_alter_table('area') as batch:
        batch.add_column(sa.Column('generated', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('estimated', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('building') as batch:
        batch.add_column(sa.Column('estimated', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('basemap_feature') as batch:
        batch.add_column(sa.Column('walk_factor', sa.Float(), nullable=True))
        batch.add_column(sa.Column('grade_separated', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('noded', sa.Boolean(), nullable=False, server_default=sa.false()))
    # every line stored so far is walkable at walking pace (the demo's roads and walkways, imported roads)
    op.execute("UPDATE basemap_feature SET walk_factor = 1.0 WHERE kind NOT IN ('park', 'school', 'market')")


def downgrade() -> None:
    with op.batch_alter_table('basemap_feature') as batch:
        batch.drop_column('noded')
        batch.drop_column('grade_separated')
        batch.drop_column('walk_factor')
    with op.batch_alter_table('building') as batch:
        batch.drop_column('estimated')
    with op.batch_alter_table('area') as batch:
        batch.drop_column('estimated')
        batch.drop_column('generated')
    op.drop_index(op.f('ix_import_change_batch_id'), table_name='import_change')
    op.drop_table('import_change')
    op.drop_table('import_batch')
