"""Callbacks of the staff map: the URL's ?area= drives the layers, the breadcrumb and the panel."""
from __future__ import annotations

import dash_leaflet as dl
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import intake
from callbacks.urls import query_param
from callbacks.wiring import Callbacks
from callbacks.viewer import current_viewer
from db import areas, coverage, dashboard, layers, rules as case_rules, users
from db.engine import session_scope
from geodata import codes, crs
from workflow.vocab import GAP_TYPES
from layouts import ids, map_page, text
import settings

page = Callbacks()
EMPTY = {"type": "FeatureCollection", "features": []}
DATA_LAYERS = (("drill", ids.MAP_DRILL), ("context", ids.MAP_CONTEXT), ("grids", ids.MAP_GRIDS),
               ("basemap", ids.MAP_BASEMAP), ("cases", ids.MAP_CASES), ("service_points", ids.MAP_SERVICES),
               ("posts", ids.MAP_POSTS), ("wishes", ids.MAP_WISHES))


def area_from_search(search: str | None) -> str | None:
    """The ?area= value of a query string, or None when absent or blank."""
    return query_param(search, "area")


def resolve(session, search: str | None, viewer=None) -> tuple[str | None, dict | None, str | None]:
    """(code in view, area or None, the raw code when it is unknown). The home view is the viewer's own scope (a
    grid leader lands on the grid), else the one street, else every street."""
    raw = area_from_search(search)
    home = areas.get_area(session, viewer.scope_code) if raw is None and viewer and viewer.scope_code else None
    if home is not None:
        return home["code"], home, None
    if raw is None:
        streets = areas.list_streets(session)
        if len(streets) == 1:
            return streets[0]["code"], areas.get_area(session, streets[0]["code"]), None
        return None, {"code": None, "level": "root", "name": text.ALL_STREETS, "bounds": None}, None
    area = areas.get_area(session, raw)
    return (raw, area, None) if area else (None, None, raw)


SPOT = intake.SPOT


def _intake_spot(session, search: str | None, point: dict | None) -> tuple[str, float, float] | None:
    """(flash key, lon, lat) where a new case goes: the picked spot, else the building in view, else None."""
    if point:
        return SPOT, float(point["lon"]), float(point["lat"])
    building = areas.get_area(session, area_from_search(search) or "")
    if building is None or building["level"] != "building":
        return None
    return building["code"], building["point"][0], building["point"][1]


def _pick_state(picking: bool) -> tuple:
    return picking, text.PICK_ACTIVE if picking else text.PICK_START, "pick-button active" if picking else "pick-button"


@page.callback(
    [Output(component, "data") for _, component in DATA_LAYERS]
    + [Output(ids.MAP_DRILL, "hideout"), Output(ids.MAP, "viewport"), Output(ids.BREADCRUMB, "children"),
       Output(ids.MAP_ERROR, "children"), Output(ids.MAP_AREA, "data")],
    Input(ids.URL, "search"), Input(ids.RETRY, "data"),
)
def render_map(search, _retry, *, gcj02: bool = False):
    viewer = current_viewer()
    with session_scope() as session:
        code, area, unknown = resolve(session, search, viewer)
        if area is None:
            return ([EMPTY] * len(DATA_LAYERS)
                    + [no_update, no_update, [], map_page.build_not_found(unknown), None])
        data = [layers.get_layer(session, area, name, gcj02=gcj02, viewer=viewer)
                for name, _ in DATA_LAYERS]
        several_streets = len(areas.list_streets(session)) > 1
        chain = areas.breadcrumb(session, area) if code else []
        bounds = area["bounds"] or areas.streets_bounds(session)
        yellow = case_rules.get_case_rules(session).yellow_hours
    if gcj02 and bounds:
        bounds = crs.bounds_to_gcj02(bounds)
    hideout = {"selected": code if area["level"] == "building" else None, "level": area["level"],
               "yellowHours": yellow, **map_page.SERVICE_LOOK, **map_page.JS_WORDS}
    crumbs = map_page.build_breadcrumb(chain, text.ALL_STREETS if several_streets else None)
    return data + [hideout, map_page.viewport_for(bounds), crumbs, None, code]


