"""Reading the files people have: formats, encodings, coordinate systems, GCJ-02 / BD-09, geometry hygiene, archives."""
from __future__ import annotations

import zipfile

import coordTransform
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geodata import crs
from geodata.importing import archive, hierarchy
from geodata.importing.errors import ImportRefused
from geodata.importing.prepare import prepare
from geodata.importing.readers import read_source
from tests.import_files import OSM_PBF, canteens_xlsx, feature, grid_frame, write_geojson, zip_shapefile

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

# WGS-84 → GCJ-02 and BD-09 pairs as the forward transform of coordtransform 0.2.1 gives them
# (瑞安, 天安门, 上海人民广场, 广州, 乌鲁木齐).
KNOWN = [
    ((120.6365, 27.7846), (120.640426482, 27.781239017), (120.646968492, 27.787050812)),
    ((116.397428, 39.90923), (116.403671626, 39.910633506), (116.410044102, 39.916972856)),
    ((121.4737, 31.2304), (121.478223059, 31.228457738), (121.484781469, 31.234310594)),
    ((113.2644, 23.1291), (113.269729592, 23.12642334), (113.276150752, 23.132711257)),
    ((87.6168, 43.8256), (87.619649949, 43.826805393), (87.626099771, 43.832949795)),
]
SUB_MM_DEG = 1e-8  # ≈1 mm; the 9-decimal pairs themselves carry ±5e-10


def test_gcj02_and_bd09_inverse_recover_known_wgs84_points():
    wgs = np.array([k[0] for k in KNOWN])
    for column, kind in ((1, "gcj02"), (2, "bd09")):
        shifted = np.array([k[column] for k in KNOWN])
        lon, lat = crs.to_wgs84(shifted[:, 0], shifted[:, 1], kind)
        assert np.abs(lon - wgs[:, 0]).max() < SUB_MM_DEG
        assert np.abs(lat - wgs[:, 1]).max() < SUB_MM_DEG


def test_iterated_inverse_is_far_closer_than_the_one_step_formula():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(100, 125, 500), rng.uniform(20, 45, 500)
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = crs.to_wgs84(g_lon, g_lat, "gcj02")
    ours = np.hypot(back_lon - lon, back_lat - lat).max()
    one_step = max(np.hypot(*(np.array(coordTransform.gcj02_to_wgs84(x, y)) - [a, b]))
                   for x, y, a, b in zip(g_lon[:50], g_lat[:50], lon[:50], lat[:50]))
    assert ours < 1e-9 < 1e-6 < one_step  # sub-millimetre vs. the formula's metre-level error


def test_shapefile_zip_with_gbk_names_and_cpg(tmp_path):
    grids = grid_frame(shapely.box(120.62, 27.76, 120.64, 27.77), ["东山第一网格", "东山第二网格"])
    source = read_source(zip_shapefile(grids, tmp_path, "网格"))
    frame = next(iter(source.layers.values()))
    assert source.encoding.upper() == "GBK"
    assert list(frame["网格名称"]) == ["东山第一网格", "东山第二网格"]


def test_shapefile_zip_without_cpg_reads_gbk(tmp_path):
    grids = grid_frame(shapely.box(120.62, 27.76, 120.64, 27.77), ["锦湖网格"])
    source = read_source(zip_shapefile(grids, tmp_path, "grids", keep_cpg=False))
    assert list(next(iter(source.layers.values()))["网格名称"]) == ["锦湖网格"]
    assert source.encoding == "GBK" and any("GBK" in n for n in source.notes)


def test_shapefile_on_disk_reads_like_a_zipped_one(tmp_path):
    grids = grid_frame(shapely.box(120.62, 27.76, 120.64, 27.77), ["安阳网格"])
    zip_shapefile(grids, tmp_path, "disk", keep_cpg=False)
    source = read_source(tmp_path / "disk_shp" / "disk.shp")
    assert list(next(iter(source.layers.values()))["网格名称"]) == ["安阳网格"] and source.encoding == "GBK"


def test_projected_shapefile_is_reprojected_by_its_prj(tmp_path):
    community = shapely.box(120.62, 27.76, 120.64, 27.77)
    utm = grid_frame(community, ["一网格"]).to_crs("EPSG:32651")
    prepared = prepare(read_source(zip_shapefile(utm, tmp_path, "utm")), "grids")
    assert prepared.crs_used == "EPSG:32651"
    assert np.allclose(prepared.frame.total_bounds, community.bounds, atol=1e-6)


