"""PII never reaches /public or /screen (DESIGN §7): every answer of both, scanned for the demo's people and phones."""
from __future__ import annotations

import itertools
import json
import re

import pytest
from sqlalchemy import select

from db import models as m
from tests.test_security import SCREEN_TOKEN, callback_body, layout_props
import settings

STREET = "330381001"
# a mobile number standing on its own: not inside an epoch-ms timestamp or a coordinate's decimals, nor inside
# an id such as Dash's hex endId (2 % of page loads have 11 digits in a row there)
MOBILE = re.compile(r"(?<![0-9A-Za-z.])1[3-9]\d{9}(?![0-9A-Za-z])")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
SEARCHES = ["", "食堂", "路", "中心", "社区", "王", "李", "张", "网格长", "志愿者", "138", "0577", "<b>x</b>", "S0001"]
LOCATIONS = [None, [27.778, 120.633], [27.79, 120.61], [27.76, 120.65]]


@pytest.fixture(scope="module")
def people(seeded_url):
    """Every person's name and phone the demo database holds: volunteers, case reporters, grid leaders."""
    from db.engine import session_scope

    with session_scope() as session:
        names = set(session.execute(select(m.Volunteer.name)).scalars())
        names |= set(session.execute(select(m.Case.reporter_name)).scalars())
        names |= set(session.execute(select(m.Area.leader_name)).scalars())
        phones = set(session.execute(select(m.Volunteer.phone)).scalars())
        phones |= set(session.execute(select(m.Case.reporter_phone)).scalars())
        phones |= set(session.execute(select(m.Area.leader_phone)).scalars())
    names.discard(None)
    phones.discard(None)
    assert len(names) > 300 and len(phones) > 300  # the scan is only as good as its list
    return names, phones


@pytest.fixture(scope="module")
def places(seeded_url) -> dict:
    from db.engine import session_scope

    with session_scope() as session:
        public = session.execute(select(m.ServicePoint.code).where(m.ServicePoint.is_public)
                                 .order_by(m.ServicePoint.code)).scalars().all()
        hidden = session.execute(select(m.ServicePoint.code).where(~m.ServicePoint.is_public)).scalars().first()
        compound = session.execute(select(m.Area.code).where(m.Area.level == "compound")).scalars().first()
        building = session.execute(select(m.Building.code)).scalars().first()
        communities = session.execute(select(m.Area.code).where(m.Area.level == "community")).scalars().all()
        grids = session.execute(select(m.Area.code).where(m.Area.level == "grid")).scalars().all()
    return {"public": public, "hidden": hidden, "compound": compound, "building": building,
            "communities": communities, "grids": grids}


def _text(response) -> str:
    """The body as a person would read it: JSON re-encoded so that Chinese is not hidden behind \\u escapes."""
    raw = response.get_data(as_text=True)
    if response.mimetype.endswith("json"):
        return json.dumps(json.loads(raw), ensure_ascii=False)
    return raw


def _leaks(body: str, names: set[str], phones: set[str]) -> list[str]:
    found = set(MOBILE.findall(body)) | {p for p in phones if p in body}
    for run in CJK_RUN.findall(body):
        for size in (2, 3, 4):
            found |= {run[i:i + size] for i in range(len(run) - size + 1)} & names
    return sorted(found)


class Collector:
    """Calls one app as one client and keeps every answer's text, labelled for the failure message."""

    def __init__(self, client, prefix: str):
        self.client, self.prefix, self.bodies = client, prefix, []
        self.deps = client.get(prefix + "_dash-dependencies").get_json()
        self.props = layout_props(client.get(prefix + "_dash-layout").get_json())

    def get(self, url: str, **kwargs):
        r = self.client.get(url, follow_redirects=True, **kwargs)
        assert r.status_code == 200, (url, r.status_code)
        self.bodies.append((f"GET {url}", _text(r)))
        return r

    def call(self, output_fragment: str, values: dict, state: dict | None = None, changed: str | None = None):
        dep = next(d for d in self.deps if output_fragment in d["output"] and not d.get("clientside_function"))
        body = callback_body(dep, self.props, values)
        for item in body["state"]:
            if state and (item["id"], item["property"]) in state:
                item["value"] = state[(item["id"], item["property"])]
        if changed:
            body["changedPropIds"] = [changed]
        r = self.client.post(self.prefix + "_dash-update-component", json=body)
        assert r.status_code in (200, 204), (output_fragment, values, r.status_code)
        if r.status_code == 200:
            self.bodies.append((f"callback {output_fragment} {values}", _text(r)))
        return r

    def leaks(self, people) -> list[str]:
        names, phones = people
        assert len(self.bodies) > 10
        return [f"{label}: {found}" for label, body in self.bodies if (found := _leaks(body, names, phones))]


