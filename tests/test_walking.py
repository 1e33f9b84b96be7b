"""Walking coverage of areas: never above the straight line, gaps ranked, shares per child area, the API."""
from __future__ import annotations

from db import areas, coverage

STREET = "330381001"


def test_walking_coverage_never_exceeds_straight_line(session):
    for service_type in ("日间照料中心", "爱心食堂", "党群服务中心"):
        cov = coverage.area_coverage(session, areas.get_area(session, STREET), service_type)
        assert cov["method"] == "walking" and cov["network"]["components"] >= 1
        assert cov["buildings_covered"] <= cov["straight_line"]["buildings_covered"]
        assert cov["elderly_share"] <= cov["straight_line"]["elderly_share"]


def test_gaps_ranked_by_elderly_then_households(session):
    cov = coverage.area_coverage(session, areas.get_area(session, STREET), "日间照料中心")
    keys = [(g["elderly"], g["households"]) for g in cov["gaps"]]
    assert keys and keys == sorted(keys, reverse=True)
    assert all(g["name"] and g["code"].startswith(STREET) for g in cov["gaps"])


def test_children_shares_weight_by_population(session):
    cov = coverage.area_coverage(session, areas.get_area(session, STREET), "日间照料中心")
    assert len(cov["children"]) == 8  # the demo street's communities
    one = cov["children"][0]
    mine = coverage.area_coverage(session, areas.get_area(session, one["code"]), "日间照料中心")
    assert mine["residents_share"] == one["residents_share"] and mine["population_weighted_share"] == one["residents_share"]


def test_api_coverage_carries_walking_fields(seeded_url):
    from app import server
    from tests.helpers import login

    client = server.test_client()
    login(client)
    body = client.get(f"/api/areas/{STREET}/coverage", query_string={"type": "日间照料中心"}).get_json()
    assert body["method"] == "walking" and body["radius_m"] == 300
    assert {"households_share", "elderly_share", "gap_households", "straight_line", "gaps", "children",
            "radius_minutes", "unreachable_buildings"} <= set(body)


def test_building_panel_nearest_points_are_walked_and_agree_with_coverage(session):
    from db import spatial, walking

    frame, _ = walking.walking_distances(session, STREET, "日间照料中心")
    code = frame.code.iloc[100]
    nearest = {p["service_type"]: p for p in coverage.nearest_service_points(session, areas.get_area(session, code))}
    day_care = nearest["日间照料中心"]
    assert day_care["walking"] and day_care["distance_m"] == round(frame.distance_m.iloc[100])
    assert day_care["within_standard"] == (frame.distance_m.iloc[100] <= 300)
    straight = spatial.nearest_per_type(session, code).set_index("service_type").distance_m
    assert all(p["distance_m"] + 1 >= straight[t] for t, p in nearest.items() if t in straight.index)


def test_every_imported_line_is_walkable_whatever_its_kind(session):
    """Files bring their own road kinds (步行道, footway, 主干道); a line is a way to walk, a park is not."""
    import shapely

    from db import models as m, walking

    before = walking._build(session, STREET).net.length.sum()
    lane = shapely.LineString([(120.6275, 27.7705), (120.6285, 27.7712)])  # ~125 m inside the demo street
    # as the importer writes any line of a file: walked at walking pace, whatever its kind
    session.add_all([m.BasemapFeature(street_code=STREET, kind="步行道", name="新步道", geometry=lane, walk_factor=1.0),
                     m.BasemapFeature(street_code=STREET, kind="park", name="新公园", geometry=lane.buffer(0.0003))])
    session.flush()
    after = walking._build(session, STREET).net.length.sum()
    assert 100 < after - before < 150  # the lane, and nothing of the park's outline


def test_a_case_filed_elsewhere_keeps_coverage_and_outlines_warm(session):
    """Cases are the most frequent write: one filed in another community rebuilds the cases layer, nothing walked."""
    import datetime as dt

    from sqlalchemy import select

    from db import cache, cases, layers, models as m, rules
    from db.access import SYSTEM

    here, elsewhere = session.execute(select(m.Area.code).where(m.Area.level == "community")
                                      .order_by(m.Area.code).limit(2)).scalars().all()
    area = areas.get_area(session, here)
    warm = [coverage.area_coverage(session, area, "日间照料中心"), layers.get_layer(session, area, "drill"),
            layers.get_layer(session, area, "cases"), rules.get_case_rules(session)]  # intake reads the rules
    like = session.execute(select(m.Case.category, m.Case.source, m.Case.lon, m.Case.lat)
                           .where(m.Case.community_code == elsewhere).limit(1)).one()
    built = cache.builds()
    cases.create_case(session, cases.NewCase(category=like.category, description="路灯不亮", source=like.source,
                                             lon=like.lon, lat=like.lat), "测试", SYSTEM, dt.datetime(2026, 11, 20, 10))
    assert coverage.area_coverage(session, area, "日间照料中心") is warm[0]
    assert layers.get_layer(session, area, "drill") is warm[1]
    assert cache.builds() == built, "a case write rebuilt something that never reads cases"
    assert layers.get_layer(session, area, "cases") is not warm[2]  # what reads cases follows them
    assert cache.builds() == built + 1
