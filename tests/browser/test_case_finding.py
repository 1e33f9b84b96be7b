"""Finding cases: the map's counts open the list on those cases, the list finds by words and by an area picked by
name, and a case leads back to where it is on the map."""
from __future__ import annotations

import re

from sqlalchemy import func, select

import settings
from db import models as m
from workflow.vocab import OPEN_STATUSES

COMMUNITY = "330381001001"  # 昌亭社区


def _count(page) -> int:
    return int(re.search(r"\d+", page.inner_text("#cases-count")).group(0))


def _rows_settled(page, test: str):
    """Wait until the grid shows rows and every place cell passes `test` (a JS expression of `t`, the cell's text)."""
    page.wait_for_function(f"""() => {{
        const cells = [...document.querySelectorAll('.ag-center-cols-container .ag-row .ag-cell[col-id=place]')];
        return cells.length > 0 && cells.every(c => {{ const t = c.innerText; return {test}; }}); }}""")


def test_the_maps_counts_open_the_list_on_those_cases_and_a_case_leads_back_to_the_map(staff, live_server, session):
    page = staff
    page.goto(f"{live_server}/?area={COMMUNITY}")
    red = page.locator(".case-lights a:has(.pill.light-red)")
    red.wait_for()
    on_panel = int(re.search(r"\d+", red.inner_text()).group(0))

    red.click()
    page.wait_for_url(re.compile(r"/cases/\?area=330381001001&light=red$"))
    page.wait_for_selector("#cases-count:has-text('共')")
    # the filters say what the list holds, by name
    page.wait_for_function("() => document.querySelector('#cases-area').innerText.includes('昌亭社区')")
    assert "超期" in page.inner_text("#cases-light")
    page.wait_for_function("(n) => document.querySelector('#cases-count').innerText === '共 ' + n + ' 件'",
                           arg=on_panel)
    overdue = session.execute(select(func.count()).where(
        m.Case.community_code == COMMUNITY, m.Case.status.in_(OPEN_STATUSES),
        m.Case.deadline < settings.now())).scalar()
    assert _count(page) == on_panel == overdue

    # every case's detail has a way back to the map, drilled to where it is: here its building
    case = session.execute(select(m.Case).where(
        m.Case.community_code == COMMUNITY, m.Case.status.in_(OPEN_STATUSES), m.Case.deadline < settings.now(),
        m.Case.building_code.is_not(None)).order_by(m.Case.code)).scalars().first()
    assert case is not None  # the demo has one: the rest of the walk needs it
    code = case.code
    page.locator(f".ag-center-cols-container .ag-row[row-id='{code}'] .ag-cell[col-id=description]").click()
    page.click(".cases-detail a.on-map")
    page.wait_for_url(f"{live_server}/?area={case.building_code}")
    building = session.get(m.Building, case.building_code)
    page.wait_for_selector(f".panel-title:text-is('{building.name}')")

    # and each of the building's open cases opens on the list, beside it
    page.click(f".case-item a.case-open[href*='case={code}']")
    page.wait_for_url(re.compile(rf"/cases/\?area={case.building_code}&case={code}$"))
    page.wait_for_selector(f".cases-detail .facts td:text-is('{code}')")
    page.wait_for_function("(n) => document.querySelector('#cases-area').innerText.includes(n)", arg=building.name)


def test_the_list_finds_cases_by_words_and_by_an_area_picked_by_name(staff, live_server, session):
    compound = session.execute(select(m.Area).where(m.Area.name == "锦阳御园")).scalar_one()
    building = session.execute(select(m.Building).where(m.Building.compound_code == compound.code,
                                                        m.Building.name == "3幢")).scalar_one()
    in_building = session.execute(select(func.count()).where(m.Case.building_code == building.code)).scalar()
    assert in_building > 0  # the demo has cases there: the search below must find them

    page = staff
    page.goto(f"{live_server}/cases/")
    page.wait_for_selector("#cases-count:has-text('共')")
    everything = _count(page)

    # a building as people write it, without a space
    page.fill("#cases-search", "锦阳御园3幢")
    _rows_settled(page, "t.includes('锦阳御园') && t.includes('3幢')")
    page.wait_for_function("(n) => document.querySelector('#cases-count').innerText === '共 ' + n + ' 件'",
                           arg=in_building)

    # two words narrow down: a place and a category
    category = session.execute(select(m.Case.category).where(m.Case.building_code == building.code)
                               .group_by(m.Case.category).order_by(func.count().desc())).scalars().first()
    both = session.execute(select(func.count()).where(m.Case.building_code == building.code,
                                                      m.Case.category == category)).scalar()
    page.fill("#cases-search", f"锦阳御园 3幢 {category}")
    page.wait_for_function("(n) => document.querySelector('#cases-count').innerText === '共 ' + n + ' 件'", arg=both)
    # the grid draws its rows a moment after the count: wait for them to be the category's only
    page.wait_for_function("""(c) => { const cells = [...document.querySelectorAll(
        '.ag-center-cols-container .ag-row .ag-cell[col-id=category]')];
        return cells.length > 0 && cells.every(e => e.innerText === c); }""", arg=category)

    # a % is a character, not a wildcard
    page.fill("#cases-search", "%")
    page.wait_for_function("() => document.querySelector('#cases-count').innerText === '共 0 件'")

    # the area by name: typing part of it finds it among the viewer's communities, grids and compounds
    page.fill("#cases-search", "")
    page.wait_for_function("(n) => document.querySelector('#cases-count').innerText === '共 ' + n + ' 件'",
                           arg=everything)
    spring = session.execute(select(m.Area).where(m.Area.name == "春林苑")).scalar_one()
    in_spring = session.execute(select(func.count()).where(m.Case.compound_code == spring.code)).scalar()
    page.click("#cases-area")
    page.get_by_placeholder("搜索").fill("春林")
    page.get_by_role("option", name=re.compile("春林苑$")).click()
    page.wait_for_function("(n) => document.querySelector('#cases-count').innerText === '共 ' + n + ' 件'",
                           arg=in_spring)
    _rows_settled(page, "t.includes('春林苑')")


def test_a_link_to_an_area_the_list_does_not_know_says_so(staff, live_server):
    page = staff
    page.goto(f"{live_server}/cases/?area=330381999")
    page.wait_for_selector("#cases-area-note:text-is('区域「330381999」不存在或不在您的范围内，已显示全部诉求。')")
    page.wait_for_selector(".ag-center-cols-container .ag-row")
