"""Footprint-only buildings get estimated counts (估算) through the real importer, marked wherever they are shown."""
from __future__ import annotations

import contextlib
import datetime as dt
import os

import pytest
import shapely
from sqlalchemy import select

from tests.import_files import OSM_PBF, feature, write_geojson
from tests.test_importer import demo_db  # noqa: F401  (a fixture: the demo street in a database of its own)
from tests.test_estimate import box_m

KOTKA = "990000001"  # the street the tests draw over the OSM extract
DEMO = "330381001"
NOW = dt.datetime(2026, 11, 20, 9, 30)


def run(path, kind, **options):
    from db.engine import session_scope
    from db.onboarding import import_file

    with session_scope() as session:
        return import_file(session, path, kind, options.pop("crs", None), None, options.pop("dry_run", False),
                           **options)


def build_kotka_street(folder, demo_data) -> None:
    """The demo street plus a street drawn over the OSM extract, whose buildings carry no counts, imported the
    way a user does it (`flask --app app import`): communities first, then compounds, buildings, roads, points."""
    from app import server
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.helpers import demo_street_as_real_data

    upgrade_to_head()
    write_demo(demo_data)
    demo_street_as_real_data()
    mid = 26.95
    communities = write_geojson(folder / "communities.geojson", [
        feature(shapely.box(26.92, 60.515, mid, 60.545), name="西社区", id="C-W"),
        feature(shapely.box(mid, 60.515, 26.98, 60.545), name="东社区", id="C-E")])
    runner = server.test_cli_runner()
    result = runner.invoke(args=["import", str(communities), "--as", "communities", "--street", KOTKA,
                                 "--street-name", "测试街道"])
    assert result.exit_code == 0, result.output
    for kind in ("compounds", "buildings", "roads", "service-points"):
        result = runner.invoke(args=["import", str(OSM_PBF), "--as", kind])
        assert result.exit_code == 0, result.output


@contextlib.contextmanager
def database_at(url: str):
    """DATABASE_URL points at `url` inside the block and at what it was before afterwards."""
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        yield url
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before


@pytest.fixture(scope="module")
def kotka(tmp_path_factory, demo_data):
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("kotka")
    with database_at(new_database_url(folder, "kotka")):
        build_kotka_street(folder, demo_data)
        yield folder


@pytest.fixture(scope="module")
def seeded_url(kotka) -> str:
    """The Kotka database stands in for the demo one here, so conftest's rolled-back `session` opens on it."""
    return os.environ["DATABASE_URL"]


def _buildings(session, **where):
    from db import models as m

    q = select(m.Building.source_id, m.Building.households, m.Building.residents, m.Building.elderly,
               m.Building.estimated)
    for column, value in where.items():
        q = q.where(getattr(m.Building, column) == value)
    return {r.source_id: tuple(r[1:]) for r in session.execute(q)}


def _a_home(street: str) -> str:
    """The code of a building of the street with households."""
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(m.Building.code).where(m.Building.street_code == street, m.Building.households > 0)
                         .order_by(m.Building.code).limit(1)).scalar_one()


