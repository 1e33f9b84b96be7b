"""Intake at any spot of the map: pick it, add a photo, see likely duplicates and file the second as a duplicate."""
from __future__ import annotations

import re

from PIL import Image
import pytest
from sqlalchemy import delete, select

from tests.browser.test_map import DRILL_CODES, settled_pixel

pytestmark = pytest.mark.both_backends  # a picked spot is located by spatial queries

GRID = "33038100100101"
FIRST = "选点测试：绿化带被占用种菜"
SECOND = "选点测试：又有人在绿化带种菜"


def _first_compound(page) -> tuple[str, list[float]]:
    """The first compound drawn, and a free pixel inside it."""
    page.wait_for_function(f"() => ({DRILL_CODES})().length > 0")
    compound = sorted(c.split("|")[0] for c in page.evaluate(DRILL_CODES))[0]
    return compound, settled_pixel(page, compound)


def _pick_spot_in_first_compound(page, nudge: int = 0) -> str:
    """Picks a free pixel inside the first compound drawn, `nudge` pixels up and right; returns its code."""
    compound, xy = _first_compound(page)
    page.click("#map-pick")
    page.wait_for_selector("#map-pick.active")
    page.mouse.click(xy[0] + nudge, xy[1] - nudge)
    page.wait_for_selector("text=在所选位置登记诉求")
    return compound


def _fill(page, description):
    page.click("#intake-category")
    page.get_by_role("option", name="绿化养护").click()
    page.fill("#intake-description", description)


def test_pick_a_spot_take_in_a_case_with_photo_then_merge_a_duplicate(staff, live_server, tmp_path):
    from db import models as m
    from db.engine import session_scope

    photo = tmp_path / "现场.png"
    Image.new("RGB", (800, 600), (40, 160, 60)).save(photo)
    not_a_photo = tmp_path / "假照片.jpg"
    not_a_photo.write_bytes(b"this is text, not a picture")

    page = staff
    page.goto(f"{live_server}/?area={GRID}")
    page.wait_for_selector(".panel-title:has-text('第1网格')")
    try:
        compound = _pick_spot_in_first_compound(page)
        assert page.evaluate("location.search") == f"?area={GRID}"  # picking does not drill
        with session_scope() as s:
            compound_name = s.get(m.Area, compound).name
        where = page.locator(".panel .facts").inner_text()
        assert "第1网格" in where and compound_name in where
        _fill(page, FIRST)
        page.set_input_files("#intake-photo input[type=file]", str(not_a_photo))
        page.wait_for_selector("#intake-photo-name:has-text('假照片.jpg')")
        page.click("#intake-submit")
        page.wait_for_selector("#intake-message:has-text('不是可识别的图片')")
        page.set_input_files("#intake-photo input[type=file]", str(photo))
        page.wait_for_selector("#intake-photo-name:has-text('现场.png')")
        page.click("#intake-submit")
        page.wait_for_selector("#intake-message:has-text('已登记')")
        first = re.search(r"AJ\d{7}", page.inner_text("#intake-message")).group(0)

        # the same spot again: the first case is offered as a likely duplicate, and merging keeps both trails
        page.click("#spot-cancel")
        page.wait_for_selector(".panel-title:has-text('第1网格')")
        _pick_spot_in_first_compound(page, nudge=20)  # beside the first case's marker, a few metres away
        _fill(page, SECOND)
        page.wait_for_selector(f".similar-item:has-text('{first}')")
        page.locator(f".similar-item:has-text('{first}') button").click()
        page.wait_for_selector(f"#intake-message:has-text('并合并到 {first}')")
        second = re.search(r"已登记 (AJ\d{7})", page.inner_text("#intake-message")).group(1)

        page.goto(f"{live_server}/cases/?area={GRID}")
        page.locator(f".ag-row[row-id='{first}'] .ag-cell[col-id=description]").click()
        page.wait_for_selector(".timeline:has-text('合并重复件')")
        assert f"{second} 作为重复件合并至此" in page.inner_text(".timeline")
        page.wait_for_function("() => { const i = document.querySelector('.case-photo'); "
                               "return i && i.complete && i.naturalWidth === 800; }")
        with session_scope() as s:
            merged = s.execute(select(m.Case).where(m.Case.code == second)).scalar_one()
            assert merged.status == "重复" and merged.grid_code == GRID and merged.compound_code == compound
    finally:
        from db import cache

        with session_scope() as s:  # the module's later tests see the demo data as seeded
            ids = s.execute(select(m.Case.id).where(m.Case.description.in_([FIRST, SECOND]))).scalars().all()
            s.execute(delete(m.CasePhoto).where(m.CasePhoto.case_id.in_(ids)))
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
            s.execute(delete(m.Case).where(m.Case.id.in_(ids)))
            cache.mark_changed(s)


def test_a_map_click_reaches_the_server_only_while_picking(staff, live_server):
    page = staff
    page.goto(f"{live_server}/?area={GRID}")
    page.wait_for_selector(".panel-title:has-text('第1网格')")
    _, xy = _first_compound(page)
    page.wait_for_load_state("networkidle")
    picks = []  # requests for pick_spot, the callback whose outputs begin with the picked point
    page.on("request", lambda r: '"output":"..intake-point.data' in (r.post_data or "") and picks.append(r.url))
    page.mouse.click(xy[0], xy[1] - 200)  # elsewhere on the map, not picking (it may drill: a click all the same)
    page.click("#map-pick")
    page.wait_for_selector("#map-pick.active")
    page.mouse.click(xy[0], xy[1])
    page.wait_for_selector("text=在所选位置登记诉求")
    # a request from the plain click would have left before the picking one, whose answer is on the page now
    assert len(picks) == 1, f"a plain map click went to the server: {picks}"
    page.click("#spot-cancel")
