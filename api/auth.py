"""Staff sessions (flask-login), the login page, and the boundary every request passes first.

Anonymous requests reach only the residents' app under /public/, /api/public/*, /healthz and /login.
Everything else needs a session, and each page says which roles may open it (the PAGES table in app.py): the
role `screen` (a display token) reaches only /screen/, /admin/ only admins.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from urllib.parse import urlparse

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from wtforms import PasswordField, StringField
from wtforms.validators import ValidationError

from db import users
from db.access import Viewer
from db.engine import session_scope
from layouts import text
from layouts.pages import ANYONE, Page, owner
from workflow.textcheck import is_storable
import settings

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()

OPEN_PATHS = ("/healthz", "/login", "/favicon.ico")
OPEN_PREFIXES = ("/api/public/",)
KEYED_PREFIX = "/open311/"  # machine clients: an API key instead of a session (api/open311.py checks it)
SIGNED_IN_PATHS = ("/logout",)  # whoever holds a session, a kiosk too, may end it


class SessionUser(UserMixin):
    """What flask-login keeps for a request: the account as loaded from the database."""

    def __init__(self, account: users.Account):
        self.account = account

    def get_id(self) -> str:
        # the user's session epoch goes into the signed session: once it moves on, this session no longer loads
        return users.session_id(self.account)

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.account.role, self.account.scope_code, users.user_id(self.account))


@login_manager.user_loader
def _load(session_key: str):
    try:
        with session_scope() as session:
            account = users.get_account(session, session_key)
    except (OperationalError, InterfaceError):
        # The database is away: keep the signed-in person (from the signed session cookie) so pages load and
        # callbacks can say 数据库暂时不可用; revocations are checked again as soon as the database is back.
        try:
            account = users.Account(**flask_session.get("account") or {})
        except TypeError:
            return None
        if users.session_id(account) != session_key:
            return None
    return SessionUser(account) if account else None


KIOSK = "kiosk"  # the session key saying this browser is a display that came in with a token


def _remember(account: users.Account) -> None:
    flask_session["account"] = dataclasses.asdict(account)
    if account.role == "screen":
        flask_session[KIOSK] = True
    else:
        flask_session.pop(KIOSK, None)
    login_user(SessionUser(account))


SCREEN_OFF_HEADER = "X-Jinlin-Screen"  # "off" on a callback answer: assets/screen/screen.js reloads the page


def screen_off():
    """What a display gets once its token no longer works. The page says it was switched off and shows nothing else:
    a public display never falls back to the login form (which, in demo mode, lists the demo accounts). A callback
    gets no update (204, as Dash answers PreventUpdate) marked off, so the open page reloads into that page
    instead of logging errors under frozen numbers."""
    if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        body = render_template("screen_off.html", title=text.SCREEN_OFF_TITLE, body=text.SCREEN_OFF_BODY)
        return Response(body, headers={"Cache-Control": "no-store"})
    if request.method == "POST" and request.path.endswith("/_dash-update-component"):
        return Response(status=204, headers={SCREEN_OFF_HEADER: "off", "Cache-Control": "no-store"})
    return _refuse(401)


def _storable(_form, field) -> None:
    """No NUL or control characters: PostgreSQL cannot even look such a name up (it was a 500)."""
    if field.data and not is_storable(field.data):
        raise ValidationError(text.LOGIN_BAD_CHARACTERS)


class LoginForm(FlaskForm):
    # no length or blank checks here: db/users normalises and judges the name, so every variant of it is
    # throttled and refused alike (a form error would answer differently, and without counting); only what no
    # column can keep is refused at the form
    username = StringField(text.LOGIN_USERNAME, validators=[_storable])
    password = PasswordField(text.LOGIN_PASSWORD, validators=[_storable])

    def refusal(self) -> str:
        """What to tell the person when the form did not validate (wtforms' own messages are English)."""
        if any(text.LOGIN_BAD_CHARACTERS in field.errors for field in (self.username, self.password)):
            return text.LOGIN_BAD_CHARACTERS
        return text.LOGIN_EXPIRED


def trust_proxies(server: Flask, proxies: int) -> None:
    """Behind `proxies` reverse proxies, take the client's address (and scheme) from the X-Forwarded-* headers they
    add; with 0, trust none of them: a client could write any X-Forwarded-For and dodge the login throttle."""
    if proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies, x_proto=proxies)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user off this site after login."""
    if not target:
        return "/"
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    message = None
    status = 200
    with session_scope() as session:
        demo = users.is_demo(session)
    if form.validate_on_submit():
        message, status = _try_login(form.username.data or "", form.password.data or "")
        if message is None:
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        message, status = form.refusal(), 400
    body = render_template("login.html", form=form, message=message, demo=demo,
                           demo_users=users.DEMO_USERS if demo else (),
                           demo_token=users.DEMO_SCREEN_TOKEN if demo else None)
    return Response(body, status=status)


def _try_login(username: str, password: str) -> tuple[str | None, int]:
    """(None, 302) once logged in; else the message and status to show. The throttle and the account look at the
    same normalised name (db/users.normalise_username) and the client's address as ProxyFix (settings) gives it."""
    if not username.strip() or not password:
        return text.LOGIN_MISSING, 400
    now = settings.now()
    addr = request.remote_addr
    with session_scope() as session:
        until = users.paused_until(session, username, addr, now)
        if until is not None:
            log.warning("login paused for %r from %s until %s", users.normalise_username(username)[:50], addr,
                        f"{until:%H:%M:%S}")
            return text.LOGIN_THROTTLED.format(minutes=users.pause_minutes(until, now)), 429
        account = users.authenticate(session, username, password, addr, now)
    if account is None:
        return text.LOGIN_WRONG, 401
    _remember(account)
    return None, 302


