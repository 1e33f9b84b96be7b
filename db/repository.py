"""Queries that answer the map and the panel. Each takes a Session and returns plain data."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session, aliased

from db import cache, models as m, planning, rules as case_rules, spatial, walking
from db.access import SYSTEM, Viewer, case_scope
from workflow import lifecycle as lc
from geodata import coverage, standards
from workflow.vocab import OPEN_STATUSES

# compounds and buildings are numbered with 3 digits, and more where a community or a compound has over 999
CODE_PATTERN = re.compile(r"^[0-9]{9}([0-9]{3}([0-9]{2}|X[0-9]{3,6}(B[0-9]{3,6})?)?)?$")
LEVEL_COLUMN = {"street": "street_code", "community": "community_code", "grid": "grid_code",
                "compound": "compound_code", "building": "building_code"}


@dataclass(frozen=True)
class AreaRef:
    code: str
    level: str
    name: str
    parent_code: str | None


def is_wellformed_code(code: str | None) -> bool:
    return bool(code) and bool(CODE_PATTERN.match(code))


def get_area(session: Session, code: str) -> dict | None:
    """An area (street, community, grid, compound) or a building by code, with its bounds; None if unknown."""
    if not is_wellformed_code(code):
        return None
    if "B" in code:
        b = session.get(m.Building, code)
        if b is None:
            return None
        return {"code": b.code, "level": "building", "name": b.name, "parent_code": b.compound_code,
                "bounds": [[b.min_lat, b.min_lon], [b.max_lat, b.max_lon]], "point": [b.lon, b.lat],
                "facts": {"floors": b.floors, "units": b.units, "households": b.households,
                          "residents": b.residents, "elderly": b.elderly, "party_members": b.party_members,
                          "built_year": b.built_year}, "estimated": bool(b.estimated)}
    a = session.get(m.Area, code)
    if a is None:
        return None
    out = {"code": a.code, "level": a.level, "name": a.name, "parent_code": a.parent_code,
           "bounds": [[a.min_lat, a.min_lon], [a.max_lat, a.max_lon]], "estimated": bool(a.estimated)}
    if a.level == "grid":
        out["leader_name"] = a.leader_name
    if a.level == "compound":
        out["era"] = a.era
    return out


def locate_spot(session: Session, lon: float, lat: float) -> tuple[dict, dict]:
    """(codes of the areas and building containing a point, {code: name}) for the picked-spot panel."""
    place = spatial.locate(session, lon, lat)
    names = {}
    for code in place.values():
        if code:
            area = get_area(session, code)
            names[code] = area["name"] if area else code
    return place, names


def search_buildings(session: Session, query: str, viewer: Viewer = SYSTEM, limit: int = 30) -> list[dict]:
    """Buildings whose compound or own name contains `query`, inside the viewer's scope: 「锦阳御园 3幢」."""
    words = (query or "").strip()
    if not words:
        return []
    compound = aliased(m.Area)
    label = compound.name + " " + m.Building.name
    where = [label.contains(words, autoescape=True)]
    if viewer.scope_code:
        where.append(m.Building.grid_code.like(f"{viewer.scope_code}%"))
    rows = session.execute(select(m.Building.code, compound.name, m.Building.name)
                           .join(compound, compound.code == m.Building.compound_code)
                           .where(*where).order_by(compound.name, m.Building.code).limit(limit)).all()
    return [{"code": code, "label": f"{c_name} {b_name}"} for code, c_name, b_name in rows]


def list_streets(session: Session) -> list[dict]:
    rows = session.execute(select(m.Area.code, m.Area.name, m.Area.households, m.Area.residents, m.Area.estimated)
                           .where(m.Area.level == "street").order_by(m.Area.code))
    return [{"code": c, "name": n, "level": "street", "households": h, "residents": r, "estimated": bool(e)}
            for c, n, h, r, e in rows]


def streets_bounds(session: Session) -> list[list[float]] | None:
    """Leaflet bounds of every street together."""
    row = session.execute(select(func.min(m.Area.min_lat), func.min(m.Area.min_lon), func.max(m.Area.max_lat),
                                 func.max(m.Area.max_lon)).where(m.Area.level == "street")).one()
    return None if row[0] is None else [[row[0], row[1]], [row[2], row[3]]]


