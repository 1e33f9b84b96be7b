"""Import batches: every row an import creates, updates or deletes is recorded, so the batch can be listed and undone.

A change keeps the row as it was before the batch (JSON; geometry as WKB hex), so an undo restores it exactly. Only
the first image of a row in a batch is kept: that is the row as it stood before the batch began.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import shapely
from sqlalchemy import Table, bindparam, delete, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import Date, DateTime

from db import cache, models as m
from geodata import codes
from geodata.importing.errors import ImportRefused
from workflow.refusal import Refused
import settings

TABLES: dict[str, Table] = {t.name: t for t in (m.Area.__table__, m.Building.__table__, m.ServicePoint.__table__,
                                                m.VolunteerPost.__table__, m.BasemapFeature.__table__)}
KEYS = {"basemap_feature": "id"}  # every other table is keyed by its code
# what sums and estimates change on areas and buildings (an import's own rows are kept whole)
AREA_COUNTS = ("buildings", "households", "residents", "elderly", "party_members", "estimated")
BUILDING_COUNTS = ("households", "residents", "elderly", "estimated")
CHUNK = 2000
SHOWN = 5  # dependants named in a refusal


@dataclass(frozen=True)
class Origin:
    """Where a batch comes from: the file, who ran it and when."""

    file_name: str | None = None
    user: str | None = None
    now: dt.datetime = field(default_factory=settings.now)


def _key_column(table: str):
    return TABLES[table].c[KEYS.get(table, "code")]


def _typed_key(table: str, key: str):
    return int(key) if table in KEYS else key


def _encode(table: str, row) -> dict:
    out = {}
    for name, value in row.items():
        if isinstance(value, shapely.Geometry):
            value = shapely.to_wkb(value, hex=True)
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        out[name] = value
    return out


def _decode(table: str, image: dict) -> dict:
    columns = TABLES[table].c
    out = {}
    for name, value in image.items():
        kind = columns[name].type
        if value is not None:
            if isinstance(kind, m.Geometry):
                value = shapely.from_wkb(value)
            elif isinstance(kind, DateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def _rows(session: Session, table: str, keys: list, columns=None) -> dict[str, dict]:
    """The rows of `table` with these keys, encoded, by key (as text)."""
    t = TABLES[table]
    key_col = _key_column(table)
    cols = [t.c[c] for c in columns] if columns else list(t.c)
    if key_col not in cols:
        cols = [key_col, *cols]
    found = {}
    keys = [_typed_key(table, str(k)) for k in keys]
    for start in range(0, len(keys), CHUNK):
        for row in session.execute(select(*cols).where(key_col.in_(keys[start:start + CHUNK]))).mappings():
            found[str(row[key_col.name])] = _encode(table, row)
    return found


def _recorded(session: Session, batch_id: int, table: str) -> set[str]:
    return set(session.execute(select(m.ImportChange.row_key).where(m.ImportChange.batch_id == batch_id,
                                                                     m.ImportChange.table_name == table)).scalars())


def _write_changes(session: Session, batch_id: int, table: str, action: str, images: dict[str, dict | None]) -> None:
    seen = _recorded(session, batch_id, table)
    rows = [{"batch_id": batch_id, "table_name": table, "row_key": key, "action": action,
             "before": None if image is None else json.dumps(image, ensure_ascii=False)}
            for key, image in images.items() if key not in seen]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(m.ImportChange), rows[start:start + CHUNK])


class UploadUsed(Refused):
    """The upload was committed already, or is being committed in another request right now."""


def consume_upload(session: Session, token: str, kind: str, user: str | None, now: dt.datetime) -> None:
    """Claim an uploaded file for this commit, in the caller's transaction; UploadUsed if it is claimed already.

    Call it first in the transaction that writes the import: a second commit of the same upload then waits on the
    first one's row (PostgreSQL's unique index, SQLite's write lock) and is refused once that one commits; if the
    first rolls back, its claim goes with it and the second goes ahead.
    """
    try:
        with session.begin_nested():
            session.execute(insert(m.UploadCommit).values(token=token, kind=kind[:20],
                                                          committed_at=now.replace(microsecond=0),
                                                          committed_by=(user or None) and user[:50]))
    except IntegrityError:
        raise UploadUsed("upload_used") from None


def record_batch(session: Session, kind: str, origin: Origin, crs: str | None = None) -> int:
    """A new applied batch; its changes are recorded by the record_* functions below, in the same transaction."""
    batch = m.ImportBatch(kind=kind, file_name=(origin.file_name or None) and origin.file_name[:200], crs=crs,
                          counts="{}", status="applied", created_at=origin.now.replace(microsecond=0),
                          created_by=(origin.user or None) and origin.user[:50])
    session.add(batch)
    session.flush()
    return batch.id


def record_counts(session: Session, batch_id: int, counts: dict) -> None:
    """Add `counts` to the batch's counts (one batch may take several layers, e.g. a whole street from OSM)."""
    batch = session.get(m.ImportBatch, batch_id)
    total = json.loads(batch.counts or "{}")
    for k, v in counts.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total[k] = total.get(k, 0) + v
    batch.counts = json.dumps(total, ensure_ascii=False)
    session.flush()


