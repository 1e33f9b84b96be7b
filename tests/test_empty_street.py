"""The state after a first import: a street with no buildings, or buildings without points and roads, answers with
empty figures of the usual shape, never a 500."""
from __future__ import annotations

import datetime as dt

import pytest
import shapely

from tests.helpers import login
from tests.import_files import feature, write_geojson

EMPTY_STREET, BUILT_STREET = "330381007", "330381008"
TYPES = ("日间照料中心", "爱心食堂")


@pytest.fixture()
def onboarding(tmp_path, monkeypatch):
    """A database without the demo, filled the way onboarding fills it: communities first, buildings later."""
    from app import server
    from db import users
    from db.engine import session_scope
    from db.onboarding import import_file
    from db.migrate import upgrade_to_head
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "onboarding"))
    upgrade_to_head()

    def load(name, kind, features, **street):
        with session_scope() as session:
            import_file(session, write_geojson(tmp_path / f"{name}.geojson", features), kind, "EPSG:4326", None,
                        False, **street)

    load("empty", "communities", [feature(shapely.box(120.70, 27.90, 120.705, 27.905), name="西社区"),
                                  feature(shapely.box(120.705, 27.90, 120.71, 27.905), name="东社区")],
         street=EMPTY_STREET, street_name="空街道")
    load("built", "communities", [feature(shapely.box(120.72, 27.90, 120.73, 27.905), name="南社区")],
         street=BUILT_STREET, street_name="有楼街道")
    load("compound", "compounds", [feature(shapely.box(120.721, 27.901, 120.725, 27.904), name="幸福小区")])
    load("buildings", "buildings", [
        feature(shapely.box(120.7215 + i * 0.001, 27.9015, 120.722 + i * 0.001, 27.902), name=f"{i + 1}幢",
                层数=6, 户数=24) for i in range(3)])
    with session_scope() as s:
        users.create_user(s, "chief", "a-long-password-1", "admin", None, "管理员", dt.datetime(2026, 11, 20))
    client = server.test_client()
    assert login(client, "chief", "a-long-password-1").status_code == 302
    return client


def test_coverage_of_a_street_without_buildings_is_empty_not_an_error(onboarding):
    built = onboarding.get(f"/api/areas/{BUILT_STREET}/coverage?type=日间照料中心").get_json()
    for code in (EMPTY_STREET, EMPTY_STREET + "001"):
        for service_type in TYPES:
            response = onboarding.get(f"/api/areas/{code}/coverage?type={service_type}")
            assert response.status_code == 200, (code, service_type, response.get_data(as_text=True))
            cov = response.get_json()
            assert set(cov) == set(built)  # the shape a caller already reads
            assert (cov["buildings"], cov["buildings_covered"], cov["gap_households"], cov["gap_elderly"]) == (0, 0, 0, 0)
            assert cov["gaps"] == [] and cov["children"] == [] and cov["unreachable_buildings"] == 0
            assert cov["households_share"] is None and cov["median_walk_m"] is None  # nothing to share: not 0 %
            assert set(cov["straight_line"]) == set(built["straight_line"])
            assert cov["straight_line"]["buildings"] == 0


def test_area_of_a_street_without_buildings_counts_zero(onboarding):
    response = onboarding.get(f"/api/areas/{EMPTY_STREET}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"]["buildings"] == 0 and body["summary"]["households"] == 0
    assert [c["name"] for c in body["children"]] == ["西社区", "东社区"]


def test_a_street_with_buildings_but_no_points_or_roads_has_every_building_in_the_gap(onboarding):
    for service_type in TYPES:
        cov = onboarding.get(f"/api/areas/{BUILT_STREET}/coverage?type={service_type}").get_json()
        assert cov["method"] == "straight_line_detour" and cov["buildings"] == 3 and cov["buildings_covered"] == 0
        assert cov["households_share"] == 0.0 and cov["gap_households"] == 72
        assert [g["buildings"] for g in cov["gaps"]] == [3] and cov["gaps"][0]["farthest_m"] is None
        assert cov["capacity"] is None


def test_every_map_layer_and_plan_of_an_empty_street_is_empty(onboarding):
    from db import areas, coverage, layers, planning
    from db.engine import session_scope

    with session_scope() as s:
        for code in (EMPTY_STREET, EMPTY_STREET + "001"):
            for name in ("drill", "context", "grids", "basemap", "cases", "service_points", "posts", "wishes"):
                assert layers.get_layer(s, areas.get_area(s, code), name)["type"] == "FeatureCollection"
            for service_type in TYPES:
                assert layers.get_layer(s, areas.get_area(s, code), "gaps", option=service_type)["features"] == []
                assert coverage.area_coverage(s, areas.get_area(s, code), service_type)["buildings"] == 0
        assert planning.sites_layer(s, EMPTY_STREET, "日间照料中心", None)["features"] == []
        with pytest.raises(planning.PlanningError) as refused:
            planning.optimise(s, EMPTY_STREET, "日间照料中心", 2, "mclp", "elderly")
        assert refused.value.kind == "no_buildings"  # said as 本街道还没有楼栋…, not 未知的街道
