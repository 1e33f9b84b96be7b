"""In Chromium: the database stops, the staff map says so in Chinese, and heals by itself when it is back."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
# the PostGIS pass of scripts/test.sh alone runs it; reads only (it stops the whole cluster, whoever's database it is)
pytestmark = [pytest.mark.postgres_only, pytest.mark.both_backends, pytest.mark.shares_server]


def _cluster(command: str) -> None:
    subprocess.run(["bash", "scripts/pg_cluster.sh", command, os.environ["JINLIN_TEST_PG_DIR"]], cwd=ROOT, check=True)


def test_banner_during_outage_then_recovery(staff, live_server):
    page = staff
    from db import models as m
    from db.engine import session_scope

    with session_scope() as session:  # not the rolled-back fixture: its connection would die with the server
        target = session.get(m.Area, "330381001007")
    page.goto(live_server + "/?area=330381001001")
    page.wait_for_selector(".panel-title")
    _cluster("stop")
    try:
        page.goto(live_server + "/?area=330381001001")  # a fresh load while the database is away
        page.wait_for_selector(".alert.show:has-text('数据库暂时不可用')")
        assert "Traceback" not in page.content()
    finally:
        _cluster("resume")
    # the page polls, sees the database back, hides the banner and renders the view
    page.wait_for_selector(".alert.show", state="detached", timeout=20_000)
    page.wait_for_selector(".panel-title")
    page.goto(f"{live_server}/?area={target.code}")
    page.wait_for_selector(f".panel-title:has-text('{target.name}')")