@page.callback(Output(ids.PANEL, "children"), Output(ids.PANEL_AREA, "data"), Input(ids.URL, "search"),
               Input(ids.RETRY, "data"), Input(ids.INTAKE_POINT, "data"), State(ids.INTAKE_FLASH, "data"))
def render_panel(search, _retry, point, flash):
    """The panel head, and the area whose details follow (None: this panel has none)."""
    now = settings.now()
    if point and ctx.triggered_id == ids.RETRY:
        # a case just filed at the spot bumps RETRY for the map: the spot's panel already says so, and drawing it
        # again would race 取消选点 (a late answer put the form back after the user had left it)
        raise PreventUpdate
    if point and ctx.triggered_id != ids.URL:
        with session_scope() as session:
            place, names = areas.locate_spot(session, point["lon"], point["lat"])
        message = flash["message"] if flash and flash.get("area") == SPOT else None
        return map_page.build_spot_panel(place, names, message), None
    viewer = current_viewer()
    with session_scope() as session:
        code, area, _unknown = resolve(session, search, viewer)
        if area is None:
            return [], None
        if area["level"] == "building":
            message = flash["message"] if flash and flash.get("area") == code else None
            return map_page.build_building_panel(area, dashboard.list_open_cases(session, area, now, viewer=viewer),
                                                 coverage.nearest_service_points(session, area), message), None
        if area["level"] == "root":
            return map_page.build_root_panel(areas.list_streets(session)), None
        summary = dashboard.area_summary(session, area, now, viewer)
        # a grid leader looking at the community: its people and buildings, but only the cases of their own grid
        narrower = viewer.scope_code != area["code"] and codes.within(viewer.scope_code, area["code"])
        scope = areas.get_area(session, viewer.scope_code) if narrower else None
    return map_page.build_panel(summary, scope_name=scope["name"] if scope else None), code


# In the browser: the details wait until the map has its layers, so their rendering never holds up the map.
page.clientside(ClientsideFunction("jinlinMap", "panelReady"), Output(ids.PANEL_READY, "data"),
                Input(ids.MAP_AREA, "data"), Input(ids.PANEL_AREA, "data"), prevent_initial_call=True)


@page.callback(Output(ids.PANEL_DETAILS, "children"), Input(ids.PANEL_READY, "data"), Input(ids.RATES_DAYS, "data"),
               prevent_initial_call=True)
def render_panel_details(code, days):
    # a callback of its own, fired once the panel head and the map are in: neither waits for these
    days = days if days in text.RATE_PERIODS else 30
    now = settings.now()
    with session_scope() as session:
        area = areas.get_area(session, code or "")
        if area is None or area["level"] in ("building", "root"):
            raise PreventUpdate
        viewer = current_viewer()
        children = layers.drill_children(session, area)
        grids = layers.grids_of(session, area) if area["level"] == "community" else []
        monthly = dashboard.cases_per_month(session, area, now, viewer=viewer)
        cover = [coverage.area_coverage(session, area, t) for t in GAP_TYPES]
        rates = map_page.build_rates(dashboard.screen_stats(session, area, now, viewer, days),
                                     dashboard.rates_by_grid(session, area, now, viewer, days), days)
    return map_page.build_panel_details(children, grids, monthly, cover, rates)


# In the browser: only while the gap overlay is on does a drill or a type change ask the server for gaps.
page.clientside(ClientsideFunction("jinlinMap", "gapsWanted"), Output(ids.GAPS_WANTED, "data"),
                Input(ids.URL, "search"), Input(ids.MAP_LAYERS, "overlays"), Input(ids.GAP_TYPE, "value"),
                State(ids.GAPS_LABEL, "data"), State(ids.GAPS_WANTED, "data"))


@page.callback(Output(ids.MAP_GAPS, "data"), Input(ids.GAPS_WANTED, "data"), prevent_initial_call=True)
def render_gaps(wanted, *, gcj02: bool = False):
    # Buildings are the heaviest layer: only fetched while the overlay is switched on.
    if not wanted:
        return EMPTY
    with session_scope() as session:
        code, area, _ = resolve(session, wanted.get("search"), current_viewer())
        if area is None or code is None:
            return EMPTY
        return layers.get_layer(session, area, "gaps", option=wanted.get("type"), gcj02=gcj02)


