"""Coverage standards: defaults from GB 50180-2018, validation, storage in app_setting, effect on coverage."""
from __future__ import annotations

import datetime as dt

import pytest

from db import areas, coverage, walking
from geodata import standards

STREET = "330381001"


def test_defaults_follow_the_life_circles():
    d = standards.validate(None)
    assert d["radius_m"]["日间照料中心"] == d["radius_m"]["爱心食堂"] == d["radius_m"]["儿童之家"] == 300
    assert d["radius_m"]["党群服务中心"] == 1000
    assert d["elderly_speed_m_per_min"] < d["walk_speed_m_per_min"]
    assert standards.minutes(d, 300) == pytest.approx(300 / 72)


@pytest.mark.parametrize("raw, field", [({"radius_m": {"日间照料中心": "远"}}, "radius_m.日间照料中心"),
                                        ({"radius_m": {"火箭站": 300}}, "radius_m"),
                                        ({"walk_speed_m_per_min": 0}, "walk_speed_m_per_min"),
                                        ({"detour_factor": 9}, "detour_factor")])
def test_bad_standards_are_refused_with_the_field(raw, field):
    with pytest.raises(standards.StandardsError) as err:
        standards.validate(raw)
    assert err.value.field == field


def test_saved_standards_change_coverage(session):
    before = coverage.area_coverage(session, areas.get_area(session, STREET), "日间照料中心")
    walking.save_standards(session, {"radius_m": {"日间照料中心": 600}}, "admin", dt.datetime(2026, 11, 20))
    assert walking.get_standards(session)["radius_m"]["日间照料中心"] == 600
    after = coverage.area_coverage(session, areas.get_area(session, STREET), "日间照料中心")
    assert after["radius_m"] == 600 and after["buildings_covered"] > before["buildings_covered"]
    assert after["radius_minutes"] == pytest.approx(600 / 72, abs=0.05)
