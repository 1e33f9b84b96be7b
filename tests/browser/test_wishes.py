"""微心愿 in Chromium: publish at a building, see it on the map, claim it for a 报到单位, mark it done."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from db.engine import session_scope
from tests.helpers import click_impatiently

pytestmark = pytest.mark.both_backends  # publishing, claiming and completing write the wish and its trail

GRID = "33038100100101"
TITLE = "心愿测试：帮独居老人修好收音机"
WISH_ON_MAP = ("(t) => { let found = false; window.jinlinMap && window.jinlinMap.eachLayer(l => {"
               " if (l.feature && l.feature.properties.title === t) found = true; }); return found; }")


def _refused_when_empty(page):
    page.click("#wishes-new-submit")  # nothing filled in
    page.wait_for_selector("#wishes-new-message:has-text('请填写心愿内容；请选择心愿人所在的楼栋')")


def _open_the_form(page, base: str, session, before_building=lambda page: None) -> None:
    """/wishes/ of the grid with 发布微心愿 open at the first building of its first compound."""
    from db import models as m

    compound = session.execute(select(m.Area).where(m.Area.level == "compound", m.Area.parent_code == GRID)
                               .order_by(m.Area.code)).scalars().first()
    page.goto(f"{base}/wishes/?area={GRID}")
    page.wait_for_selector("#wishes-count:has-text('共')")
    page.click("#wishes-new-toggle")
    before_building(page)
    page.click("#wishes-new-building")
    page.get_by_placeholder("搜索").fill(compound.name)
    page.get_by_role("option", name=f"{compound.name} 1幢", exact=True).click()


def test_publish_claim_and_complete_a_wish(staff, live_server, session):
    from db import cache, models as m

    page = staff
    try:
        _open_the_form(page, live_server, session, before_building=_refused_when_empty)
        page.fill("#wishes-new-title", TITLE)
        page.fill("#wishes-new-wisher", "王奶奶")
        page.click("#wishes-new-submit")
        page.wait_for_selector("#wishes-new-message:has-text('已发布')")
        code = re.search(r"WY\d{7}", page.inner_text("#wishes-new-message")).group(0)

        # on the map, with the 微心愿 overlay switched on, the wish is there; the wisher's name is not
        page.goto(f"{live_server}/?area={GRID}")
        page.wait_for_selector(".panel-title:has-text('第1网格')")
        page.locator(".leaflet-control-layers label", has_text="微心愿").locator("input").check()
        page.wait_for_function(WISH_ON_MAP, arg=TITLE)
        assert "王奶奶" not in page.content()

        page.goto(f"{live_server}/wishes/?area={GRID}")
        page.locator(f".ag-row:has-text('{code}') .ag-cell[col-id=title]").click()
        page.wait_for_selector(".detail-title:has-text('已发布')")
        assert "王奶奶" in page.inner_text(".cases-detail")  # staff see who wished it
        page.locator(".action-buttons button", has_text="认领").click()
        page.wait_for_selector("#wishes-action-message:has-text('认领需要填写')")
        page.fill("#wishes-claimant", "市图书馆")
        page.get_by_label("报到单位").check()
        page.locator(".action-buttons button", has_text="认领").click()
        page.wait_for_selector(".detail-title:has-text('已认领')")
        assert "市图书馆（报到单位）" in page.inner_text(".cases-detail")
        page.locator(".action-buttons button", has_text="完成").click()
        page.wait_for_selector(".detail-title:has-text('已完成')")
        page.wait_for_selector("text=该微心愿已结束")
        # the default list shows open wishes: the finished one has left it
        page.wait_for_function("(c) => ![...document.querySelectorAll('.ag-row')].some(r => r.innerText.includes(c))",
                               arg=code)
    finally:
        with session_scope() as s:  # the module's later tests see the demo data as seeded
            s.execute(delete(m.Wish).where(m.Wish.title == TITLE))
            cache.mark_changed(s)


TWICE = "双击测试：帮忙取药"


def test_clicking_publish_again_and_again_publishes_one_wish(staff, live_server, session):
    from sqlalchemy import func

    from db import cache, models as m

    page = staff
    try:
        _open_the_form(page, live_server, session)
        page.fill("#wishes-new-title", TWICE)
        click_impatiently(page, "#wishes-new-submit")
        page.wait_for_selector(f".ag-row:has-text('{TWICE}')")
        assert page.locator(f".ag-row:has-text('{TWICE}')").count() == 1
        with session_scope() as s:
            assert s.execute(select(func.count()).select_from(m.Wish).where(m.Wish.title == TWICE)).scalar() == 1
    finally:
        with session_scope() as s:
            s.execute(delete(m.Wish).where(m.Wish.title == TWICE))
            cache.mark_changed(s)