def test_geopackage_and_kml_are_read(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["甲小区"]}, geometry=[shapely.box(120.62, 27.76, 120.63, 27.77)],
                             crs="EPSG:4326")
    frame.to_file(tmp_path / "a.gpkg", driver="GPKG")
    frame.to_file(tmp_path / "a.kml", driver="KML")
    for name in ("a.gpkg", "a.kml"):
        prepared = prepare(read_source(tmp_path / name), "compounds")
        assert list(prepared.frame["name"]) == ["甲小区"], name
        # on the storage grid GEOS may start or orient the ring differently: the same shape, compared normalised
        assert prepared.frame.geometry.iloc[0].normalize().equals_exact(frame.geometry.iloc[0].normalize(), 1e-9)


def test_excel_in_gcj02_lands_on_the_wgs84_points(tmp_path):
    wgs = [(120.6300, 27.7650), (120.6350, 27.7680)]
    path = canteens_xlsx(tmp_path / "食堂.xlsx", wgs, ["东山爱心食堂", "锦湖爱心食堂"])
    with pytest.raises(ImportRefused) as refused:
        prepare(read_source(path), "service-points")  # a spreadsheet declares nothing: we ask, never guess
    assert refused.value.kind == "no_crs"
    prepared = prepare(read_source(path), "service-points", crs="gcj02")
    got = shapely.get_coordinates(prepared.frame.geometry.values)
    assert np.abs(got - np.array(wgs)).max() < SUB_MM_DEG
    assert list(prepared.frame["service_type"]) == ["爱心食堂"] * 2
    assert list(prepared.frame["source_id"]) == ["1", "2"]


def test_csv_in_gbk_with_baidu_coordinates(tmp_path):
    lon, lat = coordTransform.wgs84_to_bd09(120.63, 27.765)
    pd.DataFrame({"名称": ["玉海红色驿站"], "类型": ["红色驿站"], "lng": [lon], "lat": [lat]}).to_csv(
        tmp_path / "points.csv", index=False, encoding="gbk")
    prepared = prepare(read_source(tmp_path / "points.csv"), "service-points", crs="bd09")
    assert prepared.frame["name"].tolist() == ["玉海红色驿站"]
    point = prepared.frame.geometry.iloc[0]
    assert abs(point.x - 120.63) < SUB_MM_DEG and abs(point.y - 27.765) < SUB_MM_DEG


def test_swapped_columns_refused_and_single_swapped_rows_rejected(tmp_path):
    path = tmp_path / "swapped.csv"
    pd.DataFrame({"名称": ["甲", "乙"], "类型": ["爱心食堂"] * 2, "经度": [27.76, 27.77],
                  "纬度": [120.63, 120.64]}).to_csv(path, index=False)
    with pytest.raises(ImportRefused) as refused:
        prepare(read_source(path), "service-points", crs="gcj02")
    assert refused.value.kind == "swapped"
    pd.DataFrame({"名称": ["甲", "乙", "丙"], "类型": ["爱心食堂"] * 3, "经度": [120.63, 27.77, 120.64],
                  "纬度": [27.76, 120.64, 27.77]}).to_csv(path, index=False)
    prepared = prepare(read_source(path), "service-points", crs="EPSG:4326")
    assert prepared.frame["name"].tolist() == ["甲", "丙"]
    assert [(p["row"], p["reason"]) for p in prepared.problems] == [(3, "swapped")]


def test_projected_numbers_without_crs_are_refused_with_a_precise_kind(tmp_path):
    path = tmp_path / "metres.csv"
    pd.DataFrame({"名称": ["甲"], "类型": ["爱心食堂"], "x": [456000.0], "y": [3072000.0]}).to_csv(path, index=False)
    with pytest.raises(ImportRefused) as refused:
        prepare(read_source(path), "service-points")
    assert refused.value.kind == "no_crs_projected"
    point = prepare(read_source(path), "service-points", crs="EPSG:32651").frame.geometry.iloc[0]
    expected = Transformer.from_crs("EPSG:32651", "EPSG:4326", always_xy=True).transform(456000.0, 3072000.0)
    assert (point.x, point.y) == pytest.approx(expected, abs=5e-7)  # on the storage grid (1e-6°)


