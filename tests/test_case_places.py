"""Cases no one sees (issue 14, class 7): every case taken in inside a community gets a grid, and the community's and
the street's people see what lies in no grid, on both backends."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import shapely
from shapely import affinity
from sqlalchemy import select

from db import cases, models as m, spatial, wishes
from db.access import SYSTEM, Viewer
from geodata import crs
from tests.refusals import refused

NOW = dt.datetime(2026, 11, 20, 10, 0)
STREET = "330381001"
ONE_METRE_DEG = 1e-5


def _areas(session, level: str, parent: str | None = None) -> list[m.Area]:
    where = [m.Area.level == level] + ([m.Area.parent_code == parent] if parent else [])
    return session.execute(select(m.Area).where(*where).order_by(m.Area.code)).scalars().all()


def _shared_corner(shapes: list[m.Area], inside) -> tuple[shapely.Point, list[str]]:
    """A corner that two or more of `shapes` share, well inside `inside` (not on its edge), and who shares it."""
    corners: dict[tuple, set] = {}
    for area in shapes:
        for xy in area.geometry.exterior.coords[:-1]:
            corners.setdefault(xy, set()).add(area.code)
    for xy, owners in sorted(corners.items(), key=lambda kv: -len(kv[1])):
        point = shapely.Point(xy)
        if len(owners) > 1 and inside.contains(point) and inside.boundary.distance(point) > ONE_METRE_DEG:
            return point, sorted(owners)
    raise AssertionError("the demo street has no shared corner inside: the test needs another place")


def _new(lon: float, lat: float, **over) -> cases.NewCase:
    fields = dict(category="环境卫生", description="网格交界处堆放垃圾", source="网格巡查", lon=lon, lat=lat)
    return cases.NewCase(**{**fields, **over})


def test_a_case_on_the_corner_where_grids_meet_gets_the_lowest_of_their_codes(session):
    community = next(c for c in _areas(session, "community") if len(_areas(session, "grid", c.code)) == 4)
    grids = _areas(session, "grid", community.code)
    corner, owners = _shared_corner(grids, community.geometry)
    assert not any(g.geometry.contains(corner) for g in grids)  # on every one's edge, inside none
    created = cases.create_case(session, _new(corner.x, corner.y), "甲", SYSTEM, NOW)
    assert (created.grid_code, created.community_code) == (owners[0], community.code)
    # the grid's leader sees it: it is not one only the admin finds
    leader = Viewer("grid_leader", owners[0])
    assert created.code in {c["code"] for c in cases.list_cases(session, leader, cases.CaseFilter(), NOW)}
    assert cases.get_case(session, created.code, leader, NOW)["grid_code"] == owners[0]


def test_a_case_on_the_line_between_two_communities_is_taken_in(session):
    street = session.get(m.Area, STREET)
    corner, owners = _shared_corner(_areas(session, "community"), street.geometry)
    created = cases.create_case(session, _new(corner.x, corner.y), "甲", SYSTEM, NOW)
    assert created.community_code == owners[0] and created.street_code == STREET
    assert created.grid_code in {g.code for g in _areas(session, "grid", owners[0])}


def _gap_beside(session) -> tuple[m.Area, m.Area, shapely.Point]:
    """Shrink one grid of a community to a tenth (rolled back with the test): a point 1 % of the way from the edge it
    shared with a neighbour towards its middle now lies in no grid, metres from the neighbour and in no compound."""
    community = next(c for c in _areas(session, "community") if len(_areas(session, "grid", c.code)) == 4)
    grids = _areas(session, "grid", community.code)
    shrunk, neighbour = next((g, n) for g in grids for n in grids
                             if g.code < n.code and g.geometry.intersection(n.geometry).length > 0)
    edge = shrunk.geometry.intersection(neighbour.geometry)
    middle, centre = edge.interpolate(0.5, normalized=True), shrunk.geometry.centroid
    point = shapely.Point(middle.x + (centre.x - middle.x) * 0.01, middle.y + (centre.y - middle.y) * 0.01)
    shrunk.geometry = affinity.scale(shrunk.geometry, 0.1, 0.1, origin="centroid")
    shrunk.min_lon, shrunk.min_lat, shrunk.max_lon, shrunk.max_lat = shrunk.geometry.bounds
    session.flush()
    compounds = _areas(session, "compound")
    assert not any(c.geometry.covers(point) for c in compounds), "the probe point lies in a compound"
    assert not any(g.geometry.covers(point) for g in _areas(session, "grid", community.code))
    return shrunk, neighbour, point


def test_a_case_in_a_gap_between_grids_gets_the_nearest_grid_of_its_community(session):
    shrunk, neighbour, point = _gap_beside(session)
    grids = _areas(session, "grid", shrunk.parent_code)
    # the nearest in metres, measured here on its own: the neighbour a metre or two away, not the shrunk grid
    metric = crs.metric_crs(point.x, point.y)
    metres = gpd.GeoSeries([g.geometry for g in grids], crs=crs.WGS84).to_crs(metric).distance(
        gpd.GeoSeries([point], crs=crs.WGS84).to_crs(metric).iloc[0])
    assert grids[int(metres.idxmin())].code == neighbour.code and metres.min() < 5
    assert spatial.locate(session, point.x, point.y)["grid"] == neighbour.code
    created = cases.create_case(session, _new(point.x, point.y), "甲", SYSTEM, NOW)
    assert created.grid_code == neighbour.code
    leader = Viewer("grid_leader", neighbour.code)
    assert created.code in {c["code"] for c in cases.list_cases(session, leader, cases.CaseFilter(), NOW)}


def _case_without_grid(session, community: str) -> str:
    """A case stored with no grid, as intake did before every case got one (or where a community has no grids)."""
    building = session.execute(select(m.Building).where(m.Building.community_code == community).limit(1)).scalar_one()
    case = m.Case(code="AJ9999990", category="环境卫生", source="居民上报", description="无网格的诉求", lon=building.lon,
                  lat=building.lat, building_code=building.code, compound_code=None, grid_code=None,
                  community_code=community, street_code=building.street_code, level="网格", status="待受理",
                  created_at=NOW, deadline=NOW + dt.timedelta(days=5))
    session.add(case)
    session.flush()
    return case.code


@pytest.mark.parametrize("role, scope, sees", [
    ("community_staff", "330381001002", True), ("street_official", STREET, True),
    ("grid_leader", "33038100100201", False),  # not in their grid: a community's case, not theirs
    ("community_staff", "330381001003", False),
])
def test_a_case_in_no_grid_is_seen_by_its_community_and_street(session, role, scope, sees):
    code = _case_without_grid(session, "330381001002")
    viewer = Viewer(role, scope)
    listed = {c["code"] for c in cases.list_cases(session, viewer, cases.CaseFilter(), NOW)}
    assert (code in listed) == sees
    if sees:
        assert cases.get_case(session, code, viewer, NOW)["community_code"] == "330381001002"
        assert cases.act(session, code, "accept", "乙", viewer, 1, NOW)["status"] == "已受理"
    else:
        with refused(cases.NotFound, "不存在或不在您的负责范围内"):
            cases.get_case(session, code, viewer, NOW)


def test_a_wish_in_no_grid_is_seen_by_its_community(session):
    building = session.execute(select(m.Building.code).where(m.Building.community_code == "330381001002")
                               .order_by(m.Building.code).limit(1)).scalar_one()
    code = wishes.publish_wish(session, wishes.NewWish(title="帮忙修门铃", building_code=building), SYSTEM, NOW)
    session.execute(m.Wish.__table__.update().where(m.Wish.code == code).values(grid_code=None))
    staff = Viewer("community_staff", "330381001002")
    assert code in {w["code"] for w in wishes.list_wishes(session, staff)}
    assert wishes.get_wish(session, code, Viewer("street_official", STREET))["code"] == code


def test_a_community_without_grids_takes_cases_its_staff_see(session):
    community = "330381001002"
    session.execute(m.Building.__table__.update().where(m.Building.community_code == community)
                    .values(grid_code=community))  # as test_street_setup leaves a community without grids
    session.execute(m.Area.__table__.update().where(m.Area.code.like(f"{community}X%")).values(parent_code=community))
    session.execute(m.Area.__table__.delete().where(m.Area.level == "grid", m.Area.parent_code == community))
    building = session.execute(select(m.Building).where(m.Building.community_code == community).limit(1)).scalar_one()
    point = building.geometry.representative_point()
    staff = Viewer("community_staff", community)
    created = cases.create_case(session, _new(point.x, point.y), "乙", staff, NOW)
    assert created.grid_code is None and created.community_code == community
    assert created.code in {c["code"] for c in cases.list_cases(session, staff, cases.CaseFilter(), NOW)}
    # and the building search of the intake form finds its buildings for the community's staff
    from db import areas

    name = session.get(m.Area, building.compound_code).name
    assert building.code in {b["code"] for b in areas.search_buildings(session, name, staff)}


def test_importing_grids_reports_each_communitys_area_left_outside_every_grid(own_database, tmp_path):
    from db.engine import session_scope
    from db.onboarding import import_file
    from geodata.importing import prepare
    from layouts import import_page
    from tests.helpers import demo_street_as_real_data
    from tests.import_files import feature, write_geojson

    community = "330381001002"
    with session_scope() as s:  # the community before its first grid file: no grids yet
        demo_street_as_real_data(s)  # imports into the demo are refused
        s.execute(m.Building.__table__.update().where(m.Building.community_code == community)
                  .values(grid_code=community))
        s.execute(m.Area.__table__.update().where(m.Area.code.like(f"{community}X%")).values(parent_code=community))
        s.execute(m.Area.__table__.delete().where(m.Area.level == "grid", m.Area.parent_code == community))
        shape, name = s.execute(select(m.Area.geometry, m.Area.name).where(m.Area.code == community)).one()
    minx, miny, maxx, maxy = shape.bounds
    west, middle = minx + 0.35 * (maxx - minx), minx + 0.7 * (maxx - minx)
    drawn = [shapely.box(minx, miny, west, maxy).intersection(shape), shapely.box(west, miny, middle, maxy)
             .intersection(shape)]
    path = write_geojson(tmp_path / "网格.geojson", [feature(g, 网格名称=f"测试网格{i}", 网格编号=f"T{i}")
                                                    for i, g in enumerate(drawn, 1)])
    metric = crs.metric_crs(*shape.centroid.coords[0])
    whole, left = gpd.GeoSeries([shape, shape.difference(shapely.union_all(drawn))], crs=crs.WGS84) \
        .to_crs(metric).area
    for dry_run in (True, False):  # the preview says what the commit then leaves
        with session_scope() as s:
            plan = import_file(s, path, "grids", None, None, dry_run)
        assert plan.counts["new"] == 2, plan.problems
        (gap,) = [n for n in plan.notices if n["kind"] == "grid_gap"]
        assert (gap["code"], gap["name"]) == (community, name)
        assert gap["m2"] == pytest.approx(left, rel=0.01) and gap["share"] == pytest.approx(left / whole, rel=0.01)
    # the page and the command line say it, with the square metres and the share
    (line,) = [x for x in import_page.notice_lines(plan.notices) if community in x]
    assert f"{gap['m2']:,} 平方米" in line and f"{gap['share']:.1%}" in line and "不在任何网格内" in line
    assert f"community {community} {name}: {gap['m2']:,} m² ({gap['share']:.1%}) lie in no grid" in \
        prepare.notice_text(gap)
    # a community whose grids cover it all is not reported
    with session_scope() as s:
        from db import street_setup

        assert street_setup.community_gaps(s, {"330381001003"}) == []
