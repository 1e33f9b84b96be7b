"""Real files that used to import wrongly (issue 12): id columns that identify nothing, shapes cut at an extract's
edge, values too long for their columns, ties between compounds, re-imports that changed nothing, 高德 coordinates
without a declaration, an OpenStreetMap file asked to become communities."""
from __future__ import annotations

import json

import coordTransform
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from tests.import_files import OSM_PBF, feature, write_geojson, zip_shapefile
from tests.test_importer import community_shape, demo_db, run  # noqa: F401  (demo_db is a fixture)

COMMUNITY = "330381001006"


def cli(*args):
    from app import server

    return server.test_cli_runner().invoke(args=[str(a) for a in args])


def inner_square(area) -> shapely.Polygon:
    """A square inside `area` (in its widest part), for shapes that must lie in it whatever its outline."""
    circle = shapely.maximum_inscribed_circle(area)
    centre, half = shapely.get_point(circle, 0), 0.7 * circle.length
    return shapely.box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)


def free_square():
    """A square of the community that no demo compound touches: new compounds there overlap only each other."""
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        compounds = s.execute(select(m.Area.geometry).where(m.Area.level == "compound",
                                                            m.Area.code.like(COMMUNITY + "%"))).scalars().all()
    return inner_square(community_shape(COMMUNITY).difference(shapely.union_all(compounds)))


def demo_compound():
    """(code, shape) of the demo compound with most room in the community."""
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        rows = s.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "compound",
                                                                    m.Area.code.like(COMMUNITY + "%"))).all()
    return max(rows, key=lambda r: shapely.maximum_inscribed_circle(r.geometry).length)


