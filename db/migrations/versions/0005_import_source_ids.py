"""source ids of imported rows, so re-importing a file updates instead of duplicating

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('area', 'building', 'basemap_feature', 'service_point', 'volunteer_post')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('source_id', sa.String(length=100), nullable=True))
        op.create_index(op.f(f'ix_{table}_source_id'), table, ['source_id'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f'ix_{table}_source_id'), table_name=table)
        with op.batch_alter_table(table) as batch:  # SQLite drops a column by copying the table
            batch.drop_column('source_id')
