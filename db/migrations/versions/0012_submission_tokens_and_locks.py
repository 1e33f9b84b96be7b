"""one-time form tokens on cases and wishes (a repeated submission finds the first), and the lock rows of SQLite

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rows taken before this revision have no token: NULL is never equal to another NULL, so they stay unique
    for table in ('case', 'wish'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('client_token', sa.String(length=64), nullable=True))
            batch.create_unique_constraint(op.f(f'uq_{table}_client_token'), ['client_token'])
    op.create_table('app_lock',
                    sa.Column('name', sa.String(length=40), nullable=False),
                    sa.Column('held_at', sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_lock')))


def downgrade() -> None:
    op.drop_table('app_lock')
    for table in ('wish', 'case'):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'uq_{table}_client_token'), type_='unique')
            batch.drop_column('client_token')
