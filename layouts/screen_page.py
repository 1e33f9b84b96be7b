"""The big screen (大屏): designed at 1920×1080, scaled to any 16:9 display; dark; no personal data."""
from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash_extensions.javascript import Namespace

from workflow.vocab import SERVICE_TYPE_TABLE, YELLOW_HOURS
from layouts import screen_ids as ids, text
from layouts.chrome import outage_parts
from layouts.map_page import CATEGORY_COLOURS, DEFAULT_CENTER, JS_WORDS, SERVICE_LOOK

ns = Namespace("jinlin", "map")
RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")


def map_hideout(selected: str | None = None, yellow_hours: float = YELLOW_HOURS) -> dict:
    """What the screen's layers' JS functions read: built whole by the callbacks too, never the browser's copy."""
    return {"selected": selected, "yellowHours": yellow_hours, **SERVICE_LOOK, "dark": True, **JS_WORDS}


def build_page() -> html.Div:
    hideout = map_hideout()
    return html.Div(className="screen-viewport", children=html.Div(className="screen-root", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Interval(id=ids.CLOCK_TICK, interval=1000),
        dcc.Store(id=ids.CLOCK_WORDS, data=text.SCREEN_CLOCK),  # the clock is drawn in the browser
        dcc.Interval(id=ids.REFRESH, interval=30_000),
        dcc.Interval(id=ids.TOUR, interval=20_000, disabled=True),
        dcc.Store(id=ids.SIGNATURE),
        dcc.Store(id=ids.STOP),  # where the tour is: {"area": the screen's area, "stop": a community or None}
        *outage_parts(ids),
        html.Header(className="screen-head", children=[
            html.Div(id=ids.SCOPE, className="screen-scope"),
            html.H1(id=ids.TITLE, className="screen-title"),
            html.Div(id=ids.CLOCK, className="screen-clock"),
        ]),
        html.Div(className="screen-body", children=[
            html.Section(id=ids.KPIS, className="screen-kpis"),
            html.Section(className="screen-map-wrap", children=[
                dl.Map(id=ids.MAP, center=DEFAULT_CENTER, zoom=14, minZoom=10, maxZoom=19, zoomSnap=0.25,
                       preferCanvas=True, zoomControl=False, attributionControl=False, className="screen-map",
                       children=[
                           dl.GeoJSON(id=ids.MAP_AREAS, style=ns("drillStyle"), hideout=hideout),
                           dl.GeoJSON(id=ids.MAP_BASEMAP, style=ns("basemapStyle"), onEachFeature=ns("basemapLabel"),
                                      hideout={"dark": True}),
                           dl.GeoJSON(id=ids.MAP_SERVICES, pointToLayer=ns("servicePoint"), hideout=hideout),
                           dl.GeoJSON(id=ids.MAP_CASES, cluster=True, pointToLayer=ns("casePoint"),
                                      clusterToLayer=ns("caseCluster"), superClusterOptions={"radius": 60, "maxZoom": 19},
                                      hideout=hideout),
                       ]),
                html.Div(id=ids.TOUR_LABEL, className="screen-tour-label"),
                build_legend(),
            ]),
            html.Section(className="screen-side", children=[
                html.H2(text.SCREEN_CATEGORY),
                dcc.Graph(id=ids.CHART_CATEGORY, config={"displayModeBar": False, "staticPlot": True},
                          className="screen-chart"),
                html.H2(text.SCREEN_TREND),
                dcc.Graph(id=ids.CHART_TREND, config={"displayModeBar": False, "staticPlot": True},
                          className="screen-chart"),
                html.H2(text.SCREEN_BOARD),
                html.Div(className="screen-board", children=html.Ul(id=ids.BOARD, className="screen-board-list")),
            ]),
        ]),
    ]))


def build_legend() -> html.Div:
    """What the map's marks mean, in the map's south-west corner: the lights of cases, the service points' glyphs."""
    def light(cls, label):
        return html.Span(className="screen-legend-item", children=[html.I(className=f"dot {cls}"), label])

    return html.Div(id=ids.LEGEND, className="screen-legend", children=[
        html.Div(className="screen-legend-row", children=[
            html.B(text.SCREEN_LEGEND_CASES), light("light-red", text.LIGHT["red"]),
            light("light-yellow", text.LIGHT["yellow"]), light("light-green", text.LIGHT["green"]),
            light("escalated", text.ESCALATED), html.Span(text.SCREEN_LEGEND_COUNT, className="screen-legend-note")]),
        html.Div(className="screen-legend-row screen-legend-glyphs", children=[
            html.B(text.SCREEN_LEGEND_SERVICES),
            *[html.Span(className="screen-legend-item", children=[
                html.I(t.glyph, className="glyph", style={"background": t.colour}), t.name])
              for t in SERVICE_TYPE_TABLE]]),
    ])


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build_kpis(stats: dict) -> list:
    cards = []
    for key, label in text.SCREEN_KPI.items():
        value = stats.get(key)
        shown = _pct(value) if key in RATE_KEYS else f"{value:,}" if isinstance(value, int) else "—"
        note = (html.Div(text.SCREEN_ESCALATED.format(n=f"{stats['escalated']:,}"), className="screen-kpi-note")
                if key == "overdue" and stats.get("escalated") else None)
        cards.append(html.Div(className=f"screen-kpi kpi-{key}", children=[
            html.Div(shown, className="screen-kpi-value"), html.Div(label, className="screen-kpi-label"), note]))
    return cards


def _dark_layout(height: int) -> dict:
    return {"height": height, "margin": {"l": 44, "r": 12, "t": 6, "b": 30}, "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#cfe3ff", "size": 14}, "showlegend": False,
            "xaxis": {"gridcolor": "rgba(120,160,220,.15)"}, "yaxis": {"gridcolor": "rgba(120,160,220,.15)"}}


def category_figure(by_category: pd.DataFrame) -> dict:
    """Cases per category (columns category, count: the same 30 days as the daily chart), as horizontal bars."""
    totals = (by_category.groupby("category")["count"].sum().sort_values() if not by_category.empty
              else pd.Series(dtype=int))
    layout = _dark_layout(250)
    layout["margin"]["l"] = 80
    layout["yaxis"] = {**layout["yaxis"], "dtick": 1, "tickfont": {"size": 13}}
    return {"data": [{"type": "bar", "orientation": "h", "y": list(totals.index), "x": totals.tolist(),
                      "marker": {"color": [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(totals))]}}],
            "layout": layout}


def trend_figure(daily: pd.DataFrame) -> dict:
    return {"data": [{"type": "scatter", "mode": "lines+markers", "x": [d[5:] for d in daily.day],
                      "y": daily["count"].tolist(), "line": {"color": "#4fc3f7", "width": 3},
                      "fill": "tozeroy", "fillcolor": "rgba(79,195,247,.15)"}],
            "layout": {**_dark_layout(210), "xaxis": {"type": "category", "nticks": 8,
                                                      "gridcolor": "rgba(120,160,220,.15)"}}}


def build_board(rows: list[dict]) -> list:
    # the list is drawn twice so the CSS scroll (to -50 %) loops without a jump
    return [html.Li(className="screen-board-row", children=[
        html.Span(r["created_at"].strftime("%m-%d %H:%M"), className="t"),
        html.Span(f"{r['community']} · {r['compound']}", className="where"),
        html.Span(r["category"], className="cat"),
        html.Span(r["status"], className=f"st light-{r['light'] or 'none'}"),
    ]) for r in rows + rows]
