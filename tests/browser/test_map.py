"""The staff map in real Chromium: drill street → community → compound → building, breadcrumb, URL state."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from db import models as m
from sqlalchemy import select
import settings

pytestmark = pytest.mark.shares_server  # reads only

STREET = "330381001"

# Finds a pixel inside the drill feature with `code` that is not covered by a marker, in page coordinates.
# Circle markers (cases, posts) are drawn on the same canvas: a click near one opens its popup instead.
PIXEL_OF = """
(code) => {
  const map = window.jinlinMap;
  let target = null;
  const circles = [];
  map.eachLayer(l => {
    if (l.feature && l.feature.properties.code === code && l.getLatLngs) target = l;
    if (l instanceof L.CircleMarker) circles.push([map.latLngToContainerPoint(l.getLatLng()), l.getRadius() + 8]);
  });
  if (!target) return null;
  const rect = map.getContainer().getBoundingClientRect();
  const b = target.getBounds();
  const steps = 9;
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) {
      const lat = b.getSouth() + (b.getNorth() - b.getSouth()) * i / steps;
      const lng = b.getWest() + (b.getEast() - b.getWest()) * j / steps;
      const ll = L.latLng(lat, lng);
      if (!target._containsPoint(map.latLngToLayerPoint(ll))) continue;
      const p = map.latLngToContainerPoint(ll);
      if (circles.some(([c, r]) => Math.hypot(p.x - c.x, p.y - c.y) < r)) continue;
      const x = rect.left + p.x, y = rect.top + p.y;
      if (x < rect.left + 60 || y < rect.top + 10 || x > rect.right - 200 || y > rect.bottom - 10) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.tagName === 'CANVAS') return [x, y];
    }
  }
  return null;
}
"""

DRILL_CODES = "() => { const c = []; window.jinlinMap.eachLayer(l => { if (l.feature && l.getLatLngs && l.options.interactive !== false && l.feature.properties.level) c.push(l.feature.properties.code + '|' + l.feature.properties.level); }); return c; }"


def _wait_level(page, level: str):
    page.wait_for_function(
        "(lv) => { let n = 0; window.jinlinMap && window.jinlinMap.eachLayer(l => { if (l.feature && l.feature.properties.level === lv) n++; }); return n > 0; }",
        arg=level)


def _wait_area(page, code: str):
    # dcc.Location changes the URL with pushState: no load event to wait for.
    page.wait_for_function("(c) => new URLSearchParams(location.search).get('area') === c", arg=code)


def settled_pixel(page, code: str) -> list[float]:
    """A free pixel inside the feature `code` once the view has settled: the same pixel on checks 150 ms apart, so
    no fitBounds (applied after the layers draw) or late layer is still moving it."""
    page.wait_for_function(f"""(c) => {{ const xy = ({PIXEL_OF})(c); const key = JSON.stringify(xy);
        const now = performance.now(); const w = window.__settle || (window.__settle = {{}});
        if (!xy || w[c] === undefined || w[c].key !== key) {{ w[c] = {{key: key, at: now}}; return false; }}
        return now - w[c].at > 150; }}""", arg=code)
    xy = page.evaluate(PIXEL_OF, code)
    assert xy, f"no clickable pixel for {code}"
    return xy


def _click_feature(page, code: str):
    page.mouse.click(*settled_pixel(page, code))


def _title(page) -> str:
    return page.locator(".panel-title").inner_text()


def _names(session, codes):
    return dict(session.execute(select(m.Area.code, m.Area.name).where(m.Area.code.in_(codes))).all())


def test_drill_from_street_to_building_and_back(staff, live_server, session):
    page = staff
    page.goto(live_server + "/")
    page.wait_for_selector(".panel-title:has-text('安阳街道')")
    _wait_level(page, "community")
    assert page.locator(".kpi-label", has_text="户数").count() == 1

    community = "330381001003"
    community_name = session.get(m.Area, community).name
    _click_feature(page, community)
    _wait_area(page, community)
    page.wait_for_selector(f".panel-title:has-text('{community_name}')")
    _wait_level(page, "compound")
    page.wait_for_selector(f".breadcrumb .crumb.current:has-text('{community_name}')")  # comes with the map layers
    assert page.locator(".breadcrumb").inner_text().replace("\n", "").startswith("安阳街道")

    compound = session.execute(select(m.Area).where(m.Area.level == "compound", m.Area.code.like(community + "X%"))
                               .order_by(m.Area.code)).scalars().first()
    _click_feature(page, compound.code)
    _wait_area(page, compound.code)
    page.wait_for_selector(f".panel-title:has-text('{compound.name}')")
    _wait_level(page, "building")

    building = session.execute(select(m.Building).where(m.Building.compound_code == compound.code)
                               .order_by(m.Building.code)).scalars().first()
    _click_feature(page, building.code)
    _wait_area(page, building.code)
    page.wait_for_selector(f".panel-title:has-text('{building.name}')")
    page.wait_for_selector("text=最近的服务阵地")
    facts = page.locator("table.facts").inner_text()
    assert str(building.households) in facts and str(building.floors) in facts
    crumbs = page.locator(".breadcrumb").inner_text()
    for name in ("安阳街道", community_name, compound.name, building.name):
        assert name in crumbs

    # breadcrumb back to the community
    page.locator(".breadcrumb a", has_text=community_name).click()
    _wait_area(page, community)
    page.wait_for_selector(f".panel-title:has-text('{community_name}')")
    _wait_level(page, "compound")

    # browser back returns to the building, forward to the community again
    page.go_back()
    _wait_area(page, building.code)
    page.wait_for_selector(f".panel-title:has-text('{building.name}')")
    page.go_forward()
    page.wait_for_selector(f".panel-title:has-text('{community_name}')")


def test_reload_keeps_the_view(staff, live_server, session):
    page = staff
    compound = session.execute(select(m.Area).where(m.Area.level == "compound").order_by(m.Area.code)).scalars().first()
    page.goto(f"{live_server}/?area={compound.code}")
    page.wait_for_selector(f".panel-title:has-text('{compound.name}')")
    _wait_level(page, "building")
    zoom_before = page.evaluate("() => window.jinlinMap.getZoom()")
    page.reload()
    page.wait_for_selector(f".panel-title:has-text('{compound.name}')")
    _wait_level(page, "building")
    assert page.evaluate("() => window.jinlinMap.getZoom()") == zoom_before
    # the map is zoomed to the compound: its buildings fill a real share of the screen
    assert zoom_before >= 17


def test_unknown_area_shows_clear_state(staff, live_server):
    page = staff
    page.goto(f"{live_server}/?area=bogus<b>x</b>")
    page.wait_for_selector("text=区域不存在")
    assert "bogus<b>x</b>" in page.locator(".not-found").inner_text()  # shown as text, not markup
    page.locator(".not-found a", has_text="返回首页").click()
    page.wait_for_selector(".panel-title:has-text('安阳街道')")
    # the panel and the map are separate callbacks: the notice goes when the map's answer lands, maybe later
    expect(page.locator("text=区域不存在")).to_have_count(0)


def test_well_formed_but_missing_code_shows_clear_state(staff, live_server):
    page = staff
    page.goto(f"{live_server}/?area=330381001009")
    page.wait_for_selector("text=区域不存在")


def test_empty_compound_renders(staff, live_server, session):
    page = staff
    # a compound with no open case still shows its panel with zero counts
    open_compounds = set(session.execute(select(m.Case.compound_code).where(
        m.Case.status.in_(["待受理", "已受理", "已派单", "处置中"]))).scalars())
    quiet = session.execute(select(m.Area).where(m.Area.level == "compound", m.Area.code.not_in(open_compounds))
                            .limit(1)).scalars().first()
    assert quiet is not None
    page.goto(f"{live_server}/?area={quiet.code}")
    page.wait_for_selector(f".panel-title:has-text('{quiet.name}')")
    assert page.locator(".open-count").inner_text().startswith("0")


def test_overlays_have_popups_and_legend(staff, live_server):
    page = staff
    page.goto(f"{live_server}/?area=330381001001")
    page.wait_for_selector(".svc-icon")
    labels = {t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()}
    assert labels == {"网格", "志愿岗位", "覆盖缺口", "服务阵地", "在办诉求", "微心愿"}
    # click an icon that no neighbour covers, as a user would
    xy = page.evaluate("""() => { for (const el of document.querySelectorAll('.svc-icon')) {
        const r = el.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (document.elementFromPoint(x, y) === el && y > 150) return [x, y]; } return null; }""")
    page.mouse.click(*xy)
    page.wait_for_selector(".leaflet-popup-content .popup-title")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "开放时间" in popup and "类型" in popup
    assert page.locator(".legend", has_text="诉求时限").count() == 1
    clusters_or_cases = page.locator(".case-cluster").count()
    assert clusters_or_cases > 0


def test_gap_overlay_loads_only_when_switched_on(staff, live_server):
    page = staff
    page.goto(f"{live_server}/?area=330381001001")
    page.wait_for_selector(".panel-title")
    _wait_level(page, "compound")
    count_gaps = "() => { let n = 0; window.jinlinMap.eachLayer(l => { if (l.feature && l.feature.properties.radius) n++; }); return n; }"
    assert page.evaluate(count_gaps) == 0
    page.locator(".leaflet-control-layers-overlays label", has_text="覆盖缺口").click()
    page.wait_for_function(count_gaps.replace("return n;", "return n > 0;"))
    page.locator(".gap-type label", has_text="爱心食堂").click()
    page.wait_for_function(
        "() => { let r = null; window.jinlinMap.eachLayer(l => { if (l.feature && l.feature.properties.radius) r = l.feature.properties.distance; }); return r === null || r > 300; }")
    page.locator(".leaflet-control-layers-overlays label", has_text="覆盖缺口").click()  # off again: cleared
    page.wait_for_function(count_gaps.replace("return n;", "return n === 0;"))


def test_a_drill_asks_the_server_for_the_map_and_the_panel_only(staff, live_server):
    """The clicks, the forgotten spot, the gap overlay (off) and the period switch are settled in the browser;
    the panel's details come once the map has its layers."""
    page = staff
    page.goto(f"{live_server}/?area=330381001")
    page.wait_for_selector(".panel-title:has-text('安阳街道')")
    page.wait_for_selector("text=网格三率排名")
    page.wait_for_load_state("networkidle")
    asked = []
    page.on("request", lambda r: "_dash-update-component" in r.url
            and asked.append(json.loads(r.post_data)["output"]))
    xy = page.evaluate(PIXEL_OF, "330381001001")
    page.mouse.click(*xy)
    page.wait_for_selector(".panel-title:has-text('昌亭社区')")
    page.wait_for_selector("text=网格三率排名")
    page.wait_for_load_state("networkidle")
    assert len(asked) == 3, asked
    assert any(o.startswith("..map-drill.data") for o in asked)  # render_map
    assert any("area-panel.children" in o for o in asked) and "area-panel-details.children" in asked


