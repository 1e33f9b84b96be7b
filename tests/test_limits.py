"""Request size (issue 14 class 1): a body limit for every request, larger only where a page takes files, checked
before anything reads the body; and no callback sends back what it was sent, however much that was."""
from __future__ import annotations

import base64
import io
import json

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.helpers import dash_body, find_callback, login

JUNK = "junk-that-must-not-come-back"


@pytest.fixture(scope="module")
def server(seeded_url):
    from app import server

    return server


@pytest.fixture()
def admin(server):
    client = server.test_client()
    login(client)
    return client


def _limit(server) -> int:
    return server.config["JINLIN_MAX_BODY"]


def test_default_limit_is_two_megabytes(server):
    assert _limit(server) == 2 * 1024 * 1024


def test_oversized_body_is_413_json_before_it_is_read(server):
    # not JSON at all: were it read, the answer would be 400 (malformed); 413 shows the length alone decided
    body = b"x" * (_limit(server) + 1)
    for path in ("/public/_dash-update-component", "/login", "/api/public/service-points.geojson"):
        r = server.test_client().post(path, data=body, content_type="application/json")
        assert r.status_code == 413, (path, r.status_code)
        assert r.get_json() == {"error": "request body too large", "limit_bytes": _limit(server)}


def test_a_body_streamed_without_length_is_cut_at_the_limit(server):
    """Chunked uploads carry no Content-Length: werkzeug stops reading at the limit (gunicorn terminates the input)."""
    environ = EnvironBuilder(path="/public/_dash-update-component", method="POST", content_type="application/json",
                             input_stream=io.BytesIO(b"[" + b"1," * _limit(server) + b"1]")).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    body, status, headers = run_wsgi_app(server, environ, buffered=True)
    assert status.startswith("413")
    assert json.loads(b"".join(body)) == {"error": "request body too large", "limit_bytes": _limit(server)}


def test_upload_routes_take_their_largest_file_as_base64_on_top(server):
    """The intake photo (map, /cases/), the case sheet (/cases/) and the geodata file (/admin/import/) decide it."""
    from api.auth import body_limit
    from app import PAGES
    from layouts import import_page
    from workflow import case_table, photos

    base = _limit(server)

    def as_base64(n: int) -> int:
        return len(base64.b64encode(b"\0" * n))

    assert body_limit(PAGES, "/_dash-update-component", base) == base + as_base64(photos.MAX_BYTES)
    assert body_limit(PAGES, "/cases/_dash-update-component", base) == base + as_base64(
        max(case_table.MAX_BYTES, photos.MAX_BYTES))
    assert body_limit(PAGES, "/admin/import/_dash-update-component", base) == base + as_base64(
        import_page.UPLOAD_LIMIT)
    for path in ("/public/_dash-update-component", "/wishes/_dash-update-component", "/screen/_dash-update-component",
                 "/planning/_dash-update-component", "/admin/_dash-update-component", "/cases/_dash-layout",
                 "/login", "/open311/v2/requests.json"):
        assert body_limit(PAGES, path, base) == base, path


def _sheet_body(client, size: int) -> dict:
    deps = client.get("/cases/_dash-dependencies").get_json()
    contents = "data:text/plain;base64," + base64.b64encode(b"a" * size).decode()
    return dash_body(find_callback(deps, "cases-import-file.data"),
                     {"cases-import-upload.contents": contents, "cases-import-upload.filename": "big.txt"})


def test_the_largest_sheet_the_import_takes_reaches_it(admin):
    from layouts import text
    from workflow import case_table

    largest = case_table.MAX_BYTES - case_table.MAX_BYTES % 3  # (the decoder's size estimate ignores padding)
    r = admin.post("/cases/_dash-update-component", json=_sheet_body(admin, largest))
    assert r.status_code == 200
    # the callback's own answer (a .txt is no sheet), not the boundary's
    assert text.REFUSALS["sheet_type"] in r.get_data(as_text=True)


