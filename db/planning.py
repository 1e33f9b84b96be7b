"""资源下沉 planning for one street: candidate sites, optimised and what-if siting, saved scenarios, capacity."""
from __future__ import annotations

import datetime as dt
import json
import time

import geopandas as gpd
import numpy as np
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from db import cache, models as m, walking
from geodata import siting, standards
from geodata.vocab import SERVICE_TYPES

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
    cache.mark_changed(session)
    return {"id": row.id, "kind": row.kind, "name": row.name, "lon": lon, "lat": lat, "note": None}


def remove_candidate(session: Session, street: str, candidate_id: int) -> bool:
    done = session.execute(delete(m.PlanningCandidate).where(m.PlanningCandidate.id == candidate_id,
                                                             m.PlanningCandidate.street_code == street)).rowcount
    if done:
        cache.mark_changed(session)
    return bool(done)


def write_demo_candidates(conn: Connection, areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                          now: dt.datetime) -> None:
    """Replace every candidate with plausible demo ones (called by db.seed in the seeding transaction)."""
    conn.execute(delete(m.PlanningCandidate))
    sites = siting.demo_candidates(areas, buildings)
    if len(sites):
        conn.execute(insert(m.PlanningCandidate), [
            {"street_code": r.street_code, "kind": r.kind, "name": r.name, "lon": round(r.geometry.x, 6),
             "lat": round(r.geometry.y, 6), "created_at": now, "created_by": "演示数据"} for r in sites.itertuples()])


def _inputs(session: Session, street: str, service_type: str) -> tuple:
    if service_type not in SERVICE_TYPES:
        raise PlanningError("bad_type", f"unknown service type {service_type!r}")
    std = walking.get_standards(session)
    ctx = walking.street_network(session, street)
    if ctx.buildings.empty:
        raise PlanningError("bad_street", f"street {street!r} has no buildings")
    return std, ctx, standards.radius(std, service_type)


def _existing(ctx: walking.StreetNetwork, service_type: str, detour: float) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Existing sites of a type and the buildings × sites distance matrix."""
    sites = ctx.points[ctx.points.service_type == service_type]
    return sites, ctx.matrix(sites[["lon", "lat"]].to_numpy(), detour)


def _numbers(ctx: walking.StreetNetwork, nearest: np.ndarray, radius: float) -> dict:
    b = ctx.buildings
    return siting.coverage_numbers(nearest, b.households.to_numpy(), b.elderly.to_numpy(), b.residents.to_numpy(),
                                   radius)


def _nearest(matrix: np.ndarray) -> np.ndarray:
    return matrix.min(axis=1) if matrix.shape[1] else np.full(matrix.shape[0], np.inf)


def optimise(session: Session, street: str, service_type: str, k: int, objective: str = "mclp",
             weight: str = "elderly") -> dict:
    """Best k new sites among the street's candidates, existing sites kept; coverage before and after."""
    if objective not in siting.OBJECTIVES:
        raise PlanningError("bad_objective", f"objective must be one of {siting.OBJECTIVES}, got {objective!r}")
    if weight not in WEIGHTS:
        raise PlanningError("bad_weight", f"weight must be one of {WEIGHTS}, got {weight!r}")
    std, ctx, radius = _inputs(session, street, service_type)
    candidates = list_candidates(session, street)
    started = time.perf_counter()
    existing_sites, existing = _existing(ctx, service_type, std["detour_factor"])
    cand = ctx.matrix(np.array([[c["lon"], c["lat"]] for c in candidates]).reshape(-1, 2), std["detour_factor"])
    demand = ctx.buildings[weight].to_numpy()
    if objective == "mclp":
        solution = siting.mclp(existing, cand, demand, radius, int(k))
    else:
        solution = siting.pmedian(existing, cand, demand, int(k))
    chosen = [candidates[j] for j in solution.chosen]
    before = _numbers(ctx, _nearest(existing), radius)
    after_nearest = np.minimum(_nearest(existing), _nearest(cand[:, solution.chosen]))
    after = _numbers(ctx, after_nearest, radius)
    return {"street": street, "service_type": service_type, "objective": objective, "weight": weight, "k": int(k),
            "radius_m": radius, "radius_minutes": round(standards.minutes(std, radius), 1),
            "existing": [{"code": r.code, "name": r.name, "lon": r.lon, "lat": r.lat}
                         for r in existing_sites.itertuples()],
            "added": [{"name": c["name"], "kind": c["kind"], "lon": c["lon"], "lat": c["lat"], "id": c["id"]}
                      for c in chosen],
            "removed": [], "before": before, "after": after,
            "newly_covered": {key: after[key] - before[key] for key in ("households", "elderly", "residents")},
            "status": solution.status, "gap": solution.gap, "seconds": round(time.perf_counter() - started, 2),
            "candidates": len(candidates), "method": "walking" if ctx.has_roads else "straight_line_detour"}


def what_if(session: Session, street: str, service_type: str, added: list[dict], removed: list[str]) -> dict:
    """Coverage with some sites added (lon/lat) and some existing ones (codes) removed, against today's."""
    std, ctx, radius = _inputs(session, street, service_type)
    existing_sites, existing = _existing(ctx, service_type, std["detour_factor"])
    today = _nearest(existing)
    kept = ~existing_sites.code.isin(list(removed)).to_numpy()
    new = ctx.matrix(np.array([[a["lon"], a["lat"]] for a in added]).reshape(-1, 2), std["detour_factor"])
    after_nearest = np.minimum(_nearest(existing[:, kept]), _nearest(new))
    before, after = _numbers(ctx, today, radius), _numbers(ctx, after_nearest, radius)
    return {"street": street, "service_type": service_type, "objective": "manual", "k": len(added),
            "radius_m": radius, "radius_minutes": round(standards.minutes(std, radius), 1),
            "existing": [{"code": r.code, "name": r.name, "lon": r.lon, "lat": r.lat}
                         for r in existing_sites.itertuples()],
            "added": [{"name": a.get("name") or "新增点位", "kind": a.get("kind") or "手动", "lon": a["lon"],
                       "lat": a["lat"], "id": a.get("id")} for a in added],
            "removed": list(removed), "before": before, "after": after,
            "newly_covered": {key: after[key] - before[key] for key in ("households", "elderly", "residents")},
            "status": "Manual", "gap": None, "method": "walking" if ctx.has_roads else "straight_line_detour"}


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

    return cache.cached(session, "capacity_access", (street, service_type), build)
