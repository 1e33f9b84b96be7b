"""Pure geo helpers: payload encoding, GCJ-02 display shift, straight-line coverage."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geodata import coverage, crs, payload

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def test_feature_collection_rounds_to_six_decimals():
    fc = payload.feature_collection([box(120.12345678, 27.1, 120.2, 27.2)], [{"code": "a"}])
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert [120.123457, 27.1] in ring
    assert fc["features"][0]["properties"] == {"code": "a"}


def test_feature_collection_refuses_mismatched_rows():
    with pytest.raises(ValueError, match="1 geometries but 2"):
        payload.feature_collection([box(0, 0, 1, 1)], [{}, {}])


def test_empty_collection_is_valid_geojson():
    assert payload.feature_collection([], []) == {"type": "FeatureCollection", "features": []}


def test_gcj02_shift_matches_known_offset():
    # 高德 coordinates in 瑞安 sit a few hundred metres east/north-east of WGS-84.
    fc = payload.point_collection([120.635], [27.78], [{}])
    shifted = crs.geojson_to_gcj02(fc)["features"][0]["geometry"]["coordinates"]
    assert shifted == pytest.approx([120.638924, 27.776638], abs=2e-6)
    assert fc["features"][0]["geometry"]["coordinates"] == [120.635, 27.78]  # input untouched


def test_nearest_distances_in_metres():
    lon, lat = 120.63, 27.78
    mx, my = crs.metres_per_degree(lat)
    buildings = gpd.GeoDataFrame({"households": [10, 20], "residents": [25, 50], "elderly": [5, 10]},
                                 geometry=[Point(lon, lat).buffer(1e-5), Point(lon + 500 / mx, lat).buffer(1e-5)],
                                 crs=crs.WGS84)
    points = gpd.GeoDataFrame(geometry=[Point(lon, lat + 100 / my)], crs=crs.WGS84)
    dist = coverage.nearest_distances(buildings, points)
    assert dist.iloc[0] == pytest.approx(99, abs=3)
    assert dist.iloc[1] == pytest.approx(510, abs=10)
    summary = coverage.coverage_summary(buildings, dist, 300)
    assert summary["households_share"] == pytest.approx(10 / 30, abs=1e-3)
    assert summary["gap_households"] == 20


def test_nearest_distances_needs_crs():
    with pytest.raises(ValueError, match="CRS"):
        coverage.nearest_distances(gpd.GeoDataFrame(geometry=[Point(0, 0)]), gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_no_points_means_everyone_is_a_gap():
    b = gpd.GeoDataFrame({"households": [3], "residents": [6], "elderly": [1]}, geometry=[Point(120, 27)], crs=crs.WGS84)
    dist = coverage.nearest_distances(b, gpd.GeoDataFrame(geometry=[], crs=crs.WGS84))
    assert dist.iloc[0] == float("inf")
    assert coverage.coverage_summary(b, dist, 300)["households_share"] == 0