def record_created(session: Session, batch_id: int, table: str, keys) -> None:
    _write_changes(session, batch_id, table, "created", {str(k): None for k in keys})


def record_before(session: Session, batch_id: int, table: str, keys, action: str) -> None:
    """Call before updating or deleting these rows: keeps each as it is now."""
    _write_changes(session, batch_id, table, action, _rows(session, table, list(keys)))


def capture(session: Session, table: str, where, columns=None) -> dict[str, dict]:
    """Rows matching `where` as they are now, before a write whose targets are known only afterwards."""
    t = TABLES[table]
    key_col = _key_column(table)
    cols = [t.c[c] for c in columns] if columns else list(t.c)
    if key_col not in cols:
        cols = [key_col, *cols]
    return {str(row[key_col.name]): _encode(table, row) for row in session.execute(select(*cols).where(where))
            .mappings()}


def capture_unnamed(session: Session, kind: str, rows: list[dict], drops: list[str]) -> list[tuple[str, dict]]:
    """Before an import writes: the rows its later steps may change without naming them, as they are now.

    A buildings import sums the counts of its streets' areas again (and estimates households where a file has none);
    a grid import moves the compounds of its communities, with their buildings, to the grid they overlap most.
    The first image of a row wins, so full rows come before the count columns of the same rows.
    """
    found: list[tuple[str, dict]] = []
    if kind == "grids":
        communities = sorted({r["parent_code"] for r in rows})
        found += [("area", capture(session, "area", or_(false(), *[m.Area.code.like(f"{codes.compound_prefix(c)}%") for c in communities]))),
                  ("building", capture(session, "building", or_(false(), *[m.Building.compound_code.like(f"{codes.compound_prefix(c)}%")
                                                                           for c in communities])))]
        streets = {codes.street_of(c) for c in communities}
    elif kind == "buildings":
        streets = {r["street_code"] for r in rows} | {codes.street_of(c) for c in drops}
    else:
        return found
    for street in sorted(streets):
        found.append(("area", capture(session, "area", m.Area.code.like(f"{street}%"), AREA_COUNTS)))
        found.append(("building", capture(session, "building", m.Building.street_code == street, BUILDING_COUNTS)))
    return found


def record_plan(session: Session, batch_id: int, table: str, street_new: dict | None, updates: list[dict],
                drops: list[str]) -> None:
    """Before the writes of a plan: the street it creates, the rows it updates and the buildings it replaces."""
    if street_new:
        record_created(session, batch_id, "area", [street_new["code"]])
    if drops:
        record_before(session, batch_id, "building", drops, "deleted")
    if updates:
        record_before(session, batch_id, table, [r[KEYS.get(table, "code")] for r in updates], "updated")


def insert_keyed(session: Session, model, rows: list[dict]) -> list:
    """Insert rows and return their keys (ids the database assigns come back through RETURNING)."""
    if model.__tablename__ in KEYS:
        return list(session.execute(insert(model).returning(model.id), rows).scalars())
    session.execute(insert(model), rows)
    return [r["code"] for r in rows]


def record_unnamed(session: Session, batch_id: int, captured: list[tuple[str, dict]]) -> None:
    """After the writes: of the rows capture_unnamed kept, record those that differ now."""
    for table, rows in captured:
        record_changed(session, batch_id, table, rows)


