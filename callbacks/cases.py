"""Callbacks of /cases/: filtered list, export of exactly those rows, bulk dispatch, one case's actions."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks import intake, uploads
from callbacks.urls import query_param
from callbacks.viewer import current_account, current_viewer
from callbacks.wiring import Callbacks
from db import areas, batches, cases, exporting
from db.engine import session_scope
from layouts import cases_ids as ids, cases_page, text
from workflow import case_table, lifecycle as lc
from workflow.textcheck import CASE_SEARCH_CHARS
import settings

page = Callbacks()


def _filter(words, area, statuses, category, level, light, assignee, start, end) -> cases.CaseFilter:
    return cases.CaseFilter(area=(area or "").strip() or None, statuses=tuple(statuses or ()), category=category,
                            level=level, light=light, assignee=(assignee or "").strip() or None,
                            created_from=dt.date.fromisoformat(start[:10]) if start else None,
                            created_to=dt.date.fromisoformat(end[:10]) if end else None,
                            text=words if isinstance(words, str) else "")


def export_frame(rows: list[dict], now: dt.datetime) -> pd.DataFrame:
    """The rows as the grid shows them at `now`, with Chinese column names, for Excel and CSV."""
    # times stay datetimes: Excel gets real, sortable dates and a re-import keeps them to the second
    shown = [{**shown, "created_at": raw["created_at"], "deadline": raw["deadline"]}
             for shown, raw in zip(cases_page.grid_rows(rows, now), rows)]
    headers = {**text.CASE_FIELDS, **text.EXPORT_EXTRA_FIELDS}
    return pd.DataFrame(shown, columns=list(headers)).rename(columns=headers)


def _read_sheet(token: str | None, name: str, now: dt.datetime) -> list:
    """The rows of a sheet kept on the server; raises case_table.TableError with a message for the user."""
    path = uploads.kept(token)
    if path is None:
        raise case_table.TableError("upload_cancelled")
    return case_table.read_case_table(path.read_bytes(), name, now)


def _actor() -> str:
    account = current_account()
    return account.display_name if account else "?"


FILTERS = [Input(ids.SEARCH, "value"), Input(ids.AREA, "value"), Input(ids.STATUS, "value"), Input(ids.CATEGORY, "value"), Input(ids.LEVEL, "value"),
           Input(ids.LIGHT, "value"), Input(ids.ASSIGNEE, "value"), Input(ids.DATES, "start_date"),
           Input(ids.DATES, "end_date")]


def _building_spot(session, building_code: str | None) -> tuple[str, float, float] | None:
    building = areas.get_area(session, building_code or "")
    if building is None or building["level"] != "building":
        return None
    return building["code"], building["point"][0], building["point"][1]


@page.callback(Output(ids.INTAKE_PANEL, "hidden"), Input(ids.INTAKE_TOGGLE, "n_clicks"),
               State(ids.INTAKE_PANEL, "hidden"), prevent_initial_call=True)
def toggle_intake(_n, hidden):
    return not hidden


def area_options(session, viewer, wanted: str | None) -> tuple[list[dict], str | None]:
    """The area picker's options (the viewer's scope, by name) and the one `wanted` when the viewer may see it;
    a building from the map's building panel is added as an option of its own."""
    options = [{"label": c["label"], "value": c["code"]} for c in areas.choices(session, viewer)]
    if not wanted or not viewer.covers(wanted):
        return options, None
    if any(o["value"] == wanted for o in options):
        return options, wanted
    building = areas.get_area(session, wanted)
    if building is None or building["level"] != "building":
        return options, None
    compound = next((o["label"] for o in options if o["value"] == building["parent_code"]), "")
    label = text.CASES_BUILDING_OPTION.format(label=compound, name=building["name"]) if compound else building["name"]
    return [*options, {"label": label, "value": wanted}], wanted


