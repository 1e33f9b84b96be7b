"""A street's areas from an extract that has only some of them: outline, communities, compounds and generated groups.

Real extracts rarely carry the whole hierarchy: OSM has 小区 (`landuse=residential`) for a quarter to a third of the
buildings, and seldom the 街道 / 社区 boundaries. What the file lacks is drawn from what it has and marked as
generated, so drill-down works and nobody mistakes it for an official boundary. Pure: frames in, frames out (WGS-84).
"""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import crs

OUTLINE_RATIO = 0.1  # concave hull: 0 hugs every notch, 1 is the convex hull; 0.1 follows a street's blocks
OUTLINE_MARGIN_M = 30.0  # the outline passes this far outside the outermost buildings
MIN_BLOCK_M2 = 200.0  # slivers between parallel ways are not blocks
CELL_M = 250.0  # where ways enclose no block, buildings are grouped by cells of this size
MAX_BLOCK_M2 = 4 * CELL_M ** 2  # a bigger "block" (a community with few ways) is cut into cells: groups stay walkable


def _metric(frame: gpd.GeoDataFrame | gpd.GeoSeries, metric: str):
    return frame.to_crs(metric)


def outline(buildings: gpd.GeoDataFrame, metric: str) -> shapely.Geometry:
    """The data's own outline (WGS-84): a concave hull of the buildings with a margin, when no boundary is given."""
    if buildings.empty:
        raise ValueError("no buildings to draw an outline around")
    shapes = _metric(buildings.geometry, metric).values
    # one point per building is enough for the hull (and 5× faster than every vertex); the margin covers the rest
    points = shapely.multipoints(shapely.get_coordinates(shapely.point_on_surface(shapes)))
    hull = shapely.concave_hull(points, ratio=OUTLINE_RATIO)
    if hull.geom_type != "Polygon" or hull.area == 0:
        hull = shapely.convex_hull(points)
    shape = shapely.buffer(hull, OUTLINE_MARGIN_M, quad_segs=4)
    return gpd.GeoSeries([shape], crs=metric).to_crs(crs.WGS84).values[0]


