"""Who lies in whom: children to the parent they overlap most, points to the polygon that holds them."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import crs


TIE = 1e-9  # relative: overlaps this close are equal (the same building inside two overlapping compounds)


def _pick(pairs: pd.DataFrame, current) -> pd.DataFrame:
    """One parent per child from candidate (c, k) pairs: the child's current parent if it is a candidate, else the
    lowest key. A tie never moves what is stored, and a new child lands the same way on every run."""
    keep = np.zeros(len(pairs), dtype=bool)
    if current is not None:
        now = np.asarray(list(current), dtype=object)
        keep = pairs.k.to_numpy() == now[pairs.c.to_numpy()]
    return (pairs.assign(stays=keep).sort_values(["c", "stays", "k"], ascending=[True, False, True], kind="stable")
            .drop_duplicates("c"))


def largest_overlap(children: gpd.GeoSeries, parents: gpd.GeoDataFrame, key: str = "code",
                    current=None) -> pd.Series:
    """For each child polygon, the `key` of the parent it overlaps most (None when it overlaps none).

    `current`: each child's parent as stored (or None). Overlaps within a relative TIE of the largest are a tie,
    resolved by `_pick`.
    """
    out = pd.Series([None] * len(children), index=children.index, dtype=object)
    if children.empty or parents.empty:
        return out
    # degrees are fine here: only which parent overlaps most matters, and all candidates share a latitude
    child = children.values
    parent = parents.geometry.values
    tree = shapely.STRtree(parent)
    ci, pi = tree.query(child, predicate="intersects")
    if not len(ci):
        return out
    area = shapely.area(shapely.intersection(child[ci], parent[pi]))
    codes = parents[key].to_numpy()
    pairs = pd.DataFrame({"c": ci, "k": codes[pi], "a": area})
    pairs = pairs[pairs.a > 0]
    pairs = _pick(pairs[pairs.a >= pairs.groupby("c").a.transform("max") * (1 - TIE)], current)
    out.iloc[pairs.c.to_numpy()] = pairs.k.to_numpy()
    return out


def containing(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame, key: str = "code", current=None) -> pd.Series:
    """For each point (or line, by its midpoint), the `key` of a polygon that contains it (None when none does);
    inside overlapping polygons, as `_pick` says."""
    out = pd.Series([None] * len(points), index=points.index, dtype=object)
    if points.empty or polygons.empty:
        return out
    probe = shapely.point_on_surface(points.values)
    tree = shapely.STRtree(polygons.geometry.values)
    pi, qi = tree.query(probe, predicate="within")
    codes = polygons[key].to_numpy()
    first = _pick(pd.DataFrame({"c": pi, "k": codes[qi]}), current)
    out.iloc[first.c.to_numpy()] = first.k.to_numpy()
    return out


def next_codes(prefix: str, taken, count: int, width: int, max_width: int | None = None) -> list[str]:
    """`count` unused codes prefix + zero-padded number, lowest numbers first. Past 10**width - 1 the numbers take
    more digits (a huge compound has thousands of buildings), up to `max_width`."""
    max_width = width + 3 if max_width is None else max_width
    used = {int(c[len(prefix):]) for c in taken if c.startswith(prefix) and c[len(prefix):].isdigit()
            and width <= len(c) - len(prefix) <= max_width}
    out, n = [], 1
    while len(out) < count:
        if n >= 10 ** max_width:
            raise OverflowError(f"no free code of up to {max_width} digits left under {prefix}")
        if n not in used:
            out.append(f"{prefix}{n:0{width}d}")
        n += 1
    return out


def distance_outside_m(geoms, area) -> np.ndarray:
    """Metres from each geometry to `area` (0 inside), in a projection centred on the area (valid anywhere)."""
    c = area.centroid
    local = f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"
    g = gpd.GeoSeries(list(geoms), crs=crs.WGS84).to_crs(local).values
    a = gpd.GeoSeries([area], crs=crs.WGS84).to_crs(local).values[0]
    return shapely.distance(g, a)
