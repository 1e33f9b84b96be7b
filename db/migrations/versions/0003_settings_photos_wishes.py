"""admin settings, case photos, 微心愿

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=50), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting'))
    )
    op.create_table('case_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_photo_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_photo'))
    )
    op.create_index(op.f('ix_case_photo_case_id'), 'case_photo', ['case_id'], unique=False)
    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('wisher_name', sa.String(length=50), nullable=True),
    sa.Column('wisher_phone', sa.String(length=20), nullable=True),
    sa.Column('building_code', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('claimant', sa.String(length=100), nullable=True),
    sa.Column('claimant_kind', sa.String(length=10), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('compound_code', sa.String(length=32), nullable=True),
    sa.Column('grid_code', sa.String(length=32), nullable=True),
    sa.Column('community_code', sa.String(length=32), nullable=True),
    sa.Column('street_code', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish')),
    sa.UniqueConstraint('code', name=op.f('uq_wish_code')),
    sa.CheckConstraint("status in ('已发布', '已认领', '已完成', '已撤回')", name=op.f('ck_wish_status_known')),
    sa.CheckConstraint("claimant_kind is null or claimant_kind in ('志愿者', '报到单位')",
                       name=op.f('ck_wish_claimant_kind_known')),
    )
    for column in ('compound_code', 'grid_code', 'community_code', 'street_code', 'status'):
        op.create_index(op.f(f'ix_wish_{column}'), 'wish', [column], unique=False)


def downgrade() -> None:
    for column in ('compound_code', 'grid_code', 'community_code', 'street_code', 'status'):
        op.drop_index(op.f(f'ix_wish_{column}'), table_name='wish')
    op.drop_table('wish')
    op.drop_index(op.f('ix_case_photo_case_id'), table_name='case_photo')
    op.drop_table('case_photo')
    op.drop_table('app_setting')
