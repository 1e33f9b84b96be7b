"""From nothing to a working street: `init-db`, `import-osm` of the real extract, then the map, the panel, /planning/
and the coverage API in Chromium, with no restart between import and use."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, serve
from tests.browser.test_map import _click_feature, _wait_area, _wait_level
from tests.import_files import OSM_PBF

STREET = "990000003"
STREET_NAME = "科特卡街道"
PASSWORD = "onboarding-admin-2026"


def flask(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`flask --app app …` as an admin types it, against the database at `url`."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, input=stdin, text=True,
                          capture_output=True, env={**os.environ, "DATABASE_URL": url}, timeout=300)


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory):
    """A server on an empty database; the street is imported while it runs (caches already warm)."""
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("onboarding")
    url = new_database_url(folder, "onboarding")
    assert flask(url, "init-db").returncode == 0
    made = flask(url, "create-user", "osmadmin", "--role", "admin", "--name", "管理员",
                 stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.returncode == 0, made.stdout + made.stderr
    server = serve(url, folder / "app.log")
    base = next(server)
    yield url, base
    next(server, None)


def login(page, base):
    page.goto(base + "/login")
    page.fill("#username", "osmadmin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_a_street_from_an_osm_extract_works_end_to_end_without_a_restart(page, onboarded):
    url, base = onboarded
    login(page, base)
    page.wait_for_selector("#map-main")  # the empty database first: the page is up before any street exists
    imported = flask(url, "import-osm", str(OSM_PBF), "--street", STREET, "--street-name", STREET_NAME)
    assert imported.returncode == 0, imported.stdout + imported.stderr

    # what the import made, read through the API as any client would
    street = page.request.get(f"{base}/api/areas/{STREET}").json()
    buildings = street["summary"]["buildings"]
    assert street["name"] == STREET_NAME and buildings > 2000
    community = street["children"][0]
    area = page.request.get(f"{base}/api/areas/{community['code']}").json()
    compound = next(c for c in area["children"] if c["level"] == "compound")
    community_code, community_name = community["code"], community["name"]
    compound_code, compound_name = compound["code"], compound["name"]

    page.goto(f"{base}/?area={STREET}")
    page.wait_for_selector(f".panel-title:has-text('{STREET_NAME}')")
    _wait_level(page, "community")
    page.wait_for_selector(f".kpi:has-text('{buildings:,}')")  # 楼栋 of the whole street on the panel

    _click_feature(page, community_code)
    _wait_area(page, community_code)
    page.wait_for_selector(f".panel-title:has-text('{community_name}')")
    _wait_level(page, "compound")
    # a compound from the panel's list (on the map its buildings cover it: a click there opens a building)
    page.locator(".child-link", has_text=compound_name).first.click()
    _wait_area(page, compound_code)
    page.wait_for_selector(f".panel-title:has-text('{compound_name}')")
    _wait_level(page, "building")

    coverage = page.request.get(f"{base}/api/areas/{STREET}/coverage?type=儿童之家")
    assert coverage.status == 200
    body = coverage.json()
    assert body["method"] == "walking" and body["buildings"] == buildings
    public = page.request.get(f"{base}/api/public/service-points.geojson").json()
    # the residents' map has the new points without a restart
    assert len(public["features"]) == sum(street["summary"]["service_points_by_type"].values()) >= 4

    page.goto(f"{base}/planning/")
    page.wait_for_selector("#planning-coverage:has-text('老人覆盖率')")
    page.wait_for_selector(f"#planning-street:has-text('{STREET_NAME}')")  # the street picked in its menu


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """A server on a database an admin prepared with init-db, nothing imported."""
    from tests.conftest import new_database_url

    folder = tmp_path_factory.mktemp("onboarding-page")
    url = new_database_url(folder, "page")
    assert flask(url, "init-db").returncode == 0
    assert flask(url, "create-user", "osmadmin", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n").returncode == 0
    server = serve(url, folder / "app.log")
    yield next(server)
    next(server, None)


def test_a_street_from_an_osm_extract_on_the_import_page(page, empty_server):
    base = empty_server
    login(page, base)
    page.goto(base + "/admin/import/")
    page.set_input_files("#import-upload input[type=file]", str(OSM_PBF))
    page.wait_for_selector(f"#import-file-info:has-text('{OSM_PBF.name}')")
    page.wait_for_selector("#import-kind:has-text('整条街道')")  # an OSM file is offered as a whole street
    page.fill("#import-street", "99000000")  # eight digits: refused in words
    page.fill("#import-street-name", "页面街道")
    page.click("#import-preview")
    page.wait_for_selector("#import-message:has-text('9')")
    assert page.locator("#import-commit").is_disabled()
    page.fill("#import-street", "990000004")
    page.click("#import-preview")
    page.wait_for_selector("#import-summary:has-text('楼栋：读取')")
    assert "按楼栋分布生成" in page.locator("#import-summary").inner_text()
    street = page.request.get(f"{base}/api/areas")
    assert street.json()["areas"] == []  # the preview wrote nothing
    page.click("#import-commit")
    page.wait_for_selector("#import-message:has-text('整条街道导入完成')")
    areas = page.request.get(f"{base}/api/areas").json()["areas"]
    assert [a["code"] for a in areas] == ["990000004"]
    summary = page.request.get(f"{base}/api/areas/990000004").json()["summary"]
    assert summary["buildings"] > 2000
    page.wait_for_selector("#import-setup-checklist:has-text('楼栋')")
    page.goto(f"{base}/?area=990000004")
    page.wait_for_selector(".panel-title:has-text('页面街道')")
    _wait_level(page, "community")
