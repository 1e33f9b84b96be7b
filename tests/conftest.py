"""Shared fixtures: one seeded demo database (scale S, fixed clock) per test session."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE_TIME = dt.datetime(2026, 11, 20, 9, 30)


@pytest.fixture(scope="session")
def demo_data():
    from geodata import demo

    return demo.generate("S", reference_time=REFERENCE_TIME)


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory, demo_data) -> str:
    """A migrated SQLite database holding the demo street; DATABASE_URL points at it for the session."""
    path = tmp_path_factory.mktemp("db") / "jinlin-test.sqlite3"
    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    from db.migrate import upgrade_to_head
    from db.seed import write_demo

    upgrade_to_head()
    write_demo(demo_data)
    return url


@pytest.fixture()
def session(seeded_url):
    from sqlalchemy.orm import Session

    from db.engine import get_engine

    connection = get_engine().connect()
    transaction = connection.begin()
    with Session(bind=connection) as s:
        yield s
    transaction.rollback()
    connection.close()


@pytest.fixture()
def now() -> dt.datetime:
    return REFERENCE_TIME
