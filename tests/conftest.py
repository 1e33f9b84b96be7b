"""Shared fixtures: one seeded demo database (scale S, fixed clock) per test session."""
from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE_TIME = dt.datetime(2026, 11, 20, 9, 30)
# scripts/test.sh sets this to the admin URL of a throw-away PostGIS cluster for the second run.
PG_ADMIN = os.environ.get("JINLIN_TEST_PG", "").strip()
BACKEND = "postgresql" if PG_ADMIN else "sqlite"


def new_database_url(tmp_dir: Path, name: str) -> str:
    """An empty database of the backend under test."""
    if not PG_ADMIN:
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    from sqlalchemy import create_engine, text

    dbname = f"jinlin_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session")
def demo_data():
    from geodata import demo

    return demo.generate("S", reference_time=REFERENCE_TIME)


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory, demo_data) -> str:
    """A migrated SQLite database holding the demo street; DATABASE_URL points at it for the session."""
    url = new_database_url(tmp_path_factory.mktemp("db"), "seeded")
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
