"""Open311 GeoReport v2: field names and formats as the spec gives them, keys required, errors in spec form."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from settings import Open311Key, _open311_keys

KEY = "test-key-0123456789abcdef"
READ_KEY = "test-read-key-0123456789"  # reads every street, files nothing
STREET_KEY = "test-street-key-0123456789"  # reads and files in the demo street only
OTHER_STREET_KEY = "test-other-street-key-0123"  # a street with no data here
STREET, OTHER_STREET = "330381001", "330381002"
SPEC_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
               "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
               "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture()
def client(seeded_url, monkeypatch):
    from app import server

    monkeypatch.setitem(server.config, "OPEN311_KEYS", {
        KEY: Open311Key("12345热线", None, "write"), READ_KEY: Open311Key("数据大屏", None, "read"),
        STREET_KEY: Open311Key("安阳街道网格系统", STREET, "write"),
        OTHER_STREET_KEY: Open311Key("别的街道", OTHER_STREET, "write")})
    return server.test_client()


def _point_in(session, grid: str = "33038100100201"):
    from db import models as m

    b = session.execute(select(m.Building).where(m.Building.grid_code == grid).limit(1)).scalar_one()
    return b, b.geometry.representative_point()


def _service_code(client, name: str = "设施维修") -> str:
    services = client.get("/open311/v2/services.json", query_string={"api_key": KEY}).get_json()
    return next(s["service_code"] for s in services if s["service_name"] == name)


def _forget(code: str) -> None:
    """Leave the shared demo data as it was (other tests count cases)."""
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.code == code)).scalar_one()
        s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))
        s.execute(delete(m.Case).where(m.Case.id == case_id))


def _case_count() -> int:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(m.Case)).scalar_one()


def test_key_is_required(client):
    for path in ("/open311/v2/services.json", "/open311/v2/requests.json"):
        r = client.get(path)
        assert r.status_code == 401
        assert r.get_json() == [{"code": 401, "description": "api_key missing or not valid"}]
    assert client.get("/open311/v2/services.json", query_string={"api_key": "wrong-key-0123456789"}).status_code == 401


def test_services_list(client):
    services = client.get("/open311/v2/services.json", query_string={"api_key": KEY}).get_json()
    assert {s["service_name"] for s in services} >= {"环境卫生", "停车管理", "微心愿"}
    for s in services:
        assert set(s) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert s["type"] == "realtime" and s["metadata"] is False and s["service_code"].isdigit()


def test_post_then_get_round_trip(client, session):
    b, point = _point_in(session)
    code = _service_code(client)
    r = client.post("/open311/v2/requests.json", data={
        "api_key": KEY, "service_code": code, "lat": point.y, "long": point.x, "description": "路灯不亮已三天",
        "first_name": "三", "last_name": "张", "phone": "13900002222"})
    assert r.status_code == 201
    (created,) = r.get_json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    request_id = created["service_request_id"]
    try:
        (got,) = client.get(f"/open311/v2/requests/{request_id}.json", query_string={"api_key": KEY}).get_json()
        assert set(got) == SPEC_FIELDS
        assert got["status"] == "open" and got["status_notes"] == "待受理" and got["service_code"] == code
        assert got["address_id"] == b.code
        assert got["lat"] == pytest.approx(point.y, abs=1e-6) and got["long"] == pytest.approx(point.x, abs=1e-6)
        requested = dt.datetime.fromisoformat(got["requested_datetime"])
        assert requested.utcoffset() == dt.timedelta(hours=8)
        assert "张" not in str(got) and "13900002222" not in str(got)  # no reporter in the exchange
        listed = client.get("/open311/v2/requests.json", query_string={
            "api_key": KEY, "service_code": code, "status": "open",
            "start_date": (requested - dt.timedelta(minutes=1)).isoformat()}).get_json()
        assert request_id in {x["service_request_id"] for x in listed}
        closed = client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "status": "closed",
                                                                     "service_request_id": request_id}).get_json()
        assert closed == []
    finally:
        _forget(request_id)


@pytest.mark.parametrize("form, message", [
    ({"service_code": "999", "lat": "27.77", "long": "120.63"}, "service_code"),
    ({"service_code": "001", "lat": "", "long": "120.63"}, "lat and long"),
    ({"service_code": "001", "lat": "20.0", "long": "100.0", "description": "x"}, "不在任何社区范围内"),
    ({"service_code": "001", "lat": "27.775", "long": "120.63", "description": ""}, "请填写问题描述"),
])
def test_post_errors_in_spec_form(client, form, message):
    r = client.post("/open311/v2/requests.json", data={"api_key": KEY, **form})
    assert r.status_code == 400
    (error,) = r.get_json()
    assert error["code"] == 400 and message in error["description"]


def test_bad_filters(client):
    assert client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "status": "pending"}).status_code == 400
    assert client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "start_date": "yesterday"}).status_code == 400
    r = client.get("/open311/v2/requests/AJ9999999.json", query_string={"api_key": KEY})
    assert r.status_code == 404 and r.get_json()[0]["code"] == 404


# Bad input: a 400 that says what is wrong, never a 500 (PostgreSQL refuses NUL in text) and no case half written.

@pytest.mark.parametrize("field", ["description", "first_name", "last_name", "phone", "email", "address_string"])
def test_post_with_nul_in_a_field_is_400_naming_it(client, session, field):
    _b, point = _point_in(session)
    form = {"api_key": KEY, "service_code": _service_code(client), "lat": point.y, "long": point.x,
            "description": "路灯不亮已三天", "first_name": "三", "last_name": "张", "phone": "13900002222"}
    form[field] = form.get(field, "x") + "\x00"
    before = _case_count()
    r = client.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 400
    (error,) = r.get_json()
    assert error["code"] == 400 and field in error["description"] and "NUL" in error["description"]
    assert _case_count() == before


@pytest.mark.parametrize("path, query", [
    ("/open311/v2/requests.json", {"service_request_id": "AJ\x000000001"}),
    ("/open311/v2/requests.json", {"service_code": "001\x00"}),
    ("/open311/v2/requests.json", {"status": "open\x00"}),
    ("/open311/v2/requests/AJ%000000001.json", {}),
])
def test_get_with_nul_in_the_query_or_path_is_400(client, path, query):
    r = client.get(path, query_string={"api_key": KEY, **query})
    assert r.status_code == 400
    assert "control characters" in r.get_json()["error"]


@pytest.mark.parametrize("when", [
    "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-10:00",
    "0000-00-00", "2026-11-20T09:30:00+24:00", "2026-11-20T09:30:00-24:00", "99999-01-01", "2026-13-01",
    "1969-12-31T23:59:59", "2100-01-01T00:00:00", "2026-11-20T25:00", "",
])
def test_dates_at_the_edges_of_the_calendar_are_400(client, when):
    for name in ("start_date", "end_date"):
        r = client.get("/open311/v2/requests.json", query_string={"api_key": KEY, name: when or "\t"})
        assert r.status_code == 400, (name, when, r.status_code)
        assert r.get_json()[0]["code"] == 400


def test_dates_near_the_edges_of_the_offsets_are_read(client):
    # ±23:59 are real offsets: they convert to China Standard Time and answer
    for when in ("2026-11-19T00:00:00+23:59", "2026-11-19T00:00:00-23:59", "2026-11-19T00:00:00Z"):
        r = client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "start_date": when})
        assert r.status_code == 200, when


def test_start_after_end_is_400(client):
    r = client.get("/open311/v2/requests.json", query_string={
        "api_key": KEY, "start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"})
    assert r.status_code == 400 and "after" in r.get_json()[0]["description"]


# Keys carry a scope (a street, or all) and a permission (read, write).

def _created(client, key, session):
    _b, point = _point_in(session)
    return client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": _service_code(client), "lat": point.y, "long": point.x,
        "description": "楼道灯坏了"})


def test_read_key_cannot_create(client, session):
    before = _case_count()
    r = _created(client, READ_KEY, session)
    assert r.status_code == 403 and "read" in r.get_json()[0]["description"]
    assert _case_count() == before
    assert client.get("/open311/v2/requests.json", query_string={"api_key": READ_KEY}).status_code == 200


def test_street_key_creates_and_reads_in_its_street(client, session):
    r = _created(client, STREET_KEY, session)
    assert r.status_code == 201
    (created,) = r.get_json()
    try:
        got = client.get(f"/open311/v2/requests/{created['service_request_id']}.json",
                         query_string={"api_key": STREET_KEY})
        assert got.status_code == 200
    finally:
        _forget(created["service_request_id"])


def test_key_of_another_street_cannot_create_here_nor_see_a_case(client, session):
    from db import models as m

    before = _case_count()
    r = _created(client, OTHER_STREET_KEY, session)
    assert r.status_code == 403 and OTHER_STREET in r.get_json()[0]["description"]
    assert _case_count() == before
    code = session.execute(select(m.Case.code).where(m.Case.street_code == STREET).limit(1)).scalar_one()
    # a case outside the key's street looks missing, exactly like an unknown one
    one = client.get(f"/open311/v2/requests/{code}.json", query_string={"api_key": OTHER_STREET_KEY})
    assert one.status_code == 404
    listed = client.get("/open311/v2/requests.json", query_string={"api_key": OTHER_STREET_KEY,
                                                                 "service_request_id": code})
    assert listed.status_code == 200 and listed.get_json() == []
    everything = client.get("/open311/v2/requests.json", query_string={
        "api_key": OTHER_STREET_KEY, "start_date": "2000-01-01T00:00:00+08:00"})
    assert everything.get_json() == []
    assert client.get("/open311/v2/requests.json", query_string={
        "api_key": STREET_KEY, "service_request_id": code}).get_json()[0]["service_request_id"] == code


def test_agency_responsible_names_an_office_never_a_person(client, session):
    from db import models as m
    from layouts import text

    dispatched = session.execute(select(m.Case).where(m.Case.assignee.is_not(None), m.Case.street_code == STREET)
                                 .order_by(m.Case.id).limit(200)).scalars().all()
    people = {c.assignee for c in dispatched}
    assert people
    answer = client.get("/open311/v2/requests.json", query_string={
        "api_key": KEY, "service_request_id": ",".join(c.code for c in dispatched)}).get_json()
    agencies = {a["service_request_id"]: a["agency_responsible"] for a in answer}
    assert len(agencies) == len(dispatched)
    names = dict(session.execute(select(m.Area.code, m.Area.name)).all())
    for case in dispatched:
        agency = agencies[case.code]
        assert agency and agency not in people, (case.code, agency)
        if case.level in ("社区", "街道"):
            code = case.community_code if case.level == "社区" else case.street_code
            assert agency == text.OPEN311_AGENCY[case.level].format(area=names[code], community=""), case.code


# OPEN311_API_KEYS syntax.

def test_keys_setting_reads_scope_and_permission():
    keys = _open311_keys("12345热线:aaaaaaaaaaaaaaaa:all:write, 网格系统:bbbbbbbbbbbbbbbb:330381001:read")
    assert keys == {"aaaaaaaaaaaaaaaa": Open311Key("12345热线", None, "write"),
                    "bbbbbbbbbbbbbbbb": Open311Key("网格系统", "330381001", "read")}


def test_keys_setting_keeps_the_older_syntax_as_all_streets_write():
    assert _open311_keys("12345热线:aaaaaaaaaaaaaaaa") == {"aaaaaaaaaaaaaaaa": Open311Key("12345热线", None, "write")}


@pytest.mark.parametrize("raw", ["x:short", "x:aaaaaaaaaaaaaaaa:3303:write", "x:aaaaaaaaaaaaaaaa:all:admin",
                                 "x:aaaaaaaaaaaaaaaa:all", "aaaaaaaaaaaaaaaa",
                                 "x:aaaaaaaaaaaaaaaa,y:aaaaaaaaaaaaaaaa"])
def test_keys_setting_refuses_what_it_cannot_read(raw):
    with pytest.raises(SystemExit) as refused:
        _open311_keys(raw)
    assert "OPEN311_API_KEYS" in str(refused.value)
