"""A street official plans 日间照料中心 sites on /planning: best 3 among candidates, a what-if click, two scenarios compared."""
from __future__ import annotations

import uuid

import psutil
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SERVERS
from tests.helpers import browser_login

pytestmark = pytest.mark.both_backends  # planning runs as a background job, with progress and cancel

ADDED = "document.querySelectorAll('.plan-pin.added').length"
# a point of the street's map that no marker covers, in page pixels
FREE_SPOT = """() => {
  const map = window.jinlinMap, b = map.getBounds(), box = map.getContainer().getBoundingClientRect();
  for (let fx = 0.30; fx < 0.75; fx += 0.05) {
    for (let fy = 0.35; fy < 0.70; fy += 0.05) {
      const p = map.latLngToContainerPoint([b.getSouth() + fy * (b.getNorth() - b.getSouth()),
                                            b.getWest() + fx * (b.getEast() - b.getWest())]);
      const x = box.left + p.x, y = box.top + p.y, hit = document.elementFromPoint(x, y);
      if (hit && !hit.closest('.leaflet-marker-icon') && !hit.closest('.plan-legend')) return [x, y];
    }
  }
  return null;
}"""


def _job_results() -> set[str]:
    """Keys of the finished optimisation results in the job cache of this module's server (its own database's)."""
    from callbacks.planning import background_manager

    cache = background_manager().handle
    return {key for key in cache.iterkeys() if '"token"' in str(cache.get(key))}


def _jobs(base: str) -> list[psutil.Process]:
    """The server's background jobs: each optimisation runs in a child process of the server."""
    return psutil.Process(SERVERS[base].pid).children(recursive=True)


@pytest.fixture()
def official(page, live_server):
    """A street official (街道干部) logged in through the form, on /planning reached from the map's top bar."""
    browser_login(page, live_server, "street")
    page.click("a.nav-link:has-text('资源下沉规划')")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    return page


def test_official_plans_day_care_sites_and_compares_scenarios(official):
    page = official
    page.click("#planning-type")
    page.get_by_role("option", name="日间照料中心").click()
    page.wait_for_selector("#planning-coverage:has-text('日间照料中心：步行 300 米')")
    # the elderly beyond a 5-minute walk: buildings in gap colours and the worst compounds listed
    page.wait_for_function("document.querySelectorAll('#planning-coverage tbody tr').length > 0")
    assert page.locator("#planning-coverage").inner_text().count("未覆盖老人") == 1

    page.fill("#planning-k", "3")
    page.click("#planning-run")
    page.wait_for_selector("#planning-new-line")
    assert page.locator(".plan-sites tbody tr").count() == 3
    page.wait_for_function(f"{ADDED} === 3")
    first = page.locator("#planning-result").inner_text()
    assert "现状" in first and "方案" in first and "新覆盖" in first
    new_line = page.locator("#planning-new-line").inner_text()
    assert new_line.startswith("新覆盖") and "户" in new_line and "老人" in new_line

    one, two = f"方案一-{uuid.uuid4().hex[:4]}", f"方案二-{uuid.uuid4().hex[:4]}"
    page.fill("#planning-scenario-name", one)
    page.click("#planning-save")
    page.wait_for_selector(f"#planning-save-message:has-text('{one}')")

    # what-if: click an empty spot of the map to try a fourth site there
    x, y = page.evaluate(FREE_SPOT)
    page.mouse.click(x, y)
    page.wait_for_function(f"{ADDED} === 4")
    page.wait_for_selector(".plan-sites tbody tr:nth-child(4)")
    assert "手动" in page.locator("#planning-result").inner_text()
    page.fill("#planning-scenario-name", two)
    page.click("#planning-save")
    page.wait_for_selector(f"#planning-save-message:has-text('{two}')")

    page.click("#planning-compare-a")
    page.get_by_role("option", name=one).click()
    page.click("#planning-compare-b")
    page.get_by_role("option", name=two).click()
    table = page.locator(".plan-compare")
    table.wait_for()
    text = table.inner_text()
    assert one in text and two in text and "新覆盖户数" in text
    row = page.locator(".plan-compare tr:has-text('新增点位') >> nth=0").inner_text()
    assert "3" in row and "4" in row

    # the printed page: the comparison and the plan, not the map or the controls
    assert page.locator("#planning-print-title").is_hidden()  # on screen the top bar says where we are
    page.emulate_media(media="print")
    assert table.is_visible() and page.locator(".plan-sites").is_visible()
    assert page.locator("#planning-map").is_hidden() and page.locator("#planning-run").is_hidden()
    assert "资源下沉规划方案" in page.locator("#planning-print-title").inner_text()
    page.emulate_media(media="screen")

    # the first scenario is no longer wanted: delete it (after the confirmation), the pickers forget it
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#planning-delete")
    page.wait_for_selector(f"#planning-delete-message:has-text('已删除方案“{one}”')")
    page.wait_for_selector("#planning-compare:has-text('选择两个已保存的方案进行比较')")
    page.click("#planning-compare-a")
    expect(page.get_by_role("option", name=two)).to_be_visible()
    expect(page.get_by_role("option", name=one)).to_have_count(0)  # the menu may take a moment to follow