def test_estimates_a_footprint_file_by_the_rule_and_leaves_file_counts_alone(demo_db):
    from db import areas, cache, dashboard, estimates, models as m
    from db.engine import session_scope

    with session_scope() as s:
        compound, shape = s.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "compound")
                                    .order_by(m.Area.code).limit(1)).one()
        before = dashboard.area_summary(s, areas.get_area(s, compound), NOW)["people"]
    p = shapely.point_on_surface(shape)
    footprints = [feature(box_m(p.x, p.y, 20, 30), id="LD-1", 层数=6),  # the worked example: 32 households
                  feature(box_m(p.x + 0.0003, p.y, 20, 30), id="LD-2", 层数=6, 户数=40),  # the file's own count
                  feature(box_m(p.x - 0.0002, p.y, 5, 4), id="LD-3")]  # 20 m²: a shed
    path = write_geojson(demo_db / "footprints.geojson", footprints)
    assert run(path, "buildings").counts["new"] == 3
    with session_scope() as s:
        got = _buildings(s, compound_code=compound)
        assert {k: got[k] for k in ("LD-1", "LD-2", "LD-3")} == {
            "LD-1": (32, 84, 16, True), "LD-2": (40, 0, 0, False), "LD-3": (0, 0, 0, True)}
        after = dashboard.area_summary(s, areas.get_area(s, compound), NOW)["people"]
        assert after["estimated"] is True and after["households"] == before["households"] + 32 + 40
        area = s.get(m.Area, compound)
        assert area.estimated and area.households == after["households"]  # roll_up summed the estimate in
        assert s.get(m.Area, compound[:12]).estimated and s.get(m.Area, DEMO).estimated
        other = s.execute(select(m.Area.code).where(m.Area.level == "compound", m.Area.code != compound)
                          .limit(1)).scalar()
        assert dashboard.area_summary(s, areas.get_area(s, other), NOW)["people"]["estimated"] is False

    # the same file again: nothing to write, and estimating again changes nothing
    again = run(path, "buildings", dry_run=True)
    assert (again.counts["new"], again.counts["updated"]) == (0, 0)
    with session_scope() as s:
        version = cache.data_version(s)
        assert estimates.estimate_missing(s, {DEMO}) == 0 and cache.data_version(s) == version
    # fewer floors in the file: estimated again; a file that brings counts replaces the estimate and its mark
    footprints[0]["properties"]["层数"] = 3
    run(write_geojson(demo_db / "lower.geojson", footprints), "buildings")
    with session_scope() as s:
        assert _buildings(s, source_id="LD-1")["LD-1"] == (16, 42, 8, True)
    footprints[0]["properties"]["户数"] = 12
    footprints[2]["properties"]["户数"] = 1
    run(write_geojson(demo_db / "counted.geojson", footprints), "buildings")
    with session_scope() as s:
        assert _buildings(s, compound_code=compound)["LD-1"] == (12, 0, 0, False)
        assert not s.get(m.Area, compound).estimated and not s.get(m.Area, DEMO).estimated
        assert dashboard.area_summary(s, areas.get_area(s, compound), NOW)["people"]["estimated"] is False


def test_estimates_give_an_osm_street_figures_and_mark_them(kotka):
    from db import areas, dashboard, models as m
    from db.engine import session_scope

    with session_scope() as s:
        rows = s.execute(select(m.Building.households, m.Building.floors, m.Building.estimated)
                         .where(m.Building.street_code == KOTKA)).all()
        street = dashboard.area_summary(s, areas.get_area(s, KOTKA), NOW)["people"]
        demo = dashboard.area_summary(s, areas.get_area(s, DEMO), NOW)["people"]
        streets = {r["code"]: r for r in areas.list_streets(s)}
    assert len(rows) > 1000 and all(r.estimated for r in rows)  # the extract has no counts at all
    homes = [r for r in rows if r.households > 0]
    assert 0.5 * len(rows) < len(homes) < len(rows)  # garages, sheds, schools and tiny footprints stay at zero
    assert street["estimated"] is True and street["households"] == sum(r.households for r in rows) > 0
    assert street["residents"] > street["households"] > street["elderly"] > 0
    assert demo["estimated"] is False and demo["households"] > 10000
    assert streets[KOTKA]["estimated"] and not streets[DEMO]["estimated"]


def test_estimates_flag_the_area_and_coverage_apis(kotka):
    from app import server
    from tests.helpers import login

    client = server.test_client()
    assert login(client).status_code == 302
    body = client.get(f"/api/areas/{KOTKA}").get_json()
    assert body["estimated"] is True and body["summary"]["estimated"] is True and body["summary"]["households"] > 0
    assert client.get(f"/api/areas/{DEMO}").get_json()["estimated"] is False
    cov = client.get(f"/api/areas/{KOTKA}/coverage?type=儿童之家").get_json()
    assert cov["estimated"] is True and cov["households_share"] is not None and cov["gaps"]
    assert all(g["estimated"] is True for g in cov["gaps"])
    demo = client.get(f"/api/areas/{DEMO}/coverage?type=日间照料中心").get_json()
    assert demo["estimated"] is False and demo["gaps"] and not any(g["estimated"] for g in demo["gaps"])
    assert client.get(f"/api/areas/{_a_home(KOTKA)}").get_json()["estimated"] is True


