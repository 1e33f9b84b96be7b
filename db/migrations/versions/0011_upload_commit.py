"""upload_commit: the token of every committed upload, so one upload imports once

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('upload_commit',
                    sa.Column('token', sa.String(length=32), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('committed_at', sa.DateTime(), nullable=False),
                    sa.Column('committed_by', sa.String(length=50), nullable=True),
                    sa.PrimaryKeyConstraint('token', name=op.f('pk_upload_commit')))


def downgrade() -> None:
    op.drop_table('upload_commit')
