"""Several gunicorn workers answer exactly like one process, and a data change reaches every worker; gunicorn as the
README starts it (gunicorn.conf.py): its limits, its headers, and its access log without secrets."""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.browser.conftest import _free_port
from tests.conftest import new_database_url
from tests.helpers import dash_body, find_callback, logged_in_opener, login

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
API_KEY = "serving-test-key-0123456789"
SCREEN_TOKEN = "demo-screen-token-2026"
ACCESS_LOGS: dict = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_data):
    """Its own seeded database (this module writes to it), served by gunicorn with several workers."""
    url = new_database_url(tmp_path_factory.mktemp("serving"), "serving")
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    from db.migrate import upgrade_to_head
    from db.seed import write_demo

    upgrade_to_head()
    write_demo(demo_data)
    port = _free_port()
    folder = tmp_path_factory.mktemp("gunicorn")
    log, access = folder / "gunicorn.log", folder / "access.log"
    env = {**os.environ, "DATABASE_URL": url, "OPEN311_API_KEYS": f"热线:{API_KEY}"}
    with open(log, "w") as out:
        # the README's command, with the access log in a file of its own to read back
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", str(WORKERS),
                                 "-b", f"127.0.0.1:{port}", "--access-logfile", str(access), "app:server"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180  # three workers importing the app on a busy two-core box
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(log.read_text())
            time.sleep(0.3)
    ACCESS_LOGS[base] = access
    yield base, url
    proc.terminate()
    proc.wait(timeout=15)
    if previous is not None:
        os.environ["DATABASE_URL"] = previous


_OPENERS: dict = {}


def _opener(base: str):
    if base not in _OPENERS:
        _OPENERS[base] = logged_in_opener(base)
    return _OPENERS[base]


def _get(url: str):
    base = url.split("/api/")[0]
    with _opener(base).open(url, timeout=10) as r:
        return r.status, json.loads(r.read()), r.headers


def _logged(base: str, marker: str, n: int) -> list[str]:
    """The access log's lines holding `marker`, once there are n (gunicorn writes each just after its response)."""
    deadline = time.time() + 30
    while True:
        lines = [line for line in ACCESS_LOGS[base].read_text().splitlines() if marker in line]
        if len(lines) >= n or time.time() > deadline:
            return lines


def _pids_seen(base: str, path: str, n: int) -> tuple[list, set]:
    """n concurrent requests: sync workers take one each, so they spread over the processes; the access log says
    which worker answered each (no response header does)."""
    marker = uuid.uuid4().hex
    tagged = f"{path}{'&' if '?' in path else '?'}batch={marker}"
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda _: _get(base + tagged), range(n)))
    assert all(status == 200 for status, _, _ in results)
    lines = _logged(base, marker, n)
    assert len(lines) == n
    return [body for _, body, _ in results], {re.search(r"pid=<(\d+)>", line).group(1) for line in lines}


def test_workers_agree_with_one_process(served):
    base, url = served
    from app import server

    client = server.test_client()
    login(client)
    for path in ("/api/areas", "/api/areas/330381001", "/api/areas/330381001004",
                 "/api/areas/330381001004/coverage?type=%E7%88%B1%E5%BF%83%E9%A3%9F%E5%A0%82"):
        expected = client.get(path).get_json()
        bodies, pids = _pids_seen(base, path, 12)
        assert all(b == expected for b in bodies), path
    assert len(pids) > 1, "requests never reached a second worker"


def test_data_change_reaches_every_worker(served):
    base, url = served
    from db import cache, models as m
    from db.engine import session_scope

    path = "/api/areas/330381001002"
    before, _ = _pids_seen(base, path, 9)  # warms every worker's cache
    open_before = before[0]["summary"]["open_cases"]
    assert open_before > 0
    with session_scope() as session:
        session.execute(update(m.Case).where(m.Case.community_code == "330381001002",
                                             m.Case.status.in_(["待受理", "已受理", "已派单", "处置中"]))
                        .values(status="已办结"))
        cache.mark_changed(session)
    after, pids = _pids_seen(base, path, 12)
    assert [b["summary"]["open_cases"] for b in after] == [0] * 12
    assert len(pids) > 1


def _map_callback_body(client) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    return dash_body(find_callback(deps, "map-drill.data"), {"url.search": "?area=330381001005"})


