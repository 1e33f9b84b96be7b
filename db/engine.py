"""Engine and sessions. The only place that reads DATABASE_URL."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from settings import INSTANCE_DIR


def database_url() -> str:
    """DATABASE_URL, or the embedded SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    INSTANCE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'jinlin.sqlite3'}"


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # WAL lets the web workers read while a seed or import writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "checkout")
        def _references_on(dbapi_connection, _record, _proxy):
            # a migration turns references off for its table copies (db/migrations/env.py); every use gets them on
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine() -> Engine:
    return _engine_for(database_url())


def backend_name(engine: Engine | None = None) -> str:
    return (engine or get_engine()).dialect.name


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = sessionmaker(bind=get_engine(), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