@page.callback(Output(ids.AREA, "options"), Output(ids.AREA, "value"), Output(ids.AREA_NOTE, "children"),
               Output(ids.AREA_NOTE, "hidden"), Output(ids.LIGHT, "value"), Output(ids.SEARCH, "value"),
               Input(ids.URL, "search"))
def from_url(search):
    """The filters a link brings (?area= from the map, ?light=, ?q=); an area the viewer cannot see is said so."""
    wanted = query_param(search, "area")
    with session_scope() as session:
        options, area = area_options(session, current_viewer(), wanted)
    light, words = query_param(search, "light"), query_param(search, "q")
    note = text.CASES_AREA_UNKNOWN.format(code=wanted) if wanted and area is None else ""
    # what the link does not say stays as the person set it: the answer may come after their first click
    return (options, area if wanted else no_update, note, not note,
            (light if light in text.LIGHT_FILTER else None) if light else no_update,
            words[:CASE_SEARCH_CHARS] if words else no_update)


@page.callback(Output(ids.DETAIL, "children", allow_duplicate=True), Output(ids.SELECTED, "data", allow_duplicate=True),
               Input(ids.URL, "search"), prevent_initial_call="initial_duplicate")
def case_from_url(search):
    """?case= (a case in the map's building panel) opens that case beside the list."""
    return _detail(query_param(search, "case"))


@page.callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"),
               *FILTERS, Input(ids.CHANGED, "data"), Input(ids.RETRY, "data"))
def show_list(words, area, statuses, category, level, light, assignee, start, end, _changed, _retry):
    now = settings.now()
    with session_scope() as session:
        rows = cases.list_cases(session, current_viewer(),
                                _filter(words, area, statuses, category, level, light, assignee, start, end), now)
    return cases_page.grid_rows(rows, now), text.CASES_COUNT.format(n=len(rows))


def _export_rows(filters: tuple, now: dt.datetime) -> pd.DataFrame:
    with session_scope() as session:
        return export_frame(cases.list_cases(session, current_viewer(), _filter(*filters), now), now)


@page.callback(Output(ids.DOWNLOAD, "data"), Input(ids.EXPORT_XLSX, "n_clicks"),
               *[State(i.component_id, i.component_property) for i in FILTERS], prevent_initial_call=True)
def export_xlsx(_n, *filters):
    now = settings.now()
    return dcc.send_bytes(exporting.frame_xlsx(_export_rows(filters, now), case_table.CASE_SHEET_NAME),
                          text.CASES_EXPORT_XLSX_FILE.format(stamp=f"{now:%Y%m%d-%H%M}"))


@page.callback(Output(ids.DOWNLOAD, "data", allow_duplicate=True), Input(ids.EXPORT_CSV, "n_clicks"),
               *[State(i.component_id, i.component_property) for i in FILTERS], prevent_initial_call=True)
def export_csv(_n, *filters):
    now = settings.now()
    return dcc.send_bytes(exporting.frame_csv(_export_rows(filters, now)),
                          text.CASES_EXPORT_CSV_FILE.format(stamp=f"{now:%Y%m%d-%H%M}"))


@page.callback(Output(ids.BULK_MESSAGE, "children"), Output(ids.CHANGED, "data", allow_duplicate=True),
               Input(ids.BULK, "n_clicks"), State(ids.GRID, "selectedRows"), State(ids.BULK_ASSIGNEE, "value"),
               prevent_initial_call=True)
def bulk(_n, selected, assignee):
    if not selected:
        return text.ADMIN_SELECT_FIRST, no_update
    if not (assignee or "").strip():
        return text.CASES_BULK_NO_ASSIGNEE, no_update
    with session_scope() as session:
        done, refused = cases.bulk_dispatch(session, [r["code"] for r in selected], assignee, _actor(),
                                            current_viewer(), settings.now())
    message = text.CASES_BULK_DONE.format(done=len(done))
    if refused:
        message += text.CASES_BULK_REFUSED.format(n=len(refused), reasons=text.refused_cases(refused[:5]))
    return message, settings.now().isoformat()


