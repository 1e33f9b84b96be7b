"""First run: bring the schema to head and, when the database is empty, seed the demo street."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select

from db import models as m
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.seed import is_empty, write_demo
from db.users import DEMO_SCREEN_TOKEN, DEMO_USERS, is_demo, seed_demo_accounts
from geodata import demo

log = logging.getLogger(__name__)


def prepare(seed_if_empty: bool = True, scale: str = "S") -> bool:
    """Migrate; seed when empty; in demo mode make sure the demo accounts exist. True when it seeded."""
    upgrade_to_head()
    seeded = False
    if seed_if_empty and is_empty():
        log.warning("empty database: seeding demo scale %s (演示数据)", scale)
        write_demo(demo.generate(scale), progress=lambda msg: log.info("seed: %s", msg))
        seeded = True
    with session_scope() as session:
        if is_demo(session) and not session.execute(select(func.count()).select_from(m.User)).scalar():
            seed_demo_accounts(session, dt.datetime.now())
    return seeded


def demo_banner() -> str | None:
    """The demo accounts, for the start-up log; None outside demo mode."""
    with session_scope() as session:
        if not is_demo(session):
            return None
    lines = ["演示模式 demo mode — accounts for the demo data only:"]
    lines += [f"  {username:<10} {password:<22} {role}" + (f" (scope {scope})" if scope else "")
              for username, password, role, scope, _ in DEMO_USERS]
    lines.append(f"  big screen: /screen/?token={DEMO_SCREEN_TOKEN}")
    return "\n".join(lines)
