"""Times are the street's wall time (JINLIN_TIMEZONE, default Asia/Shanghai), whatever zone the machine's clock is in.

The test machines run on UTC, so every check here would be eight hours off if a time came from the machine's zone.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zoneinfo

import pytest
from sqlalchemy import select

import settings
from tests.test_open311 import KEY, _forget, _point_in, _service_code, client  # noqa: F401 (client: a fixture)

BEIJING = dt.timezone(dt.timedelta(hours=8))
CLOSE = dt.timedelta(minutes=2)


@pytest.fixture()
def zone_env(monkeypatch):
    """Set JINLIN_TIMEZONE for one test; the zone is read once per process, so the cache is cleared around it."""
    def use(name: str):
        monkeypatch.setenv("JINLIN_TIMEZONE", name)
        settings.zone.cache_clear()
    yield use
    monkeypatch.delenv("JINLIN_TIMEZONE", raising=False)
    settings.zone.cache_clear()


def test_the_clock_is_beijing_time_by_default():
    real = dt.datetime.now(BEIJING).replace(tzinfo=None)
    assert abs(settings.now() - real) < CLOSE
    assert settings.now().tzinfo is None  # like every time the database keeps
    assert settings.load().time_zone == "Asia/Shanghai"


def test_the_zone_is_a_setting(zone_env):
    zone_env("Asia/Urumqi")  # UTC+6 all year
    real = dt.datetime.now(dt.timezone(dt.timedelta(hours=6))).replace(tzinfo=None)
    assert abs(settings.now() - real) < CLOSE
    assert settings.load().time_zone == "Asia/Urumqi"
    assert settings.aware(dt.datetime(2026, 12, 1, 9, 0)).utcoffset() == dt.timedelta(hours=6)


def test_an_unknown_zone_stops_the_start_with_its_name():
    env = {"JINLIN_TIMEZONE": "Beijing/Centre", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", "import settings; settings.load()"], capture_output=True, text=True,
                          env=env, cwd=settings.INSTANCE_DIR.parent)
    assert done.returncode != 0
    assert "JINLIN_TIMEZONE='Beijing/Centre' is not an IANA time zone" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_hotline_case_is_stamped_with_the_moment_it_came_in(client, session):  # noqa: F811
    """Open311 says +08:00: the stored time must be Beijing time for that to name the right instant."""
    _, point = _point_in(session)
    r = client.post("/open311/v2/requests.json", data={
        "api_key": KEY, "service_code": _service_code(client), "lat": point.y, "long": point.x,
        "description": "楼道灯坏了"})
    assert r.status_code == 201
    code = r.get_json()[0]["service_request_id"]
    try:
        (got,) = client.get(f"/open311/v2/requests/{code}.json", query_string={"api_key": KEY}).get_json()
        requested = dt.datetime.fromisoformat(got["requested_datetime"])
        assert requested.utcoffset() == dt.timedelta(hours=8)
        assert abs(requested - dt.datetime.now(dt.timezone.utc)) < CLOSE
    finally:
        _forget(code)


def test_the_case_layer_sends_each_deadline_as_the_instant_it_names(session):
    """The map colours 红黄绿 by comparing these with the browser's clock (an absolute instant)."""
    from db import areas, layers, models as m

    collection = layers.get_layer(session, areas.get_area(session, "330381001"), "cases")
    stored = dict(session.execute(select(m.Case.code, m.Case.deadline)).all())
    assert collection["features"]
    for feature in collection["features"][:50]:
        p = feature["properties"]
        beijing = stored[p["code"]].replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        assert p["deadline"] == int(beijing.timestamp() * 1000), p["code"]


def test_pages_say_their_language_and_zone(client):  # noqa: F811
    """The page's scripts (map popups, the big screen's clock) show times in the zone the page names."""
    page = client.get("/public/").get_data(as_text=True)
    assert '<html lang="zh-CN" data-time-zone="Asia/Shanghai">' in page
