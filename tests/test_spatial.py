"""Spatial queries give the same answers on both backends, checked against shapely on the generated data."""
from __future__ import annotations

import geopandas as gpd
import pytest
from sqlalchemy import select

from db import areas, coverage, layers, models as m, spatial
from geodata import crs
from tests.conftest import BACKEND


def test_backend_under_test(session):
    assert session.get_bind().dialect.name == BACKEND
    assert spatial.is_postgis(session) == (BACKEND == "postgresql")


def test_nearest_per_type_matches_reference(session, demo_data):
    building = demo_data.buildings.iloc[200]
    got = spatial.nearest_per_type(session, building.code).set_index("service_type")
    metric = crs.metric_crs_around(demo_data.buildings)
    points = demo_data.service_points.to_crs(metric)
    footprint = gpd.GeoSeries([building.geometry], crs=crs.WGS84).to_crs(metric).iloc[0]
    expected = points.assign(d=points.distance(footprint)).groupby("service_type").d.min()
    expected = expected[expected <= spatial.NEAREST_REACH_M]
    assert set(got.index) == set(expected.index)
    for kind, d in expected.items():
        assert got.loc[kind, "distance_m"] == pytest.approx(d, rel=5e-3, abs=0.5)
    assert list(got.distance_m) == sorted(got.distance_m)


def test_distances_to_nearest_match_reference(session, demo_data):
    community = "330381001002"
    got = spatial.distances_to_nearest(session, "community_code", community, "爱心食堂").set_index("code")
    metric = crs.metric_crs_around(demo_data.buildings)
    buildings = demo_data.buildings[demo_data.buildings.community_code == community].to_crs(metric)
    canteens = demo_data.service_points[demo_data.service_points.service_type == "爱心食堂"].to_crs(metric)
    assert len(got) == len(buildings)
    for row in buildings.itertuples():
        expected = canteens.distance(row.geometry).min()
        assert got.loc[row.code, "distance_m"] == pytest.approx(expected, rel=5e-3, abs=0.5)


def test_distance_is_infinite_without_points(session):
    got = spatial.distances_to_nearest(session, "community_code", "330381001002", "不存在的类型")
    assert len(got) > 0 and (got.distance_m == float("inf")).all()


def test_locate_point_in_building(session, demo_data):
    b = demo_data.buildings.iloc[321]
    inside = b.geometry.representative_point()
    found = spatial.locate(session, inside.x, inside.y)
    assert found == {"street": b.street_code, "community": b.community_code, "grid": b.grid_code,
                     "compound": b.compound_code, "building": b.code}


def test_locate_point_outside_everything(session):
    assert set(spatial.locate(session, 100.0, 20.0).values()) == {None}


def test_simplified_layer_keeps_every_area(session):
    fc = layers.get_layer(session, areas.ROOT, "drill")
    assert [f["properties"]["code"] for f in fc["features"]] == ["330381001"]
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert 4 <= len(ring) <= 6  # a rotated rectangle stays a rectangle
    assert all(len(str(c).split(".")[-1]) <= 6 for xy in ring for c in xy)


def test_nearest_service_points_through_repository(session):
    code = session.execute(select(m.Building.code).limit(1)).scalar()
    rows = coverage.nearest_service_points(session, areas.get_area(session, code))
    assert rows and all(isinstance(r["distance_m"], int) for r in rows)
