"""check constraints on a case's status, ladder level, source and satisfaction

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

# the words of workflow.vocab as they are today (db/models.py generates the same text from them); a later change
# to the vocabulary needs a migration of its own. Categories are data (the list may grow) and stay unchecked.
CHECKS = {
    'status_known': "status in ('待受理', '已受理', '已派单', '处置中', '已办结', '已回访', '已关闭', '退回', '重复')",
    'level_known': "level in ('小区', '网格', '社区', '街道')",
    'source_known': "source in ('网格巡查', '居民上报', '12345', '微心愿')",
    'satisfaction_known': "satisfaction is null or satisfaction in ('满意', '基本满意', '不满意')",
}


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name in reversed(CHECKS):
            batch_op.drop_constraint(name, type_='check')
