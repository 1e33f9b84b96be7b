"""The staff map 一张图: map with overlays, breadcrumb and the area panel."""
from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geodata.vocab import CASE_CATEGORIES, CASE_SOURCES, GAP_TYPES, STANDARD_RADIUS_M, YELLOW_HOURS
from layouts import ids, text
from layouts.chrome import outage_parts
from layouts.tiles import tile_layers

ns = Namespace("jinlin", "map")
DEFAULT_CENTER = [27.778, 120.633]
SERVICE_GLYPH = {"党群服务中心": "党", "红色驿站": "驿", "爱心食堂": "食", "日间照料中心": "老", "百姓健身房": "健",
                 "共享工具柜": "工", "卫生服务站": "医", "图书室": "书", "儿童之家": "童", "议事厅": "议", "调解室": "调"}
CATEGORY_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                    "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#8cd17d"]


def _geojson(id_, **kwargs) -> dl.GeoJSON:
    return dl.GeoJSON(id=id_, data=None, **kwargs)


def build_map(tile_provider: str, tianditu_key: str = "") -> html.Div:
    hideout = {"selected": None, "yellowHours": YELLOW_HOURS, "glyphs": SERVICE_GLYPH}
    overlays = [
        dl.Overlay(name=text.OVERLAY_GRIDS, checked=True, children=_geojson(
            ids.MAP_GRIDS, style=ns("gridStyle"), onEachFeature=ns("gridLabel"), hideout=hideout)),
        dl.Overlay(name=text.OVERLAY_POSTS, checked=False, children=_geojson(
            ids.MAP_POSTS, pointToLayer=ns("postPoint"), hideout=hideout)),
        dl.Overlay(name=text.OVERLAY_GAPS, checked=False, children=_geojson(
            ids.MAP_GAPS, style=ns("gapStyle"), onEachFeature=ns("gapPopup"), hideout=hideout)),
        dl.Overlay(name=text.OVERLAY_SERVICES, checked=True, children=_geojson(
            ids.MAP_SERVICES, pointToLayer=ns("servicePoint"), hideout=hideout)),
        dl.Overlay(name=text.OVERLAY_CASES, checked=True, children=_geojson(
            ids.MAP_CASES, cluster=True, pointToLayer=ns("casePoint"), clusterToLayer=ns("caseCluster"),
            superClusterOptions={"radius": 60, "maxZoom": 19}, zoomToBoundsOnClick=True, hideout=hideout)),
    ]
    leaflet_map = dl.Map(
        id=ids.MAP, center=DEFAULT_CENTER, zoom=15, minZoom=10, maxZoom=20, zoomSnap=0.25, zoomDelta=0.5, preferCanvas=True,
        zoomControl=True, attributionControl=tile_provider != "none", className=f"map tiles-{tile_provider}",
        children=[
            *tile_layers(tile_provider, tianditu_key),
            # One canvas: the clickable areas first, then outlines and roads on top that let clicks through.
            _geojson(ids.MAP_DRILL, style=ns("drillStyle"), onEachFeature=ns("drillTooltip"), hideout=hideout),
            _geojson(ids.MAP_CONTEXT, style=ns("contextStyle"), onEachFeature=ns("passive"), hideout=hideout),
            _geojson(ids.MAP_BASEMAP, style=ns("basemapStyle"), onEachFeature=ns("basemapLabel")),
            dl.LayersControl(id=ids.MAP_LAYERS, collapsed=False, position="topright", children=overlays),
            dl.ScaleControl(position="bottomright", imperial=False),
        ],
    )
    return html.Div(className="map-wrap", children=[leaflet_map, build_legend(), html.Div(id=ids.MAP_ERROR)])


def build_legend() -> html.Div:
    def dot(cls, label):
        return html.Span(className="legend-item", children=[html.I(className=f"dot {cls}"), label])

    return html.Div(id=ids.MAP_LEGEND, className="legend", children=[
        html.Div(text.LEGEND_LIGHTS, className="legend-title"),
        html.Div([dot("light-red", text.LIGHT["red"]), dot("light-yellow", text.LIGHT["yellow"]),
                  dot("light-green", text.LIGHT["green"])]),
        html.Div(text.OVERLAY_SERVICES, className="legend-title"),
        html.Div(className="legend-glyphs", children=[
            html.Span(className="legend-item", children=[html.I(glyph, className="glyph"), name])
            for name, glyph in SERVICE_GLYPH.items()]),
        html.Div(text.LEGEND_POSTS, className="legend-title"),
        html.Div([dot("post-ok", text.POSTS_STAFFED), dot("post-short", text.POSTS_SHORT)]),
        html.Div(text.GAP_TYPE_LABEL, className="legend-title"),
        dcc.RadioItems(id=ids.GAP_TYPE, className="gap-type", value=GAP_TYPES[0], inline=True,
                       options=[{"label": f"{t}（{STANDARD_RADIUS_M[t]}米）", "value": t} for t in GAP_TYPES]),
        html.Div([dot("gap-within", text.GAP_LEGEND[0]), dot("gap-near", text.GAP_LEGEND[1]),
                  dot("gap-far", text.GAP_LEGEND[2])]),
    ])


