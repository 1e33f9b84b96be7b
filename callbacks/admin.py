"""Callbacks of the admin page: every change goes through db.users, which validates it."""
from __future__ import annotations

import datetime as dt

from dash import Dash, Input, Output, State, ctx, no_update

from callbacks.viewer import current_account
from db import rules, users
from db.engine import session_scope
from layouts import admin_ids as ids, admin_page, text


def _error(err: users.UserError) -> str:
    return text.ADMIN_ERRORS.get(err.kind, str(err))


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.USERS, "rowData"), Output(ids.USER_MESSAGE, "children"),
        Output(ids.NEW_USERNAME, "value"), Output(ids.NEW_PASSWORD, "value"), Output(ids.RESET_PASSWORD, "value"),
        Input(ids.CREATE, "n_clicks"), Input(ids.DEACTIVATE, "n_clicks"), Input(ids.ACTIVATE, "n_clicks"),
        Input(ids.RESET, "n_clicks"), Input(ids.RETRY, "data"),
        State(ids.NEW_USERNAME, "value"), State(ids.NEW_NAME, "value"), State(ids.NEW_ROLE, "value"),
        State(ids.NEW_SCOPE, "value"), State(ids.NEW_PASSWORD, "value"), State(ids.RESET_PASSWORD, "value"),
        State(ids.USERS, "selectedRows"),
    )
    def manage_users(_c, _d, _a, _r, _retry, username, name, role, scope, password, new_password, selected):
        action = ctx.triggered_id
        message, clear = None, False
        picked = (selected or [{}])[0].get("username")
        try:
            with session_scope() as session:
                if action == ids.CREATE:
                    account = users.create_user(session, username, password, role or "", (scope or "").strip(), name)
                    message, clear = text.ADMIN_DONE.format(what=text.ADMIN_DID["create"].format(who=account.username)), True
                elif action in (ids.DEACTIVATE, ids.ACTIVATE, ids.RESET) and not picked:
                    message = text.ADMIN_SELECT_FIRST
                elif action in (ids.DEACTIVATE, ids.ACTIVATE):
                    users.set_active(session, picked, action == ids.ACTIVATE)
                    message = text.ADMIN_DONE.format(what=text.ADMIN_DID[action == ids.ACTIVATE].format(who=picked))
                elif action == ids.RESET:
                    users.set_password(session, picked, new_password)
                    message, clear = text.ADMIN_DONE.format(what=text.ADMIN_DID["reset"].format(who=picked)), True
        except users.UserError as err:
            message = _error(err)
        with session_scope() as session:
            rows = admin_page.user_rows(users.list_users(session))
        reset = "" if clear else no_update
        return rows, message, ("" if clear and action == ids.CREATE else no_update), reset, reset

    @app.callback(
        Output(ids.TOKENS, "rowData"), Output(ids.TOKEN_MESSAGE, "children"), Output(ids.TOKEN_LABEL, "value"),
        Input(ids.TOKEN_CREATE, "n_clicks"), Input(ids.TOKEN_REVOKE, "n_clicks"), Input(ids.RETRY, "data"),
        State(ids.TOKEN_LABEL, "value"), State(ids.TOKEN_SCOPE, "value"), State(ids.TOKENS, "selectedRows"),
    )
    def manage_tokens(_c, _r, _retry, label, scope, selected):
        action = ctx.triggered_id
        message, label_out = None, no_update
        try:
            with session_scope() as session:
                if action == ids.TOKEN_CREATE:
                    token = users.create_display_token(session, label, (scope or "").strip() or None, dt.datetime.now())
                    message, label_out = text.ADMIN_TOKEN_SHOWN_ONCE.format(url=f"/screen/?token={token}"), ""
                elif action == ids.TOKEN_REVOKE:
                    if not selected:
                        message = text.ADMIN_SELECT_FIRST
                    else:
                        users.revoke_display_token(session, int(selected[0]["id"]), dt.datetime.now())
                        message = text.ADMIN_DONE.format(what=text.ADMIN_DID["revoke"].format(who=selected[0]["id"]))
        except users.UserError as err:
            message = _error(err)
        with session_scope() as session:
            rows = admin_page.token_rows(users.list_display_tokens(session))
        return rows, message, label_out

    @app.callback(
        Output(ids.RULES, "rowData"), Output(ids.RULES_YELLOW, "value"), Output(ids.RULES_MESSAGE, "children"),
        Input(ids.RULES_SAVE, "n_clicks"), Input(ids.RETRY, "data"),
        State(ids.RULES, "rowData"), State(ids.RULES_YELLOW, "value"),
    )
    def manage_rules(_save, _retry, rows, yellow):
        message = None
        if ctx.triggered_id == ids.RULES_SAVE:
            table = {r["category"]: {k: v for k, v in r.items() if k != "category"} for r in rows or []}
            account = current_account()
            try:
                with session_scope() as session:
                    rules.save_case_rules(session, table, yellow, account.display_name if account else "?",
                                          dt.datetime.now())
                message = text.RULES_SAVED
            except rules.RulesError as err:
                return no_update, no_update, text.words(err)
        with session_scope() as session:
            current = rules.get_case_rules(session)
        return rules.rules_table(current), current.yellow_hours, message