def footprints(area, count: int) -> list:
    """`count` small separate boxes in rows and columns inside `area`."""
    minx, miny, maxx, maxy = inner_square(area).bounds
    side = int(np.ceil(np.sqrt(count)))
    step_x, step_y = (maxx - minx) / side, (maxy - miny) / side
    boxes = [shapely.box(minx + (i % side + 0.2) * step_x, miny + (i // side + 0.2) * step_y,
                         minx + (i % side + 0.8) * step_x, miny + (i // side + 0.7) * step_y) for i in range(count)]
    assert all(area.contains(b) for b in boxes)
    return boxes


def new_compounds(folder, shapes: list, prefix: str = "QA") -> list[str]:
    """Import `shapes` as compounds of their own (ids QA-1, QA-2 …); their codes in that order."""
    from db import models as m
    from db.engine import session_scope

    ids = [f"{prefix}-{i + 1}" for i in range(len(shapes))]
    path = write_geojson(folder / f"{prefix}.geojson",
                         [feature(s, id=i, name=f"测试小区{i}") for s, i in zip(shapes, ids)])
    assert run(path, "compounds").counts["new"] == len(shapes)
    with session_scope() as s:
        code_of = dict(s.execute(select(m.Area.source_id, m.Area.code).where(m.Area.source_id.in_(ids))).all())
    return [code_of[i] for i in ids]


def building_rows(source_ids) -> dict:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        rows = s.execute(select(m.Building.source_id, m.Building.code, m.Building.compound_code, m.Building.name,
                                m.Building.households, m.Building.estimated)
                         .where(m.Building.source_id.in_(list(source_ids)))).all()
    return {r.source_id: r for r in rows}


def building_count() -> int:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(m.Building)).scalar_one()


# --- defect 2: an id column that identifies nothing --------------------------------------------------------------

def test_shapefile_id_zero_on_every_row_imports_every_building(demo_db):
    boxes = footprints(demo_compound().geometry, 50)
    frame = gpd.GeoDataFrame({"Id": [0] * 50, "层数": [6] * 50}, geometry=boxes, crs="EPSG:4326")
    path = zip_shapefile(frame, demo_db, "楼栋", encoding="UTF-8")
    before = building_count()
    result = cli("import", path, "--as", "buildings")
    assert result.exit_code == 0, result.output
    assert "new 50" in result.output and "rejected 0" in result.output
    assert "note: column Id is not unique (50 rows, 1 distinct value): rows keyed on their shape" in result.output
    assert building_count() == before + 50
    again = cli("import", path, "--as", "buildings", "--dry-run")
    assert "new 0, updated 0, unchanged 50" in again.output  # keyed on the shapes, a re-import finds them all


def test_two_repeated_ids_among_distinct_shapes_lose_no_building(demo_db):
    boxes = footprints(demo_compound().geometry, 12)
    ids = [f"LD-{i}" for i in range(12)]
    ids[7], ids[11] = ids[3], ids[5]
    path = write_geojson(demo_db / "ld.geojson", [feature(b, 编号=i) for b, i in zip(boxes, ids)])
    plan = run(path, "buildings", crs="EPSG:4326")
    assert (plan.counts["new"], plan.counts["duplicate"], plan.counts["rejected"]) == (12, 0, 0)
    assert plan.notices == [{"kind": "id_not_unique", "column": "编号", "rows": 12, "distinct": 10}]
    from layouts import import_page

    shown = import_page.notice_lines(plan.notices)
    assert shown == ["“编号”列有重复值（12 行，10 个不同值），未用作源编号：各行按形状识别。"]


# --- defect 4: shapes cut at an extract's edge -------------------------------------------------------------------

def test_slivers_and_collapsed_rings_are_rejected_alike_in_dry_run_and_commit(demo_db):
    c = shapely.get_point(shapely.maximum_inscribed_circle(demo_compound().geometry), 0)
    y = round(c.y, 6) + 2e-7
    sliver = shapely.box(c.x, y, c.x + 3e-4, y + 1e-8)  # valid at full precision, nothing on the 1e-6° grid
    two_points = shapely.Polygon([(c.x, c.y + 2e-4), (c.x + 2e-4, c.y + 3e-4), (c.x, c.y + 2e-4),
                                  (c.x, c.y + 2e-4)])
    good = shapely.box(c.x - 2e-4, c.y - 2e-4, c.x - 1e-4, c.y - 1.4e-4)
    path = write_geojson(demo_db / "cut.geojson", [feature(sliver, id="CUT-1"), feature(two_points, id="CUT-2"),
                                                  feature(good, id="CUT-3", 层数=5)])
    before = building_count()
    dry = run(path, "buildings", dry_run=True)
    reasons = {p["id"]: p["reason"] for p in dry.problems}
    assert reasons == {"CUT-1": "degenerate", "CUT-2": "degenerate"}
    assert all(p["detail"] for p in dry.problems)
    assert (dry.counts["new"], dry.counts["rejected"], dry.counts["degenerate"]) == (1, 2, 2)
    done = run(path, "buildings")
    assert (done.counts["new"], done.counts["rejected"]) == (1, 2)
    assert building_count() == before + 1
    assert set(building_rows(["CUT-1", "CUT-2", "CUT-3"])) == {"CUT-3"}
    from db import areas, coverage
    from db.engine import session_scope

    with session_scope() as s:  # what PostGIS used to answer 500 for
        assert coverage.area_coverage(s, areas.get_area(s, COMMUNITY), "爱心食堂")["buildings"] > 0


# --- defect 6: one check of lengths and numbers, the same on every backend ---------------------------------------

def test_values_too_long_or_not_numbers_refuse_their_rows_only(demo_db):
    from db import models as m
    from db.engine import session_scope

    boxes = footprints(demo_compound().geometry, 4)
    path = write_geojson(demo_db / "long.geojson", [
        feature(boxes[0], id="LONG-1", name="长" * 60, 层数="6"),
        feature(boxes[1], id="LONG-2", name="一号楼", 层数="六层"),
        feature(boxes[2], id="LONG-3", name="二号楼", 户数=3_000_000_000),
        feature(boxes[3], id="LONG-4", name="三号楼", 层数=" 7 ", 户数=-1)])
    plan = run(path, "buildings")
    problems = {p["id"]: (p["reason"], p["detail"]) for p in plan.problems}
    assert problems == {"LONG-1": ("too_long", "name: 60 characters, limit 50"),
                        "LONG-2": ("not_number", "floors: '六层'"),
                        "LONG-3": ("number_range", "households: 3000000000 (allowed -2147483648…2147483647)")}
    assert (plan.counts["new"], plan.counts["bad_value"], plan.counts["rejected"]) == (1, 3, 3)
    rows = building_rows(["LONG-1", "LONG-2", "LONG-3", "LONG-4"])
    # a negative count is "unknown": the household count is then estimated from the footprint (估算), never -1
    assert set(rows) == {"LONG-4"} and rows["LONG-4"].estimated and rows["LONG-4"].households >= 0
    with session_scope() as s:
        assert s.execute(select(m.Building.floors).where(m.Building.source_id == "LONG-4")).scalar_one() == 7

    c = community_shape(COMMUNITY).centroid
    table = demo_db / "points.csv"
    pd.DataFrame({"编号": ["SP-1", "SP-2", "SP-3"], "名称": ["东山食堂", "锦湖食堂", "玉海食堂"],
                  "类型": ["爱心食堂"] * 3, "开放时间": ["8:00-18:00", "开" * 150, ""],
                  "容量": ["30", "", "很多"],
                  "经度": [c.x, c.x + 3e-4, c.x - 3e-4], "纬度": [c.y, c.y, c.y]}).to_csv(table, index=False)
    result = cli("import", table, "--as", "service-points", "--crs", "EPSG:4326")
    assert result.exit_code == 0, result.output
    assert "new 1" in result.output and "rejected 2" in result.output
    assert "row 3 [SP-2]: too_long hours: 150 characters, limit 100" in result.output
    assert "row 4 [SP-3]: not_number capacity: '很多'" in result.output
    with session_scope() as s:
        assert s.execute(select(m.ServicePoint.capacity).where(m.ServicePoint.source_id == "SP-1")).scalar_one() == 30


def test_limits_are_read_from_the_model_columns():
    from db import importer, models as m

    assert importer.field_limits("buildings")["name"] == ("text", m.Building.__table__.c.name.type.length)
    assert importer.field_limits("service-points")["hours"] == ("text", 100)
    assert importer.field_limits("posts")["slots_required"][0] == "int"


# --- defect 7's crash: an OpenStreetMap file asked to become communities -----------------------------------------

def test_osm_file_as_communities_is_refused_in_words(demo_db):
    from layouts import import_page

    result = cli("import", OSM_PBF, "--as", "communities", "--street", "990000001")
    assert result.exit_code != 0
    assert "OpenStreetMap files import as buildings, compounds, roads, service-points, not communities" \
        in result.output and "import-osm" in result.output and "nothing written" in result.output
    assert "Traceback" not in result.output and "multiple values" not in result.output
    from geodata.importing.errors import ImportRefused

    with pytest.raises(ImportRefused) as refused:
        run(OSM_PBF, "grids")
    assert import_page.refusal_message(refused.value.kind, refused.value.params).startswith("OpenStreetMap 文件只能")


# --- defect 9: ties keep what is stored; counts follow; re-imports that change nothing say so --------------------

def test_buildings_inside_two_equal_compounds_keep_their_codes(demo_db):
    square = free_square()
    minx, miny, maxx, maxy = square.bounds
    left, right = shapely.box(minx, miny, (minx + maxx) / 2, maxy), shapely.box((minx + maxx) / 2, miny, maxx, maxy)
    new_compounds(demo_db, [left.buffer(-1e-4)], "TA")
    (east,) = new_compounds(demo_db, [right.buffer(-1e-4)], "TB")
    boxes = footprints(right.buffer(-1e-4), 9)
    path = write_geojson(demo_db / "tie.geojson", [feature(b, id=f"TIE-{i}") for i, b in enumerate(boxes)])
    assert run(path, "buildings").counts["new"] == 9
    codes = {k: r.code for k, r in building_rows([f"TIE-{i}" for i in range(9)]).items()}
    assert all(c.startswith(east + "B") for c in codes.values())
    # the west compound redrawn over both (a 小区 and its extension traced as one): every building lies in both
    grown = write_geojson(demo_db / "grown.geojson", [feature(square, id="TA-1", name="测试小区TA-1")])
    assert run(grown, "compounds").counts["updated"] == 1
    again = run(path, "buildings")
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 9)
    assert {k: r.code for k, r in building_rows(codes).items()} == codes


def test_ties_keep_the_current_parent_or_go_to_the_lowest_code():
    from geodata.importing import hierarchy

    parents = gpd.GeoDataFrame({"code": ["X002", "X001", "X003"]},
                               geometry=[shapely.box(0, 0, 2, 2), shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6)],
                               crs="EPSG:4326")
    children = gpd.GeoSeries([shapely.box(0.2, 0.2, 0.4, 0.4)] * 3, crs="EPSG:4326")
    assert hierarchy.largest_overlap(children, parents).tolist() == ["X001"] * 3
    assert hierarchy.largest_overlap(children, parents, current=["X002", None, "X003"]).tolist() == \
        ["X002", "X001", "X001"]
    points = gpd.GeoSeries([shapely.Point(0.5, 0.5)] * 2, crs="EPSG:4326")
    assert hierarchy.containing(points, parents, current=[None, "X002"]).tolist() == ["X001", "X002"]


def test_a_compound_its_buildings_leave_counts_zero(demo_db):
    from db import models as m
    from db.engine import session_scope

    minx, miny, maxx, maxy = free_square().bounds
    mid = (minx + maxx) / 2
    left, right = shapely.box(minx, miny, mid, maxy), shapely.box(mid, miny, maxx, maxy)
    code_left, code_right = new_compounds(demo_db, [left, right], "EM")
    home = footprints(left, 1)[0]
    assert run(write_geojson(demo_db / "a.geojson", [feature(home, id="EM-B", 户数=12)]), "buildings").counts["new"] == 1
    away = shapely.affinity.translate(home, xoff=right.centroid.x - home.centroid.x)
    moved = run(write_geojson(demo_db / "b.geojson", [feature(away, id="EM-B", 户数=12)]), "buildings")
    assert moved.counts["new"] == 1
    with session_scope() as s:
        counts = {r.code: (r.buildings, r.households) for r in s.execute(
            select(m.Area.code, m.Area.buildings, m.Area.households).where(m.Area.code.in_([code_left, code_right])))}
    assert counts == {code_left: (0, 0), code_right: (1, 12)}


def test_reimporting_the_same_service_points_changes_nothing(demo_db):
    c = community_shape(COMMUNITY).centroid
    table = demo_db / "食堂.csv"
    pd.DataFrame({"编号": ["RI-1", "RI-2", "RI-3"], "名称": ["甲食堂", "乙食堂", "丙食堂"], "类型": ["爱心食堂"] * 3,
                  "容量": ["30", "", "12"], "是否公开": ["是", "否", ""],
                  "经度": [c.x + 0.0001234567, c.x - 0.0012, c.x], "纬度": [c.y, c.y + 0.0011, c.y - 0.00090001]}
                 ).to_csv(table, index=False)
    first = cli("import", table, "--as", "service-points", "--crs", "EPSG:4326")
    assert "new 3, updated 0" in first.output, first.output
    second = cli("import", table, "--as", "service-points", "--crs", "EPSG:4326")
    assert "new 0, updated 0, unchanged 3" in second.output, second.output


# --- defect 10: 高德 coordinates in a GeoJSON that declares nothing ----------------------------------------------

def _gcj_points(folder, name: str, wgs: list[tuple[float, float]], crs_member: bool = False):
    gcj = [coordTransform.wgs84_to_gcj02(x, y) for x, y in wgs]
    doc = {"type": "FeatureCollection", "features": [
        feature(shapely.Point(x, y), 名称=f"食堂{i}", 类型="爱心食堂", 编号=f"GJ-{i}") for i, (x, y) in enumerate(gcj)]}
    if crs_member:
        doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_undeclared_geojson_in_china_warns_and_names_crs(demo_db):
    from db import models as m
    from db.engine import session_scope

    c = community_shape(COMMUNITY).centroid
    wgs = [(c.x, c.y), (c.x + 4e-4, c.y + 2e-4)]
    path = _gcj_points(demo_db, "高德.geojson", wgs)
    dry = cli("import", path, "--as", "service-points", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "warning: the file does not say which coordinates it uses" in dry.output
    assert "--crs gcj02" in dry.output and "--crs bd09" in dry.output and "--crs EPSG:4326" in dry.output
    done = cli("import", path, "--as", "service-points", "--crs", "gcj02")
    assert done.exit_code == 0 and "warning" not in done.output, done.output
    with session_scope() as s:
        got = s.execute(select(m.ServicePoint.lon, m.ServicePoint.lat).where(m.ServicePoint.source_id.like("GJ-%"))
                        .order_by(m.ServicePoint.source_id)).all()
    assert np.abs(np.array(got) - np.array(wgs)).max() < 1.5e-6
    declared = _gcj_points(demo_db, "声明.geojson", wgs, crs_member=True)
    assert "warning" not in cli("import", declared, "--as", "service-points", "--dry-run").output


def test_what_each_reader_reports_as_an_explicit_crs(tmp_path):
    from geodata.importing.readers import read_source

    box = shapely.box(120.62, 27.76, 120.63, 27.77)
    frame = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[box], crs="EPSG:4326")
    write_geojson(tmp_path / "plain.geojson", [feature(box, name="甲")])
    frame.to_file(tmp_path / "a.kml", driver="KML")
    frame.to_file(tmp_path / "a.gpkg", driver="GPKG")
    with_prj = zip_shapefile(frame, tmp_path, "prj")
    no_prj_dir = tmp_path / "noprj"
    no_prj_dir.mkdir()
    frame.to_file(no_prj_dir / "n.shp")
    (no_prj_dir / "n.prj").unlink()
    pd.DataFrame({"名称": ["甲"], "经度": [120.62], "纬度": [27.76]}).to_csv(tmp_path / "a.csv", index=False)
    explicit = {name: read_source(path).crs_explicit for name, path in [
        ("geojson", tmp_path / "plain.geojson"), ("kml", tmp_path / "a.kml"), ("gpkg", tmp_path / "a.gpkg"),
        ("shp+prj", with_prj), ("shp", no_prj_dir / "n.shp"), ("csv", tmp_path / "a.csv"), ("osm", OSM_PBF)]}
    assert explicit == {"geojson": False, "kml": False, "gpkg": True, "shp+prj": True, "shp": False, "csv": False,
                        "osm": True}


def test_undeclared_geojson_outside_china_is_no_question(tmp_path):
    from geodata.importing import prepare as prep
    from geodata.importing.readers import read_source

    path = write_geojson(tmp_path / "kotka.geojson", [feature(shapely.box(26.94, 60.52, 26.941, 60.5205), name="A")])
    assert prep.prepare(read_source(path), "buildings").notices == []
    china = write_geojson(tmp_path / "wz.geojson", [feature(shapely.box(120.62, 27.76, 120.621, 27.7605), name="A")])
    assert [n["kind"] for n in prep.prepare(read_source(china), "buildings").notices] == ["crs_open"]
    assert prep.prepare(read_source(china), "buildings", crs="EPSG:4326").notices == []
