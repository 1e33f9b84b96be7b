"""The 微心愿 page (/wishes/): publish a resident's wish, see who claimed what, mark it done."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from workflow.vocab import WISH_CLAIMANT_KINDS, WISH_STATUSES
from layouts import text, wishes_ids as ids
from layouts.chrome import TopBar, outage_parts, staff_topbar
from workflow import wishes as rules

COLUMNS = {"code": "编号", "published": "发布时间", "title": "心愿", "place": "小区", "status": "状态",
           "claimant": "认领方", "claimed": "认领时间", "completed": "完成时间"}


def build_page(bar: TopBar) -> html.Div:
    columns = [{"field": f, "headerName": h, "flex": 2 if f == "title" else 1} for f, h in COLUMNS.items()]
    return html.Div(className="page cases wishes", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.SELECTED), dcc.Store(id=ids.CHANGED),
        *outage_parts(ids),
        staff_topbar(bar),
        html.Div(className="cases-filters", children=[
            dcc.Input(id=ids.AREA, placeholder=text.CASES_AREA, debounce=True, className="input"),
            dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.STATUS, placeholder=text.WISHES_STATUS, multi=True,
                         className="dropdown wide", value=list(rules.OPEN),
                         options=[{"label": s, "value": s} for s in WISH_STATUSES]),
            html.Span(id=ids.COUNT, className="cases-count"),
            html.Button(text.WISHES_NEW, id=ids.NEW_TOGGLE, className="btn primary"),
        ]),
        html.Div(id=ids.NEW_PANEL, className="intake-panel", hidden=True, children=[
            html.H3(text.WISHES_NEW),
            html.Div(className="intake", children=[
                dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.NEW_BUILDING, options=[], searchable=True,
                             placeholder=text.CASES_INTAKE_BUILDING, className="dropdown wide"),
                dcc.Input(id=ids.NEW_TITLE, placeholder=text.WISHES_NEW_TITLE, className="input", maxLength=100),
                dcc.Textarea(id=ids.NEW_DESCRIPTION, placeholder=text.WISHES_NEW_DESCRIPTION, className="textarea",
                             maxLength=1000),
                dcc.Input(id=ids.NEW_WISHER, placeholder=text.WISHES_NEW_WISHER, className="input", maxLength=50),
                dcc.Input(id=ids.NEW_PHONE, placeholder=text.INTAKE_PHONE, className="input", maxLength=20),
                html.Button(text.WISHES_PUBLISH, id=ids.NEW_SUBMIT, className="button"),
                html.Div(id=ids.NEW_MESSAGE, className="intake-message", role="status"),
            ]),
        ]),
        html.Main(className="cases-main", children=[
            dag.AgGrid(id=ids.GRID, rowData=[], columnDefs=columns, className="ag-theme-alpine cases-grid",
                       getRowId="params.data.code",
                       dashGridOptions={"pagination": True, "paginationPageSize": 50,
                                        "localeText": {**text.GRID_LOCALE, "noRowsToShow": text.WISHES_NONE}}),
            html.Aside(id=ids.DETAIL, className="cases-detail", children=html.P(text.WISHES_PICK, className="muted")),
        ]),
    ])


def grid_rows(wishes: list[dict]) -> list[dict]:
    def when(value):
        return value.strftime("%Y-%m-%d") if value else ""

    return [{"code": w["code"], "published": when(w["published_at"]), "title": w["title"], "place": w["place"],
             "status": w["status"], "claimant": f"{w['claimant']}（{w['claimant_kind']}）" if w["claimant"] else "",
             "claimed": when(w["claimed_at"]), "completed": when(w["completed_at"])} for w in wishes]


def build_detail(wish: dict) -> list:
    def when(value):
        return value.strftime("%Y-%m-%d %H:%M") if value else "—"

    facts = [("编号", wish["code"]), ("小区", wish["place"] or "—"), ("心愿人", wish["wisher_full"] or "—"),
             ("电话", wish["phone"] or "—"), ("发布", when(wish["published_at"])),
             ("认领方", f"{wish['claimant']}（{wish['claimant_kind']}）" if wish["claimant"] else "—"),
             ("认领", when(wish["claimed_at"])), ("完成", when(wish["completed_at"])), ("备注", wish["note"] or "—")]
    allowed = [a for a, (start, _) in rules.ACTIONS.items() if wish["status"] in start]
    claim_inputs = html.Div(className="claim-inputs", hidden="claim" not in allowed, children=[
        dcc.Input(id=ids.CLAIMANT, placeholder=text.WISHES_CLAIMANT, className="input", maxLength=100),
        dcc.RadioItems(id=ids.CLAIMANT_KIND, options=list(WISH_CLAIMANT_KINDS), value=WISH_CLAIMANT_KINDS[0],
                       inline=True, className="radio"),
    ])
    return [
        html.H2([html.Span(wish["status"], className="pill wish-" + ("open" if wish["status"] == rules.PUBLISHED
                                                                     else "claimed")), f" {wish['title']}"],
                className="detail-title"),
        html.P(wish["description"], className="detail-desc") if wish["description"] else None,
        html.Table(className="facts", children=html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in facts])),
        html.Div(className="detail-actions", children=[
            claim_inputs,
            dcc.Input(id=ids.NOTE, placeholder=text.CASES_NOTE, className="input wide"),
            html.Div(className="action-buttons", children=[
                html.Button(rules.ACTION_LABELS[a], id=ids.action_button(a), className="btn primary" if i == 0 else "btn")
                for i, a in enumerate(allowed)]),
            html.Div(id=ids.ACTION_MESSAGE, className="cases-message", role="status"),
        ]) if allowed else html.P(text.WISHES_CLOSED, className="muted"),
    ]
