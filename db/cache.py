"""A small in-process cache for derived data, keyed by (database, name, key, versions of the kinds of data it reads).

Every write bumps the version of the kinds of data it changes, in the database, so each worker process sees stale
entries disappear by itself: nothing needs to be shared between workers for correctness. Kinds keep a case write
(the most frequent write) from making walking coverage or outlines cold: those never read cases.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

from sqlalchemy import Connection, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models as m

T = TypeVar("T")
_ENTRIES: OrderedDict = OrderedDict()
_SIZE = 1024
_LOCK = threading.Lock()
_BUILDS = {"count": 0}  # entries built since the process started: lets tests see a hit from a miss

# The kinds of data a write changes and a cache reads; each is a row of data_version.
CASES = "cases"          # cases, their trail and photos
WISHES = "wishes"        # 微心愿
GEOMETRY = "geometry"    # areas, buildings, roads and places, and the counts on them
POINTS = "points"        # service points
PEOPLE = "people"        # volunteer posts, volunteers and who holds which post
STANDARDS = "standards"  # the coverage standards (radii, walking speeds, detour)
RULES = "rules"          # the case rules (deadlines, the yellow window)
PLANNING = "planning"    # candidate sites and scenarios
KINDS = (CASES, WISHES, GEOMETRY, POINTS, PEOPLE, STANDARDS, RULES, PLANNING)
# Bumped by every write: the version of "anything" (ETags, /healthz) and the marker of a database someone prepared
# (db/bootstrap.py).
ANY = "map"
_INFO_KEY = "jinlin_read_once"
_WROTE = "jinlin_wrote"  # set once a session writes: what it builds then stays its own (it may yet roll back)


def per_session(session: Session, name: str, build: Callable[[], T]) -> T:
    """`build()` once per session and transaction (one session answers one callback or request).

    A write in the same session forgets (mark_changed), and so does the end of its transaction, so a session that
    outlives one never answers from another transaction's reads.
    """
    memo = session.info.setdefault(_INFO_KEY, {})
    if name not in memo:
        memo[name] = build()
    return memo[name]


def versions(session: Session) -> dict[str, int]:
    """{kind: version} of every kind, read once per session."""
    return per_session(session, "versions", lambda: dict(
        session.execute(select(m.DataVersion.name, m.DataVersion.version)).tuples().all()))


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        forget(session)
        session.info.pop(_WROTE, None)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_flushed_writes(session: Session, _context) -> None:
    session.info[_WROTE] = True


def data_version(session: Session, kind: str = ANY) -> int:
    """The version of one kind of data; of anything (it moves with every write) by default."""
    return int(versions(session).get(kind, 0))


def forget(session: Session | Connection) -> None:
    """Drop what this session read once (versions, settings): the next read asks the database."""
    session.info.pop(_INFO_KEY, None)


def mark_changed(session: Session | Connection, *kinds: str, **columns) -> None:
    """Call in the same transaction as any write that changes what the app shows, naming the kinds it changes.

    No kinds named: every kind (a hand-made change whose reach nobody worked out; slower, never stale).
    The version rows are created (at 1) when missing: only the demo seeder used to write them, so a database made by
    `init-db` kept its caches stale after every import. An upsert rather than read-then-insert, so two first writes
    at once cannot both insert. `columns` are set on the row of anything (the seeder's note 演示数据 and its time).
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of data {sorted(unknown)}; known: {KINDS}")
    kinds = kinds or KINDS
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for name, values in [(ANY, columns)] + [(kind, {}) for kind in sorted(set(kinds))]:
        statement = insert(m.DataVersion).values(name=name, version=1, **values)
        session.execute(statement.on_conflict_do_update(
            index_elements=[m.DataVersion.name], set_={"version": m.DataVersion.version + 1, **values}))
    forget(session)


def cached(session: Session, name: str, key: Hashable, build: Callable[[], T], reads: tuple[str, ...]) -> T:
    """`build()` once per (database, name, key, versions of the kinds it `reads`); later calls get the stored result.

    A session that has written keeps what it builds to itself: its transaction may still roll back, and an entry
    stored under the versions it bumped would outlive it and be served once another write reaches those versions.
    """
    known = versions(session)
    full_key = (str(session.get_bind().engine.url), name, key, tuple(known.get(kind, 0) for kind in reads))
    with _LOCK:
        if full_key in _ENTRIES:
            _ENTRIES.move_to_end(full_key)
            return _ENTRIES[full_key]
    value = build()
    with _LOCK:
        _BUILDS["count"] += 1
        if session.info.get(_WROTE):
            return value
        _ENTRIES[full_key] = value
        while len(_ENTRIES) > _SIZE:
            _ENTRIES.popitem(last=False)
    return value


def builds() -> int:
    """How many entries were built so far (a test files a case and sees coverage is not built again)."""
    return _BUILDS["count"]
