"""Locks that hold across every worker and machine on one database: taken inside a transaction, let go when it ends.

PostgreSQL has advisory locks for this. SQLite has one writer at a time: the first write of a transaction waits for
the others (the busy timeout of db/engine.py) and keeps the database to itself until commit, so writing a lock row
first is the lock, for every name at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from db import models as m


def _key(kind: str, key: str) -> int:
    """A stable 64-bit lock key (Python's hash() differs between processes)."""
    digest = hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _write_lock_row(session: Session, kind: str, now: dt.datetime) -> None:
    # one row per kind, whatever the key: SQLite's write lock covers every key at once anyway
    statement = sqlite.insert(m.AppLock).values(name=kind, held_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=[m.AppLock.name], set_={"held_at": now}))


def hold(session: Session, kind: str, key: str, now: dt.datetime) -> None:
    """Wait until no other transaction holds (`kind`, `key`), then hold it until this one ends."""
    if _postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(_key(kind, key))))
    else:
        _write_lock_row(session, kind, now)


def try_hold(session: Session, kind: str, now: dt.datetime) -> bool:
    """Hold `kind` until this transaction ends, or False at once when another transaction holds it (PostgreSQL).

    On SQLite a second taker waits for the first to commit instead, and then holds it: what the first did is done
    by then, so work that reads its state after taking the lock finds nothing left to do.
    """
    if _postgresql(session):
        return bool(session.execute(select(func.pg_try_advisory_xact_lock(_key(kind, "")))).scalar())
    _write_lock_row(session, kind, now)
    return True