@pytest.fixture(scope="module")
def public_bodies(seeded_url, places):
    from app import server
    from layouts.public_page import PUBLIC_TYPES

    anonymous = server.test_client()
    c = Collector(anonymous, "/public/")
    for url in ("/public", "/public/", "/public/_dash-layout", "/public/_dash-dependencies",
                "/api/public/service-points.geojson", "/api/public/basemap.geojson"):
        c.get(url)
    points = "..public-list.children"
    for query in SEARCHES:
        c.call(points, {("public-search", "value"): query, ("public-types", "value"): [],
                        ("public-location", "data"): None, ("public-url", "search"): ""}, changed="public-search.value")
    for types in ([], ["爱心食堂"], ["日间照料中心", "红色驿站"], PUBLIC_TYPES, ["调解室"]):
        c.call(points, {("public-search", "value"): "", ("public-types", "value"): types,
                        ("public-location", "data"): None, ("public-url", "search"): ""}, changed="public-types.value")
    for location, query in itertools.product(LOCATIONS, ("", "食堂")):
        c.call(points, {("public-search", "value"): query, ("public-types", "value"): [],
                        ("public-location", "data"): location, ("public-url", "search"): ""},
               changed="public-location.data")
    for point in (places["public"][0], places["public"][-1], places["hidden"], "bogus"):
        c.call(points, {("public-search", "value"): "", ("public-types", "value"): [],
                        ("public-location", "data"): None, ("public-url", "search"): f"?point={point}"},
               changed="public-url.search")
    for click in ({"latlng": {"lat": 27.778, "lng": 120.633}}, {"latlng": [27.77, 120.64]}):
        c.call("public-location.data", {("public-map", "clickData"): click}, changed="public-map.clickData")
    c.call("public-alert.className", {("public-db-poll", "n_intervals"): 1}, changed="public-db-poll.n_intervals")
    return c


def _screen_bodies(client, places, entry: str) -> Collector:
    """`client` opens `entry` (which logs it in, or it is logged in already), then everything the screen calls."""
    assert client.get(entry).status_code == 200
    c = Collector(client, "/screen/")
    for url in (entry, "/screen/", "/screen/_dash-layout", "/screen/_dash-dependencies"):
        c.get(url)
    searches = ["", "?refresh=5&tour=0", f"?area={STREET}", f"?area={places['communities'][0]}",
                f"?area={places['grids'][0]}", f"?area={places['compound']}", f"?area={places['building']}",
                "?area=bogus"]
    for search in searches:
        c.call("screen-refresh.interval", {("screen-url", "search"): search}, changed="screen-url.search")
        c.call("screen-title.children", {("screen-refresh", "n_intervals"): 1, ("screen-stop", "data"): None},
               state={("screen-signature", "data"): None, ("screen-url", "search"): search},
               changed="screen-refresh.n_intervals")
    stops = []
    for n in range(10):  # the auto-tour visits every community and returns to the overview
        r = c.call("screen-map.viewport", {("screen-tour", "n_intervals"): n, ("screen-url", "search"): ""},
                   changed="screen-tour.n_intervals")
        stops.append(r.get_json()["response"]["screen-stop"]["data"])
    for stop in stops:  # and the numbers follow it
        c.call("screen-title.children", {("screen-refresh", "n_intervals"): 1, ("screen-stop", "data"): stop},
               state={("screen-signature", "data"): None, ("screen-url", "search"): ""},
               changed="screen-stop.data")
    c.call("screen-alert.className", {("screen-db-poll", "n_intervals"): 1}, changed="screen-db-poll.n_intervals")
    return c


@pytest.fixture(scope="module")
def screen_bodies(seeded_url, places):
    from app import server

    return _screen_bodies(server.test_client(), places, f"/screen/?token={SCREEN_TOKEN}")


def test_public_answers_hold_no_names_or_phones(public_bodies, people):
    assert public_bodies.leaks(people) == []


def test_public_answers_are_about_places(public_bodies):
    # the scan looked at real content: the list, the GeoJSON, the walking distances
    text = "\n".join(body for _, body in public_bodies.bodies)
    assert "共 " in text and "步行约" in text and "FeatureCollection" in text


def test_screen_answers_hold_no_names_or_phones(screen_bodies, people):
    assert screen_bodies.leaks(people) == []


def test_screen_answers_are_about_cases(screen_bodies):
    text = "\n".join(body for _, body in screen_bodies.bodies)
    assert "screen-board-row" in text and "正在巡览" in text and "在办诉求" in text


def test_screen_opened_by_a_staff_session_holds_no_names_or_phones(seeded_url, places, people):
    # a staff member may put the big screen on the wall from their own session: it is still a public wall
    from app import server
    from tests.helpers import login

    staff = server.test_client()
    assert login(staff).status_code == 302
    assert _screen_bodies(staff, places, "/screen/").leaks(people) == []


def test_screen_never_shows_a_name_or_phone_typed_into_a_case(seeded_url, places):
    # a description is a resident's own words: whatever they typed into it must not reach the wall either
    import datetime as dt

    from sqlalchemy import delete

    from app import server
    from db import cache
    from db.engine import session_scope

    typed_name, typed_phone = "王小明", "13800001234"
    now = settings.now()
    with session_scope() as session:
        building = session.get(m.Building, places["building"])
        session.add(m.Case(code="AJ9999902", category="设施维修", source="居民上报", level="小区", status="处置中",
                           description=f"{typed_name}反映楼道灯坏了，电话{typed_phone}", reporter_name=typed_name,
                           reporter_phone=typed_phone, building_code=building.code, created_at=now,
                           accepted_at=now, deadline=now + dt.timedelta(days=3), lon=building.lon, lat=building.lat,
                           compound_code=building.compound_code, grid_code=building.grid_code,
                           community_code=building.community_code, street_code=building.street_code))
        cache.mark_changed(session)
    try:
        wall = _screen_bodies(server.test_client(), places, f"/screen/?token={SCREEN_TOKEN}")
        leaked = [f"{label}: …{body[max(0, body.find(typed_name) - 60):body.find(typed_name) + 40]}…"
                  for label, body in wall.bodies if typed_phone in body or typed_name in body]
        assert leaked == [], "\n".join(leaked)
    finally:
        with session_scope() as session:
            case_id = session.execute(select(m.Case.id).where(m.Case.code == "AJ9999902")).scalar()
            session.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))
            session.execute(delete(m.Case).where(m.Case.code == "AJ9999902"))
            cache.mark_changed(session)
