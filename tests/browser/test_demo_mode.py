"""Leaving demo mode as a deployment does it: `clear-demo` on the running server's database; the login page stops
offering the demo accounts, they no longer log in, and the map's 演示数据 badge is gone for the deployment's admin."""
from __future__ import annotations

from urllib.parse import urlsplit

from layouts import text
from tests.helpers import PASSWORDS

ADMIN, PASSWORD = "chief", "river-lamp-2026"


def _log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_after_clear_demo_the_login_page_and_the_map_show_no_demo(page, live_server):
    from app import server
    from db import users
    from db.engine import session_scope

    with session_scope() as session:  # the deployment's own admin, made while it tried the demo
        users.create_user(session, ADMIN, PASSWORD, "admin", None, "站长")
    page.goto(live_server + "/login")
    page.wait_for_selector(".demo >> text=demo-admin-2026")
    _log_in(page, live_server, "admin", PASSWORDS["admin"])
    page.wait_for_url(live_server + "/")
    page.wait_for_selector(f"#demo-badge:has-text('{text.DEMO_BADGE}')", state="visible")

    page.goto(live_server + "/public/")  # off the staff map, whose callbacks would meet a 401 once the demo goes
    result = server.test_cli_runner().invoke(args=["clear-demo"])
    assert result.exit_code == 0, result.output

    page.goto(live_server + "/")  # the demo admin's session ended with the demo
    page.wait_for_url(live_server + "/login?**")
    assert page.locator(".demo").count() == 0
    assert "demo-admin-2026" not in page.content()
    _log_in(page, live_server, "admin", PASSWORDS["admin"])
    page.wait_for_selector(f"[role=alert]:has-text('{text.LOGIN_WRONG}')")
    # the login page answers a wrong password with 401, and Chromium logs every 4xx page it loads: that one only
    assert page.probe.errors == ["Failed to load resource: the server responded with a status of 401 (UNAUTHORIZED)"]
    page.probe.errors.clear()

    with page.expect_response(lambda r: _answers(r, "demo-badge")) as badge:
        _log_in(page, live_server, ADMIN, PASSWORD)
        page.wait_for_url(live_server + "/")
    assert badge.value.json()["response"]["demo-badge"]["hidden"] is True
    page.wait_for_selector(".user-box:has-text('站长')")
    assert page.locator("#demo-badge").is_hidden()
    with page.expect_response(lambda r: _answers(r, "public-demo-note")) as note:
        page.goto(live_server + "/public/")
    assert note.value.json()["response"]["public-demo-note"]["hidden"] is True
    assert page.locator("#public-demo-note").is_hidden()


def _answers(response, component: str) -> bool:
    """The Dash callback response that sets `component`'s hidden property."""
    return urlsplit(response.url).path.endswith("/_dash-update-component") and f'"{component}.hidden"' in (
        response.request.post_data or "")
