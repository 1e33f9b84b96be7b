"""Coordinate systems: storage is WGS-84; metric work in UTM; GCJ-02 only for display on 高德 tiles."""
from __future__ import annotations

from typing import Any

import coordTransform
import numpy as np
from pyproj import Geod, Transformer

WGS84 = "EPSG:4326"
# UTM zone 51N covers 120°E–126°E (瑞安, 温州); good to well under 0.1 % scale error there.
METRIC = "EPSG:32651"

_GEOD = Geod(ellps="WGS84")
_to_metric = Transformer.from_crs(WGS84, METRIC, always_xy=True)


def lonlat_to_metric(lon, lat):
    return _to_metric.transform(lon, lat)


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Approximate (metres per degree longitude, per degree latitude) at `lat`."""
    return 111_320.0 * float(np.cos(np.radians(lat))), 110_574.0


def _map_coords(coords: Any, fn) -> Any:
    if isinstance(coords[0], (int, float)):
        lon, lat = fn(coords[0], coords[1])
        return [round(lon, 6), round(lat, 6)]
    return [_map_coords(c, fn) for c in coords]


def geojson_to_gcj02(collection: dict) -> dict:
    """A copy of a FeatureCollection with WGS-84 coordinates shifted to GCJ-02 (for 高德 tiles)."""
    features = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        if geometry:
            geometry = {**geometry, "coordinates": _map_coords(geometry["coordinates"], coordTransform.wgs84_to_gcj02)}
        features.append({**feature, "geometry": geometry})
    return {**collection, "features": features}


def bounds_to_gcj02(bounds: list[list[float]]) -> list[list[float]]:
    """[[south, west], [north, east]] shifted to GCJ-02."""
    (s, w), (n, e) = bounds
    w2, s2 = coordTransform.wgs84_to_gcj02(w, s)
    e2, n2 = coordTransform.wgs84_to_gcj02(e, n)
    return [[s2, w2], [n2, e2]]


def distance_m(lon: float, lat: float, lons, lats) -> np.ndarray:
    """Ellipsoidal metres from one point to many."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    _, _, dist = _GEOD.inv(np.full(lons.shape, lon), np.full(lats.shape, lat), lons, lats)
    return dist


def from_display(lon: float, lat: float, gcj02: bool) -> tuple[float, float]:
    """A point clicked on the map back in WGS-84 (the map shows GCJ-02 on 高德 tiles), by the precise inverse."""
    if not gcj02:
        return lon, lat
    from geodata.importing.coords import to_wgs84  # imported here: coords itself imports this module

    back_lon, back_lat = to_wgs84([lon], [lat], "gcj02")
    return float(back_lon[0]), float(back_lat[0])


def to_display(lon: float, lat: float, gcj02: bool) -> tuple[float, float]:
    if not gcj02:
        return lon, lat
    shown_lon, shown_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return shown_lon, shown_lat
