"""case trail: the acting account's id beside its display name

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # events written before this revision keep only the name: which account wrote them is not known
    with op.batch_alter_table('case_event') as batch:
        batch.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_case_event_actor_id_app_user'), 'app_user', ['actor_id'], ['id'],
                                 ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('case_event') as batch:
        batch.drop_constraint(op.f('fk_case_event_actor_id_app_user'), type_='foreignkey')
        batch.drop_column('actor_id')