def list_children(session: Session, code: str) -> list[dict]:
    """The next drill level below an area: street → communities, community/grid → compounds, compound → buildings."""
    area = get_area(session, code)
    if area is None:
        return []
    level = area["level"]
    if level == "street":
        q = select(m.Area.code, m.Area.name, m.Area.level).where(m.Area.parent_code == code)
    elif level in ("community", "grid"):
        q = select(m.Area.code, m.Area.name, m.Area.level).where(
            m.Area.level == "compound", m.Area.code.like(f"{code[:12]}X%"))
        if level == "grid":
            q = q.where(m.Area.parent_code == code)
    elif level == "compound":
        rows = session.execute(select(m.Building.code, m.Building.name)
                               .where(m.Building.compound_code == code).order_by(m.Building.code)).all()
        return [{"code": c, "name": n, "level": "building"} for c, n in rows]
    else:
        return []
    rows = session.execute(q.order_by(m.Area.code)).all()
    return [{"code": c, "name": n, "level": lv} for c, n, lv in rows]


def list_grids(session: Session, community_code: str) -> list[dict]:
    rows = session.execute(select(m.Area.code, m.Area.name, m.Area.leader_name)
                           .where(m.Area.parent_code == community_code, m.Area.level == "grid").order_by(m.Area.code))
    return [{"code": c, "name": n, "leader_name": ln} for c, n, ln in rows]


def breadcrumb(session: Session, code: str) -> list[AreaRef]:
    """The drill path from the street down to `code` (grids are skipped unless they are the target)."""
    chain: list[AreaRef] = []
    current = get_area(session, code)
    first = True
    while current is not None:
        if first or current["level"] != "grid":
            chain.append(AreaRef(current["code"], current["level"], current["name"], current["parent_code"]))
        first = False
        current = get_area(session, current["parent_code"]) if current["parent_code"] else None
    return chain[::-1]


def scope_clause(model, area: dict):
    """WHERE clause restricting `model` (which has *_code columns) to `area`; the root view is everything."""
    if area["level"] == "root":
        return true()
    return getattr(model, LEVEL_COLUMN[area["level"]]) == area["code"]


def lights_for(session: Session, deadlines: list[dt.datetime], now: dt.datetime) -> list[str]:
    """红黄绿 for many deadlines, by the one rule in workflow.lifecycle.light and the admin's yellow window."""
    yellow = case_rules.get_case_rules(session).yellow_hours
    return [lc.light(d, now, yellow) for d in deadlines]


def area_summary(session: Session, code: str, now: dt.datetime, viewer: Viewer = SYSTEM) -> dict | None:
    """Counts for the side panel: people, cases (of the viewer's scope) by status and light, service points, posts."""
    area = get_area(session, code)
    if area is None:
        return None
    # Lights move with the clock: one computation per area and minute is plenty for a dashboard.
    minute = now.replace(second=0, microsecond=0)
    return cache.cached(session, "summary", (code, minute, viewer.key),
                        lambda: _summary(session, area, minute, viewer))


def _summary(session: Session, area: dict, now: dt.datetime, viewer: Viewer) -> dict:
    code = area["code"]
    if area["level"] == "building":
        people = dict(area["facts"], buildings=1)
    else:
        col = getattr(m.Building, LEVEL_COLUMN[area["level"]])
        row = session.execute(select(
            func.count(), func.coalesce(func.sum(m.Building.households), 0), func.coalesce(func.sum(m.Building.residents), 0),
            func.coalesce(func.sum(m.Building.elderly), 0), func.coalesce(func.sum(m.Building.party_members), 0),
        ).where(col == code)).one()
        people = dict(zip(["buildings", "households", "residents", "elderly", "party_members"], map(int, row)))
    people["estimated"] = area["estimated"]  # counts include 估算 (docs/estimates.md)

    cases_here = and_(scope_clause(m.Case, area), case_scope(viewer))
    by_status = dict(session.execute(select(m.Case.status, func.count()).where(cases_here)
                                     .group_by(m.Case.status)).all())
    light = lc.light_sql(m.Case.deadline, now, case_rules.get_case_rules(session).yellow_hours)
    by_light = dict(session.execute(select(light, func.count()).where(cases_here, m.Case.status.in_(OPEN_STATUSES))
                                    .group_by(light)).all())
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


