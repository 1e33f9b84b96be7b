"""A small in-process cache for derived data, keyed by (database, kind, key, data version).

Every write bumps the data version in the database, so each worker process sees stale entries
disappear by itself: nothing needs to be shared between workers for correctness.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models as m

T = TypeVar("T")
_ENTRIES: OrderedDict = OrderedDict()
_SIZE = 1024
_LOCK = threading.Lock()
MAP_VERSION = "map"  # the one row every cache reads


def data_version(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(m.DataVersion.version), 0))).scalar())


def mark_changed(session: Session | Connection, **columns) -> None:
    """Call in the same transaction as any write that changes what the map shows.

    The version row is created (at 1) when missing: only the demo seeder used to write it, so a database made by
    `init-db` kept its caches stale after every import. An upsert rather than read-then-insert, so two first writes
    at once cannot both insert. `columns` are set as well (the seeder's note 演示数据 and its time).
    """
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(m.DataVersion).values(name=MAP_VERSION, version=1, **columns)
    session.execute(statement.on_conflict_do_update(
        index_elements=[m.DataVersion.name], set_={"version": m.DataVersion.version + 1, **columns}))


def cached(session: Session, kind: str, key: Hashable, build: Callable[[], T], version: int | None = None) -> T:
    """`build()` once per (database, kind, key, data version); later calls get the stored result."""
    if version is None:
        version = data_version(session)
    full_key = (str(session.get_bind().engine.url), kind, key, version)
    with _LOCK:
        if full_key in _ENTRIES:
            _ENTRIES.move_to_end(full_key)
            return _ENTRIES[full_key]
    value = build()
    with _LOCK:
        _ENTRIES[full_key] = value
        while len(_ENTRIES) > _SIZE:
            _ENTRIES.popitem(last=False)
    return value
