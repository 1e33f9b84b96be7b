"""/admin/import/ as a guided setup: a street's checklist and warnings, 撤销 of an import, a street drawn from nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import login_form, serve
from tests.import_files import grid_frame, zip_shapefile

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
COMMUNITY = "330381001001"
KEEP = {"app_user", "data_version", "alembic_version", "display_token", "login_failure", "app_setting"}


@pytest.fixture(scope="module")
def setup_server(tmp_path_factory, demo_data):
    """Its own server and database: these tests commit, undo, and finally empty the database."""
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.helpers import demo_street_as_real_data
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("setup-server")
    url = new_database_url(folder, "setup")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        upgrade_to_head()
        write_demo(demo_data)
        demo_street_as_real_data()
    for base in serve(url, folder / "app.log"):
        yield base, url


def _count(url: str, sql: str, **params):
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    engine.dispose()
    return value


def _empty_every_street(url: str) -> None:
    """What a new user starts from: no area, building or point (the accounts stay so the admin can log in)."""
    from db import models as m

    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(m.Base.metadata.sorted_tables):
            if table.name not in KEEP:
                conn.execute(table.delete())
        conn.execute(text("UPDATE data_version SET version = version + 1"))
    engine.dispose()


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _drop_grids_of(url: str, community: str) -> None:
    """As if the community's grid file had never come: its compounds and buildings hang off the community."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE area SET parent_code = :c WHERE level = 'compound' AND code LIKE :p"),
                     {"c": community, "p": f"{community}X%"})
        conn.execute(text("UPDATE building SET grid_code = :c WHERE community_code = :c"), {"c": community})
        conn.execute(text("DELETE FROM area WHERE level = 'grid' AND code LIKE :p"), {"p": f"{community}%"})
        conn.execute(text("UPDATE data_version SET version = version + 1"))
    engine.dispose()


@pytest.mark.parametrize("page", [(1920, 1080), (1366, 768)], indirect=True)
def test_checklist_of_the_demo_street_with_its_warnings(page, setup_server):
    base, url = setup_server
    _drop_grids_of(url, "330381001008")
    name = _count(url, "SELECT name FROM area WHERE code = '330381001008'")
    login_form(page, base)
    page.goto(base + "/admin/import/")
    page.wait_for_selector("#import-setup-checklist .setup-item[data-kind=buildings]:has-text('已有')")
    buildings = page.locator("#import-setup-checklist .setup-item[data-kind=buildings] .setup-count").inner_text()
    assert int(buildings) == _count(url, "SELECT count(*) FROM building")
    grids = page.locator("#import-setup-checklist .setup-item[data-kind=grids] .setup-count").inner_text()
    assert int(grids) == _count(url, "SELECT count(*) FROM area WHERE level = 'grid'")
    page.wait_for_selector("#import-setup-next:has-text('各项数据齐全')")  # the demo street has every kind
    page.wait_for_selector(f"#import-setup-warnings:has-text('1 个社区还没有网格：{name}')")
    page.wait_for_selector("#import-setup-warnings:has-text('的面积不在任何网格内')")
    _shoot(page, "import-setup-demo")


def test_admin_undoes_a_grid_import_with_its_button(page, setup_server, tmp_path):
    base, url = setup_server
    before = _count(url, "SELECT count(*) FROM area")
    login_form(page, base)
    page.goto(base + "/admin/import/")
    community = _community_shape(url)
    grids = zip_shapefile(grid_frame(community, ["撤销测试一网格", "撤销测试二网格"]), tmp_path, "网格")
    page.set_input_files("#import-upload input[type=file]", str(grids))
    page.wait_for_selector(f"#import-file-info:has-text('{grids.name}')")
    page.click("#import-preview")
    page.wait_for_selector("#import-summary:has-text('新增 2')")
    page.click("#import-commit")
    page.wait_for_selector("#import-message:has-text('导入完成：新增 2')")
    assert _count(url, "SELECT count(*) FROM area") == before + 2
    grids = _count(url, "SELECT count(*) FROM area WHERE level = 'grid'")
    grid_count = "#import-setup-checklist .setup-item[data-kind=grids] .setup-count"
    page.wait_for_selector(f"{grid_count}:text-is('{grids}')")  # the checklist follows the import
    row = page.locator("#import-batches tr.applied", has_text="网格.zip")
    row.wait_for()
    assert "新增 2" in row.inner_text()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="撤销").click()
    page.wait_for_selector("#import-batch-message:has-text('已撤销第')")
    assert "网格.zip" in asked[0] and "恢复为导入前" in asked[0]
    assert _count(url, "SELECT count(*) FROM area") == before
    page.wait_for_selector(f"{grid_count}:text-is('{grids - 2}')")
    page.wait_for_selector("#import-batches tr.rolled-back:has-text('网格.zip'):has-text('admin')")
    assert page.locator("#import-batches tr.rolled-back button").count() == 0  # no second 撤销
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".import-batches").screenshot(path=str(SHOTS / "import-batches-1920.png"))


