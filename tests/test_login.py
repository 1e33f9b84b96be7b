"""Logging in (issue 14, class 3): one normalised name for the throttle, authentication and account creation; pauses
that hold off a guesser but never the owner; a password policy wherever a password is set; sessions that logout, a
new password and deactivation end everywhere; the last admin; a display-token link beside a staff session."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import delete, select, update

from db import models as m
from db.engine import session_scope
from tests.helpers import PASSWORDS, login
import settings

GRID = "33038100100101"
HTML = "text/html"
PASSWORD = "river-lamp-2026"
_addresses = (f"198.18.{i // 250}.{i % 250 + 1}" for i in itertools.count())  # one address (or more) per test


def _address() -> str:
    return next(_addresses)


@pytest.fixture(scope="module")
def server(seeded_url):
    from app import server

    return server


@pytest.fixture()
def person(seeded_url):
    """A real (not demo) account of its own per test; its failures and sessions leave no trace for other tests."""
    from db import users

    name = f"login-{next(_addresses).replace('.', '-')}"
    with session_scope() as session:
        users.create_user(session, name, PASSWORD, "grid_leader", GRID, "测试网格长")
    yield name
    with session_scope() as session:
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.username == name))
        session.execute(delete(m.User).where(m.User.username == name))


def _client(server, addr: str | None = None):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = addr or _address()
    return client


def _signed_in(server, name: str, password: str = PASSWORD, addr: str | None = None):
    client = _client(server, addr)
    r = login(client, name, password)
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def _in(client) -> bool:
    """Whether the client's session still opens a staff page."""
    return client.get("/cases/_dash-layout").status_code == 200


# --- one name, however it is typed ---

def _variants(name: str) -> list[str]:
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    return [f" {name}", name.upper(), f"{name}\t", f"\u00a0{name}", f"\u3000{name}\u3000", full_width,
            f"{name.title()}\u200b", f"\ufeff{name} \n"]


def test_every_variant_of_a_name_logs_in_as_the_account(server, person):
    for variant in _variants(person):
        assert login(_client(server), variant, PASSWORD).status_code == 302, repr(variant)


def test_variants_of_a_name_share_one_pause_and_a_variant_success_does_not_lift_it(server, person):
    client = _client(server)
    for variant in _variants(person)[:5]:
        assert login(client, variant, "not-the-password").status_code == 401, repr(variant)
    for variant in [person, *_variants(person)]:
        r = login(client, variant, PASSWORD)
        assert r.status_code == 429, repr(variant)
        assert "尝试次数过多" in r.get_data(as_text=True)


def test_a_name_padded_past_the_form_length_still_logs_in(server, person):
    assert login(_client(server), "  " + person.upper() + " " * 80, PASSWORD).status_code == 302


def test_account_names_are_created_normalised_and_variants_are_taken(seeded_url):
    from db import users

    with session_scope() as session:
        account = users.create_user(session, "\u3000ＬＩＵ-Login\t", PASSWORD, "grid_leader", GRID)
        assert account.username == "liu-login"
        for variant in ("liu-login", "LIU-LOGIN", " Liu-Login "):
            with pytest.raises(users.UserError) as err:
                users.create_user(session, variant, PASSWORD, "grid_leader", GRID)
            assert err.value.kind == "taken"
        session.rollback()


@pytest.mark.parametrize("name", ["a" * 5000, "admin\u0301", "ad min", "管理员"])
def test_a_name_no_account_can_have_is_a_wrong_login_not_a_500(server, name):
    r = login(_client(server), name, "whatever-password")
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.get_data(as_text=True)


@pytest.mark.parametrize("name", ["adm\x00in", "admin\x00", "\x00", "admin\x1b"])
def test_a_name_with_characters_no_one_types_is_refused_in_words_not_a_500(server, name):
    r = login(_client(server), name, "whatever-password")
    assert r.status_code == 400
    assert "无法识别的字符" in r.get_data(as_text=True)


@pytest.mark.parametrize("name, password", [("admin", "\ud800-lone"), ("ad\ud800min", "whatever-password"),
                                            ("admin", "x\x00y"), ("admin", "p" * 100_000)])
def test_text_no_form_sends_is_a_failed_login_not_an_error(seeded_url, name, password):
    """What a callback's JSON could carry (lone surrogates), NULs, a password longer than any that can be set."""
    from db import users

    with session_scope() as session:
        assert users.authenticate(session, name, password, _address(), settings.now()) is None
        session.rollback()


