"""Spatial queries with two engines: PostGIS does the work in SQL; on SQLite shapely/STRtree do it in Python.

Both paths return the same plain data, and the test suite runs every caller on both backends.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import LargeBinary, func, select, text, type_coerce
from sqlalchemy.orm import Session

from db import cache, models as m
from geodata import codes, coverage, crs
from geodata.importing import hierarchy

NEAREST_REACH_M = 3000  # farther than any life-circle radius: beyond this a point is "not nearby"
EDGE_REACH_M = 2200  # points this far outside an area still serve its edge (≈ 0.02° at 瑞安's latitude)


def _pad_deg(lat: float, metres: float) -> tuple[float, float]:
    """(degrees of longitude, of latitude) that span at least `metres` at `lat`: a degree of longitude shrinks
    towards the poles, so one pad in degrees would reach 3 km in 瑞安 and 1.7 km in Helsinki."""
    per_lon, per_lat = crs.metres_per_degree(min(abs(lat), 89.0))
    return 1.02 * metres / per_lon, 1.02 * metres / per_lat  # 2 %: metres_per_degree is the sphere's


def is_postgis(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def nearest_per_type(session: Session, building_code: str) -> pd.DataFrame:
    """The nearest service point of each type within reach of a building: code, service_type, name, hours, distance_m."""
    columns = ["code", "service_type", "name", "hours", "distance_m"]
    if is_postgis(session):
        rows = session.execute(text("""
            SELECT DISTINCT ON (sp.service_type) sp.code, sp.service_type, sp.name, sp.hours,
                   ST_Distance(sp.geom::geography, b.geometry::geography) AS distance_m
            FROM service_point sp JOIN building b ON b.code = :code
            WHERE ST_DWithin(sp.geom::geography, b.geometry::geography, :reach)
            ORDER BY sp.service_type, distance_m
        """), {"code": building_code, "reach": NEAREST_REACH_M}).all()
        return pd.DataFrame(rows, columns=columns).sort_values("distance_m", kind="stable")
    b = session.get(m.Building, building_code)
    if b is None:
        return pd.DataFrame(columns=columns)
    pad_lon, pad_lat = _pad_deg(b.lat, NEAREST_REACH_M)  # the box for the index range query
    rows = session.execute(select(m.ServicePoint.code, m.ServicePoint.service_type, m.ServicePoint.name,
                                  m.ServicePoint.hours, m.ServicePoint.lon, m.ServicePoint.lat)
                           .where(m.ServicePoint.lon.between(b.lon - pad_lon, b.lon + pad_lon),
                                  m.ServicePoint.lat.between(b.lat - pad_lat, b.lat + pad_lat))).all()
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["code", "service_type", "name", "hours", "lon", "lat"])
    metric = crs.metric_crs(b.lon, b.lat)
    points = gpd.GeoSeries(gpd.points_from_xy(frame.lon, frame.lat), crs=crs.WGS84).to_crs(metric)
    footprint = gpd.GeoSeries([b.geometry], crs=crs.WGS84).to_crs(metric).iloc[0]
    frame["distance_m"] = points.distance(footprint).to_numpy()
    frame = frame[frame.distance_m <= NEAREST_REACH_M]
    return frame.sort_values("distance_m", kind="stable").drop_duplicates("service_type")[columns]


def distances_to_nearest(session: Session, level_column: str, code: str, service_type: str) -> gpd.GeoDataFrame:
    """Buildings whose `level_column` equals `code`, with metres to the nearest point of `service_type` (inf: none)."""
    columns = ["code", "name", "grid_code", "households", "residents", "elderly"]
    if is_postgis(session):
        # KNN (<->) on the GiST index picks a few candidates in degrees; geography then measures true metres.
        rows = session.execute(text(f"""
            SELECT b.code, b.name, b.grid_code, b.households, b.residents, b.elderly, ST_AsBinary(b.geometry) AS wkb,
                   nn.d
            FROM building b
            LEFT JOIN LATERAL (
                SELECT min(ST_Distance(c.geom::geography, b.geometry::geography)) AS d
                FROM (SELECT sp.geom FROM service_point sp WHERE sp.service_type = :t
                      ORDER BY sp.geom <-> b.geometry LIMIT 3) c
            ) nn ON true
            WHERE b.{level_column} = :code
            ORDER BY b.code
        """), {"t": service_type, "code": code}).all()
        frame = pd.DataFrame(rows, columns=[*columns, "wkb", "distance_m"])
        frame["distance_m"] = frame.distance_m.astype(float).fillna(float("inf"))
        geometry = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")]) if len(frame) else []
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs.WGS84)
    # the same buildings for every service type the request asks about: read once
    rows = cache.per_session(session, ("buildings", level_column, code), lambda: session.execute(
        select(m.Building.code, m.Building.name, m.Building.grid_code, m.Building.households, m.Building.residents,
               m.Building.elderly, m.Building.geometry)
        .where(getattr(m.Building, level_column) == code).order_by(m.Building.code)).all())
    buildings = gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*columns, "geometry"]), geometry="geometry",
                                 crs=crs.WGS84)
    if buildings.empty:
        buildings["distance_m"] = pd.Series(dtype=float)
        return buildings
    minx, miny, maxx, maxy = buildings.total_bounds
    pad_lon, pad_lat = _pad_deg(max(abs(miny), abs(maxy)), EDGE_REACH_M)
    pts = session.execute(select(m.ServicePoint.lon, m.ServicePoint.lat)
                          .where(m.ServicePoint.service_type == service_type,
                                 m.ServicePoint.lon.between(minx - pad_lon, maxx + pad_lon),
                                 m.ServicePoint.lat.between(miny - pad_lat, maxy + pad_lat))).all()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([p.lon for p in pts], [p.lat for p in pts]), crs=crs.WGS84)
    buildings["distance_m"] = coverage.nearest_distances(buildings, points).to_numpy()
    return buildings


LOCATED = ("street", "community", "grid", "compound", "building")
TIE_M = 0.001  # a point on an edge shared by two grids is 0 m from both, up to rounding
BOX_SLACK_DEG = 1e-6  # ≈ 0.1 m, the 6 decimals shapes are stored to


def locate(session: Session, lon: float, lat: float) -> dict:
    """Codes of the street, community, grid, compound and building where a point lies (None where none does).

    A point on an edge lies in the areas on both sides (a click on the line between two grids): the lowest code
    wins, and each level is chosen inside the one above, so a grid always belongs to the community found. A point
    in a community that none of its grids holds (the line between them, a gap in hand-drawn grids) gets the grid
    of the compound it lies in, else the grid of that community nearest to it, so every case taken in has a grid
    whose leader sees it. The same rule on both
    backends: PostGIS finds the areas, the choice is made here.
    """
    found = dict.fromkeys(LOCATED)
    covering = _covering(session, lon, lat)
    for level in LOCATED:
        fits = sorted(code for lvl, code, parent in covering if lvl == level and _fits(level, code, parent, found))
        found[level] = fits[0] if fits else None
    if found["community"] is not None and found["grid"] is None:
        # a compound belongs to a grid (its parent) even where the grids' drawing leaves it out
        parent = next((p for lvl, code, p in covering if lvl == "compound" and code == found["compound"]), None)
        found["grid"] = parent if codes.is_grid(parent) and parent.startswith(found["community"]) else \
            _nearest_grid(session, found["community"], lon, lat)
    return found


def _covering(session: Session, lon: float, lat: float) -> list[tuple[str, str, str | None]]:
    """(level, code, parent code) of every area and building whose shape covers the point, edges included."""
    if is_postgis(session):
        point = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
        return [tuple(r) for r in session.execute(text(
            f"SELECT level, code, parent_code FROM area WHERE ST_Covers(geometry, {point}) "
            f"UNION ALL SELECT 'building', code, compound_code FROM building WHERE ST_Covers(geometry, {point})"),
            {"lon": lon, "lat": lat})]
    point = shapely.Point(lon, lat)
    out = []
    for model, level in ((m.Area, None), (m.Building, "building")):
        # the stored boxes may be a rounding narrower than the shapes: a point on an edge must not fall out here
        candidates = session.execute(select(model).where(
            model.min_lon <= lon + BOX_SLACK_DEG, model.max_lon >= lon - BOX_SLACK_DEG,
            model.min_lat <= lat + BOX_SLACK_DEG, model.max_lat >= lat - BOX_SLACK_DEG)).scalars()
        out += [(level or row.level, row.code, row.compound_code if level else row.parent_code)
                for row in candidates if row.geometry.covers(point)]
    return out


def _fits(level: str, code: str, parent: str | None, found: dict) -> bool:
    """Whether an area found at `level` lies in what was chosen above it (anything, where nothing was)."""
    if level == "community":
        return found["street"] is None or parent == found["street"]
    if level == "grid":
        return found["community"] is not None and parent == found["community"]
    if level == "compound":
        return found["community"] is None or codes.community_of(code) == found["community"]
    return True


def _nearest_grid(session: Session, community: str, lon: float, lat: float) -> str | None:
    """The grid of `community` nearest to the point in metres (ties to the lowest code); None when it has none."""
    grids = session.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "grid",
                                                                      m.Area.parent_code == community)
                            .order_by(m.Area.code)).all()
    if not grids:
        return None
    metres = hierarchy.distance_outside_m([g for _, g in grids], shapely.Point(lon, lat))
    nearest = min(metres)
    return next(code for (code, _), d in zip(grids, metres) if d <= nearest + TIE_M)


def simplified_geojson(session: Session, model, where, tolerance_deg: float) -> list[tuple[str, str]] | None:
    """(code, GeoJSON geometry text) simplified in the database; None when the backend cannot (SQLite)."""
    if not is_postgis(session):
        return None
    table = model.__table__
    rows = session.execute(select(table.c.code, text(
        f"ST_AsGeoJSON(ST_SimplifyPreserveTopology({table.name}.geometry, {float(tolerance_deg)}), 6)"))
        .where(where).order_by(table.c.code)).all()
    return [(c, g) for c, g in rows]


def wkb(session: Session, column):
    """A geometry column selected as plain WKB bytes, for one vectorised shapely.from_wkb instead of a decode per row."""
    if is_postgis(session):
        return func.ST_AsBinary(column)
    return type_coerce(column, LargeBinary)
