"""Callbacks of /cases/: filtered list, export of exactly those rows, bulk dispatch, one case's actions."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import io

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks import intake
from callbacks.urls import query_param
from callbacks.viewer import current_account, current_viewer
from db import areas, cases
from db.engine import session_scope
from layouts import cases_ids as ids, cases_page, text
from workflow import case_table, lifecycle as lc


def _filter(area, statuses, category, level, light, assignee, start, end) -> cases.CaseFilter:
    return cases.CaseFilter(area=(area or "").strip() or None, statuses=tuple(statuses or ()), category=category,
                            level=level, light=light, assignee=(assignee or "").strip() or None,
                            created_from=dt.date.fromisoformat(start[:10]) if start else None,
                            created_to=dt.date.fromisoformat(end[:10]) if end else None)


def export_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as the grid shows them, with Chinese column names, for Excel and CSV."""
    # times stay datetimes: Excel gets real, sortable dates and a re-import keeps them to the second
    shown = [{**shown, "created_at": raw["created_at"], "deadline": raw["deadline"]}
             for shown, raw in zip(cases_page.grid_rows(rows), rows)]
    headers = {**text.CASE_FIELDS, **text.EXPORT_EXTRA_FIELDS}
    return pd.DataFrame(shown, columns=list(headers)).rename(columns=headers)


def _read_upload(upload: dict | None, now: dt.datetime) -> tuple[list, str]:
    """The rows of an uploaded sheet; raises case_table.TableError with a message for the user."""
    if not upload or not upload.get("contents"):
        raise case_table.TableError(text.CASES_IMPORT_CANCELLED)
    encoded = upload["contents"].split(",", 1)[-1]
    if len(encoded) * 3 // 4 > case_table.MAX_BYTES:
        raise case_table.TableError(text.CASES_IMPORT_TOO_BIG)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise case_table.TableError("文件上传不完整，请重新上传") from None
    name = upload.get("filename") or ""
    return case_table.read_case_table(data, name, now), name


def _actor() -> str:
    account = current_account()
    return account.display_name if account else "?"


FILTERS = [Input(ids.AREA, "value"), Input(ids.STATUS, "value"), Input(ids.CATEGORY, "value"), Input(ids.LEVEL, "value"),
           Input(ids.LIGHT, "value"), Input(ids.ASSIGNEE, "value"), Input(ids.DATES, "start_date"),
           Input(ids.DATES, "end_date")]


def _building_spot(session, building_code: str | None) -> tuple[str, float, float] | None:
    building = areas.get_area(session, building_code or "")
    if building is None or building["level"] != "building":
        return None
    return building["code"], building["point"][0], building["point"][1]


