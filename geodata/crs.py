"""Coordinate systems: storage is WGS-84; metric work in a projection centred on the data; GCJ-02 only for 高德 tiles."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import coordTransform
import numpy as np
from pyproj import CRS, Geod, Transformer

WGS84 = "EPSG:4326"
# The demo generator draws its invented streets in UTM 51N metres and moves them to 瑞安. A drawing frame only:
# analysis never measures in it (it is 0.03 % off at the demo and 15 % off at 25°E); use metric_crs().
DEMO_FRAME = "EPSG:32651"
METRIC_MERIDIAN_STEP_DEG = 1.0  # central meridians on whole degrees: one CRS (one cache key) per place

_GEOD = Geod(ellps="WGS84")


def metric_crs(lon: float, lat: float) -> str:
    """A metric CRS for work around (lon, lat): transverse Mercator, scale 1 on a meridian through the place.

    Why not the UTM zone of the place: a zone is 6° wide and scaled 0.9996 on its meridian, so lengths are 0.04 %
    short in its middle and up to 0.1 % long at its edges (more at the edge for data that spills over), and a
    street astride a zone boundary has to pick a side. Centred on the place with scale 1, the error is about
    (Δλ·cos φ)²/2 for Δλ the offset from the central meridian: the meridian is rounded to a whole degree
    (Δλ ≤ 0.5°, < 0.004 %) so that every street nearby gets the same CRS string, and cache keys stay stable.
    Good for a city's extent (a few tens of km either side) at any latitude, north or south; `lat` is only checked.
    """
    if not (np.isfinite(lon) and np.isfinite(lat)) or not -90 <= lat <= 90:
        raise ValueError(f"not a place: {lon}, {lat}")
    meridian = round(float(lon) / METRIC_MERIDIAN_STEP_DEG) * METRIC_MERIDIAN_STEP_DEG
    meridian = (meridian + 180.0) % 360.0 - 180.0 + 0.0  # 180°E and 180°W are one meridian; no "-0"
    return f"+proj=tmerc +lat_0=0 +lon_0={meridian:g} +k=1 +x_0=500000 +y_0=0 +datum=WGS84 +units=m +no_defs"


def metric_crs_around(*layers) -> str:
    """metric_crs() at the middle of the joint bounds of GeoSeries / GeoDataFrames (any CRS; empty ones ignored)."""
    boxes = []
    for layer in layers:
        if layer is None or len(layer) == 0:
            continue
        if layer.crs is None:
            raise ValueError("geometries need a CRS")
        x0, y0, x1, y1 = layer.total_bounds
        if not np.isfinite([x0, y0, x1, y1]).all():
            continue
        to_wgs = _transformer(CRS.from_user_input(layer.crs).to_string(), WGS84)
        lons, lats = to_wgs.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
        boxes.append((min(lons), min(lats), max(lons), max(lats)))
    if not boxes:
        return metric_crs(0.0, 0.0)  # nothing to measure: any valid frame keeps empty results' shape
    b = np.array(boxes)
    return metric_crs((b[:, 0].min() + b[:, 2].max()) / 2, (b[:, 1].min() + b[:, 3].max()) / 2)


@lru_cache(maxsize=64)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def lonlat_to_metric(lon, lat, metric: str):
    """WGS-84 lon/lat to (x, y) metres of `metric` (a metric_crs(), or DEMO_FRAME in the demo generator)."""
    return _transformer(WGS84, metric).transform(lon, lat)


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
    back_lon, back_lat = to_wgs84([lon], [lat], "gcj02")
    return float(back_lon[0]), float(back_lat[0])


def to_display(lon: float, lat: float, gcj02: bool) -> tuple[float, float]:
    if not gcj02:
        return lon, lat
    shown_lon, shown_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return shown_lon, shown_lat


def shifted(lon: float, lat: float, kind: str) -> tuple[float, float]:
    """A WGS-84 point as 高德 (`gcj02`) or 百度 (`bd09`) maps and apps expect it."""
    if kind not in SHIFTED:
        raise ValueError(f"unknown shifted datum {kind!r}")
    x, y = _forward(kind)(lon, lat)
    return float(x), float(y)


# The Chinese datum shifts: GCJ-02 (高德) and BD-09 (百度) → WGS-84 by a precise inverse of the forward shift.
SHIFTED = ("gcj02", "bd09")
TOLERANCE_DEG = 1e-9  # ≈0.1 mm: well below the sub-millimetre promise
MAX_ITERATIONS = 30


def _forward(kind: str):
    return coordTransform.wgs84_to_gcj02 if kind == "gcj02" else coordTransform.wgs84_to_bd09


def to_wgs84(lon, lat, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Invert the forward WGS-84 → GCJ-02/BD-09 shift by fixed-point iteration to under 1e-9 degrees."""
    if kind not in SHIFTED:
        raise ValueError(f"unknown shifted datum {kind!r}")
    target_x = np.asarray(lon, dtype=float)
    target_y = np.asarray(lat, dtype=float)
    forward = _forward(kind)
    x, y = target_x.copy(), target_y.copy()
    for _ in range(MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = target_x - np.asarray(fx), target_y - np.asarray(fy)
        x, y = x + dx, y + dy
        if x.size == 0 or max(np.abs(dx).max(), np.abs(dy).max()) < TOLERANCE_DEG:
            break
    return x, y
