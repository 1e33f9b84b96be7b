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
    from tests.helpers import switched_off

    result = runner.invoke(args=["create-display-token", "--label", "测试大屏", "--scope", "330381001"])
    assert result.exit_code == 0, result.output
    url = result.output.splitlines()[0]
    client = server.test_client()
    assert client.get(url).status_code == 200
    with session_scope() as session:
        token_id = session.execute(select(m.DisplayToken.id).where(m.DisplayToken.label == "测试大屏")).scalar()
    assert runner.invoke(args=["revoke-display-token", str(token_id)]).exit_code == 0
    fresh = server.test_client()
    assert switched_off(fresh.get(url, headers={"Accept": "text/html"}))  # says so, no login form
    assert client.get("/screen/_dash-layout").status_code == 401  # the old session is gone too


@pytest.mark.parametrize("password, message", [("qwertyuiop", "too common"), ("zhaoliu-2026", "must not contain"),
                                               ("woaini1314", "too common")])
def test_create_user_applies_the_password_policy(runner, password, message):
    result = runner.invoke(args=["create-user", "zhaoliu", "--role", "admin"], input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_create_user_stores_the_name_normalised(runner):
    from app import server
    from tests.helpers import login

    result = runner.invoke(args=["create-user", " QianQi\t", "--role", "grid_leader", "--scope", "33038100100102"],
                           input="secret-pass-1\nsecret-pass-1\n")
    assert result.exit_code == 0 and "created qianqi" in result.output
    again = runner.invoke(args=["create-user", "QIANQI", "--role", "admin"], input="secret-pass-1\nsecret-pass-1\n")
    assert again.exit_code != 0 and "taken" in again.output
    assert login(server.test_client(), "ＱｉａｎＱｉ", "secret-pass-1").status_code == 302


def test_set_password_applies_the_policy_and_ends_open_sessions(runner):
    from app import server
    from tests.helpers import login

    assert runner.invoke(args=["create-user", "sunba", "--role", "grid_leader", "--scope", "33038100100102"],
                         input="secret-pass-1\nsecret-pass-1\n").exit_code == 0
    client = server.test_client()
    assert login(client, "sunba", "secret-pass-1").status_code == 302
    weak = runner.invoke(args=["set-password", "sunba"], input="1qaz2wsx3edc\n1qaz2wsx3edc\n")
    assert weak.exit_code != 0 and "too common" in weak.output and "nothing changed" in weak.output
    assert client.get("/api/areas").status_code == 200
    done = runner.invoke(args=["set-password", "SunBa"], input="fresh-pass-2026\nfresh-pass-2026\n")
    assert done.exit_code == 0 and "sessions are ended" in done.output
    assert client.get("/api/areas").status_code == 401
    assert login(server.test_client(), "sunba", "fresh-pass-2026").status_code == 302
    unknown = runner.invoke(args=["set-password", "nobody-here"], input="fresh-pass-2026\nfresh-pass-2026\n")
    assert unknown.exit_code != 0 and "no user 'nobody-here'" in unknown.output


def test_deactivate_user_keeps_the_last_active_admin(runner):
    result = runner.invoke(args=["deactivate-user", "admin"])
    assert result.exit_code != 0
    assert "admin is the last active admin: activate or create another admin first (nothing changed)" in result.output
    assert runner.invoke(args=["create-user", "zhouadmin", "--role", "admin"],
                         input="secret-pass-1\nsecret-pass-1\n").exit_code == 0
    assert runner.invoke(args=["deactivate-user", "zhouadmin"]).exit_code == 0
    assert runner.invoke(args=["activate-user", "zhouadmin"]).exit_code == 0
    # left deactivated: the demo admin stays the one active admin that other tests of this database count on
    assert runner.invoke(args=["deactivate-user", "zhouadmin"]).exit_code == 0
