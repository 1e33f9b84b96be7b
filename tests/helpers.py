"""Test helpers that act like a browser: logging in through the form, and posting a Dash callback request."""
from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any, Callable

from db.users import DEMO_USERS

PASSWORDS = {username: password for username, password, *_ in DEMO_USERS}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "login form without a CSRF token"
    return match.group(1)


def demo_street_as_real_data(session=None) -> None:
    """The generated street standing in for a deployment's own data, for tests (and benchmarks) of importing into a
    street that exists: demo mode off, so imports are accepted, and the demo's accounts kept as ordinary accounts
    (same names and passwords). No real database gets here: demo mode ends only by clear-demo, which removes the
    demo. In `session` (rolled back with it) or committed at once."""
    from sqlalchemy import update

    from db import cache, models as m
    from db.engine import session_scope

    def run(s):
        s.execute(update(m.DataVersion).where(m.DataVersion.name == cache.ANY).values(note=None))
        s.execute(update(m.User).values(demo=False))

    if session is not None:
        run(session)
        return
    with session_scope() as s:
        run(s)


def switched_off(response) -> bool:
    """The page a display gets once its token no longer works (api/auth.py screen_off): it says so, with no login
    form and no data."""
    from layouts import text

    body = response.get_data(as_text=True)
    return (response.status_code == 200 and text.SCREEN_OFF_TITLE in body and 'id="username"' not in body
            and "screen-kpi" not in body)


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


# four clicks 0, 50, 150 and 400 ms after the first, as an impatient hand gives them (the scenario, not a wait)
_CLICKS_APART = """async (selector) => { const button = document.querySelector(selector);
  for (const gap of [0, 50, 100, 250]) { await new Promise(r => setTimeout(r, gap)); button.click(); } }"""


def click_impatiently(page, selector: str) -> None:
    """Click a button again and again while its request may still be running, then wait for every answer."""
    page.evaluate(_CLICKS_APART, selector)
    page.wait_for_load_state("networkidle")


# --- Dash callback requests, built the way the Dash renderer builds them ---

def parse_id(raw):
    """A component id as Dash's dependency list writes it: pattern-matching ids arrive as JSON text."""
    if isinstance(raw, str) and raw.startswith("{"):
        return json.loads(raw)
    return raw


def id_text(component_id) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def dash_outputs(output: str) -> list[dict]:
    """The outputs of a dependency's output string ("id.prop" or "..a.p...b.q.."), without any @duplicate tag."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        component_id, prop = re.split(r"(?<!\\)\.(?=[^.]*$)", part)
        found.append({"id": parse_id(component_id.replace("\\.", ".")), "property": prop.split("@")[0]})
    return found


def find_callback(deps: list[dict], output: str) -> dict:
    """The server callback (not a clientside one) whose outputs include `output` ("id.prop"); the first declared."""
    for dep in deps:
        if dep.get("clientside_function"):
            continue
        if any(f"{id_text(o['id'])}.{o['property']}" == output for o in dash_outputs(dep["output"])):
            return dep
    raise LookupError(f"no server callback outputs {output}")


ValueOf = Callable[[Any, str], Any]


def dash_body(dep: dict, values: dict | None = None, value_of: ValueOf | None = None,
              changed: str | None = None) -> dict:
    """The body the renderer POSTs to _dash-update-component for `dep`.

    Inputs and states take their value from `values` (keyed "id.prop"), else from `value_of(id, prop)`, else None;
    a pattern-matching (ALL) dependency gets an empty list, as when nothing matches on the page yet. `changed`
    names the input that fired (default: the first one given in `values`, else none: an initial call).
    """
    values = values or {}

    def items(deps: list[dict]) -> list:
        out = []
        for item in deps:
            component_id = parse_id(item["id"])
            key = f"{id_text(component_id)}.{item['property']}"
            if isinstance(component_id, dict) and any(isinstance(v, list) for v in component_id.values()):
                out.append(values.get(key, []))
                continue
            value = values[key] if key in values else value_of(component_id, item["property"]) if value_of else None
            out.append({"id": component_id, "property": item["property"], "value": value})
        return out

    inputs = items(dep["inputs"])
    if changed is None:
        changed = next((f"{id_text(i['id'])}.{i['property']}" for i in inputs
                        if isinstance(i, dict) and f"{id_text(i['id'])}.{i['property']}" in values), None)
    outputs = dash_outputs(dep["output"])
    return {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs, "state": items(dep.get("state", [])), "changedPropIds": [changed] if changed else []}


def call_callback(client, output: str, values: dict | None = None, prefix: str = "/", changed: str | None = None):
    """POST the callback that outputs `output` on the Dash app under `prefix`, as the renderer would; the response."""
    deps = client.get(prefix + "_dash-dependencies").get_json()
    body = dash_body(find_callback(deps, output), values, changed=changed)
    return client.post(prefix + "_dash-update-component", json=body)


def acting_as(username: str = "admin"):
    """A request context on the staff server with `username` logged in, for calling a callback function directly."""
    from contextlib import contextmanager

    @contextmanager
    def context():
        from flask_login import login_user
        from sqlalchemy import select

        from api.auth import SessionUser
        from app import server
        from db import models as m, users
        from db.engine import session_scope

        with session_scope() as session:
            user = session.execute(select(m.User).where(m.User.username == username)).scalar_one()
            account = users.get_account(session, f"u:{user.id}:{user.session_epoch}")
        with server.test_request_context():
            login_user(SessionUser(account))
            yield account

    return context()
