"""Every staff page has one top bar: the pages its reader may open, their name from the session, 退出; a page's
bare path leads to it. Pages and roles are written out here from DESIGN §7, not read from app.PAGES."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete

from db import models as m
from db.engine import session_scope
from db.users import DEMO_USERS
from layouts import text
from tests.helpers import login
from tests.test_security import _find  # components by className in a layout's JSON

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
NAV = ((text.NAV_MAP, "/"), (text.NAV_CASES, "/cases/"), (text.NAV_WISHES, "/wishes/"),
       (text.PLANNING_NAV, "/planning/"), (text.NAV_SCREEN, "/screen/"), (text.NAV_PUBLIC, "/public/"),
       (text.NAV_ADMIN, "/admin/"), (text.IMPORT_NAV, "/admin/import/"))
ADMIN_ONLY = ("/admin/", "/admin/import/")
OWN_CHROME = ("/screen/", "/public/")  # the big screen and the residents' page draw their own
ROLE_OF = {username: role for username, _, role, *_ in DEMO_USERS}
NAME_OF = {username: name for username, *_, name in DEMO_USERS}
HOSTILE = ("pages-hostile", "hostile-pass-2026", "<img src=x onerror=alert(1)>")


def expected_links(username: str) -> list[tuple[str, str]]:
    return [(label, href) for label, href in NAV if ROLE_OF[username] == "admin" or href not in ADMIN_ONLY]


def staff_pages(username: str) -> list[str]:
    return [href for _, href in expected_links(username) if href not in OWN_CHROME]


def top_bar(client, path: str) -> dict | None:
    r = client.get(path + "_dash-layout")
    assert r.status_code == 200, (path, r.status_code)
    bars = _find(r.get_json(), "topbar")
    assert len(bars) <= 1, path
    return bars[0] if bars else None


def _links(bar: dict) -> list[tuple[str, str, bool]]:
    return [(a["props"]["children"], a["props"]["href"], "active" in a["props"]["className"].split())
            for a in _find(bar, "nav-link")]


@pytest.fixture(scope="module")
def server(seeded_url):
    from app import server

    return server


def _client(server, username: str, password: str | None = None):
    client = server.test_client()
    assert login(client, username, password).status_code == 302
    return client


@pytest.mark.parametrize("username", ["admin", "street", "community", "grid"])
def test_top_bar_lists_the_pages_the_role_may_open_and_the_name(server, username):
    client = _client(server, username)
    # the role once: the demo names already say it
    label = {"admin": "演示管理员", "street": "街道干部（演示）", "community": "社区工作者（演示）",
             "grid": "网格长（演示）"}[username]
    for path in staff_pages(username):
        bar = top_bar(client, path)
        assert bar is not None, f"{path} has no staff top bar"
        assert _links(bar) == [(lab, href, href == path) for lab, href in expected_links(username)], path
        assert [b["props"]["children"] for b in _find(bar, "user-box")] == [label], path
        assert _find(bar, "logout-btn")[0]["props"]["children"] == text.LOGOUT


@pytest.mark.parametrize("username", ["admin", "grid"])
def test_every_top_bar_link_opens_for_that_role(server, username):
    client = _client(server, username)
    for _, href in expected_links(username):
        r = client.get(href, headers={"Accept": HTML})
        assert r.status_code == 200, (username, href, r.status_code)
    for href in ADMIN_ONLY:
        assert (client.get(href, headers={"Accept": HTML}).status_code == 200) == (ROLE_OF[username] == "admin")


def test_own_chrome_pages_have_no_staff_top_bar(server):
    admin = _client(server, "admin")
    assert top_bar(admin, "/screen/") is None
    assert top_bar(server.test_client(), "/public/") is None


def test_top_bar_shows_a_name_as_text(server, seeded_url):
    from db import users

    username, password, name = HOSTILE
    with session_scope() as session:
        users.create_user(session, username, password, "grid_leader", "33038100100101", name)
    try:
        bar = top_bar(_client(server, username, password), "/cases/")
        # a plain string child: Dash renders it as a text node, never as markup
        assert [b["props"]["children"] for b in _find(bar, "user-box")] == [
            text.USER_LABEL.format(name=name, role=text.ROLE_LABELS["grid_leader"])]
    finally:
        with session_scope() as session:
            session.execute(delete(m.User).where(m.User.username == username))


@pytest.mark.parametrize("path", [href for _, href in NAV if href != "/"])
def test_bare_page_path_leads_to_the_page_with_its_query(server, path):
    client = _client(server, "admin")
    r = client.get(path.rstrip("/") + "?area=330381001", headers={"Accept": HTML})
    assert r.status_code in (301, 302, 303, 307, 308)
    target = urlsplit(r.headers["Location"])
    assert (target.path, target.query) == (path, "area=330381001")
    assert client.get(r.headers["Location"], headers={"Accept": HTML}).status_code == 200


def test_bare_admin_path_is_refused_to_others_like_the_page(server):
    grid = _client(server, "grid")
    assert grid.get("/admin", headers={"Accept": HTML}).status_code == 403
    assert grid.get("/admin/import", headers={"Accept": HTML}).status_code == 403


def test_a_page_the_role_may_not_open_says_so_in_chinese(seeded_url):
    """A grid leader opening /admin/ gets a Chinese page naming who may open it, not {"error": "forbidden"}."""
    from app import server
    from tests.helpers import login

    client = server.test_client()
    assert login(client, "grid").status_code == 302
    page = client.get("/admin/", headers={"Accept": "text/html"})
    body = page.get_data(as_text=True)
    assert page.status_code == 403 and "无权打开此页面" in body
    assert "只对以下角色开放：管理员。" in body and "\"error\"" not in body
    # who they are, once: the demo grid leader's name already says 网格长
    assert "当前登录：网格长（演示）。" in body and "（网格长）" not in body
    # a callback or JSON client still gets JSON
    assert client.post("/admin/_dash-update-component", json={}).get_json() == {"error": "forbidden"}