def test_too_many_sites_asked_gets_a_clear_message(official):
    page = official
    page.fill("#planning-k", "999")
    page.click("#planning-run")
    page.wait_for_selector("#planning-message:has-text('新增点位数多于候选点数量')")


def test_only_admins_change_standards(official):
    page = official
    page.fill("#planning-std-radius", "400")
    page.click("#planning-std-save")
    page.wait_for_selector("#planning-std-message:has-text('仅管理员')")


def test_admin_changes_a_radius_and_coverage_follows(staff, live_server):
    page = staff
    page.goto(live_server + "/planning/")
    page.wait_for_selector("#planning-coverage:has-text('日间照料中心：步行 300 米')")
    shares = page.locator("#planning-coverage .plan-kpi b").first.inner_text()
    try:
        page.fill("#planning-std-radius", "600")
        page.click("#planning-std-save")
        page.wait_for_selector("#planning-std-message:has-text('标准已保存')")
        page.wait_for_selector("#planning-coverage:has-text('日间照料中心：步行 600 米')")
        assert page.locator("#planning-coverage .plan-kpi b").first.inner_text() != shares
        page.fill("#planning-std-speed", "0")
        page.click("#planning-std-save")
        page.wait_for_selector("#planning-std-message:has-text('标准数值不合理')")
    finally:
        # the module's later tests expect the default standard: put it back
        page.fill("#planning-std-speed", "72")
        page.fill("#planning-std-radius", "300")
        page.click("#planning-std-save")
        page.wait_for_selector("#planning-coverage:has-text('日间照料中心：步行 300 米')")


def test_official_matches_volunteers_to_short_posts(official):
    page = official
    page.fill("#planning-people-minutes", "10")
    page.click("#planning-people-run")
    page.wait_for_selector(".plan-matches tbody tr")
    summary = page.locator("#planning-people .plan-new").inner_text()
    assert "缺员岗位" in summary and "10 分钟" in summary
    assert page.locator(".plan-grids tbody tr").count() > 0
    assert "*" in page.locator(".plan-matches tbody tr >> nth=0 >> td >> nth=2").inner_text()  # names masked
    page.fill("#planning-people-minutes", "0")
    page.click("#planning-people-run")
    page.wait_for_selector("#planning-people:has-text('1–60')")


def test_long_run_shows_progress_and_can_be_cancelled(official, live_server):
    page = official
    results = _job_results()
    page.get_by_text("总步行距离最短").click()  # p-median over every building: seconds, not milliseconds
    page.fill("#planning-k", "5")
    page.click("#planning-run")
    page.wait_for_selector("#planning-progress:not([hidden])")
    assert page.locator("#planning-run").is_disabled()
    page.wait_for_selector("#planning-cancel:not([disabled])")
    # the button comes on in the browser at once, the job's id only with the server's first answer: a click before
    # it is a cancel of nothing (seen on a busy box). The first progress from the job means the id is known.
    page.wait_for_function("() => Number(document.querySelector('#planning-progress-text').value) > 0",
                           timeout=60_000)
    jobs = _jobs(live_server)
    assert len(jobs) == 1, jobs
    page.click("#planning-cancel")
    # the server kills the job's process (not only the page stops waiting), then the button comes back on
    gone, alive = psutil.wait_procs(jobs, timeout=60)
    assert alive == [], "the cancelled job is still running"
    page.wait_for_selector("#planning-run:not([disabled])", timeout=60_000)
    assert page.locator("#planning-progress").is_hidden()
    # killed before it finished: no result was stored, so none can ever reach the page
    assert _job_results() == results
    assert page.locator("#planning-new-line").count() == 0


def test_official_adds_and_removes_a_candidate_site(official):
    page = official
    before = page.evaluate("document.querySelectorAll('.plan-pin.candidate').length")
    page.get_by_text("编辑候选点").click()
    page.click("#planning-candidate-kind")
    page.get_by_role("option", name="架空层").click()
    x, y = page.evaluate(FREE_SPOT)
    page.mouse.click(x, y)
    page.wait_for_selector("#planning-message:has-text('已新增候选点')")
    page.wait_for_function(f"document.querySelectorAll('.plan-pin.candidate').length === {before + 1}")
    name = page.locator("#planning-message").inner_text().split("“")[1].rstrip("”")
    page.locator(f".plan-pin.candidate[title='{name}']").click()
    page.wait_for_selector(f"#planning-message:has-text('已删除候选点“{name}”')")
    page.wait_for_function(f"document.querySelectorAll('.plan-pin.candidate').length === {before}")


def test_grid_leader_cannot_edit_candidates(page, live_server):
    browser_login(page, live_server, "grid")
    page.goto(live_server + "/planning/")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    before = page.evaluate("document.querySelectorAll('.plan-pin.candidate').length")
    page.get_by_text("编辑候选点").click()
    x, y = page.evaluate(FREE_SPOT)
    page.mouse.click(x, y)
    page.wait_for_selector("#planning-message:has-text('只有本街道的街道干部和管理员')")
    assert page.evaluate("document.querySelectorAll('.plan-pin.candidate').length") == before
