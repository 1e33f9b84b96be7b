"""Staff accounts, login throttling, sessions that can be ended, and big-screen display tokens."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from db import models as m
from geodata.demo_words import DEMO_ACCOUNT_NAMES, DEMO_NOTE, DEMO_SCREEN_LABEL
from workflow.textcheck import is_storable
import settings

ROLES = tuple(r.value for r in m.Role)
USERNAME = re.compile(r"^[a-z0-9_.-]{3,50}$")  # what a name is once normalised (normalise_username)
# blanks (tabs, NBSP, the full-width space …) and zero-width marks a name picks up when pasted from a chat
_NAME_EDGES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"

# Wrong passwords for one account from one address: after ACCOUNT_FAILURES, that address waits ACCOUNT_PAUSE,
# doubled with each further failure up to LONGEST_PAUSE; failures older than MEMORY are forgotten. The owner at
# another address is never paused by them, and a success clears only the failures of the address it came from.
ACCOUNT_FAILURES = 5
ACCOUNT_PAUSE = dt.timedelta(minutes=15)
LONGEST_PAUSE = dt.timedelta(hours=24)
MEMORY = dt.timedelta(hours=24)
# Any names from one address (one guesser trying many accounts): ADDRESS_FAILURES within ADDRESS_WINDOW pause it
# until the oldest of them is ADDRESS_WINDOW old.
ADDRESS_FAILURES = 20
ADDRESS_WINDOW = dt.timedelta(minutes=15)
# Checked against a throw-away hash when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

# Demo mode only: the login page shows these; outside demo mode accounts are made with `create-user`.
DEMO_USERS = tuple((username, password, role, scope, DEMO_ACCOUNT_NAMES[username]) for username, password, role, scope in (
    ("admin", "demo-admin-2026", "admin", None),
    ("street", "demo-street-2026", "street_official", "330381001"),
    ("community", "demo-community-2026", "community_staff", "330381001001"),
    ("grid", "demo-grid-2026", "grid_leader", "33038100100101"),
))
DEMO_SCREEN_TOKEN = "demo-screen-token-2026"


class UserError(ValueError):
    """Bad account input: an English message for the CLI and logs, and a `kind` the UI turns into Chinese."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Account:
    id: str  # "u:<id>" for users, "t:<id>" for display tokens
    username: str
    role: str
    scope_code: str | None
    display_name: str
    epoch: int = 0  # the user's session epoch when this was read (tokens: always 0, they are revoked instead)


def user_id(account: Account) -> int | None:
    """The user row of an account; None for a display token."""
    kind, _, number = account.id.partition(":")
    return int(number) if kind == "u" else None


def session_id(account: Account) -> str:
    """What a signed session keeps (flask-login's user id): a user's row and epoch, or a display token's row."""
    return f"{account.id}:{account.epoch}" if account.id.startswith("u:") else account.id


def _account(user: m.User) -> Account:
    return Account(f"u:{user.id}", user.username, user.role, user.scope_code, user.display_name or user.username,
                   user.session_epoch or 0)


def normalise_username(raw: str | None) -> str:
    """The one form of a login name that throttling, authentication and account creation all use: NFKC (full-width
    letters become ASCII), blank and zero-width edges removed, case folded. `Admin`, ` admin\t` and the full-width
    `ａｄｍｉｎ` are one name."""
    return _NAME_EDGES.sub("", unicodedata.normalize("NFKC", raw or "")).casefold()


def _user_named(session: Session, raw: str | None, lock: bool = False) -> m.User | None:
    name = normalise_username(raw)
    if not USERNAME.match(name):
        return None
    query = select(m.User).where(m.User.username == name)
    return session.execute(query.with_for_update() if lock else query).scalar_one_or_none()


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    published = {password for _, password, *_ in DEMO_USERS} | {DEMO_SCREEN_TOKEN}
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#")) | published


def check_password(password: str | None, username: str) -> None:
    """The password policy, for every password a person sets: 10–200 characters, not containing the user name,
    not a common password (a list shipped in db/, the demo's published passwords too). UserError when not."""
    password = password or ""
    if not is_storable(password):
        raise UserError("password: holds characters no one types (NUL, control characters, lone surrogates)",
                        "password_text")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters (at most {MAX_PASSWORD})", "password")
    folded = unicodedata.normalize("NFKC", password).casefold()
    if normalise_username(username) in folded:
        raise UserError("password: must not contain the user name", "password_name")
    if folded in _common_passwords() or len(set(folded)) < 4:
        raise UserError("password: too common or too simple (on the list of passwords guessed first)",
                        "password_common")


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
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise UserError("username: 3–50 letters, digits, '.', '_' or '-'", "username")
    check_password(password, username)
    return _add_user(session, username, password, role, scope_code, display_name, now, demo=False)


