"""Flask CLI commands: the demo (seed-demo, clear-demo), the schema (init-db), accounts and display tokens."""
from __future__ import annotations

import time

import click
from flask import Blueprint

from db import cases, demo_mode, users
from db.bootstrap import prepare
from db.engine import session_scope
from db.migrate import upgrade_to_head
from db.seed import write_demo
from geodata import demo
from layouts import text
import settings

cli = Blueprint("jinlin_cli", __name__, cli_group=None)


@cli.cli.command("seed-demo")
@click.option("--scale", type=click.Choice(list(demo.SCALES), case_sensitive=False), default="S", show_default=True,
              help="S: one street; M: a district (~30k buildings); L: a city (~150k buildings, 1M cases)")
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
def seed_demo(scale: str, seed: int) -> None:
    """Replace all data with a generated demo street (demo data, invented people)."""
    started = time.perf_counter()
    say = lambda msg: click.echo(f"[{time.perf_counter() - started:6.1f}s] {msg}")
    upgrade_to_head()
    data = demo.generate(scale.upper(), seed=seed, reference_time=settings.now(), progress=say)
    counts = write_demo(data, progress=say)
    click.echo(f"seeded scale {scale.upper()}: {counts} in {time.perf_counter() - started:.1f}s")


@cli.cli.command("init-db")
@click.option("--seed-demo/--no-seed-demo", default=False, show_default=True,
              help="seed the demo street (scale S) when the database is empty")
def init_db(seed_demo: bool) -> None:
    """Bring the schema to the newest migration (run once before starting gunicorn workers)."""
    seeded = prepare(seed_if_empty=seed_demo)
    click.echo("database ready" + (" (demo street seeded)" if seeded else ""))


@cli.cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES[:-1]), required=True, help="screen access uses display tokens")
@click.option("--scope", default=None, help="area code the user works in (street / community / grid)")
@click.option("--name", "display_name", default=None, help="name shown in the header")
@click.password_option(prompt=text.CLI_PASSWORD_PROMPT, help="read from the terminal when omitted")
def create_user(username: str, role: str, scope: str | None, display_name: str | None, password: str) -> None:
    """Create a staff account (hashed password; no default password exists outside demo mode)."""
    upgrade_to_head()
    try:
        with session_scope() as session:
            account = users.create_user(session, username, password, role, scope, display_name)
    except users.UserError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"created {account.username} ({account.role}{', scope ' + account.scope_code if account.scope_code else ''})")


@cli.cli.command("set-password")
@click.argument("username")
@click.password_option(prompt=text.CLI_PASSWORD_PROMPT, help="read from the terminal when omitted")
def set_password(username: str, password: str) -> None:
    """Give an account a new password (the same policy as create-user); its open sessions end."""
    _account_change(lambda session: users.set_password(session, username, password),
                    f"new password for {users.normalise_username(username)}; its sessions are ended")


@cli.cli.command("deactivate-user")
@click.argument("username")
def deactivate_user(username: str) -> None:
    """Stop an account from logging in, and end its open sessions (the last active admin stays)."""
    _account_change(lambda session: users.set_active(session, username, False),
                    f"deactivated {users.normalise_username(username)}; its sessions are ended")


@cli.cli.command("activate-user")
@click.argument("username")
def activate_user(username: str) -> None:
    """Let a deactivated account log in again."""
    _account_change(lambda session: users.set_active(session, username, True),
                    f"activated {users.normalise_username(username)}")


def _account_change(change, done: str) -> None:
    upgrade_to_head()
    try:
        with session_scope() as session:
            change(session)
    except users.UserError as err:
        raise click.ClickException(f"{err} (nothing changed)") from None
    click.echo(done)


@cli.cli.command("clear-demo")
@click.option("--with-imports", is_flag=True,
              help="also delete what was imported into the demo before imports into it were refused")
def clear_demo(with_imports: bool) -> None:
    """Leave demo mode: remove the generated demo data, the demo accounts and the demo display token in one
    transaction. Accounts made with create-user and the settings stay. Running it again changes nothing."""
    upgrade_to_head()
    try:
        with session_scope() as session:
            removed = demo_mode.clear_demo(session, with_imports)
            admins = users.active_admins(session)
    except demo_mode.MixedData as err:
        raise click.ClickException(str(err)) from None
    gone = {what: n for what, n in removed.items() if n}
    if not gone:
        click.echo("no demo data, demo accounts or demo tokens: nothing removed")
    else:
        click.echo("removed " + ", ".join(f"{what} {n}" for what, n in gone.items()))
        click.echo("demo mode is over: the login page lists no demo accounts, imports are accepted")
    if not admins:
        click.echo("no active admin account: create one with `flask --app app create-user NAME --role admin`")


@cli.cli.command("create-display-token")
@click.option("--label", required=True, help=text.CLI_TOKEN_LABEL_HELP)
@click.option("--scope", default=None, help="area code the screen shows")
def create_display_token(label: str, scope: str | None) -> None:
    """A revocable token for a kiosk: open /screen/?token=… on the big screen."""
    upgrade_to_head()
    try:
        with session_scope() as session:
            token = users.create_display_token(session, label, scope, settings.now())
    except users.UserError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"/screen/?token={token}")
    click.echo("shown once: only a hash is stored")


@cli.cli.command("revoke-display-token")
@click.argument("token_id", type=int)
def revoke_display_token(token_id: int) -> None:
    """Revoke a display token by its id (see the admin page)."""
    try:
        with session_scope() as session:
            users.revoke_display_token(session, token_id, settings.now())
    except users.UserError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"revoked display token {token_id}")


@cli.cli.command("escalate")
def escalate() -> None:
    """Escalate every open case past its deadline, once (for cron; each server process also runs it every
    JINLIN_ESCALATE_EVERY seconds). Runs beside the servers' own: one run at a time does the work."""
    with session_scope() as session:
        moved = cases.escalate_due(session, settings.now())
    if moved is None:
        click.echo("escalations: none here, another run holds the escalation lock and does them")
    else:
        click.echo(f"escalations: {moved}")
