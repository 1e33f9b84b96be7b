"""Several gunicorn workers answer exactly like one process, and a data change reaches every worker."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.browser.conftest import _free_port
from tests.conftest import new_database_url
from tests.helpers import dash_body, find_callback, logged_in_opener, login

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3


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
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                                 "app:server"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(log.read_text())
            time.sleep(0.3)
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


def _pids_seen(base: str, path: str, n: int) -> tuple[list, set]:
    """n concurrent requests: sync workers take one each, so they spread over the processes."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda _: _get(base + path), range(n)))
    assert all(status == 200 for status, _, _ in results)
    return [body for _, body, _ in results], {headers.get("X-Worker") for _, _, headers in results}


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

    def post(_):
        req = urllib.request.Request(base + "/_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with _opener(base).open(req, timeout=10) as r:
            return json.loads(r.read())["response"], r.headers.get("X-Worker")

    with ThreadPoolExecutor(max_workers=9) as pool:
        results = list(pool.map(post, range(9)))
    assert all(resp == expected for resp, _ in results)
    assert len({pid for _, pid in results}) > 1
    assert len(expected["map-drill"]["data"]["features"]) > 3