def _add_user(session: Session, username: str, password: str, role: str, scope_code: str | None,
              display_name: str | None, now: dt.datetime | None, demo: bool) -> Account:
    _validate(session, role, scope_code or None)
    if session.execute(select(m.User.id).where(m.User.username == username)).first():
        raise UserError(f"username {username!r} is taken", "taken")
    user = m.User(username=username, password_hash=generate_password_hash(password), role=role,
                  scope_code=scope_code or None, display_name=(display_name or "").strip() or username, active=True,
                  created_at=now or settings.now(), demo=demo, session_epoch=0)
    session.add(user)
    session.flush()
    return _account(user)


def _named(session: Session, username: str, lock: bool = False) -> m.User:
    user = _user_named(session, username, lock)
    if user is None:
        raise UserError(f"no user {normalise_username(username)!r}", "no_user")
    return user


def set_password(session: Session, username: str, password: str) -> None:
    """A new password (under the policy); every session of the account ends."""
    user = _named(session, username)
    check_password(password, user.username)
    user.password_hash = generate_password_hash(password)
    user.session_epoch = (user.session_epoch or 0) + 1


def set_active(session: Session, username: str, active: bool) -> None:
    """Deactivating ends every session of the account; the last active admin stays active."""
    user = _named(session, username, lock=True)
    if not active and user.active and user.role == m.Role.admin:
        # locked: two admins deactivating each other at once cannot both pass this check (PostgreSQL row locks;
        # SQLite lets one writer in at a time)
        others = select(m.User.id).where(m.User.role == m.Role.admin, m.User.active.is_(True), m.User.id != user.id)
        if not is_demo(session):  # a demo admin left behind cannot log in: it is no admin to fall back on
            others = others.where(m.User.demo.is_(False))
        others = session.execute(others.with_for_update()).all()
        if not others:
            raise UserError(f"{user.username} is the last active admin: activate or create another admin first",
                            "last_admin")
    if user.active and not active:
        user.session_epoch = (user.session_epoch or 0) + 1
    user.active = active


def end_sessions(session: Session, account: Account) -> None:
    """Log the account out everywhere (every browser holding a session of it, copies of its cookie too). Not the
    demo's accounts: everyone trying the demo shares them and their passwords are on the login page, so one
    visitor's logout would throw the others out and protect nothing. A display token is ended by revoking it."""
    number = user_id(account)
    user = session.get(m.User, number) if number is not None else None
    if user is not None and not user.demo:
        user.session_epoch = (user.session_epoch or 0) + 1


def list_users(session: Session) -> list[dict]:
    rows = session.execute(select(m.User).order_by(m.User.username)).scalars()
    return [{"username": u.username, "display_name": u.display_name, "role": u.role, "scope_code": u.scope_code,
             "active": u.active} for u in rows]


def _throttle_key(raw: str | None) -> str:
    """The name failures are counted under: the normalised name, or "" for anything no account can be called."""
    name = normalise_username(raw)
    return name if USERNAME.match(name) else ""


def _address(remote_addr: str | None) -> str:
    return (remote_addr or "")[:64]


def paused_until(session: Session, username: str, remote_addr: str | None, now: dt.datetime) -> dt.datetime | None:
    """When `remote_addr` may try `username` again; None when it may now."""
    name, addr = _throttle_key(username), _address(remote_addr)
    count, last = session.execute(select(func.count(), func.max(m.LoginFailure.at)).where(
        m.LoginFailure.username == name, m.LoginFailure.remote_addr == addr,
        m.LoginFailure.at >= now - MEMORY)).one()
    until = []
    if count >= ACCOUNT_FAILURES:
        until.append(last + min(ACCOUNT_PAUSE * 2 ** (count - ACCOUNT_FAILURES), LONGEST_PAUSE))
    recent = session.execute(select(m.LoginFailure.at).where(
        m.LoginFailure.remote_addr == addr, m.LoginFailure.at >= now - ADDRESS_WINDOW)
        .order_by(m.LoginFailure.at.desc()).limit(ADDRESS_FAILURES)).scalars().all()
    if len(recent) >= ADDRESS_FAILURES:
        until.append(recent[-1] + ADDRESS_WINDOW)
    later = [t for t in until if t > now]
    return max(later) if later else None


