"""Every page at the sizes it is used at, in real Chromium: screenshotted, and nothing cut off or overlapping.

For each page the rows and columns a person reads (the top bar, the filters, the map beside its panel …) are
measured: every piece of them inside the window, no two pieces on top of each other, and no sideways scroll of the
page itself. The PNGs are kept to look at (JINLIN_SHOTS, or the system's temp folder)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import login_form

pytestmark = pytest.mark.shares_server  # reads only
SHOTS = Path(os.environ.get("JINLIN_SHOTS") or tempfile.gettempdir()) / "jinlin-pages"
DESKTOP = ((1920, 1080), (1366, 768))
PHONE = (390, 844)
TOKEN = "demo-screen-token-2026"

# path: (what shows the page has drawn, containers whose children must sit side by side, pairs that must not touch)
PAGES = {
    "/": (".panel-title", ("header.topbar", "header.topbar .nav", ".main", ".breadcrumb"),
          ((".legend", ".leaflet-control-layers"), (".legend", ".leaflet-control-zoom"),
           (".pick-button", ".leaflet-control-zoom"), (".pick-button", ".leaflet-control-layers"))),
    "/cases/": (".ag-row", ("header.topbar", ".cases-filters", ".cases-tools", ".cases-main"), ()),
    "/wishes/": (".ag-header-cell", ("header.topbar", ".cases-filters", ".cases-main"), ()),
    "/planning/": (".plan-card", ("header.topbar", ".plan-main", ".plan-centre"), ()),
    "/admin/": (".admin-card", ("header.topbar", ".admin-main", ".admin-row"), ()),
    "/admin/import/": (".admin-card", ("header.topbar", ".import-main"), ()),
    f"/screen/?token={TOKEN}": (".screen-board-row", (".screen-head", ".screen-body", ".screen-kpis"),
                                ((".screen-legend", ".screen-tour-label"),)),
    "/public/": (".pub-item", (".pub-head", ".pub-controls", ".pub-locate-row", ".pub-list"), ()),
}
LAYOUT = """([containers, pairs]) => {
  const w = window.innerWidth, problems = [];
  const shown = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  if (document.documentElement.scrollWidth > w + 1) problems.push('the page scrolls sideways');
  for (const sel of containers) {
    const box = document.querySelector(sel);
    if (!box) { problems.push('missing ' + sel); continue; }
    const kids = [...box.children].filter(shown).filter(e => !['absolute', 'fixed'].includes(getComputedStyle(e).position));
    for (const k of kids) {
      const r = k.getBoundingClientRect();
      if (r.left < -0.5 || r.right > w + 0.5) problems.push(`${sel} > ${name(k)} outside the window`);
    }
    for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++)
      if (meet(kids[i].getBoundingClientRect(), kids[j].getBoundingClientRect()))
        problems.push(`${sel}: ${name(kids[i])} overlaps ${name(kids[j])}`);
  }
  for (const [a, b] of pairs) {
    const x = document.querySelector(a), y = document.querySelector(b);
    if (!x || !y) { problems.push('missing ' + (x ? b : a)); continue; }
    if (meet(x.getBoundingClientRect(), y.getBoundingClientRect())) problems.push(`${a} overlaps ${b}`);
  }
  return problems;
}"""
# the absolutely placed parts of the screen's head (the scope at the left, the clock at the right) and its title
SCREEN_HEAD = ((".screen-scope", ".screen-title"), (".screen-title", ".screen-clock"))


def _cases():
    for path in PAGES:
        sizes = (PHONE, *DESKTOP) if path == "/public/" else DESKTOP
        for size in sizes:
            yield pytest.param(path, size, id=f"{path.split('?')[0]}@{size[0]}x{size[1]}")


@pytest.mark.parametrize("path,size", list(_cases()))
def test_each_page_fits_its_window_with_nothing_cut_off_or_on_top_of_another(page, live_server, path, size):
    ready, containers, pairs = PAGES[path]
    if not path.startswith(("/public/", "/screen/")):
        login_form(page, live_server)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server + path)
    page.wait_for_selector(ready)
    if path.startswith("/screen/"):
        pairs = (*pairs, *SCREEN_HEAD)
        page.wait_for_function("() => document.querySelector('.screen-scope').innerText.length > 0")
    page.wait_for_timeout(600)  # late layout: fonts, the grid's column sizing, the map's fit
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path.split('?')[0].strip('/').replace('/', '-') or 'map'}-{size[0]}.png"))
    problems = page.evaluate(LAYOUT, [list(containers), [list(p) for p in pairs]])
    assert problems == [], problems
