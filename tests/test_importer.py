"""Imports into the database: preview, one all-or-nothing write, updates by source id, bad input changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select, text

from tests.import_files import OSM_PBF, canteens_xlsx, feature, grid_frame, write_geojson, zip_shapefile

TABLES = ("area", "building", "basemap_feature", "service_point", "volunteer_post", "data_version")


@pytest.fixture()
def demo_db(tmp_path, monkeypatch, demo_data):
    """A fresh database holding the demo street (imports commit, so they get their own database)."""
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.helpers import demo_street_as_real_data
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "importing"))
    upgrade_to_head()
    write_demo(demo_data)
    demo_street_as_real_data()
    return tmp_path


def fingerprint() -> str:
    """A checksum of every row the importer could touch."""
    from db.engine import get_engine

    digest = hashlib.sha256()
    with get_engine().connect() as conn:
        for table in TABLES:
            key = "name" if table == "data_version" else ("id" if table == "basemap_feature" else "code")
            for row in conn.execute(text(f'SELECT * FROM {table} ORDER BY {key}')):
                digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
    return digest.hexdigest()


def community_shape(code: str):
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(m.Area.geometry).where(m.Area.code == code)).scalar_one()


def run(path, kind, **options):
    from db.engine import session_scope
    from db.onboarding import import_file

    with session_scope() as session:
        return import_file(session, path, kind, options.pop("crs", None), options.pop("mapping", None),
                           options.pop("dry_run", False), **options)


def canteen_sites(community) -> list[tuple[float, float]]:
    """Three points well inside the community, as a 街道 official would have them."""
    c = community.centroid
    return [(c.x - 0.002, c.y), (c.x + 0.002, c.y + 0.001), (c.x, c.y - 0.0015)]


def test_official_imports_gbk_grid_shapefile_and_gcj02_canteens(demo_db):
    from db import areas, coverage, layers
    from db.engine import session_scope

    community = community_shape("330381001001")
    with session_scope() as s:
        before = coverage.area_coverage(s, areas.get_area(s, "330381001001"), "爱心食堂")
    grids_zip = zip_shapefile(grid_frame(community, ["东山第一网格", "东山第二网格"]), demo_db, "网格")
    preview = run(grids_zip, "grids", dry_run=True)
    assert preview.counts["new"] == 2 and preview.encoding.upper() == "GBK"
    assert {f["properties"]["name"] for f in preview.preview["features"]} == {"东山第一网格", "东山第二网格"}
    with session_scope() as s:
        assert not s.execute(select(func.count()).select_from(text("area")).where(text("name like '东山第%'"))).scalar()
    done = run(grids_zip, "grids")
    assert done.counts["new"] == 2
    sites = canteen_sites(community)
    xlsx = canteens_xlsx(demo_db / "食堂.xlsx", sites, ["东山爱心食堂", "锦湖爱心食堂", "玉海爱心食堂"])
    canteens = run(xlsx, "service-points", crs="gcj02")
    assert canteens.counts["new"] == 3, canteens.problems
    with session_scope() as s:
        grid_layer = layers.get_layer(s, areas.get_area(s, "330381001001"), "grids")
        names = {f["properties"]["name"]: f["properties"]["code"] for f in grid_layer["features"]}
        assert {"东山第一网格", "东山第二网格"} <= set(names)
        assert all(names[n].startswith("330381001001") and len(names[n]) == 14 for n in ("东山第一网格", "东山第二网格"))
        points = layers.get_layer(s, areas.get_area(s, "330381001"), "service_points")
        mine = [f for f in points["features"] if f["properties"]["name"].endswith("爱心食堂")
                and f["properties"]["name"][:2] in ("东山", "锦湖", "玉海")]
        got = sorted(tuple(f["geometry"]["coordinates"]) for f in mine)
        # stored in WGS-84: the 高德 offset (hundreds of metres here) is gone, to the 6 decimals the map carries
        assert np.abs(np.array(got) - np.array(sorted(sites))).max() < 1.5e-6
        after = coverage.area_coverage(s, areas.get_area(s, "330381001001"), "爱心食堂")
    assert after["buildings_covered"] > before["buildings_covered"]


def test_reimport_updates_by_source_id_instead_of_duplicating(demo_db):
    from db import models as m
    from db.engine import session_scope

    community = community_shape("330381001002")
    frame = grid_frame(community, ["甲网格", "乙网格"])
    first = run(zip_shapefile(frame, demo_db / "a", "g"), "grids")
    assert first.counts["new"] == 2
    again = run(zip_shapefile(frame, demo_db / "b", "g"), "grids")
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 2)
    frame.loc[1, "网格名称"] = "乙网格（调整）"
    changed = run(zip_shapefile(frame, demo_db / "c", "g"), "grids")
    assert (changed.counts["new"], changed.counts["updated"], changed.counts["unchanged"]) == (0, 1, 1)
    with session_scope() as s:
        rows = s.execute(select(m.Area.name).where(m.Area.source_id.in_(["WG001", "WG002"]))
                         .order_by(m.Area.source_id)).scalars().all()
    assert rows == ["甲网格", "乙网格（调整）"]


def test_dry_run_writes_nothing(demo_db):
    community = community_shape("330381001003")
    before = fingerprint()
    plan = run(zip_shapefile(grid_frame(community, ["丙网格"]), demo_db, "g"), "grids", dry_run=True)
    assert plan.counts["new"] == 1
    assert fingerprint() == before


def _bad_files(folder, community):
    """(file, kind, crs, expected refusal kind) for every kind of bad input the issue lists."""
    folder.mkdir(exist_ok=True)
    cases = []
    truncated = folder / "truncated.geojson"
    good = json.dumps({"type": "FeatureCollection", "features": [feature(community, name="社区")]})
    truncated.write_text(good[: len(good) // 2])
    cases.append((truncated, "compounds", None, "corrupt"))
    cut = folder / "cut.osm.pbf"
    cut.write_bytes(OSM_PBF.read_bytes()[:30_000])
    cases.append((cut, "buildings", None, ("corrupt", "empty_file")))
    liar = zip_shapefile(grid_frame(community, ["东山网格"]), folder, "liar", keep_cpg=False)
    with zipfile.ZipFile(liar, "a") as z:
        z.writestr("liar.cpg", "UTF-8")
    cases.append((liar, "grids", None, "encoding"))
    evil = folder / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../evil.shp", b"x")
    cases.append((evil, "grids", None, "zip_path"))
    bomb = folder / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("g.shp", b"\0" * (30 * 1024 * 1024))
    cases.append((bomb, "grids", None, "zip_bomb"))
    swapped = folder / "swapped.csv"
    c = community.centroid
    pd.DataFrame({"名称": ["甲"], "类型": ["爱心食堂"], "经度": [c.y], "纬度": [c.x]}).to_csv(swapped, index=False)
    cases.append((swapped, "service-points", "gcj02", "swapped"))
    no_crs = folder / "nocrs.csv"
    pd.DataFrame({"名称": ["甲"], "类型": ["爱心食堂"], "经度": [c.x], "纬度": [c.y]}).to_csv(no_crs, index=False)
    cases.append((no_crs, "service-points", None, "no_crs"))
    unknown = folder / "unknown.xyz"
    unknown.write_text("hello")
    cases.append((unknown, "buildings", None, "format"))
    return cases


def test_broken_files_leave_the_database_unchanged(demo_db):
    from geodata.importing.errors import ImportRefused

    community = community_shape("330381001001")
    before = fingerprint()
    for path, kind, crs, expected in _bad_files(demo_db / "bad", community):
        with pytest.raises(ImportRefused) as refused:
            run(path, kind, crs=crs)
        assert refused.value.kind in (expected if isinstance(expected, tuple) else (expected,)), path.name
        assert fingerprint() == before, path.name


def test_mixed_geometries_and_far_points_are_rejected_row_by_row(demo_db):
    community = community_shape("330381001004")
    c = community.centroid
    path = write_geojson(demo_db / "mixed.geojson", [
        feature(shapely.Point(c.x, c.y), name="社区食堂", 类型="爱心食堂"),
        feature(community.buffer(-0.001), name="一块地", 类型="爱心食堂"),
        feature(shapely.Point(c.x + 0.5, c.y), name="远方食堂", 类型="爱心食堂"),
        feature(shapely.Point(c.x, c.y + 0.0005), name="不知道", 类型="火锅店"),
    ])
    plan = run(path, "service-points")
    assert plan.counts["new"] == 1
    reasons = {p["row"]: p["reason"] for p in plan.problems}
    assert reasons == {2: "wrong_type", 3: "far_outside", 4: "unknown_type"}


def test_a_failure_while_writing_rolls_back_everything(demo_db, monkeypatch):
    from db import totals

    community = community_shape("330381001005")
    before = fingerprint()

    def explode(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(totals, "roll_up", explode)
    buildings = write_geojson(demo_db / "b.geojson", [
        feature(shapely.box(community.centroid.x, community.centroid.y, community.centroid.x + 2e-4,
                            community.centroid.y + 1e-4), name="新楼", id="N1")])
    with pytest.raises(RuntimeError):
        run(buildings, "buildings")
    assert fingerprint() == before


def test_osm_extract_end_to_end_in_a_fresh_database(tmp_path, monkeypatch):
    """ODbL extract (tests/data/README.md): buildings, residential areas, roads and amenities on the map."""
    from app import server
    from db import areas, coverage, dashboard, layers
    from db.engine import session_scope
    from db.migrate import upgrade_to_head
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "osm"))
    upgrade_to_head()
    # the extract has no administrative boundaries: the test draws two communities over it
    mid = 26.95
    communities = write_geojson(tmp_path / "communities.geojson", [
        feature(shapely.box(26.92, 60.515, mid, 60.545), name="西社区", id="C-W"),
        feature(shapely.box(mid, 60.515, 26.98, 60.545), name="东社区", id="C-E")])
    runner = server.test_cli_runner()
    result = runner.invoke(args=["import", str(communities), "--as", "communities", "--street", "990000001",
                                 "--street-name", "测试街道"])
    assert result.exit_code == 0, result.output
    for kind in ("compounds", "buildings", "roads", "service-points"):
        result = runner.invoke(args=["import", str(OSM_PBF), "--as", kind])
        assert result.exit_code == 0, result.output
        assert "imported" in result.output
    again = runner.invoke(args=["import", str(OSM_PBF), "--as", "buildings", "--dry-run"])
    assert "new 0, updated 0" in again.output
    # the grids come last, as 网格化 exports do: compounds and their buildings move into them
    grids = write_geojson(tmp_path / "grids.geojson", [
        feature(shapely.box(mid, 60.515, 26.98, 60.53), 网格名称="东一网格", 网格编号="G1"),
        feature(shapely.box(mid, 60.53, 26.98, 60.545), 网格名称="东二网格", 网格编号="G2")])
    result = runner.invoke(args=["import", str(grids), "--as", "grids"])
    assert result.exit_code == 0 and "compounds moved to the grid they overlap most" in result.output, result.output

    with session_scope() as s:
        street_layer = layers.get_layer(s, areas.get_area(s, "990000001"), "drill")
        assert {f["properties"]["name"] for f in street_layer["features"]} == {"西社区", "东社区"}
        compounds = layers.get_layer(s, areas.get_area(s, "990000001001"), "drill")["features"]
        assert len(compounds) > 5 and all(f["properties"]["level"] == "compound" for f in compounds)
        # some residential areas cut at the extract's edge hold no building: the first one that does drills into them
        drilled = [layers.get_layer(s, areas.get_area(s, c["properties"]["code"]), "drill")["features"] for c in compounds]
        buildings = next(b for b in drilled if b)
        assert sum(1 for b in drilled if b) > 5 and buildings[0]["properties"]["level"] == "building"
        roads = layers.get_layer(s, areas.get_area(s, "990000001"), "basemap")["features"]
        # footways and paths come from the community level down; the street shows its roads
        assert len(roads) > 200 and {f["properties"]["kind"] for f in roads} == {"arterial", "branch"}
        points = layers.get_layer(s, areas.get_area(s, "990000001"), "service_points")["features"]
        assert {f["properties"]["type"] for f in points} >= {"儿童之家", "百姓健身房"}
        for grid in ("99000000100201", "99000000100202"):
            summary = dashboard.area_summary(s, areas.get_area(s, grid), dt.datetime(2026, 11, 20))
            assert summary["area"]["level"] == "grid" and summary["people"]["buildings"] > 100
            assert layers.get_layer(s, areas.get_area(s, grid), "drill")["features"]  # the grid drills into its compounds
        covered = coverage.area_coverage(s, areas.get_area(s, "990000001"), "儿童之家")
        assert covered["buildings"] > 1000 and 0 < covered["buildings_covered"] < covered["buildings"]
    public = server.test_client().get("/api/public/service-points.geojson").get_json()
    assert len(public["features"]) == len(points)


def test_export_every_layer_in_every_format(demo_db):
    import pyogrio
    from app import server
    from db.exporting import EXPORT_LAYERS

    runner = server.test_cli_runner()
    for layer in EXPORT_LAYERS:
        for fmt in ("geojson", "gpkg", "xlsx"):
            out = demo_db / f"{layer}.{fmt}"
            result = runner.invoke(args=["export", layer, "--format", fmt, "-o", str(out)])
            assert result.exit_code == 0, result.output
            count = int(result.output.split()[1])
            assert count > 0, layer
            if fmt == "xlsx":
                table = pd.read_excel(out)
                assert len(table) == count and table["wkt"].notna().all()
            else:
                frame = pyogrio.read_dataframe(out)
                assert len(frame) == count and frame.crs.to_epsg() == 4326


def test_exported_compounds_reimport_as_unchanged_once_they_carry_source_ids(demo_db):
    community = community_shape("330381001006")
    path = write_geojson(demo_db / "c.geojson", [
        feature(community.centroid.buffer(0.0008), name="新建小区", id="XQ-1")])
    assert run(path, "compounds").counts["new"] == 1
    from app import server

    out = demo_db / "compounds.geojson"
    server.test_cli_runner().invoke(args=["export", "compounds", "--format", "geojson", "-o", str(out)])
    plan = run(out, "compounds", dry_run=True)
    assert plan.counts["unchanged"] >= 1 and plan.counts["updated"] == 0


def test_cli_import_reports_bad_input_with_non_zero_exit(demo_db):
    from app import server

    path = demo_db / "nocrs.csv"
    pd.DataFrame({"名称": ["甲"], "类型": ["爱心食堂"], "经度": [120.63], "纬度": [27.77]}).to_csv(path, index=False)
    result = server.test_cli_runner().invoke(args=["import", str(path), "--as", "service-points"])
    assert result.exit_code != 0
    assert "no coordinate system declared: pass --crs" in result.output and "nothing written" in result.output
    assert "Traceback" not in result.output


def test_models_and_migrations_agree(seeded_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.engine import get_engine
    from db.models import Base

    def postgis_only(d) -> bool:
        # 0001 adds these on PostgreSQL outside the models: PostGIS's own table, GiST indexes, generated point columns
        if d[0] == "remove_table":
            return d[1].name == "spatial_ref_sys"
        if d[0] == "remove_index":
            return [c.name for c in d[1].columns] in (["geometry"], ["geom"])
        return d[0] == "remove_column" and d[3].name == "geom"

    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if not postgis_only(d)] == []


def test_cli_mapping_file_with_a_constant_type(demo_db):
    from app import server
    from db import models as m
    from db.engine import session_scope

    c = community_shape("330381001007").centroid
    table = demo_db / "照料中心.csv"
    pd.DataFrame({"编号": ["RZ-1", "RZ-2"], "站点名称": ["东山日间照料中心", "锦湖日间照料中心"],
                  "lng": [c.x, c.x + 0.001], "lat": [c.y, c.y + 0.001]}).to_csv(table, index=False)
    mapping = demo_db / "mapping.json"
    mapping.write_text(json.dumps({"source_id": "编号", "name": "站点名称", "service_type": "=日间照料中心"},
                                  ensure_ascii=False), encoding="utf-8")
    runner = server.test_cli_runner()
    result = runner.invoke(args=["import", str(table), "--as", "service-points", "--crs", "EPSG:4326",
                                 "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "new 2" in result.output
    with session_scope() as s:
        rows = s.execute(select(m.ServicePoint.name, m.ServicePoint.service_type, m.ServicePoint.community_code)
                         .where(m.ServicePoint.source_id.in_(["RZ-1", "RZ-2"])).order_by(m.ServicePoint.source_id)).all()
    assert [tuple(r) for r in rows] == [("东山日间照料中心", "日间照料中心", "330381001007"),
                                        ("锦湖日间照料中心", "日间照料中心", "330381001007")]
    mapping.write_text(json.dumps({"floors": "层数"}), encoding="utf-8")
    bad = runner.invoke(args=["import", str(table), "--as", "service-points", "--crs", "EPSG:4326",
                              "--mapping", str(mapping)])
    assert bad.exit_code != 0 and "fields ['floors'] do not exist for service-points" in bad.output


def test_a_building_moved_to_another_compound_is_recoded_not_duplicated(demo_db):
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        compounds = s.execute(select(m.Area.code, m.Area.geometry).where(m.Area.level == "compound")
                              .order_by(m.Area.code).limit(2)).all()
    (code_a, shape_a), (code_b, shape_b) = compounds

    def footprint(shape):
        p = shapely.point_on_surface(shape)
        return shapely.box(p.x - 5e-5, p.y - 3e-5, p.x + 5e-5, p.y + 3e-5)

    first = run(write_geojson(demo_db / "a.geojson", [feature(footprint(shape_a), id="LD-9", 层数=6)]), "buildings")
    assert first.counts["new"] == 1
    moved = run(write_geojson(demo_db / "b.geojson", [feature(footprint(shape_b), id="LD-9", 层数=6)]), "buildings")
    assert moved.counts["new"] == 1
    with session_scope() as s:
        rows = s.execute(select(m.Building.code, m.Building.compound_code, m.Building.floors)
                         .where(m.Building.source_id == "LD-9")).all()
    assert len(rows) == 1 and rows[0].compound_code == code_b and rows[0].code.startswith(code_b + "B")
    assert rows[0].floors == 6
