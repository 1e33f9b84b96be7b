"""The admin page: staff accounts, big-screen display tokens, and the case deadlines per category."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from workflow.vocab import LADDER_LEVELS, PERSON_ROLES
from layouts import admin_ids as ids, text
from layouts.chrome import TopBar, outage_parts, staff_topbar

GRID_STYLE = {"height": "320px"}


def _grid(id_: str, columns: list[tuple[str, str]]) -> dag.AgGrid:
    return dag.AgGrid(id=id_, rowData=[], className="ag-theme-alpine",
                      columnDefs=[{"field": f, "headerName": h, "flex": 1} for f, h in columns],
                      dashGridOptions={"rowSelection": {"mode": "singleRow"}, "domLayout": "normal"},
                      style=GRID_STYLE)


def build_page(bar: TopBar) -> html.Div:
    return html.Div(className="page admin", children=[
        dcc.Location(id="admin-url"),
        *outage_parts(ids),
        staff_topbar(bar),
        html.Main(className="admin-main", children=[
            html.Section(className="admin-card", children=[
                html.H2(text.ADMIN_USERS),
                _grid(ids.USERS, [("username", text.ADMIN_USERNAME), ("display_name", text.ADMIN_DISPLAY_NAME),
                                  ("role_label", text.ADMIN_ROLE), ("scope_code", text.ADMIN_SCOPE),
                                  ("state", text.ADMIN_STATE)]),
                html.Div(className="admin-row", children=[
                    html.Button(text.ADMIN_DEACTIVATE, id=ids.DEACTIVATE, className="btn"),
                    html.Button(text.ADMIN_ACTIVATE, id=ids.ACTIVATE, className="btn"),
                    dcc.Input(id=ids.RESET_PASSWORD, type="password", placeholder=text.ADMIN_NEW_PASSWORD,
                              className="input"),
                    html.Button(text.ADMIN_RESET, id=ids.RESET, className="btn"),
                ]),
                html.H3(text.ADMIN_NEW_USER),
                html.Div(className="admin-form", children=[
                    dcc.Input(id=ids.NEW_USERNAME, placeholder=text.ADMIN_USERNAME, className="input"),
                    dcc.Input(id=ids.NEW_NAME, placeholder=text.ADMIN_DISPLAY_NAME, className="input"),
                    dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.NEW_ROLE, placeholder=text.ADMIN_ROLE, clearable=False, className="dropdown",
                                 options=[{"label": text.ROLE_LABELS[r], "value": r} for r in PERSON_ROLES]),
                    dcc.Input(id=ids.NEW_SCOPE, placeholder=text.ADMIN_SCOPE, className="input"),
                    dcc.Input(id=ids.NEW_PASSWORD, type="password", placeholder=text.ADMIN_PASSWORD,
                              className="input"),
                    html.Button(text.ADMIN_CREATE, id=ids.CREATE, className="btn primary"),
                ]),
                html.Div(id=ids.USER_MESSAGE, className="admin-message", role="status"),
            ]),
            html.Section(className="admin-card", children=[
                html.H2(text.ADMIN_TOKENS),
                _grid(ids.TOKENS, [("id", text.ADMIN_TOKEN_ID), ("label", text.NAV_SCREEN), ("scope_code", text.ADMIN_SCOPE),
                                   ("created", text.ADMIN_TOKEN_CREATED), ("state", text.ADMIN_STATE)]),
                html.Div(className="admin-form", children=[
                    dcc.Input(id=ids.TOKEN_LABEL, placeholder=text.ADMIN_TOKEN_LABEL, className="input wide"),
                    dcc.Input(id=ids.TOKEN_SCOPE, placeholder=text.ADMIN_SCOPE, className="input"),
                    html.Button(text.ADMIN_TOKEN_CREATE, id=ids.TOKEN_CREATE, className="btn primary"),
                    html.Button(text.ADMIN_TOKEN_REVOKE, id=ids.TOKEN_REVOKE, className="btn"),
                ]),
                html.Div(id=ids.TOKEN_MESSAGE, className="admin-message", role="status"),
            ]),
            build_rules_card(),
        ]),
    ])


def user_rows(users: list[dict]) -> list[dict]:
    return [{**u, "role_label": text.ROLE_LABELS.get(u["role"], u["role"]),
             "state": text.ADMIN_USER_STATE[u["active"]]} for u in users]


def token_rows(tokens: list[dict]) -> list[dict]:
    return [{"id": t["id"], "label": t["label"], "scope_code": t["scope_code"],
             "created": t["created_at"].strftime("%Y-%m-%d %H:%M"), "state": text.ADMIN_TOKEN_STATE[t["revoked"]]}
            for t in tokens]


def token_shown_once(url: str) -> list:
    """A new display token's address, shown this once, with a copy button (dcc.Clipboard: no selecting by hand)."""
    return [html.Span(text.ADMIN_TOKEN_SHOWN_ONCE), html.Code(url, id=ids.TOKEN_URL, className="token-url"),
            dcc.Clipboard(target_id=ids.TOKEN_URL, title=text.ADMIN_TOKEN_COPY, className="token-copy")]


def build_rules_card() -> html.Section:
    """办理时限: days per category and ladder level (double-click a cell to edit) and the yellow window."""
    columns = [{"field": "category", "headerName": text.RULES_CATEGORY, "flex": 1, "pinned": "left"}]
    columns += [{"field": level, "headerName": text.RULES_LEVEL_DAYS.format(level=level), "flex": 1,
                 # no min/max in the browser: the editor would drop −1 without a word and 保存 would say 已保存;
                 # the server (db/rules.py) refuses it and says which cell and what range
                 "editable": True, "cellEditor": "agNumberCellEditor", "cellEditorParams": {"precision": 1}}
                for level in LADDER_LEVELS]
    return html.Section(className="admin-card wide", children=[
        html.H2(text.RULES_TITLE),
        html.P(text.RULES_HINT, className="muted"),
        dag.AgGrid(id=ids.RULES, rowData=[], columnDefs=columns, className="ag-theme-alpine",
                   getRowId="params.data.category", dashGridOptions={"singleClickEdit": True,
                                                                      "stopEditingWhenCellsLoseFocus": True},
                   style={"height": "460px"}),
        html.Div(className="admin-form", children=[
            html.Label(text.RULES_YELLOW, htmlFor=ids.RULES_YELLOW),
            # no min/max: an out-of-range number reaches the server, which names the range (not 请填写)
            dcc.Input(id=ids.RULES_YELLOW, type="number", className="input narrow"),
            html.Button(text.RULES_SAVE, id=ids.RULES_SAVE, className="btn primary"),
        ]),
        html.Div(id=ids.RULES_MESSAGE, className="admin-message", role="status"),
    ])
