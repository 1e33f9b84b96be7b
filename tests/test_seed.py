"""Seeding: the CLI command, first-run bootstrap, and all-or-nothing writes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select


@pytest.fixture()
def fresh_url(tmp_path, monkeypatch):
    from tests.conftest import new_database_url

    url = new_database_url(tmp_path, "fresh")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _count(model):
    from db.engine import get_engine

    with get_engine().connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def test_cli_seed_demo_fills_an_empty_database(fresh_url):
    from app import server
    from db import models as m

    result = server.test_cli_runner().invoke(args=["seed-demo", "--scale", "S", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "seeded scale S" in result.output
    assert _count(m.Area) > 80 and _count(m.Case) == 3000


def test_cli_seed_demo_rejects_unknown_scale(fresh_url):
    from app import server

    result = server.test_cli_runner().invoke(args=["seed-demo", "--scale", "XXL"])
    assert result.exit_code != 0
    assert "XXL" in result.output and "Traceback" not in result.output


def test_bootstrap_seeds_only_when_empty(fresh_url):
    from db import models as m
    from db.bootstrap import prepare

    assert prepare(seed_if_empty=True) is True
    first = _count(m.Building)
    assert prepare(seed_if_empty=True) is False  # second start keeps the data
    assert _count(m.Building) == first


def test_failed_write_leaves_old_data(fresh_url, demo_data):
    from db import models as m
    from db.migrate import upgrade_to_head
    from db.seed import write_demo

    upgrade_to_head()
    write_demo(demo_data)
    before = _count(m.Case)
    broken = demo_data.cases.copy()
    broken.loc[5, "code"] = broken.loc[4, "code"]  # duplicate case code: violates the unique constraint
    bad = type(demo_data)(**{**demo_data.__dict__, "cases": broken})
    with pytest.raises(Exception):
        write_demo(bad)
    assert _count(m.Case) == before
    assert _count(m.Area) > 0


def test_settings_reject_unknown_tile_provider(monkeypatch):
    import settings

    monkeypatch.setenv("TILE_PROVIDER", "google")
    with pytest.raises(SystemExit, match="google"):
        settings.load()
    monkeypatch.setenv("TILE_PROVIDER", "tianditu")
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(SystemExit, match="TIANDITU_KEY"):
        settings.load()
    monkeypatch.setenv("TILE_PROVIDER", "none")
    monkeypatch.setenv("PORT", "80a")
    with pytest.raises(SystemExit, match="PORT"):
        settings.load()


def test_tile_layers_only_when_asked():
    from layouts.tiles import tile_layers

    assert tile_layers("none") == []
    amap = tile_layers("amap")
    assert len(amap) == 1 and "autonavi" in amap[0].url
    tdt = tile_layers("tianditu", "k123")
    assert len(tdt) == 2 and all("tk=k123" in t.url for t in tdt)