def cases_per_month(session: Session, code: str, now: dt.datetime, months: int = 12,
                    viewer: Viewer = SYSTEM) -> pd.DataFrame:
    """Cases created per month and category over the last `months` months: columns month, category, count."""
    area = get_area(session, code)
    if area is None:
        return pd.DataFrame({"month": pd.Series(dtype=str), "category": pd.Series(dtype=str),
                             "count": pd.Series(dtype=int)})
    start = (pd.Timestamp(now).replace(day=1).normalize() - pd.DateOffset(months=months - 1)).to_pydatetime()
    month = _month(m.Case.created_at, session.get_bind().dialect.name).label("month")
    rows = session.execute(select(month, m.Case.category, func.count())
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at >= start)
                           .group_by(month, m.Case.category).order_by(month)).all()
    return pd.DataFrame(rows, columns=["month", "category", "count"]).astype({"count": int})


def list_open_cases(session: Session, code: str, now: dt.datetime, limit: int = 50,
                    viewer: Viewer = SYSTEM) -> list[dict]:
    """Open cases of an area within the viewer's scope, most urgent first, with the reporter masked."""
    area = get_area(session, code)
    if area is None:
        return []
    rows = session.execute(select(m.Case).where(scope_clause(m.Case, area), case_scope(viewer),
                                                m.Case.status.in_(OPEN_STATUSES))
                           .order_by(m.Case.deadline).limit(limit)).scalars().all()
    lights = lights_for(session, [r.deadline for r in rows], now)
    return [{"code": r.code, "category": r.category, "status": r.status, "level": r.level,
             "description": r.description, "deadline": r.deadline, "light": lt,
             "reporter": viewer.name_hint(r.reporter_name), "assignee": r.assignee}
            for r, lt in zip(rows, lights)]


def nearest_service_points(session: Session, building_code: str) -> list[dict]:
    """For one building: the nearest service point of every type, in walking metres on the road network
    (straight line × detour where the street has no roads, within reach), closest first."""
    std = walking.get_standards(session)
    best = walking.nearest_by_walking(session, building_code)
    walked = best is not None
    if not walked:
        best = spatial.nearest_per_type(session, building_code)
        best = best.assign(distance_m=best.distance_m.astype(float) * std["detour_factor"])
    return [{"service_type": r.service_type, "name": r.name, "code": r.code, "hours": r.hours,
             "distance_m": int(round(r.distance_m)), "radius_m": standards.radius(std, r.service_type),
             "within_standard": r.distance_m <= standards.radius(std, r.service_type), "walking": walked}
            for r in best.itertuples()]


def data_version(session: Session) -> int:
    return cache.data_version(session)


