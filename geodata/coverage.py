"""Coverage of residents by service points; straight-line for now (walking network comes in issue 6)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import crs


def nearest_distances(buildings: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> pd.Series:
    """Straight-line metres from each building footprint to the nearest point; inf when there is no point."""
    if buildings.crs is None or points.crs is None:
        raise ValueError("buildings and points need a CRS")
    if buildings.empty:
        return pd.Series([], dtype=float, index=buildings.index)
    if points.empty:
        return pd.Series(np.inf, index=buildings.index)
    b = buildings.geometry.to_crs(crs.METRIC).values
    p = points.geometry.to_crs(crs.METRIC).values
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
