"""Callbacks of the residents' page, registered on the public Dash app only."""
from __future__ import annotations

import dash_leaflet as dl
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update

from callbacks.urls import query_param
from callbacks.wiring import Callbacks
from db import public, users
from db.engine import session_scope
from geodata import crs
from layouts import public_ids as ids, public_page, text
from workflow import place_search
from workflow.textcheck import searchable

page = Callbacks()


def filter_points(points: list[dict], query: str | None, types: list[str] | None) -> list[dict]:
    """The points of the chosen types (all when none) that the search finds (workflow/place_search.py)."""
    wanted = set(types or [])
    return [p for p in points if (not wanted or p["type"] in wanted)
            and place_search.matches(query or "", p["name"], p["address"], p["type"])]


def location_of(value) -> list[float] | None:
    """[lat, lon] when the browser sent two numbers on the globe, else None: whatever else came is never echoed."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    lat, lon = float(value[0]), float(value[1])
    return [lat, lon] if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def with_distances(points: list[dict], location: list[float] | None) -> list[dict]:
    if not location or not points:
        return points
    lat, lon = location
    dist = crs.distance_m(lon, lat, [p["lon"] for p in points], [p["lat"] for p in points])
    ranked = [dict(p, distance_m=float(d)) for p, d in zip(points, dist)]
    return sorted(ranked, key=lambda p: p["distance_m"])


def _bounds(points: list[dict], me: list[float] | None = None) -> list[list[float]]:
    lats = [p["lat"] for p in points] + ([me[0]] if me else [])
    lons = [p["lon"] for p in points] + ([me[1]] if me else [])
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


NEAREST_IN_VIEW = 3  # after 定位我的位置 the map shows the person and this many of the nearest results


@page.callback(Output(ids.DEMO_NOTE, "hidden"), Input(ids.URL, "pathname"))
def show_demo_note(_path):
    # 演示数据 only over the generated demo: residents must not take real points for invented ones, or the reverse
    with session_scope() as session:
        return not users.is_demo(session)


page.clientside(
    ClientsideFunction("jinlinPublic", "locate"),
    Output(ids.LOCATION, "data", allow_duplicate=True), Output(ids.LOCATE_STATUS, "children"),
    Input(ids.LOCATE, "n_clicks"), State(ids.LOCATE_WORDS, "data"), prevent_initial_call=True,
)


@page.callback(Output(ids.LOCATION, "data"), Input(ids.MAP, "clickData"), prevent_initial_call=True)
def tap_to_locate(click):
    latlng = click.get("latlng") if isinstance(click, dict) else None
    if isinstance(latlng, dict):
        latlng = [latlng.get("lat"), latlng.get("lng")]
    return location_of(latlng) or no_update


@page.callback(
    Output(ids.LIST, "children"), Output(ids.COUNT, "children"), Output(ids.POINTS, "hideout"),
    Output(ids.ME, "children"), Output(ids.MAP, "viewport"),
    Input(ids.SEARCH, "value"), Input(ids.TYPES, "value"), Input(ids.LOCATION, "data"),
    Input(ids.URL, "search"), Input(ids.RETRY, "data"),
)
def show_points(query, types, location, search, _retry):
    # nothing the browser sent goes back unchecked: the search cut to the box's length, only known types
    query = searchable(query if isinstance(query, str) else "", public_page.MAX_QUERY)
    types = [t for t in types if t in public_page.PUBLIC_TYPES] if isinstance(types, list) else []
    location = location_of(location)
    selected = query_param(search if isinstance(search, str) else "", "point")
    with session_scope() as session:
        points = public.list_public_points(session)
    chosen = next((p for p in points if p["code"] == selected), None)
    shown = with_distances(filter_points(points, query, types), location)
    if chosen and not location:
        # a shared link: the shared point comes first, whatever the filters say
        shown = [chosen, *[p for p in shown if p["code"] != chosen["code"]]]
    # the map shows what the list finds: the matching is done here once, the markers filter by code
    hideout = public_page.points_hideout(types, [p["code"] for p in shown] if query else None,
                                         chosen["code"] if chosen else None)
    me = [dl.CircleMarker(center=location, radius=9, color="#fff", weight=3, fillColor="#1a73e8",
                          fillOpacity=1)] if location else []
    viewport = no_update
    if not ctx.triggered_id or ctx.triggered_id == ids.URL:
        viewport = {"bounds": _bounds(points), "transition": "fitBounds"} if points else no_update
    if chosen and (not ctx.triggered_id or ctx.triggered_id == ids.URL):
        viewport = {"center": [chosen["lat"], chosen["lon"]], "zoom": 17, "transition": "flyTo"}
    elif location and ctx.triggered_id == ids.LOCATION:
        # the person and the nearest results together, however far those are
        viewport = ({"bounds": _bounds(shown[:NEAREST_IN_VIEW], location), "transition": "flyToBounds",
                     "options": {"padding": [36, 36], "maxZoom": 17}} if shown
                    else {"center": location, "zoom": 16, "transition": "flyTo"})
    count = text.PUBLIC_COUNT.format(n=len(shown)) if shown else text.PUBLIC_NONE
    return public_page.build_list(shown[:60], hideout["selected"]), count, hideout, me, viewport


def register(app: Dash) -> None:
    page.register(app)
