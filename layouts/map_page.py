"""The staff map 一张图: map with overlays, breadcrumb and the area panel."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash_extensions.javascript import Namespace

from workflow.vocab import GAP_TYPES, SERVICE_COLOUR, SERVICE_GLYPH, STANDARD_RADIUS_M, YELLOW_HOURS
from layouts import ids, text
from layouts.intake_form import build_intake
from layouts.chrome import TopBar, estimated_tag, outage_parts, staff_topbar
from layouts.tiles import tile_layers
from workflow import photos

ns = Namespace("jinlin", "map")
DEFAULT_CENTER = [27.778, 120.633]
UPLOAD_LIMIT = photos.MAX_BYTES  # the building panel's intake form takes a photo
# how service points look, from the one table in workflow.vocab: the JS reads it from the hideout
SERVICE_LOOK = {"glyphs": SERVICE_GLYPH, "colours": SERVICE_COLOUR}
CATEGORY_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                    "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#8cd17d"]


# the words the JS functions of assets/jinlin.js show, in every hideout they read
JS_WORDS = {"labels": text.MAP_LABELS}


def _geojson(id_, **kwargs) -> dl.GeoJSON:
    return dl.GeoJSON(id=id_, data=None, **kwargs)


def build_map(tile_provider: str, tianditu_key: str = "") -> html.Div:
    hideout = {"selected": None, "yellowHours": YELLOW_HOURS, **SERVICE_LOOK, **JS_WORDS}
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
        dl.Overlay(name=text.OVERLAY_WISHES, checked=False, children=_geojson(
            ids.MAP_WISHES, pointToLayer=ns("wishPoint"), hideout=hideout)),
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
            dl.LayerGroup(id=ids.MAP_PICKED),
        ],
    )
    return html.Div(className="map-wrap", children=[
        leaflet_map, build_legend(), html.Div(id=ids.MAP_ERROR),
        html.Button(text.PICK_START, id=ids.PICK_BUTTON, className="pick-button"),
    ])


def build_legend() -> html.Div:
    def dot(cls, label):
        return html.Span(className="legend-item", children=[html.I(className=f"dot {cls}"), label])

    return html.Div(id=ids.MAP_LEGEND, className="legend", children=[
        html.Div(text.LEGEND_LIGHTS, className="legend-title"),
        html.Div([dot("light-red", text.LIGHT["red"]), dot("light-yellow", text.LIGHT["yellow"]),
                  dot("light-green", text.LIGHT["green"]), dot("escalated", text.ESCALATED)]),
        html.Div(text.OVERLAY_SERVICES, className="legend-title"),
        html.Div(className="legend-glyphs", children=[
            html.Span(className="legend-item", children=[html.I(glyph, className="glyph"), name])
            for name, glyph in SERVICE_GLYPH.items()]),
        # posts and wishes share a row: the legend must not bury the map's south-west corner
        html.Div(text.LEGEND_POSTS_WISHES, className="legend-title"),
        html.Div([dot("post-ok", text.POSTS_STAFFED), dot("post-short", text.POSTS_SHORT),
                  dot("wish-open", text.WISH_LEGEND_OPEN), dot("wish-claimed", text.WISH_LEGEND_CLAIMED)]),
        html.Div(text.GAP_TYPE_LABEL, className="legend-title"),
        dcc.RadioItems(id=ids.GAP_TYPE, className="gap-type", value=GAP_TYPES[0], inline=True,
                       options=[{"label": text.GAP_TYPE_OPTION.format(type=t, radius=STANDARD_RADIUS_M[t]), "value": t}
                                for t in GAP_TYPES]),
        html.Div([dot("gap-within", text.GAP_LEGEND[0]), dot("gap-near", text.GAP_LEGEND[1]),
                  dot("gap-far", text.GAP_LEGEND[2])]),
    ])


def build_page(bar: TopBar, tile_provider: str, tianditu_key: str = "") -> html.Div:
    return html.Div(className="page", children=[
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        staff_topbar(bar, html.Span(text.DEMO_BADGE, id=ids.DEMO_BADGE, className="badge-demo", hidden=True)),
        *outage_parts(ids),
        dcc.Store(id=ids.INTAKE_FLASH), dcc.Store(id=ids.PICK_MODE, data=False), dcc.Store(id=ids.PICK_CLICK),
        dcc.Store(id=ids.INTAKE_POINT),
        dcc.Store(id=ids.RATES_DAYS, data=30), dcc.Store(id=ids.MAP_AREA), dcc.Store(id=ids.PANEL_AREA),
        dcc.Store(id=ids.GAPS_WANTED), dcc.Store(id=ids.GAPS_LABEL, data=text.OVERLAY_GAPS),
        dcc.Store(id=ids.PANEL_READY),
        html.Div(id=ids.BREADCRUMB, className="breadcrumb"),
        html.Main(className="main", children=[
            build_map(tile_provider, tianditu_key),
            html.Aside(id=ids.PANEL, className="panel", children=html.Div(text.LOADING, className="muted")),
        ]),
    ])


def area_href(code: str | None) -> str:
    return f"/?area={code}" if code else "/"


def cases_href(code: str, **more: str) -> str:
    """The case list filtered to an area (and a light, or with one case open): the map's way into /cases/."""
    return "/cases/?" + urlencode({"area": code, **more})


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


