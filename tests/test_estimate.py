"""The estimation rule for footprint-only buildings (geodata/estimate.py): worked by hand, as docs/estimates.md."""
from __future__ import annotations

import math

import pytest
import shapely
from pyproj import Geod

from geodata import estimate as est

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def box_m(lon: float, lat: float, width_m: float, height_m: float) -> shapely.Polygon:
    """A WGS-84 rectangle of about width × height metres with its south-west corner at (lon, lat)."""
    geod = Geod(ellps="WGS84")
    east, _, _ = geod.fwd(lon, lat, 90, width_m)
    _, north, _ = geod.fwd(lon, lat, 0, height_m)
    return shapely.box(lon, lat, east, north)


def test_estimate_a_20_by_30_metre_block_of_6_floors_by_hand():
    # 600 m² × 6 floors × 0.8 usable ÷ 90 m² per household = 32; × 2.62 = 83.84 → 84; × 0.187 = 15.7 → 16
    assert est.estimate(600.0, 6, "apartments") == est.Estimate(households=32, residents=84, elderly=16)
    assert est.estimate(600.0, 6, None) == est.Estimate(32, 84, 16)  # untagged with floors: the same rule


def test_estimate_non_residential_and_tiny_footprints_get_nothing():
    for tag in ("commercial", "retail", "industrial", "school", "church", "garage", "shed", "office", "warehouse"):
        assert est.estimate(600.0, 6, tag) == est.Estimate(0, 0, 0), tag
    assert est.estimate(29.0, 2, "house") == est.Estimate(0, 0, 0)  # under 30 m²: a shed, whatever the tag
    assert est.estimate(29.0, None, None).households == 0


def test_estimate_missing_floors_take_the_defaults_by_tag():
    # apartments without floors: 6 floors → 600 × 6 × 0.8 / 90 = 32
    assert est.households(600.0, None, "apartments") == 32
    assert est.households(600.0, 0, "residential") == 32  # a file's 0 floors means "not given"
    # a house is one household however big; terraces default to 2 floors: 300 × 2 × 0.8 / 90 = 5.33 → 5
    assert est.households(180.0, None, "house") == 1
    assert est.households(180.0, None, "detached") == 1
    assert est.households(300.0, None, "terrace") == 5
    # untagged and large without floors is a hall, not homes; with floors it counts
    assert est.households(2500.0, None, "yes") == 0
    assert est.households(2500.0, 3, "yes") == math.floor(2500 * 3 * 0.8 / 90 + 0.5) == 67
    # a small home still holds one household
    assert est.households(40.0, 1, None) == 1


def test_estimate_follows_the_settings_and_refuses_nonsense():
    settings = est.validate({"floor_area_per_household_m2": 60, "household_size": 3})
    assert est.estimate(600.0, 6, "apartments", settings) == est.Estimate(48, 144, 27)
    assert settings["share_60_plus"] == est.DEFAULTS["share_60_plus"]  # what is not given keeps its default
    for bad in ({"household_size": 0}, {"usable_share": "much"}, {"floors_per_house": 2}):
        with pytest.raises(est.EstimateSettingsError):
            est.validate(bad)


def test_estimate_footprint_area_in_a_local_projection_matches_the_geodesic_area():
    geod = Geod(ellps="WGS84")
    for lon, lat in ((0.5, 51.5), (26.95, 60.53), (87.6, 43.8), (120.6, 27.8)):
        shapes = [box_m(lon, lat, 20, 30), box_m(lon + 0.01, lat + 0.01, 55, 12)]
        areas = est.footprint_areas_m2(shapes)
        truth = [abs(geod.geometry_area_perimeter(s)[0]) for s in shapes]
        assert areas == pytest.approx(truth, rel=1e-4), (lon, lat)
        assert areas[0] == pytest.approx(600, rel=1e-3)
    assert est.footprint_areas_m2([]).shape == (0,)


def test_estimate_is_stable_whichever_centre_the_projection_takes():
    # the same footprint measured around its street's meridian or 3 km away gives the same households
    shape = box_m(120.6, 27.8, 20, 30)
    for centre in (None, 120.6, 120.63, 120.57):
        area = float(est.footprint_areas_m2([shape], centre)[0])
        assert est.estimate(area, 6, "apartments") == est.Estimate(32, 84, 16), centre