def test_drill_callback_same_on_every_worker(served):
    base, _ = served
    from app import server

    client = server.test_client()
    login(client)
    body = _map_callback_body(client)
    expected = client.post("/_dash-update-component", json=body).get_json()["response"]

    marker = uuid.uuid4().hex

    def post(_):
        req = urllib.request.Request(f"{base}/_dash-update-component?batch={marker}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with _opener(base).open(req, timeout=10) as r:
            return json.loads(r.read())["response"]

    with ThreadPoolExecutor(max_workers=9) as pool:
        results = list(pool.map(post, range(9)))
    assert all(resp == expected for resp in results)
    pids = {re.search(r"pid=<(\d+)>", line).group(1) for line in _logged(base, marker, 9)}
    assert len(pids) > 1
    assert len(expected["map-drill"]["data"]["features"]) > 3


# gunicorn as deployed (issue 14 classes 1, 11, 13).

def _raw(base: str, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
         chunks: list[bytes] | None = None) -> tuple[int, dict, bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if chunks is not None:
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        if body:
            conn.send(body)
        for chunk in chunks or ():
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if chunks is not None:
            conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_gunicorn_says_no_version_and_no_worker(served):
    base, _ = served
    for path in ("/healthz", "/public/", "/login", "/api/public/service-points.geojson"):
        status, headers, _ = _raw(base, "GET", path)
        assert status == 200, path
        assert "x-worker" not in headers and not re.search(r"\d", headers.get("server", "")), (path, headers)


def test_gunicorn_refuses_a_declared_oversized_body_without_reading_it(served):
    base, _ = served
    # 100 MiB announced, nothing sent: the answer comes from the length alone
    status, _, body = _raw(base, "POST", "/public/_dash-update-component",
                           {"Content-Type": "application/json", "Content-Length": str(100 * 2**20)})
    assert status == 413 and json.loads(body)["error"] == "request body too large"


def test_gunicorn_refuses_a_chunked_body_past_the_limit(served):
    base, _ = served
    limit = 2 * 1024 * 1024
    status, _, body = _raw(base, "POST", "/public/_dash-update-component", {"Content-Type": "application/json"},
                           chunks=[b" " * 65536] * (limit // 65536 + 2))
    assert status == 413 and json.loads(body)["limit_bytes"] == limit


def test_gunicorn_limits_the_request_line_and_headers(served):
    base, _ = served
    assert _raw(base, "GET", "/healthz?" + "a" * 5000)[0] == 414
    assert _raw(base, "GET", "/healthz", {f"X-Filler-{i}": "x" for i in range(60)})[0] == 431
    assert _raw(base, "GET", "/healthz", {"X-Filler": "x" * 9000})[0] == 431


def test_gunicorn_unknown_paths_are_404_json(served):
    base, _ = served
    for path in ("/open311/x", "/api/public/anything", "/open311/v2/x.json"):
        status, headers, body = _raw(base, "GET", path, {"Accept": "text/html"})
        assert status == 404 and headers["content-type"].startswith("application/json"), path
        assert json.loads(body)["error"] == "not found"


def test_gunicorn_access_log_holds_no_token_nor_api_key(served):
    base, _ = served
    marker = uuid.uuid4().hex
    requests = [
        ("GET", f"/screen/?token={SCREEN_TOKEN}&m={marker}", {}),
        ("GET", f"/open311/v2/services.json?api_key={API_KEY}&m={marker}", {}),
        ("GET", f"/open311/v2/services.json?API_KEY={API_KEY}&m={marker}", {}),  # any case, any encoding
        ("GET", f"/open311/v2/services.json?api%5Fkey={API_KEY}&m={marker}", {}),
        # the Referer of every file a kiosk's page loads carries its token
        ("GET", f"/healthz?m={marker}", {"Referer": f"{base}/screen/?token={SCREEN_TOKEN}&area=330381001"}),
    ]
    for method, path, headers in requests:
        status, _, _ = _raw(base, method, path, headers)
        assert status < 500, path
    lines = _logged(base, marker, len(requests))
    assert len(lines) == len(requests)
    logged = "\n".join(lines)
    assert SCREEN_TOKEN not in logged and API_KEY not in logged, logged
    assert logged.count("[redacted]") == len(requests)
