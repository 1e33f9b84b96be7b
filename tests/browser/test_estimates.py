"""A street brought in from an OSM extract (footprints only) shows its estimated figures marked 估算; the demo none."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import serve
from tests.helpers import browser_login
from tests.test_estimates import DEMO, KOTKA, build_kotka_street, database_at

SIZES = pytest.mark.parametrize("page", [(1920, 1080), (1366, 768)], indirect=True)


@pytest.fixture(scope="module")
def kotka_server(tmp_path_factory, demo_data):
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("kotka-browser")
    url = new_database_url(folder, "kotka")
    with database_at(url):
        build_kotka_street(folder, demo_data)
    yield from serve(url, folder / "app.log")


def _shot(page, name: str, tmp_path: Path) -> None:
    # JINLIN_SCREENSHOTS keeps them for a person to look at; otherwise they go with the test's temporary files
    folder = Path(os.environ.get("JINLIN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(folder / f"estimates-{name}-{size['width']}x{size['height']}.png"))


@SIZES
def test_estimated_street_is_marked_on_the_panel_and_the_demo_street_is_not(page, kotka_server, tmp_path):
    browser_login(page, kotka_server, "admin")
    page.goto(f"{kotka_server}/?area={KOTKA}")
    kpis = page.locator("#area-panel .kpis")
    kpis.locator(".estimated-tag").first.wait_for()
    assert kpis.locator(".estimated-tag").count() == 3  # households, residents, elderly; not party members
    text = kpis.inner_text()
    assert text.count("估算") == 3
    assert page.locator("#area-panel .estimated-tag").first.get_attribute("title").startswith("文件中没有户数")
    page.locator("#area-panel .coverage-line").first.wait_for()
    assert page.locator("#area-panel .coverage-line .estimated-tag").count() > 0
    _shot(page, "panel", tmp_path)

    # down to one building through the API's children: its households carry the mark too
    code = KOTKA
    for _level in ("community", "compound", "building"):
        children = page.request.get(f"{kotka_server}/api/areas/{code}").json()["children"]
        # a residential area cut at the extract's edge may hold no building: go down through one that has some
        code = next(c["code"] for c in children
                    if c["level"] == "building" or page.request.get(f"{kotka_server}/api/areas/{c['code']}").json()[
                        "children"])
    page.goto(f"{kotka_server}/?area={code}")
    page.locator("#area-panel table.facts .estimated-tag").first.wait_for()
    assert page.locator("#area-panel table.facts .estimated-tag").count() == 3
    _shot(page, "building", tmp_path)

    page.goto(f"{kotka_server}/?area={DEMO}")
    page.locator("#area-panel .coverage-line").first.wait_for()
    assert "估算" not in page.locator("#area-panel .kpis").inner_text()
    assert page.locator("#area-panel .estimated-tag").count() == 0


@SIZES
def test_estimated_street_is_marked_on_planning_and_the_demo_street_is_not(page, kotka_server, tmp_path):
    browser_login(page, kotka_server, "street")
    page.goto(f"{kotka_server}/planning/")
    coverage = page.locator("#planning-coverage")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    assert coverage.locator(".estimated-tag").count() == 0  # the demo street comes first: real numbers

    page.click("#planning-street")
    page.get_by_role("option", name="测试街道").click()
    page.wait_for_selector("#planning-coverage .plan-estimated")
    page.click("#planning-type")
    page.get_by_role("option", name="儿童之家").click()  # the extract has three: shares between 0 and 100 %
    page.wait_for_selector("#planning-coverage:has-text('儿童之家：步行')")
    assert coverage.locator(".plan-kpi .estimated-tag").count() == 3
    assert coverage.locator("tbody tr").count() > 0
    assert coverage.locator("tbody tr").first.locator(".estimated-tag").count() == 1  # the compound's counts
    assert "%" in coverage.locator(".plan-kpi b").first.inner_text()  # a share, not "—"
    _shot(page, "planning", tmp_path)
    coverage.locator("table").scroll_into_view_if_needed()
    _shot(page, "planning-gaps", tmp_path)