def record_changed(session: Session, batch_id: int, table: str, captured: dict[str, dict]) -> int:
    """Of the rows captured earlier, record those that differ now (their captured image is the before)."""
    if not captured:
        return 0
    columns = list(next(iter(captured.values())))
    now = _rows(session, table, list(captured), columns)
    changed = {k: image for k, image in captured.items() if now.get(k) != image}
    _write_changes(session, batch_id, table, "updated", changed)
    return len(changed)


def list_batches(session: Session) -> list[dict]:
    """Every batch, newest first, with its counts and how many rows it changed."""
    changes = dict(session.execute(select(m.ImportChange.batch_id, func.count()).group_by(m.ImportChange.batch_id))
                   .all())
    rows = session.execute(select(m.ImportBatch).order_by(m.ImportBatch.id.desc())).scalars()
    return [{"id": b.id, "kind": b.kind, "file_name": b.file_name, "crs": b.crs, "counts": json.loads(b.counts or "{}"),
             "status": b.status, "created_at": b.created_at, "created_by": b.created_by,
             "rolled_back_at": b.rolled_back_at, "rolled_back_by": b.rolled_back_by,
             "changes": int(changes.get(b.id, 0))} for b in rows]


def _changes(session: Session, batch_id: int) -> list[m.ImportChange]:
    return list(session.execute(select(m.ImportChange).where(m.ImportChange.batch_id == batch_id)
                                .order_by(m.ImportChange.id)).scalars())


def _later_conflicts(session: Session, batch_id: int, changes: list[m.ImportChange]) -> list[int]:
    """Applied batches after this one that changed a row this one changed (they must be undone first)."""
    by_table: dict[str, list[str]] = {}
    for c in changes:
        by_table.setdefault(c.table_name, []).append(c.row_key)
    later = set()
    for table, keys in by_table.items():
        for start in range(0, len(keys), CHUNK):
            later.update(session.execute(
                select(m.ImportChange.batch_id).join(m.ImportBatch, m.ImportBatch.id == m.ImportChange.batch_id)
                .where(m.ImportBatch.status == "applied", m.ImportChange.batch_id > batch_id,
                       m.ImportChange.table_name == table, m.ImportChange.row_key.in_(keys[start:start + CHUNK])))
                .scalars())
    return sorted(later, reverse=True)


def _count_and_name(session: Session, column, key_column, values: list, exclude: set[str] | None = None):
    """How many rows have `column` in `values` (minus keys in `exclude`), and the first few of their keys."""
    found: list[str] = []
    for start in range(0, len(values), CHUNK):
        found += [str(k) for k in session.execute(select(key_column).where(column.in_(values[start:start + CHUNK])))
                  .scalars() if exclude is None or str(k) not in exclude]
    return len(found), sorted(set(found))[:SHOWN]


def _dependants(session: Session, created: dict[str, set[str]]) -> dict[str, dict]:
    """What now depends on a row this batch created: cases, wishes, volunteers, assignments, and rows of others."""
    found: dict[str, dict] = {}

    def add(what, column, key_column, values, exclude=None):
        if not values:
            return
        n, names = _count_and_name(session, column, key_column, sorted(values), exclude)
        if n:
            entry = found.setdefault(what, {"count": 0, "examples": []})
            entry["count"] += n
            entry["examples"] = sorted(set(entry["examples"]) | set(names))[:SHOWN]

    buildings, areas, posts = created.get("building", set()), created.get("area", set()), \
        created.get("volunteer_post", set())
    add("cases", m.Case.building_code, m.Case.code, buildings)
    add("wishes", m.Wish.building_code, m.Wish.code, buildings)
    add("volunteers", m.Volunteer.home_building_code, m.Volunteer.id, buildings)
    add("assignments", m.Assignment.post_code, m.Assignment.id, posts)
    add("assignments", m.ServiceRecord.post_code, m.ServiceRecord.id, posts)
    for level in ("compound_code", "grid_code", "community_code", "street_code"):
        add("cases", getattr(m.Case, level), m.Case.code, areas)
        add("wishes", getattr(m.Wish, level), m.Wish.code, areas)
        add("buildings", getattr(m.Building, level), m.Building.code, areas, buildings)
        add("service_points", getattr(m.ServicePoint, level), m.ServicePoint.code, areas,
            created.get("service_point", set()))
        add("posts", getattr(m.VolunteerPost, level), m.VolunteerPost.code, areas, posts)
    add("areas", m.Area.parent_code, m.Area.code, areas, areas)
    return found


