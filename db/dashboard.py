"""Counts for the panel and the big screen: people, cases by status and light, the 三率, staffing of posts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from db import cache, models as m, rules as case_rules
from db.access import SYSTEM, Viewer, case_scope
from db.areas import LEVEL_COLUMN, names_in_street, scope_clause, under
from geodata import codes
from workflow.vocab import OPEN_STATUSES
from workflow import lifecycle as lc

SUMMARY_READS = (cache.GEOMETRY, cache.CASES, cache.POINTS, cache.PEOPLE, cache.RULES)
SCREEN_READS = (cache.CASES, cache.POINTS, cache.PEOPLE)


def lights_for(session: Session, deadlines: list[dt.datetime], now: dt.datetime) -> list[str]:
    """红黄绿 for many deadlines, by the one rule in workflow.lifecycle.light and the admin's yellow window."""
    yellow = case_rules.get_case_rules(session).yellow_hours
    return [lc.light(d, now, yellow) for d in deadlines]


def area_summary(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM) -> dict:
    """Counts for the side panel: people, cases (of the viewer's scope) by status and light, service points, posts."""
    # Lights move with the clock: one computation per area and minute is plenty for a dashboard.
    minute = now.replace(second=0, microsecond=0)
    return cache.cached(session, "summary", (area["code"], minute, viewer.key),
                        lambda: _summary(session, area, minute, viewer), SUMMARY_READS)


def _summary(session: Session, area: dict, now: dt.datetime, viewer: Viewer) -> dict:
    if area["level"] == "building":
        people = dict(area["facts"], buildings=1)
    else:
        col = getattr(m.Building, LEVEL_COLUMN[area["level"]])
        row = session.execute(select(
            func.count(), func.coalesce(func.sum(m.Building.households), 0), func.coalesce(func.sum(m.Building.residents), 0),
            func.coalesce(func.sum(m.Building.elderly), 0), func.coalesce(func.sum(m.Building.party_members), 0),
        ).where(col == area["code"])).one()
        people = dict(zip(["buildings", "households", "residents", "elderly", "party_members"], map(int, row)))
    people["estimated"] = area["estimated"]  # counts include 估算 (docs/estimates.md)

    cases_here = and_(scope_clause(m.Case, area), case_scope(viewer))
    by_status = dict(session.execute(select(m.Case.status, func.count()).where(cases_here)
                                     .group_by(m.Case.status)).all())
    light = lc.light_sql(m.Case.deadline, now, case_rules.get_case_rules(session).yellow_hours)
    by_light = dict(session.execute(select(light, func.count()).where(cases_here, m.Case.status.in_(OPEN_STATUSES))
                                    .group_by(light)).all())
    escalated = session.execute(select(func.count()).where(cases_here, m.Case.status.in_(OPEN_STATUSES),
                                                           m.Case.overdue_since.is_not(None))).scalar_one()
    by_type: dict = {}
    if area["level"] != "building":
        by_type = dict(session.execute(select(m.ServicePoint.service_type, func.count())
                                       .where(scope_clause(m.ServicePoint, area)).group_by(m.ServicePoint.service_type)
                                       .order_by(func.count().desc())).all())
    posts = _post_staffing(session, area)
    return {
        "area": area,
        "people": people,
        "cases_by_status": by_status,
        "cases_by_light": {k: int(by_light.get(k, 0)) for k in ("red", "yellow", "green")},
        "open_cases": int(sum(by_light.values())),
        # open cases that missed a deadline and were sent up with a fresh one: whatever their light now
        "escalated": int(escalated),
        "service_points_by_type": by_type,
        "posts": posts,
    }


def filled_posts():
    """Subquery: active volunteers per post (post_code, n)."""
    return (select(m.Assignment.post_code, func.count().label("n")).where(m.Assignment.active)
            .group_by(m.Assignment.post_code).subquery())


