"""资源下沉 planning for one street: candidate sites, optimised and what-if siting, saved scenarios, capacity."""
from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import time
from typing import Callable

import geopandas as gpd
import numpy as np
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import cache, models as m, walking
from db.access import Viewer
from db.users import DEMO_NOTE
from geodata import payload, siting, standards
from workflow.vocab import SERVICE_TYPES
from workflow.vocab import MANUAL_SITE_KIND, MANUAL_SITE_NAME, TRIAL_SITE_NAME

WEIGHTS = ("elderly", "residents", "households")
RESULT_LIFETIME = dt.timedelta(days=1)  # a plan on show, kept on the server until saved or forgotten
MAX_SITES = 100  # new sites in one plan: more than any street opens, few enough to compute at once


# Bad planning input: `kind` picks the UI's Chinese message, the text says precisely what was wrong.
PlanningError = siting.SitingError


def list_candidates(session: Session, street: str) -> list[dict]:
    rows = session.execute(select(m.PlanningCandidate).where(m.PlanningCandidate.street_code == street)
                           .order_by(m.PlanningCandidate.id)).scalars().all()
    return [{"id": r.id, "kind": r.kind, "name": r.name, "lon": r.lon, "lat": r.lat, "note": r.note} for r in rows]


def _street(session: Session, street) -> m.Area:
    area = session.get(m.Area, street) if isinstance(street, str) else None
    if area is None or area.level != "street":
        raise PlanningError("bad_street", f"unknown street {street!r}")
    return area


def _inside(area: m.Area, lon, lat) -> bool:
    """Whether (lon, lat) are finite numbers within the street's bounds (a place a site of this street may be)."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)):
        return False
    return area.min_lon <= lon <= area.max_lon and area.min_lat <= lat <= area.max_lat


def _candidate_editor(viewer: Viewer, street: str) -> None:
    if not viewer.may_edit_candidates_of(street):
        raise PlanningError("candidate_refused", f"{viewer.key} may not edit the candidate sites of street {street}")


def add_candidate(session: Session, viewer: Viewer, street: str, kind: str, name: str | None, lon: float,
                  lat: float, user: str | None, now: dt.datetime) -> dict:
    """A new candidate site inside the street, by one of its officials (refused outside it, with an unknown kind,
    or for anyone else)."""
    _candidate_editor(viewer, street)
    if kind not in siting.KINDS:
        raise PlanningError("bad_kind", f"candidate kind must be one of {siting.KINDS}, got {kind!r}")
    area = _street(session, street)
    if not _inside(area, lon, lat):
        raise PlanningError("outside", f"({lon}, {lat}) lies outside street {street}")
    row = m.PlanningCandidate(street_code=street, kind=kind, name=(name or "").strip()[:100] or kind, lon=lon, lat=lat,
                              created_at=now, created_by=user)
    session.add(row)
    session.flush()
    cache.mark_changed(session, cache.PLANNING)
    return {"id": row.id, "kind": row.kind, "name": row.name, "lon": lon, "lat": lat, "note": None}


def remove_candidate(session: Session, viewer: Viewer, street: str, candidate_id) -> str:
    """Delete a candidate site of the street, by one of its officials; its name for the message."""
    _candidate_editor(viewer, street)
    row = session.get(m.PlanningCandidate, candidate_id) if _is_id(candidate_id) else None
    if row is None or row.street_code != street:
        raise PlanningError("no_candidate", f"no candidate {candidate_id!r} on street {street}")
    session.delete(row)
    session.flush()
    cache.mark_changed(session, cache.PLANNING)
    return row.name


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def write_demo_candidates(conn: Connection, areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                          now: dt.datetime) -> None:
    """Replace every candidate with plausible demo ones (called by db.seed in the seeding transaction)."""
    conn.execute(delete(m.PlanningCandidate))
    sites = siting.demo_candidates(areas, buildings)
    if len(sites):
        conn.execute(insert(m.PlanningCandidate), [
            {"street_code": r.street_code, "kind": r.kind, "name": r.name, "lon": round(r.geometry.x, 6),
             "lat": round(r.geometry.y, 6), "created_at": now, "created_by": DEMO_NOTE} for r in sites.itertuples()])


def _inputs(session: Session, street: str, service_type: str) -> tuple:
    if service_type not in SERVICE_TYPES:
        raise PlanningError("bad_type", f"unknown service type {service_type!r}")
    std = walking.get_standards(session)
    ctx = walking.street_network(session, street)
    if ctx.buildings.empty:
        raise PlanningError("no_buildings", f"street {street!r} has no buildings")
    return std, ctx, standards.radius(std, service_type)


def _existing(ctx: walking.StreetNetwork, service_type: str, detour: float) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Existing sites of a type and the buildings × sites distance matrix."""
    sites = ctx.points[ctx.points.service_type == service_type]
    return sites, ctx.matrix(sites[["lon", "lat"]].to_numpy(), detour)


