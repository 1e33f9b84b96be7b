"""The request boundary of DESIGN §7, enumerated: every Flask route and every Dash callback, for every kind of caller."""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from sqlalchemy import delete, func, select

from db import areas, dashboard, layers, models as m
from db.access import Viewer
from db.engine import session_scope
from workflow.vocab import OPEN_STATUSES
from tests.helpers import PASSWORDS, csrf_token, dash_body, dash_outputs, id_text, login, parse_id, switched_off
import settings

STREET = "330381001"
DEMO_GRID = "33038100100101"  # the demo grid leader's grid
OTHER_GRID = "33038100100302"
SCREEN_TOKEN = "demo-screen-token-2026"
OTHER_LEADER = ("sec-other-grid", "other-grid-pass-2026")  # a password may not contain its user name

# DESIGN §7 as written, not copied from api/auth.py: what anonymous callers may reach.
OPEN_EXACT = ("/public", "/healthz", "/login", "/favicon.ico")  # the icon the browser asks for on its own
OPEN_PREFIXES = ("/public/", "/api/public/")
KEYED_PREFIX = "/open311/"  # machine clients (the 12345 hotline): an API key, never a session, opens these
SCREEN_SHARED_ASSETS = ("/assets/vendor/plotly-basic.min.js", "/assets/jinlin.js")
HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
JSON = "application/json"


def _is_open(path: str) -> bool:
    return path in OPEN_EXACT or path.startswith(OPEN_PREFIXES)


def _is_keyed(path: str) -> bool:
    return path.startswith(KEYED_PREFIX)


def _is_screen(path: str) -> bool:
    return path == "/screen" or path.startswith("/screen/")


def _is_admin(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


@pytest.fixture(scope="module")
def server(seeded_url):
    from app import server

    return server


@pytest.fixture(scope="module")
def other_leader(seeded_url):
    """A grid leader of another grid than the demo grid leader's."""
    from db import users

    username, password = OTHER_LEADER
    with session_scope() as session:
        users.create_user(session, username, password, "grid_leader", OTHER_GRID, "别的网格长")
    yield username, password
    with session_scope() as session:
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.username == username))
        session.execute(delete(m.User).where(m.User.username == username))


def _logged_in(server, username: str, password: str, remote_addr: str = "127.0.0.1"):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    r = login(client, username, password)
    assert r.status_code == 302, f"login as {username} failed: {r.status_code}"
    return client


def _screen_client(server, token: str = SCREEN_TOKEN):
    client = server.test_client()
    r = client.get(f"/screen/?token={token}", headers={"Accept": HTML})
    assert r.status_code == 200, f"screen token login failed: {r.status_code}"
    return client


@pytest.fixture(scope="module")
def make_client(server, other_leader):
    """Fresh clients per kind of caller (a logout or revocation in one test never leaks into another)."""

    def make(kind: str):
        if kind == "anonymous":
            return server.test_client()
        if kind == "admin":
            return _logged_in(server, "admin", None)
        if kind == "other_leader":
            return _logged_in(server, *other_leader)
        if kind == "screen":
            return _screen_client(server)
        raise ValueError(kind)

    return make


def _fetch(client, method: str, url: str, accept: str, body=None):
    """The final response after following redirects on this site; fails on a redirect loop or an off-site hop."""
    seen = [url]
    r = client.open(url, method=method, headers={"Accept": accept}, json=body)
    while r.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(urljoin("http://localhost" + seen[-1], r.headers["Location"]))
        assert target.netloc == "localhost", f"{url} redirects off-site to {r.headers['Location']}"
        nxt = target.path + (f"?{target.query}" if target.query else "")
        assert nxt not in seen and len(seen) < 6, f"redirect loop: {' -> '.join(seen + [nxt])}"
        seen.append(nxt)
        r = client.get(nxt, headers={"Accept": accept})
    return r, seen


# Enumerating the routes.

def _page_links(client, prefix: str) -> list[str]:
    """Asset and component-suite URLs an app's own index page loads (real files to fill path variables with)."""
    html = client.get(prefix, headers={"Accept": HTML}).get_data(as_text=True)
    return [u.split("?")[0] for u in re.findall(r'(?:src|href)="([^"]+)"', html) if u.startswith("/")]