def _kpi(label: str, value, estimated: bool = False) -> html.Div:
    shown = f"{value:,}" if isinstance(value, int) else value
    if estimated:
        label = [label, estimated_tag()]
    return html.Div(className="kpi", children=[html.Div(shown, className="kpi-value"), html.Div(label, className="kpi-label")])


def _light(light: str, count: int | None = None) -> html.Span:
    label = text.LIGHT[light] if count is None else f"{text.LIGHT[light]} {count}"
    return html.Span(label, className=f"pill light-{light}")


def build_rates(stats: dict, ranking: list[dict], days: int = 30) -> list:
    """The 三率 of the area over `days` (with a period switch) and, where there are several grids, their ranking."""
    chips = [html.Span(f"{label} {_pct(stats.get(key))}", className="chip") for key, label in text.RATE_LABELS.items()]
    if stats.get("hours_to_resolve") is not None:
        chips.append(html.Span(text.RATE_HOURS.format(hours=stats["hours_to_resolve"]), className="chip"))
    period = dcc.RadioItems(id=ids.RATES_PERIOD, value=days, inline=True, className="rates-period",
                            options=[{"label": v, "value": k} for k, v in text.RATE_PERIODS.items()])
    block = [_section(text.SECTION_RATES.format(days=days), [period, html.Div(className="chips", children=chips)])]
    if len(ranking) > 1:
        head = html.Thead(html.Tr([html.Th(h) for h in text.RANKING_HEAD]))
        body = html.Tbody([html.Tr([html.Td(r["grid"]), html.Td(r["leader"] or ""), html.Td(r["cases"]),
                                    html.Td(_pct(r["response_rate"])), html.Td(_pct(r["resolution_rate"])),
                                    html.Td(_pct(r["satisfaction_rate"])),
                                    html.Td("—" if r["hours_to_resolve"] is None else f"{r['hours_to_resolve']:g}")])
                           for r in ranking])
        block.append(_section(text.SECTION_RANKING.format(days=days), html.Table([head, body], className="ranking")))
    return block


