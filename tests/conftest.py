"""Shared fixtures: one seeded demo database (scale S, fixed clock) per test session, and copies of it."""
from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the app's escalation thread (api/escalation.py) would escalate the shared demo database at the real clock behind
# the tests' backs: tests escalate themselves, at the clock they choose (servers they start inherit this too)
os.environ.setdefault("JINLIN_ESCALATE_EVERY", "0")

REFERENCE_TIME = dt.datetime(2026, 11, 20, 9, 30)
# scripts/test.sh sets this to the admin URL of a throw-away PostGIS cluster for the second run.
PG_ADMIN = os.environ.get("JINLIN_TEST_PG", "").strip()
BACKEND = "postgresql" if PG_ADMIN else "sqlite"


def pytest_collection_modifyitems(config, items):
    """Each pass of scripts/test.sh runs what its backend can change (pytest reports the rest as deselected).

    - `postgres_only`: needs a database server to stop or crash; runs in the PostGIS pass alone.
    - `backend_free`: touches no database; runs in the SQLite pass alone.
    - browser tests drive the same server code on either backend, which the repository and API tests run on both:
      the PostGIS pass runs only the browser modules marked `both_backends`, whose flows go through what differs
      (spatial lookups on intake, imports, background jobs, several workers, exports).
    """
    def once_elsewhere(item) -> bool:
        if PG_ADMIN:
            browser = "browser" in item.path.parts
            return bool(item.get_closest_marker("backend_free")
                        or (browser and not item.get_closest_marker("both_backends")))
        return bool(item.get_closest_marker("postgres_only"))

    elsewhere = [item for item in items if once_elsewhere(item)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not once_elsewhere(item)]


def new_database_url(tmp_dir: Path, name: str) -> str:
    """An empty database of the backend under test."""
    if not PG_ADMIN:
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    dbname = f"jinlin_{name}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{dbname}"')
    return _pg_url(dbname)


def _pg_url(dbname: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


def _pg_admin(*statements: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def _template_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".sqlite3") + "_template"


def _sqlite_copy(source_url: str, path: Path) -> str:
    # the backup API gives a consistent copy even while a server is reading (or writing) the source
    import sqlite3

    source, target = sqlite3.connect(source_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


def _freeze(url: str) -> None:
    """Keep the just-seeded database as the template copies start from; nobody ever connects to it."""
    if not PG_ADMIN:
        source = Path(url.removeprefix("sqlite:///"))
        _sqlite_copy(url, source.with_name(_template_of(url) + ".sqlite3"))
        return
    from db.engine import get_engine

    get_engine().dispose()  # a database with sessions on it cannot be a template
    _pg_admin(f'CREATE DATABASE "{_template_of(url)}" TEMPLATE "{url.rsplit("/", 1)[1]}"')


def copy_database(seeded: str, tmp_dir: Path, name: str) -> str:
    """A new database holding what `seeded` held right after seeding, whatever tests did to it since."""
    if not PG_ADMIN:
        template = Path(seeded.removeprefix("sqlite:///")).with_name(_template_of(seeded) + ".sqlite3")
        return _sqlite_copy(f"sqlite:///{template}", tmp_dir / (name + ".sqlite3"))
    dbname = f"jinlin_{name}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{_template_of(seeded)}"')
    return _pg_url(dbname)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database made for a test module (SQLite files go with the temporary folder)."""
    if PG_ADMIN:
        _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


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
    _freeze(url)
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


@pytest.fixture()
def own_database(seeded_url, tmp_path, monkeypatch):
    """A copy of the seeded database for one test whose work commits (several threads, an import), dropped after."""
    from db.engine import get_engine

    url = copy_database(seeded_url, tmp_path, "own")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    get_engine().dispose()
    drop_database(url)
