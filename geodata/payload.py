"""Compact GeoJSON payloads for the map: 6-decimal coordinates (≈0.1 m), optional simplification."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import orjson
import shapely

PRECISION = 1e-6  # degrees; ≈0.1 m, finer than any footprint survey
METRES_PER_DEGREE = 111_000.0  # latitude; close enough to turn a simplification tolerance into degrees


def feature_collection(geometries: Sequence, properties: Sequence[dict], simplify_m: float = 0.0) -> dict:
    """A GeoJSON FeatureCollection from shapely geometries and one property dict per geometry."""
    if len(geometries) != len(properties):
        raise ValueError(f"{len(geometries)} geometries but {len(properties)} property rows")
    if not len(geometries):
        return {"type": "FeatureCollection", "features": []}
    geoms = np.asarray(geometries, dtype=object)
    if simplify_m:
        # metres → degrees at these latitudes; preserve_topology keeps rings valid
        geoms = shapely.simplify(geoms, simplify_m / METRES_PER_DEGREE, preserve_topology=True)
    geoms = shapely.set_precision(geoms, PRECISION)
    # one parse of the joined array is several times faster than a parse per geometry
    decoded = orjson.loads("[" + ",".join(shapely.to_geojson(geoms)) + "]")
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": g, "properties": p} for g, p in zip(decoded, properties)],
    }


def from_geojson_text(geometries: Sequence[str], properties: Sequence[dict]) -> dict:
    """A FeatureCollection from geometries already encoded as GeoJSON text (e.g. by PostGIS ST_AsGeoJSON)."""
    if len(geometries) != len(properties):
        raise ValueError(f"{len(geometries)} geometries but {len(properties)} property rows")
    decoded = orjson.loads("[" + ",".join(geometries) + "]")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": g, "properties": p} for g, p in zip(decoded, properties)]}


def point_collection(lons: Sequence[float], lats: Sequence[float], properties: Sequence[dict]) -> dict:
    """Point features without going through shapely: the common case for cases and service points."""
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                      "properties": p} for x, y, p in zip(lons, lats, properties)],
    }