def build_panel(summary: dict, scope_name: str | None = None) -> list:
    """The head of an area's panel, from the cheap counts: it shows at once; build_panel_details fills in below.
    `scope_name`: the viewer's own area, when it is smaller than this one (their cases only are counted)."""
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
        _kpi(text.KPI_HOUSEHOLDS, people["households"], people.get("estimated")),
        _kpi(text.KPI_RESIDENTS, people["residents"], people.get("estimated")),
        _kpi(text.KPI_ELDERLY, people["elderly"], people.get("estimated")), _kpi(text.KPI_PARTY, people["party_members"]),
        _kpi(text.KPI_BUILDINGS, people["buildings"]),
    ])
    statuses = sorted(summary["cases_by_status"].items(), key=lambda kv: -kv[1])
    # each count opens the case list on exactly those cases (/cases/ reads ?area= and ?light=)
    cases = _section(text.SECTION_CASES, [
        html.Div(className="case-lights", children=[
            html.A([html.B(f"{summary['open_cases']}"), f" {text.OPEN_CASES}"], className="open-count",
                   href=cases_href(area["code"])),
            *[html.A(_light(k, lights[k]), href=cases_href(area["code"], light=k), className="light-link")
              for k in ("red", "yellow", "green")],
            html.A(f"{text.ESCALATED} {summary['escalated']}", className="pill light-escalated",
                   title=text.ESCALATED_HINT, href=cases_href(area["code"], light="escalated"))]),
        html.P(text.PANEL_SCOPE_NOTE.format(name=scope_name), className="scope-note") if scope_name else None,
        html.A(text.PANEL_CASE_LIST, href=cases_href(area["code"]), className="panel-link"),
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
    details = html.Div(id=ids.PANEL_DETAILS, className="panel-details",
                       children=html.Div(text.LOADING, className="muted"))
    empty = html.P(text.NO_BUILDINGS_YET, className="muted empty-note") if not people["buildings"] else None
    return [*head, kpis, empty, cases, services, post_block, details]


def build_panel_details(children: list[dict], grids: list[dict], monthly: pd.DataFrame, coverage_rows: list[dict],
                        rates: list) -> list:
    """The slower half of an area's panel: 三率 and ranking, coverage, the monthly chart, grid leaders, children."""
    cover = _section(text.WALK_COVERAGE_SECTION, [
        *[html.Div([text.WALK_COVERAGE_LINE.format(type=c["service_type"], radius=c["radius_m"],
                                                   minutes=c["radius_minutes"], elderly=_pct(c["elderly_share"]),
                                                   households=_pct(c["households_share"]),
                                                   gap=f"{c['gap_households']:,}"),
                            estimated_tag() if c.get("estimated") else None]
                   if c["buildings"] else text.WALK_COVERAGE_NO_BUILDINGS.format(type=c["service_type"]),
                   className="coverage-line") for c in coverage_rows],
        *[html.Div(text.WALK_FALLBACK_NOTE.format(factor=c["detour_factor"]), className="muted coverage-note")
          for c in coverage_rows[:1] if c["method"] != "walking"]])
    chart = _section(text.SECTION_CHART, monthly_chart(monthly))
    leaders = _section(text.SECTION_GRID_LEADERS, html.Ul(className="list", children=[
        html.Li([dcc.Link(g["name"], href=area_href(g["code"]), className="child-link"),
                 html.Span(g["leader_name"] or "", className="muted")]) for g in grids
    ])) if grids else None
    kids = _section(text.WITH_COUNT.format(label=text.SECTION_CHILDREN, n=len(children)), html.Div(className="child-links", children=[
        dcc.Link(c["name"], href=area_href(c["code"]), className="child-link") for c in children])) if children else None
    return [*rates, cover, chart, leaders, kids]


def build_root_panel(streets: list[dict]) -> list:
    return [
        html.Div(className="panel-head", children=[html.Span(text.LEVEL["root"], className="level-tag"),
                                                   html.H2(text.ALL_STREETS, className="panel-title")]),
        _section(text.WITH_COUNT.format(label=text.SECTION_CHILDREN, n=len(streets)), html.Ul(className="list", children=[
            html.Li([dcc.Link(s["name"], href=area_href(s["code"]), className="child-link"),
                     html.Span([f"{s['households']:,} {text.KPI_HOUSEHOLDS}",
                                estimated_tag() if s.get("estimated") else None], className="muted")])
            for s in streets])),
    ]


def build_building_panel(area: dict, open_cases: list[dict], nearest: list[dict], flash: str | None = None) -> list:
    facts = area["facts"]
    counted = ("households", "residents", "elderly") if area.get("estimated") else ()
    fact_rows = [html.Tr([html.Th(text.FACT_LABELS[k]), html.Td([f"{v}" if v is not None else "—",
                                                                estimated_tag() if k in counted else None])])
                 for k, v in facts.items()]
    case_items = [html.Li(className="case-item", children=[
        html.A(text.PANEL_OPEN_CASE, href=cases_href(area["code"], case=c["code"]), className="case-open"),
        _light(c["light"]),
        html.Span(text.ESCALATED, className="pill light-escalated") if c.get("escalated") else None,
        html.B(c["category"]), html.Span(c["status"], className="chip"),
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
        _section(text.WITH_COUNT.format(label=text.SECTION_OPEN_CASES, n=len(open_cases)),
                 [html.Ul(case_items, className="list") if case_items else html.Div(text.NO_CASES, className="muted"),
                  html.A(text.PANEL_CASE_LIST, href=cases_href(area["code"]), className="panel-link")]),
        _section(text.SECTION_NEAREST, html.Ul(near_items, className="list") if near_items
                 else html.Div(text.NO_DATA, className="muted")),
        build_intake(flash),
    ]


def build_spot_panel(place: dict, names: dict, flash: str | None = None) -> list:
    """The side panel for a spot picked on the map: where it is, and the intake form when it is in a community."""
    head = html.Div(className="panel-head", children=[html.Span(text.SPOT_TITLE, className="level-tag"),
                                                      html.H2(text.SPOT_INTAKE_TITLE, className="panel-title")])
    cancel = html.Button(text.SPOT_CANCEL, id=ids.SPOT_CANCEL, className="button secondary")
    if place.get("community") is None:
        return [head, html.P(text.SPOT_OUTSIDE, className="spot-outside", role="alert"), cancel]
    rows = [html.Tr([html.Th(label), html.Td(names.get(place[level]) or "—")])
            for level, label in text.SPOT_PLACE.items()]
    return [head, _section(text.SPOT_WHERE, html.Table(className="facts", children=html.Tbody(rows))),
            build_intake(flash, text.SPOT_INTAKE_TITLE), cancel]


def _section(title: str, body) -> html.Section:
    # Dash renders nested lists as raw objects: splice a list body in.
    return html.Section(className="section", children=[html.H3(title), *(body if isinstance(body, list) else [body])])


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def monthly_chart(monthly: pd.DataFrame) -> html.Div:
    """Stacked columns of cases per month by category in plain HTML: the map page carries no chart library."""
    if monthly.empty:
        return html.Div(text.NO_DATA, className="muted")
    table = monthly.pivot_table(index="category", columns="month", values="count", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    colours = {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(table.index)}
    top = _round_up(int(table.sum(axis=0).max()))
    columns = []
    for month in table.columns:
        label = text.CHART_MONTH.format(month=int(month[5:]))
        counts = table[month]
        segments = [html.Div(className="bar-seg", title=text.CHART_TIP.format(month=label, category=c, n=int(n)),
                             style={"height": f"{n / top * 100:.2f}%", "background": colours[c]})
                    for c, n in counts.items() if n]
        columns.append(html.Div(className="bar-col", children=[
            html.Div(className="bar-stack", children=[*segments, html.Div(f"{int(counts.sum())}", className="bar-total")]),
            html.Div(label, className="bar-label")]))
    axis = html.Div(className="bar-axis", children=[html.Span(f"{top}"), html.Span(f"{top // 2}"), html.Span("0")])
    legend = html.Div(className="chart-legend", children=[
        html.Span(className="legend-item", children=[html.I(className="swatch", style={"background": colours[c]}), c])
        for c in table.index])
    return html.Div(className="bar-chart-wrap", children=[
        html.Div(className="bar-chart", role="img", **{"aria-label": text.SECTION_CHART}, children=[axis, *columns]),
        legend])


def _round_up(value: int) -> int:
    """A readable top for the axis: 7 → 10, 23 → 25, 130 → 150."""
    for step in (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000):
        if value <= step * 10:
            return max(step, -(-value // step) * step)
    return value


def viewport_for(bounds: list[list[float]] | None) -> dict:
    if not bounds:
        return {"center": DEFAULT_CENTER, "zoom": 14}
    return {"bounds": bounds, "transition": "fitBounds", "options": {"padding": [24, 24], "maxZoom": 18, "animate": False}}
