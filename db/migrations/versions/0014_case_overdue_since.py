"""case.overdue_since: the first deadline a case missed, so an escalated case stays marked overdue

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('overdue_since', sa.DateTime(), nullable=True))
    # cases escalated before: the first automatic escalation happened at the deadline they missed
    op.execute("UPDATE \"case\" SET overdue_since = (SELECT min(case_event.at) FROM case_event "
               "WHERE case_event.case_id = \"case\".id AND case_event.action = 'auto_escalate')")


def downgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.drop_column('overdue_since')