def _post_staffing(session: Session, area: dict) -> dict:
    if area["level"] == "building":
        return {"total": 0, "staffed": 0, "short": 0, "slots": 0, "filled": 0}
    filled = filled_posts()
    rows = session.execute(select(m.VolunteerPost.slots_required, func.coalesce(filled.c.n, 0))
                           .outerjoin(filled, filled.c.post_code == m.VolunteerPost.code)
                           .where(scope_clause(m.VolunteerPost, area))).all()
    staffed = sum(1 for need, have in rows if have >= need)
    return {"total": len(rows), "staffed": staffed, "short": len(rows) - staffed,
            "slots": int(sum(r[0] for r in rows)), "filled": int(sum(min(r[0], r[1]) for r in rows))}


def _month(column, dialect: str):
    """'YYYY-MM' of a timestamp column, in the backend's own SQL."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def cases_per_month(session: Session, area: dict, now: dt.datetime, months: int = 12,
                    viewer: Viewer = SYSTEM) -> pd.DataFrame:
    """Cases created per month and category over the last `months` months: columns month, category, count."""
    start = (pd.Timestamp(now).replace(day=1).normalize() - pd.DateOffset(months=months - 1)).to_pydatetime()
    month = _month(m.Case.created_at, session.get_bind().dialect.name).label("month")
    rows = session.execute(select(month, m.Case.category, func.count())
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at >= start)
                           .group_by(month, m.Case.category).order_by(month)).all()
    return pd.DataFrame(rows, columns=["month", "category", "count"]).astype({"count": int})


def list_open_cases(session: Session, area: dict, now: dt.datetime, limit: int = 50,
                    viewer: Viewer = SYSTEM) -> list[dict]:
    """Open cases of an area within the viewer's scope, most urgent first, with the reporter masked."""
    rows = session.execute(select(m.Case).where(scope_clause(m.Case, area), case_scope(viewer),
                                                m.Case.status.in_(OPEN_STATUSES))
                           .order_by(m.Case.deadline).limit(limit)).scalars().all()
    lights = lights_for(session, [r.deadline for r in rows], now)
    return [{"code": r.code, "category": r.category, "status": r.status, "level": r.level,
             "description": r.description, "deadline": r.deadline, "light": lt,
             "escalated": r.overdue_since is not None,
             "reporter": viewer.name_hint(r.reporter_name), "assignee": r.assignee}
            for r, lt in zip(rows, lights)]


