"""Write a generated demo dataset into the database in one transaction."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.orm import Session

from db import cache, models as m, planning
from db.engine import get_engine
from db.users import DEMO_NOTE, seed_demo_accounts
from geodata.demo import DemoData
from geodata.demo_words import DUPLICATE_NOTE, PATROL_ACTOR, RETURNED_NOTE
from workflow.vocab import CaseSource, CaseStatus, trail_note

CHUNK = 20_000
# Children first, so foreign keys never point at a deleted row.
TABLES_IN_DELETE_ORDER = (m.Wish, m.CasePhoto, m.CaseEvent, m.Case, m.ServiceRecord, m.Assignment, m.Volunteer, m.VolunteerPost,
                          m.ServicePoint, m.BasemapFeature, m.Building, m.Area)


def _clean(value):
    """NaN / NaT → None; numpy scalars → Python; so every backend's driver accepts the row."""
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NaT or (isinstance(value, pd.Timestamp) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    cols = list(columns)
    return [{c: _clean(v) for c, v in zip(cols, row)} for row in frame[cols].itertuples(index=False, name=None)]


def _bbox(frame) -> pd.DataFrame:
    b = frame.geometry.bounds
    return frame.assign(min_lon=b.minx, min_lat=b.miny, max_lon=b.maxx, max_lat=b.maxy)


def _point_cols(frame) -> pd.DataFrame:
    return frame.assign(lon=frame.geometry.x.round(6), lat=frame.geometry.y.round(6))


def _insert(conn: Connection, table, rows: list[dict], say: Callable[[str], None], label: str) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start:start + CHUNK])
        if len(rows) > 5 * CHUNK and (start // CHUNK) % 10 == 0:
            say(f"{label}: {min(start + CHUNK, len(rows))}/{len(rows)}")


def write_demo(data: DemoData, progress: Callable[[str], None] | None = None) -> dict:
    """Replace every row with `data`. All or nothing: a failure leaves the old data in place."""
    say = progress or (lambda _msg: None)
    engine = get_engine()
    areas = _bbox(data.areas)
    areas["geometry"] = shapely.set_precision(areas.geometry.values, 1e-6)
    buildings = _bbox(data.buildings)
    inner = buildings.geometry.representative_point()
    buildings = buildings.assign(lon=inner.x.round(6), lat=inner.y.round(6),
                                 geometry=shapely.set_precision(buildings.geometry.values, 1e-6))
    points = _point_cols(data.service_points)
    posts = _point_cols(data.posts)
    with engine.begin() as conn:
        for table in TABLES_IN_DELETE_ORDER:
            conn.execute(delete(table))
        # parents before children: streets, then communities, grids, compounds
        order = {"street": 0, "community": 1, "grid": 2, "compound": 3}
        areas = areas.assign(_o=areas.level.map(order)).sort_values("_o", kind="stable")
        area_cols = ["code", "level", "name", "parent_code", "era", "leader_name", "leader_phone", "households",
                     "residents", "elderly", "party_members", "buildings", "min_lon", "min_lat", "max_lon",
                     "max_lat", "geometry"]
        _insert(conn, m.Area, _records(areas, area_cols), say, "areas")
        b_cols = ["code", "name", "compound_code", "grid_code", "community_code", "street_code", "floors", "units",
                  "households", "residents", "elderly", "party_members", "built_year", "lon", "lat", "min_lon",
                  "min_lat", "max_lon", "max_lat", "geometry"]
        _insert(conn, m.Building, _records(buildings, b_cols), say, "buildings")
        basemap = _records(data.basemap, ["street_code", "kind", "name", "geometry"])
        for row in basemap:  # every line of the demo is walked at walking pace; its parks, schools and markets are not
            row["walk_factor"] = None if row["kind"] in ("park", "school", "market") else 1.0
        _insert(conn, m.BasemapFeature, basemap, say, "basemap")
        loc = ["lon", "lat", "compound_code", "grid_code", "community_code", "street_code"]
        _insert(conn, m.ServicePoint, _records(points, ["code", "service_type", "name", "address", "hours", "phone",
                                                        "capacity", "is_public", *loc]), say, "service points")
        _insert(conn, m.VolunteerPost, _records(posts, ["code", "post_type", "name", "slots_required", "schedule", *loc]),
                say, "posts")
        _insert(conn, m.Volunteer, _records(data.volunteers, ["id", "name", "phone", "kind", "home_building_code", "unit"]),
                say, "volunteers")
        today = data.reference_time.date()
        assignments = data.assignments.assign(
            since=[today - dt.timedelta(days=int(d)) for d in data.assignments.since_days_ago], active=True)
        _insert(conn, m.Assignment, _records(assignments, ["volunteer_id", "post_code", "since", "active"]), say,
                "assignments")
        _insert(conn, m.ServiceRecord, _records(data.service_records, ["volunteer_id", "post_code", "served_on", "hours"]),
                say, "service records")
        case_cols = ["code", "category", "source", "description", "reporter_name", "reporter_phone", "lon", "lat",
                     "building_code", "compound_code", "grid_code", "community_code", "street_code", "level", "status",
                     "assignee", "created_at", "accepted_at", "deadline", "resolved_at", "satisfaction"]
        cases = _records(data.cases, case_cols)
        for row in cases:
            row["version"] = 1
        _insert(conn, m.Case, cases, say, "cases")
        ids = dict(conn.execute(select(m.Case.code, m.Case.id)).all())
        _insert(conn, m.CaseEvent, _records(case_trail(data.cases, ids, data.reference_time), EVENT_COLUMNS), say, "case events")
        if len(data.wishes):
            wishes = _records(data.wishes, WISH_COLUMNS)
            for i, row in enumerate(wishes, start=1):
                row.update(code=f"WY{i:07d}", version=1)
            _insert(conn, m.Wish, wishes, say, "wishes")
        planning.write_demo_candidates(conn, data.areas, data.buildings, data.reference_time)
        # the counter goes on from where it was (never back to 1), so no process serves an older dataset's cache
        cache.mark_changed(conn, seeded_at=data.reference_time, note=DEMO_NOTE)
        with Session(bind=conn) as session:
            seed_demo_accounts(session, data.reference_time)
            session.flush()
    say("done")
    return dict(data.counts)


WISH_COLUMNS = ["title", "description", "wisher_name", "wisher_phone", "building_code", "lon", "lat",
                "compound_code", "grid_code", "community_code", "street_code", "status", "claimant", "claimant_kind",
                "published_at", "claimed_at", "completed_at"]
EVENT_COLUMNS = ["case_id", "at", "actor", "action", "from_status", "to_status", "note"]


def case_trail(cases: pd.DataFrame, ids: dict, now: dt.datetime) -> pd.DataFrame:
    """The audit trail each generated case would have: created, accepted, dispatched, resolved, visited, closed.

    Nothing happens after `now` (the demo's clock): a step the usual pace would put later happens, in order, in the
    time that is left."""
    c = cases.assign(case_id=cases.code.map(ids))
    created = pd.to_datetime(c.created_at)
    accepted = pd.to_datetime(c.accepted_at)
    resolved = pd.to_datetime(c.resolved_at)
    status = c.status
    S = CaseStatus  # noqa: N806 -- short, the lines below name many
    parts = [pd.DataFrame({"case_id": c.case_id, "at": created, "actor": c.source.where(c.source != CaseSource.PATROL, PATROL_ACTOR),
                           "action": "create", "from_status": None, "to_status": S.SUBMITTED, "note": None})]

    def step(mask, at, action, before, after, note=None, actor=c.assignee):
        parts.append(pd.DataFrame({"case_id": c.case_id[mask], "at": at[mask], "actor": actor[mask].fillna(PATROL_ACTOR),
                                   "action": action, "from_status": before, "to_status": after,
                                   "note": note[mask] if isinstance(note, pd.Series) else note}))

    was_accepted = accepted.notna() & ~status.isin([S.SUBMITTED, S.RETURNED, S.DUPLICATE])
    step(was_accepted, accepted, "accept", S.SUBMITTED, S.ACCEPTED)
    dispatched = was_accepted & c.assignee.notna()
    step(dispatched, accepted + pd.Timedelta(minutes=30), "dispatch", S.ACCEPTED, S.DISPATCHED, c.assignee.fillna("").map(lambda a: trail_note("dispatched_to", assignee=a)))
    step(dispatched & status.isin([S.IN_PROGRESS, S.RESOLVED, S.VISITED, S.CLOSED]), accepted + pd.Timedelta(hours=2), "start",
         S.DISPATCHED, S.IN_PROGRESS)
    done = resolved.notna()
    step(done, resolved, "resolve", S.IN_PROGRESS, S.RESOLVED)
    visited = done & status.isin([S.VISITED, S.CLOSED])
    step(visited, resolved + pd.Timedelta(days=1), "visit", S.RESOLVED, S.VISITED, c.satisfaction.fillna("").map(lambda v: trail_note("satisfaction", value=v)))
    step(visited & (status == S.CLOSED), resolved + pd.Timedelta(days=2), "close", S.VISITED, S.CLOSED)
    step(status == S.RETURNED, created + pd.Timedelta(hours=3), "return", S.SUBMITTED, S.RETURNED, RETURNED_NOTE)
    step(status == S.DUPLICATE, created + pd.Timedelta(hours=3), "merge", S.SUBMITTED, S.DUPLICATE, DUPLICATE_NOTE)
    trail = pd.concat(parts, ignore_index=True).sort_values(["case_id", "at"], kind="stable")
    # a step due after `now` moves back to its case's last moment before `now`, a second apart, keeping its order
    late = trail["at"] > pd.Timestamp(now)
    if late.any():
        back = trail[late].groupby("case_id").cumcount(ascending=False) + 1
        trail.loc[late, "at"] = pd.Timestamp(now) - pd.to_timedelta(back, unit="s")
    trail["at"] = trail["at"].dt.round("s").astype(object)
    return trail


def is_empty() -> bool:
    with get_engine().connect() as conn:
        return not conn.execute(select(func.count()).select_from(m.Area)).scalar()