def test_hygiene_repairs_drops_and_deduplicates(tmp_path):
    bowtie = shapely.Polygon([(120.62, 27.76), (120.63, 27.77), (120.63, 27.76), (120.62, 27.77)])
    square = shapely.box(120.64, 27.76, 120.65, 27.77)
    path = write_geojson(tmp_path / "messy.geojson", [
        feature(bowtie, name="蝴蝶楼"), feature(None, name="空"), feature(square, name="方楼"),
        feature(square, name="方楼副本"), feature(shapely.Point(120.6, 27.7), name="一个点"),
        feature(shapely.MultiPolygon([shapely.box(120.66, 27.76, 120.67, 27.77), shapely.box(120.68, 27.76, 120.69, 27.77)]),
                name="两翼楼"),
    ])
    prepared = prepare(read_source(path), "buildings")
    c = prepared.counts
    # the repaired bow-tie becomes two triangles: a second multi-part shape beside the two-winged building
    assert (c["read"], c["repaired"], c["empty"], c["duplicate"], c["wrong_type"], c["multipart"]) == (6, 1, 1, 1, 1, 2)
    assert prepared.frame["name"].tolist() == ["蝴蝶楼", "方楼", "两翼楼"]
    assert prepared.frame.geometry.is_valid.all()
    reasons = {(p["row"], p["reason"]) for p in prepared.problems}
    assert reasons == {(1, "repaired"), (2, "empty"), (4, "duplicate"), (5, "wrong_type")}


def test_osm_pbf_maps_tags_to_our_layers():
    source = read_source(OSM_PBF)
    buildings = prepare(source, "buildings").frame
    compounds = prepare(source, "compounds").frame
    roads = prepare(source, "roads").frame
    points = prepare(source, "service-points").frame
    assert len(buildings) > 2000 and buildings.source_id.str.startswith("osm:").all()
    assert len(compounds) > 20
    # footways and paths are their own kind (drawn thin); motorways are drawn but never walked
    assert set(roads.kind) == {"arterial", "branch", "path"}
    highway = source.layers["roads"].set_index("source_id").highway
    walked = roads[roads.walk_factor.notna()]
    assert "motorway" not in set(highway.loc[walked.source_id]) and roads.noded.all()
    assert set(points.service_type) <= {"儿童之家", "百姓健身房"} and len(points) >= 3


def test_largest_overlap_picks_the_parent_holding_most_of_the_child():
    parents = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
                               crs="EPSG:4326")
    children = gpd.GeoSeries([shapely.box(0.8, 0.1, 1.1, 0.2), shapely.box(0.95, 0.1, 1.5, 0.2),
                              shapely.box(5, 5, 6, 6)], crs="EPSG:4326")
    assert hierarchy.largest_overlap(children, parents).tolist() == ["A", "B", None]
    assert hierarchy.next_codes("X", ["X001", "X003"], 3, 3) == ["X002", "X004", "X005"]


def test_zip_with_path_traversal_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("../../etc/cron.d/x.shp", b"x")
    with pytest.raises(ImportRefused) as refused:
        read_source(path)
    assert refused.value.kind == "zip_path"
    assert not (tmp_path.parent.parent / "etc").exists()


def test_zip_bomb_and_member_count_and_size_limits(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("grids.shp", b"\0" * (50 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ImportRefused) as refused:
        read_source(bomb)
    assert refused.value.kind == "zip_bomb"
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(archive.LIMITS.members + 1):
            z.writestr(f"f{i}.txt", b"x")
    with pytest.raises(ImportRefused) as refused:
        read_source(many)
    assert refused.value.kind == "zip_members"
    with pytest.raises(ImportRefused) as refused:
        read_source(many, archive.Limits(upload_bytes=1000))
    assert refused.value.kind == "too_large"


@pytest.mark.parametrize("content,kind", [
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Poly', "corrupt"),
    (b"PK\x03\x04 not really a zip", "corrupt"),
    (b"", "empty_file"),
])
def test_truncated_and_corrupt_files_get_a_kind_not_a_traceback(tmp_path, content, kind):
    name = "bad.zip" if content.startswith(b"PK") else "bad.geojson"
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        read_source(tmp_path / name)
    assert refused.value.kind == kind


def test_truncated_pbf_is_refused(tmp_path):
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(OSM_PBF.read_bytes()[:40_000])
    with pytest.raises(ImportRefused) as refused:
        prepare(read_source(cut), "buildings")
    assert refused.value.kind in ("corrupt", "empty_file")


def test_cpg_that_lies_about_the_encoding_is_a_clear_refusal(tmp_path):
    grids = grid_frame(shapely.box(120.62, 27.76, 120.64, 27.77), ["东山网格"])
    path = zip_shapefile(grids, tmp_path, "liar", encoding="GBK", keep_cpg=False)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("liar.cpg", "UTF-8")
    with pytest.raises(ImportRefused) as refused:
        read_source(path)
    assert refused.value.kind == "encoding"


def test_zip_with_a_damaged_member_is_refused_as_corrupt(tmp_path):
    grids = grid_frame(shapely.box(120.62, 27.76, 120.64, 27.77), ["东山网格"])
    data = bytearray(zip_shapefile(grids, tmp_path, "g").read_bytes())
    data[60:90] = b"\xff" * 30  # inside the first member's compressed bytes
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ImportRefused) as refused:
        read_source(damaged)
    assert refused.value.kind == "corrupt"
