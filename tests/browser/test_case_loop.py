"""A day's work in Chromium: take in a problem at a building, dispatch, resolve, return visit, close."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, func, select, update

from tests.helpers import click_impatiently
import settings

pytestmark = pytest.mark.both_backends  # the case loop writes through the ladder and the trail

DESCRIPTION = "单元门禁损坏，老人进出不便"


MARKER_COLOUR = """(code) => { let c = null; window.jinlinMap && window.jinlinMap.eachLayer(l => {
  if (l.feature && l.feature.properties.code === code && l.options.fillColor) c = l.options.fillColor; }); return c; }"""
GREEN, YELLOW = "#1e8e3e", "#f2a600"


def _click_action(page, label):
    page.locator(".action-buttons button", has_text=label).click()


def test_case_from_intake_to_close(staff, live_server, session):
    from db import models as m

    page = staff
    building = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100101")
                               .order_by(m.Building.code).limit(1)).scalar_one()
    page.goto(f"{live_server}/?area={building.code}")
    page.wait_for_selector("text=在此楼登记诉求")
    page.click("#intake-submit")  # nothing filled in: a clear refusal, nothing written
    page.wait_for_selector("#intake-message:has-text('类别')")
    page.click("#intake-category")
    page.get_by_role("option", name="设施维修").click()
    try:
        page.fill("#intake-description", DESCRIPTION)
        page.fill("#intake-reporter", "测试居民")
        page.click("#intake-submit")
        page.wait_for_selector("#intake-message:has-text('已登记')")
        code = re.search(r"AJ\d{7}", page.locator("#intake-message").inner_text()).group(0)
        # the new case is open on this building, green (deadline three days away), on the panel and on the map
        page.wait_for_selector(".case-item:has-text('单元门禁损坏') .pill.light-green")
        page.wait_for_function(f"(c) => ({MARKER_COLOUR})(c) === '{GREEN}'", arg=code)

        # half a day before its deadline the same case turns yellow, in the panel and on the map
        from db import cache
        from db.engine import session_scope

        with session_scope() as s:
            s.execute(update(m.Case).where(m.Case.code == code)
                      .values(deadline=settings.now() + dt.timedelta(hours=12)))
            cache.mark_changed(s)
        page.reload()
        page.wait_for_selector(".case-item:has-text('单元门禁损坏') .pill.light-yellow")
        page.wait_for_function(f"(c) => ({MARKER_COLOUR})(c) === '{YELLOW}'", arg=code)

        page.goto(f"{live_server}/cases/?area={building.code}")
        page.wait_for_selector(f".ag-row:has-text('{code}')")
        page.locator(f".ag-row[row-id='{code}'] .ag-cell[col-id=description]").click()
        page.wait_for_selector(".detail-title:has-text('待受理')")
        for label, status, fill in [("受理", "已受理", None), ("派单", "已派单", "物业服务中心"),
                                    ("开始处置", "处置中", None), ("办结", "已办结", None)]:
            if fill:
                page.fill("#cases-action-assignee", fill)
            _click_action(page, label)
            page.wait_for_selector(f".detail-title:has-text('{status}')")
        _click_action(page, "回访")  # without a satisfaction: refused with a reason
        page.wait_for_selector("#cases-action-message:has-text('满意度')")
        page.click("#cases-action-satisfaction")
        page.get_by_role("option", name="满意", exact=True).click()
        _click_action(page, "回访")
        page.wait_for_selector(".detail-title:has-text('已回访')")
        _click_action(page, "关闭")
        page.wait_for_selector(".detail-title:has-text('已关闭')")
        timeline = page.locator(".timeline").inner_text()
        for step in ("登记", "受理", "派单", "开始处置", "办结", "回访", "关闭"):
            assert step in timeline
        assert "派至 物业服务中心" in timeline
        with session_scope() as s:  # each step is on the trail under the account that clicked it, beside its name
            admin = s.execute(select(m.User).where(m.User.username == "admin")).scalar_one()
            trail = s.execute(select(m.CaseEvent.action, m.CaseEvent.actor, m.CaseEvent.actor_id)
                              .join(m.Case, m.Case.id == m.CaseEvent.case_id).where(m.Case.code == code)
                              .order_by(m.CaseEvent.id)).all()
        assert [a for a, *_ in trail] == ["create", "accept", "dispatch", "start", "resolve", "visit", "close"]
        assert {(who, i) for _, who, i in trail} == {(admin.display_name, admin.id)}

        # back on the map the building has no open case left from this work
        page.goto(f"{live_server}/?area={building.code}")
        page.wait_for_selector("text=最近的服务阵地")
        assert page.locator(".case-item:has-text('单元门禁损坏')").count() == 0
        page.wait_for_function("() => !!window.jinlinMap")
        assert page.evaluate(MARKER_COLOUR, code) is None  # closed: off the map
    finally:
        from db import cache
        from db.engine import session_scope

        with session_scope() as s:  # the module's later tests see the demo data as seeded
            for case_id in s.execute(select(m.Case.id).where(m.Case.description == DESCRIPTION)).scalars().all():
                s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))
                s.execute(delete(m.Case).where(m.Case.id == case_id))
            cache.mark_changed(s)


TWICE = "双击测试：楼道扶手松动"


def test_clicking_register_again_and_again_files_one_case(staff, live_server, session):
    from db import cache, models as m
    from db.engine import session_scope

    compound = session.execute(select(m.Area).where(m.Area.level == "compound", m.Area.parent_code == "33038100100101")
                               .order_by(m.Area.code)).scalars().first()
    page = staff
    page.goto(f"{live_server}/cases/?area=33038100100101")
    page.wait_for_selector("#cases-count:has-text('共')")
    try:
        page.click("#cases-intake-toggle")
        page.click("#cases-intake-building")
        page.get_by_placeholder("搜索").fill(compound.name)
        page.get_by_role("option", name=f"{compound.name} 1幢", exact=True).click()
        page.click("#intake-category")
        page.get_by_role("option", name="设施维修").click()
        page.fill("#intake-description", TWICE)
        click_impatiently(page, "#intake-submit")
        page.wait_for_selector(f".ag-row:has-text('{TWICE}')")
        assert page.locator(f".ag-row:has-text('{TWICE}')").count() == 1
        assert page.input_value("#intake-description") == ""  # the form is ready for the next case
        with session_scope() as s:
            assert s.execute(select(func.count()).select_from(m.Case).where(m.Case.description == TWICE)).scalar() == 1
    finally:
        with session_scope() as s:
            for case_id in s.execute(select(m.Case.id).where(m.Case.description == TWICE)).scalars().all():
                s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))
                s.execute(delete(m.Case).where(m.Case.id == case_id))
            cache.mark_changed(s)
