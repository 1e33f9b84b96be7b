"""The case list (/cases/): filters, a grid, export, bulk dispatch, and one case's detail with its actions."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from workflow.vocab import CATEGORIES, LADDER_LEVELS
from layouts import cases_ids as ids, ids as intake_ids, text
from layouts.intake_form import build_intake
from layouts.chrome import TopBar, outage_parts, staff_topbar
from layouts.map_page import area_href
from workflow import case_table, lifecycle as lc, photos
from workflow.textcheck import CASE_SEARCH_CHARS

UPLOAD_LIMIT = max(case_table.MAX_BYTES, photos.MAX_BYTES)  # a case sheet to import, or an intake photo
UI_ACTIONS = ("accept", "dispatch", "start", "resolve", "visit", "close", "return", "escalate")


# each column at least as wide as what it holds (no 已… for 已受理 at 1366); the rest goes to the words
COLUMN_SIZES = {"code": {"width": 118}, "created_at": {"width": 146}, "category": {"width": 96},
                "source": {"width": 92}, "place": {"minWidth": 200, "flex": 2}, "description": {"minWidth": 200, "flex": 3},
                "status": {"width": 84}, "level": {"width": 72}, "deadline": {"width": 146},
                "light_label": {"minWidth": 170, "flex": 1}, "assignee": {"minWidth": 110, "flex": 1},
                "reporter": {"width": 92}}
# what a grid leader reads first comes first: at 1366 the list scrolls sideways only for the bookkeeping
LIST_ORDER = ("code", "light_label", "status", "category", "description", "place", "deadline", "created_at", "level",
              "source", "assignee", "reporter")
# the 红黄绿 cell in its colour, and 超期升级 marked whatever its light
LIGHT_CELLS = {"cell-light-red": "params.data.light === 'red'", "cell-light-yellow": "params.data.light === 'yellow'",
               "cell-light-green": "params.data.light === 'green'", "cell-escalated": "params.data.escalated === true"}


MAP_LEVELS = ("building_code", "compound_code", "grid_code", "community_code")


def _dropdown(id_, label, options, multi=False):
    return dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=id_, placeholder=label, multi=multi, className="dropdown", clearable=True,
                        options=[{"label": o, "value": o} for o in options])


def build_page(bar: TopBar) -> html.Div:
    columns = [{"field": f, "headerName": h, **COLUMN_SIZES.get(f, {"minWidth": 90, "flex": 1}),
                **({"cellClassRules": LIGHT_CELLS} if f == "light_label" else {}),
                **({"pinned": "left"} if f == "code" else {}), "tooltipField": f}
               for f, h in ((f, text.CASE_FIELDS[f]) for f in LIST_ORDER)]
    return html.Div(className="page cases", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.SELECTED), dcc.Store(id=ids.CHANGED),
        *outage_parts(ids),
        staff_topbar(bar),
        html.Div(className="cases-filters", children=[
            dcc.Input(id=ids.SEARCH, type="search", placeholder=text.CASES_SEARCH, debounce=0.5, className="input search",
                      maxLength=CASE_SEARCH_CHARS),
            # options from the viewer's scope (callbacks/cases.py from_url): picked by name, never typed as a code
            dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.AREA, placeholder=text.CASES_AREA, className="dropdown wide area",
                         options=[], searchable=True, clearable=True),
            _dropdown(ids.STATUS, text.CASES_STATUS, lc.STATUSES, multi=True),
            _dropdown(ids.CATEGORY, text.CASES_CATEGORY, CATEGORIES),
            _dropdown(ids.LEVEL, text.CASES_LEVEL, LADDER_LEVELS),
            dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.LIGHT, placeholder=text.CASES_LIGHT, className="dropdown",
                         options=[{"label": v, "value": k} for k, v in text.LIGHT_FILTER.items()]),
            dcc.Input(id=ids.ASSIGNEE, placeholder=text.CASES_ASSIGNEE, debounce=True, className="input"),
            dcc.DatePickerRange(id=ids.DATES, display_format="YYYY-MM-DD", start_date_placeholder_text=text.CASES_DATE_FROM,
                                end_date_placeholder_text=text.CASES_DATE_TO, clearable=True),
        ]),
        html.Div(id=ids.AREA_NOTE, className="cases-note", role="status", hidden=True),
        html.Div(className="cases-tools", children=[
            html.Span(id=ids.COUNT, className="cases-count"),
            html.Button(text.CASES_NEW, id=ids.INTAKE_TOGGLE, className="btn primary"),
            html.Button(text.CASES_EXPORT_XLSX, id=ids.EXPORT_XLSX, className="btn"),
            html.Button(text.CASES_EXPORT_CSV, id=ids.EXPORT_CSV, className="btn"),
            dcc.Download(id=ids.DOWNLOAD),
            dcc.Input(id=ids.BULK_ASSIGNEE, placeholder=text.CASES_BULK_ASSIGNEE, className="input wide"),
            html.Button(text.CASES_BULK, id=ids.BULK, className="btn primary"),
            html.Span(id=ids.BULK_MESSAGE, className="cases-message", role="status"),
            dcc.Upload(id=ids.IMPORT_UPLOAD, accept=".xlsx,.csv",
                       children=html.Button(text.CASES_IMPORT_BUTTON, className="btn")),
            html.Button(text.CASES_IMPORT_TEMPLATE, id=ids.IMPORT_TEMPLATE, className="btn link"),
            html.Span(id=ids.IMPORT_MESSAGE, className="cases-message", role="status"),
        ]),
        dcc.Store(id=ids.IMPORT_FILE), dcc.Store(id=intake_ids.INTAKE_FLASH),
        html.Div(id=ids.INTAKE_PANEL, className="intake-panel", hidden=True, children=[
            dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.INTAKE_BUILDING, placeholder=text.CASES_INTAKE_BUILDING, className="dropdown wide",
                         options=[], searchable=True),
            build_intake(title=text.CASES_INTAKE_TITLE),
        ]),
        html.Div(id=ids.IMPORT_PANEL, className="import-panel", hidden=True, children=[
            html.Div(id=ids.IMPORT_SUMMARY, className="import-summary"),
            html.Div(id=ids.IMPORT_PROBLEMS, className="import-problems"),
            html.Div(className="import-buttons", children=[
                html.Button(id=ids.IMPORT_COMMIT, className="btn primary"),
                html.Button(text.CASES_IMPORT_CANCEL, id=ids.IMPORT_CANCEL, className="btn"),
            ]),
        ]),
        html.Main(className="cases-main", children=[
            dag.AgGrid(id=ids.GRID, rowData=[], columnDefs=columns, className="ag-theme-alpine cases-grid",
                       getRowId="params.data.code",
                       dashGridOptions={"rowSelection": {"mode": "multiRow", "enableClickSelection": False},
                                        "pagination": True, "paginationPageSize": 50,
                                        "localeText": {**text.GRID_LOCALE, "noRowsToShow": text.CASES_NONE}}),
            html.Aside(id=ids.DETAIL, className="cases-detail", children=html.P(text.CASES_PICK, className="muted")),
        ]),
    ])


def build_detail(case: dict, now) -> list:
    shown = {**case, "deadline": case["deadline"].strftime("%Y-%m-%d %H:%M")}
    rows = [(label, shown[field] or "—") for field, label in text.CASE_DETAIL_FIELDS.items()]
    if case.get("overdue_since"):
        rows.insert(rows.index((text.CASE_DETAIL_FIELDS["deadline"], shown["deadline"])) + 1,
                    (text.LIGHT["red"], text.overdue_words(case["overdue_since"], now)))
    allowed = [a for a in UI_ACTIONS if case["status"] in lc.ACTIONS[a][0]]
    light = case["light"]
    return [
        html.H2([html.Span(text.LIGHT[light], className=f"pill light-{light}") if light else None,
                 html.Span(text.ESCALATED, className="pill light-escalated") if case.get("escalated") else None,
                 f" {case['category']} · {case['status']}"], className="detail-title"),
        html.P(case["description"], className="detail-desc"),
        # back to the map, drilled to where the case is (the most precise area it has)
        html.A(text.CASES_ON_MAP, href=area_href(next((case[k] for k in MAP_LEVELS if case.get(k)), None)),
               className="on-map"),
        html.Div(className="case-photos", children=[
            html.A(html.Img(src=photo_url(case["code"], p), alt=text.CASES_PHOTO, className="case-photo"),
                   href=photo_url(case["code"], p), target="_blank") for p in case["photos"]]) if case["photos"] else None,
        html.Table(className="facts", children=html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in rows])),
        # a case with nothing left to do (closed, returned, merged) gets no empty inputs to fill
        html.Div(className="detail-actions", hidden=not allowed, children=[
            dcc.Input(id=ids.ACTION_ASSIGNEE, placeholder=text.CASES_ACTION_ASSIGNEE, className="input"),
            dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.ACTION_SATISFACTION, placeholder=text.CASES_SATISFACTION, className="dropdown",
                         options=[{"label": s, "value": s} for s in lc.SATISFACTION_VALUES]),
            dcc.Input(id=ids.ACTION_NOTE, placeholder=text.CASES_NOTE, className="input wide"),
            html.Div(className="action-buttons", children=[
                html.Button(text.CASE_ACTIONS[a], id=ids.action_button(a), className="btn primary" if i == 0 else "btn")
                for i, a in enumerate(allowed)]),
            html.Div(id=ids.ACTION_MESSAGE, className="cases-message", role="status"),
        ]),
        html.H3(text.CASES_TIMELINE),
        html.Ol(className="timeline", children=[html.Li([
            html.Span(e["at"].strftime("%m-%d %H:%M"), className="t"), html.B(text.CASE_ACTIONS.get(e["action"], e["action"])),
            html.Span(e["actor"] or "", className="muted"),
            html.Div(e["note"], className="note") if e["note"] else None]) for e in case["events"]]),
    ]


def light_words(case: dict, now) -> str:
    """红黄绿 in words, with how long an overdue case has been overdue in all (超期升级: since its first missed
    deadline, whatever its present one)."""
    if case.get("escalated"):
        return f"{text.ESCALATED} · {text.overdue_words(case['overdue_since'], now)}"
    if case["light"] == "red" and case.get("overdue_since"):
        return f"{text.LIGHT['red']} · {text.overdue_words(case['overdue_since'], now)}"
    return text.LIGHT[case["light"]] if case["light"] else ""


def grid_rows(rows: list[dict], now) -> list[dict]:
    return [{**{k: v for k, v in r.items() if k != "overdue_since"},
             "created_at": r["created_at"].strftime("%Y-%m-%d %H:%M"), "deadline": r["deadline"].strftime("%Y-%m-%d %H:%M"),
             "light_label": light_words(r, now)} for r in rows]


def build_import_problems(refused: list[tuple[int, list]], limit: int = 200) -> list:
    """The refused rows as a table: row number as in Excel, and every reason."""
    if not refused:
        return []
    body = [html.Tr([html.Td(n), html.Td(text.words(reasons))]) for n, reasons in refused[:limit]]
    more = [html.P(text.CASES_IMPORT_MORE.format(n=len(refused) - limit), className="muted")] if len(refused) > limit else []
    return [html.Table(className="import-table", children=[
        html.Thead(html.Tr([html.Th(text.CASES_IMPORT_ROW), html.Th(text.CASES_IMPORT_REASON)])), html.Tbody(body)]), *more]


def photo_url(code: str, photo_id: int) -> str:
    return f"/api/cases/{code}/photos/{photo_id}"
