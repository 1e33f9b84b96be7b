"""Every import is a batch that can be undone: rows back exactly as they were; refusals name what is in the way."""
from __future__ import annotations

import datetime as dt

import pytest
import shapely
from sqlalchemy import func, select, text

from tests.import_files import canteens_xlsx, feature, grid_frame, write_geojson, zip_shapefile

DATA_TABLES = {"area": "code", "building": "code", "service_point": "code", "volunteer_post": "code",
               "basemap_feature": "id", "volunteer": "id", "case": "id", "wish": "id"}
NOW = dt.datetime(2026, 12, 1, 21, 0)


@pytest.fixture()
def demo_db(tmp_path, monkeypatch, demo_data):
    """A fresh database holding the demo street (these imports and rollbacks commit)."""
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.helpers import demo_street_as_real_data
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "batches"))
    upgrade_to_head()
    write_demo(demo_data)
    demo_street_as_real_data()
    return tmp_path


def table_rows() -> dict[str, list[tuple]]:
    """Every row of the tables an import or its undo touches, geometry as WKB bytes: equal means exactly equal."""
    from db.engine import get_engine

    out = {}
    with get_engine().connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        for table, key in DATA_TABLES.items():
            columns = [c["name"] for c in conn.dialect.get_columns(conn, table)]
            shown = [f"ST_AsBinary({c})" if postgres and c == "geometry" else f'"{c}"' for c in columns]
            rows = conn.execute(text(f'SELECT {", ".join(shown)} FROM "{table}" ORDER BY {key}'))
            out[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return out


def differences(a: dict, b: dict) -> dict:
    """Per table that differs: the row counts and, for the first few rows that differ, the key and changed values."""
    out = {}
    for t in a:
        if a[t] != b[t]:
            changed = [(x[0], [(i, u, v) for i, (u, v) in enumerate(zip(x, y)) if u != v])
                       for x, y in zip(a[t], b[t]) if x != y]
            out[t] = (len(a[t]), len(b[t]), changed[:3])
    return out


def version() -> int:
    from db import cache
    from db.engine import session_scope

    with session_scope() as s:
        return cache.data_version(s)


def run(path, kind, **options):
    from db.engine import session_scope
    from db.onboarding import import_file

    with session_scope() as session:
        return import_file(session, path, kind, options.pop("crs", None), options.pop("mapping", None), False,
                           user="测试员", **options)


def rollback(batch_id: int, user: str = "测试员") -> dict:
    from db.batches import rollback_batch
    from db.engine import session_scope

    with session_scope() as s:
        return rollback_batch(s, batch_id, user, NOW)


def refused(batch_id: int):
    """The refusal of undoing `batch_id`, after checking that it wrote nothing and that the page can word it."""
    from geodata.importing.errors import ImportRefused
    from layouts import import_page, text

    before = table_rows()
    with pytest.raises(ImportRefused) as err:
        rollback(batch_id)
    assert table_rows() == before  # a refusal writes nothing
    assert import_page.rollback_refusal(err.value.kind, err.value.params) != text.IMPORT_ERROR_GENERIC
    return err.value


def compounds(n: int):
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "compound")
                         .order_by(m.Area.code).limit(n)).all()


def footprint(shape, dx: float = 0.0):
    p = shapely.point_on_surface(shape)
    return shapely.box(p.x - 4e-5 + dx, p.y - 2e-5, p.x + 4e-5 + dx, p.y + 2e-5)


def buildings_file(path, places: list[tuple[str, shapely.Geometry, int]]):
    return write_geojson(path, [feature(geom, id=sid, 名称=f"{sid}号楼", 层数=floors, 户数=floors * 4)
                                for sid, geom, floors in places])