def _routes(server, admin) -> list[tuple[str, str]]:
    """(method, url) for every rule of server.url_map, path variables filled with real values."""
    links = []
    for prefix in dash_prefixes(server):
        links += _page_links(admin, prefix)
    out = []
    for rule in server.url_map.iter_rules():
        url = rule.rule
        if "<" in url:
            url = _fill(rule, links)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def _fill(rule, links: list[str]) -> str:
    static_part = rule.rule.split("<", 1)[0]
    if static_part.endswith(("/assets/", "/_dash-component-suites/")):
        # a real file one of the pages loads; the two assets screens share come last (they are the exception)
        real = sorted((u for u in links if u.startswith(static_part)), key=lambda u: u in SCREEN_SHARED_ASSETS)
        if real:
            return real[0]
    filled = rule.rule
    for name in rule.arguments:
        value = {"code": DEMO_GRID, "path": "some/page", "request_id": "AJ0000001"}.get(name, "missing.css")
        filled = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, filled)
    return filled


def dash_prefixes(server) -> list[str]:
    return sorted(r.rule[: -len("_dash-update-component")] for r in server.url_map.iter_rules()
                  if r.rule.endswith("/_dash-update-component"))


# Enumerating the callbacks.

# Plausible input values a user's browser would send; anything else takes its value from the app's layout.
PLAUSIBLE = {
    ("url", "search"): f"?area={DEMO_GRID}",
    ("map-drill", "clickData"): {"properties": {"code": "330381001002"}},
    ("map-layers-control", "overlays"): ["网格", "服务阵地", "在办诉求", "覆盖缺口"],
    ("map-gap-type", "value"): "爱心食堂",
    ("public-search", "value"): "食堂",
    ("public-types", "value"): ["爱心食堂"],
    ("public-location", "data"): [27.778, 120.633],
    ("public-url", "search"): "?point=330381001001S0001",
    ("public-map", "clickData"): {"latlng": {"lat": 27.776, "lng": 120.631}},
    ("screen-url", "search"): f"?area={STREET}&tour=10",
    ("screen-signature", "data"): [STREET, 1],
    ("screen-stop", "data"): {"area": STREET, "stop": STREET + "001"},
}
GENERIC = {"n_intervals": 1, "search": ""}
# Clicks stay as the layout has them and never trigger: the sweep must not create, change or revoke anything.
ACTIONS = ("n_clicks", "n_submit", "n_dblclicks")


def layout_props(layout) -> dict:
    """{component id: props} of every component in a layout (including components inside props)."""
    found = {}

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "props" in node and "type" in node:
                props = node["props"] or {}
                if "id" in props:
                    found[json.dumps(props["id"], sort_keys=True) if isinstance(props["id"], dict)
                          else props["id"]] = props
                for value in props.values():
                    walk(value)
            else:
                for value in node.values():
                    walk(value)

    walk(layout)
    return found


def _value(component_id, prop: str, props_by_id: dict):
    key = json.dumps(component_id, sort_keys=True) if isinstance(component_id, dict) else component_id
    if (key, prop) in PLAUSIBLE:
        return PLAUSIBLE[(key, prop)]
    if prop in GENERIC:
        return GENERIC[prop]
    return (props_by_id.get(key) or {}).get(prop)


def callback_body(dep: dict, props_by_id: dict, overrides: dict | None = None) -> dict:
    """The body the Dash renderer would POST to _dash-update-component for this dependency."""
    values = {f"{id_text(component_id)}.{prop}": v for (component_id, prop), v in (overrides or {}).items()}
    # the renderer names the input that changed; a click never does here, so the call is an initial one then
    first = next((i for i in dep["inputs"] if i["property"] not in ACTIONS and not _is_pattern(i["id"])), None)
    changed = f"{id_text(parse_id(first['id']))}.{first['property']}" if first else ""
    return dash_body(dep, values, lambda component_id, prop: _value(component_id, prop, props_by_id), changed)


def _is_pattern(raw_id) -> bool:
    component_id = parse_id(raw_id)
    return isinstance(component_id, dict) and any(isinstance(v, list) for v in component_id.values())


def _callbacks(admin, prefix: str) -> list[dict]:
    """Every server-side callback of the app at `prefix` (clientside ones never reach the server)."""
    deps = admin.get(prefix + "_dash-dependencies").get_json()
    props_by_id = layout_props(admin.get(prefix + "_dash-layout").get_json())
    return [{"prefix": prefix, "dep": d, "body": callback_body(d, props_by_id)}
            for d in deps if not d.get("clientside_function")]


