"""First run: bring the schema to head and, when the database is empty, seed the demo street."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from db import cache, models as m
from db.demo_mode import CLEAR_COMMAND
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.seed import is_empty, write_demo
from db.users import DEMO_NOTE, DEMO_SCREEN_TOKEN, DEMO_USERS, is_demo, seed_demo_accounts
from geodata import demo
from geodata.demo_words import DEMO_BANNER
import settings

log = logging.getLogger(__name__)
DATA_VERSION = cache.ANY  # the row of data_version every write bumps (db/cache.py)


def _initialised() -> bool:
    """A database someone prepared on purpose (`init-db`, an import, the demo) carries its data-version row."""
    with session_scope() as session:
        return session.get(m.DataVersion, DATA_VERSION) is not None


def prepare(seed_if_empty: bool = True, scale: str = "S") -> bool:
    """Migrate; seed a brand-new empty database; in demo mode make sure the demo accounts exist. True when it seeded.

    Only a database nobody has prepared gets the demo: after `flask --app app init-db` (no demo) the next
    `python app.py` starts on the empty database the admin asked for, ready for their own files.
    """
    upgrade_to_head()
    seeded = False
    if seed_if_empty and is_empty() and not _initialised():
        log.warning("empty database: seeding demo scale %s (%s)", scale, DEMO_NOTE)
        write_demo(demo.generate(scale, reference_time=settings.now()), progress=lambda msg: log.info("seed: %s", msg))
        seeded = True
    with session_scope() as session:
        if session.get(m.DataVersion, DATA_VERSION) is None:
            session.add(m.DataVersion(name=DATA_VERSION, version=0))
    with session_scope() as session:
        if is_demo(session) and not session.execute(select(func.count()).select_from(m.User)).scalar():
            seed_demo_accounts(session, settings.now())
    return seeded


def demo_banner() -> str | None:
    """The demo accounts, for the start-up log; None outside demo mode."""
    with session_scope() as session:
        if not is_demo(session):
            return None
    lines = [DEMO_BANNER]
    lines += [f"  {username:<10} {password:<22} {role}" + (f" (scope {scope})" if scope else "")
              for username, password, role, scope, _ in DEMO_USERS]
    lines.append(f"  big screen: /screen/?token={DEMO_SCREEN_TOKEN}")
    lines.append(f"  leave demo mode (before importing real data): {CLEAR_COMMAND}")
    return "\n".join(lines)
