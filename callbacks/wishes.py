"""Callbacks of /wishes/: the list, publishing a wish, and claim / complete / release / withdraw on one."""
from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import intake
from callbacks.urls import query_param
from callbacks.viewer import current_viewer
from callbacks.wiring import Callbacks
from db import wishes
from db.engine import session_scope
from layouts import text, wishes_ids as ids, wishes_page
from layouts.intake_form import new_token
from workflow import wishes as rules
import settings

page = Callbacks()


@page.callback(Output(ids.AREA, "value"), Input(ids.URL, "search"))
def area_from_url(search):
    return query_param(search, "area") or ""


@page.callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"), Input(ids.AREA, "value"),
               Input(ids.STATUS, "value"), Input(ids.CHANGED, "data"), Input(ids.RETRY, "data"))
def show_list(area, statuses, _changed, _retry):
    with session_scope() as session:
        rows = wishes.list_wishes(session, current_viewer(), (area or "").strip() or None, tuple(statuses or ()))
    return wishes_page.grid_rows(rows), text.WISHES_COUNT.format(n=len(rows))


@page.callback(Output(ids.NEW_PANEL, "hidden"), Input(ids.NEW_TOGGLE, "n_clicks"), State(ids.NEW_PANEL, "hidden"),
               prevent_initial_call=True)
def toggle_new(_n, hidden):
    return not hidden


@page.callback(Output(ids.NEW_MESSAGE, "children"), Output(ids.CHANGED, "data", allow_duplicate=True),
               Output(ids.NEW_TITLE, "value"), Output(ids.NEW_DESCRIPTION, "value"), Output(ids.NEW_TOKEN, "data"),
               Input(ids.NEW_SUBMIT, "n_clicks"), State(ids.NEW_BUILDING, "value"), State(ids.NEW_TITLE, "value"),
               State(ids.NEW_DESCRIPTION, "value"), State(ids.NEW_WISHER, "value"), State(ids.NEW_PHONE, "value"),
               State(ids.NEW_TOKEN, "data"),
               running=[(Output(ids.NEW_SUBMIT, "disabled"), True, False)],  # one click, one request
               prevent_initial_call=True)
def publish(_n, building, title, description, wisher, phone, token):
    """Publish the form's wish; its token makes a second submission find the first wish, and a new token comes
    back with the emptied form."""
    new = wishes.NewWish(title=title or "", building_code=building or "", description=description,
                         wisher_name=wisher, wisher_phone=phone, client_token=token)
    try:
        with session_scope() as session:
            code = wishes.publish_wish(session, new, current_viewer(), settings.now())
    except rules.WishError as err:
        return text.words(err), no_update, no_update, no_update, no_update
    return text.WISHES_PUBLISHED.format(code=code), settings.now().isoformat(), "", "", new_token()


def _detail(code: str | None):
    if not code:
        raise PreventUpdate
    try:
        with session_scope() as session:
            wish = wishes.get_wish(session, code, current_viewer())
    except rules.WishError as err:
        return text.words(err), None
    return wishes_page.build_detail(wish), {"code": wish["code"], "version": wish["version"]}


@page.callback(Output(ids.DETAIL, "children"), Output(ids.SELECTED, "data"), Input(ids.GRID, "cellClicked"),
               prevent_initial_call=True)
def show_clicked_wish(cell):
    return _detail((cell or {}).get("rowId"))


@page.callback(Output(ids.DETAIL, "children", allow_duplicate=True), Output(ids.SELECTED, "data", allow_duplicate=True),
               Input(ids.CHANGED, "data"), State(ids.SELECTED, "data"), prevent_initial_call=True)
def refresh_wish(_changed, selected):
    """After an action the wish on show is read again (its status and version moved on)."""
    return _detail((selected or {}).get("code"))


@page.callback(Output(ids.ACTION_MESSAGE, "children"), Output(ids.CHANGED, "data"),
               Input(ids.action_button(ALL), "n_clicks"), State(ids.SELECTED, "data"),
               State(ids.CLAIMANT, "value"), State(ids.CLAIMANT_KIND, "value"), State(ids.NOTE, "value"),
               prevent_initial_call=True)
def act(clicks, selected, claimant, kind, note):
    if not any(clicks or []) or not selected or not isinstance(ctx.triggered_id, dict):
        raise PreventUpdate
    action = ctx.triggered_id["action"]
    try:
        with session_scope() as session:
            wishes.act_on_wish(session, selected["code"], action, current_viewer(), selected["version"],
                               settings.now(), claimant=claimant, claimant_kind=kind, note=note)
    except rules.WishError as err:
        return text.words(err), no_update
    return text.WISHES_DONE.format(action=text.WISH_ACTIONS[action]), settings.now().isoformat()


def register(app: Dash) -> None:
    intake.register_building_search(app, ids.NEW_BUILDING)
    page.register(app)