def test_an_empty_form_says_what_is_missing(server):
    r = login(_client(server), "   ", "")
    assert r.status_code == 400 and "请输入用户名和密码" in r.get_data(as_text=True)


# --- pauses: the guesser's address, never the owner ---

def test_the_owner_logs_in_from_elsewhere_while_a_guesser_is_paused(server, person):
    guesser = _client(server)
    for _ in range(5):
        assert login(guesser, person, "not-the-password").status_code == 401
    assert login(guesser, person, PASSWORD).status_code == 429
    assert login(_client(server), person, PASSWORD).status_code == 302


def test_a_success_from_one_address_leaves_the_pause_of_another(server, person):
    guesser_addr = _address()
    for _ in range(5):
        assert login(_client(server, guesser_addr), person, "not-the-password").status_code == 401
    assert login(_client(server), person, PASSWORD).status_code == 302  # the owner, elsewhere
    assert login(_client(server, guesser_addr), person, PASSWORD).status_code == 429


def test_each_further_failure_doubles_the_pause(seeded_url, person):
    from db import users

    addr, t0 = _address(), dt.datetime(2026, 11, 20, 8, 0)
    with session_scope() as session:
        for i in range(5):
            assert users.authenticate(session, person, "wrong-password", addr, t0 + dt.timedelta(seconds=i)) is None
        last = t0 + dt.timedelta(seconds=4)
        assert users.paused_until(session, person, addr, last) == last + dt.timedelta(minutes=15)
        assert users.paused_until(session, person, _address(), last) is None  # another address: no pause
        sixth = last + dt.timedelta(minutes=16)
        assert users.paused_until(session, person, addr, sixth) is None
        assert users.authenticate(session, person, "wrong-password", addr, sixth) is None
        assert users.paused_until(session, person, addr, sixth) == sixth + dt.timedelta(minutes=30)
        seventh = sixth + dt.timedelta(minutes=31)
        users.authenticate(session, person, "wrong-password", addr, seventh)
        assert users.paused_until(session, person, addr, seventh) == seventh + dt.timedelta(minutes=60)
        # a day later the failures are forgotten
        assert users.paused_until(session, person, addr, seventh + dt.timedelta(hours=25)) is None
        session.rollback()


def test_one_address_trying_many_names_is_paused_for_every_name(server, person):
    sprayer = _address()
    for i in range(20):
        assert login(_client(server, sprayer), f"nobody-{i}", "whatever-password").status_code == 401
    r = login(_client(server, sprayer), person, PASSWORD)
    assert r.status_code == 429 and "分钟后再试" in r.get_data(as_text=True)
    assert login(_client(server), person, PASSWORD).status_code == 302
    with session_scope() as session:
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.remote_addr == sprayer))


def test_x_forwarded_for_is_not_believed_without_configured_proxies(server, person):
    client = _client(server)
    for i in range(5):
        assert login_forwarded(client, person, "not-the-password", f"203.0.113.{i}").status_code == 401
    assert login_forwarded(client, person, PASSWORD, "203.0.113.99").status_code == 429


def login_forwarded(client, name: str, password: str, forwarded_for: str):
    from tests.helpers import csrf_token

    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": name, "password": password},
                       headers={"X-Forwarded-For": forwarded_for})


def test_behind_a_configured_proxy_the_forwarded_address_is_the_one_paused(server, person, monkeypatch):
    from api import auth

    monkeypatch.setattr(server, "wsgi_app", server.wsgi_app)  # put back after the test
    auth.trust_proxies(server, 1)
    proxy = _address()  # every request comes through the one proxy
    client = _client(server, proxy)
    for _ in range(5):
        assert login_forwarded(client, person, "not-the-password", "203.0.113.7").status_code == 401
    assert login_forwarded(client, person, PASSWORD, "203.0.113.7").status_code == 429
    assert login_forwarded(_client(server, proxy), person, PASSWORD, "203.0.113.8").status_code == 302
    with session_scope() as session:
        seen = set(session.execute(select(m.LoginFailure.remote_addr).where(m.LoginFailure.username == person))
                   .scalars())
    assert seen == {"203.0.113.7"}


@pytest.mark.parametrize("value, proxies", [("", 0), ("0", 0), ("2", 2)])
def test_the_number_of_proxies_is_a_setting(monkeypatch, value, proxies):
    import settings

    monkeypatch.setenv("JINLIN_PROXIES", value)
    assert settings.load().proxies == proxies


