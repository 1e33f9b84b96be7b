"""Logging in from tests the way a browser does: fetch the form, send its CSRF token back."""
from __future__ import annotations

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from db.users import DEMO_USERS

PASSWORDS = {username: password for username, password, *_ in DEMO_USERS}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "login form without a CSRF token"
    return match.group(1)


def login(client, username: str = "admin", password: str | None = None):
    """Log a Flask test client in; returns the POST response."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": PASSWORDS.get(username) if password is None else password})


def logged_in_opener(base: str, username: str = "admin") -> urllib.request.OpenerDirector:
    """A urllib opener holding a staff session cookie for a running server."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(base + "/login", timeout=10) as r:
        token = csrf_token(r.read().decode())
    data = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                   "password": PASSWORDS[username]}).encode()
    with opener.open(base + "/login", data=data, timeout=10) as r:
        assert r.status == 200 and "/login" not in r.url, "login failed"
    return opener


def browser_login(page, base: str, username: str) -> None:
    """Log a Playwright page in through the login form as a demo account."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