def _numbers(ctx: walking.StreetNetwork, nearest: np.ndarray, radius: float) -> dict:
    b = ctx.buildings
    return siting.coverage_numbers(nearest, b.households.to_numpy(), b.elderly.to_numpy(), b.residents.to_numpy(),
                                   radius)


def _estimated(session: Session, street: str) -> bool:
    """Whether the street's counts include estimates (估算, docs/estimates.md): results say so."""
    return bool(session.execute(select(m.Area.estimated).where(m.Area.code == street)).scalar())


def _nearest(matrix: np.ndarray) -> np.ndarray:
    return matrix.min(axis=1) if matrix.shape[1] else np.full(matrix.shape[0], np.inf)


def _changed(ctx: walking.StreetNetwork, std: dict, before: np.ndarray, after: np.ndarray) -> dict:
    """Walking minutes of the buildings a plan moves (code → minutes, None: unreachable), for the map."""
    moved = np.flatnonzero(~np.isclose(before, after) & ~(np.isinf(before) & np.isinf(after)))
    return {ctx.buildings.code.iat[i]: None if np.isinf(after[i]) else round(float(standards.minutes(std, after[i])), 1)
            for i in moved}


def optimise(session: Session, street: str, service_type: str, k: int, objective: str = "mclp",
             weight: str = "elderly", progress: Callable[[int], None] | None = None) -> dict:
    """Best k new sites among the street's candidates, existing sites kept; coverage before and after.

    `progress` hears percentages as the work moves on (distances, solving, coverage).
    """
    say = progress or (lambda _pct: None)
    if objective not in siting.OBJECTIVES:
        raise PlanningError("bad_objective", f"objective must be one of {siting.OBJECTIVES}, got {objective!r}")
    if weight not in WEIGHTS:
        raise PlanningError("bad_weight", f"weight must be one of {WEIGHTS}, got {weight!r}")
    std, ctx, radius = _inputs(session, street, service_type)
    candidates = list_candidates(session, street)
    started = time.perf_counter()
    say(10)
    existing_sites, existing = _existing(ctx, service_type, std["detour_factor"])
    cand = ctx.matrix(np.array([[c["lon"], c["lat"]] for c in candidates]).reshape(-1, 2), std["detour_factor"])
    demand = ctx.buildings[weight].to_numpy()
    say(30)
    if objective == "mclp":
        solution = siting.mclp(existing, cand, demand, radius, int(k))
    else:
        solution = siting.pmedian(existing, cand, demand, int(k))
    say(90)
    chosen = [candidates[j] for j in solution.chosen]
    before = _numbers(ctx, _nearest(existing), radius)
    after_nearest = np.minimum(_nearest(existing), _nearest(cand[:, solution.chosen]))
    after = _numbers(ctx, after_nearest, radius)
    changed = _changed(ctx, std, _nearest(existing), after_nearest)
    return {"street": street, "service_type": service_type, "objective": objective, "weight": weight, "k": int(k),
            "radius_m": radius, "radius_minutes": round(standards.minutes(std, radius), 1),
            "existing": [{"code": r.code, "name": r.name, "lon": r.lon, "lat": r.lat}
                         for r in existing_sites.itertuples()],
            "added": [{"name": c["name"], "kind": c["kind"], "lon": c["lon"], "lat": c["lat"], "id": c["id"]}
                      for c in chosen],
            "removed": [], "before": before, "after": after,
            "newly_covered": {key: after[key] - before[key] for key in ("households", "elderly", "residents")},
            "changed": changed, "status": solution.status, "gap": solution.gap, "seconds": round(time.perf_counter() - started, 2),
            "candidates": len(candidates), "method": "walking" if ctx.has_roads else "straight_line_detour",
            "estimated": _estimated(session, street)}


def _plan_sites(session: Session, street: str, added: list) -> list[dict]:
    """The new sites of a plan as the server knows them: a candidate (by id) with its name and place from the
    database, any other site only inside the street."""
    if not isinstance(added, list) or len(added) > MAX_SITES:
        raise PlanningError("too_many_sites", f"a plan takes at most {MAX_SITES} new sites")
    area = _street(session, street)
    candidates = {c["id"]: c for c in list_candidates(session, street)}
    sites = []
    for site in added:
        site = site if isinstance(site, dict) else {}
        if site.get("id") is not None:
            known = candidates.get(site["id"]) if _is_id(site["id"]) else None
            if known is None:
                raise PlanningError("no_candidate", f"no candidate {site['id']!r} on street {street}")
            sites.append({key: known[key] for key in ("id", "name", "kind", "lon", "lat")})
        elif _inside(area, site.get("lon"), site.get("lat")):
            name = site.get("name") if isinstance(site.get("name"), str) else None
            sites.append({"id": None, "name": (name or MANUAL_SITE_NAME)[:100], "kind": MANUAL_SITE_KIND,
                          "lon": float(site["lon"]), "lat": float(site["lat"])})
        else:
            raise PlanningError("site_outside", f"a new site at ({site.get('lon')!r}, {site.get('lat')!r}) "
                                                f"lies outside street {street}")
    return sites


