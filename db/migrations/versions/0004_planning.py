"""planning: candidate sites and saved scenarios

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planning_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=50), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_candidate'))
    )
    op.create_index(op.f('ix_planning_candidate_street_code'), 'planning_candidate', ['street_code'], unique=False)
    op.create_table('planning_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('service_type', sa.String(length=20), nullable=False),
    sa.Column('objective', sa.String(length=20), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_scenario')),
    sa.UniqueConstraint('street_code', 'name', name=op.f('uq_planning_scenario_street_code_name'))
    )
    op.create_index(op.f('ix_planning_scenario_street_code'), 'planning_scenario', ['street_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_planning_scenario_street_code'), table_name='planning_scenario')
    op.drop_table('planning_scenario')
    op.drop_index(op.f('ix_planning_candidate_street_code'), table_name='planning_candidate')
    op.drop_table('planning_candidate')
