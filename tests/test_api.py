"""JSON endpoints of DESIGN §4 through the Flask test client."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(seeded_url):
    from app import server
    from tests.helpers import login

    c = server.test_client()
    assert login(c).status_code == 302
    return c


def test_healthz_reports_backend(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    from tests.conftest import BACKEND

    assert r.get_json()["backend"] == BACKEND


def test_api_areas_lists_streets(client):
    body = client.get("/api/areas").get_json()
    assert body["areas"] == [{"code": "330381001", "name": "安阳街道", "level": "street"}]


def test_api_area_has_summary_and_children(client):
    body = client.get("/api/areas/330381001").get_json()
    assert body["level"] == "street" and body["parent"] is None
    assert len(body["children"]) == 8
    assert body["children"][0] == {"code": "330381001001", "name": body["children"][0]["name"], "level": "community"}
    assert body["summary"]["households"] > 10000
    assert set(body["summary"]["cases_by_light"]) == {"red", "yellow", "green"}


def test_api_building_area(client):
    compound = client.get("/api/areas/330381001001").get_json()["children"][0]["code"]
    building = client.get(f"/api/areas/{compound}").get_json()["children"][0]
    body = client.get(f"/api/areas/{building['code']}").get_json()
    assert body["level"] == "building" and body["parent"] == compound and body["children"] == []


@pytest.mark.parametrize("code", ["bogus", "999999999", "%3Cscript%3E", "330381001001X999"])
def test_api_unknown_area_is_404_json(client, code):
    r = client.get(f"/api/areas/{code}")
    assert r.status_code == 404
    assert r.get_json()["error"] == "area not found"


def test_api_coverage(client):
    r = client.get("/api/areas/330381001/coverage", query_string={"type": "日间照料中心"})
    body = r.get_json()
    assert r.status_code == 200 and body["radius_m"] == 300 and 0 <= body["households_share"] <= 1
    assert client.get("/api/areas/330381001/coverage", query_string={"type": "火箭发射场"}).status_code == 400
    assert client.get("/api/areas/bogus/coverage", query_string={"type": "爱心食堂"}).status_code == 404


def test_pages_render_without_bulk_data(client):
    r = client.get("/")
    assert r.status_code == 200
    assert len(r.data) < 50_000
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Polygon" not in layout and len(layout) < 50_000
