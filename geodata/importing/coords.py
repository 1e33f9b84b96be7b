"""Coordinate checks of imported files, and moving their GCJ-02 (高德) / BD-09 (百度) vertices to WGS-84."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geodata import crs as crs_mod
from geodata.importing.errors import ImportRefused

# mainland China with a margin: the only place a GCJ-02 / BD-09 coordinate can come from
CHINA = (73.0, 3.0, 136.0, 54.0)


def unshift_geometries(geoms, kind: str):
    """Shapely geometries with every vertex moved from GCJ-02/BD-09 to WGS-84."""
    def move(coords: np.ndarray) -> np.ndarray:
        x, y = crs_mod.to_wgs84(coords[:, 0], coords[:, 1], kind)
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), move)


def parse_crs(value: str | None) -> str | None:
    """'gcj02' / 'bd09' / anything pyproj understands (EPSG:4490, 4326 …) → a normalised name; None stays None."""
    if value is None or not str(value).strip():
        return None
    v = str(value).strip().lower().replace("-", "").replace("_", "")
    if v in crs_mod.SHIFTED:
        return v
    if v in ("wgs84", "4326"):
        return crs_mod.WGS84
    try:
        parsed = CRS.from_user_input(str(value).strip())
    except CRSError:
        raise ImportRefused("bad_crs", f"unknown coordinate system {value!r}: use EPSG:xxxx, gcj02 or bd09",
                            value=value) from None
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.to_wkt()


def plausible_lonlat(bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def in_china(x, y) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return (x >= CHINA[0]) & (x <= CHINA[2]) & (y >= CHINA[1]) & (y <= CHINA[3])


def crs_is_open(frame: gpd.GeoDataFrame, declared: str | None, explicit: bool) -> bool:
    """Whether a file that does not write its CRS down (GeoJSON without `crs` and KML, WGS-84 only by their
    formats' default; CSV, a Shapefile without .prj) lies in China, where such files are as often GCJ-02 (高德,
    腾讯) or BD-09 (百度): a question to ask, not a fact to assume."""
    return not explicit and declared in (None, crs_mod.WGS84) and lies_in_china(frame)


def readings(frame: gpd.GeoDataFrame, limit: int = 500) -> dict:
    """The first `limit` shapes drawn two ways, as WGS-84 and as GCJ-02 turned into WGS-84 (property `reading`),
    so a person can see which of the two lands on the outlines already stored."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    geoms = geoms[np.isfinite(shapely.bounds(geoms)).all(axis=1)][:limit]
    features = []
    for name, shapes in (("wgs84", geoms), ("gcj02", unshift_geometries(geoms, "gcj02"))):
        # the map's 6 decimals (≈0.1 m) are plenty to see a 500 m shift
        shapes = shapely.transform(shapes, lambda c: np.round(c, 6))
        features += [{"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": {"reading": name}}
                     for g in shapes]
    return {"type": "FeatureCollection", "features": features}


def lies_in_china(frame: gpd.GeoDataFrame) -> bool:
    """Whether the features' extent is centred in CHINA (a rectangle: it also holds Mongolia, Korea and the
    borders of its neighbours, where the same question is at worst asked once too often)."""
    bounds = frame.total_bounds if len(frame) else np.full(4, np.nan)
    if not np.isfinite(bounds).all():
        return False
    return bool(in_china((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2))


def swapped_mask(x, y) -> np.ndarray:
    """Points that only make sense with longitude and latitude exchanged (lat in a lon column, inside China)."""
    return ~in_china(x, y) & in_china(y, x)


def to_storage(frame: gpd.GeoDataFrame, declared: str | None, chosen: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """The frame in WGS-84 and the CRS it was read in. Refuses rather than guesses (DESIGN §5).

    declared: what the file says (None: nothing); chosen: what the person said (--crs or the UI).
    """
    chosen = parse_crs(chosen)
    bounds = frame.total_bounds if len(frame) else np.zeros(4)
    has_coordinates = bool(np.isfinite(bounds).all())  # NaN: every geometry is missing (hygiene counts them)
    if chosen is None and declared is None:
        if has_coordinates and not plausible_lonlat(bounds):
            raise ImportRefused("no_crs_projected", "no coordinate system declared and the values are not "
                                "longitude/latitude: pass --crs EPSG:xxxx", bounds=[round(b, 1) for b in bounds])
        raise ImportRefused("no_crs", "no coordinate system declared: pass --crs (EPSG:4326 for GPS/天地图, gcj02 "
                            "for 高德/腾讯, bd09 for 百度)", bounds=[round(b, 4) for b in bounds])
    source = chosen or declared
    if source in crs_mod.SHIFTED:
        if declared not in (None, crs_mod.WGS84, "EPSG:4490"):
            raise ImportRefused("crs_conflict", f"the file declares {declared}; {source} applies to longitude/latitude "
                                "only", declared=declared, chosen=source)
        if has_coordinates:
            _check_lonlat(frame, bounds)
        out = frame.set_crs(crs_mod.WGS84, allow_override=True)
        out["geometry"] = unshift_geometries(out.geometry.values, source)
        return out, source
    src = CRS.from_user_input(source)
    if src.is_geographic and has_coordinates:
        _check_lonlat(frame, bounds)
    out = frame.set_crs(source, allow_override=True)
    return (out if src.to_epsg() == 4326 else out.to_crs(crs_mod.WGS84)), source


def _check_lonlat(frame: gpd.GeoDataFrame, bounds) -> None:
    if not len(frame):
        return
    if not plausible_lonlat(bounds):
        raise ImportRefused("not_lonlat", f"values {list(np.round(bounds, 1))} are not longitude/latitude: "
                            "give the projected CRS with --crs EPSG:xxxx", bounds=[round(b, 1) for b in bounds])
    geoms = frame.geometry.values
    reps = shapely.get_coordinates(shapely.point_on_surface(geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]))
    swapped = swapped_mask(reps[:, 0], reps[:, 1])
    if len(reps) and swapped.mean() > 0.5:
        raise ImportRefused("swapped", "longitude and latitude look exchanged (latitudes in the longitude column)")
