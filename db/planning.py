"""资源下沉 planning for one street: candidate sites, optimised and what-if siting, saved scenarios, capacity."""
from __future__ import annotations

import datetime as dt
import json
import time
from typing import Callable

import geopandas as gpd
import numpy as np
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from db import cache, models as m, walking
from db.users import DEMO_NOTE
from geodata import payload, siting, standards
from workflow.vocab import SERVICE_TYPES
from workflow.vocab import MANUAL_SITE_KIND, MANUAL_SITE_NAME, TRIAL_SITE_NAME

WEIGHTS = ("elderly", "residents", "households")


# Bad planning input: `kind` picks the UI's Chinese message, the text says precisely what was wrong.
PlanningError = siting.SitingError


def list_candidates(session: Session, street: str) -> list[dict]:
    rows = session.execute(select(m.PlanningCandidate).where(m.PlanningCandidate.street_code == street)
                           .order_by(m.PlanningCandidate.id)).scalars().all()
    return [{"id": r.id, "kind": r.kind, "name": r.name, "lon": r.lon, "lat": r.lat, "note": r.note} for r in rows]


def add_candidate(session: Session, street: str, kind: str, name: str | None, lon: float, lat: float,
                  user: str | None, now: dt.datetime) -> dict:
    """A new candidate site inside the street (refused outside it or with an unknown kind)."""
    if kind not in siting.KINDS:
        raise PlanningError("bad_kind", f"candidate kind must be one of {siting.KINDS}, got {kind!r}")
    area = session.get(m.Area, street)
    if area is None or area.level != "street":
        raise PlanningError("bad_street", f"unknown street {street!r}")
    if not (area.min_lon <= lon <= area.max_lon and area.min_lat <= lat <= area.max_lat):
        raise PlanningError("outside", f"({lon}, {lat}) lies outside street {street}")
    row = m.PlanningCandidate(street_code=street, kind=kind, name=(name or "").strip()[:100] or kind, lon=lon, lat=lat,
                              created_at=now, created_by=user)
    session.add(row)
    session.flush()
    cache.mark_changed(session, cache.PLANNING)
    return {"id": row.id, "kind": row.kind, "name": row.name, "lon": lon, "lat": lat, "note": None}


def remove_candidate(session: Session, street: str, candidate_id: int) -> bool:
    done = session.execute(delete(m.PlanningCandidate).where(m.PlanningCandidate.id == candidate_id,
                                                             m.PlanningCandidate.street_code == street)).rowcount
    if done:
        cache.mark_changed(session, cache.PLANNING)
    return bool(done)


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


def what_if(session: Session, street: str, service_type: str, added: list[dict], removed: list[str]) -> dict:
    """Coverage with some sites added (lon/lat) and some existing ones (codes) removed, against today's."""
    std, ctx, radius = _inputs(session, street, service_type)
    existing_sites, existing = _existing(ctx, service_type, std["detour_factor"])
    today = _nearest(existing)
    kept = ~existing_sites.code.isin(list(removed)).to_numpy()
    new = ctx.matrix(np.array([[a["lon"], a["lat"]] for a in added]).reshape(-1, 2), std["detour_factor"])
    after_nearest = np.minimum(_nearest(existing[:, kept]), _nearest(new))
    before, after = _numbers(ctx, today, radius), _numbers(ctx, after_nearest, radius)
    changed = _changed(ctx, std, today, after_nearest)
    return {"street": street, "service_type": service_type, "objective": "manual", "k": len(added),
            "radius_m": radius, "radius_minutes": round(standards.minutes(std, radius), 1),
            "existing": [{"code": r.code, "name": r.name, "lon": r.lon, "lat": r.lat}
                         for r in existing_sites.itertuples()],
            "added": [{"name": a.get("name") or MANUAL_SITE_NAME, "kind": a.get("kind") or MANUAL_SITE_KIND,
                       "lon": a["lon"], "lat": a["lat"], "id": a.get("id")} for a in added],
            "removed": list(removed), "before": before, "after": after,
            "newly_covered": {key: after[key] - before[key] for key in ("households", "elderly", "residents")},
            "changed": changed, "status": "Manual", "gap": None, "method": "walking" if ctx.has_roads else "straight_line_detour",
            "estimated": _estimated(session, street)}


def save_scenario(session: Session, street: str, name: str | None, result: dict, user: str | None,
                  now: dt.datetime) -> dict:
    """Store a result under a name unique within the street."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise PlanningError("bad_name", "a scenario needs a name of 1 to 100 characters")
    if not result or result.get("street") != street:
        raise PlanningError("no_result", "run or edit a plan before saving it")
    taken = session.execute(select(m.PlanningScenario.id).where(m.PlanningScenario.street_code == street,
                                                                m.PlanningScenario.name == name)).first()
    if taken:
        raise PlanningError("name_taken", f"a scenario named {name!r} already exists")
    row = m.PlanningScenario(street_code=street, name=name, service_type=result["service_type"],
                             objective=result["objective"], result=json.dumps(result, ensure_ascii=False),
                             created_at=now, created_by=user)
    session.add(row)
    session.flush()
    return {"id": row.id, "name": name}


def delete_scenario(session: Session, street: str, scenario_id: int | None) -> str:
    """Remove a saved scenario of the street; its name for the message. Unknown (or another street's) → not_found."""
    row = session.get(m.PlanningScenario, scenario_id) if isinstance(scenario_id, int) else None
    if row is None or row.street_code != street:
        raise PlanningError("not_found", f"no scenario {scenario_id!r} on street {street}")
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
        removed = [c for c in removed if c != props["code"]] if props["code"] in removed else removed + [props["code"]]
    elif role == "candidate":
        lon, lat = feature["geometry"]["coordinates"]
        added.append({"id": props["id"], "name": props["name"], "kind": props["kind"], "lon": lon, "lat": lat})
    elif click is not None:
        added.append({"id": None, "name": TRIAL_SITE_NAME.format(n=len(added) + 1), "kind": MANUAL_SITE_KIND,
                      "lon": round(click[0], 6), "lat": round(click[1], 6)})
    return added, removed
