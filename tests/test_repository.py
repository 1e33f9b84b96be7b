"""Repository queries against the seeded demo street."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from db import areas, cache, coverage, dashboard, layers, models as m

STREET = "330381001"
COMMUNITY = "330381001001"


def _first(session, model, *where):
    return session.execute(select(model).where(*where).limit(1)).scalars().first()


def test_get_area_every_level(session):
    compound = _first(session, m.Area, m.Area.level == "compound")
    building = _first(session, m.Building, m.Building.compound_code == compound.code)
    assert areas.get_area(session, STREET)["level"] == "street"
    assert areas.get_area(session, COMMUNITY)["parent_code"] == STREET
    assert areas.get_area(session, compound.code)["era"] in {"old", "mid", "new", "mixed"}
    b = areas.get_area(session, building.code)
    assert b["level"] == "building" and b["parent_code"] == compound.code
    assert b["facts"]["households"] == building.households


def test_get_area_unknown_or_malformed_is_none(session):
    for code in ("999999999", "bogus", "", "330381001'; drop table area;--", "3303810010019" * 5):
        assert areas.get_area(session, code) is None


def test_children_follow_the_drill_path(session):
    communities = layers.drill_children(session, areas.get_area(session, STREET))
    assert len(communities) == 8 and {c["level"] for c in communities} == {"community"}
    compounds = layers.drill_children(session, areas.get_area(session, COMMUNITY))
    assert compounds and all(c["code"].startswith(COMMUNITY + "X") for c in compounds)
    buildings = layers.drill_children(session, areas.get_area(session, compounds[0]["code"]))
    assert buildings and {b["level"] for b in buildings} == {"building"}
    assert layers.drill_children(session, areas.get_area(session, buildings[0]["code"])) == []
    assert areas.get_area(session, "bogus") is None


def test_grids_of_a_community_name_their_leaders(session):
    grids = layers.grids_of(session, areas.get_area(session, COMMUNITY))
    stored = session.execute(select(m.Area.code, m.Area.name, m.Area.leader_name).where(
        m.Area.level == "grid", m.Area.parent_code == COMMUNITY).order_by(m.Area.code)).all()
    assert grids and [(g["code"], g["name"], g["leader_name"]) for g in grids] == [tuple(r) for r in stored]


def test_breadcrumb_skips_grids_on_the_way_down(session):
    building = _first(session, m.Building, m.Building.community_code == COMMUNITY)
    chain = areas.breadcrumb(session, areas.get_area(session, building.code))
    assert [c.level for c in chain] == ["street", "community", "compound", "building"]
    grid = _first(session, m.Area, m.Area.level == "grid")
    assert [c.level for c in areas.breadcrumb(session, areas.get_area(session, grid.code))] == ["street", "community", "grid"]


def test_summary_rolls_up_people_from_buildings(session, now):
    summary = dashboard.area_summary(session, areas.get_area(session, COMMUNITY), now)
    buildings = session.execute(select(m.Building).where(m.Building.community_code == COMMUNITY)).scalars().all()
    assert summary["people"]["households"] == sum(b.households for b in buildings)
    assert summary["people"]["elderly"] == sum(b.elderly for b in buildings)
    assert summary["people"]["buildings"] == len(buildings)
    area = session.get(m.Area, COMMUNITY)
    assert area.households == summary["people"]["households"]  # denormalised copy agrees


def test_summary_lights_match_deadlines(session, now):
    summary = dashboard.area_summary(session, areas.get_area(session, STREET), now)
    open_cases = session.execute(select(m.Case.deadline).where(
        m.Case.status.in_(["待受理", "已受理", "已派单", "处置中"]))).scalars().all()
    red = sum(d < now for d in open_cases)
    yellow = sum(now <= d < now + dt.timedelta(hours=24) for d in open_cases)
    assert summary["cases_by_light"] == {"red": red, "yellow": yellow, "green": len(open_cases) - red - yellow}
    assert summary["open_cases"] == len(open_cases)
    assert sum(summary["cases_by_status"].values()) == 3000


def test_summary_posts_staffed_plus_short(session, now):
    posts = dashboard.area_summary(session, areas.get_area(session, STREET), now)["posts"]
    assert posts["staffed"] + posts["short"] == posts["total"] > 0
    assert 0 < posts["filled"] <= posts["slots"]


def test_summary_of_area_without_cases(session, now):
    compound = _first(session, m.Area, m.Area.level == "compound")
    session.execute(update(m.Case).where(m.Case.compound_code == compound.code).values(status="已关闭"))
    summary = dashboard.area_summary(session, areas.get_area(session, compound.code), now)
    assert summary["open_cases"] == 0
    assert summary["cases_by_light"] == {"red": 0, "yellow": 0, "green": 0}
    assert dashboard.list_open_cases(session, areas.get_area(session, compound.code), now) == []


def test_cases_per_month_covers_twelve_months(session, now):
    monthly = dashboard.cases_per_month(session, areas.get_area(session, STREET), now)
    assert monthly["count"].sum() > 2500
    assert monthly.month.nunique() == 12


def test_open_cases_are_masked_and_urgent_first(session, now):
    cases = dashboard.list_open_cases(session, areas.get_area(session, COMMUNITY), now)
    assert cases
    deadlines = [c["deadline"] for c in cases]
    assert deadlines == sorted(deadlines)
    for c in cases:
        if c["reporter"]:
            assert c["reporter"][1:] == "*" * (len(c["reporter"]) - 1)



def test_nearest_service_point_per_type(session):
    building = _first(session, m.Building, m.Building.community_code == COMMUNITY)
    nearest = coverage.nearest_service_points(session, areas.get_area(session, building.code))
    types = [n["service_type"] for n in nearest]
    assert len(types) == len(set(types)) and "党群服务中心" in types
    assert all(n["distance_m"] >= 0 for n in nearest)
    assert [n["distance_m"] for n in nearest] == sorted(n["distance_m"] for n in nearest)


def test_coverage_share_between_zero_and_one(session):
    cov = coverage.area_coverage(session, areas.get_area(session, STREET), "日间照料中心")
    assert cov["radius_m"] == 300 and cov["buildings"] > 1000
    assert 0 < cov["elderly_share"] < 1


def test_layer_drill_at_each_level(session):
    assert len(layers.get_layer(session, areas.get_area(session, STREET), "drill")["features"]) == 8
    compounds = layers.get_layer(session, areas.get_area(session, COMMUNITY), "drill")["features"]
    assert compounds and {f["properties"]["level"] for f in compounds} == {"compound"}
    code = compounds[0]["properties"]["code"]
    buildings = layers.get_layer(session, areas.get_area(session, code), "drill")["features"]
    assert {f["properties"]["level"] for f in buildings} == {"building"}
    assert len(layers.get_layer(session, areas.ROOT, "drill")["features"]) == 1  # root: the streets


def test_street_level_sends_no_buildings(session):
    for layer in ("drill", "context"):
        levels = {f["properties"]["level"] for f in layers.get_layer(session, areas.get_area(session, STREET), layer)["features"]}
        assert "building" not in levels


def test_walkways_appear_inside_a_community_but_not_on_overviews(session):
    def kinds(code, layer="basemap", option=None):
        area = areas.get_area(session, code) if code else areas.ROOT
        return {f["properties"]["kind"] for f in layers.get_layer(session, area, layer, option=option)["features"]}

    community = STREET + "001"
    assert "path" in kinds(community) and "path" in kinds(community + "X001")
    assert "path" not in kinds(STREET) and {"arterial", "branch"} <= kinds(STREET)
    assert "path" in kinds(STREET, option=layers.PATHS)  # the planner's street map
    assert "path" not in kinds(None, "basemap_all")  # the residents' map


def test_case_layer_has_open_cases_only_and_no_pii(session):
    fc = layers.get_layer(session, areas.get_area(session, STREET), "cases")
    codes = [f["properties"]["code"] for f in fc["features"]]
    statuses = dict(session.execute(select(m.Case.code, m.Case.status).where(m.Case.code.in_(codes))).all())
    assert set(statuses.values()) <= {"待受理", "已受理", "已派单", "处置中"}
    names = set(session.execute(select(m.Case.reporter_name).where(m.Case.reporter_name.is_not(None))).scalars())
    phones = set(session.execute(select(m.Case.reporter_phone).where(m.Case.reporter_phone.is_not(None))).scalars())
    for f in fc["features"]:
        assert f["properties"]["reporter"] not in names or f["properties"]["reporter"] is None
        assert not (set(map(str, f["properties"].values())) & phones)


def test_gap_layer_marks_buildings_beyond_the_walking_radius(session):
    fc = layers.get_layer(session, areas.get_area(session, STREET), "gaps", option="爱心食堂")
    props = [f["properties"] for f in fc["features"]]
    gaps = [p for p in props if p["gap"]]
    assert gaps and len(gaps) < len(props)
    assert all(p["distance"] is None or p["distance"] >= 300 for p in gaps)  # metres are rounded
    assert all(p["distance"] <= 300 and p["minutes"] <= p["limit"] for p in props if not p["gap"])
    assert all(p["elderly_minutes"] > p["minutes"] for p in props if p["distance"])
    cov = coverage.area_coverage(session, areas.get_area(session, STREET), "爱心食堂")
    assert len(gaps) == cov["buildings"] - cov["buildings_covered"] and len(props) == cov["buildings"]


def test_layer_cache_follows_the_version_of_cases(session):
    before = layers.get_layer(session, areas.get_area(session, COMMUNITY), "cases")
    assert layers.get_layer(session, areas.get_area(session, COMMUNITY), "cases") is before  # cached
    session.execute(update(m.Case).where(m.Case.community_code == COMMUNITY).values(status="已关闭"))
    cache.mark_changed(session, cache.CASES)
    after = layers.get_layer(session, areas.get_area(session, COMMUNITY), "cases")
    assert after["features"] == [] and before["features"]


def test_layer_in_gcj02_is_shifted(session):
    plain = layers.get_layer(session, areas.get_area(session, COMMUNITY), "service_points")
    shifted = layers.get_layer(session, areas.get_area(session, COMMUNITY), "service_points", gcj02=True)
    dx = shifted["features"][0]["geometry"]["coordinates"][0] - plain["features"][0]["geometry"]["coordinates"][0]
    assert 0.002 < dx < 0.006
