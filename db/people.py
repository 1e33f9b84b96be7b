"""人员下沉 for one street: open volunteer slots matched to volunteers living nearby, deserts, grid workload."""
from __future__ import annotations

import math

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m, walking
from db.access import Viewer, mask_name, scope_where
from db.dashboard import filled_posts
from geodata import people
from workflow.vocab import OPEN_STATUSES

MAX_POSTS = 2  # a volunteer holding fewer active posts than this may take one more


def people_plan(session: Session, street: str, limit_minutes: float, viewer: Viewer) -> dict:
    """Proposed matches (volunteer names masked), posts nobody lives near, and households and open cases per grid,
    within the viewer's own area of the street: posts there, volunteers living there, its grids."""
    std = walking.get_standards(session)
    ctx = walking.street_network(session, street)
    filled = filled_posts()
    posts = session.execute(select(m.VolunteerPost.code, m.VolunteerPost.name, m.VolunteerPost.post_type,
                                   m.VolunteerPost.slots_required, func.coalesce(filled.c.n, 0),
                                   m.VolunteerPost.lon, m.VolunteerPost.lat)
                            .outerjoin(filled, filled.c.post_code == m.VolunteerPost.code)
                            .where(m.VolunteerPost.street_code == street, scope_where(m.VolunteerPost, viewer))
                            .order_by(m.VolunteerPost.code)).all()
    held = (select(m.Assignment.volunteer_id, func.count().label("n")).where(m.Assignment.active)
            .group_by(m.Assignment.volunteer_id).subquery())
    volunteers = session.execute(select(m.Volunteer.id, m.Volunteer.name, m.Volunteer.kind,
                                        m.Volunteer.home_building_code, func.coalesce(held.c.n, 0))
                                 .outerjoin(held, held.c.volunteer_id == m.Volunteer.id)
                                 .join(m.Building, m.Building.code == m.Volunteer.home_building_code)
                                 .where(m.Building.street_code == street, scope_where(m.Building, viewer))
                                 .order_by(m.Volunteer.id)).all()
    on_post = set(session.execute(select(m.Assignment.volunteer_id, m.Assignment.post_code)
                                  .where(m.Assignment.active)).all())
    position = {code: i for i, code in enumerate(ctx.buildings.code)}
    homes = np.array([position[v.home_building_code] for v in volunteers], int)
    to_posts = ctx.matrix(np.array([[p.lon, p.lat] for p in posts]).reshape(-1, 2), std["detour_factor"])
    minutes = to_posts[homes] / std["walk_speed_m_per_min"] if len(homes) else np.empty((0, len(posts)))

    open_slots = [j for j, p in enumerate(posts) for _ in range(max(0, p.slots_required - p[4]))]
    free = [i for i, v in enumerate(volunteers) if v[4] < MAX_POSTS]
    cost = minutes[np.ix_(free, open_slots)] if free and open_slots else np.empty((len(free), len(open_slots)))
    for a, i in enumerate(free):  # nobody is proposed for a post they already hold
        for b, j in enumerate(open_slots):
            if (volunteers[i].id, posts[j].code) in on_post:
                cost[a, b] = np.inf
    matches = [{"post": posts[open_slots[b]].name, "post_type": posts[open_slots[b]].post_type,
                "volunteer": mask_name(volunteers[free[a]].name), "kind": volunteers[free[a]].kind,
                "minutes": round(float(cost[a, b]), 1)}
               for a, b in sorted(people.match(cost, limit_minutes), key=lambda ab: cost[ab])]
    desert = people.deserts(minutes, limit_minutes)
    nearest = minutes.min(axis=0) if len(homes) else np.full(len(posts), np.inf)
    deserts = [{"post": p.name, "post_type": p.post_type, "short": max(0, p.slots_required - p[4]),
                # rounded up: a desert's nearest volunteer must never read as within the limit (1.04 → 1.1)
                "nearest_minutes": None if np.isinf(nearest[j]) else math.ceil(float(nearest[j]) * 10) / 10}
               for j, p in enumerate(posts) if desert[j]]
    return {"limit_minutes": limit_minutes, "open_slots": len(open_slots), "matches": matches,
            "short_posts": sum(1 for p in posts if p.slots_required > p[4]), "deserts": deserts,
            "grids": grid_workload(session, street, viewer), "walk_speed_m_per_min": std["walk_speed_m_per_min"]}


def grid_workload(session: Session, street: str, viewer: Viewer) -> list[dict]:
    """Households and open cases per grid of the street inside the viewer's area and its 网格长, against the usual
    300–500 households, busiest first."""
    households = dict(session.execute(select(m.Building.grid_code, func.sum(m.Building.households))
                                      .where(m.Building.street_code == street).group_by(m.Building.grid_code)).all())
    cases = dict(session.execute(select(m.Case.grid_code, func.count())
                                 .where(m.Case.street_code == street, m.Case.status.in_(OPEN_STATUSES))
                                 .group_by(m.Case.grid_code)).all())
    communities = dict(session.execute(select(m.Area.code, m.Area.name).where(
        m.Area.level == "community", m.Area.parent_code == street)).all())
    grids = session.execute(select(m.Area.code, m.Area.name, m.Area.leader_name, m.Area.parent_code)
                            .where(m.Area.level == "grid", m.Area.code.like(f"{street}%"))).all()
    grids = [g for g in grids if viewer.covers(g.code)]
    rows = [{"code": g.code, "grid": f"{communities.get(g.parent_code, '')}{g.name}", "leader": g.leader_name,
             "households": int(households.get(g.code, 0)), "open_cases": int(cases.get(g.code, 0)),
             "status": people.workload(int(households.get(g.code, 0)))} for g in grids]
    return sorted(rows, key=lambda r: (-r["households"], -r["open_cases"]))


def minutes_limit_ok(value) -> float:
    """The N of "within N minutes' walk" from a form field (1–60), else ValueError."""
    number = float(value)
    if not 1 <= number <= 60:
        raise ValueError(f"minutes must lie between 1 and 60, got {number}")
    return number

