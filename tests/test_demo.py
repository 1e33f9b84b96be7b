"""The demo generator: deterministic, nested geometry, plausible people and cases."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely

from geodata import crs, demo
from workflow.vocab import CASE_SOURCES, LADDER_LEVELS, SERVICE_TYPES
from tests.conftest import REFERENCE_TIME

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def _metric(gdf):
    return gdf.to_crs(crs.DEMO_FRAME)  # the frame the generator draws in


def test_generate_is_deterministic_for_same_seed(demo_data):
    again = demo.generate("S", reference_time=REFERENCE_TIME)
    pd.testing.assert_frame_equal(again.cases, demo_data.cases)
    assert list(again.buildings.code) == list(demo_data.buildings.code)
    assert np.array_equal(shapely.to_wkb(again.buildings.geometry.values), shapely.to_wkb(demo_data.buildings.geometry.values))


def test_generate_differs_for_another_seed(demo_data):
    other = demo.generate("S", seed=7, reference_time=REFERENCE_TIME)
    assert list(other.areas.name) != list(demo_data.areas.name)


def test_generate_rejects_unknown_scale():
    try:
        demo.generate("XL")
    except ValueError as err:
        assert "XL" in str(err)
    else:
        raise AssertionError("unknown scale accepted")


def test_scale_s_has_street_size(demo_data):
    levels = demo_data.areas.level.value_counts()
    assert levels["street"] == 1
    assert levels["community"] == 8
    assert 50 <= levels["compound"] <= 80
    assert 1200 <= len(demo_data.buildings) <= 2000
    assert len(demo_data.cases) == 3000


def test_communities_partition_the_street(demo_data):
    areas = _metric(demo_data.areas)
    street = areas[areas.level == "street"].geometry.iloc[0]
    communities = areas[areas.level == "community"].geometry
    union = shapely.union_all(communities.values)
    assert abs(union.area - street.area) / street.area < 1e-6
    total = communities.area.sum()
    assert abs(total - street.area) / street.area < 1e-6  # no overlaps: parts add up to the whole


def test_grids_partition_their_community(demo_data):
    areas = _metric(demo_data.areas)
    for community in areas[areas.level == "community"].itertuples():
        grids = areas[(areas.level == "grid") & (areas.parent_code == community.code)]
        assert len(grids) >= 2
        assert abs(grids.area.sum() - community.geometry.area) / community.geometry.area < 1e-6


def test_every_compound_inside_its_grid_and_community(demo_data):
    areas = _metric(demo_data.areas).set_index("code")
    compounds = areas[areas.level == "compound"]
    for code, row in compounds.iterrows():
        grid = areas.loc[row.parent_code]
        community = areas.loc[grid.parent_code]
        assert grid.level == "grid" and community.level == "community"
        assert grid.geometry.buffer(0.01).contains(row.geometry), code
        assert community.geometry.buffer(0.01).contains(row.geometry), code


def test_every_building_inside_its_compound(demo_data):
    areas = _metric(demo_data.areas).set_index("code")
    buildings = _metric(demo_data.buildings)
    parents = areas.loc[buildings.compound_code].geometry.values
    inside = shapely.contains(shapely.buffer(parents, 0.01), buildings.geometry.values)
    assert inside.all(), buildings.code[~inside].tolist()[:5]


def test_buildings_do_not_overlap(demo_data):
    buildings = _metric(demo_data.buildings).geometry.values
    tree = shapely.STRtree(buildings)
    left, right = tree.query(buildings, predicate="intersects")
    assert (left == right).all()


def test_counts_roll_up_from_buildings(demo_data):
    areas = demo_data.areas.set_index("code")
    b = demo_data.buildings
    for level in ("compound", "grid", "community", "street"):
        sums = b.groupby(f"{level}_code")[["households", "residents", "elderly", "party_members"]].sum()
        for code, row in sums.iterrows():
            assert areas.loc[code, "households"] == row.households
            assert areas.loc[code, "elderly"] == row.elderly
    assert areas[areas.level == "street"].households.iloc[0] == b.households.sum()


def test_old_compounds_are_older(demo_data):
    b = demo_data.buildings
    old = b[b.built_year < 2000]
    new = b[b.built_year > 2010]
    assert (old.elderly / old.residents).mean() > (new.elderly / new.residents).mean() + 0.1
    assert new.floors.mean() > old.floors.mean() + 8


def test_service_points_cover_the_field_types(demo_data):
    points = demo_data.service_points
    assert set(points.service_type) <= set(SERVICE_TYPES)
    per_type = points.service_type.value_counts()
    assert per_type["党群服务中心"] == 8  # one per community
    for kind in ("红色驿站", "爱心食堂", "日间照料中心", "共享工具柜"):
        assert per_type.get(kind, 0) >= 1
    assert points.community_code.notna().all()
    assert points.hours.notna().all()


def test_people_are_invented_with_plainly_fake_phones(demo_data):
    phones = pd.concat([demo_data.volunteers.phone, demo_data.cases.reporter_phone.dropna()])
    assert phones.str.fullmatch(r"1[3-9]\d0000\d{4}").all()
    names = demo_data.volunteers.name
    assert names.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()


def test_cases_have_a_realistic_mix(demo_data):
    cases = demo_data.cases
    assert set(cases.source) == set(CASE_SOURCES)
    assert set(cases.level) == set(LADDER_LEVELS)
    assert (cases.level == "小区").mean() > 0.4  # 小事不出小区
    open_ = cases.status.isin(["待受理", "已受理", "已派单", "处置中"])
    assert 0.02 < open_.mean() < 0.15
    ages = (pd.Timestamp(REFERENCE_TIME) - pd.to_datetime(cases.created_at)).dt.days
    assert ages.max() <= 366 and ages.min() >= 0
    assert (pd.to_datetime(cases.deadline) > pd.to_datetime(cases.created_at)).all()
    satisfied = cases[cases.status.isin(["已回访", "已关闭"])].satisfaction
    assert satisfied.notna().all() and (satisfied == "满意").mean() > 0.6


def test_case_codes_follow_the_hierarchy(demo_data):
    c = demo_data.cases
    assert (c.building_code.str[:16] == c.compound_code).all()
    assert (c.compound_code.str[:12] == c.community_code).all()
    assert (c.grid_code.str[:12] == c.community_code).all()
    code = re.compile(r"^\d{9}\d{3}X\d{3}B\d{3}$")
    assert c.building_code.map(lambda s: bool(code.match(s))).all()


def test_location_is_real_ruian(demo_data):
    minx, miny, maxx, maxy = demo_data.areas.total_bounds
    assert 120.55 < minx < maxx < 120.75
    assert 27.70 < miny < maxy < 27.85


def test_compound_walkways_avoid_buildings_and_join_the_roads(demo_data):
    basemap = _metric(demo_data.basemap)
    paths, roads = basemap[basemap.kind == "path"], basemap[basemap.kind.isin(["arterial", "branch"])]
    compounds = _metric(demo_data.areas[demo_data.areas.level == "compound"])
    assert len(paths) == len(compounds)  # one set of walkways per compound
    buildings = _metric(demo_data.buildings).geometry.values
    crossing = shapely.STRtree(buildings).query(paths.geometry.values, predicate="crosses")
    assert crossing.size == 0, "a walkway runs through a building"
    from geodata import network

    net = network.build(list(paths.geometry.values) + list(roads.geometry.values))
    assert net.components_report()["components"] == 1  # every compound's gates reach the roads


def test_walkways_bring_walks_inside_a_compound_close_to_the_straight_line(demo_data):
    from geodata import coverage, network

    basemap = _metric(demo_data.basemap)
    lines = [g for g in basemap.geometry.values if g.geom_type.endswith("LineString")]
    roads = list(basemap[basemap.kind.isin(["arterial", "branch"])].geometry.values)

    def median_detour(net) -> float:
        ratios = []
        for _, one in demo_data.buildings.groupby("compound_code"):
            xy = coverage.metric_xy(one.geometry, crs.DEMO_FRAME)
            snap = network.snap(net, xy)
            walked = network.distance_matrix(net, snap, snap)
            straight = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            ratios += list(walked[straight > 60] / straight[straight > 60])
        return float(np.median(ratios))

    with_walkways, roads_only = median_detour(network.build(lines)), median_detour(network.build(roads))
    # measured: 1.54 with walkways, 3.1 on the roads alone (out to a road, round the block, back in)
    assert with_walkways < 1.7
    assert with_walkways < roads_only / 1.5


def test_nothing_in_the_demo_happens_after_its_clock():
    """Young cases are accepted, dispatched and closed by the demo's reference time, not after it."""
    from db.seed import case_trail

    data = demo.generate("S", reference_time=REFERENCE_TIME)
    for column in ("created_at", "accepted_at", "resolved_at", "deadline"):
        times = pd.to_datetime(data.cases[column])
        if column == "deadline":
            assert (times > pd.Timestamp(REFERENCE_TIME)).any()  # deadlines are promises: they lie ahead
        else:
            assert not (times > pd.Timestamp(REFERENCE_TIME)).any(), column
    trail = case_trail(data.cases, {code: i for i, code in enumerate(data.cases.code)}, REFERENCE_TIME)
    at = pd.to_datetime(trail["at"])
    assert at.max() <= pd.Timestamp(REFERENCE_TIME)
    # every case's steps still come in the order of its life: created first, closed last
    assert trail.assign(at=at).groupby("case_id")["at"].apply(lambda s: s.is_monotonic_increasing).all()
    first = trail.groupby("case_id")["action"].first()
    assert set(first) == {"create"}