@pytest.fixture(scope="module")
def surface(server, make_client):
    """Everything there is to call: routes and callbacks, listed while logged in as admin."""
    admin = make_client("admin")
    callbacks = [cb for prefix in dash_prefixes(server) for cb in _callbacks(admin, prefix)]
    return {"routes": _routes(server, admin), "callbacks": callbacks, "prefixes": dash_prefixes(server)}


def _expectation(kind: str, path: str) -> str:
    if _is_open(path):
        return "open"
    if _is_keyed(path):
        return "keyed"
    if kind == "anonymous":
        return "login"
    if kind == "screen":
        return "allowed" if _is_screen(path) or path in SCREEN_SHARED_ASSETS or path == "/logout" else "forbidden"
    if _is_admin(path) and kind != "admin":
        return "forbidden"
    return "allowed"


def _judge(kind: str, method: str, url: str, r, hops: list[str], accept: str) -> str | None:
    """None when the response is what DESIGN §7 asks for, else a line saying what went wrong."""
    path = urlsplit(url).path
    expect = _expectation(kind, path)
    where = f"{kind} {method} {url} [{accept.split(',')[0]}] -> {r.status_code} via {hops}"
    if r.status_code >= 500:
        return f"server error: {where}"
    if expect in ("open", "allowed"):
        if r.status_code in (401, 403) or (len(hops) > 1 and urlsplit(hops[-1]).path == "/login"
                                           and path != "/login" and method == "GET"):
            return f"refused, should be reachable: {where}"
    elif expect == "keyed":
        if r.status_code != 401:
            return f"a session is no API key, should be 401: {where}"
    elif expect == "forbidden":
        if r.status_code != 403:
            return f"should be 403: {where}"
    elif expect == "login":
        to_login = len(hops) > 1 and urlsplit(hops[-1]).path == "/login" and r.status_code == 200
        if not (r.status_code in (401, 403) or (to_login and method == "GET" and accept == HTML)):
            return f"should be refused: {where}"
    return None


def _sweep_routes(make_client, surface, kind: str) -> list[str]:
    client = make_client(kind)
    problems = []
    # a logout ends every session of the account (screens may log out too): last, with a client of its own
    for method, url in sorted(surface["routes"], key=lambda route: route[1] == "/logout"):
        caller = make_client(kind) if url == "/logout" else client
        accepts = (HTML, JSON) if kind == "anonymous" and method == "GET" else (HTML,)
        for accept in accepts:
            r, hops = _fetch(caller, method, url, accept)
            problem = _judge(kind, method, url, r, hops, accept)
            if problem:
                problems.append(problem)
    return problems


def _error_banner_shown(r) -> bool:
    from layouts import text

    return text.UNEXPECTED_ERROR in r.get_data(as_text=True)


def _sweep_callbacks(make_client, surface, kind: str) -> list[str]:
    client = make_client(kind)
    problems = []
    for cb in surface["callbacks"]:
        url = cb["prefix"] + "_dash-update-component"
        r, hops = _fetch(client, "POST", url, JSON, cb["body"])
        problem = _judge(kind, "POST", url, r, hops, JSON)
        where = f"{kind} {url} output {cb['dep']['output']}"
        if problem:
            problems.append(f"{problem} — {where}")
        elif r.status_code == 200 and _error_banner_shown(r):
            problems.append(f"callback raised (error banner in the response): {where}")
        elif _expectation(kind, urlsplit(url).path) in ("open", "allowed") and r.status_code not in (200, 204):
            problems.append(f"unexpected {r.status_code}: {where}")
    return problems


def test_surface_lists_every_app_and_callback(surface):
    # the enumeration itself must see the three apps and a real number of callbacks, or the sweeps prove nothing
    assert {"/", "/public/", "/screen/"} <= set(surface["prefixes"])
    per_app = {p: sum(cb["prefix"] == p for cb in surface["callbacks"]) for p in surface["prefixes"]}
    assert per_app["/"] >= 4 and per_app["/public/"] >= 2 and per_app["/screen/"] >= 3, per_app
    assert len(surface["routes"]) >= 30