def rollback_batch(session: Session, batch_id: int, user: str | None, now: dt.datetime) -> dict:
    """Undo one batch in the session's transaction: created rows removed, updated and deleted rows restored, the
    data version bumped. ImportRefused (nothing written) when it cannot be undone.

    The counts on the areas come back from their images too: the import recorded every area its roll-up changed.
    Summing them again here instead would lose what a file said for areas without buildings, and a later batch that
    changed the same counts makes this one wait (it is "a later batch that changed the same rows").
    """
    batch = session.get(m.ImportBatch, batch_id)
    if batch is None:
        raise ImportRefused("no_batch", f"there is no import batch {batch_id}", batch=batch_id)
    if batch.status == "rolled_back":
        raise ImportRefused("already_rolled_back", f"batch {batch_id} was already rolled back "
                            f"({batch.rolled_back_at:%Y-%m-%d %H:%M} by {batch.rolled_back_by or '-'})",
                            batch=batch_id, at=f"{batch.rolled_back_at:%Y-%m-%d %H:%M}",
                            by=batch.rolled_back_by or "-")
    changes = _changes(session, batch_id)
    later = _later_conflicts(session, batch_id, changes)
    if later:
        raise ImportRefused("later_batch", f"batch {later[0]} changed rows of batch {batch_id} later: roll back "
                            f"{', '.join(map(str, later))} first", batch=batch_id, first=later[0],
                            later=tuple(f"#{b}" for b in later))
    created: dict[str, set[str]] = {}
    images: dict[str, dict[str, dict]] = {}
    for c in changes:
        if c.action == "created":
            created.setdefault(c.table_name, set()).add(c.row_key)
        else:
            images.setdefault(c.table_name, {})[c.row_key] = (c.action, json.loads(c.before))
    depends = _dependants(session, created)
    if depends:
        named = "; ".join(f"{what}: {d['count']} ({', '.join(d['examples'])})" for what, d in depends.items())
        raise ImportRefused("in_use", f"rows created by batch {batch_id} are in use: {named}", batch=batch_id,
                            depends=depends)

    # rows of other tables first (buildings hang off compounds), areas last, children before parents
    order = ["volunteer_post", "service_point", "basemap_feature", "building"]
    for table in order:
        _restore(session, table, images.get(table, {}), "updated")
        _remove(session, table, created.get(table, set()))
        _restore(session, table, images.get(table, {}), "deleted")
    _restore(session, "area", images.get("area", {}), "updated")
    for code in sorted(created.get("area", set()), key=lambda c: (-len(c), c)):
        _remove(session, "area", {code})
    _restore(session, "area", images.get("area", {}), "deleted")
    cache.mark_changed(session, cache.GEOMETRY, cache.POINTS, cache.PEOPLE)  # the tables restored above
    batch.status = "rolled_back"
    batch.rolled_back_at = now.replace(microsecond=0)
    batch.rolled_back_by = (user or None) and user[:50]
    session.flush()
    restored = sum(len(v) for v in images.values())
    return {"batch": batch_id, "removed": sum(len(v) for v in created.values()), "restored": restored}


def _restore(session: Session, table: str, images: dict[str, tuple[str, dict]], action: str) -> None:
    rows = [_decode(table, image) for key, (act, image) in images.items() if act == action]
    if not rows:
        return
    t = TABLES[table]
    key = KEYS.get(table, "code")
    if action == "deleted":
        session.execute(insert(t), rows)
        return
    by_columns: dict[tuple, list[dict]] = {}
    for row in rows:  # full rows and count-only images: one executemany per shape
        by_columns.setdefault(tuple(sorted(row)), []).append({f"_{k}": v for k, v in row.items()})
    for columns, group in by_columns.items():
        values = {c: bindparam(f"_{c}", type_=t.c[c].type) for c in columns if c != key}
        statement = update(t).where(t.c[key] == bindparam(f"_{key}")).values(values)
        session.connection().execute(statement, group)


def _remove(session: Session, table: str, keys: set[str]) -> None:
    if not keys:
        return
    key_col = _key_column(table)
    typed = [_typed_key(table, k) for k in sorted(keys)]
    for start in range(0, len(typed), CHUNK):
        session.execute(delete(TABLES[table]).where(key_col.in_(typed[start:start + CHUNK])))
