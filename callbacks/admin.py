"""Callbacks of the admin page: every change goes through db.users, which validates it."""
from __future__ import annotations

from dash import Dash, Input, Output, State, no_update
from flask import request

from callbacks.viewer import current_account
from callbacks.wiring import Callbacks
from db import rules, users
from db.engine import session_scope
from layouts import admin_ids as ids, admin_page, text
import settings

page = Callbacks()


def _error(err: users.UserError) -> str:
    return text.ADMIN_ERRORS.get(err.kind, str(err))


def _user_rows(session) -> list[dict]:
    return admin_page.user_rows(users.list_users(session))


def _picked(selected: list[dict] | None) -> str | None:
    return (selected or [{}])[0].get("username")


@page.callback(Output(ids.USERS, "rowData"), Input(ids.RETRY, "data"))
def show_users(_retry):
    with session_scope() as session:
        return _user_rows(session)


@page.callback(Output(ids.USERS, "rowData", allow_duplicate=True), Output(ids.USER_MESSAGE, "children"),
               Output(ids.NEW_USERNAME, "value"), Output(ids.NEW_PASSWORD, "value"),
               Input(ids.CREATE, "n_clicks"), State(ids.NEW_USERNAME, "value"), State(ids.NEW_NAME, "value"),
               State(ids.NEW_ROLE, "value"), State(ids.NEW_SCOPE, "value"), State(ids.NEW_PASSWORD, "value"),
               prevent_initial_call=True)
def create_user(_n, username, name, role, scope, password):
    try:
        with session_scope() as session:
            account = users.create_user(session, username, password, role or "", (scope or "").strip(), name)
            return _user_rows(session), text.ADMIN_DONE.format(what=text.ADMIN_DID["create"].format(who=account.username)), "", ""
    except users.UserError as err:
        return no_update, _error(err), no_update, no_update


def _set_active(selected, active: bool):
    picked = _picked(selected)
    if not picked:
        return no_update, text.ADMIN_SELECT_FIRST
    try:
        with session_scope() as session:
            users.set_active(session, picked, active)
            return _user_rows(session), text.ADMIN_DONE.format(what=text.ADMIN_DID[active].format(who=picked))
    except users.UserError as err:
        return no_update, _error(err)


@page.callback(Output(ids.USERS, "rowData", allow_duplicate=True),
               Output(ids.USER_MESSAGE, "children", allow_duplicate=True),
               Input(ids.DEACTIVATE, "n_clicks"), State(ids.USERS, "selectedRows"), prevent_initial_call=True)
def deactivate_user(_n, selected):
    return _set_active(selected, False)


@page.callback(Output(ids.USERS, "rowData", allow_duplicate=True),
               Output(ids.USER_MESSAGE, "children", allow_duplicate=True),
               Input(ids.ACTIVATE, "n_clicks"), State(ids.USERS, "selectedRows"), prevent_initial_call=True)
def activate_user(_n, selected):
    return _set_active(selected, True)


@page.callback(Output(ids.USER_MESSAGE, "children", allow_duplicate=True), Output(ids.RESET_PASSWORD, "value"),
               Input(ids.RESET, "n_clicks"), State(ids.USERS, "selectedRows"), State(ids.RESET_PASSWORD, "value"),
               prevent_initial_call=True)
def reset_password(_n, selected, new_password):
    picked = _picked(selected)
    if not picked:
        return text.ADMIN_SELECT_FIRST, no_update
    try:
        with session_scope() as session:
            users.set_password(session, picked, new_password)
    except users.UserError as err:
        return _error(err), no_update
    return text.ADMIN_DONE.format(what=text.ADMIN_DID["reset"].format(who=picked)), ""


def _token_rows(session) -> list[dict]:
    return admin_page.token_rows(users.list_display_tokens(session))


@page.callback(Output(ids.TOKENS, "rowData"), Input(ids.RETRY, "data"))
def show_tokens(_retry):
    with session_scope() as session:
        return _token_rows(session)


@page.callback(Output(ids.TOKENS, "rowData", allow_duplicate=True), Output(ids.TOKEN_MESSAGE, "children"),
               Output(ids.TOKEN_LABEL, "value"), Input(ids.TOKEN_CREATE, "n_clicks"), State(ids.TOKEN_LABEL, "value"),
               State(ids.TOKEN_SCOPE, "value"), prevent_initial_call=True)
def create_token(_n, label, scope):
    try:
        with session_scope() as session:
            token = users.create_display_token(session, label, (scope or "").strip() or None, settings.now())
            rows = _token_rows(session)
        # the whole address the display opens, as this server was reached, with a button that copies it
        return rows, admin_page.token_shown_once(request.host_url.rstrip("/") + f"/screen/?token={token}"), ""
    except users.UserError as err:
        return no_update, _error(err), no_update


@page.callback(Output(ids.TOKENS, "rowData", allow_duplicate=True),
               Output(ids.TOKEN_MESSAGE, "children", allow_duplicate=True),
               Input(ids.TOKEN_REVOKE, "n_clicks"), State(ids.TOKENS, "selectedRows"), prevent_initial_call=True)
def revoke_token(_n, selected):
    if not selected:
        return no_update, text.ADMIN_SELECT_FIRST
    try:
        with session_scope() as session:
            users.revoke_display_token(session, int(selected[0]["id"]), settings.now())
            return _token_rows(session), text.ADMIN_DONE.format(what=text.ADMIN_DID["revoke"].format(who=selected[0]["id"]))
    except users.UserError as err:
        return no_update, _error(err)


@page.callback(Output(ids.RULES, "rowData"), Output(ids.RULES_YELLOW, "value"), Input(ids.RETRY, "data"))
def show_rules(_retry):
    with session_scope() as session:
        current = rules.get_case_rules(session)
    return rules.rules_table(current), current.yellow_hours


@page.callback(Output(ids.RULES, "rowData", allow_duplicate=True), Output(ids.RULES_YELLOW, "value",
                                                                          allow_duplicate=True),
               Output(ids.RULES_MESSAGE, "children"), Input(ids.RULES_SAVE, "n_clicks"), State(ids.RULES, "rowData"),
               State(ids.RULES_YELLOW, "value"), prevent_initial_call=True)
def save_rules(_n, rows, yellow):
    table = {r["category"]: {k: v for k, v in r.items() if k != "category"} for r in rows or []}
    account = current_account()
    try:
        with session_scope() as session:
            rules.save_case_rules(session, table, yellow, account.display_name if account else "?", settings.now())
            current = rules.get_case_rules(session)
    except rules.RulesError as err:
        return no_update, no_update, text.words(err)
    return rules.rules_table(current), current.yellow_hours, text.RULES_SAVED


def register(app: Dash) -> None:
    page.register(app)