def test_the_same_body_to_a_page_without_uploads_is_413(admin):
    from workflow import case_table

    body = _sheet_body(admin, case_table.MAX_BYTES)
    r = admin.post("/wishes/_dash-update-component", json=body)
    assert r.status_code == 413


def test_anonymous_upload_route_refuses_before_the_size(server):
    r = server.test_client().post("/cases/_dash-update-component", data=b"x" * (_limit(server) + 1),
                                  content_type="application/json")
    assert r.status_code == 401


def _public_points_body(client, **values) -> dict:
    deps = client.get("/public/_dash-dependencies").get_json()
    return dash_body(find_callback(deps, "public-list.children"), values, changed="public-search.value")


def test_public_callback_answer_stays_bounded_whatever_it_is_sent(server):
    """A body just under the limit, every input stuffed: the answer is as small as an ordinary one, and holds none of
    it (the 50 MiB echo of the finding)."""
    anonymous = server.test_client()
    ordinary = anonymous.post("/public/_dash-update-component", json=_public_points_body(anonymous))
    assert ordinary.status_code == 200
    share = _limit(server) // 5
    hostile = _public_points_body(
        anonymous, **{"public-search.value": JUNK * (share // len(JUNK)),
                      "public-types.value": [JUNK] * (share // (len(JUNK) + 3)) + ["爱心食堂"],
                      "public-location.data": [27.7, 120.6, JUNK * (share // len(JUNK))],
                      "public-url.search": "?point=" + JUNK * (share // len(JUNK))})
    raw = json.dumps(hostile).encode()
    assert _limit(server) * 0.75 < len(raw) < _limit(server)
    r = anonymous.post("/public/_dash-update-component", data=raw, content_type="application/json")
    assert r.status_code == 200
    answer = r.get_data(as_text=True)
    assert len(answer) <= len(ordinary.get_data(as_text=True)) + 1000
    assert answer.count(JUNK) == 0  # the search is matched on the server: only the codes it found go back
    hideout = r.get_json()["response"]["public-points"]["hideout"]
    assert hideout["codes"] == [] and hideout["types"] == ["爱心食堂"] and "q" not in hideout


def test_public_hideout_is_rebuilt_not_merged(server):
    """A state the browser sends (an old page's, or a forged one) is not a callback input any more."""
    deps = server.test_client().get("/public/_dash-dependencies").get_json()
    dep = find_callback(deps, "public-list.children")
    assert all(s["property"] != "hideout" for s in dep.get("state", []))


@pytest.mark.parametrize("click, located", [
    ({"latlng": {"lat": 27.7, "lng": 120.6, "x": JUNK}}, [27.7, 120.6]), ({"latlng": [27.7, 120.6]}, [27.7, 120.6]),
    ({"latlng": [27.7, 120.6, JUNK]}, None), ({"latlng": JUNK}, None), ({"latlng": {"lat": JUNK, "lng": 1}}, None),
    ({"latlng": [95, 10]}, None), ([JUNK], None), (JUNK, None)])
def test_tap_to_locate_answers_two_numbers_or_nothing(server, click, located):
    anonymous = server.test_client()
    deps = anonymous.get("/public/_dash-dependencies").get_json()
    body = dash_body(find_callback(deps, "public-location.data"), {"public-map.clickData": click})
    r = anonymous.post("/public/_dash-update-component", json=body)
    assert r.status_code in (200, 204)
    assert JUNK not in r.get_data(as_text=True)
    answer = r.get_json()["response"] if r.status_code == 200 else {}
    assert answer.get("public-location", {}).get("data") == located


def test_max_body_setting_is_read_in_kilobytes(monkeypatch):
    import settings

    monkeypatch.setenv("JINLIN_MAX_BODY_KB", "64")
    assert settings.load().max_body == 64 * 1024
    for wrong in ("0", "-1", "2MB", "1.5"):
        monkeypatch.setenv("JINLIN_MAX_BODY_KB", wrong)
        with pytest.raises(SystemExit, match="JINLIN_MAX_BODY_KB"):
            settings.load()
