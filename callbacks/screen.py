"""Callbacks of the big screen: refresh without flicker, an auto-tour through the communities, a clock."""
from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, no_update

from callbacks.urls import query_param
from callbacks.viewer import current_viewer
from callbacks.wiring import Callbacks
from db import areas, cache, dashboard, layers, rules as case_rules
from geodata import codes
from db.access import Viewer
from db.engine import session_scope
from layouts import screen_ids as ids, screen_page, text
import settings

page = Callbacks()

EMPTY = {"type": "FeatureCollection", "features": []}


def _seconds(value: str | None, default: int, low: int, high: int) -> int:
    return min(high, max(low, int(value))) if value and value.isdigit() else default


def screen_area(session, viewer: Viewer, search: str | None) -> dict | None:
    """The area on screen: ?area= when the viewer may see it, else the viewer's scope, else the first street."""
    wanted = query_param(search, "area")
    if wanted and viewer.covers(wanted):
        area = areas.get_area(session, wanted)
        if area and area["level"] != "building":
            return area
    if viewer.scope_code:
        return areas.get_area(session, viewer.scope_code)
    streets = areas.list_streets(session)
    return areas.get_area(session, streets[0]["code"]) if streets else None


page.clientside(ClientsideFunction("jinlinScreen", "clock"), Output(ids.CLOCK, "children"),
                Input(ids.CLOCK_TICK, "n_intervals"), State(ids.CLOCK_WORDS, "data"))


@page.callback(Output(ids.REFRESH, "interval"), Output(ids.TOUR, "interval"), Output(ids.TOUR, "disabled"),
               Input(ids.URL, "search"))
def configure(search):
    refresh = _seconds(query_param(search, "refresh"), 30, 5, 3600)
    tour = _seconds(query_param(search, "tour"), 20, 0, 3600)
    return refresh * 1000, max(tour, 5) * 1000, tour == 0


def tour_stops(session, area: dict) -> list[dict]:
    """The communities an auto-tour of `area` visits, in the drill order (a street's; other areas have none)."""
    if area["level"] != "street":
        return []
    return [areas.get_area(session, c["code"]) for c in layers.drill_children(session, area)]


def stats_area(session, area: dict, stop: dict | None) -> dict:
    """The area the numbers are about: the tour's stop when it is one of `area`'s (the store is the browser's)."""
    code = (stop or {}).get("stop") if isinstance(stop, dict) else None
    if (isinstance(code, str) and (stop or {}).get("area") == area["code"]
            and codes.community_of(code) == code and codes.within(code, area["code"])):
        return areas.get_area(session, code) or area
    return area


@page.callback(Output(ids.MAP, "viewport"), Output(ids.MAP_AREAS, "hideout"), Output(ids.TOUR_LABEL, "children"),
               Output(ids.STOP, "data"), Input(ids.TOUR, "n_intervals"), Input(ids.URL, "search"))
def tour(n, search):
    """Step `n` of the auto-tour: the overview, then each community in turn; the numbers follow (STOP)."""
    viewer = current_viewer().as_screen()
    with session_scope() as session:
        area = screen_area(session, viewer, search)
        if area is None:
            return no_update, no_update, no_update, None
        stops = tour_stops(session, area)
    step = (n or 0) % (len(stops) + 1)
    if step == 0:
        return ({"bounds": area["bounds"], "transition": "flyToBounds", "options": {"padding": [30, 30]}},
                screen_page.map_hideout(), text.SCREEN_OVERVIEW, {"area": area["code"], "stop": None})
    stop = stops[step - 1]
    return ({"bounds": stop["bounds"], "transition": "flyToBounds", "options": {"padding": [60, 60]}},
            screen_page.map_hideout(selected=stop["code"]), text.SCREEN_TOURING.format(name=stop["name"]),
            {"area": area["code"], "stop": stop["code"]})


@page.callback(
    Output(ids.TITLE, "children"), Output(ids.SCOPE, "children"), Output(ids.KPIS, "children"),
    Output(ids.CHART_CATEGORY, "figure"), Output(ids.CHART_TREND, "figure"), Output(ids.BOARD, "children"),
    Output(ids.MAP_AREAS, "data"), Output(ids.MAP_BASEMAP, "data"), Output(ids.MAP_CASES, "data"),
    Output(ids.MAP_SERVICES, "data"), Output(ids.SIGNATURE, "data"), Output(ids.MAP_CASES, "hideout"),
    Input(ids.REFRESH, "n_intervals"), Input(ids.STOP, "data"), Input(ids.RETRY, "data"),
    State(ids.URL, "search"), State(ids.SIGNATURE, "data"), State(ids.MAP_CASES, "hideout"),
)
def refresh(_n, stop, _retry, search, signature, hideout):
    """The screen's numbers for the tour's stop (or the whole area), its map layers when the data changed."""
    now = settings.now()
    # whoever is logged in, the big screen shows no names or phones: always query as a screen
    viewer = current_viewer().as_screen()
    with session_scope() as session:
        area = screen_area(session, viewer, search)
        if area is None:
            return (text.SCREEN_NO_AREA, "", [], no_update, no_update, [], EMPTY, EMPTY, EMPTY, EMPTY, None,
                    no_update)
        shown = stats_area(session, area, stop)
        version = cache.data_version(session)
        stats = dashboard.screen_stats(session, shown, now, viewer)
        by_category = dashboard.cases_by_category(session, shown, now, viewer)
        daily = dashboard.cases_by_day(session, shown, now, viewer)
        board = dashboard.latest_cases(session, shown, now, viewer)
        yellow = case_rules.get_case_rules(session).yellow_hours
        fresh = [area["code"], version]
        if fresh == signature:
            # nothing changed: keep the map's layers (no flicker); lights recolour on the client by the clock
            maps = [no_update] * 4
        else:
            maps = [layers.get_layer(session, area, name, viewer=viewer)
                    for name in ("drill", "basemap", "cases", "service_points")]
    return (text.SCREEN_TITLE.format(name=area["name"]), text.SCREEN_SCOPE.format(name=shown["name"]),
            screen_page.build_kpis(stats), screen_page.category_figure(by_category), screen_page.trend_figure(daily),
            screen_page.build_board(board), *maps, fresh,
            # the same yellow window as the lists and the staff map
            no_update if isinstance(hideout, dict) and hideout.get("yellowHours") == yellow
            else screen_page.map_hideout(yellow_hours=yellow))


def register(app: Dash) -> None:
    page.register(app)