def test_rollback_of_a_corrected_reimport_brings_back_the_first_import_exactly(demo_db):
    (_, shape_a), (code_b, shape_b) = compounds(2)
    pristine, v0 = table_rows(), version()
    first = run(buildings_file(demo_db / "楼栋.geojson", [("LD-1", footprint(shape_a), 6),
                                                          ("LD-2", footprint(shape_a, 1e-4), 5),
                                                          ("LD-3", footprint(shape_a, -1e-4), 4)]), "buildings")
    assert first.counts["new"] == 3
    after_first = table_rows()
    # the corrected file: one footprint redrawn, one floor count fixed, one building in the other compound, one new
    second = run(buildings_file(demo_db / "楼栋-修正.geojson", [("LD-1", footprint(shape_a, 2e-5), 6),
                                                                ("LD-2", footprint(shape_a, 1e-4), 7),
                                                                ("LD-3", footprint(shape_b), 4),
                                                                ("LD-4", footprint(shape_b, 1e-4), 3)]), "buildings")
    assert (second.counts["new"], second.counts["updated"]) == (2, 2)
    assert table_rows()["building"] != after_first["building"]

    from db.batches import list_batches
    from db.engine import session_scope

    with session_scope() as s:
        listed = list_batches(s)
    assert [(b["id"], b["kind"], b["file_name"], b["status"], b["created_by"]) for b in listed] == [
        (second.counts["batch"], "buildings", "楼栋-修正.geojson", "applied", "测试员"),
        (first.counts["batch"], "buildings", "楼栋.geojson", "applied", "测试员")]
    assert listed[0]["counts"]["new"] == 2 and listed[0]["counts"]["updated"] == 2

    v2 = version()
    done = rollback(second.counts["batch"])
    assert done["removed"] == 2  # LD-4, and LD-3 under its new code in the other compound
    assert differences(table_rows(), after_first) == {}  # footprints, floors, codes and every area count
    assert version() > v2
    rollback(first.counts["batch"])
    assert differences(table_rows(), pristine) == {}
    assert version() > v0
    with session_scope() as s:
        statuses = [(b["status"], b["rolled_back_by"]) for b in list_batches(s)]
    assert statuses == [("rolled_back", "测试员")] * 2
    assert code_b  # the second compound exists; LD-3 moved into it and back


def test_rollback_refuses_while_a_later_batch_changed_the_same_rows_and_twice(demo_db):
    ((_, shape_a),) = compounds(1)
    first = run(buildings_file(demo_db / "a.geojson", [("LD-1", footprint(shape_a), 6)]), "buildings")
    second = run(buildings_file(demo_db / "b.geojson", [("LD-1", footprint(shape_a), 9)]), "buildings")
    err = refused(first.counts["batch"])
    assert err.kind == "later_batch" and err.params["first"] == second.counts["batch"]
    from layouts import import_page

    assert f"请先撤销第 {second.counts['batch']} 批" in import_page.rollback_refusal(err.kind, err.params)
    rollback(second.counts["batch"])
    err = refused(second.counts["batch"])
    assert err.kind == "already_rolled_back" and err.params["by"] == "测试员"
    assert refused(9999).kind == "no_batch"
    rollback(first.counts["batch"])


def test_rollback_refuses_while_cases_wishes_or_volunteers_depend_on_what_it_created(demo_db):
    from db import cases, models as m
    from db.access import SYSTEM
    from db.engine import session_scope

    ((_, shape_a),) = compounds(1)
    batch = run(buildings_file(demo_db / "a.geojson", [("LD-1", footprint(shape_a), 6)]), "buildings").counts["batch"]
    with session_scope() as s:
        building = s.execute(select(m.Building.code).where(m.Building.source_id == "LD-1")).scalar_one()
        inside = shapely.point_on_surface(footprint(shape_a))
        case = cases.create_case(s, cases.NewCase("环境卫生", "楼道堆物", "网格巡查", inside.x, inside.y), "测试员",
                                 SYSTEM, NOW).code
        # registered at the new building (the footprint may overlap a demo one, which locate could pick instead)
        s.execute(m.Case.__table__.update().where(m.Case.code == case).values(building_code=building))
        # an explicit id: the demo seeds volunteers with theirs, which leaves PostgreSQL's sequence at 1
        next_id = s.execute(select(func.max(m.Volunteer.id))).scalar() + 1
        s.add(m.Volunteer(id=next_id, name="王五", phone=None, kind="居民志愿者", home_building_code=building))
    err = refused(batch)
    assert err.kind == "in_use"
    assert err.params["depends"]["cases"] == {"count": 1, "examples": [case]}
    assert err.params["depends"]["volunteers"]["count"] == 1
    assert case in err.detail
    from layouts import import_page

    words = import_page.rollback_refusal(err.kind, err.params)
    assert f"1 件诉求登记在这一批新建的楼栋或区域上（{case}）" in words and "1 名志愿者住在这一批新建的楼栋里" in words
    with session_scope() as s:
        s.execute(m.Volunteer.__table__.delete().where(m.Volunteer.home_building_code == building))
        s.execute(m.CaseEvent.__table__.delete())
        s.execute(m.Case.__table__.delete().where(m.Case.code == case))
    rollback(batch)


