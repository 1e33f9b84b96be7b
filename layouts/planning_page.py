"""The planning page (/planning): walking coverage, optimised new sites, what-if, scenarios side by side."""
from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geodata.siting import KINDS
from workflow.vocab import GAP_TYPES, SERVICE_TYPES
from layouts import planning_ids as ids, text
from layouts.chrome import TopBar, estimated_tag, outage_parts, staff_topbar
from layouts.map_page import DEFAULT_CENTER, JS_WORDS, SERVICE_LOOK

ns = Namespace("jinlin", "map")
plan_ns = Namespace("jinlinPlanning", "map")
DEFAULT_TYPE = GAP_TYPES[0]  # 日间照料中心


def _field(label: str, control) -> html.Label:
    return html.Label(className="plan-field", children=[html.Span(label, className="plan-label"), control])


def _options(mapping: dict) -> list[dict]:
    return [{"label": v, "value": k} for k, v in mapping.items()]


def buildings_hideout(after: dict) -> dict:
    """What the map's JS styles buildings with: the service looks, its words, and the walking minutes a plan moves."""
    return {**SERVICE_LOOK, "after": after, **JS_WORDS}


def build_page(bar: TopBar) -> html.Div:
    hideout = buildings_hideout({})
    controls = html.Section(className="plan-card plan-controls no-print", children=[
        _field(text.PLANNING_STREET, dcc.Dropdown(id=ids.STREET, clearable=False, className="dropdown")),
        _field(text.PLANNING_TYPE, dcc.Dropdown(id=ids.SERVICE_TYPE, value=DEFAULT_TYPE, clearable=False,
                                                options=list(SERVICE_TYPES), className="dropdown")),
        _field(text.PLANNING_OBJECTIVE, dcc.RadioItems(id=ids.OBJECTIVE, value="mclp",
                                                       options=_options(text.PLANNING_OBJECTIVES), className="radios")),
        _field(text.PLANNING_WEIGHT, dcc.RadioItems(id=ids.WEIGHT, value="elderly", inline=True,
                                                    options=_options(text.PLANNING_WEIGHTS), className="radios")),
        _field(text.PLANNING_K, dcc.Input(id=ids.K, type="number", min=1, step=1, value=3, className="input")),
        html.Div(className="plan-buttons", children=[
            html.Button(text.PLANNING_RUN, id=ids.RUN, className="btn primary"),
            html.Button(text.PLANNING_CANCEL, id=ids.CANCEL, className="btn", disabled=True),
            html.Button(text.PLANNING_RESET, id=ids.RESET, className="btn"),
        ]),
        html.Div(id=ids.PROGRESS, className="plan-progress-wrap", hidden=True, children=[
            html.Progress(className="plan-progress", value="0", max="100", id=ids.PROGRESS_TEXT)]),
        _field(text.PLANNING_CLICK_MODE, dcc.RadioItems(id=ids.CLICK_MODE, value="whatif",
                                                        options=_options(text.PLANNING_CLICK_MODES), className="radios")),
        _field(text.PLANNING_CANDIDATE_KIND, dcc.Dropdown(id=ids.CANDIDATE_KIND, value=KINDS[0], clearable=False,
                                                          options=list(KINDS), className="dropdown")),
        html.Div(id=ids.MESSAGE, className="plan-message", role="status"),
    ])
    leaflet_map = dl.Map(id=ids.MAP, center=DEFAULT_CENTER, zoom=15, minZoom=12, maxZoom=19, zoomSnap=0.25,
                         preferCanvas=True, attributionControl=False, className="plan-map", children=[
                             dl.GeoJSON(id=ids.MAP_BASEMAP, style=ns("basemapStyle"), onEachFeature=ns("passive")),
                             dl.GeoJSON(id=ids.MAP_BUILDINGS, style=plan_ns("buildingStyle"),
                                        onEachFeature=ns("gapPopup"), hideout=hideout),
                             dl.GeoJSON(id=ids.MAP_SITES, pointToLayer=plan_ns("sitePoint"), hideout=hideout),
                             dl.ScaleControl(position="bottomright", imperial=False),
                         ])
    legend = html.Div(className="plan-legend no-print", children=[
        html.Span([html.I(className=mark), label]) for mark, label in text.PLANNING_LEGEND.items()
    ])
    return html.Div(className="page planning", children=[
        dcc.Location(id=ids.URL),
        dcc.Store(id=ids.RESULT_STORE),
        dcc.Store(id=ids.STD_SAVED),
        dcc.Store(id=ids.OPT_STORE),
        *outage_parts(ids),
        html.Div(className="no-print", children=staff_topbar(bar)),
        html.H2(id=ids.PRINT_TITLE, className="print-only plan-print-title"),
        html.Main(className="plan-main", children=[
            html.Div(className="plan-side", children=[
                controls,
                html.Section(className="plan-card", children=[html.Div(id=ids.COVERAGE)]),
                html.Section(id=ids.STANDARDS, className="plan-card no-print", children=[
                    html.H3(text.PLANNING_STANDARDS),
                    html.Div(className="plan-std", children=[
                        _field(text.PLANNING_STD_RADIUS.format(type=""), dcc.Input(id=ids.STD_RADIUS, type="number",
                                                                                  className="input")),
                        _field(text.PLANNING_STD_SPEED, dcc.Input(id=ids.STD_SPEED, type="number", className="input")),
                        _field(text.PLANNING_STD_ELDERLY_SPEED, dcc.Input(id=ids.STD_ELDERLY_SPEED, type="number",
                                                                          className="input")),
                        _field(text.PLANNING_STD_DETOUR, dcc.Input(id=ids.STD_DETOUR, type="number", step=0.05,
                                                                   className="input")),
                        _field(text.PLANNING_STD_SEATS, dcc.Input(id=ids.STD_SEATS, type="number", className="input")),
                    ]),
                    html.Button(text.PLANNING_STD_SAVE, id=ids.STD_SAVE, className="btn"),
                    html.Div(id=ids.STD_MESSAGE, className="plan-message", role="status"),
                    html.P(text.PLANNING_STD_SOURCE, className="muted small"),
                ]),
            ]),
            html.Div(className="plan-centre", children=[
                html.Div(className="plan-map-wrap no-print", children=[leaflet_map, legend]),
                html.Div(className="plan-results", children=[
                    html.Section(className="plan-card", children=[html.Div(id=ids.RESULT, children=text.PLANNING_EMPTY),
                        html.Div(className="plan-save no-print", children=[
                            dcc.Input(id=ids.SCENARIO_NAME, placeholder=text.PLANNING_SCENARIO_NAME, className="input"),
                            html.Button(text.PLANNING_SAVE, id=ids.SAVE, className="btn primary"),
                            html.Span(id=ids.SAVE_MESSAGE, className="plan-message", role="status"),
                        ])]),
                    html.Section(className="plan-card plan-compare-card", children=[
                        html.H3(text.PLANNING_COMPARE),
                        html.Div(className="plan-save no-print", children=[
                            dcc.Dropdown(id=ids.COMPARE_A, placeholder=text.PLANNING_SCENARIO_A, className="dropdown"),
                            dcc.Dropdown(id=ids.COMPARE_B, placeholder=text.PLANNING_SCENARIO_B, className="dropdown"),
                            html.Button(text.PLANNING_PRINT, id=ids.PRINT, className="btn"),
                            dcc.ConfirmDialogProvider(
                                id=ids.DELETE_CONFIRM, message=text.PLANNING_DELETE_CONFIRM,
                                children=html.Button(text.PLANNING_DELETE, id=ids.DELETE, className="btn")),
                            html.Span(id=ids.DELETE_MESSAGE, className="plan-message", role="status"),
                        ]),
                        html.Div(id=ids.COMPARE, children=html.Span(text.PLANNING_COMPARE_PICK, className="muted")),
                    ]),
                    html.Section(className="plan-card plan-people no-print", children=[
                        html.H3(text.PLANNING_PEOPLE),
                        html.Div(className="plan-save", children=[
                            html.Span(text.PEOPLE_MINUTES, className="plan-label"),
                            dcc.Input(id=ids.PEOPLE_MINUTES, type="number", min=1, step=1, value=10, className="input"),
                            html.Button(text.PEOPLE_RUN, id=ids.PEOPLE_RUN, className="btn primary"),
                        ]),
                        html.Div(id=ids.PEOPLE),
                    ]),
                ]),
            ]),
        ]),
    ])