def what_if(session: Session, street: str, service_type: str, added: list[dict], removed: list[str]) -> dict:
    """Coverage with some sites added (candidates by id, or lon/lat inside the street) and some existing ones (codes)
    removed, against today's."""
    std, ctx, radius = _inputs(session, street, service_type)
    added = _plan_sites(session, street, added)
    existing_sites, existing = _existing(ctx, service_type, std["detour_factor"])
    today = _nearest(existing)
    known = set(existing_sites.code)
    removed = list(dict.fromkeys(c for c in removed or [] if isinstance(c, str) and c in known))
    kept = ~existing_sites.code.isin(removed).to_numpy()
    new = ctx.matrix(np.array([[a["lon"], a["lat"]] for a in added]).reshape(-1, 2), std["detour_factor"])
    after_nearest = np.minimum(_nearest(existing[:, kept]), _nearest(new))
    before, after = _numbers(ctx, today, radius), _numbers(ctx, after_nearest, radius)
    changed = _changed(ctx, std, today, after_nearest)
    return {"street": street, "service_type": service_type, "objective": "manual", "k": len(added),
            "radius_m": radius, "radius_minutes": round(standards.minutes(std, radius), 1),
            "existing": [{"code": r.code, "name": r.name, "lon": r.lon, "lat": r.lat}
                         for r in existing_sites.itertuples()],
            "added": added, "removed": removed, "before": before, "after": after,
            "newly_covered": {key: after[key] - before[key] for key in ("households", "elderly", "residents")},
            "changed": changed, "status": "Manual", "gap": None, "method": "walking" if ctx.has_roads else "straight_line_detour",
            "estimated": _estimated(session, street)}


def _json(value):
    """numpy scalars as plain numbers, for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def keep_result(session: Session, result: dict, now: dt.datetime) -> str:
    """Keep a plan the server computed; the token that names it is all a page gets. Older plans go."""
    session.execute(delete(m.PlanningResult).where(m.PlanningResult.created_at < now - RESULT_LIFETIME))
    token = secrets.token_urlsafe(24)
    session.add(m.PlanningResult(token=token, street_code=result["street"], service_type=result["service_type"],
                                 result=json.dumps(result, ensure_ascii=False, default=_json), created_at=now))
    session.flush()
    return token


def get_result(session: Session, token, street: str, service_type: str | None, now: dt.datetime) -> dict | None:
    """The kept plan of a token, if it is of this street (and service type, when given) and not expired."""
    row = session.get(m.PlanningResult, token) if isinstance(token, str) else None
    if row is None or row.street_code != street or row.created_at < now - RESULT_LIFETIME:
        return None
    if service_type is not None and row.service_type != service_type:
        return None
    return json.loads(row.result)


def save_scenario(session: Session, viewer: Viewer, street: str, name: str | None, token, now: dt.datetime) -> dict:
    """Store the plan the server computed under `token` (never numbers a page sent) under a name unique within the
    street; for those who may plan the street."""
    if not viewer.may_plan(street):
        raise PlanningError("not_your_street", f"{viewer.key} may not save scenarios of street {street!r}")
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise PlanningError("bad_name", "a scenario needs a name of 1 to 100 characters")
    result = get_result(session, token, street, None, now)
    if result is None:
        raise PlanningError("no_result", "run or edit a plan before saving it")
    taken = session.execute(select(m.PlanningScenario.id).where(m.PlanningScenario.street_code == street,
                                                                m.PlanningScenario.name == name)).first()
    if taken:
        raise PlanningError("name_taken", f"a scenario named {name!r} already exists")
    author = session.get(m.User, viewer.account_id) if viewer.account_id is not None else None
    row = m.PlanningScenario(street_code=street, name=name, service_type=result["service_type"],
                             objective=result["objective"], result=json.dumps(result, ensure_ascii=False),
                             created_at=now, created_by=author.username if author else None,
                             created_by_id=author.id if author else None)
    try:
        with session.begin_nested():  # two saves of one name at once: the later one is told, not failed
            session.add(row)
    except IntegrityError:
        raise PlanningError("name_taken", f"a scenario named {name!r} already exists") from None
    return {"id": row.id, "name": name}


def delete_scenario(session: Session, viewer: Viewer, street: str, scenario_id) -> str:
    """Remove a saved scenario of the street; its name for the message. Unknown, another street's, or outside the
    viewer's streets → not_found; someone else's, for a viewer who does not decide for the street → not_yours."""
    row = session.get(m.PlanningScenario, scenario_id) if _is_id(scenario_id) else None
    if row is None or row.street_code != street or not viewer.may_plan(street):
        raise PlanningError("not_found", f"no scenario {scenario_id!r} on street {street}")
    if not viewer.may_delete_scenario(street, row.created_by_id):
        raise PlanningError("not_yours", f"{viewer.key} may not delete scenario {row.id} of account "
                                         f"{row.created_by_id}")
    session.delete(row)
    session.flush()
    return row.name


def list_scenarios(session: Session, street: str) -> list[dict]:
    rows = session.execute(select(m.PlanningScenario).where(m.PlanningScenario.street_code == street)
                           .order_by(m.PlanningScenario.created_at, m.PlanningScenario.id)).scalars().all()
    return [{"id": r.id, "name": r.name, "service_type": r.service_type, "objective": r.objective,
             "created_at": r.created_at, "created_by": r.created_by, "result": json.loads(r.result)} for r in rows]


def capacity_access(session: Session, street: str, service_type: str) -> np.ndarray | None:
    """2SFCA seats per 100 elderly within reach of each of the street's buildings (None: the type has no capacities)."""

    def build():
        std, ctx, radius = _inputs(session, street, service_type)
        sites = ctx.points[ctx.points.service_type == service_type]
        if sites.empty or sites.capacity.isna().all():
            return None
        d = ctx.matrix(sites[["lon", "lat"]].to_numpy(), std["detour_factor"])
        return 100 * siting.two_step_fca(d, ctx.buildings.elderly.to_numpy(), sites.capacity.fillna(0).to_numpy(),
                                         radius)

    return cache.cached(session, "capacity_access", (street, service_type), build,
                        (cache.GEOMETRY, cache.POINTS, cache.STANDARDS))