@pytest.mark.parametrize("value", ["yes", "-1", "12"])
def test_a_bad_number_of_proxies_stops_the_start(monkeypatch, value):
    import settings

    monkeypatch.setenv("JINLIN_PROXIES", value)
    with pytest.raises(SystemExit, match="JINLIN_PROXIES"):
        settings.load()


# --- the password policy, wherever a password is set ---

BAD_PASSWORDS = [("short-1", "password"), ("qwertyuiop", "password_common"), ("woaini1314", "password_common"),
                 ("1qaz2wsx3edc", "password_common"), ("Password123", "password_common"),
                 ("demo-admin-2026", "password_common"), ("aaaaaaaaaaaa", "password_common"),
                 ("zhao-login-2026", "password_name"), ("ZHAO-LOGIN", "password_name"), ("x" * 201, "password"),
                 ("river\ud800lamp-2026", "password_text"), ("river\x00lamp-2026", "password_text")]


@pytest.mark.parametrize("password, kind", BAD_PASSWORDS)
def test_the_policy_refuses_weak_passwords_on_creation_and_reset(seeded_url, password, kind):
    from db import users

    with session_scope() as session:
        with pytest.raises(users.UserError) as err:
            users.create_user(session, "zhao-login", password, "grid_leader", GRID)
        assert err.value.kind == kind
        users.create_user(session, "zhao-login", PASSWORD, "grid_leader", GRID)
        with pytest.raises(users.UserError) as err:
            users.set_password(session, "zhao-login", password)
        assert err.value.kind == kind
        session.rollback()


@pytest.mark.parametrize("password, words", [("qwertyuiop", "太常见"), ("{name}-2026", "不能包含用户名"),
                                             ("short-1", "10–200 位")])
def test_the_admin_page_says_why_a_password_is_refused(seeded_url, person, password, words):
    from callbacks import admin as admin_callbacks
    from db import users
    from tests.helpers import acting_as

    password = password.format(name=person)
    with acting_as("admin"):
        rows, message, *_ = admin_callbacks.create_user(1, "x" + person, "赵", "grid_leader", GRID,
                                                        password.replace(person, "x" + person))
        assert words in message and rows is admin_callbacks.no_update
        reset, _ = admin_callbacks.reset_password(1, [{"username": person}], password)
        assert words in reset
    with session_scope() as session:  # the old password stands
        assert users.authenticate(session, person, PASSWORD, _address(), settings.now()) is not None


# --- sessions end: logout everywhere, a new password, deactivation ---

def test_logout_ends_every_session_of_the_account_and_copies_of_its_cookie(server, person):
    laptop, phone = _signed_in(server, person), _signed_in(server, person)
    copied = _client(server)
    copied.set_cookie("session", laptop.get_cookie("session").value)
    assert _in(laptop) and _in(phone) and _in(copied)
    assert laptop.post("/logout").status_code == 302
    assert not _in(phone) and not _in(copied) and not _in(laptop)
    assert _in(_signed_in(server, person))  # logging in again works


def test_a_demo_accounts_logout_leaves_the_other_visitors_of_the_demo_in(server):
    one, other = _signed_in(server, "grid", PASSWORDS["grid"]), _signed_in(server, "grid", PASSWORDS["grid"])
    one.post("/logout")
    assert _in(other) and not _in(one)


def test_a_new_password_ends_existing_sessions(server, person):
    from db import users

    client = _signed_in(server, person)
    with session_scope() as session:
        users.set_password(session, person, "a-fresh-start-2026")
    assert not _in(client)
    assert login(_client(server), person, PASSWORD).status_code == 401
    assert _in(_signed_in(server, person, "a-fresh-start-2026"))


def test_a_deactivated_account_stays_out_after_it_is_activated_again(server, person):
    from db import users

    client = _signed_in(server, person)
    with session_scope() as session:
        users.set_active(session, person, False)
    with session_scope() as session:
        users.set_active(session, person, True)
    assert not _in(client)  # the session of before is over, not resumed
    assert _in(_signed_in(server, person))


def test_a_session_signed_before_epochs_existed_is_over(server, person):
    """A cookie from before this change carries the account's row only: it must log in again."""
    client = _signed_in(server, person)
    with client.session_transaction() as saved:
        saved["_user_id"] = saved["_user_id"].rsplit(":", 1)[0]
    assert not _in(client)


