"""Walking distances of a street's buildings on its road network, and the admin-editable coverage standards."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import app_settings, areas, cache, models as m, spatial
from geodata import codes, coverage, crs, network, standards

STANDARDS_KEY = "coverage_standards"
NEIGHBOUR_PAD_DEG = 0.006  # ≈ 600 m: residents on a street's edge walk to points and roads across it
NETWORK_READS = (cache.GEOMETRY, cache.POINTS)  # buildings, roads and service points: never cases
BUILDING_COLUMNS = ["code", "name", "grid_code", "compound_code", "households", "residents", "elderly"]


def get_standards(session: Session) -> dict:
    """The coverage standards in force: the stored ones over the GB 50180-2018 defaults."""
    return cache.cached(session, "standards", None, lambda: app_settings.read(session, STANDARDS_KEY, standards.validate),
                        (cache.STANDARDS,))


def save_standards(session: Session, raw: dict, user: str | None, now: dt.datetime) -> dict:
    """Validate and store the standards (raises standards.StandardsError); cached coverage refreshes."""
    clean = standards.validate(raw)
    app_settings.write(session, STANDARDS_KEY, clean, user, now)
    cache.mark_changed(session, cache.STANDARDS)
    return clean


@dataclass(frozen=True)
class StreetNetwork:
    """A street's buildings and nearby service points, snapped onto the walking network around it."""

    street: str
    buildings: gpd.GeoDataFrame  # BUILDING_COLUMNS + geometry (WGS-84)
    points: gpd.GeoDataFrame  # code, service_type, name, capacity, hours, lon, lat + geometry (WGS-84)
    net: network.Network
    building_snap: network.Snap
    point_snap: network.Snap
    metric: str  # the CRS of net's metres: crs.metric_crs at the street's centre

    @property
    def has_roads(self) -> bool:
        return not self.net.empty

    def report(self) -> dict:
        """Network pieces, and buildings cut off from the main piece (reported, never dropped)."""
        if not self.has_roads:
            return {"components": 0, "off_main_buildings": 0}
        return {**self.net.components_report(),
                "off_main_buildings": int((~network.reachable(self.net, self.building_snap)).sum())}

    def snap(self, lonlat: np.ndarray) -> network.Snap:
        xy = np.column_stack(crs.lonlat_to_metric(*np.asarray(lonlat, float).reshape(-1, 2).T, self.metric))
        return network.snap(self.net, xy)

    def nearest(self, mask: np.ndarray, detour: float) -> np.ndarray:
        """Metres from every building to the nearest of the points selected by a boolean mask."""
        if self.has_roads:
            return network.nearest(self.net, self.building_snap, self.point_snap.take(mask))
        return coverage.nearest_distances(self.buildings, self.points[mask], self.metric).to_numpy() * detour

    def matrix(self, lonlat: np.ndarray, detour: float) -> np.ndarray:
        """Metres (buildings × sites) to arbitrary sites given as lon/lat rows."""
        lonlat = np.asarray(lonlat, float).reshape(-1, 2)
        if self.has_roads:
            return network.distance_matrix(self.net, self.building_snap, self.snap(lonlat))
        sites = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs=crs.WGS84).to_crs(self.metric)
        here = self.buildings.geometry.to_crs(self.metric)
        return np.column_stack([here.distance(s).to_numpy() for s in sites]) * detour if len(sites) else \
            np.empty((len(here), 0))


def street_network(session: Session, street: str) -> StreetNetwork:
    """The walking network of a street and its edges, cached per data version."""
    return cache.cached(session, "street_network", street, lambda: _build(session, street), NETWORK_READS)