# In the browser: the panel re-rendering its own period switch is not a choice, and costs no request.
page.clientside(ClientsideFunction("jinlinMap", "ratesPeriod"), Output(ids.RATES_DAYS, "data"),
                Input(ids.RATES_PERIOD, "value"), State(ids.RATES_DAYS, "data"), prevent_initial_call=True)


@page.callback(Output(ids.PICK_MODE, "data"), Output(ids.PICK_BUTTON, "children"),
               Output(ids.PICK_BUTTON, "className"), Input(ids.PICK_BUTTON, "n_clicks"), State(ids.PICK_MODE, "data"),
               prevent_initial_call=True)
def toggle_pick(_n, picking):
    return _pick_state(not picking)


@page.callback(Output(ids.INTAKE_POINT, "data"), Output(ids.PICK_MODE, "data", allow_duplicate=True),
               Output(ids.PICK_BUTTON, "children", allow_duplicate=True),
               Output(ids.PICK_BUTTON, "className", allow_duplicate=True),
               Input(ids.PICK_CLICK, "data"), State(ids.PICK_MODE, "data"), prevent_initial_call=True)
def pick_spot(click, picking, *, gcj02: bool = False):
    if not picking or not click:
        raise PreventUpdate
    lon, lat = crs.from_display(float(click["lng"]), float(click["lat"]), gcj02)
    return {"lon": round(lon, 6), "lat": round(lat, 6)}, *_pick_state(False)


# In the browser: navigating forgets a picked spot (nothing picked: nothing to do, and no request).
page.clientside(ClientsideFunction("jinlinMap", "forgetSpot"),
                Output(ids.INTAKE_POINT, "data", allow_duplicate=True), Input(ids.URL, "search"),
                State(ids.INTAKE_POINT, "data"), prevent_initial_call=True)


@page.callback(Output(ids.INTAKE_POINT, "data", allow_duplicate=True), Input(ids.SPOT_CANCEL, "n_clicks"),
               prevent_initial_call=True)
def cancel_spot(n):
    if not n:
        raise PreventUpdate
    return None


@page.callback(Output(ids.MAP_PICKED, "children"), Input(ids.INTAKE_POINT, "data"))
def draw_spot(point, *, gcj02: bool = False):
    if not point:
        return []
    lon, lat = crs.to_display(point["lon"], point["lat"], gcj02)
    return [dl.CircleMarker(center=[lat, lon], radius=10, color="#c0392b", weight=3, fillColor="#fff",
                            fillOpacity=0.9)]


@page.callback(Output(ids.DEMO_BADGE, "hidden"), Input(ids.URL, "pathname"))
def show_demo_badge(_path):
    with session_scope() as session:
        return not users.is_demo(session)  # 演示数据 over real data would be a lie


# In the browser: only a click while 选点 is on goes on to pick_spot.
page.clientside(ClientsideFunction("jinlinMap", "pickClick"), Output(ids.PICK_CLICK, "data"),
                Input(ids.MAP, "n_clicks"), State(ids.MAP, "clickData"), State(ids.PICK_MODE, "data"),
                prevent_initial_call=True)


# In the browser: a drill is a click → a new ?area=, with no round trip to the server before the real work.
page.clientside(ClientsideFunction("jinlinMap", "drill"), Output(ids.URL, "search"),
                Input(ids.MAP_DRILL, "clickData"), State(ids.URL, "search"), State(ids.PICK_MODE, "data"),
                prevent_initial_call=True)


def register(app: Dash, tile_provider: str) -> None:
    page.register(app, gcj02=tile_provider == "amap")  # 高德 tiles are drawn in GCJ-02
    intake.register(app, [State(ids.URL, "search"), State(ids.INTAKE_POINT, "data")], _intake_spot,
                    Output(ids.RETRY, "data", allow_duplicate=True))