def _detail(code: str | None):
    if not code:
        raise PreventUpdate
    now = settings.now()
    with session_scope() as session:
        try:
            case = cases.get_case(session, code, current_viewer(), now)
        except cases.NotFound as err:
            return text.words(err), None
    return cases_page.build_detail(case, now), {"code": case["code"], "version": case["version"]}


@page.callback(Output(ids.DETAIL, "children"), Output(ids.SELECTED, "data"), Input(ids.GRID, "cellClicked"),
               prevent_initial_call=True)
def show_clicked_case(cell):
    return _detail((cell or {}).get("rowId"))


@page.callback(Output(ids.DETAIL, "children", allow_duplicate=True), Output(ids.SELECTED, "data", allow_duplicate=True),
               Input(ids.CHANGED, "data"), State(ids.SELECTED, "data"), prevent_initial_call=True)
def refresh_case(_changed, selected):
    """After an action or an import the case on show is read again (its status and version moved on)."""
    return _detail((selected or {}).get("code"))


@page.callback(Output(ids.ACTION_MESSAGE, "children"), Output(ids.CHANGED, "data"),
               Input(ids.action_button(ALL), "n_clicks"), State(ids.SELECTED, "data"),
               State(ids.ACTION_ASSIGNEE, "value"), State(ids.ACTION_SATISFACTION, "value"),
               State(ids.ACTION_NOTE, "value"), prevent_initial_call=True)
def do_action(clicks, selected, assignee, satisfaction, note):
    if not any(clicks or []) or not selected or not isinstance(ctx.triggered_id, dict):
        raise PreventUpdate
    action = ctx.triggered_id["action"]
    try:
        with session_scope() as session:
            cases.act(session, selected["code"], action, _actor(), current_viewer(), selected["version"],
                      settings.now(), note=note, assignee=assignee, satisfaction=satisfaction)
    except (cases.CaseError, lc.TransitionError) as err:
        return text.words(err), no_update
    return text.CASES_DONE.format(action=text.CASE_ACTIONS[action]), settings.now().isoformat()


@page.callback(Output(ids.DOWNLOAD, "data", allow_duplicate=True), Input(ids.IMPORT_TEMPLATE, "n_clicks"),
               prevent_initial_call=True)
def download_template(_n):
    return dcc.send_bytes(case_table.template_xlsx(), text.CASES_IMPORT_TEMPLATE_FILE)


@page.callback(Output(ids.IMPORT_FILE, "data"), Output(ids.IMPORT_PANEL, "hidden"),
               Output(ids.IMPORT_SUMMARY, "children"), Output(ids.IMPORT_PROBLEMS, "children"),
               Output(ids.IMPORT_COMMIT, "children"), Output(ids.IMPORT_COMMIT, "hidden"),
               Output(ids.IMPORT_MESSAGE, "children"),
               Input(ids.IMPORT_UPLOAD, "contents"), State(ids.IMPORT_UPLOAD, "filename"),
               State(ids.IMPORT_FILE, "data"), prevent_initial_call=True)
def preview_import(contents, filename, previous):
    """Check an uploaded sheet; the file stays on the server and only its token goes back to the page."""
    if contents is None:  # cleared after a commit or cancel
        raise PreventUpdate
    uploads.discard((previous or {}).get("token"))
    name = filename or ""
    token = None
    try:
        token, _path = uploads.keep(uploads.decode(contents, case_table.MAX_BYTES), Path(name).suffix.lower())
        rows = _read_sheet(token, name, settings.now())
    except uploads.UploadError as err:
        return None, True, None, None, no_update, True, text.SHEET_UPLOAD_ERRORS[err.kind]
    except case_table.TableError as err:
        uploads.discard(token)
        return None, True, None, None, no_update, True, text.words(err)
    with session_scope() as session:  # read only: the check writes nothing
        check = cases.check_import(session, rows, current_viewer())
    valid, bad = len(check.valid), len(check.refused)
    summary = text.CASES_IMPORT_SUMMARY.format(name=name, total=check.total, valid=valid, bad=bad)
    if not valid:
        summary += text.CASES_IMPORT_NOTHING_VALID
        uploads.discard(token)
    label = (text.CASES_IMPORT_ONLY_VALID if bad else text.CASES_IMPORT_ALL).format(n=valid)
    kept = {"token": token, "filename": name, "valid": valid, "checked": _checked(check)}
    return (kept if valid else None), False, summary, cases_page.build_import_problems(check.refused), label, \
        not valid, None