def sites_layer(session: Session, street: str, service_type: str, result: dict | None) -> dict:
    """Points for the planning map: existing sites (removed ones marked), candidates, and the plan's new sites."""
    ctx = walking.street_network(session, street)
    plan = result if result and result.get("street") == street and result.get("service_type") == service_type else {}
    removed = set(plan.get("removed", []))
    # points just across the street's edge serve it too: they are shown because they count
    existing = ctx.points[ctx.points.service_type == service_type]
    rows = [({"role": "removed" if r.code in removed else "existing", "code": r.code, "name": r.name,
              "type": service_type, "capacity": None if r.capacity != r.capacity else r.capacity}, r.lon, r.lat)
            for r in existing.itertuples()]
    chosen = {a.get("id") for a in plan.get("added", []) if a.get("id") is not None}
    rows += [({"role": "candidate", "id": c["id"], "name": c["name"], "kind": c["kind"]}, c["lon"], c["lat"])
             for c in list_candidates(session, street) if c["id"] not in chosen]
    rows += [({"role": "added", "n": i, "name": a["name"], "kind": a["kind"], "id": a.get("id")}, a["lon"], a["lat"])
             for i, a in enumerate(plan.get("added", []), start=1)]
    return payload.point_collection([r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows])


def edit_plan(result: dict | None, street: str, service_type: str, feature: dict | None = None,
              click: tuple[float, float] | None = None) -> tuple[list[dict], list[str]]:
    """The (added, removed) of a plan after one what-if click: a point on the map adds a site there,
    a candidate adds that candidate, an added site goes away, an existing site is removed or put back."""
    plan = result if result and result.get("street") == street and result.get("service_type") == service_type else {}
    added, removed = list(plan.get("added", [])), list(plan.get("removed", []))
    props = (feature or {}).get("properties", {})
    role = props.get("role")
    if role == "added":
        added = [a for i, a in enumerate(added, start=1) if i != props.get("n")]
    elif role in ("existing", "removed"):
        code = props.get("code")
        removed = [c for c in removed if c != code] if code in removed else removed + [code]
    elif role == "candidate":
        added.append({"id": props.get("id")})  # its name and place: the database's (what_if)
    elif click is not None:
        added.append({"id": None, "name": TRIAL_SITE_NAME.format(n=len(added) + 1), "kind": MANUAL_SITE_KIND,
                      "lon": round(click[0], 6), "lat": round(click[1], 6)})
    return added, removed
