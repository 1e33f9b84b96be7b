"""Lights that do not lie: a case escalated for a missed deadline stays marked on the panel, the list and its detail."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

import settings
from db.engine import session_scope

GRID = "33038100100101"
DESCRIPTION = "超期测试：楼顶水箱漏水无人处理"


def _escalated_in_grid(s) -> int:
    from db import models as m
    from workflow.vocab import OPEN_STATUSES

    return s.execute(select(func.count()).where(m.Case.grid_code == GRID, m.Case.status.in_(OPEN_STATUSES),
                                                m.Case.overdue_since.is_not(None))).scalar_one()


def test_an_escalated_case_stays_marked_on_the_panel_the_list_and_its_detail(staff, live_server):
    from db import cases, models as m
    from db.access import SYSTEM

    now = settings.now()
    with session_scope() as s:
        building = s.execute(select(m.Building).where(m.Building.grid_code == GRID).order_by(m.Building.code)
                             .limit(1)).scalar_one()
        point = building.geometry.representative_point()
        new = cases.NewCase(category="设施维修", description=DESCRIPTION, source="居民上报", lon=point.x, lat=point.y)
        code = cases.create_case(s, new, "测试", SYSTEM, now - dt.timedelta(days=4)).code  # 小区 deadline: a day ago
    with session_scope() as s:
        cases.escalate_due(s, now)  # what the schedule does (api/escalation.py), not a page load
        case = s.execute(select(m.Case).where(m.Case.code == code)).scalar_one()
        assert case.level == "网格" and case.deadline > now  # a fresh deadline: by it alone the case is green
        escalated = _escalated_in_grid(s)

    page = staff
    page.goto(f"{live_server}/?area={GRID}")
    page.wait_for_selector(f".case-lights .pill.light-escalated:has-text('超期升级 {escalated}')")

    page.goto(f"{live_server}/cases/?area={GRID}")
    page.click("#cases-light")
    page.get_by_role("option", name="超期升级").click()
    # the list has followed the filter once every row it shows is marked (the unfiltered list holds the case too)
    page.wait_for_function("() => { const c = [...document.querySelectorAll('.ag-row .ag-cell[col-id=light_label]')];"
                           " return c.length > 0 && c.every(e => e.innerText.startsWith('超期升级')); }")
    shown = int(re.search(r"\d+", page.inner_text("#cases-count")).group(0))
    assert shown == escalated
    row = page.locator(f".ag-center-cols-container .ag-row[row-id='{code}']")  # the code itself is pinned left
    label = row.locator(".ag-cell[col-id=light_label]").inner_text()
    assert re.fullmatch(r"超期升级 · 已超期 1 天 \d+ 小时", label.strip()), label

    row.locator(".ag-cell[col-id=description]").click()
    page.wait_for_selector(".detail-title .pill.light-escalated")
    assert page.locator(".detail-title .pill.light-green").count() == 1
    facts = page.locator(".cases-detail .facts").inner_text()
    assert re.search(r"超期\s+已超期 1 天 \d+ 小时", facts), facts