def register(app: Dash) -> None:
    intake.register(app, [State(ids.INTAKE_BUILDING, "value")], _building_spot,
                    Output(ids.CHANGED, "data", allow_duplicate=True))

    @app.callback(Output(ids.INTAKE_PANEL, "hidden"), Input(ids.INTAKE_TOGGLE, "n_clicks"),
                  State(ids.INTAKE_PANEL, "hidden"), prevent_initial_call=True)
    def toggle_intake(_n, hidden):
        return not hidden

    intake.register_building_search(app, ids.INTAKE_BUILDING)

    @app.callback(Output(ids.AREA, "value"), Input(ids.URL, "search"))
    def area_from_url(search):
        return query_param(search, "area") or ""

    @app.callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"),
                  *FILTERS, Input(ids.CHANGED, "data"), Input(ids.RETRY, "data"))
    def show_list(area, statuses, category, level, light, assignee, start, end, _changed, _retry):
        now = dt.datetime.now()
        with session_scope() as session:
            cases.escalate_due(session, now)  # lazily, so a late or restarted app never misses an escalation
            rows = cases.list_cases(session, current_viewer(),
                                    _filter(area, statuses, category, level, light, assignee, start, end), now)
        return cases_page.grid_rows(rows), text.CASES_COUNT.format(n=len(rows))

    @app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.EXPORT_XLSX, "n_clicks"), Input(ids.EXPORT_CSV, "n_clicks"),
                  *[State(i.component_id, i.component_property) for i in FILTERS], prevent_initial_call=True)
    def export(_x, _c, area, statuses, category, level, light, assignee, start, end):
        now = dt.datetime.now()
        with session_scope() as session:
            rows = cases.list_cases(session, current_viewer(),
                                    _filter(area, statuses, category, level, light, assignee, start, end), now)
        frame = export_frame(rows)
        stamp = now.strftime("%Y%m%d-%H%M")
        if ctx.triggered_id == ids.EXPORT_CSV:
            # UTF-8 with BOM: Excel on Windows opens it with the Chinese intact
            return dcc.send_string(frame.to_csv(index=False, encoding="utf-8-sig"), f"诉求-{stamp}.csv")
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name="诉求")
        return dcc.send_bytes(buffer.getvalue(), f"诉求-{stamp}.xlsx")

    @app.callback(Output(ids.BULK_MESSAGE, "children"), Output(ids.CHANGED, "data", allow_duplicate=True),
                  Input(ids.BULK, "n_clicks"), State(ids.GRID, "selectedRows"), State(ids.BULK_ASSIGNEE, "value"),
                  prevent_initial_call=True)
    def bulk(_n, selected, assignee):
        if not selected:
            return text.ADMIN_SELECT_FIRST, no_update
        if not (assignee or "").strip():
            return "请填写派单对象", no_update
        with session_scope() as session:
            done, refused = cases.bulk_dispatch(session, [r["code"] for r in selected], assignee, _actor(),
                                                current_viewer(), dt.datetime.now())
        message = text.CASES_BULK_DONE.format(done=len(done))
        if refused:
            message += text.CASES_BULK_REFUSED.format(n=len(refused), reasons="；".join(refused[:5]))
        return message, dt.datetime.now().isoformat()

    @app.callback(Output(ids.DETAIL, "children"), Output(ids.SELECTED, "data"),
                  Input(ids.GRID, "cellClicked"), Input(ids.CHANGED, "data"), State(ids.SELECTED, "data"))
    def show_detail(cell, _changed, selected):
        code = (cell or {}).get("rowId") if ctx.triggered_id == ids.GRID else (selected or {}).get("code")
        if not code:
            raise PreventUpdate
        with session_scope() as session:
            try:
                case = cases.get_case(session, code, current_viewer(), dt.datetime.now())
            except cases.NotFound as err:
                return str(err), None
        return cases_page.build_detail(case), {"code": case["code"], "version": case["version"]}

    @app.callback(Output(ids.ACTION_MESSAGE, "children"), Output(ids.CHANGED, "data"),
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
                          dt.datetime.now(), note=note, assignee=assignee, satisfaction=satisfaction)
        except (cases.CaseError, lc.TransitionError) as err:
            return str(err), no_update
        return text.CASES_DONE.format(action=lc.ACTION_LABELS[action]), dt.datetime.now().isoformat()

    @app.callback(Output(ids.DOWNLOAD, "data", allow_duplicate=True), Input(ids.IMPORT_TEMPLATE, "n_clicks"),
                  prevent_initial_call=True)
    def download_template(_n):
        return dcc.send_bytes(case_table.template_xlsx(), "诉求导入模板.xlsx")

    @app.callback(Output(ids.IMPORT_FILE, "data"), Output(ids.IMPORT_PANEL, "hidden"),
                  Output(ids.IMPORT_SUMMARY, "children"), Output(ids.IMPORT_PROBLEMS, "children"),
                  Output(ids.IMPORT_COMMIT, "children"), Output(ids.IMPORT_COMMIT, "hidden"),
                  Output(ids.IMPORT_MESSAGE, "children"),
                  Input(ids.IMPORT_UPLOAD, "contents"), State(ids.IMPORT_UPLOAD, "filename"),
                  prevent_initial_call=True)
    def preview_import(contents, filename):
        if contents is None:  # cleared after a commit or cancel
            raise PreventUpdate
        upload = {"contents": contents, "filename": filename}
        try:
            rows, name = _read_upload(upload, dt.datetime.now())
        except case_table.TableError as err:
            return None, True, None, None, no_update, True, str(err)
        with session_scope() as session:  # read only: the check writes nothing
            check = cases.check_import(session, rows, current_viewer())
        valid, bad = len(check.valid), len(check.refused)
        summary = text.CASES_IMPORT_SUMMARY.format(name=name, total=check.total, valid=valid, bad=bad)
        if not valid:
            summary += text.CASES_IMPORT_NOTHING_VALID
        label = (text.CASES_IMPORT_ONLY_VALID if bad else text.CASES_IMPORT_ALL).format(n=valid)
        return (upload if valid else None), False, summary, cases_page.build_import_problems(check.refused), \
            label, not valid, None

    @app.callback(Output(ids.IMPORT_MESSAGE, "children", allow_duplicate=True),
                  Output(ids.IMPORT_PANEL, "hidden", allow_duplicate=True),
                  Output(ids.IMPORT_FILE, "data", allow_duplicate=True),
                  Output(ids.IMPORT_UPLOAD, "contents"),
                  Output(ids.CHANGED, "data", allow_duplicate=True),
                  Input(ids.IMPORT_COMMIT, "n_clicks"), Input(ids.IMPORT_CANCEL, "n_clicks"),
                  State(ids.IMPORT_FILE, "data"), prevent_initial_call=True)
    def commit_import(_commit, _cancel, upload):
        if ctx.triggered_id == ids.IMPORT_CANCEL or not upload:
            return text.CASES_IMPORT_CANCELLED, True, None, None, no_update
        now = dt.datetime.now()
        try:
            rows, _name = _read_upload(upload, now)
            # checked again on the server at commit: what is written never rests on what the browser kept
            with session_scope() as session:
                check = cases.check_import(session, rows, current_viewer())
                codes = cases.import_cases(session, check.valid, _actor(), current_viewer(), now)
        except (case_table.TableError, cases.CaseError) as err:
            return text.CASES_IMPORT_FAILED.format(reason=err), no_update, no_update, no_update, no_update
        message = text.CASES_IMPORT_DONE.format(n=len(codes), first=codes[0], last=codes[-1]) if codes else \
            text.CASES_IMPORT_NOTHING_VALID
        return message, True, None, None, now.isoformat()