def pct(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def coverage_block(cov: dict) -> list:
    """Today's walking coverage of the street: shares, capacity, network health, the worst compounds."""
    head = html.H3(text.PLANNING_COVERAGE_HEAD.format(type=cov["service_type"], radius=cov["radius_m"],
                                                      minutes=cov["radius_minutes"]))
    if not cov["buildings"]:
        return [head, html.P(text.PLANNING_NO_BUILDINGS, className="muted")]
    tag = estimated_tag() if cov.get("estimated") else None
    kpis = html.Div(className="plan-kpis", children=[
        html.Div(className="plan-kpi", children=[html.B(pct(cov["elderly_share"])), html.Span(text.PLANNING_KPIS["elderly"]), tag]),
        html.Div(className="plan-kpi", children=[html.B(pct(cov["households_share"])), html.Span(text.PLANNING_KPIS["households"]), tag]),
        html.Div(className="plan-kpi", children=[html.B(f"{cov['gap_elderly']:,}"), html.Span(text.PLANNING_KPIS["gap_elderly"]), tag]),
        html.Div(className="plan-kpi", children=[html.B(pct(cov["straight_line"]["elderly_share"])),
                                                 html.Span(text.PLANNING_KPIS["straight_line"])]),
    ])
    notes = [html.P(text.PLANNING_METHOD_NOTE[cov["method"]], className="muted small")]
    if cov.get("estimated"):
        notes.append(_estimated_note())
    net = cov["network"]
    if net.get("components", 0) > 1 or net.get("off_main_buildings"):
        notes.append(html.P(text.PLANNING_NETWORK.format(components=net["components"], detached=net["detached_nodes"],
                                                         off=net["off_main_buildings"]), className="warn small"))
    if cov.get("capacity"):
        c = cov["capacity"]
        notes.append(html.P(text.PLANNING_CAPACITY.format(mean=c["mean_seats_per_100_elderly"],
                                                          min=c["min_seats_per_100_elderly"], short=c["short_elderly"]),
                            className="small"))
    gaps = html.Table(className="plan-table", children=[
        html.Thead(html.Tr([html.Th(h) for h in text.PLANNING_GAP_COLUMNS])),
        html.Tbody([html.Tr([html.Td([g["name"], estimated_tag() if g.get("estimated") else None]),
                             html.Td(g["buildings"]), html.Td(f"{g['households']:,}"), html.Td(f"{g['elderly']:,}"),
                             html.Td("—" if g["farthest_m"] is None else g["farthest_m"])])
                    for g in cov["gaps"][:6]]),
    ])
    return [head, kpis, *notes, html.H4(text.PLANNING_GAPS_HEAD), gaps]


def _estimated_note() -> html.P:
    return html.P([estimated_tag(), " ", text.ESTIMATED_NOTE], className="muted small plan-estimated")


def result_block(result: dict) -> list:
    """Before and after numbers of a plan and the table of its new sites (printable)."""
    before, after, new = result["before"], result["after"], result["newly_covered"]
    head = html.H3(text.PLANNING_COVERAGE_HEAD.format(type=result["service_type"], radius=result["radius_m"],
                                                      minutes=result["radius_minutes"]))
    rows = [html.Tr([html.Th(""), html.Th(text.PLANNING_BEFORE), html.Th(text.PLANNING_AFTER), html.Th(text.PLANNING_NEW)])]
    for key, label in text.PLANNING_ROWS.items():
        rows.append(html.Tr([html.Th(label), html.Td(text.PLANNING_COUNT_SHARE.format(n=before[key], share=pct(before[key + '_share']))),
                             html.Td(text.PLANNING_COUNT_SHARE.format(n=after[key], share=pct(after[key + '_share'])),
                                     className="after"),
                             html.Td(f"{new[key]:+,}", className="new")]))
    summary = html.P(text.PLANNING_NEW_LINE.format(households=new["households"], elderly=new["elderly"]),
                     className="plan-new", id="planning-new-line")
    sites = html.Table(className="plan-table plan-sites", children=[
        html.Thead(html.Tr([html.Th(h) for h in text.PLANNING_SITE_COLUMNS])),
        html.Tbody([html.Tr([html.Td(i), html.Td(s["name"]), html.Td(s["kind"]), html.Td(f"{s['lon']:.6f}"),
                             html.Td(f"{s['lat']:.6f}")]) for i, s in enumerate(result["added"], start=1)]),
    ])
    if result.get("status") == "Manual" or result.get("edited"):
        how = text.PLANNING_MANUAL
    else:
        gap = "—" if result.get("gap") is None else f"{result['gap'] * 100:.2f}%"
        how = text.PLANNING_SOLVER.format(status=result["status"], gap=gap, seconds=result.get("seconds", "—"),
                                          n=result.get("candidates", "—"))
    removed = [e["name"] for e in result["existing"] if e["code"] in result.get("removed", [])]
    return [head, html.Table(className="plan-table plan-before-after", children=html.Tbody(rows)), summary,
            _estimated_note() if result.get("estimated") else None,
            html.H4(text.PLANNING_SITES_HEAD), sites,
            html.P(text.PLANNING_REMOVED.format(names=text.LIST_SEP.join(removed)), className="small") if removed else None,
            html.P(f"{text.PLANNING_OBJECTIVES.get(result['objective'], '')} · {how}", className="muted small")]


def compare_block(a: dict, b: dict) -> html.Table:
    """Two saved scenarios side by side, one row per question an official asks in the meeting."""
    def column(s: dict) -> dict:
        r = s["result"]
        return {"service_type": r["service_type"], "objective": text.PLANNING_OBJECTIVES.get(r["objective"], text.PLANNING_OBJECTIVE_MANUAL)
                + (text.PLANNING_EDITED if r.get("edited") or r.get("status") == "Manual" else ""),
                "added": len(r["added"]), "sites": text.LIST_SEP.join(x["name"] for x in r["added"]) or "—",
                "removed": len(r.get("removed", [])),
                "elderly": f"{pct(r['before']['elderly_share'])} → {pct(r['after']['elderly_share'])}",
                "households": f"{pct(r['before']['households_share'])} → {pct(r['after']['households_share'])}",
                "new_households": f"{r['newly_covered']['households']:,}",
                "new_elderly": f"{r['newly_covered']['elderly']:,}",
                "saved": f"{s['created_by'] or ''} {s['created_at']:%Y-%m-%d %H:%M}"}

    ca, cb = column(a), column(b)
    return html.Table(className="plan-table plan-compare", children=[
        html.Thead(html.Tr([html.Th(""), html.Th(a["name"]), html.Th(b["name"])])),
        html.Tbody([html.Tr([html.Th(label), html.Td(ca[key]), html.Td(cb[key])])
                    for key, label in text.PLANNING_COMPARE_ROWS.items()]),
    ])


def _table(columns, rows, cls: str = "") -> html.Table:
    return html.Table(className=f"plan-table {cls}".strip(), children=[
        html.Thead(html.Tr([html.Th(c) for c in columns])),
        html.Tbody([html.Tr([html.Td(v) for v in row]) for row in rows])])


def people_block(plan: dict, shown: int = 12) -> list:
    """Volunteer matches, deserts and grid workload for the 人员下沉 card."""
    limit = plan["limit_minutes"]
    summary = html.P(text.PEOPLE_SUMMARY.format(short=plan["short_posts"], open=plan["open_slots"], limit=limit,
                                                matched=len(plan["matches"])), className="plan-new")
    matches = _table(text.PEOPLE_MATCH_COLUMNS, [(x["post"], x["post_type"], x["volunteer"], x["kind"], x["minutes"])
                                                 for x in plan["matches"][:shown]], "plan-matches")
    deserts = _table(text.PEOPLE_DESERT_COLUMNS, [(d["post"], d["post_type"], d["short"],
                                                   "—" if d["nearest_minutes"] is None else d["nearest_minutes"])
                                                  for d in plan["deserts"]], "plan-deserts") \
        if plan["deserts"] else html.P(text.PEOPLE_NO_DESERTS, className="muted small")
    grids = _table(text.PEOPLE_GRID_COLUMNS, [(g["grid"], g["leader"] or "", f"{g['households']:,}", g["open_cases"],
                                               text.PEOPLE_LOAD[g["status"]]) for g in plan["grids"]], "plan-grids")
    return [summary, matches, html.H4(text.PEOPLE_DESERTS.format(limit=limit)), deserts,
            html.H4(text.PEOPLE_GRIDS), grids]