@bp.post("/logout")
def logout():
    """Ends every session of the account (other browsers too), then this one."""
    if current_user.is_authenticated:
        try:
            with session_scope() as session:
                users.end_sessions(session, current_user.account)
        except (OperationalError, InterfaceError):
            log.warning("database away at logout of %s: only this browser's session ended",
                        current_user.account.username)
    logout_user()
    flask_session.pop("account", None)
    return redirect(url_for("auth.login"))


def _refuse(status: int):
    """Pages go to the login page; callbacks and JSON get a plain 401/403 (no redirect loop, no 500)."""
    wants_page = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
    if status == 401 and wants_page:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if status == 403 and wants_page:
        return _forbidden_page()
    message = {401: "login required", 403: "forbidden"}[status]
    return jsonify({"error": message}), status


def _forbidden_page():
    """403 for a person: in Chinese, which roles may open the page, and who they are signed in as."""
    page = owner(_pages(), request.path)
    roles = text.LIST_SEPARATOR.join(text.ROLE_LABELS[r] for r in text.ROLE_LABELS if r in (page.roles or ()))
    account = current_user.account if current_user.is_authenticated else None
    body = render_template(
        "forbidden.html", title=text.FORBIDDEN_TITLE, who=text.FORBIDDEN_WHO.format(page=page.title, roles=roles),
        account=text.FORBIDDEN_ACCOUNT.format(person=text.person_label(account.display_name, account.role))
        if account else None, back=text.FORBIDDEN_BACK)
    return Response(body, status=403)


def _token_login() -> None:
    """A kiosk opens /screen/?token=…: the token logs the screen in (read-only, scoped).

    A person already signed in keeps their own session and sees the screen as themselves: a token link (sent by
    anyone) never replaces a staff session, nor ends it when the token is wrong or revoked.
    """
    token = request.args.get("token")
    if not token:
        return
    if current_user.is_authenticated and current_user.account.role != "screen":
        return
    try:
        with session_scope() as session:
            account = users.resolve_display_token(session, token)
    except (OperationalError, InterfaceError):
        if current_user.is_authenticated:
            return  # a kiosk reloading during an outage keeps its screen session
        raise
    if account:
        _remember(account)
    else:
        logout_user()
        flask_session[KIOSK] = True  # a display with a dead token: it gets the switched-off page, not the login


def _malformed_callback() -> bool:
    """A Dash callback POST whose body is not the shape Dash sends (Dash itself would answer 500)."""
    if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
        return False
    body = request.get_json(silent=True)
    return not (isinstance(body, dict) and isinstance(body.get("output"), str)
                and isinstance(body.get("inputs"), list) and "outputs" in body)


def check_boundary():
    """Who may reach this path; whether it exists; how big its body may be (413 before anything reads it); then,
    for callbacks, that the body has Dash's shape (else 400, not a 500)."""
    if not all(map(is_storable, (request.path, *(t for pair in request.args.items(multi=True) for t in pair)))):
        # a NUL in a path or query reaches no route usefully, and PostgreSQL would refuse it mid-request
        return _json_error(400, "control characters in the path or query")
    refusal = _access_refusal(request.path)
    if refusal is not None:
        return refusal
    if _dash_catch_all():
        return _not_found()
    limit = body_limit(_pages(), request.path, current_app.config["JINLIN_MAX_BODY"])
    if _body_exceeds(limit):
        return _too_large(limit)
    if _malformed_callback():
        return _json_error(400, "malformed callback request")
    return None