def build_page(tile_provider: str, tianditu_key: str = "") -> html.Div:
    return html.Div(className="page", children=[
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        html.Header(className="topbar", children=[
            html.Div(className="brand", children=[html.Span(text.APP_TITLE, className="brand-name"),
                                                  html.Span(text.APP_SUBTITLE, className="brand-sub")]),
            html.Span(text.DEMO_BADGE, className="badge-demo"),
            html.Nav(className="nav", children=[
                dcc.Link(text.NAV_MAP, href="/", className="nav-link active"),
                html.A(text.NAV_CASES, href="/cases/", className="nav-link"),
                html.A(text.PLANNING_NAV, href="/planning/", className="nav-link"),
                html.A(text.NAV_SCREEN, href="/screen/", className="nav-link"),
                html.A(text.NAV_PUBLIC, href="/public/", className="nav-link"),
                html.A(text.NAV_ADMIN, id=ids.NAV_ADMIN, href="/admin/", className="nav-link", hidden=True),
            ]),
            html.Div(id=ids.USER_BOX, className="user-box"),
            html.Form(action="/logout", method="post", className="logout",
                      children=html.Button(text.LOGOUT, type="submit", className="logout-btn")),
        ]),
        *outage_parts(ids),
        dcc.Store(id=ids.INTAKE_FLASH),
        html.Div(id=ids.BREADCRUMB, className="breadcrumb"),
        html.Main(className="main", children=[
            build_map(tile_provider, tianditu_key),
            html.Aside(id=ids.PANEL, className="panel", children=html.Div(text.LOADING, className="muted")),
        ]),
    ])


def user_label(name: str, role: str) -> str:
    return f"{name}（{text.ROLE_LABELS.get(role, role)}）"


def area_href(code: str | None) -> str:
    return f"/?area={code}" if code else "/"


def build_breadcrumb(chain: list, root_label: str | None) -> list:
    items = []
    if root_label:
        items.append(dcc.Link(root_label, href="/", className="crumb"))
    for i, ref in enumerate(chain):
        if items:
            items.append(html.Span("›", className="crumb-sep"))
        last = i == len(chain) - 1
        level = html.Span(text.LEVEL[ref.level], className="crumb-level")
        items.append(html.Span([level, ref.name], className="crumb current") if last
                     else dcc.Link(ref.name, href=area_href(ref.code), className="crumb", title=text.LEVEL[ref.level]))
    return items


def build_not_found(code: str) -> html.Div:
    return html.Div(className="not-found", children=[
        html.H2(text.NOT_FOUND_TITLE),
        html.P(text.NOT_FOUND_BODY.format(code=code)),
        dcc.Link(text.NOT_FOUND_BACK, href="/", className="button"),
    ])


def _kpi(label: str, value) -> html.Div:
    return html.Div(className="kpi", children=[html.Div(f"{value:,}" if isinstance(value, int) else value,
                                                        className="kpi-value"), html.Div(label, className="kpi-label")])


def _light(light: str, count: int | None = None) -> html.Span:
    label = text.LIGHT[light] if count is None else f"{text.LIGHT[light]} {count}"
    return html.Span(label, className=f"pill light-{light}")


def build_rates(stats: dict, ranking: list[dict]) -> list:
    """The 三率 of the area and, where there are several grids, their ranking."""
    chips = [html.Span(f"{label} {_pct(stats.get(key))}", className="chip") for key, label in text.RATE_LABELS.items()]
    block = [_section(text.SECTION_RATES, html.Div(className="chips", children=chips))]
    if len(ranking) > 1:
        head = html.Thead(html.Tr([html.Th(h) for h in text.RANKING_HEAD]))
        body = html.Tbody([html.Tr([html.Td(r["grid"]), html.Td(r["leader"] or ""), html.Td(r["cases"]),
                                    html.Td(_pct(r["response_rate"])), html.Td(_pct(r["resolution_rate"])),
                                    html.Td(_pct(r["satisfaction_rate"]))]) for r in ranking])
        block.append(_section(text.SECTION_RANKING, html.Table([head, body], className="ranking")))
    return block