def test_rates_period_switch_recomputes_the_three_rates(staff, live_server, session):
    from db import areas, dashboard

    page = staff
    community = "330381001001"
    page.goto(f"{live_server}/?area={community}")
    page.wait_for_selector("text=三率（近30天）")
    page.get_by_label("近7天").check()
    page.wait_for_selector("text=三率（近7天）")
    page.wait_for_selector("text=网格三率排名（近7天）")
    stats = dashboard.screen_stats(session, areas.get_area(session, community), settings.now(), days=7)
    expected = "—" if stats["response_rate"] is None else f"{stats['response_rate'] * 100:.0f}%"
    assert page.locator(".chip", has_text="响应率").first.inner_text() == f"响应率 {expected}"
    # the chosen period stays while drilling on
    page.locator(".child-link").first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('area').length > 12")
    page.wait_for_selector("text=三率（近7天）")


# every tooltip and popup the map's JS functions built, as text (Leaflet keeps them on the layers)
MAP_WORDS = """() => {
  const out = {tips: [], popups: [], titles: []};
  const asText = (c) => typeof c === 'string' ? c : (c && c.textContent) || '';
  window.jinlinMap.eachLayer(l => {
    if (l.getTooltip && l.getTooltip()) out.tips.push(asText(l.getTooltip().getContent()));
    if (l.getPopup && l.getPopup()) out.popups.push(asText(l.getPopup().getContent()));
  });
  document.querySelectorAll('.leaflet-marker-icon[title]').forEach(e => out.titles.push(e.getAttribute('title')));
  out.wishGlyphs = [...document.querySelectorAll('.wish-icon')].map(e => e.textContent);
  return out;
}"""


