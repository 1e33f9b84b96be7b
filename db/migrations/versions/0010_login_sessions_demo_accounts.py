"""accounts: user names stored normalised, a session epoch per account, the demo's published accounts marked

Revision ID: 0010
Revises: 0013 (written beside 0012 on 0008; re-chained after main's 0013 at the merge)
Create Date: 2026-12-10
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa
from werkzeug.security import check_password_hash


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

# frozen as they are today (db/users.py): a later change there needs a migration of its own
DEMO_NOTE = '演示数据'
DEMO_PASSWORDS = {'admin': 'demo-admin-2026', 'street': 'demo-street-2026', 'community': 'demo-community-2026',
                  'grid': 'demo-grid-2026'}


EDGES = re.compile(r'^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$')


def _normalised(name: str) -> str:
    """db/users.normalise_username as of this revision: NFKC, no blank or zero-width edges, case folded."""
    return EDGES.sub('', unicodedata.normalize('NFKC', name or '')).casefold()


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT id, username, password_hash FROM app_user ORDER BY id')).all()
    seen: dict[str, list] = {}
    for row in rows:
        seen.setdefault(_normalised(row.username), []).append(row)
    clashes = {key: [r.username for r in group] for key, group in seen.items() if len(group) > 1}
    if clashes:
        # two accounts that one login name reaches: which one is meant is for a person to say, not a migration
        listed = '; '.join(f"{key!r}: {', '.join(map(repr, names))}" for key, names in clashes.items())
        raise RuntimeError('accounts whose names differ only in case, width or blanks cannot be told apart at '
                           f'login: {listed}. Rename all but one (UPDATE app_user SET username = ... WHERE id = ...) '
                           'and run the migration again.')
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('demo', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    demo_mode = conn.execute(sa.text("SELECT note FROM data_version WHERE name = 'map'")).scalar() == DEMO_NOTE
    for row in rows:
        key = _normalised(row.username)
        # the demo's accounts are the ones still holding their published password in a demo database
        demo = demo_mode and key in DEMO_PASSWORDS and check_password_hash(row.password_hash, DEMO_PASSWORDS[key])
        if key != row.username or demo:
            conn.execute(sa.text('UPDATE app_user SET username = :name, demo = :demo WHERE id = :id'),
                         {'name': key, 'demo': demo, 'id': row.id})


def downgrade() -> None:
    # the names stay normalised: the old code compares them as stored, and a normalised name still logs in
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('session_epoch')
        batch.drop_column('demo')
