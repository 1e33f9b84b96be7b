"""A browser set to another zone still shows the street's time: the big screen's clock and the map's deadlines."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

import settings
from db import models as m
from workflow.vocab import OPEN_STATUSES
from tests.browser.conftest import WAIT_MS, PageProbe, login_form

pytestmark = pytest.mark.shares_server  # reads only

TOKEN = "demo-screen-token-2026"
FAR_ZONE = "America/New_York"  # 12 or 13 hours behind Beijing: any slip shows in the hour and often the date
CLOCK = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日 (星期[日一二三四五六])\s+(\d{2}):(\d{2}):(\d{2})$")
WEEKDAYS = "一二三四五六日"


@pytest.fixture()
def far_page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id=FAR_ZONE)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    probe = PageProbe(page)
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == FAR_ZONE
    yield page
    context.close()
    assert probe.errors == [], f"browser console errors: {probe.errors}"
    assert probe.foreign == [], f"requests left 127.0.0.1: {probe.foreign}"


def test_the_screen_clock_shows_beijing_time_on_a_display_set_elsewhere(far_page, live_server):
    far_page.goto(f"{live_server}/screen/?token={TOKEN}")
    # the clock is there once the layout has rendered, and has its time once its first tick ran
    far_page.wait_for_function("() => { const c = document.querySelector('.screen-clock');"
                               " return c !== null && /\\d{2}:\\d{2}:\\d{2}$/.test(c.innerText); }")
    shown = CLOCK.match(far_page.locator(".screen-clock").inner_text())
    assert shown, far_page.locator(".screen-clock").inner_text()
    year, month, day, weekday, hour, minute, second = shown.groups()
    clock = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    assert abs(clock - settings.now()) < dt.timedelta(minutes=2), (clock, settings.now())
    assert weekday == "星期" + WEEKDAYS[clock.weekday()]


def test_a_case_popup_shows_its_deadline_as_the_case_list_does(far_page, live_server, session):
    """The popup's 时限 is the stored Beijing time, as /cases/ prints it, not the browser's reading of the instant."""
    building, deadline = session.execute(
        select(m.Case.building_code, func.min(m.Case.deadline))
        .where(m.Case.status.in_(OPEN_STATUSES), m.Case.building_code.is_not(None))
        .group_by(m.Case.building_code).having(func.count() == 1).limit(1)).one()
    login_form(far_page, live_server)
    far_page.goto(f"{live_server}/?area={building}")
    far_page.wait_for_function("""() => { let n = 0; window.jinlinMap && window.jinlinMap.eachLayer(l => {
        if (l.getPopup && l.getPopup() && /时限/.test(l.getPopup().getContent().textContent || '')) n++; });
        return n > 0; }""")
    popups = far_page.evaluate("""() => { const out = []; window.jinlinMap.eachLayer(l => {
        const p = l.getPopup && l.getPopup(); const t = p && (p.getContent().textContent || '');
        if (t && /时限/.test(t)) out.push(t); }); return out; }""")
    assert any(f"时限{deadline:%Y-%m-%d %H:%M}" in p for p in popups), (deadline, popups)