def test_staff_dependencies_refuse_anonymous(server):
    anonymous = server.test_client()
    assert anonymous.get("/_dash-dependencies").status_code == 401
    assert anonymous.get("/screen/_dash-dependencies").status_code == 401
    assert anonymous.get("/public/_dash-dependencies").status_code == 200


@pytest.mark.parametrize("kind", ["anonymous", "other_leader", "screen", "admin"])
def test_every_route_answers_each_caller_as_designed(make_client, surface, kind):
    problems = _sweep_routes(make_client, surface, kind)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("kind", ["anonymous", "other_leader", "screen", "admin"])
def test_every_callback_answers_each_caller_as_designed(make_client, surface, kind):
    problems = _sweep_callbacks(make_client, surface, kind)
    assert problems == [], "\n".join(problems)


def test_keyed_routes_open_with_an_api_key_only(server, surface, monkeypatch):
    keyed = [(method, url) for method, url in surface["routes"] if _is_keyed(url)]
    assert keyed, "no Open311 routes found"
    from settings import Open311Key

    key = "security-test-key-0123456789"
    monkeypatch.setitem(server.config, "OPEN311_KEYS", {key: Open311Key("安全测试", None, "write")})
    client = server.test_client()
    for method, url in keyed:
        with_key = client.open(url, method=method, headers={"X-Api-Key": key})
        wrong_key = client.open(url, method=method, headers={"X-Api-Key": key + "x"})
        # a POST without the spec's fields is the caller's error; nothing is created
        expected = (400,) if method == "POST" else (200,)
        assert with_key.status_code in expected, (method, url, with_key.status_code)
        assert wrong_key.status_code == 401, (method, url, wrong_key.status_code)


def test_anonymous_page_visit_goes_to_login_and_back(make_client):
    client = make_client("anonymous")
    r = client.get("/?area=330381001002", headers={"Accept": HTML})
    assert r.status_code == 302
    login_page = r.headers["Location"]
    assert urlsplit(login_page).path == "/login"
    token = csrf_token(client.get(login_page).get_data(as_text=True))
    back = client.post(login_page, data={"csrf_token": token, "username": "admin", "password": PASSWORDS["admin"]})
    assert back.status_code == 302 and back.headers["Location"] == "/?area=330381001002"


def test_public_callback_endpoint_refuses_malformed_bodies_without_500(server):
    # anyone on the internet can POST here: a broken body is the caller's error (4xx), not the server's
    anonymous = server.test_client()
    for body in ({}, {"output": "no-such.prop", "outputs": {"id": "no-such", "property": "prop"}, "inputs": [],
                      "changedPropIds": []}, {"output": "public-location.data", "inputs": "x"}):
        r = anonymous.post("/public/_dash-update-component", json=body)
        assert 400 <= r.status_code < 500, (body, r.status_code)


# The public app's own ids.

def test_public_layout_ids_all_begin_with_public(server):
    anonymous = server.test_client()
    layout = anonymous.get("/public/_dash-layout")
    assert layout.status_code == 200
    ids = list(layout_props(layout.get_json()))
    assert len(ids) >= 10
    assert [i for i in ids if not str(i).startswith("public-")] == []


def test_public_callbacks_touch_only_public_ids(server):
    deps = server.test_client().get("/public/_dash-dependencies").get_json()
    assert deps
    for dep in deps:
        outputs = [o["id"] for o in dash_outputs(dep["output"])]
        inputs = [i["id"] for i in dep["inputs"] + dep.get("state", [])]
        assert all(str(i).startswith("public-") for i in outputs), dep["output"]
        assert all(str(i).startswith("public-") for i in inputs), dep["inputs"]


# Scope: a grid leader of another grid.

def _open_cases_in(session, grid: str) -> set[str]:
    return set(session.execute(select(m.Case.code).where(m.Case.grid_code == grid,
                                                         m.Case.status.in_(OPEN_STATUSES))).scalars())


def _find(node, class_name: str) -> list[dict]:
    """Components with className containing `class_name` in a callback's JSON answer."""
    hits = []
    if isinstance(node, list):
        for child in node:
            hits += _find(child, class_name)
    elif isinstance(node, dict):
        props = node.get("props") if "type" in node else None
        if props and class_name in (props.get("className") or "").split():
            hits.append(node)
        for value in (props or node).values():
            hits += _find(value, class_name)
    return hits


