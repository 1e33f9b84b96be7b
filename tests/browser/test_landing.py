"""Where each role lands: a grid leader on their grid, an admin on the street; the grid level reached by clicking,
and a panel that says when its cases are only the viewer's."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from db import models as m
from tests.browser.conftest import login_form
from workflow.vocab import OPEN_STATUSES

GRID = "33038100100101"  # the demo grid leader's: 昌亭社区 第1网格
COMMUNITY = "330381001001"


def _open_in(session, column, code) -> int:
    return session.execute(select(func.count()).where(column == code, m.Case.status.in_(OPEN_STATUSES))).scalar()


def test_a_grid_leader_lands_on_their_grid_and_the_community_says_its_cases_are_theirs(page, live_server, session):
    login_form(page, live_server, "grid")
    assert page.inner_text(".user-box") == "网格长（演示）"
    page.wait_for_selector(".panel-title:text-is('第1网格')")
    # the breadcrumb comes with the map's answer, a moment before or after the panel's
    page.wait_for_selector(".breadcrumb .crumb.current:has-text('第1网格')")
    # the grid's own households, not the street's
    grid_households = session.execute(select(func.sum(m.Building.households)).where(m.Building.grid_code == GRID)).scalar()
    assert page.locator(".kpi .kpi-value").first.inner_text() == f"{grid_households:,}"
    assert int(page.inner_text(".open-count b")) == _open_in(session, m.Case.grid_code, GRID)

    # one level up by the breadcrumb: the community's people, and a note that the cases are the grid's
    page.click(".breadcrumb a:text-is('昌亭社区')")
    page.wait_for_selector(".panel-title:text-is('昌亭社区')")
    note = page.locator(".scope-note")
    note.wait_for()
    assert note.inner_text() == "诉求只计您负责的第1网格；户数、人口为全区域。"
    assert int(page.inner_text(".open-count b")) == _open_in(session, m.Case.grid_code, GRID)


def test_an_admin_lands_on_the_street_and_reaches_a_grid_by_clicking(staff, live_server):
    page = staff
    page.wait_for_selector(".panel-title:text-is('安阳街道')")
    assert page.locator(".scope-note").count() == 0
    page.goto(f"{live_server}/?area={COMMUNITY}")
    page.wait_for_selector(".panel-title:text-is('昌亭社区')")
    # the grids are listed with their leaders, each a link
    page.click(".panel-details .list a.child-link:text-is('第2网格')")
    page.wait_for_url(re.compile(rf"/\?area={COMMUNITY}02$"))
    page.wait_for_selector(".panel-title:text-is('第2网格')")
    assert page.locator(".scope-note").count() == 0  # an admin's counts are the whole area's
