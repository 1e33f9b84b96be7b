"""Open311 GeoReport v2: field names and formats as the spec gives them, keys required, errors in spec form."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

KEY = "test-key-0123456789abcdef"
SPEC_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
               "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
               "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture()
def client(seeded_url, monkeypatch):
    from app import server

    monkeypatch.setitem(server.config, "OPEN311_KEYS", {KEY: "12345热线"})
    return server.test_client()


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
    from db import models as m

    b = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100201").limit(1)).scalar_one()
    point = b.geometry.representative_point()
    services = client.get("/open311/v2/services.json", query_string={"api_key": KEY}).get_json()
    code = next(s["service_code"] for s in services if s["service_name"] == "设施维修")
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
        from db.engine import session_scope

        from sqlalchemy import delete

        with session_scope() as s:  # leave the shared demo data as it was (other tests count cases)
            case_id = s.execute(select(m.Case.id).where(m.Case.code == request_id)).scalar_one()
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id == case_id))
            s.execute(delete(m.Case).where(m.Case.id == case_id))


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