def _staff_callback(client, surface, output_fragment: str, search: str) -> dict:
    cb = next(c for c in surface["callbacks"] if c["prefix"] == "/" and output_fragment in c["dep"]["output"])
    body = json.loads(json.dumps(cb["body"]))
    for item in body["inputs"]:
        if item["id"] == "url" and item["property"] == "search":
            item["value"] = search
    body["changedPropIds"] = ["url.search"]
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_json()["response"]


def _open_count(panel) -> int:
    counts = _find(panel, "open-count")
    assert len(counts) == 1
    return int(counts[0]["props"]["children"][0]["props"]["children"])


def test_other_grid_leader_sees_no_demo_grid_case_on_the_map(make_client, surface, session):
    demo_open = _open_cases_in(session, DEMO_GRID)
    assert demo_open
    admin = _staff_callback(make_client("admin"), surface, "map-cases.data", f"?area={DEMO_GRID}")
    other = _staff_callback(make_client("other_leader"), surface, "map-cases.data", f"?area={DEMO_GRID}")
    assert {f["properties"]["code"] for f in admin["map-cases"]["data"]["features"]} == demo_open
    assert other["map-cases"]["data"]["features"] == []
    # at street level the map shows the leader's own grid only
    street = _staff_callback(make_client("other_leader"), surface, "map-cases.data", f"?area={STREET}")
    assert {f["properties"]["code"] for f in street["map-cases"]["data"]["features"]} == _open_cases_in(session, OTHER_GRID)


def test_other_grid_leader_panel_counts_none_of_the_demo_grid(make_client, surface, session):
    demo_open = _open_cases_in(session, DEMO_GRID)
    admin = _staff_callback(make_client("admin"), surface, "area-panel.children", f"?area={DEMO_GRID}")
    other = _staff_callback(make_client("other_leader"), surface, "area-panel.children", f"?area={DEMO_GRID}")
    assert _open_count(admin["area-panel"]["children"]) == len(demo_open)
    assert _open_count(other["area-panel"]["children"]) == 0


def test_other_grid_leader_building_panel_lists_no_demo_grid_case(make_client, surface, session):
    building = session.execute(select(m.Case.building_code).where(m.Case.grid_code == DEMO_GRID,
                                                                  m.Case.status.in_(OPEN_STATUSES),
                                                                  m.Case.building_code.is_not(None))).scalars().first()
    admin = _staff_callback(make_client("admin"), surface, "area-panel.children", f"?area={building}")
    other = _staff_callback(make_client("other_leader"), surface, "area-panel.children", f"?area={building}")
    assert _find(admin["area-panel"]["children"], "case-item")
    assert _find(other["area-panel"]["children"], "case-item") == []


def test_other_grid_leader_screen_shows_only_own_grid(make_client, surface, session):
    cb = next(c for c in surface["callbacks"] if c["prefix"] == "/screen/" and "screen-map-cases.data" in c["dep"]["output"])
    body = json.loads(json.dumps(cb["body"]))
    for item in body["inputs"]:
        if item["id"] == "screen-url":
            item["value"] = f"?area={DEMO_GRID}"
    body["state"] = [dict(s, value=None) if s["id"] == "screen-signature" else s for s in body["state"]]
    r = make_client("other_leader").post("/screen/_dash-update-component", json=body)
    assert r.status_code == 200
    codes = {f["properties"]["code"] for f in r.get_json()["response"]["screen-map-cases"]["data"]["features"]}
    assert codes == _open_cases_in(session, OTHER_GRID)


def test_other_grid_leader_api_summary_counts_none_of_the_demo_grid(make_client, session):
    demo_open = _open_cases_in(session, DEMO_GRID)
    admin = make_client("admin").get(f"/api/areas/{DEMO_GRID}").get_json()
    assert admin["summary"]["open_cases"] == len(demo_open)
    other = make_client("other_leader").get(f"/api/areas/{DEMO_GRID}").get_json()
    assert other["summary"]["open_cases"] == 0
    assert sum(other["summary"]["cases_by_status"].values()) == 0


# Scope in the repository layer.

def _grid_of(session, codes) -> set[str]:
    codes = list(codes)
    if not codes:
        return set()
    return set(session.execute(select(m.Case.grid_code).where(m.Case.code.in_(codes))).scalars())


