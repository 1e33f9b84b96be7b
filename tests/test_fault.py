"""The database goes away and comes back: clear answers meanwhile, recovery without a restart of the app."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(BACKEND != "postgresql",
                                reason="PostgreSQL-only: an embedded SQLite file has no server to lose; "
                                       "this runs in the PostGIS pass of scripts/test.sh")


def _cluster(command: str) -> None:
    subprocess.run(["bash", "scripts/pg_cluster.sh", command, os.environ["JINLIN_TEST_PG_DIR"]], cwd=ROOT, check=True)


@pytest.fixture()
def client(seeded_url):
    from app import server
    from tests.helpers import login

    c = server.test_client()
    login(c)
    return c


def _map_body(client):
    from tests.helpers import dash_body, find_callback

    deps = client.get("/_dash-dependencies").get_json()
    # the panel head (and its area)
    return dash_body(find_callback(deps, "area-panel.children"), {"url.search": "?area=330381001006"})


def test_outage_answers_clearly_and_recovers(client):
    assert client.get("/api/areas/330381001003").status_code == 200  # pool holds live connections now
    body = _map_body(client)
    _cluster("stop")
    try:
        api = client.get("/api/areas/330381001003")
        assert api.status_code == 503
        assert api.get_json()["message"] == "数据库暂时不可用，请稍后重试"
        assert client.get("/healthz").status_code == 503
        dash = client.post("/_dash-update-component", json=body)
        assert dash.status_code == 200
        text = dash.get_data(as_text=True)
        assert "数据库暂时不可用" in text and "Traceback" not in text
    finally:
        _cluster("resume")
    deadline = time.time() + 15
    while client.get("/api/areas/330381001003").status_code != 200:
        assert time.time() < deadline, "app did not recover within 15 s of the database coming back"
        time.sleep(0.2)
    again = client.post("/_dash-update-component", json=body).get_json()
    assert again["response"]["area-panel"]["children"]


def test_no_acknowledged_write_is_lost_across_a_restart(client, monkeypatch):
    """A hotline keeps filing cases through Open311 while PostgreSQL restarts: every 201 it got is in the database."""
    import threading

    from sqlalchemy import delete, select, text as sql

    from app import server
    from db import models as m
    from db.engine import session_scope

    key = "fault-key-0123456789abcdef"
    monkeypatch.setitem(server.config, "OPEN311_KEYS", {key: "12345热线"})
    with session_scope() as s:  # not the rolled-back test session: its connection would die in the restart
        b = s.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
        point = b.geometry.representative_point()
    code = client.get("/open311/v2/services.json", query_string={"api_key": key}).get_json()[0]["service_code"]
    acked: dict[str, str] = {}
    refused: list[int] = []
    stop = threading.Event()

    def hotline():
        writer = server.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            description = f"故障测试第{n}件"
            r = writer.post("/open311/v2/requests.json", data={
                "api_key": key, "service_code": code, "lat": point.y, "long": point.x, "description": description})
            if r.status_code == 201:
                acked[r.get_json()[0]["service_request_id"]] = description
            else:
                refused.append(r.status_code)
                time.sleep(0.05)

    def started_at():
        with session_scope() as s:
            return s.execute(sql("select pg_postmaster_start_time()")).scalar()

    before = started_at()
    thread = threading.Thread(target=hotline, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 20
        while len(acked) < 5:
            assert time.time() < deadline, "no writes were acknowledged before the restart"
            time.sleep(0.05)
        _cluster("restart")
        after_restart = len(acked)
        deadline = time.time() + 20
        while len(acked) < after_restart + 5:
            assert time.time() < deadline, "writes did not resume within 20 s of the restart"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    try:
        assert started_at() != before  # the server really restarted under the writer
        assert set(refused) <= {503}, f"unexpected answers during the restart: {sorted(set(refused))}"
        with session_scope() as s:
            stored = dict(s.execute(select(m.Case.code, m.Case.description)
                                    .where(m.Case.description.like("故障测试%"))).all())
        missing = {k: v for k, v in acked.items() if stored.get(k) != v}
        assert not missing, f"acknowledged but lost: {missing}"
    finally:
        with session_scope() as s:  # the shared demo data keeps its counts for other tests
            ids = s.execute(select(m.Case.id).where(m.Case.description.like("故障测试%"))).scalars().all()
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
            s.execute(delete(m.Case).where(m.Case.id.in_(ids)))
