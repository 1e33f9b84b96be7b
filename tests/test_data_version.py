"""The data version every cache reads exists on any database: imports into one made by `init-db` show at once."""
from __future__ import annotations

import datetime as dt

import pytest
import shapely
from sqlalchemy import select

from tests.helpers import login
from tests.import_files import feature, write_geojson

STREET = "330381009"
SITE = shapely.box(120.70, 27.90, 120.71, 27.905)  # in China, off the demo street: a street of its own


@pytest.fixture()
def empty_db(tmp_path, monkeypatch):
    """A migrated database without the demo (what `flask --app app init-db` leaves), with one admin account."""
    from db import users
    from db.engine import session_scope
    from db.migrate import upgrade_to_head
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "nodemo"))
    upgrade_to_head()
    with session_scope() as s:
        users.create_user(s, "chief", "a-long-password-1", "admin", None, "管理员", dt.datetime(2026, 11, 20))
    return tmp_path


def _cli(*args):
    from app import server

    result = server.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def test_service_points_imported_into_a_database_without_demo_are_served_without_restart(empty_db):
    from app import server
    from db import areas, layers
    from db.engine import session_scope

    west, east = shapely.box(*SITE.bounds[:2], 120.705, SITE.bounds[3]), shapely.box(120.705, *SITE.bounds[1:])
    communities = write_geojson(empty_db / "communities.geojson",
                                [feature(west, name="西社区"), feature(east, name="东社区")])
    _cli("import", str(communities), "--as", "communities", "--crs", "EPSG:4326", "--street", STREET,
         "--street-name", "新街道")
    client = server.test_client()
    assert login(client, "chief", "a-long-password-1").status_code == 302
    # every cache warmed before the points arrive: public GeoJSON (and its ETag), the area summary, the map layer
    before = client.get("/api/public/service-points.geojson")
    assert before.status_code == 200 and before.get_json()["features"] == []
    assert client.get(f"/api/areas/{STREET}").get_json()["summary"]["service_points_by_type"] == {}
    with session_scope() as s:
        assert layers.get_layer(s, areas.get_area(s, STREET), "service_points")["features"] == []

    c = SITE.centroid
    points = write_geojson(empty_db / "points.geojson", [
        feature(shapely.Point(c.x - 0.003, c.y), name="西食堂", 类型="爱心食堂"),
        feature(shapely.Point(c.x + 0.003, c.y), name="东照料中心", 类型="日间照料中心")])
    _cli("import", str(points), "--as", "service-points", "--crs", "EPSG:4326")

    after = client.get("/api/public/service-points.geojson", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, "the old ETag still matched: the browser keeps the empty map"
    assert sorted(f["properties"]["name"] for f in after.get_json()["features"]) == ["东照料中心", "西食堂"]
    assert after.headers["ETag"] != before.headers["ETag"]
    summary = client.get(f"/api/areas/{STREET}").get_json()["summary"]
    assert summary["service_points_by_type"] == {"日间照料中心": 1, "爱心食堂": 1}
    with session_scope() as s:
        assert len(layers.get_layer(s, areas.get_area(s, STREET), "service_points")["features"]) == 2


def test_demo_seeded_over_an_existing_version_row_goes_on_counting_and_is_demo(empty_db, demo_data):
    from db import cache, models as m, users
    from db.engine import session_scope
    from db.seed import write_demo

    with session_scope() as s:
        cache.mark_changed(s)
        cache.mark_changed(s)
    with session_scope() as s:
        assert cache.data_version(s) == 2 and not users.is_demo(s)
    write_demo(demo_data)
    with session_scope() as s:
        # never back to an old number, so no worker serves a cache built for other data under the same version
        assert cache.data_version(s) == 3 and users.is_demo(s)
        assert s.execute(select(m.DataVersion.seeded_at)).scalar() == demo_data.reference_time
    write_demo(demo_data)
    with session_scope() as s:
        assert cache.data_version(s) == 4 and users.is_demo(s)
        cache.mark_changed(s)  # an import into the demo keeps it the demo
    with session_scope() as s:
        assert cache.data_version(s) == 5 and users.is_demo(s)


def test_rules_read_in_a_save_that_rolled_back_are_never_served(empty_db):
    """A session that wrote keeps what it builds to itself: its versions may never be committed, and a later save
    reaching the same version number would otherwise be answered with the rolled-back rules."""
    from db import rules
    from db.engine import session_scope

    now = dt.datetime(2026, 11, 20, 9, 30)

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with session_scope() as s:
            rules.save_case_rules(s, {}, 5, "chief", now)
            assert rules.get_case_rules(s).yellow_hours == 5  # its own save, read back in the same session
            raise Undo
    with session_scope() as s:
        assert rules.get_case_rules(s).yellow_hours == rules.CaseRules().yellow_hours
        rules.save_case_rules(s, {}, 7, "chief", now)  # the same version number the rolled-back save had
    with session_scope() as s:
        assert rules.get_case_rules(s).yellow_hours == 7
