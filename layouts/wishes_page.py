"""The 微心愿 page (/wishes/): publish a resident's wish, see who claimed what, mark it done."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html

from workflow.vocab import WISH_CLAIMANT_KINDS, WISH_STATUSES
from layouts import text, wishes_ids as ids
from layouts.chrome import TopBar, outage_parts, staff_topbar
from layouts.intake_form import new_token
from workflow import wishes as rules

COLUMNS = text.WISH_COLUMNS


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
                dcc.Store(id=ids.NEW_TOKEN, data=new_token()),
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


def _claimant(wish: dict) -> str | None:
    return text.WISH_CLAIMANT.format(claimant=wish["claimant"], kind=wish["claimant_kind"]) if wish["claimant"] else None


def grid_rows(wishes: list[dict]) -> list[dict]:
    def when(value):
        return value.strftime("%Y-%m-%d") if value else ""

    return [{"code": w["code"], "published": when(w["published_at"]), "title": w["title"], "place": w["place"],
             "status": w["status"], "claimant": _claimant(w) or "",
             "claimed": when(w["claimed_at"]), "completed": when(w["completed_at"])} for w in wishes]


def build_detail(wish: dict) -> list:
    def when(value):
        return value.strftime("%Y-%m-%d %H:%M") if value else "—"

    values = {"code": wish["code"], "place": wish["place"] or "—", "wisher": wish["wisher_full"] or "—",
              "phone": wish["phone"] or "—", "published": when(wish["published_at"]), "claimant": _claimant(wish) or "—",
              "claimed": when(wish["claimed_at"]), "completed": when(wish["completed_at"]), "note": wish["note"] or "—"}
    facts = [(text.WISH_DETAIL_FIELDS[k], v) for k, v in values.items()]
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
                html.Button(text.WISH_ACTIONS[a], id=ids.action_button(a), className="btn primary" if i == 0 else "btn")
                for i, a in enumerate(allowed)]),
            html.Div(id=ids.ACTION_MESSAGE, className="cases-message", role="status"),
        ]) if allowed else html.P(text.WISHES_CLOSED, className="muted"),
    ]