def _build(session: Session, street: str) -> StreetNetwork:
    rows = session.execute(select(*[getattr(m.Building, c) for c in BUILDING_COLUMNS],
                                  spatial.wkb(session, m.Building.geometry))
                           .where(m.Building.street_code == street).order_by(m.Building.code)).all()
    frame = pd.DataFrame(rows, columns=[*BUILDING_COLUMNS, "wkb"])
    footprints = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")]) if len(frame) else []
    buildings = gpd.GeoDataFrame(frame, geometry=footprints, crs=crs.WGS84)
    streets = areas.list_streets(session)
    box = next((s["box"] for s in streets if s["code"] == street), None)
    if box is None:
        box = tuple(buildings.total_bounds) if len(buildings) else (0.0, 0.0, 0.0, 0.0)
    metric = crs.metric_crs((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    x0, y0, x1, y1 = box[0] - NEIGHBOUR_PAD_DEG, box[1] - NEIGHBOUR_PAD_DEG, box[2] + NEIGHBOUR_PAD_DEG, box[3] + NEIGHBOUR_PAD_DEG
    near_streets = [s["code"] for s in streets if s["box"][0] is not None and s["box"][0] <= x1 and s["box"][2] >= x0
                    and s["box"][1] <= y1 and s["box"][3] >= y0] or [street]
    f = m.BasemapFeature
    roads = session.execute(select(spatial.wkb(session, f.geometry), f.walk_factor, f.grade_separated, f.noded).where(
        f.street_code.in_(near_streets), f.walk_factor.is_not(None))).all()
    shapes = shapely.from_wkb([bytes(r[0]) for r in roads]) if roads else np.empty(0, object)
    # every walkable line, whatever kind its file gave it (主干道, footway, …); of the neighbouring streets only what
    # lies within the pad (their far ends would only make the network bigger)
    near = shapely.intersects(shapes, shapely.box(x0, y0, x1, y1)) if len(shapes) else np.empty(0, bool)
    near &= np.isin(shapely.get_type_id(shapes), (1, 5)) if len(shapes) else near  # LineString, MultiLineString
    attrs = np.array([(r[1], bool(r[2]), bool(r[3])) for r in roads], dtype=object).reshape(-1, 3)[near]
    lines = gpd.GeoSeries(shapes[near], crs=crs.WGS84).to_crs(metric).values
    net = network.build(list(lines), factor=attrs[:, 0].astype(float), noded=attrs[:, 2].astype(bool),
                        snappable=~attrs[:, 1].astype(bool))
    prow = session.execute(select(m.ServicePoint.code, m.ServicePoint.service_type, m.ServicePoint.name,
                                  m.ServicePoint.capacity, m.ServicePoint.hours, m.ServicePoint.lon, m.ServicePoint.lat)
                           .where(m.ServicePoint.lon.between(x0, x1), m.ServicePoint.lat.between(y0, y1))
                           .order_by(m.ServicePoint.code)).all()
    frame = pd.DataFrame(prow, columns=["code", "service_type", "name", "capacity", "hours", "lon", "lat"])
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=crs.WGS84)
    if net.empty:
        return StreetNetwork(street, buildings, points, net, network.Snap.none(), network.Snap.none(), metric)
    return StreetNetwork(street, buildings, points, net, network.snap(net, coverage.metric_xy(buildings.geometry, metric)),
                         network.snap(net, coverage.metric_xy(points.geometry, metric)), metric)


def walking_distances(session: Session, street: str, service_type: str) -> tuple[gpd.GeoDataFrame, str]:
    """The street's buildings with `distance_m` (walking; inf: unreachable) to the nearest `service_type` point."""
    detour = get_standards(session)["detour_factor"]

    def build():
        ctx = street_network(session, street)
        out = ctx.buildings.copy()
        out["distance_m"] = ctx.nearest((ctx.points.service_type == service_type).to_numpy(), detour)
        return out, "walking" if ctx.has_roads else "straight_line_detour"

    return cache.cached(session, "walking_distances", (street, service_type, detour), build, NETWORK_READS)


def nearest_by_walking(session: Session, building_code: str) -> pd.DataFrame | None:
    """For one building: the nearest service point of each type by walking (code, service_type, name, hours, distance_m);
    None when its street has no roads to walk on."""
    street = codes.street_of(building_code)
    ctx = street_network(session, street)
    where = np.flatnonzero(ctx.buildings.code.to_numpy() == building_code)
    if not ctx.has_roads or len(where) == 0 or ctx.points.empty:
        return None
    metres = network.distance_matrix(ctx.net, ctx.building_snap.take(where), ctx.point_snap)[0]
    frame = ctx.points[["code", "service_type", "name", "hours"]].assign(distance_m=metres)
    frame = frame[np.isfinite(frame.distance_m)]
    return frame.sort_values("distance_m", kind="stable").drop_duplicates("service_type")