def test_grid_import_rollback_moves_compounds_and_buildings_back(demo_db):
    from db import models as m
    from db.engine import session_scope
    from tests.test_importer import community_shape

    with session_scope() as s:  # compounds hanging off the community itself, as before any grid file came
        s.execute(m.Area.__table__.update().where(m.Area.level == "compound", m.Area.code.like("330381001002X%"))
                  .values(parent_code="330381001002"))
        s.execute(m.Building.__table__.update().where(m.Building.community_code == "330381001002")
                  .values(grid_code="330381001002"))
    before = table_rows()
    community = community_shape("330381001002")
    grids = run(zip_shapefile(grid_frame(community, ["甲网格", "乙网格", "丙网格"]), demo_db, "网格"), "grids")
    assert grids.counts["new"] == 3 and grids.counts["reattached"] > 0
    moved = table_rows()
    assert moved["building"] != before["building"]  # the buildings' grid codes followed their compounds
    rollback(grids.counts["batch"])
    assert differences(table_rows(), before) == {}


def test_a_wrong_crs_rolled_back_and_imported_again_gives_no_duplicates(demo_db):
    from db import models as m
    from db.engine import session_scope
    from tests.test_importer import canteen_sites, community_shape

    sites = canteen_sites(community_shape("330381001001"))
    sheet = canteens_xlsx(demo_db / "食堂.xlsx", sites, ["东山爱心食堂", "锦湖爱心食堂", "玉海爱心食堂"])
    before = table_rows()
    wrong = run(sheet, "service-points", crs="EPSG:4326")  # 高德 coordinates taken as GPS: ~500 m off
    assert wrong.counts["new"] >= 2  # one lands outside the street: rejected
    rollback(wrong.counts["batch"])
    assert differences(table_rows(), before) == {}
    right = run(sheet, "service-points", crs="gcj02")
    assert right.counts["new"] == 3
    with session_scope() as s:
        rows = s.execute(select(m.ServicePoint.lon, m.ServicePoint.lat)
                         .where(m.ServicePoint.name.in_(["东山爱心食堂", "锦湖爱心食堂", "玉海爱心食堂"]))).all()
        total = s.execute(select(func.count()).select_from(m.ServicePoint)).scalar()
    assert total == len(before["service_point"]) + 3
    assert sorted((round(r.lon, 5), round(r.lat, 5)) for r in rows) == sorted((round(x, 5), round(y, 5))
                                                                             for x, y in sites)


def test_roads_rollback_removes_the_lines_it_added(demo_db):
    ((_, shape_a),) = compounds(1)
    c = shape_a.centroid
    before = table_rows()
    roads = run(write_geojson(demo_db / "路.geojson", [
        feature(shapely.LineString([(c.x - 1e-3, c.y), (c.x + 1e-3, c.y)]), id="R1", name="新路", highway="footway")]),
        "roads")
    assert roads.counts["new"] == 1
    rollback(roads.counts["batch"])
    assert differences(table_rows(), before) == {}


def test_cli_lists_batches_and_rolls_one_back_with_clear_refusals(demo_db):
    from app import server

    ((_, shape_a),) = compounds(1)
    runner = server.test_cli_runner()
    a = buildings_file(demo_db / "a.geojson", [("LD-1", footprint(shape_a), 6)])
    b = buildings_file(demo_db / "b.geojson", [("LD-1", footprint(shape_a), 8)])
    for path in (a, b):
        result = runner.invoke(args=["import", str(path), "--as", "buildings"])
        assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["import-batches"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert len(lines) == 2 and "b.geojson" in lines[0] and "a.geojson" in lines[1]
    assert "updated 1" in lines[0] and "new 1" in lines[1] and lines[0].rstrip().endswith("applied")
    first_id, second_id = int(lines[1].split()[0]), int(lines[0].split()[0])

    result = runner.invoke(args=["rollback-import", str(first_id)])
    assert result.exit_code != 0 and result.exception.__class__ is SystemExit
    assert f"roll back {second_id} first" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["rollback-import", str(second_id)])
    assert result.exit_code == 0 and f"rolled back batch {second_id}" in result.output
    result = runner.invoke(args=["rollback-import", str(second_id)])
    assert result.exit_code != 0 and "already rolled back" in result.output
    result = runner.invoke(args=["rollback-import", "77"])
    assert result.exit_code != 0 and "no import batch 77" in result.output
    assert "rolled back" in runner.invoke(args=["import-batches"]).output.splitlines()[0]
