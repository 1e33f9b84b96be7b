"""Geometry hygiene: repair invalid shapes, drop empties and wrong types, keep multi-parts, drop duplicates."""
from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

FAMILY_TYPES = {"polygon": ("Polygon", "MultiPolygon"), "line": ("LineString", "MultiLineString"),
                "point": ("Point",)}
GRID = 1e-7  # degrees (≈1 cm): two shapes equal at this precision are the same shape


def problem(row, source_id, reason: str, detail: str = "") -> dict:
    return {"row": None if row is None else int(row), "id": None if source_id is None else str(source_id),
            "reason": reason, "detail": detail}


def _only_family(geom, family: str):
    """make_valid may turn a bow-tie into polygons plus a stray line: keep the part of the wanted family."""
    wanted = FAMILY_TYPES[family]
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type.startswith("Multi") and len(geom.geoms) == 1:
        geom = geom.geoms[0]  # a one-part multi is just the part (OSM's multipolygon layer wraps every way)
    if geom.geom_type in wanted:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in wanted or (family == "polygon" and g.geom_type == "MultiPolygon")]
        if parts:
            merged = shapely.union_all(parts)
            return merged if merged.geom_type in wanted else None
    return None


def content_ids(geoms, names) -> list[str]:
    """A stable id from shape (and name) for files that carry no id: re-importing them still finds the same rows."""
    wkb = shapely.to_wkb(shapely.set_precision(np.asarray(geoms, dtype=object), GRID))
    return ["sha1:" + hashlib.sha1(w + str(n or "").encode()).hexdigest()[:16] for w, n in zip(wkb, names)]


def clean(frame: gpd.GeoDataFrame, family: str) -> tuple[gpd.GeoDataFrame, dict, list[dict]]:
    """(clean frame, counts, problems). Columns `_row` and `source_id` must be present."""
    counts = {"read": int(len(frame)), "repaired": 0, "empty": 0, "wrong_type": 0, "multipart": 0, "duplicate": 0}
    problems: list[dict] = []
    geoms = frame.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for r, sid in zip(frame["_row"][missing], frame["source_id"][missing]):
        problems.append(problem(r, sid, "empty"))
    counts["empty"] = int(missing.sum())
    frame = frame[~missing].copy()
    geoms = np.asarray(frame.geometry.values, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        for r, sid, reason in zip(frame["_row"][invalid], frame["source_id"][invalid], reasons):
            problems.append(problem(r, sid, "repaired", reason))
        counts["repaired"] = int(invalid.sum())
    kept = [_only_family(g, family) for g in geoms]
    wrong = np.array([k is None for k in kept], dtype=bool)
    for r, sid, g in zip(frame["_row"][wrong], frame["source_id"][wrong], geoms[wrong]):
        problems.append(problem(r, sid, "wrong_type", g.geom_type if g is not None else "None"))
    counts["wrong_type"] = int(wrong.sum())
    frame = frame.set_geometry(gpd.GeoSeries(kept, index=frame.index, crs=frame.crs))[~wrong].copy()
    counts["multipart"] = int(frame.geom_type.str.startswith("Multi").sum())
    if "source_id" in frame and frame["source_id"].isna().any():
        # a shape is its own identity (a renamed grid stays the same grid); points also need the name, since two
        # services often share one door
        names = frame["name"] if family == "point" and "name" in frame else [None] * len(frame)
        fill = content_ids(frame.geometry.values, names)
        frame["source_id"] = frame["source_id"].where(frame["source_id"].notna(), pd.Series(fill, index=frame.index))
    frame["source_id"] = frame["source_id"].astype(str)
    shape_key = shapely.to_wkb(shapely.normalize(shapely.set_precision(frame.geometry.values, GRID)))
    dup = pd.Series(shape_key, index=frame.index).duplicated() | frame["source_id"].duplicated()
    for r, sid in zip(frame["_row"][dup], frame["source_id"][dup]):
        problems.append(problem(r, sid, "duplicate"))
    counts["duplicate"] = int(dup.sum())
    return frame[~dup].copy(), counts, problems