def _community_shape(url: str):
    import shapely

    hexed = "SELECT encode(ST_AsBinary(geometry), 'hex') FROM area WHERE code = :c" \
        if url.startswith("postgresql") else "SELECT hex(geometry) FROM area WHERE code = :c"
    return shapely.from_wkb(bytes.fromhex(_count(url, hexed, c=COMMUNITY)))


def _draw_square(page, left: int, top: int, size: int) -> None:
    """Leaflet.draw by clicking: the polygon tool, four corners, then the first corner again to close it."""
    page.click("#import-draw-map .leaflet-draw-draw-polygon")
    page.wait_for_selector("#import-draw-map .leaflet-draw-actions a:has-text('删除最后一点')")  # Leaflet.draw in Chinese
    assert page.get_attribute("#import-draw-map .leaflet-draw-draw-polygon", "title") == "画多边形"
    box = page.locator("#import-draw-map").bounding_box()
    corners = [(left, top), (left + size, top), (left + size, top + size), (left, top + size), (left, top)]
    for x, y in corners:
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(150)  # Leaflet.draw ignores a second click that comes as a double click
    page.wait_for_selector("#import-draw-status:has-text('已画好一个多边形')")  # the server has the shape


@pytest.mark.parametrize("page", [(1920, 1080), (1366, 768)], indirect=True)
def test_from_an_empty_database_draw_a_street_and_the_checklist_follows(page, setup_server):
    base, url = setup_server
    _empty_every_street(url)
    login_form(page, base)
    page.goto(base + "/admin/import/")
    page.wait_for_selector("#import-setup-checklist:has-text('数据库里还没有街道')")
    page.wait_for_selector("#import-setup-next:has-text('画出街道边界')")
    _shoot(page, "import-setup-empty")

    _draw_square(page, 120, 80, 180)
    page.fill("#import-draw-code", "33038109")  # 8 digits: refused, nothing written
    page.fill("#import-draw-name", "新建测试街道")
    page.click("#import-draw-save")
    page.wait_for_selector("#import-draw-message:has-text('街道编码必须是 9 位数字')")
    assert _count(url, "SELECT count(*) FROM area") == 0
    page.fill("#import-draw-code", "330381099")
    page.click("#import-draw-save")
    page.wait_for_selector("#import-draw-message:has-text('已保存 新建测试街道（330381099）')")
    page.wait_for_selector("#import-setup-checklist .setup-item[data-kind=boundary]:has-text('已有')")
    page.wait_for_selector("#import-setup-checklist .setup-item[data-kind=communities]:has-text('缺少')")
    page.wait_for_selector("#import-setup-next:has-text('导入社区边界')")
    assert "新建测试街道" in page.locator("#import-setup-street").inner_text()
    assert _count(url, "SELECT count(*) FROM area WHERE code = '330381099' AND level = 'street'") == 1
    page.wait_for_function("() => !document.querySelector('#import-draw-map path.leaflet-interactive')")
    _shoot(page, "import-setup-drawn")  # the saved street in outline, the drawn shape gone with the save

    # a community drawn inside it, saved for the chosen street
    page.click("#import-draw-target")
    page.get_by_role("option", name="所选街道的新社区").click()
    _draw_square(page, 160, 120, 80)
    page.fill("#import-draw-name", "画出的社区")
    page.click("#import-draw-save")
    page.wait_for_selector("#import-draw-message:has-text('画出的社区'), #import-draw-message.error")
    assert "已保存 画出的社区（330381099001）" in page.inner_text("#import-draw-message")
    page.wait_for_selector("#import-setup-checklist .setup-item[data-kind=communities]:has-text('已有')")
    page.wait_for_selector("#import-setup-next:has-text('导入网格边界')")

    # both drawings are batches: undo the community, then the street, and the page is empty again
    for _ in range(2):
        newest = _count(url, "SELECT max(id) FROM import_batch WHERE status = 'applied'")
        applied = _count(url, "SELECT count(*) FROM import_batch WHERE status = 'applied'")
        # the table must show what the database holds before a click: a row left from before the last undo would
        # undo a batch that is gone already (seen on a loaded box)
        page.wait_for_function(f"document.querySelectorAll('#import-batches tr.applied').length === {applied}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#import-batches tr.applied").first.get_by_role("button", name="撤销").click()
        page.wait_for_selector(f"#import-batch-message:has-text('已撤销第 {newest} 批')")
    page.wait_for_selector("#import-setup-checklist:has-text('数据库里还没有街道')")
    assert _count(url, "SELECT count(*) FROM area") == 0
