"""A boundary drawn by hand on the map: one valid polygon in longitude/latitude, of a size a street can have."""
from __future__ import annotations

import shapely
from pyproj import Geod

from geodata.importing.errors import ImportRefused

MAX_AREA_KM2 = 3000.0  # larger than the largest 街道/镇 drawn as one piece; beyond it a slip of the mouse, not a street
MIN_AREA_M2 = 100.0  # smaller than one building: a double click, not a boundary
_GEOD = Geod(ellps="WGS84")


def area_km2(geom) -> float:
    """Geodesic area (km²) of a polygon in longitude/latitude."""
    return abs(_GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def drawn_polygon(collection: dict | None) -> shapely.Geometry:
    """The one polygon of a GeoJSON FeatureCollection drawn on the map, checked; ImportRefused otherwise."""
    features = [f for f in (collection or {}).get("features") or [] if isinstance(f, dict)]
    shapes = []
    for f in features:
        try:
            shapes.append(shapely.geometry.shape(f.get("geometry") or {}))
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
            raise ImportRefused("drawn_invalid", "the drawn shape is not valid GeoJSON") from None
    polygons = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise ImportRefused("drawn_none", "draw a polygon on the map first")
    if len(polygons) > 1:
        raise ImportRefused("drawn_many", f"{len(polygons)} polygons drawn: keep one", count=len(polygons))
    geom = polygons[0]
    if geom.is_empty:
        raise ImportRefused("drawn_none", "the drawn polygon is empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ImportRefused("drawn_range", "the polygon leaves longitude ±180 / latitude ±90")
    if not geom.is_valid:
        raise ImportRefused("drawn_invalid", f"the polygon is not valid: {shapely.is_valid_reason(geom)}")
    size = area_km2(geom)
    if size > MAX_AREA_KM2:
        raise ImportRefused("drawn_large", f"the polygon covers {size:.0f} km² (at most {MAX_AREA_KM2:.0f})",
                            km2=round(size), limit=round(MAX_AREA_KM2))
    if size * 1e6 < MIN_AREA_M2:
        raise ImportRefused("drawn_small", f"the polygon covers {size * 1e6:.0f} m²", m2=round(size * 1e6))
    return shapely.set_precision(geom, 1e-6)