def test_estimates_are_marked_on_the_panel_and_the_planning_figures(kotka):
    from db import areas, coverage, dashboard, layers, planning as plans
    from db.engine import session_scope
    from layouts import map_page, planning_page

    def words(tree) -> str:
        if isinstance(tree, (list, tuple)):
            return " ".join(words(t) for t in tree)
        if hasattr(tree, "children"):
            return words(tree.children) + " " + str(getattr(tree, "title", "") or "")
        return "" if tree is None else str(tree)

    with session_scope() as s:
        panel = words(map_page.build_panel(dashboard.area_summary(s, areas.get_area(s, KOTKA), NOW)))
        demo_panel = words(map_page.build_panel(dashboard.area_summary(s, areas.get_area(s, DEMO), NOW)))
        planning = words(planning_page.coverage_block(coverage.area_coverage(s, areas.get_area(s, KOTKA), "儿童之家")))
        demo_planning = words(planning_page.coverage_block(coverage.area_coverage(s, areas.get_area(s, DEMO), "日间照料中心")))
        worst = coverage.area_coverage(s, areas.get_area(s, KOTKA), "儿童之家")["gaps"][0]["code"]  # a new site in the worst compound
        home = areas.get_area(s, layers.drill_children(s, areas.get_area(s, worst))[0]["code"])
        site = {"lon": home["point"][0], "lat": home["point"][1]}
        tried = plans.what_if(s, KOTKA, "儿童之家", [site], [])
        demo_tried = plans.what_if(s, DEMO, "日间照料中心", [], [])
        building = words(map_page.build_building_panel(areas.get_area(s, _a_home(KOTKA)), [], []))
        demo_building = words(map_page.build_building_panel(areas.get_area(s, _a_home(DEMO)), [], []))
    assert "估算" in panel
    assert "估算" not in demo_panel
    assert planning.count("估算") >= 4 and "估算" not in demo_planning
    assert "估算" in building and "估算" not in demo_building
    assert tried["estimated"] is True and tried["newly_covered"]["households"] > 0
    assert "估算" in words(planning_page.result_block(tried))
    assert demo_tried["estimated"] is False and "估算" not in words(planning_page.result_block(demo_tried))


def test_estimates_follow_known_tags_and_the_admins_settings(session):
    from db import estimates, models as m

    s = session
    codes = s.execute(select(m.Building.code, m.Building.households).where(m.Building.street_code == KOTKA,
                                                                           m.Building.households > 3)
                      .order_by(m.Building.code).limit(2)).all()
    (school, _), (flats, flats_households) = codes
    assert estimates.estimate_missing(s, {KOTKA}, kinds={school: "school"}) == 1
    assert s.get(m.Building, school).households == 0 and s.get(m.Building, school).estimated
    assert estimates.estimate_missing(s, {KOTKA}) == 0  # without the tag the school is not made homes again
    total = s.get(m.Area, KOTKA).households
    estimates.save_settings(s, {"floor_area_per_household_m2": 45}, "admin", NOW)
    assert estimates.get_settings(s)["floor_area_per_household_m2"] == 45
    assert estimates.estimate_missing(s, {KOTKA}) == 0  # settings apply to new estimates …
    estimates.reestimate(s, {KOTKA}, kinds={school: "school"})  # … or when a street is estimated again
    assert s.get(m.Building, school).households == 0
    assert abs(s.get(m.Building, flats).households - 2 * flats_households) <= 1
    assert s.get(m.Area, KOTKA).households > 1.8 * total


def test_estimates_mark_grids_that_arrive_after_the_buildings(kotka):
    """网格化 exports come last: the compounds move into the new grids, and the grids' counts are marked too.
    (Writes to the module's database: it runs last.)"""
    from db import areas, dashboard, models as m
    from db.engine import session_scope

    mid = 26.95
    grids = write_geojson(kotka / "grids.geojson", [
        feature(shapely.box(mid, 60.515, 26.98, 60.53), 网格名称="东一网格", 网格编号="G1"),
        feature(shapely.box(mid, 60.53, 26.98, 60.545), 网格名称="东二网格", 网格编号="G2")])
    assert run(grids, "grids").counts["new"] == 2
    with session_scope() as s:
        codes = s.execute(select(m.Area.code).where(m.Area.level == "grid", m.Area.code.like(f"{KOTKA}%"))).scalars()
        for code in codes:
            people = dashboard.area_summary(s, areas.get_area(s, code), NOW)["people"]
            assert people["estimated"] is True and people["households"] > 0, code
