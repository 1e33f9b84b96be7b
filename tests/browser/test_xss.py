"""Whatever someone typed is shown as text (DESIGN §7): hostile markup in a case and a service point, in real Chromium."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from db import cache, models as m
from db.engine import session_scope
from workflow.vocab import OPEN_STATUSES
import settings

PAYLOAD = "<img src=x onerror=alert(1)>"
SHORT_PAYLOAD = "<svg/onload=alert()>"  # fits the 20 characters of a case category
CASE_CODE = "AJ9999901"
TOKEN = "demo-screen-token-2026"

# Page coordinates of the case marker with `code` on the staff map (markers are drawn on the canvas).
CASE_PIXEL = """
(code) => {
  let target = null;
  window.jinlinMap.eachLayer(l => { if (l.feature && l.feature.properties.code === code && l.getLatLng) target = l; });
  if (!target) return null;
  const p = window.jinlinMap.latLngToContainerPoint(target.getLatLng());
  const box = window.jinlinMap.getContainer().getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
}
"""


@pytest.fixture(scope="module")
def hostile(live_server):
    """A case and a public service point carrying markup, in a building without other open cases; removed afterwards."""
    now = settings.now()
    with session_scope() as s:
        busy = select(m.Case.building_code).where(m.Case.status.in_(OPEN_STATUSES), m.Case.building_code.is_not(None))
        building = s.execute(select(m.Building).where(m.Building.code.not_in(busy)).order_by(m.Building.code)
                             .limit(1)).scalars().one()
        where = {"compound_code": building.compound_code, "grid_code": building.grid_code,
                 "community_code": building.community_code, "street_code": building.street_code}
        s.add(m.Case(code=CASE_CODE, category=SHORT_PAYLOAD, source="居民上报", description=PAYLOAD,
                     reporter_name=PAYLOAD, reporter_phone=None, building_code=building.code, level="小区",
                     status="处置中", assignee=PAYLOAD, created_at=now - dt.timedelta(minutes=1), accepted_at=now,
                     deadline=now + dt.timedelta(days=3), lon=building.lon, lat=building.lat, **where))
        point_code = f"{building.community_code}S9901"
        s.add(m.ServicePoint(code=point_code, service_type="爱心食堂", name=PAYLOAD, address=PAYLOAD, hours="全天",
                             phone=None, capacity=None, is_public=True, lon=building.lon + 0.0004,
                             lat=building.lat + 0.0004, **where))
        cache.mark_changed(s)
        info = {"building": building.code, "building_name": building.name, "point": point_code}
    try:
        yield info
    finally:
        with session_scope() as s:
            case_id = s.execute(select(m.Case.id).where(m.Case.code == CASE_CODE)).scalar()
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))  # if a page logged any
            s.execute(delete(m.Case).where(m.Case.code == CASE_CODE))
            s.execute(delete(m.ServicePoint).where(m.ServicePoint.code == point_code))
            cache.mark_changed(s)


@pytest.fixture()
def dialogs(page):
    """Every alert/confirm/prompt the page opens (an XSS would open one)."""
    opened: list[str] = []

    def record(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def test_staff_map_shows_hostile_case_as_text(staff, live_server, hostile, dialogs):
    page = staff
    page.goto(f"{live_server}/?area={hostile['building']}")
    page.wait_for_selector(f".panel-title:has-text('{hostile['building_name']}')")
    # the building panel lists the case with its description as text
    page.wait_for_selector(".case-item .case-desc")
    assert page.locator(".case-item .case-desc").all_inner_texts() == [PAYLOAD]
    assert SHORT_PAYLOAD in page.locator(".case-item").inner_text()
    assert page.locator(".panel img, .panel svg[onload]").count() == 0

    # the case marker's popup
    page.wait_for_function(f"() => !!({CASE_PIXEL})('{CASE_CODE}')")
    page.mouse.click(*page.evaluate(CASE_PIXEL, CASE_CODE))
    page.wait_for_selector(".leaflet-popup-content .popup-title")
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator(".popup-title").inner_text().startswith(SHORT_PAYLOAD)
    values = popup.locator(".popup-val").all_inner_texts()
    assert PAYLOAD in values  # description and 承办 (assignee)
    assert popup.locator("img, svg").count() == 0
    assert dialogs == []


def test_case_list_shows_hostile_case_as_text(staff, live_server, hostile, dialogs):
    page = staff
    page.goto(f"{live_server}/cases/?area={hostile['building']}")
    cell = page.locator(f".ag-row[row-id='{CASE_CODE}'] .ag-cell[col-id='description']")
    cell.wait_for()
    assert cell.inner_text() == PAYLOAD
    assert page.locator(f".ag-row[row-id='{CASE_CODE}'] .ag-cell[col-id='category']").inner_text() == SHORT_PAYLOAD
    cell.click()
    page.wait_for_selector(".cases-detail .detail-desc")
    assert page.locator(".cases-detail .detail-desc").inner_text() == PAYLOAD
    assert SHORT_PAYLOAD in page.locator(".cases-detail .detail-title").inner_text()
    assert page.locator(".cases-grid img, .cases-detail img, .cases-grid svg[onload], .cases-detail svg[onload]").count() == 0
    assert dialogs == []


def test_screen_shows_hostile_case_as_text(page, live_server, hostile, dialogs):
    page.goto(f"{live_server}/screen/?token={TOKEN}")
    page.wait_for_selector(".screen-board-row")
    first = page.locator(".screen-board-row .cat").first
    assert first.inner_text() == SHORT_PAYLOAD
    assert page.locator(".screen-board img, .screen-board svg").count() == 0
    # the category chart lists it too; a chart's SVG text must not become markup
    page.wait_for_selector(".screen-chart .main-svg")
    assert page.locator(".screen-chart svg[onload]").count() == 0
    assert dialogs == []


def test_public_shows_hostile_point_as_text(page, live_server, hostile, dialogs):
    page.goto(f"{live_server}/public/")
    page.wait_for_selector("#public-list > li.pub-item")
    page.fill("#public-search", "onerror")
    page.press("#public-search", "Enter")
    page.wait_for_function("() => document.querySelectorAll('#public-list > li.pub-item').length === 1")
    item = page.locator("#public-list > li.pub-item")
    assert item.locator(".pub-item-head b").inner_text() == PAYLOAD
    assert PAYLOAD in item.locator(".pub-row").all_inner_texts()[1]  # 地址
    assert item.locator("img").count() == 0

    # its marker (the only one left) opens a popup with the name as text
    page.wait_for_function("() => document.querySelectorAll('.pub-marker').length === 1")
    page.locator(".pub-marker").click()
    page.wait_for_selector(".leaflet-popup .pub-popup")
    assert page.locator(".leaflet-popup .pub-popup b").inner_text() == PAYLOAD
    assert page.locator(".leaflet-popup img").count() == 0
    assert dialogs == []


def test_wishes_show_hostile_wish_as_text(staff, live_server, hostile, dialogs):
    from db import wishes
    from db.access import SYSTEM

    with session_scope() as s:
        code = wishes.publish_wish(s, wishes.NewWish(title=PAYLOAD, building_code=hostile["building"],
                                                     description=PAYLOAD, wisher_name=SHORT_PAYLOAD),
                                   SYSTEM, settings.now())
    page = staff
    try:
        page.goto(f"{live_server}/wishes/?area={hostile['building']}")
        cell = page.locator(f".ag-row[row-id='{code}'] .ag-cell[col-id='title']")
        cell.wait_for()
        assert cell.inner_text() == PAYLOAD
        cell.click()
        page.wait_for_selector(".cases-detail .detail-desc")
        assert page.locator(".cases-detail .detail-desc").inner_text() == PAYLOAD
        assert SHORT_PAYLOAD in page.locator(".cases-detail .facts").inner_text()
        assert page.locator(".cases-grid img, .cases-detail img, .cases-detail svg[onload]").count() == 0
        assert dialogs == []
    finally:
        with session_scope() as s:
            s.execute(delete(m.Wish).where(m.Wish.code == code))
            cache.mark_changed(s)
