"""Staff accounts, login throttling and big-screen display tokens."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from db import models as m

ROLES = tuple(r.value for r in m.Role)
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
MIN_PASSWORD = 8
MAX_FAILURES_PER_USER = 5  # within THROTTLE_WINDOW
MAX_FAILURES_PER_ADDR = 20
THROTTLE_WINDOW = dt.timedelta(minutes=15)
# Checked against a throw-away hash when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

# Demo mode only: the login page shows these; outside demo mode accounts are made with `create-user`.
DEMO_USERS = (
    ("admin", "demo-admin-2026", "admin", None, "演示管理员"),
    ("street", "demo-street-2026", "street_official", "330381001", "街道干部（演示）"),
    ("community", "demo-community-2026", "community_staff", "330381001001", "社区工作者（演示）"),
    ("grid", "demo-grid-2026", "grid_leader", "33038100100101", "网格长（演示）"),
)
DEMO_SCREEN_TOKEN = "demo-screen-token-2026"
DEMO_NOTE = "演示数据"  # the note the demo seeder leaves on the data-version row: demo mode


class UserError(ValueError):
    """Bad account input: an English message for the CLI and logs, and a `kind` the UI turns into Chinese."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Account:
    id: str  # "u:<id>" for users, "t:<id>" for display tokens: the flask-login user id
    username: str
    role: str
    scope_code: str | None
    display_name: str


def user_id(account: Account) -> int | None:
    """The user row of an account; None for a display token."""
    kind, _, number = account.id.partition(":")
    return int(number) if kind == "u" else None


def _account(user: m.User) -> Account:
    return Account(f"u:{user.id}", user.username, user.role, user.scope_code, user.display_name or user.username)


def _validate(session: Session, role: str, scope_code: str | None) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; one of {', '.join(ROLES)}", "role")
    if role == "admin":
        return
    if not scope_code:
        raise UserError(f"role {role} needs a scope (an area code)", "scope_missing")
    area = session.get(m.Area, scope_code)
    expected = {"street_official": "street", "community_staff": "community", "grid_leader": "grid",
                "screen": None}[role]
    if area is None:
        raise UserError(f"scope {scope_code!r} is not a known area code", "scope_unknown")
    if expected and area.level != expected:
        raise UserError(f"role {role} needs a {expected} code as scope, {scope_code} is a {area.level}", "scope_level")


def create_user(session: Session, username: str, password: str, role: str, scope_code: str | None = None,
                display_name: str | None = None, now: dt.datetime | None = None) -> Account:
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise UserError("username: 3–50 letters, digits, '.', '_' or '-'", "username")
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters", "password")
    _validate(session, role, scope_code or None)
    if session.execute(select(m.User.id).where(m.User.username == username)).first():
        raise UserError(f"username {username!r} is taken", "taken")
    user = m.User(username=username, password_hash=generate_password_hash(password), role=role,
                  scope_code=scope_code or None, display_name=(display_name or "").strip() or username, active=True,
                  created_at=now or dt.datetime.now())
    session.add(user)
    session.flush()
    return _account(user)


def set_password(session: Session, username: str, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters", "password")
    user = session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    if user is None:
        raise UserError(f"no user {username!r}", "no_user")
    user.password_hash = generate_password_hash(password)


def set_active(session: Session, username: str, active: bool) -> None:
    user = session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    if user is None:
        raise UserError(f"no user {username!r}", "no_user")
    user.active = active


def list_users(session: Session) -> list[dict]:
    rows = session.execute(select(m.User).order_by(m.User.username)).scalars()
    return [{"username": u.username, "display_name": u.display_name, "role": u.role, "scope_code": u.scope_code,
             "active": u.active} for u in rows]


def is_throttled(session: Session, username: str, remote_addr: str | None, now: dt.datetime) -> bool:
    since = now - THROTTLE_WINDOW
    per_user = session.execute(select(func.count()).where(m.LoginFailure.username == username,
                                                          m.LoginFailure.at >= since)).scalar()
    per_addr = session.execute(select(func.count()).where(m.LoginFailure.remote_addr == remote_addr,
                                                          m.LoginFailure.at >= since)).scalar() if remote_addr else 0
    return per_user >= MAX_FAILURES_PER_USER or per_addr >= MAX_FAILURES_PER_ADDR


def authenticate(session: Session, username: str, password: str, remote_addr: str | None,
                 now: dt.datetime) -> Account | None:
    """The account when the password fits and the user is active; None otherwise (and the failure is recorded)."""
    username = (username or "").strip()[:50]
    user = session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not ok or not user.active:
        session.add(m.LoginFailure(username=username, remote_addr=remote_addr, at=now))
        return None
    session.execute(delete(m.LoginFailure).where(m.LoginFailure.username == username))
    return _account(user)


def get_account(session: Session, account_id: str) -> Account | None:
    """Reload a session's account: None when the user was deactivated or the token revoked."""
    kind, _, raw = (account_id or "").partition(":")
    if not raw.isdigit():
        return None
    if kind == "u":
        user = session.get(m.User, int(raw))
        return _account(user) if user and user.active else None
    if kind == "t":
        token = session.get(m.DisplayToken, int(raw))
        if token is None or token.revoked_at is not None:
            return None
        return Account(f"t:{token.id}", f"screen-{token.id}", "screen", token.scope_code, token.label)
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_display_token(session: Session, label: str, scope_code: str | None, now: dt.datetime,
                         token: str | None = None) -> str:
    """A new display token; the plain token is returned once and only its hash is stored."""
    label = (label or "").strip()
    if not label:
        raise UserError("a display token needs a label (which screen it is for)", "label")
    if scope_code:
        _validate(session, "screen", scope_code)
    token = token or secrets.token_urlsafe(24)
    session.add(m.DisplayToken(token_hash=_digest(token), label=label[:100], scope_code=scope_code or None,
                               created_at=now))
    session.flush()
    return token


def resolve_display_token(session: Session, token: str) -> Account | None:
    if not token or len(token) > 200:
        return None
    row = session.execute(select(m.DisplayToken).where(m.DisplayToken.token_hash == _digest(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return Account(f"t:{row.id}", f"screen-{row.id}", "screen", row.scope_code, row.label)


def list_display_tokens(session: Session) -> list[dict]:
    rows = session.execute(select(m.DisplayToken).order_by(m.DisplayToken.id)).scalars()
    return [{"id": t.id, "label": t.label, "scope_code": t.scope_code, "created_at": t.created_at,
             "revoked": t.revoked_at is not None} for t in rows]


def revoke_display_token(session: Session, token_id: int, now: dt.datetime) -> None:
    row = session.get(m.DisplayToken, token_id)
    if row is None:
        raise UserError(f"no display token {token_id}", "no_token")
    row.revoked_at = row.revoked_at or now


def seed_demo_accounts(session: Session, now: dt.datetime) -> None:
    """Demo users and one demo screen token, replacing earlier demo accounts."""
    session.execute(delete(m.User).where(m.User.username.in_([u[0] for u in DEMO_USERS])))
    session.execute(delete(m.DisplayToken).where(m.DisplayToken.token_hash == _digest(DEMO_SCREEN_TOKEN)))
    for username, password, role, scope, name in DEMO_USERS:
        create_user(session, username, password, role, scope, name, now)
    create_display_token(session, "党群服务中心大屏（演示）", "330381001", now, token=DEMO_SCREEN_TOKEN)


def is_demo(session: Session) -> bool:
    """Demo mode: the data in the database was generated by the demo seeder."""
    note = session.execute(select(m.DataVersion.note).where(m.DataVersion.name == "map")).scalar()
    return note == DEMO_NOTE