def is_throttled(session: Session, username: str, remote_addr: str | None, now: dt.datetime) -> bool:
    return paused_until(session, username, remote_addr, now) is not None


def pause_minutes(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def authenticate(session: Session, username: str, password: str, remote_addr: str | None,
                 now: dt.datetime) -> Account | None:
    """The account when the password fits and the account may log in; None otherwise (the failure is recorded under
    the normalised name and the address). Outside demo mode the demo's published accounts never log in."""
    user = _user_named(session, username)
    candidate = password or ""
    usable = len(candidate) <= MAX_PASSWORD and is_storable(candidate)
    # hashed whatever the outcome, so the answer takes as long for a name that exists as for one that does not
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, candidate if usable else "-")
    ok = ok and usable
    addr = _address(remote_addr)
    if user is None or not ok or not _may_log_in(session, user):
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.at < now - MEMORY))
        session.add(m.LoginFailure(username=_throttle_key(username), remote_addr=addr, at=now))
        return None
    # only this address's failures: a success elsewhere must not lift the pause of a guesser here
    session.execute(delete(m.LoginFailure).where(m.LoginFailure.username == user.username,
                                                 m.LoginFailure.remote_addr == addr))
    return _account(user)


def _may_log_in(session: Session, user: m.User) -> bool:
    return bool(user.active) and (not user.demo or is_demo(session))


def get_account(session: Session, session_key: str) -> Account | None:
    """Reload a signed session's account: None when the user was deactivated, logged out everywhere or given a new
    password since (the epoch moved on), the token revoked, or a demo account outlived demo mode."""
    kind, _, rest = (session_key or "").partition(":")
    number, _, epoch = rest.partition(":")
    if not number.isdigit():
        return None
    if kind == "u":
        user = session.get(m.User, int(number))
        if user is None or not epoch.isdigit() or int(epoch) != (user.session_epoch or 0):
            return None
        return _account(user) if _may_log_in(session, user) else None
    if kind == "t" and not epoch:
        token = session.get(m.DisplayToken, int(number))
        if token is None or token.revoked_at is not None or not _token_usable(session, token):
            return None
        return _token_account(token)
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
    if row is None or row.revoked_at is not None or not _token_usable(session, row):
        return None
    return _token_account(row)


def _token_account(row: m.DisplayToken) -> Account:
    return Account(f"t:{row.id}", f"screen-{row.id}", "screen", row.scope_code, row.label)


def _token_usable(session: Session, row: m.DisplayToken) -> bool:
    """The demo's token is published on the login page: it opens the screen only while the demo is there."""
    return row.token_hash != _digest(DEMO_SCREEN_TOKEN) or is_demo(session)


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
    """Demo users and one demo screen token, replacing earlier demo accounts. Their passwords are the published
    ones (demo mode only: outside it these accounts cannot log in, and clear-demo removes them)."""
    session.execute(delete(m.User).where(m.User.demo.is_(True) | m.User.username.in_([u[0] for u in DEMO_USERS])))
    session.execute(delete(m.DisplayToken).where(m.DisplayToken.token_hash == _digest(DEMO_SCREEN_TOKEN)))
    for username, password, role, scope, name in DEMO_USERS:
        _add_user(session, username, password, role, scope, name, now, demo=True)
    create_display_token(session, DEMO_SCREEN_LABEL, "330381001", now, token=DEMO_SCREEN_TOKEN)


def remove_demo_accounts(session: Session) -> dict[str, int]:
    """Delete the demo's accounts, their failed logins and the demo's display token: {what: how many}."""
    names = session.execute(select(m.User.username).where(m.User.demo.is_(True))).scalars().all()
    session.execute(delete(m.LoginFailure).where(m.LoginFailure.username.in_(names)))
    accounts = session.execute(delete(m.User).where(m.User.demo.is_(True))).rowcount
    tokens = session.execute(delete(m.DisplayToken).where(
        m.DisplayToken.token_hash == _digest(DEMO_SCREEN_TOKEN))).rowcount
    return {"demo accounts": accounts, "demo display tokens": tokens}


def active_admins(session: Session) -> list[str]:
    return list(session.execute(select(m.User.username).where(
        m.User.role == m.Role.admin, m.User.active.is_(True), m.User.demo.is_(False))).scalars())


def is_demo(session: Session) -> bool:
    """Demo mode: the data in the database was generated by the demo seeder (and clear-demo has not run since)."""
    note = session.execute(select(m.DataVersion.note).where(m.DataVersion.name == "map")).scalar()
    return note == DEMO_NOTE