def pick_boundary(boundaries: gpd.GeoDataFrame, level: int, name: str | None,
                  buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The boundary of `admin_level` named `name`, else the one that holds most buildings (one row or none)."""
    at_level = boundaries[boundaries.admin_level == level]
    if at_level.empty:
        return at_level
    if name:
        named = at_level[at_level.name == name]
        if len(named):
            return named.iloc[:1]
    probe = shapely.point_on_surface(buildings.geometry.values) if len(buildings) else np.empty(0, object)
    held = [int(shapely.contains(g, probe).sum()) if len(probe) else 0 for g in at_level.geometry.values]
    order = np.lexsort((at_level.source_id.to_numpy(), -np.asarray(held)))
    return at_level.iloc[order[:1]]


def communities_within(street: shapely.Geometry, boundaries: gpd.GeoDataFrame, level: int,
                       buildings: gpd.GeoDataFrame, whole_name: str, rest_name: str) -> gpd.GeoDataFrame:
    """Communities: the file's boundaries of `level` inside the street, clipped to it; the part of the street they
    leave out becomes one generated community when buildings stand there (all of it when the file has none)."""
    at_level = boundaries[(boundaries.admin_level == level)
                          & shapely.intersects(boundaries.geometry.values, street)].copy()
    rows = []
    for sid, name, geom in zip(at_level.source_id, at_level.name, at_level.geometry.values):
        part = shapely.intersection(geom, street)
        inside = shapely.area(part) / max(shapely.area(geom), 1e-18)
        if inside > 0.5:  # a neighbour touching the edge is not ours
            rows.append({"source_id": sid, "name": name, "generated": False, "geometry": part})
    taken = shapely.union_all([r["geometry"] for r in rows]) if rows else None
    rest = street if taken is None else shapely.difference(street, taken)
    probe = shapely.point_on_surface(buildings.geometry.values) if len(buildings) else np.empty(0, object)
    if not rest.is_empty and (taken is None or (len(probe) and shapely.contains(rest, probe).any())):
        rows.append({"source_id": f"gen:community:{_digest(rest)}", "name": rest_name if rows else whole_name,
                     "generated": True, "geometry": rest})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["source_id", "name", "generated", "geometry"]),
                            geometry="geometry", crs=crs.WGS84)


def unnest_compounds(compounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Residential areas drawn inside a larger one (a named 小区 inside an unnamed residential quarter): the larger
    loses what the smaller covers, so each building belongs to the most specific compound."""
    if len(compounds) < 2:
        return compounds
    geoms = np.asarray(compounds.geometry.values, dtype=object)
    areas = shapely.area(geoms)
    tree = shapely.STRtree(geoms)
    out = geoms.copy()
    for i, j in zip(*tree.query(geoms, predicate="contains_properly")):
        if i != j and areas[j] < areas[i]:
            out[i] = shapely.difference(out[i], geoms[j])
    frame = compounds.set_geometry(gpd.GeoSeries(out, index=compounds.index, crs=compounds.crs))
    return frame[~shapely.is_empty(frame.geometry.values)]


def _digest(geom) -> str:
    return hashlib.sha1(shapely.to_wkb(shapely.set_precision(geom, 1e-6))).hexdigest()[:12]


def _cells(block) -> list:
    """A block, or the pieces of it in each CELL_M cell when it is too big to be one group."""
    if shapely.area(block) <= MAX_BLOCK_M2:
        return [block]
    x0, y0, x1, y1 = block.bounds
    cells = [shapely.box(x, y, x + CELL_M, y + CELL_M)
             for x in np.arange(np.floor(x0 / CELL_M) * CELL_M, x1, CELL_M)
             for y in np.arange(np.floor(y0 / CELL_M) * CELL_M, y1, CELL_M)]
    pieces = shapely.intersection(np.asarray(cells, dtype=object), block)
    return [p for p in pieces if not p.is_empty and shapely.area(p) >= MIN_BLOCK_M2]


def generated_groups(community: shapely.Geometry, orphans: gpd.GeoDataFrame, ways: gpd.GeoDataFrame,
                     compounds: gpd.GeoDataFrame, metric: str) -> gpd.GeoDataFrame:
    """Groups for the buildings of one community that no compound holds: the blocks the ways enclose (minus the
    compounds; a block of over MAX_BLOCK_M2 cut into CELL_M cells), and cells for buildings no block holds. One row per group that has buildings; the
    source id is the group's shape, so re-running the import finds the same groups."""
    columns = ["source_id", "geometry"]
    if orphans.empty:
        return gpd.GeoDataFrame(pd.DataFrame([], columns=columns), geometry="geometry", crs=crs.WGS84)
    area_m = gpd.GeoSeries([community], crs=crs.WGS84).to_crs(metric).values[0]
    lines = _metric(ways.geometry, metric).values if len(ways) else np.empty(0, object)
    lines = lines[shapely.intersects(lines, area_m)] if len(lines) else lines
    taken = shapely.union_all(_metric(compounds.geometry, metric).values) if len(compounds) else None
    edges = shapely.union_all([*lines, shapely.boundary(area_m)])
    blocks = [b for b in shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
              if shapely.area(b) >= MIN_BLOCK_M2]
    blocks = [shapely.intersection(b, area_m) for b in blocks]
    if taken is not None:
        blocks = [shapely.difference(b, taken) for b in blocks]
    blocks = [c for b in blocks if not b.is_empty and shapely.area(b) >= MIN_BLOCK_M2 for c in _cells(b)]
    probe = shapely.point_on_surface(_metric(orphans.geometry, metric).values)
    owner = np.full(len(probe), -1)
    if blocks:
        tree = shapely.STRtree(blocks)
        pi, bi = tree.query(probe, predicate="within")
        first = pd.DataFrame({"p": pi, "b": bi}).drop_duplicates("p")
        owner[first.p.to_numpy()] = first.b.to_numpy()
    groups = [blocks[i] for i in sorted(set(owner[owner >= 0]))]
    loose = owner < 0
    if loose.any():  # no way encloses them: cells of a fixed grid, cut to the community
        cell_of = np.floor(shapely.get_coordinates(probe[loose]) / CELL_M).astype(int)
        footprints = _metric(orphans.geometry, metric).values[loose]
        for cx, cy in sorted(set(map(tuple, cell_of))):
            cell = shapely.box(cx * CELL_M, cy * CELL_M, (cx + 1) * CELL_M, (cy + 1) * CELL_M)
            piece = shapely.intersection(cell, area_m)
            if taken is not None:
                piece = shapely.difference(piece, taken)
            # buildings on the cell's edge must overlap their group most: the cell grows to hold them whole
            piece = shapely.union_all([piece, *footprints[np.all(cell_of == (cx, cy), axis=1)]])
            if not piece.is_empty:
                groups.append(piece)
    shapes = gpd.GeoSeries(groups, crs=metric).to_crs(crs.WGS84).values
    shapes = shapely.set_precision(shapes, 1e-6)
    return gpd.GeoDataFrame(pd.DataFrame({"source_id": [f"gen:group:{_digest(g)}" for g in shapes]}),
                            geometry=list(shapes), crs=crs.WGS84)
