"""Every page loads only what it runs: our small runtime instead of Dash's polyfill, our icon, from its own prefix."""
from __future__ import annotations

import re

import pytest

from tests.helpers import login

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
# (page, whether a grid is on it): AG Grid ships to the lists and the admin page only
PAGES = (("/", False), ("/cases/", True), ("/wishes/", True), ("/admin/", True), ("/admin/import/", False),
         ("/planning/", False), ("/screen/", False), ("/public/", False))


@pytest.fixture(scope="module")
def admin(seeded_url):
    from app import server

    client = server.test_client()
    assert login(client, "admin").status_code == 302
    return client


def _sources(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


@pytest.mark.parametrize("page,grid", PAGES)
def test_each_page_loads_the_small_runtime_and_its_own_icon(admin, page, grid):
    html = admin.get(page, headers={"Accept": HTML}).get_data(as_text=True)
    sources = _sources(html)
    assert sources, f"{page} has no scripts"
    assert not [s for s in sources if "polyfill" in s]
    runtime = f"{page}_jinlin/regenerator-runtime.min.js"
    assert sources[0] == runtime, "the runtime comes first, where the polyfill was"
    assert f'<link rel="icon" type="image/x-icon" href="{page}_jinlin/favicon.ico">' in html
    assert not [s for s in sources if "/dash_extensions/" in s or "/dash_table/" in s]
    assert bool([s for s in sources if "/dash_ag_grid/" in s]) == grid
    assert all(s.startswith(page) for s in sources if "/_dash-component-suites/" in s)

    body = admin.get(runtime)
    assert body.status_code == 200 and b"regeneratorRuntime" in body.data
    assert len(body.data) < 10_000
    icon = admin.get(f"{page}_jinlin/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_the_residents_page_and_the_browser_icon_need_no_login(seeded_url):
    from app import server

    anonymous = server.test_client()
    html = anonymous.get("/public/", headers={"Accept": HTML}).get_data(as_text=True)
    for url in _sources(html) + ["/public/_jinlin/favicon.ico"]:
        assert anonymous.get(url).status_code == 200, url
    assert anonymous.get("/favicon.ico").status_code == 200
    # the staff map's copy stays behind the login like the rest of the staff app
    assert anonymous.get("/_jinlin/regenerator-runtime.min.js").status_code in (302, 401, 403)


def test_the_staff_map_loads_its_own_files_only(admin):
    # assets/ holds the staff map's files on top and one folder per other page (and vendor/): none of those
    html = admin.get("/", headers={"Accept": HTML}).get_data(as_text=True)
    files = [u.split("?")[0] for u in re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)]
    assert "/assets/style.css" in files and "/assets/jinlin.js" in files
    assert [u for u in files if "/" in u[len("/assets/"):]] == []