def screen_stats(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> dict:
    """Big-screen numbers for an area: open, overdue now, escalated after a missed deadline, resolved today, the 三率
    over `days`, people, points."""
    minute = now.replace(second=0, microsecond=0)

    def build() -> dict:
        here = and_(scope_clause(m.Case, area), case_scope(viewer))
        since = minute - dt.timedelta(days=days)
        today = minute.replace(hour=0, minute=0)
        is_open = m.Case.status.in_(OPEN_STATUSES)
        # six counts of three tables in one round trip
        open_now, overdue, escalated, resolved_today, volunteers, points = session.execute(select(
            select(func.count()).where(here, is_open).scalar_subquery(),
            select(func.count()).where(here, is_open, m.Case.deadline < minute).scalar_subquery(),
            select(func.count()).where(here, is_open, m.Case.overdue_since.is_not(None)).scalar_subquery(),
            select(func.count()).where(here, m.Case.resolved_at >= today).scalar_subquery(),
            select(func.count(func.distinct(m.Assignment.volunteer_id)))
            .join(m.VolunteerPost, m.VolunteerPost.code == m.Assignment.post_code)
            .where(m.Assignment.active, scope_clause(m.VolunteerPost, area)).scalar_subquery(),
            select(func.count()).select_from(m.ServicePoint).where(scope_clause(m.ServicePoint, area))
            .scalar_subquery())).one()
        rows = session.execute(select(m.Case.created_at, m.Case.accepted_at, m.Case.resolved_at, m.Case.deadline,
                                      m.Case.satisfaction).where(here, m.Case.created_at >= since)).all()
        return {
            "open": int(open_now), "overdue": int(overdue), "escalated": int(escalated),
            "resolved_today": int(resolved_today),
            **lc.rates(rows), "volunteers": int(volunteers), "service_points": int(points),
            "cases_in_period": len(rows),
        }

    return cache.cached(session, "screen_stats", (area["code"], minute, viewer.key, days), build, SCREEN_READS)


def cases_by_day(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> pd.DataFrame:
    """Cases created per day over the last `days` days (every day present, zeros included): columns day, count."""
    start = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    days_index = pd.date_range(start, periods=days, freq="D").strftime("%Y-%m-%d")
    rows = session.execute(select(m.Case.created_at).where(scope_clause(m.Case, area), case_scope(viewer),
                                                           m.Case.created_at >= start)).scalars().all()
    counts = pd.Series(pd.to_datetime(pd.Series(rows, dtype="datetime64[ns]")).dt.strftime("%Y-%m-%d")).value_counts()
    return pd.DataFrame({"day": days_index, "count": [int(counts.get(d, 0)) for d in days_index]})


def cases_by_category(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM,
                      days: int = 30) -> pd.DataFrame:
    """Cases created per category over the same `days` days as cases_by_day (not the calendar month): category, count."""
    start = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(select(m.Case.category, func.count())
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at >= start,
                                  m.Case.created_at < start + dt.timedelta(days=days))
                           .group_by(m.Case.category)).all()
    return pd.DataFrame(rows, columns=["category", "count"]).astype({"count": int})


def latest_cases(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM, limit: int = 20) -> list[dict]:
    """The newest cases of an area for a public-facing board: where, what, status — no people, no free text."""
    community = aliased(m.Area)
    compound = aliased(m.Area)
    rows = session.execute(select(m.Case.code, m.Case.created_at, m.Case.category, m.Case.status, m.Case.deadline,
                                  community.name, compound.name)
                           .join(community, community.code == m.Case.community_code)
                           .join(compound, compound.code == m.Case.compound_code)
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at <= now)
                           .order_by(m.Case.created_at.desc()).limit(limit)).all()
    lights = lights_for(session, [r[4] for r in rows], now)
    return [{"code": r[0], "created_at": r[1], "category": r[2], "status": r[3],
             "light": lt if r[3] in OPEN_STATUSES else None, "community": r[5], "compound": r[6]}
            for r, lt in zip(rows, lights)]


def rates_by_grid(session: Session, area: dict, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> list[dict]:
    """三率 and average hours to resolve for each grid in an area over `days`, best resolution rate first."""
    if area["level"] in ("compound", "building"):
        return []
    since = now - dt.timedelta(days=days)
    grids = session.execute(select(m.Area.code, m.Area.name, m.Area.leader_name, m.Area.parent_code)
                            .where(m.Area.level == "grid", under(m.Area.code, area["code"])).order_by(m.Area.code)).all()
    rows = session.execute(select(m.Case.grid_code, m.Case.created_at, m.Case.accepted_at, m.Case.resolved_at,
                                  m.Case.deadline, m.Case.satisfaction)
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at >= since)).all()
    names = names_in_street(session, codes.street_of(area["code"]))
    by_grid: dict[str, list] = {}
    for r in rows:
        by_grid.setdefault(r.grid_code, []).append(r)
    out = []
    for g in grids:
        if not viewer.covers(g.code):
            continue
        cases_ = by_grid.get(g.code, [])
        out.append({"grid_code": g.code, "grid": f"{names.get(g.parent_code, ('',))[0]}{g.name}", "leader": g.leader_name,
                    "cases": len(cases_), **lc.rates(cases_)})
    return sorted(out, key=lambda x: (x["resolution_rate"] is None, -(x["resolution_rate"] or 0)))