def test_repository_case_layer_holds_only_the_viewers_grid(session):
    viewer = Viewer("grid_leader", DEMO_GRID)
    codes = [f["properties"]["code"] for f in layers.get_layer(session, areas.get_area(session, STREET), "cases", viewer=viewer)["features"]]
    assert set(codes) == _open_cases_in(session, DEMO_GRID)
    assert layers.get_layer(session, areas.get_area(session, OTHER_GRID), "cases", viewer=viewer)["features"] == []


def test_repository_open_case_list_holds_only_the_viewers_grid(session, now):
    viewer = Viewer("grid_leader", DEMO_GRID)
    cases = dashboard.list_open_cases(session, areas.get_area(session, STREET), now, limit=10_000, viewer=viewer)
    assert {c["code"] for c in cases} == _open_cases_in(session, DEMO_GRID)
    assert dashboard.list_open_cases(session, areas.get_area(session, OTHER_GRID), now, viewer=viewer) == []


def test_repository_summaries_count_only_the_viewers_grid(session, now):
    viewer = Viewer("grid_leader", DEMO_GRID)
    total = session.execute(select(func.count()).where(m.Case.grid_code == DEMO_GRID)).scalar()
    summary = dashboard.area_summary(session, areas.get_area(session, STREET), now, viewer)
    assert summary["open_cases"] == len(_open_cases_in(session, DEMO_GRID))
    assert sum(summary["cases_by_status"].values()) == total
    elsewhere = dashboard.area_summary(session, areas.get_area(session, OTHER_GRID), now, viewer)
    assert elsewhere["open_cases"] == 0 and elsewhere["cases_by_status"] == {}
    assert dashboard.screen_stats(session, areas.get_area(session, STREET), now, viewer)["open"] == summary["open_cases"]
    assert dashboard.screen_stats(session, areas.get_area(session, OTHER_GRID), now, viewer)["open"] == 0


def test_repository_trends_and_boards_hold_only_the_viewers_grid(session, now):
    viewer = Viewer("grid_leader", DEMO_GRID)
    start = (now - dt.timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)
    in_window = session.execute(select(func.count()).where(m.Case.grid_code == DEMO_GRID,
                                                           m.Case.created_at >= start)).scalar()
    assert int(dashboard.cases_by_day(session, areas.get_area(session, STREET), now, viewer)["count"].sum()) == in_window
    assert int(dashboard.cases_by_day(session, areas.get_area(session, OTHER_GRID), now, viewer)["count"].sum()) == 0
    assert dashboard.cases_per_month(session, areas.get_area(session, OTHER_GRID), now, viewer=viewer).empty
    monthly = dashboard.cases_per_month(session, areas.get_area(session, STREET), now, viewer=viewer)
    assert int(monthly["count"].sum()) > 0
    board = dashboard.latest_cases(session, areas.get_area(session, STREET), now, viewer, limit=100)
    assert board and _grid_of(session, [b["code"] for b in board]) == {DEMO_GRID}
    assert dashboard.latest_cases(session, areas.get_area(session, OTHER_GRID), now, viewer) == []


def test_repository_community_scope_covers_its_grids_only(session, now):
    viewer = Viewer("community_staff", "330381001001")
    codes = [f["properties"]["code"] for f in layers.get_layer(session, areas.get_area(session, STREET), "cases", viewer=viewer)["features"]]
    communities = set(session.execute(select(m.Case.community_code).where(m.Case.code.in_(codes))).scalars())
    assert codes and communities == {"330381001001"}


# Revocation and deactivation.

def test_revoked_display_token_stops_working(server):
    from db import users

    now = settings.now()
    with session_scope() as session:
        token = users.create_display_token(session, "安全测试大屏", STREET, now)
        token_id = next(t["id"] for t in users.list_display_tokens(session) if t["label"] == "安全测试大屏")
    try:
        kiosk = _screen_client(server, token)
        assert kiosk.get("/screen/_dash-layout").status_code == 200
        with session_scope() as session:
            users.revoke_display_token(session, token_id, now)
        # the running session dies with the token, and the token no longer opens the screen
        assert kiosk.get("/screen/_dash-layout").status_code == 401
        again = server.test_client().get(f"/screen/?token={token}", headers={"Accept": HTML})
        assert switched_off(again)  # a public display says it was switched off: no login form on it
    finally:
        with session_scope() as session:
            session.execute(delete(m.DisplayToken).where(m.DisplayToken.id == token_id))


