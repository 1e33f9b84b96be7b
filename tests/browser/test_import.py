"""An admin uploads a GBK Shapefile of grids and a 高德 Excel of canteens, previews, commits; a broken file changes nothing."""
from __future__ import annotations

import zipfile

import pytest
import shapely
from sqlalchemy import bindparam, create_engine, text

from tests.browser.conftest import login_form, serve
from tests.import_files import canteens_xlsx, grid_frame, zip_shapefile

pytestmark = pytest.mark.both_backends  # imports write geometry (PostGIS columns and indexes)

COMMUNITY = "330381001001"


@pytest.fixture(scope="module")
def import_server(tmp_path_factory, demo_data):
    """Its own server and database: these imports commit, and the other browser tests count the demo street."""
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.helpers import demo_street_as_real_data
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("import-server")
    url = new_database_url(folder, "imports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        upgrade_to_head()
        write_demo(demo_data)
        demo_street_as_real_data()
    for base in serve(url, folder / "app.log"):
        yield base, url


def _rows(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("area", "building", "service_point", "basemap_feature")}
        counts["version"] = conn.execute(text("SELECT max(version) FROM data_version")).scalar()
        community = shapely.from_wkb(bytes.fromhex(conn.execute(
            text("SELECT encode(ST_AsBinary(geometry), 'hex') FROM area WHERE code = :c") if url.startswith("postgresql")
            else text("SELECT hex(geometry) FROM area WHERE code = :c"), {"c": COMMUNITY}).scalar()))
    engine.dispose()
    return {**counts, "community": community}


DRAWN = """prop => {
  const counts = {};
  window.jinlinImportMap.eachLayer(l => {
    const value = l.feature && l.feature.properties && l.feature.properties[prop];
    if (value && !l.getLayers) counts[value] = (counts[value] || 0) + 1;
  });
  return counts;
}"""


def _drawn(page, prop: str = "change") -> dict:
    """Features on the preview map by `prop`: change (new / updated / rejected) or reading (wgs84 / gcj02)."""
    return page.evaluate(DRAWN, prop)


def _wait_drawn(page, prop: str, counts: dict) -> None:
    page.wait_for_function(f"want => JSON.stringify(({DRAWN})('{prop}')) === JSON.stringify(want)", arg=counts)


def _upload(page, path):
    page.set_input_files("#import-upload input[type=file]", str(path))
    page.wait_for_selector(f"#import-file-info:has-text('{path.name}')")


def test_admin_imports_grids_and_canteens_then_a_broken_file_changes_nothing(page, import_server, tmp_path):
    base, url = import_server
    before = _rows(url)
    community = before["community"]
    login_form(page, base)
    page.goto(base + "/admin/import/")

    grids = zip_shapefile(grid_frame(community, ["东山第一网格", "东山第二网格"]), tmp_path, "网格边界")
    _upload(page, grids)
    page.wait_for_selector("#import-file-info:has-text('属性编码 GBK')")
    page.click("#import-preview")
    page.wait_for_selector("#import-summary:has-text('新增 2')")
    assert _drawn(page) == {"new": 2}  # both grids on the preview map, green
    assert _rows(url)["area"] == before["area"]  # a preview writes nothing
    page.click("#import-commit")
    page.wait_for_selector("#import-message:has-text('导入完成：新增 2')")

    c = community.centroid
    sites = [(c.x - 0.002, c.y), (c.x + 0.002, c.y + 0.001), (c.x + 0.5, c.y)]
    canteens = canteens_xlsx(tmp_path / "爱心食堂.xlsx", sites, ["东山爱心食堂", "锦湖爱心食堂", "远方食堂"])
    _upload(page, canteens)
    page.click("#import-kind")
    page.get_by_role("option", name="服务点位").click()
    page.wait_for_selector("#import-crs-hint:has-text('没有声明坐标系')")  # the page asks instead of guessing
    page.click("#import-preview")
    page.wait_for_selector("#import-message:has-text('请在“坐标系”中选择')")
    assert page.locator("#import-commit").is_disabled()
    page.click("#import-crs")
    page.get_by_role("option", name="GCJ-02（高德、腾讯）").click()
    page.click("#import-preview")
    page.wait_for_selector("#import-summary:has-text('新增 2')")
    page.wait_for_selector("#import-problems:has-text('第 4 行：远离本街道')")
    assert _drawn(page) == {"new": 2, "rejected": 1}
    page.click("#import-commit")
    page.wait_for_selector("#import-message:has-text('导入完成：新增 2')")

    after = _rows(url)
    assert (after["area"], after["service_point"]) == (before["area"] + 2, before["service_point"] + 2)
    public = page.request.get(base + "/api/public/service-points.geojson").json()
    names = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in public["features"]}
    assert "远方食堂" not in names
    for name, (lon, lat) in zip(("东山爱心食堂", "锦湖爱心食堂"), sites):
        assert abs(names[name][0] - lon) < 2e-6 and abs(names[name][1] - lat) < 2e-6  # WGS-84, not 高德's offset
    # the staff map labels the new grids when the community is open
    page.goto(f"{base}/?area={COMMUNITY}")
    page.wait_for_selector(".grid-label:has-text('东山第一网格')")
    page.wait_for_selector(".grid-label:has-text('东山第二网格')")

    page.goto(base + "/admin/import/")
    broken = tmp_path / "broken.zip"
    data = bytearray(grids.read_bytes())
    broken.write_bytes(bytes(data[: len(data) // 2]))  # a download that stopped half-way
    _upload(page, broken)
    page.wait_for_selector("#import-message:has-text('文件已损坏或不完整')")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../grids.shp", b"x")
    _upload(page, evil)
    page.wait_for_selector("#import-message:has-text('越界路径')")
    assert page.locator("#import-commit").is_disabled()
    final = _rows(url)
    assert {k: final[k] for k in ("area", "building", "service_point", "version")} == \
        {k: after[k] for k in ("area", "building", "service_point", "version")}


def test_import_page_is_for_admins_only(page, import_server):
    base, _ = import_server
    login_form(page, base, "street")
    assert page.request.get(base + "/admin/import/").status == 403
    assert page.request.get(base + "/admin/import/_dash-layout").status == 403


def test_a_file_over_the_page_limit_gets_a_message_not_silence(page, import_server, tmp_path):
    from layouts.import_page import UPLOAD_LIMIT

    base, url = import_server
    before = _rows(url)
    login_form(page, base)
    page.goto(base + "/admin/import/")
    big = tmp_path / "大文件.geojson"
    with open(big, "wb") as f:
        f.truncate(UPLOAD_LIMIT + 1024)
    page.set_input_files("#import-upload input[type=file]", str(big))
    page.wait_for_selector("#import-message:has-text('文件超过 50 MB')")
    assert page.locator("#import-file-info").inner_text() == "大文件.geojson"
    after = _rows(url)
    assert (after["area"], after["version"]) == (before["area"], before["version"])


def test_admin_downloads_a_layer_as_geopackage(page, import_server, tmp_path):
    import pyogrio

    base, url = import_server
    login_form(page, base)
    page.goto(base + "/admin/import/")
    page.click("#import-export-layer")
    page.get_by_role("option", name="社区").click()
    page.click("#import-export-format")
    page.get_by_role("option", name="GeoPackage").click()
    with page.expect_download() as download:
        page.click("#import-export")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "communities.gpkg"
    frame = pyogrio.read_dataframe(saved)
    assert len(frame) == 8 and frame.crs.to_epsg() == 4326
    assert set(frame.code.str[:9]) == {"330381001"}


def _stored_grids(url: str, names: list[str]) -> dict:
    engine = create_engine(url)
    column = "encode(ST_AsBinary(geometry), 'hex')" if url.startswith("postgresql") else "hex(geometry)"
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT name, {column} FROM area WHERE level = 'grid' AND name IN :names")
                            .bindparams(bindparam("names", expanding=True)), {"names": names}).all()
    engine.dispose()
    return {name: shapely.from_wkb(bytes.fromhex(h)) for name, h in rows}


def test_admin_sees_both_readings_of_an_undeclared_geojson_and_imports_it_as_gcj02(page, import_server, tmp_path):
    """A GeoJSON of 高德 coordinates without a `crs` member: the page asks, draws both readings, and the choice holds."""
    import coordTransform
    import numpy as np

    base, url = import_server
    # a neighbour of the community the first test fills, so the two tests' grids never meet
    engine = create_engine(url)
    column = "encode(ST_AsBinary(geometry), 'hex')" if url.startswith("postgresql") else "hex(geometry)"
    with engine.connect() as conn:
        community = shapely.from_wkb(bytes.fromhex(conn.execute(
            text(f"SELECT {column} FROM area WHERE code = '330381001002'")).scalar()))
    engine.dispose()
    names = ["高德第一网格", "高德第二网格"]
    wgs = grid_frame(community, names).assign(网格编号=["GD-1", "GD-2"])  # the first test's grids are WG001 …
    gcj = wgs.set_geometry(shapely.transform(wgs.geometry.values, lambda c: np.array(
        [coordTransform.wgs84_to_gcj02(x, y) for x, y in c])))
    path = tmp_path / "高德网格.geojson"
    path.write_text(gcj.to_json(drop_id=True), encoding="utf-8")
    assert '"crs"' not in path.read_text(encoding="utf-8")

    login_form(page, base)
    page.goto(base + "/admin/import/")
    _upload(page, path)
    page.wait_for_selector("#import-file-info:has-text('未声明坐标系')")
    page.wait_for_selector("#import-crs-hint:has-text('位于中国境内')")
    _wait_drawn(page, "reading", {"wgs84": 2, "gcj02": 2})
    assert page.locator("#import-crs-hint .legend-wgs84").inner_text() == "按 WGS-84 读"
    shots = tmp_path / "shots"
    shots.mkdir()
    for width, height in ((1920, 1080), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        # Leaflet redraws the canvas on the animation frame after a resize: two frames later it has
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.screenshot(path=str(shots / f"crs-question-{width}.png"))
    page.click("#import-preview")  # without an answer there is nothing to preview
    page.wait_for_selector("#import-message:has-text('请在“坐标系”中选择')")
    assert page.locator("#import-commit").is_disabled()

    page.click("#import-crs")
    page.get_by_role("option", name="GCJ-02（高德、腾讯）").click()
    _wait_drawn(page, "reading", {})
    page.click("#import-preview")
    page.wait_for_selector("#import-summary:has-text('新增 2')")
    assert _drawn(page) == {"new": 2}
    page.screenshot(path=str(shots / "crs-previewed-1366.png"))
    page.click("#import-commit")
    page.wait_for_selector("#import-message:has-text('导入完成：新增 2')")

    stored = _stored_grids(url, names)
    assert set(stored) == set(names)
    for name, shape in zip(names, wgs.geometry):
        # the WGS-84 inverse of the 高德 coordinates: back on the grid drawn from the stored community (≈0.1 m)
        assert shapely.hausdorff_distance(stored[name], shape) < 2e-6, name


def test_an_osm_file_as_communities_is_refused_in_chinese(page, import_server):
    from tests.import_files import OSM_PBF

    base, url = import_server
    before = _rows(url)
    login_form(page, base)
    page.goto(base + "/admin/import/")
    _upload(page, OSM_PBF)
    page.click("#import-kind")
    page.get_by_role("option", name="社区", exact=True).click()
    page.fill("#import-street", "990000001")
    page.click("#import-preview")
    page.wait_for_selector("#import-message:has-text('OpenStreetMap 文件只能导入为楼栋、小区、道路或服务点位')")
    assert "出错了" not in page.inner_text("body")
    assert page.locator("#import-commit").is_disabled()
    after = _rows(url)
    assert (after["area"], after["version"]) == (before["area"], before["version"])
