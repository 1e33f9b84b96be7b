"""A street just imported (no buildings; or buildings without points and roads) shows empty states, never errors;
the 演示数据 badge appears only over the generated demo."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
import shapely

from layouts import text
from tests.browser.conftest import serve
from tests.import_files import feature, write_geojson

pytestmark = pytest.mark.shares_server  # the demo it reads is the shared one; what it writes has its own server

EMPTY_STREET, BUILT_STREET = "330381007", "330381008"
ADMIN, PASSWORD = "chief", "a-long-password-1"
# screenshots to look at (not asserted on): JINLIN_SHOTS, or the system's temp folder
SHOTS = Path(os.environ.get("JINLIN_SHOTS") or tempfile.gettempdir()) / "jinlin-empty-street"


@pytest.fixture(scope="module")
def onboarding_server(tmp_path_factory):
    """A database made by init-db (no demo): one street of communities only, one with 3 buildings and nothing else."""
    from db import users
    from db.engine import session_scope
    from db.onboarding import import_file
    from db.migrate import upgrade_to_head
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("onboarding")
    url = new_database_url(folder, "onboarding")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        upgrade_to_head()

        def load(name, kind, features, **street):
            with session_scope() as session:
                import_file(session, write_geojson(folder / f"{name}.geojson", features), kind, "EPSG:4326", None,
                            False, **street)

        load("empty", "communities", [feature(shapely.box(120.70, 27.90, 120.705, 27.905), name="西社区"),
                                      feature(shapely.box(120.705, 27.90, 120.71, 27.905), name="东社区")],
             street=EMPTY_STREET, street_name="空街道")
        load("built", "communities", [feature(shapely.box(120.72, 27.90, 120.73, 27.905), name="南社区")],
             street=BUILT_STREET, street_name="有楼街道")
        load("compound", "compounds", [feature(shapely.box(120.721, 27.901, 120.725, 27.904), name="幸福小区")])
        load("buildings", "buildings", [
            feature(shapely.box(120.7215 + i * 0.001, 27.9015, 120.722 + i * 0.001, 27.902), name=f"{i + 1}幢",
                    层数=6, 户数=24) for i in range(3)])
        with session_scope() as s:
            users.create_user(s, ADMIN, PASSWORD, "admin", None, "管理员", dt.datetime(2026, 11, 20))
    for base in serve(url, folder / "app.log"):
        yield base


def _login(page, base):
    page.goto(base + "/login")
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _watch_server_errors(page) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 500 and failed.append(f"{r.status} {r.url}"))
    return failed


def _no_alert(page, alert_id: str = "#app-alert"):
    assert page.locator(alert_id).inner_text().strip() == "", "the page shows an error banner"


@pytest.mark.parametrize("page", [(1920, 1080), (1366, 768)], indirect=True, ids=["1920", "1366"])
def test_a_street_without_buildings_shows_empty_states_on_map_panel_and_planning(page, onboarding_server):
    base = onboarding_server
    failed = _watch_server_errors(page)
    _login(page, base)
    width = page.viewport_size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/?area={EMPTY_STREET}")
    panel = page.locator("#area-panel")
    panel.get_by_text(text.NO_BUILDINGS_YET).wait_for()
    panel.get_by_text(text.WALK_COVERAGE_NO_BUILDINGS.format(type="日间照料中心")).wait_for()  # the details came in
    page.get_by_text(text.OVERLAY_GAPS, exact=True).click()  # the gap overlay asks for the street's buildings
    page.wait_for_load_state("networkidle")
    _no_alert(page)
    page.screenshot(path=str(SHOTS / f"empty-street-map-{width}.png"))

    page.goto(f"{base}/?area={EMPTY_STREET}001")  # a community of it
    panel.get_by_text(text.WALK_COVERAGE_NO_BUILDINGS.format(type="爱心食堂")).wait_for()
    _no_alert(page)

    page.goto(f"{base}/?area={BUILT_STREET}")  # buildings, but no service points and no roads
    panel.get_by_text(text.WALK_FALLBACK_NOTE.format(factor=1.3)).wait_for()
    assert "户数覆盖 0%，缺口 72 户" in panel.inner_text()
    assert text.NO_BUILDINGS_YET not in panel.inner_text()
    _no_alert(page)

    page.goto(base + "/planning/")
    page.get_by_text(text.PLANNING_NO_BUILDINGS).wait_for()  # the first street is the empty one
    page.get_by_role("button", name=text.PLANNING_RUN).click()
    page.get_by_text(text.PLANNING_ERRORS["no_buildings"]).wait_for()
    page.get_by_role("button", name=text.PEOPLE_RUN).click()
    page.wait_for_load_state("networkidle")
    _no_alert(page, "#planning-alert")
    page.screenshot(path=str(SHOTS / f"empty-street-planning-{width}.png"))
    assert failed == []


def test_no_demo_badge_over_real_data(page, onboarding_server):
    base = onboarding_server
    _login(page, base)
    page.goto(f"{base}/?area={BUILT_STREET}")
    page.locator(".user-box").get_by_text("管理员").wait_for()
    page.wait_for_load_state("networkidle")  # the badge's callback has answered
    assert text.DEMO_BADGE not in page.locator("header").inner_text()
    page.goto(base + "/public/")
    page.locator("#public-count").get_by_text(text.PUBLIC_NONE).wait_for()
    page.wait_for_load_state("networkidle")
    assert text.DEMO_BADGE not in page.locator("body").inner_text()


def test_demo_badge_over_the_demo(staff, live_server):
    staff.locator(".user-box").get_by_text("演示管理员").wait_for()
    staff.locator("header").get_by_text(text.DEMO_BADGE, exact=True).wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff.screenshot(path=str(SHOTS / "demo-header-1920.png"))
    staff.goto(live_server + "/public/")
    staff.get_by_text(text.PUBLIC_DEMO_NOTE).wait_for()
    staff.screenshot(path=str(SHOTS / "demo-public-1920.png"))