# --- the last active admin ---

def test_the_last_active_admin_cannot_be_deactivated(seeded_url):
    from db import users

    with session_scope() as session:
        assert users.active_admins(session) == []  # the demo's admin is not counted among the deployment's
        session.execute(update(m.User).where(m.User.role == "admin", m.User.username != "admin").values(active=False))
        with pytest.raises(users.UserError) as err:
            users.set_active(session, "admin", False)
        assert err.value.kind == "last_admin"
        users.create_user(session, "second-admin", PASSWORD, "admin")
        users.set_active(session, "admin", False)  # another admin is active: allowed
        with pytest.raises(users.UserError) as err:
            users.set_active(session, "Second-Admin", False)
        assert err.value.kind == "last_admin"
        session.rollback()


def test_the_admin_page_refuses_to_deactivate_the_last_admin_in_words(seeded_url):
    from callbacks import admin as admin_callbacks
    from db import users
    from layouts import text
    from tests.helpers import acting_as

    with session_scope() as session:  # what this test stands on (else the click below would succeed for real)
        assert session.execute(select(m.User.username).where(m.User.role == "admin", m.User.active.is_(True))
                               ).scalars().all() == ["admin"]
    with acting_as("admin"):
        rows, message = admin_callbacks.deactivate_user(1, [{"username": "admin"}])
    assert message == text.ADMIN_ERRORS["last_admin"]
    with session_scope() as session:
        assert [u["active"] for u in users.list_users(session) if u["username"] == "admin"] == [True]


# --- a display-token link in a browser holding a staff session ---

@pytest.mark.parametrize("token", ["demo-screen-token-2026", "revoked-or-made-up"])
def test_a_screen_link_never_replaces_or_ends_a_staff_session(server, person, token):
    client = _signed_in(server, person)
    r = client.get(f"/screen/?token={token}", headers={"Accept": HTML})
    assert r.status_code == 200  # the screen, shown to the person as themselves
    assert client.get("/screen/_dash-layout").status_code == 200
    assert _in(client)  # still the grid leader: the staff pages open


# --- migration 0010: names stored normalised, the demo's accounts marked ---

BEFORE_0010 = "0008"  # the revision 0010 follows

@pytest.fixture()
def before_0010(tmp_path, monkeypatch):
    from alembic import command

    from tests.conftest import new_database_url
    from tests.test_migrations import _migrate

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "accounts"))
    _migrate(command.upgrade, BEFORE_0010)


def _insert_users(rows: list[tuple[int, str, str]], note: str | None) -> None:
    from sqlalchemy import text
    from werkzeug.security import generate_password_hash

    from db.engine import get_engine

    with get_engine().begin() as conn:
        for number, name, password in rows:
            conn.execute(text("INSERT INTO app_user (id, username, password_hash, role, active) "
                              "VALUES (:id, :name, :hash, 'admin', true)"),
                         {"id": number, "name": name, "hash": generate_password_hash(password)})
        conn.execute(text("INSERT INTO data_version (name, version, note) VALUES ('map', 1, :note)"), {"note": note})


def test_0010_stores_names_normalised_and_marks_the_demos_published_accounts(before_0010):
    from alembic import command
    from sqlalchemy import text

    from db.engine import get_engine
    from tests.test_migrations import _migrate

    _insert_users([(1, "admin", "demo-admin-2026"), (2, "grid", "changed-by-them-2026"), (3, " Liu ", PASSWORD)],
                  "演示数据")
    _migrate(command.upgrade, "0010")
    with get_engine().connect() as conn:
        rows = conn.execute(text("SELECT id, username, demo, session_epoch FROM app_user ORDER BY id")).all()
    # the demo admin still has its published password; the grid account's owner gave it their own
    assert [tuple(r) for r in rows] == [(1, "admin", True, 0), (2, "grid", False, 0), (3, "liu", False, 0)]
    _migrate(command.downgrade, BEFORE_0010)
    _migrate(command.upgrade, "head")


def test_0010_stops_on_names_one_login_cannot_tell_apart(before_0010):
    from alembic import command

    from tests.test_migrations import _migrate

    _insert_users([(1, "Liu", PASSWORD), (2, "liu", PASSWORD), (3, "wang", PASSWORD)], None)
    with pytest.raises(RuntimeError, match=r"'liu': 'Liu', 'liu'.*Rename all but one"):
        _migrate(command.upgrade, "0010")