def test_deactivated_user_session_stops_working(server):
    from db import users

    with session_scope() as session:
        users.create_user(session, "sec-leaving", "leaving-pass-2026", "grid_leader", OTHER_GRID)
    try:
        client = _logged_in(server, "sec-leaving", "leaving-pass-2026")
        assert client.get("/_dash-layout").status_code == 200
        with session_scope() as session:
            users.set_active(session, "sec-leaving", False)
        assert client.get("/_dash-layout").status_code == 401
        assert client.get("/api/areas").status_code == 401
        relogin = login(server.test_client(), "sec-leaving", "leaving-pass-2026")
        assert relogin.status_code == 401
    finally:
        with session_scope() as session:
            session.execute(delete(m.LoginFailure).where(m.LoginFailure.username == "sec-leaving"))
            session.execute(delete(m.User).where(m.User.username == "sec-leaving"))


# The login form.

@pytest.fixture()
def throwaway_user(seeded_url):
    """A user of its own, so failed logins here never throttle the demo accounts other tests log in with."""
    from db import users

    username, password = "sec-login-user", "sec-login-pass"
    with session_scope() as session:
        users.create_user(session, username, password, "grid_leader", DEMO_GRID)
    yield username, password
    with session_scope() as session:
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.username.in_([username, "sec-nobody"])))
        session.execute(delete(m.User).where(m.User.username == username))


def _client_from(server, remote_addr: str):
    # failures count per address too: an address of its own keeps 127.0.0.1 (the browser tests) unthrottled
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def test_login_wrong_password_is_401_with_message(server, throwaway_user):
    username, _ = throwaway_user
    r = login(_client_from(server, "198.51.100.1"), username, "not-the-password")
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.get_data(as_text=True)
    unknown = login(_client_from(server, "198.51.100.1"), "sec-nobody", "whatever-password")
    assert unknown.status_code == 401 and "用户名或密码不正确" in unknown.get_data(as_text=True)


def test_login_throttled_after_five_failures(server, throwaway_user):
    username, password = throwaway_user
    client = _client_from(server, "198.51.100.2")
    for _ in range(5):
        assert login(client, username, "not-the-password").status_code == 401
    r = login(client, username, password)
    assert r.status_code == 429
    assert "尝试次数过多" in r.get_data(as_text=True)
    # the pause is the guessing address's: the owner elsewhere still gets in (tests/test_login.py: the rest)
    assert login(_client_from(server, "198.51.100.3"), username, password).status_code == 302


def _login_with_next(client, target: str, username: str, password: str):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login?next=" + quote(target, safe=""),
                       data={"csrf_token": token, "username": username, "password": password})


