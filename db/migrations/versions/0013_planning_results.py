"""planning: results kept on the server under a token, and the account that saved a scenario

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planning_result',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('service_type', sa.String(length=20), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_planning_result'))
    )
    op.create_index(op.f('ix_planning_result_created_at'), 'planning_result', ['created_at'], unique=False)
    with op.batch_alter_table('planning_scenario') as batch:
        batch.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_planning_scenario_created_by_id_app_user'), 'app_user', ['created_by_id'],
                                 ['id'], ondelete='SET NULL')
    # scenarios saved before kept only the user name: the account of that name (if it still exists) is their author
    op.execute("UPDATE planning_scenario SET created_by_id = "
               "(SELECT app_user.id FROM app_user WHERE app_user.username = planning_scenario.created_by)")


def downgrade() -> None:
    with op.batch_alter_table('planning_scenario') as batch:
        batch.drop_constraint(op.f('fk_planning_scenario_created_by_id_app_user'), type_='foreignkey')
        batch.drop_column('created_by_id')
    op.drop_index(op.f('ix_planning_result_created_at'), table_name='planning_result')
    op.drop_table('planning_result')