def test_map_tooltips_and_popups_speak_the_layouts_words(staff, live_server):
    """The words come from layouts/text.py through the hideout: jinlin.js keeps none of its own."""
    page = staff
    page.goto(f"{live_server}/?area=330381001001")
    _wait_level(page, "compound")
    for overlay in ("志愿岗位", "微心愿", "覆盖缺口"):
        page.locator(".leaflet-control-layers-overlays label", has_text=overlay).click()
    page.wait_for_selector(".wish-icon")
    page.wait_for_function("() => { let n = 0; window.jinlinMap.eachLayer(l => { if (l.feature && l.feature.properties.radius) n++; }); return n > 0; }")
    words = page.evaluate(MAP_WORDS)
    assert any(re.fullmatch(r"小区 · .+（\d+ 户）", t) for t in words["tips"]), words["tips"][:5]
    assert any(" · 网格长 " in t for t in words["tips"]), words["tips"][:5]
    popups = words["popups"]
    assert any(p.startswith("微心愿 · ") and "心愿" in p and "编号" in p for p in popups)
    assert any("在岗" in p and re.search(r"\d+ / \d+ 人", p) and ("满员" in p or "缺员" in p) for p in popups)
    assert any(re.search(r"（(覆盖缺口|已覆盖)）", p) and "步行距离" in p and re.search(r"\d+ 米 ≈ [\d.]+ 分钟", p)
               for p in popups)
    assert any("开放时间" in p and "类型" in p for p in popups)
    clusters = [t for t in words["titles"] if t.startswith("诉求 ")]
    assert clusters and all(re.fullmatch(r"诉求 \d+ 件（超期 \d+，超期升级 \d+）", t) for t in clusters), clusters[:3]
    assert set(words["wishGlyphs"]) == {"愿"}