def _browser_target(location: str) -> str:
    """The host a browser goes to for a Location header (WHATWG URL: tabs/newlines dropped, '\\' is '/')."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://127.0.0.1/login", cleaned)).netloc


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "//evil.example/path",
                                    "https:evil.example", "/\\evil.example", "/\t/evil.example", "\\\\evil.example"])
def test_login_next_cannot_leave_the_site(server, throwaway_user, target):
    username, password = throwaway_user
    r = _login_with_next(_client_from(server, "198.51.100.4"), target, username, password)
    assert r.status_code == 302
    assert _browser_target(r.headers["Location"]) == "127.0.0.1", r.headers["Location"]


def test_login_next_keeps_a_local_path(server, throwaway_user):
    username, password = throwaway_user
    r = _login_with_next(_client_from(server, "198.51.100.5"), "/?area=330381001002", username, password)
    assert r.status_code == 302 and r.headers["Location"] == "/?area=330381001002"


def test_session_cookie_is_httponly_and_lax(server, throwaway_user):
    username, password = throwaway_user
    r = login(_client_from(server, "198.51.100.6"), username, password)
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    flags = [f.strip().lower() for f in cookies[-1].split(";")]
    assert "httponly" in flags and "samesite=lax" in flags


def test_logout_is_post_and_ends_the_session(server, throwaway_user):
    username, password = throwaway_user
    client = _logged_in(server, username, password, "198.51.100.7")
    client.get("/logout")  # a GET (a link, an <img> on another page) must not log anyone out
    assert client.get("/_dash-layout").status_code == 200
    r = client.post("/logout")
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/login"
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/", headers={"Accept": HTML}).status_code == 302


# Paths and headers (issue 14 class 11): a page owns its path by whole segments; no catch-all answers with a page.

def test_a_page_owns_its_path_and_what_lies_under_it_by_whole_segments():
    from app import PAGES
    from layouts.pages import owner

    assert owner(PAGES, "/public").path == "/public/"
    assert owner(PAGES, "/public/").path == "/public/"
    assert owner(PAGES, "/public/_dash-layout").path == "/public/"
    assert owner(PAGES, "/admin/import/x").path == "/admin/import/"
    for path in ("/publicx", "/publicx/", "/public-x/_dash-layout", "/screenx", "/admin-import/"):
        assert owner(PAGES, path).path == "/", path


@pytest.mark.parametrize("path", ["/open311/x", "/open311/v2/x.json", "/open311/v2/", "/api/public/anything",
                                  "/api/public/service-points.geojson/more", "/api/publicx"])
def test_unknown_paths_under_the_json_prefixes_are_404_json(server, path):
    for accept in (HTML, JSON):
        r = server.test_client().get(path, headers={"Accept": accept})
        if path == "/api/publicx":  # not under /api/public/: staff only, like any other path
            assert r.status_code in (302, 401), (path, r.status_code)
            continue
        assert r.status_code == 404, (path, accept, r.status_code)
        assert r.is_json and "<html" not in r.get_data(as_text=True).lower()


def test_an_unknown_path_is_404_json_for_staff_too(make_client):
    admin = make_client("admin")
    for path in ("/publicx", "/cases/x", "/screen/index.html", "/admin/import/x", "/api/areas/330381001/more"):
        r = admin.get(path, headers={"Accept": HTML})
        assert r.status_code == 404, (path, r.status_code)
        assert r.is_json and r.get_json()["error"] == "not found"
        assert "Content-Security-Policy" not in r.headers and r.headers["X-Frame-Options"] == "DENY"


def test_publicx_is_neither_the_public_page_nor_embeddable(server):
    r = server.test_client().get("/publicx", headers={"Accept": HTML})
    assert r.status_code in (302, 401)  # a staff path: the login, not the residents' page
    assert "frame-ancestors" not in r.headers.get("Content-Security-Policy", "")


def test_only_the_public_page_itself_may_be_framed(server):
    anonymous = server.test_client()
    page = anonymous.get("/public/", headers={"Accept": HTML})
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert "X-Frame-Options" not in page.headers
    for path in ("/public/_dash-layout", "/public/_dash-dependencies", "/api/public/service-points.geojson",
                 "/login", "/public/nothing-here"):
        r = anonymous.get(path)
        assert "Content-Security-Policy" not in r.headers and r.headers["X-Frame-Options"] == "DENY", path


def test_no_worker_pid_or_server_version_in_the_headers(make_client):
    for kind in ("anonymous", "admin"):
        client = make_client(kind)
        for path in ("/healthz", "/public/", "/api/public/service-points.geojson", "/", "/api/areas"):
            r = client.get(path, headers={"Accept": HTML})
            assert "X-Worker" not in r.headers, (kind, path)
            assert not re.search(r"\d", r.headers.get("Server", "")), (kind, path, r.headers.get("Server"))


def test_nul_in_a_path_or_query_is_400_not_a_database_error(make_client):
    admin = make_client("admin")
    for url in ("/api/areas/3303%0081001", "/api/areas/330381001/coverage?type=%E7%88%B1%00",
                "/api/cases/AJ%000000001/photos/1", "/?area=330381001%00"):
        r = admin.get(url)
        assert r.status_code == 400, (url, r.status_code)
        assert r.get_json()["error"] == "control characters in the path or query"


def test_login_with_nul_in_name_or_password_says_so_in_chinese(server):
    from layouts import text

    for username, password in (("admin\x00", "whatever-password"), ("admin", "pass\x00word"), ("\x00", "\x00")):
        client = _client_from(server, "198.51.100.9")
        r = login(client, username, password)
        assert r.status_code == 400, (username, password, r.status_code)
        assert text.LOGIN_BAD_CHARACTERS in r.get_data(as_text=True)


def test_nul_in_a_repeated_query_parameter_is_400_too(make_client):
    r = make_client("admin").get("/api/areas/330381001/coverage?type=%E7%88%B1&type=%00")
    assert r.status_code == 400