def building_distances(session: Session, area: dict, service_type: str,
                       walk: bool = True) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Buildings of an area and their metres to the nearest point of `service_type` (inf when there is none).

    Walking on the road network by default (straight line × detour where a street has no roads);
    `walk=False` gives the straight line, kept for comparison.
    """
    # One computation per street, type and data version; every area inside it is a filter of that frame.
    street = area["code"][:9]
    if walk:
        every, _ = walking.walking_distances(session, street, service_type)
    else:
        every = cache.cached(session, "street_distances", (street, service_type),
                             lambda: spatial.distances_to_nearest(session, "street_code", street, service_type))
    if area["level"] == "grid":
        mine = every[every.grid_code == area["code"]]
    else:  # street, community, compound and building codes are prefixes of the building code
        mine = every[every.code.str.startswith(area["code"])]
    return mine.drop(columns=["distance_m"]), mine["distance_m"]


def area_coverage(session: Session, code: str, service_type: str) -> dict | None:
    """Walking coverage of an area for one service type (with the straight line beside it); None for an unknown area."""
    area = get_area(session, code)
    if area is None:
        return None

    def build() -> dict:
        std = walking.get_standards(session)
        radius = standards.radius(std, service_type)
        buildings, dist = building_distances(session, area, service_type)
        street_buildings, straight = building_distances(session, area, service_type, walk=False)
        ctx = walking.street_network(session, code[:9])
        method = "walking" if ctx.has_roads else "straight_line_detour"
        summary = coverage.coverage_summary(buildings, dist, radius)
        finite = dist[np.isfinite(dist)]
        return {"code": code, "service_type": service_type, "method": method, **summary, "estimated": area["estimated"],
                "population_weighted_share": summary["residents_share"],
                "walk_speed_m_per_min": std["walk_speed_m_per_min"],
                "elderly_speed_m_per_min": std["elderly_speed_m_per_min"],
                "radius_minutes": round(standards.minutes(std, radius), 1),
                "median_walk_m": round(float(finite.median()), 1) if len(finite) else None,
                "unreachable_buildings": int(np.isinf(dist).sum()),
                "network": ctx.report(),
                "detour_factor": std["detour_factor"] if method != "walking" else None,
                "straight_line": coverage.coverage_summary(street_buildings, straight, radius),
                "gaps": _named_gaps(session, coverage.rank_gaps(buildings, dist, radius)),
                "children": coverage.shares_by(buildings, dist, radius, _child_key(area, buildings)),
                "capacity": _capacity(session, code[:9], service_type, buildings, std)}

    return cache.cached(session, "coverage", (code, service_type), build)


def _capacity(session: Session, street: str, service_type: str, buildings: pd.DataFrame, std: dict) -> dict | None:
    """2SFCA: seats per 100 elderly each building reaches; below the standard is a capacity gap even when covered.
    None when the type has no capacities, or the area no buildings yet (nothing to be short of)."""
    if buildings.empty:
        return None
    access = planning.capacity_access(session, street, service_type)
    if access is None:
        return None
    mine = access[buildings.index.to_numpy()]
    short = mine < std["min_seats_per_100_elderly"]
    elderly = buildings.elderly.to_numpy()
    return {"min_seats_per_100_elderly": std["min_seats_per_100_elderly"],
            "short_elderly": int(elderly[short].sum()), "short_buildings": int(short.sum()),
            "mean_seats_per_100_elderly": round(float(np.average(mine, weights=elderly)), 2) if elderly.sum() else None}


def _child_key(area: dict, buildings: pd.DataFrame) -> pd.Series:
    """Which child area each building counts towards: communities of a street, compounds below that."""
    if area["level"] == "street":
        return buildings.code.str[:12]
    return buildings.compound_code


def _named_gaps(session: Session, gaps: list[dict], limit: int = 10) -> list[dict]:
    top = gaps[:limit]
    rows = session.execute(select(m.Area.code, m.Area.name, m.Area.estimated)
                           .where(m.Area.code.in_([g["code"] for g in top]))).all()
    names = {r.code: r.name for r in rows}
    estimated = {r.code for r in rows if r.estimated}
    return [{**g, "name": names.get(g["code"], g["code"]), "estimated": g["code"] in estimated} for g in top]


def list_public_points(session: Session) -> list[dict]:
    """Service points residents may see: only public ones, only venue fields (no person is named)."""

    def build() -> list[dict]:
        rows = session.execute(select(m.ServicePoint).where(m.ServicePoint.is_public)
                               .order_by(m.ServicePoint.code)).scalars()
        return [{"code": r.code, "type": r.service_type, "name": r.name, "address": r.address, "hours": r.hours,
                 "phone": r.phone, "capacity": r.capacity, "lon": r.lon, "lat": r.lat} for r in rows]

    return cache.cached(session, "public_points", None, build)


def screen_stats(session: Session, code: str, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> dict:
    """Big-screen numbers for an area: open/overdue now, resolved today, the 三率 over `days`, people, points."""
    area = get_area(session, code)
    if area is None:
        return {}
    minute = now.replace(second=0, microsecond=0)

    def build() -> dict:
        here = and_(scope_clause(m.Case, area), case_scope(viewer))
        since = minute - dt.timedelta(days=days)
        today = minute.replace(hour=0, minute=0)
        open_now = session.execute(select(func.count()).where(here, m.Case.status.in_(OPEN_STATUSES))).scalar()
        overdue = session.execute(select(func.count()).where(here, m.Case.status.in_(OPEN_STATUSES),
                                                             m.Case.deadline < minute)).scalar()
        resolved_today = session.execute(select(func.count()).where(here, m.Case.resolved_at >= today)).scalar()
        rows = session.execute(select(m.Case.created_at, m.Case.accepted_at, m.Case.resolved_at, m.Case.deadline,
                                      m.Case.satisfaction).where(here, m.Case.created_at >= since)).all()
        volunteers = session.execute(
            select(func.count(func.distinct(m.Assignment.volunteer_id)))
            .join(m.VolunteerPost, m.VolunteerPost.code == m.Assignment.post_code)
            .where(m.Assignment.active, scope_clause(m.VolunteerPost, area))).scalar()
        points = session.execute(select(func.count()).where(scope_clause(m.ServicePoint, area))).scalar()
        return {
            "open": int(open_now), "overdue": int(overdue), "resolved_today": int(resolved_today),
            **lc.rates(rows), "volunteers": int(volunteers), "service_points": int(points),
            "cases_in_period": len(rows),
        }

    return cache.cached(session, "screen_stats", (code, minute, viewer.key, days), build)


def cases_by_day(session: Session, code: str, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> pd.DataFrame:
    """Cases created per day over the last `days` days (every day present, zeros included): columns day, count."""
    area = get_area(session, code)
    start = (now - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    days_index = pd.date_range(start, periods=days, freq="D").strftime("%Y-%m-%d")
    if area is None:
        return pd.DataFrame({"day": days_index, "count": 0})
    rows = session.execute(select(m.Case.created_at).where(scope_clause(m.Case, area), case_scope(viewer),
                                                           m.Case.created_at >= start)).scalars().all()
    counts = pd.Series(pd.to_datetime(pd.Series(rows, dtype="datetime64[ns]")).dt.strftime("%Y-%m-%d")).value_counts()
    return pd.DataFrame({"day": days_index, "count": [int(counts.get(d, 0)) for d in days_index]})


def latest_cases(session: Session, code: str, now: dt.datetime, viewer: Viewer = SYSTEM, limit: int = 20) -> list[dict]:
    """The newest cases of an area for a public-facing board: where, what, status — no people, no free text."""
    area = get_area(session, code)
    if area is None:
        return []
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


def rates_by_grid(session: Session, code: str, now: dt.datetime, viewer: Viewer = SYSTEM, days: int = 30) -> list[dict]:
    """三率 and average hours to resolve for each grid in an area over `days`, best resolution rate first."""
    area = get_area(session, code)
    if area is None or area["level"] in ("compound", "building"):
        return []
    since = now - dt.timedelta(days=days)
    grids = session.execute(select(m.Area.code, m.Area.name, m.Area.leader_name, m.Area.parent_code)
                            .where(m.Area.level == "grid", m.Area.code.like(f"{code}%")).order_by(m.Area.code)).all()
    rows = session.execute(select(m.Case.grid_code, m.Case.created_at, m.Case.accepted_at, m.Case.resolved_at,
                                  m.Case.deadline, m.Case.satisfaction)
                           .where(scope_clause(m.Case, area), case_scope(viewer), m.Case.created_at >= since)).all()
    names = dict(session.execute(select(m.Area.code, m.Area.name).where(m.Area.level == "community",
                                                                        m.Area.code.like(f"{code[:9]}%"))).all())
    by_grid: dict[str, list] = {}
    for r in rows:
        by_grid.setdefault(r.grid_code, []).append(r)
    out = []
    for g in grids:
        if not viewer.covers(g.code):
            continue
        cases_ = by_grid.get(g.code, [])
        out.append({"grid_code": g.code, "grid": f"{names.get(g.parent_code, '')}{g.name}", "leader": g.leader_name,
                    "cases": len(cases_), **lc.rates(cases_)})
    return sorted(out, key=lambda x: (x["resolution_rate"] is None, -(x["resolution_rate"] or 0)))
