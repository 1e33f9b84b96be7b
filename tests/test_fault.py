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
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["output"] == "area-panel.children")
    values = {"url.search": "?area=330381001006"}
    fill = lambda items: [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]
    return {"output": dep["output"], "outputs": {"id": "area-panel", "property": "children"},
            "inputs": fill(dep["inputs"]), "state": fill(dep["state"]), "changedPropIds": ["url.search"]}


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
