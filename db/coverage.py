"""How far residents walk: each building's metres to the nearest service point, and an area's coverage by type."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from db import areas, cache, planning, spatial, walking
from geodata import codes, coverage, standards

# coverage reads what walking distances read (buildings, roads and points) and the standards
NETWORK_READS = walking.NETWORK_READS
COVERAGE_READS = (*walking.NETWORK_READS, cache.STANDARDS)


def nearest_service_points(session: Session, building: dict) -> list[dict]:
    """For one building (as areas.get_area gives it): the nearest service point of every type, in walking metres on the road network
    (straight line × detour where the street has no roads, within reach), closest first."""
    std, building_code = walking.get_standards(session), building["code"]
    best = walking.nearest_by_walking(session, building_code)
    walked = best is not None
    if not walked:
        best = spatial.nearest_per_type(session, building_code)
        best = best.assign(distance_m=best.distance_m.astype(float) * std["detour_factor"])
    return [{"service_type": r.service_type, "name": r.name, "code": r.code, "hours": r.hours,
             "distance_m": int(round(r.distance_m)), "radius_m": standards.radius(std, r.service_type),
             "within_standard": r.distance_m <= standards.radius(std, r.service_type), "walking": walked}
            for r in best.itertuples()]


def building_distances(session: Session, area: dict, service_type: str,
                       walk: bool = True) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Buildings of an area and their metres to the nearest point of `service_type` (inf when there is none).

    Walking on the road network by default (straight line × detour where a street has no roads);
    `walk=False` gives the straight line, kept for comparison.
    """
    # One computation per street, type and data version; every area inside it is a filter of that frame.
    street = codes.street_of(area["code"])
    if walk:
        every, _ = walking.walking_distances(session, street, service_type)
    else:
        every = cache.cached(session, "street_distances", (street, service_type),
                             lambda: spatial.distances_to_nearest(session, "street_code", street, service_type),
                             NETWORK_READS)
    if area["level"] == "grid":
        mine = every[every.grid_code == area["code"]]
    else:  # street, community, compound and building codes are prefixes of the building code
        mine = every[every.code.str.startswith(area["code"])]
    return mine.drop(columns=["distance_m"]), mine["distance_m"]


def area_coverage(session: Session, area: dict, service_type: str) -> dict:
    """Walking coverage of an area for one service type (with the straight line beside it)."""
    code, street = area["code"], codes.street_of(area["code"])

    def build() -> dict:
        std = walking.get_standards(session)
        radius = standards.radius(std, service_type)
        buildings, dist = building_distances(session, area, service_type)
        street_buildings, straight = building_distances(session, area, service_type, walk=False)
        ctx = walking.street_network(session, street)
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
                "gaps": _named_gaps(session, street, coverage.rank_gaps(buildings, dist, radius)),
                "children": coverage.shares_by(buildings, dist, radius, _child_key(area, buildings)),
                "capacity": _capacity(session, street, service_type, buildings, std)}

    return cache.cached(session, "coverage", (code, service_type), build, COVERAGE_READS)


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
        return buildings.code.map(codes.community_of)
    return buildings.compound_code


def _named_gaps(session: Session, street: str, gaps: list[dict], limit: int = 10) -> list[dict]:
    names = areas.names_in_street(session, street)
    return [{**g, "name": names.get(g["code"], (g["code"], False))[0], "estimated": names.get(g["code"], ("", False))[1]}
            for g in gaps[:limit]]
