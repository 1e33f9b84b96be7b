"""Coverage of residents by service points: straight-line, and walking on the road network."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import crs, network


def nearest_distances(buildings: gpd.GeoDataFrame, points: gpd.GeoDataFrame, metric: str | None = None) -> pd.Series:
    """Straight-line metres from each building footprint to the nearest point; inf when there is no point.

    Measured in `metric` (a street passes its own), by default crs.metric_crs_around the inputs."""
    if buildings.crs is None or points.crs is None:
        raise ValueError("buildings and points need a CRS")
    if buildings.empty:
        return pd.Series([], dtype=float, index=buildings.index)
    if points.empty:
        return pd.Series(np.inf, index=buildings.index)
    metric = metric or crs.metric_crs_around(buildings, points)
    b = buildings.geometry.to_crs(metric).values
    p = points.geometry.to_crs(metric).values
    tree = shapely.STRtree(p)
    (b_idx, _), dist = tree.query_nearest(b, return_distance=True, all_matches=False)
    out = np.full(len(b), np.inf)
    out[b_idx] = dist
    return pd.Series(out, index=buildings.index)


def coverage_summary(buildings: pd.DataFrame, distances: pd.Series, radius_m: float) -> dict:
    """Shares of buildings, households and elderly within `radius_m` of a point."""
    covered = distances <= radius_m

    def share(weight: str) -> float | None:
        total = float(buildings[weight].sum())
        return round(float(buildings.loc[covered, weight].sum()) / total, 4) if total else None

    return {
        "radius_m": radius_m,
        "buildings": int(len(buildings)),
        "buildings_covered": int(covered.sum()),
        "households_share": share("households"),
        "elderly_share": share("elderly"),
        "residents_share": share("residents"),
        "gap_households": int(buildings.loc[~covered, "households"].sum()),
        "gap_elderly": int(buildings.loc[~covered, "elderly"].sum()),
    }


@dataclass(frozen=True)
class Walk:
    """Walking metres per building and how they were obtained (network, or straight line × detour as a fallback)."""

    distance: pd.Series
    method: str  # "walking" | "straight_line_detour"
    report: dict = field(default_factory=dict)  # components of the network, buildings cut off from it


def metric_xy(geoms: gpd.GeoSeries, metric: str) -> np.ndarray:
    """(x, y) in `metric` (the CRS the network was built in) of points, or of a point inside each polygon."""
    if geoms.crs is None:
        raise ValueError("geometries need a CRS")
    projected = geoms.to_crs(metric)
    inside = shapely.point_on_surface(projected.values) if len(projected) else np.empty(0, object)
    return shapely.get_coordinates(inside).reshape(-1, 2)


def walking_distances(buildings: gpd.GeoDataFrame, points: gpd.GeoDataFrame, roads: gpd.GeoSeries,
                      detour_factor: float, net: network.Network | None = None, metric: str | None = None) -> Walk:
    """Walking metres from each building to the nearest point, on `roads` (any lines); straight line × detour without roads.

    Everything is measured in `metric`, by default crs.metric_crs_around the inputs; a prebuilt `net` comes with the
    CRS it was built in."""
    if buildings.crs is None or points.crs is None or roads.crs is None:
        raise ValueError("buildings, points and roads need a CRS")
    if net is not None and metric is None:
        raise ValueError("a prebuilt network needs the metric CRS it was built in")
    metric = metric or crs.metric_crs_around(buildings, points, roads)
    if net is None:
        net = network.build(list(roads.to_crs(metric).values))
    if net.empty:
        straight = nearest_distances(buildings, points, metric)
        return Walk(straight * detour_factor, "straight_line_detour", {"components": 0, "unreachable_buildings": 0})
    if buildings.empty:
        return Walk(pd.Series([], dtype=float, index=buildings.index), "walking", net.components_report())
    b = network.snap(net, metric_xy(buildings.geometry, metric))
    p = network.snap(net, metric_xy(points.geometry, metric))
    dist = network.nearest(net, b, p)
    report = {**net.components_report(), "off_main_buildings": int((~network.reachable(net, b)).sum()),
              "unreachable_buildings": int(np.isinf(dist).sum()) if len(points) else 0}
    return Walk(pd.Series(dist, index=buildings.index), "walking", report)


def rank_gaps(buildings: pd.DataFrame, distances: pd.Series, radius_m: float) -> list[dict]:
    """Uncovered buildings grouped by compound, most elderly (then households) affected first."""
    gap = buildings.loc[distances > radius_m].assign(distance_m=distances[distances > radius_m])
    if gap.empty:
        return []
    grouped = gap.groupby("compound_code").agg(buildings=("code", "size"), households=("households", "sum"),
                                               elderly=("elderly", "sum"), farthest_m=("distance_m", "max"))
    grouped = grouped.sort_values(["elderly", "households"], ascending=False, kind="stable")
    return [{"code": c, "buildings": int(r.buildings), "households": int(r.households), "elderly": int(r.elderly),
             "farthest_m": None if np.isinf(r.farthest_m) else int(round(r.farthest_m))}
            for c, r in grouped.iterrows()]


def shares_by(buildings: pd.DataFrame, distances: pd.Series, radius_m: float, key: pd.Series) -> list[dict]:
    """Population-weighted coverage share (residents and elderly) of each group of buildings."""
    covered = distances <= radius_m
    frame = pd.DataFrame({"key": key, "residents": buildings.residents, "elderly": buildings.elderly,
                          "residents_in": buildings.residents.where(covered, 0),
                          "elderly_in": buildings.elderly.where(covered, 0)})
    sums = frame.groupby("key").sum()
    return [{"code": k, "residents_share": round(float(r.residents_in / r.residents), 4) if r.residents else None,
             "elderly_share": round(float(r.elderly_in / r.elderly), 4) if r.elderly else None}
            for k, r in sums.iterrows()]