def build_panel(summary: dict, children: list[dict], grids: list[dict], monthly: pd.DataFrame,
                coverage_rows: list[dict], rates: list | None = None) -> list:
    area = summary["area"]
    people = summary["people"]
    lights = summary["cases_by_light"]
    posts = summary["posts"]
    head = [html.Div(className="panel-head", children=[
        html.Span(text.LEVEL[area["level"]], className="level-tag"),
        html.H2(area["name"], className="panel-title"),
        html.Span(text.ERA.get(area.get("era"), ""), className="era-tag") if area.get("era") else None,
    ])]
    kpis = html.Div(className="kpis", children=[
        _kpi(text.KPI_HOUSEHOLDS, people["households"]), _kpi(text.KPI_RESIDENTS, people["residents"]),
        _kpi(text.KPI_ELDERLY, people["elderly"]), _kpi(text.KPI_PARTY, people["party_members"]),
        _kpi(text.KPI_BUILDINGS, people["buildings"]),
    ])
    statuses = sorted(summary["cases_by_status"].items(), key=lambda kv: -kv[1])
    cases = _section(text.SECTION_CASES, [
        html.Div(className="case-lights", children=[
            html.Span([html.B(f"{summary['open_cases']}"), f" {text.OPEN_CASES}"], className="open-count"),
            *[_light(k, lights[k]) for k in ("red", "yellow", "green")]]),
        html.Div(className="chips", children=[html.Span(f"{s} {n}", className="chip") for s, n in statuses]),
    ])
    services = _section(text.SECTION_SERVICES, html.Div(className="chips", children=[
        html.Span([html.I(SERVICE_GLYPH.get(t, "·"), className="glyph"), f"{t} {n}"], className="chip")
        for t, n in summary["service_points_by_type"].items()] or html.Span(text.NO_DATA, className="muted")))
    post_block = _section(text.SECTION_POSTS, html.Div(className="case-lights", children=[
        html.Span(f"{text.POSTS_STAFFED} {posts['staffed']}", className="pill post-ok"),
        html.Span(f"{text.POSTS_SHORT} {posts['short']}", className="pill post-short"),
        html.Span(text.POSTS_FILLED.format(filled=posts["filled"], slots=posts["slots"]), className="muted"),
    ]))
    cover = _section(text.WALK_COVERAGE_SECTION, [
        *[html.Div(text.WALK_COVERAGE_LINE.format(type=c["service_type"], radius=c["radius_m"],
                                                  minutes=c["radius_minutes"], elderly=_pct(c["elderly_share"]),
                                                  households=_pct(c["households_share"]),
                                                  gap=f"{c['gap_households']:,}"),
                   className="coverage-line") for c in coverage_rows],
        *[html.Div(text.WALK_FALLBACK_NOTE.format(factor=c["detour_factor"]), className="muted coverage-note")
          for c in coverage_rows[:1] if c["method"] != "walking"]])
    chart = _section(text.SECTION_CHART, dcc.Graph(id=ids.PANEL_CHART, figure=monthly_figure(monthly),
                                                   config={"displayModeBar": False}, className="chart"))
    leaders = _section(text.SECTION_GRID_LEADERS, html.Ul(className="list", children=[
        html.Li([html.Span(g["name"]), html.Span(g["leader_name"] or "", className="muted")]) for g in grids
    ])) if grids else None
    kids = _section(f"{text.SECTION_CHILDREN}（{len(children)}）", html.Div(className="child-links", children=[
        dcc.Link(c["name"], href=area_href(c["code"]), className="child-link") for c in children])) if children else None
    return [*head, kpis, cases, *(rates or []), services, post_block, cover, chart, leaders, kids]


def build_root_panel(streets: list[dict]) -> list:
    return [
        html.Div(className="panel-head", children=[html.Span(text.LEVEL["root"], className="level-tag"),
                                                   html.H2(text.ALL_STREETS, className="panel-title")]),
        _section(f"{text.SECTION_CHILDREN}（{len(streets)}）", html.Ul(className="list", children=[
            html.Li([dcc.Link(s["name"], href=area_href(s["code"]), className="child-link"),
                     html.Span(f"{s['households']:,} {text.KPI_HOUSEHOLDS}", className="muted")]) for s in streets])),
    ]


