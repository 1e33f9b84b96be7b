"""Migrations step by step on an empty database of the backend under test: up, down and up again keep the rows."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, text

AT = dt.datetime(2026, 11, 20, 9, 30)


@pytest.fixture()
def empty_url(tmp_path, monkeypatch):
    from tests.conftest import new_database_url

    url = new_database_url(tmp_path, "steps")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _migrate(step, revision: str) -> None:
    from db.engine import get_engine
    from db.migrate import alembic_config

    cfg = alembic_config()
    with get_engine().begin() as connection:
        cfg.attributes["connection"] = connection
        step(cfg, revision)


def _event_columns() -> dict[str, dict]:
    from db.engine import get_engine

    return {c["name"]: c for c in inspect(get_engine()).get_columns("case_event")}


def test_0007_adds_the_actor_account_to_the_trail_and_goes_back(empty_url):
    from db.engine import get_engine

    _migrate(command.upgrade, "0006")
    assert "actor_id" not in _event_columns()
    with get_engine().begin() as conn:  # a trail written before 0007: a name only
        conn.execute(text("INSERT INTO \"case\" (id, code, category, source, description, level, status, created_at,"
                          " deadline, lon, lat, version) VALUES (1, 'AJ0000001', 'c', 's', 'd', 'l', 'st', :at, :at,"
                          " 120.6, 27.8, 1)"), {"at": AT})
        conn.execute(text("INSERT INTO case_event (case_id, at, actor, action) VALUES (1, :at, 'old', 'create')"),
                     {"at": AT})

    _migrate(command.upgrade, "0007")
    column = _event_columns()["actor_id"]
    assert column["nullable"]
    (fk,) = [f for f in inspect(get_engine()).get_foreign_keys("case_event") if f["constrained_columns"] == ["actor_id"]]
    assert (fk["referred_table"], fk["referred_columns"], fk["options"].get("ondelete")) == (
        "app_user", ["id"], "SET NULL")
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT actor, actor_id FROM case_event")).all() == [("old", None)]
        conn.execute(text("INSERT INTO app_user (id, username, password_hash, role, active) "
                          "VALUES (7, 'u7', 'x', 'admin', true)"))
        conn.execute(text("INSERT INTO case_event (case_id, at, actor, actor_id, action) "
                          "VALUES (1, :at, 'new', 7, 'accept')"), {"at": AT})

    _migrate(command.downgrade, "0006")
    assert "actor_id" not in _event_columns()
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT actor FROM case_event ORDER BY id")).scalars().all() == ["old", "new"]
    _migrate(command.upgrade, "head")
    assert "actor_id" in _event_columns()