def _body_exceeds(limit: int) -> bool:
    """Whether the body is longer than `limit`, found without reading more than limit + 1 bytes of it."""
    request.max_content_length = limit
    if request.content_length is not None:
        return request.content_length > limit
    if not request.environ.get("wsgi.input_terminated"):
        return False  # werkzeug reads no body of unknown length from such a server
    # chunked, no Content-Length: werkzeug would stop at the limit and hand on a truncated body, so read one byte
    # more here (kept for the view) and tell a body that ends at the limit from one that goes on
    request.max_content_length = limit + 1
    return len(request.get_data(cache=True)) > limit


def body_limit(pages: tuple[Page, ...], path: str, base: int) -> int:
    """The body a request to `path` may carry: `base`, and on the callback route of a page taking files, the
    largest of them as the browser sends it (a base64 data URL: 4 bytes for every 3)."""
    page = owner(pages, path)
    if page.uploads and path == page.callback_route:
        return base + 4 * -(-page.uploads // 3)
    return base


def _dash_catch_all() -> bool:
    """A Dash app answers any path under its own with its page; here no page has paths of its own beyond its root,
    so /publicx, /open311/x or /api/public/anything are not found rather than the staff map's HTML."""
    rule = request.url_rule
    return rule is not None and rule.rule in current_app.config["JINLIN_CATCH_ALL"]


def _json_error(status: int, error: str, **extra):
    return jsonify({"error": error, **extra}), status


def _not_found():
    return _json_error(404, "not found", path=request.path)


def _too_large(limit: int):
    return _json_error(413, "request body too large", limit_bytes=limit)


def may_open(page: Page, role: str | None) -> bool:
    """Whether someone with `role` (None: not logged in) may open `page` and everything under its path."""
    return page.roles is ANYONE or (role is not None and role in page.roles)


def _may_fetch(pages: tuple[Page, ...], role: str | None, path: str) -> bool:
    """A path is open to whoever may open the page holding it, and a file a page loads from elsewhere (the big
    screen's chart library) to whoever may open that page."""
    if may_open(owner(pages, path), role):
        return True
    return any(path in p.scripts + p.stylesheets for p in pages if may_open(p, role))


def _access_refusal(path: str):
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or path.startswith(KEYED_PREFIX):
        return None
    pages = _pages()
    if _may_fetch(pages, None, path):  # the residents' page and whatever it loads
        return None
    page = owner(pages, path)
    if page.token and "token" in request.args:
        _token_login()  # before the session is checked: the token is how a kiosk gets one
    if not current_user.is_authenticated:
        if page.token and flask_session.get(KIOSK):
            return screen_off()
        return _refuse(401)
    if path in SIGNED_IN_PATHS or _may_fetch(pages, current_user.account.role, path):
        return None
    return _refuse(403)


def add_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    page = owner(_pages(), request.path)
    if page.embeddable and request.path == page.path and response.status_code == 200:
        # the residents' map itself may be embedded in a community's own site; nothing else may be framed
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
    else:
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _pages() -> tuple[Page, ...]:
    return current_app.config["JINLIN_PAGES"]


def install(server: Flask, secure_cookies: bool, pages: tuple[Page, ...], max_body: int) -> None:
    """The boundary and the login for a server carrying `pages` (each says who may open it); request bodies up to
    `max_body` bytes (upload routes more: body_limit)."""
    server.config["JINLIN_PAGES"] = pages
    server.config["JINLIN_CATCH_ALL"] = frozenset(p.path + "<path:path>" for p in pages)
    server.config["JINLIN_MAX_BODY"] = max_body
    server.config["MAX_CONTENT_LENGTH"] = max_body  # every request's limit; the boundary raises it on upload routes
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
    )
    login_manager.init_app(server)
    server.register_blueprint(bp)
    server.before_request(check_boundary)
    server.after_request(add_security_headers)

    @server.errorhandler(Exception)
    def _unhandled(err):
        if isinstance(err, RequestEntityTooLarge):
            return _too_large(request.max_content_length)
        if isinstance(err, HTTPException):
            # a redirect stays one; an error is JSON like every other refusal here, never a page's HTML
            return err if err.code is None or err.code < 400 else _json_error(err.code, err.name.lower())
        if request.path.endswith("/_dash-update-component"):
            # callbacks handle their own failures (on_error); what reaches here is a request Dash cannot route
            log.warning("bad callback request to %s: %r", request.path, err)
            return jsonify({"error": "bad callback request"}), 400
        log.exception("unhandled error on %s", request.path, exc_info=err)
        return jsonify({"error": "internal error", "message": text.API_INTERNAL_ERROR}), 500
