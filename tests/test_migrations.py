"""Migrations step by step on an empty database of the backend under test: up, down and up again keep the rows."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, text

from workflow.vocab import CaseSource, CaseStatus, Level

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
                          " deadline, lon, lat, version) VALUES (1, 'AJ0000001', 'c', :source, 'd', :level, :status, :at,"
                          " :at, 120.6, 27.8, 1)"),  # words later migrations (0008) check
                     {"at": AT, "source": CaseSource.RESIDENT, "level": Level.COMPOUND, "status": CaseStatus.SUBMITTED})
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


def test_references_are_enforced_again_after_a_migration_that_copied_a_table(empty_url):
    """0008 copies the case table with references off (SQLite); every later use of the database has them on."""
    from sqlalchemy.exc import IntegrityError

    from db.engine import get_engine

    _migrate(command.upgrade, "head")
    with pytest.raises(IntegrityError):
        with get_engine().begin() as conn:
            conn.execute(text("INSERT INTO case_event (case_id, at, actor, action) VALUES (999, :at, 'x', 'create')"),
                         {"at": AT})


def test_0013_keeps_plans_on_the_server_and_finds_the_author_of_earlier_scenarios(empty_url):
    from db.engine import get_engine

    _migrate(command.upgrade, "0008")
    with get_engine().begin() as conn:  # saved before 0013: an author name only, one of them no account's
        conn.execute(text("INSERT INTO app_user (id, username, password_hash, role, active) "
                          "VALUES (7, 'street', 'x', 'street_official', true)"))
        for n, author in ((1, "street"), (2, "gone")):
            conn.execute(text("INSERT INTO planning_scenario (id, street_code, name, service_type, objective, result,"
                              " created_at, created_by) VALUES (:n, '330381001', :name, 't', 'manual', '{}', :at, "
                              ":author)"), {"n": n, "name": f"s{n}", "at": AT, "author": author})

    _migrate(command.upgrade, "0013")
    assert "planning_result" in inspect(get_engine()).get_table_names()
    (fk,) = [f for f in inspect(get_engine()).get_foreign_keys("planning_scenario")
             if f["constrained_columns"] == ["created_by_id"]]
    assert (fk["referred_table"], fk["options"].get("ondelete")) == ("app_user", "SET NULL")
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT name, created_by_id FROM planning_scenario ORDER BY id")).all() == [
            ("s1", 7), ("s2", None)]

    _migrate(command.downgrade, "0008")
    assert "planning_result" not in inspect(get_engine()).get_table_names()
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT name, created_by FROM planning_scenario ORDER BY id")).all() == [
            ("s1", "street"), ("s2", "gone")]


def test_0012_adds_unique_form_tokens_and_the_lock_rows_and_goes_back(empty_url):
    from sqlalchemy.exc import IntegrityError

    from db.engine import get_engine

    insert = ("INSERT INTO \"case\" (id, code, category, source, description, level, status, created_at, deadline,"
              " lon, lat, version{token}) VALUES (:id, :code, 'c', :source, 'd', :level, :status, :at, :at, 120.6,"
              " 27.8, 1{value})")
    words = {"source": CaseSource.RESIDENT, "level": Level.COMPOUND, "status": CaseStatus.SUBMITTED, "at": AT}
    _migrate(command.upgrade, "0008")
    with get_engine().begin() as conn:  # a case taken in before forms had tokens
        conn.execute(text(insert.format(token="", value="")), {"id": 1, "code": "AJ0000001", **words})
    _migrate(command.upgrade, "0012")
    assert {"client_token"} <= {c["name"] for c in inspect(get_engine()).get_columns("wish")}
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT client_token FROM \"case\"")).scalars().all() == [None]
        conn.execute(text(insert.format(token=", client_token", value=", 'tok'")), {"id": 2, "code": "AJ0000002", **words})
        conn.execute(text("INSERT INTO app_lock (name) VALUES ('escalation')"))
    with pytest.raises(IntegrityError):  # one case per form token
        with get_engine().begin() as conn:
            conn.execute(text(insert.format(token=", client_token", value=", 'tok'")),
                         {"id": 3, "code": "AJ0000003", **words})
    _migrate(command.downgrade, "0008")
    assert "app_lock" not in inspect(get_engine()).get_table_names()
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT code FROM \"case\" ORDER BY id")).scalars().all() == ["AJ0000001", "AJ0000002"]
    _migrate(command.upgrade, "head")