def build_intake(message: str | None = None) -> html.Section:
    """Take in a problem at this building: 问题收集 straight from the map."""
    return _section(text.INTAKE_TITLE, html.Div(className="intake", children=[
        dcc.Dropdown(id=ids.INTAKE_CATEGORY, placeholder=text.INTAKE_CATEGORY, className="dropdown",
                     options=[{"label": c, "value": c} for c in [*CASE_CATEGORIES, "微心愿"]]),
        dcc.Dropdown(id=ids.INTAKE_SOURCE, placeholder=text.INTAKE_SOURCE, className="dropdown", value="网格巡查",
                     clearable=False, options=[{"label": c, "value": c} for c in CASE_SOURCES]),
        dcc.Textarea(id=ids.INTAKE_DESCRIPTION, placeholder=text.INTAKE_DESCRIPTION, className="textarea",
                     maxLength=1000),
        dcc.Input(id=ids.INTAKE_REPORTER, placeholder=text.INTAKE_REPORTER, className="input", maxLength=50),
        dcc.Input(id=ids.INTAKE_PHONE, placeholder=text.INTAKE_PHONE, className="input", maxLength=20),
        html.Button(text.INTAKE_SUBMIT, id=ids.INTAKE_SUBMIT, className="button"),
        html.Div(message, id=ids.INTAKE_MESSAGE, className="intake-message", role="status"),
    ]))


def build_building_panel(area: dict, open_cases: list[dict], nearest: list[dict], flash: str | None = None) -> list:
    facts = area["facts"]
    fact_rows = [html.Tr([html.Th(text.FACT_LABELS[k]), html.Td(f"{v}" if v is not None else "—")])
                 for k, v in facts.items()]
    case_items = [html.Li(className="case-item", children=[
        _light(c["light"]), html.B(c["category"]), html.Span(c["status"], className="chip"),
        html.Div(c["description"], className="case-desc"),
        html.Div([text.DEADLINE.format(when=c["deadline"].strftime("%m-%d %H:%M")),
                  "  ", text.REPORTER.format(name=c["reporter"]) if c["reporter"] else ""], className="muted"),
    ]) for c in open_cases]
    near_items = [html.Li([
        html.I(SERVICE_GLYPH.get(p["service_type"], "·"), className="glyph"),
        html.Span(p["service_type"], className="near-type"), html.Span(p["name"], className="near-name"),
        html.Span((text.WALK_DISTANCE if p.get("walking") else text.DISTANCE).format(m=p["distance_m"]),
                  className="near-dist"),
        html.Span(text.WITHIN if p["within_standard"] else text.BEYOND.format(radius=p["radius_m"]),
                  className="pill " + ("post-ok" if p["within_standard"] else "light-yellow")),
    ], className="near-item") for p in nearest]
    return [
        html.Div(className="panel-head", children=[html.Span(text.LEVEL["building"], className="level-tag"),
                                                   html.H2(area["name"], className="panel-title")]),
        _section(text.SECTION_FACTS, html.Table(className="facts", children=html.Tbody(fact_rows))),
        _section(f"{text.SECTION_OPEN_CASES}（{len(open_cases)}）",
                 html.Ul(case_items, className="list") if case_items else html.Div(text.NO_CASES, className="muted")),
        _section(text.SECTION_NEAREST, html.Ul(near_items, className="list") if near_items
                 else html.Div(text.NO_DATA, className="muted")),
        build_intake(flash),
    ]


def _section(title: str, body) -> html.Section:
    # Dash renders nested lists as raw objects: splice a list body in.
    return html.Section(className="section", children=[html.H3(title), *(body if isinstance(body, list) else [body])])


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def monthly_figure(monthly: pd.DataFrame) -> dict:
    """Stacked bars of cases per month by category, as a plain figure dict (no graph_objects validation cost)."""
    traces = []
    if not monthly.empty:
        table = monthly.pivot_table(index="category", columns="month", values="count", aggfunc="sum", fill_value=0)
        table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
        labels = [f"{int(m[5:])}月" for m in table.columns]
        for i, (category, counts) in enumerate(table.iterrows()):
            traces.append({"type": "bar", "x": labels, "y": [int(v) for v in counts], "name": category,
                           "marker": {"color": CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]}})
    return {"data": traces, "layout": {
        "barmode": "stack", "height": 260, "margin": {"l": 36, "r": 8, "t": 8, "b": 28},
        "plot_bgcolor": "#fff", "paper_bgcolor": "rgba(0,0,0,0)", "font": {"size": 11},
        "legend": {"orientation": "h", "y": -0.18, "font": {"size": 10}}, "showlegend": bool(traces),
        "xaxis": {"type": "category"}, "yaxis": {"gridcolor": "#eef0f3"},
    }}


def viewport_for(bounds: list[list[float]] | None) -> dict:
    if not bounds:
        return {"center": DEFAULT_CENTER, "zoom": 14}
    return {"bounds": bounds, "transition": "fitBounds", "options": {"padding": [24, 24], "maxZoom": 18, "animate": False}}
