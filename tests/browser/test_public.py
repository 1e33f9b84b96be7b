"""The residents' page on a phone in real Chromium: list, search, type chips, tap-to-locate, share links, page weight."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from db import models as m

pytestmark = pytest.mark.shares_server  # reads only
PHONE = pytest.mark.parametrize("page", [(390, 844)], indirect=True)
ITEMS = "#public-list > li.pub-item"
WALK_METRES = re.compile(r"约 (\d+) 米")
# A pixel of bare map: inside the map, not on a marker, a control or the attribution.
EMPTY_MAP_PIXEL = """
() => {
  const box = document.getElementById('public-map').getBoundingClientRect();
  for (let i = 3; i < 10; i++) {
    for (let j = 2; j < 9; j++) {
      const x = box.left + box.width * j / 10, y = box.top + box.height * i / 12;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('#public-map') && !hit.closest('.leaflet-marker-icon, .leaflet-control, .leaflet-popup'))
        return [x, y];
    }
  }
  return null;
}
"""


@pytest.fixture()
def public_points(session) -> list[m.ServicePoint]:
    return session.execute(select(m.ServicePoint).where(m.ServicePoint.is_public)
                           .order_by(m.ServicePoint.code)).scalars().all()


class Requests:
    """Every request the page makes, and the bytes that came over the wire (CDP encodedDataLength)."""

    def __init__(self, page):
        self.paths: list[str] = []
        self.bytes = 0
        self.responses = 0
        page.on("request", lambda r: self.paths.append(urlparse(r.url).path))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit: nothing cached
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event):
        self.bytes += event["encodedDataLength"]
        self.responses += 1

    def outside_public(self) -> list[str]:
        return [p for p in self.paths if not p.startswith(("/public/", "/api/public/"))]


def _count_text(page) -> str:
    return page.locator("#public-count").inner_text().strip()


def _wait_count(page, n: int):
    page.wait_for_function("(t) => { const el = document.getElementById('public-count'); return !!el && el.innerText.trim() === t; }",
                           arg=f"共 {n} 处")


def _wait_markers(page, n: int):
    page.wait_for_function("(n) => document.querySelectorAll('.pub-marker').length === n", arg=n)


def _search(page, query: str):
    # the box is debounced: Enter (the phone keyboard's 搜索 key) sends it
    page.fill("#public-search", query)
    page.press("#public-search", "Enter")


def _matches(point: m.ServicePoint, query: str) -> bool:
    return query in point.name or query in (point.address or "") or query in point.service_type


@PHONE
def test_public_list_search_chips_and_nearby(page, live_server, public_points):
    requests = Requests(page)
    page.goto(live_server + "/public/")
    total = len(public_points)
    _wait_count(page, total)
    _wait_markers(page, total)
    page.wait_for_load_state("networkidle")
    print(f"\n/public/ cold load: {requests.bytes / 1024:.0f} KiB over the wire in {requests.responses} responses")
    assert requests.bytes < 1_000_000
    assert page.locator(ITEMS).count() == min(total, 60)

    # search narrows the list and the map alike
    query = "食堂"
    found = [p for p in public_points if _matches(p, query)]
    assert 0 < len(found) < total
    _search(page, query)
    _wait_count(page, len(found))
    _wait_markers(page, len(found))
    assert sorted(page.locator(f"{ITEMS} .pub-item-head b").all_inner_texts()) == sorted(p.name for p in found)

    # a type chip keeps that type only
    _search(page, "")
    _wait_count(page, total)
    chosen = "日间照料中心"
    of_type = [p for p in public_points if p.service_type == chosen]
    assert of_type
    page.locator("#public-types label", has_text=chosen).click()
    _wait_count(page, len(of_type))
    _wait_markers(page, len(of_type))
    assert set(page.locator(f"{ITEMS} .pub-item-head .muted").all_inner_texts()) == {chosen}
    page.locator("#public-types label", has_text=chosen).click()
    _wait_count(page, total)

    # a tap on the map puts the nearest first, with walking times
    xy = page.evaluate(EMPTY_MAP_PIXEL)
    assert xy, "no bare map pixel to tap"
    page.mouse.click(*xy)
    page.wait_for_function("(n) => document.querySelectorAll('#public-list .pub-walk').length === n",
                           arg=min(total, 60))
    walks = page.locator(f"{ITEMS} .pub-walk").all_inner_texts()
    assert all(w.startswith("步行约 ") and "分钟" in w for w in walks)
    metres = [int(WALK_METRES.search(w).group(1)) for w in walks]
    assert metres == sorted(metres) and metres[0] < metres[-1]
    assert _count_text(page) == f"共 {total} 处"

    assert requests.outside_public() == [], "the residents' page called staff endpoints"


class Held:
    """Requests to `path` wait until release(): makes the order in which answers arrive deterministic."""

    def __init__(self, page, path: str):
        self.page, self.path, self.routes = page, path, []
        page.route(self._matches, self._hold)

    def _matches(self, url: str) -> bool:
        return urlparse(url).path == self.path

    def _hold(self, route):
        self.routes.append(route)

    def release(self):
        assert self.routes, f"no request to {self.path} was made"
        for route in self.routes:
            route.continue_()
        self.page.unroute(self._matches)


# On a phone either answer may land first: the list (the Dash callback) or the map's points (the GeoJSON).
@PHONE
@pytest.mark.parametrize("arrives_last", ["list", "points"])
def test_public_share_link_opens_that_point_first(page, live_server, public_points, arrives_last):
    requests = Requests(page)
    shared = public_points[-1]  # the last in the default order: the link has to move it up
    if arrives_last == "list":
        held = Held(page, "/public/_dash-update-component")
        page.goto(f"{live_server}/public/?point={shared.code}")
        _wait_markers(page, len(public_points))
    else:
        held = Held(page, "/api/public/service-points.geojson")
        page.goto(f"{live_server}/public/?point={shared.code}")
        page.wait_for_selector(f"{ITEMS}.selected")
    held.release()

    page.wait_for_selector(f"{ITEMS}.selected")
    first = page.locator(ITEMS).first
    assert first.locator(".pub-item-head b").inner_text() == shared.name
    assert "selected" in first.get_attribute("class")
    assert page.locator(f"{ITEMS}.selected").count() == 1
    assert first.locator("a.pub-share").get_attribute("href") == f"/public/?point={shared.code}"
    # on the map its marker stands out and opens its popup by itself
    _wait_markers(page, len(public_points))
    page.wait_for_selector(".pub-marker.selected")
    assert page.locator(".pub-marker.selected").count() == 1
    page.wait_for_selector(".leaflet-popup .pub-popup")
    assert page.locator(".leaflet-popup .pub-popup b").inner_text() == shared.name
    assert f"开放时间：{shared.hours or '—'}" in page.locator(".leaflet-popup .pub-popup").inner_text()
    assert requests.outside_public() == [], "the residents' page called staff endpoints"


@PHONE
@pytest.mark.parametrize("allowed", [True, False])
def test_locate_me_sorts_by_distance_or_says_why_not(page, live_server, public_points, allowed):
    if allowed:
        page.context.grant_permissions(["geolocation"], origin=live_server)
        page.context.set_geolocation({"latitude": public_points[0].lat, "longitude": public_points[0].lon})
    page.goto(f"{live_server}/public/")
    page.wait_for_selector(ITEMS)
    page.get_by_role("button", name="定位我的位置").click()
    expected = "已按离你的距离排序" if allowed else "无法获取位置（可能未授权）。请在地图上点一下你所在的位置。"
    page.wait_for_selector(f"#public-locate-status:text-is('{expected}')")
    if allowed:  # the point the phone stands on comes first
        page.wait_for_function("(name) => { const b = document.querySelector('#public-list > li.pub-item b');"
                               " return b !== null && b.innerText === name; }",
                               arg=public_points[0].name)


# The person's dot and the named markers inside the map, once the map has stopped moving (a flight zooms out on
# its way: a frame in mid-flight may show everything): the same rectangles at two polls in a row.
IN_MAP = """(names) => {
  const box = document.getElementById('public-map').getBoundingClientRect();
  const inside = (r) => r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
  const me = document.querySelector('#public-map path.leaflet-interactive');
  const marks = names.map(n => document.querySelector(`.pub-marker[title="${n}"]`));
  if (me === null || marks.some(m => m === null)) return false;
  const rects = [me, ...marks].map(e => e.getBoundingClientRect());
  const now = JSON.stringify(rects.map(r => [Math.round(r.left), Math.round(r.top)]));
  const still = window.__lastRects === now;
  window.__lastRects = now;
  return still && rects.every(inside);
}"""


@PHONE
def test_a_resident_finds_by_everyday_words_sees_the_nearest_and_can_share_or_navigate(page, live_server,
                                                                                      public_points):
    from geodata import crs

    canteens = [p for p in public_points if p.service_type == "爱心食堂"]
    assert len(canteens) > 3
    page.goto(live_server + "/public/")
    _wait_count(page, len(public_points))
    # what people type: an everyday word, pinyin without a Chinese keyboard; each finds the canteens, only those
    for query in ("吃饭", "shitang", "shi tang"):
        _search(page, query)
        _wait_count(page, len(canteens))
        _wait_markers(page, len(canteens))
        assert set(page.locator(f"{ITEMS} .pub-item-head .muted").all_inner_texts()) == {"爱心食堂"}, query

    # 定位我的位置 far from most of them: the map shows the person and the nearest ones together
    far = max(canteens, key=lambda p: p.lat)
    here = {"latitude": min(p.lat for p in public_points) - 0.012, "longitude": far.lon}  # ~1.3 km south of all
    page.context.grant_permissions(["geolocation", "clipboard-read", "clipboard-write"], origin=live_server)
    page.context.set_geolocation(here)
    page.get_by_role("button", name="定位我的位置").click()
    page.wait_for_selector("#public-locate-status:text-is('已按离你的距离排序')")
    nearest = sorted(canteens, key=lambda p: float(crs.distance_m(here["longitude"], here["latitude"],
                                                                   [p.lon], [p.lat])[0]))[:3]
    page.wait_for_function("(n) => document.querySelector('#public-list > li.pub-item b').innerText === n",
                           arg=nearest[0].name)
    page.wait_for_function(IN_MAP, arg=[p.name for p in nearest], polling=400)

    # 导航 hands the point to the phone's map apps, each in its own coordinates
    first = page.locator(ITEMS).first
    links = {a.inner_text(): a.get_attribute("href") for a in first.locator("a.pub-nav").all()}
    point = nearest[0]
    g_lon, g_lat = crs.shifted(point.lon, point.lat, "gcj02")
    b_lon, b_lat = crs.shifted(point.lon, point.lat, "bd09")
    assert abs(g_lon - point.lon) > 0.001 and abs(b_lat - point.lat) > 0.001  # the shifts are real, not a copy
    assert f"position={g_lon:.6f},{g_lat:.6f}" in links["高德"] and "coordinate=gaode" in links["高德"]
    assert f"location={b_lat:.6f},{b_lon:.6f}" in links["百度"] and "coord_type=bd09ll" in links["百度"]
    assert links["其他地图"].startswith(f"geo:{point.lat:.6f},{point.lon:.6f}?q=")

    # 分享此处 copies the whole link and says so, and the address is the point's
    first.locator("a.pub-share").click()
    page.wait_for_selector("#public-share-status:text-is('链接已复制，可以粘贴发给家人邻居。')")
    assert page.evaluate("() => navigator.clipboard.readText()") == f"{live_server}/public/?point={point.code}"
    page.wait_for_url(f"{live_server}/public/?point={point.code}")
    toast = page.locator("#public-share-status").bounding_box()
    assert toast["x"] >= 0 and toast["x"] + toast["width"] <= 390 and toast["height"] < 60, toast  # one line, inside