def _checked(check: cases.ImportCheck) -> str:
    """Which rows a check found valid, in short: the commit writes only if its own check finds the same."""
    return hashlib.sha256(",".join(str(r.number) for r in check.valid).encode()).hexdigest()[:16]


@page.callback(Output(ids.IMPORT_MESSAGE, "children", allow_duplicate=True),
               Output(ids.IMPORT_PANEL, "hidden", allow_duplicate=True),
               Output(ids.IMPORT_FILE, "data", allow_duplicate=True),
               Output(ids.IMPORT_UPLOAD, "contents"),
               Output(ids.CHANGED, "data", allow_duplicate=True),
               Input(ids.IMPORT_COMMIT, "n_clicks"), State(ids.IMPORT_FILE, "data"),
               running=[(Output(ids.IMPORT_COMMIT, "disabled"), True, False)], prevent_initial_call=True)
def commit_import(_n, kept):
    if not isinstance(kept, dict) or not kept:
        raise PreventUpdate  # a click after the import closed (or with nothing valid): nothing to commit, nothing to say
    now = settings.now()
    try:
        rows = _read_sheet(kept.get("token"), kept.get("filename") or "", now)
        with session_scope() as session:
            # first in the transaction: a second commit of this upload waits here and is then refused
            account = current_account()
            batches.consume_upload(session, kept["token"], "cases", account.username if account else None, now)
            # checked again on the server at commit, by the preview's own function: what is written never rests on
            # what the browser kept, and never differs from what the preview showed
            check = cases.check_import(session, rows, current_viewer())
            if _checked(check) != kept.get("checked"):
                raise cases.CaseError("preview_changed", before=kept.get("valid"), now=len(check.valid))
            codes = cases.import_cases(session, check.valid, _actor(), current_viewer(), now)
    except (case_table.TableError, cases.CaseError, batches.UploadUsed) as err:
        return text.CASES_IMPORT_FAILED.format(reason=text.words(err)), no_update, no_update, no_update, no_update
    uploads.discard(kept.get("token"))
    message = text.CASES_IMPORT_DONE.format(n=len(codes), first=codes[0], last=codes[-1]) if codes else \
        text.CASES_IMPORT_NOTHING_VALID
    return message, True, None, None, now.isoformat()


@page.callback(Output(ids.IMPORT_MESSAGE, "children", allow_duplicate=True),
               Output(ids.IMPORT_PANEL, "hidden", allow_duplicate=True),
               Output(ids.IMPORT_FILE, "data", allow_duplicate=True), Output(ids.IMPORT_UPLOAD, "contents",
                                                                          allow_duplicate=True),
               Input(ids.IMPORT_CANCEL, "n_clicks"), State(ids.IMPORT_FILE, "data"), prevent_initial_call=True)
def cancel_import(_n, kept):
    uploads.discard((kept or {}).get("token"))
    return text.CASES_IMPORT_CANCELLED, True, None, None


def register(app: Dash) -> None:
    uploads.sweep()  # at start: sheets previewed and left a day ago or more
    intake.register(app, [State(ids.INTAKE_BUILDING, "value")], _building_spot,
                    Output(ids.CHANGED, "data", allow_duplicate=True))

    intake.register_building_search(app, ids.INTAKE_BUILDING)
    page.register(app)
