"""Account commands: create-user, display tokens; clear messages for bad input."""
from __future__ import annotations

import pytest


@pytest.fixture()
def runner(seeded_url):
    from app import server

    return server.test_cli_runner()


def test_create_user_then_login(runner):
    from app import server
    from tests.helpers import login

    result = runner.invoke(args=["create-user", "wangwu", "--role", "grid_leader", "--scope", "33038100100102",
                                 "--name", "王五"], input="secret-pass-1\nsecret-pass-1\n")
    assert result.exit_code == 0, result.output
    assert "created wangwu (grid_leader, scope 33038100100102)" in result.output
    client = server.test_client()
    assert login(client, "wangwu", "secret-pass-1").status_code == 302
    assert client.get("/api/areas").status_code == 200


@pytest.mark.parametrize("args, message", [
    (["x", "--role", "admin"], "username: 3–50"),
    (["someone", "--role", "grid_leader"], "needs a scope"),
    (["someone", "--role", "grid_leader", "--scope", "330381001"], "needs a grid code"),
    (["someone", "--role", "street_official", "--scope", "999999999"], "not a known area code"),
    (["admin", "--role", "admin"], "taken"),
])
def test_create_user_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["create-user", *args], input="long-enough-1\nlong-enough-1\n")
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_short_password_refused(runner):
    result = runner.invoke(args=["create-user", "zhaoliu", "--role", "admin"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10" in result.output


def test_display_token_opens_screen_until_revoked(runner):
    from sqlalchemy import select

    from app import server
    from db import models as m
    from db.engine import session_scope

    result = runner.invoke(args=["create-display-token", "--label", "测试大屏", "--scope", "330381001"])
    assert result.exit_code == 0, result.output
    url = result.output.splitlines()[0]
    client = server.test_client()
    assert client.get(url).status_code == 200
    with session_scope() as session:
        token_id = session.execute(select(m.DisplayToken.id).where(m.DisplayToken.label == "测试大屏")).scalar()
    assert runner.invoke(args=["revoke-display-token", str(token_id)]).exit_code == 0
    fresh = server.test_client()
    assert fresh.get(url, headers={"Accept": "text/html"}).status_code == 302  # to the login page
    assert client.get("/screen/_dash-layout").status_code == 401  # the old session is gone too
