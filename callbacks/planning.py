"""Callbacks of the planning page: the street's walking coverage, optimised and what-if plans, scenarios, standards."""
from __future__ import annotations

import hashlib

from dash import Dash, DiskcacheManager, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.viewer import current_account, current_viewer
from callbacks.wiring import Callbacks
from db import areas, coverage, layers, people, planning, walking
from db.engine import database_url, get_engine, session_scope
from geodata import standards
from layouts import planning_ids as ids, planning_page, text
from settings import INSTANCE_DIR, private_dir
import settings

page = Callbacks()




def _who() -> str | None:
    account = current_account()
    return account.username if account else None


def _error(err: planning.PlanningError) -> html.Span:
    return html_error(text.PLANNING_ERRORS.get(err.kind, str(err)))


def html_error(message: str) -> html.Span:
    return html.Span(message, className="error")


@page.callback(Output(ids.STREET, "options"), Output(ids.STREET, "value"), Input(ids.URL, "pathname"),
               Input(ids.RETRY, "data"))
def list_streets(_path, _retry):
    with session_scope() as session:
        streets = areas.list_streets(session)
    if not streets:
        return [], None
    return [{"label": s["name"], "value": s["code"]} for s in streets], streets[0]["code"]


@page.callback(Output(ids.PRINT_TITLE, "children"), Input(ids.STREET, "value"))
def print_title(street):
    # the street's name from the database: the page's options are the browser's to change
    with session_scope() as session:
        names = {s["code"]: s["name"] for s in areas.list_streets(session)}
    return text.PLANNING_PRINT_TITLE.format(street=names.get(street, ""), date=settings.now().date().isoformat())


@page.callback(
    Output(ids.COVERAGE, "children"), Output(ids.MAP_BASEMAP, "data"), Output(ids.MAP_BUILDINGS, "data"),
    Output(ids.MAP, "viewport"), Output(ids.STD_RADIUS, "value"), Output(ids.STD_SPEED, "value"),
    Output(ids.STD_ELDERLY_SPEED, "value"), Output(ids.STD_DETOUR, "value"), Output(ids.STD_SEATS, "value"),
    Input(ids.STREET, "value"), Input(ids.SERVICE_TYPE, "value"), Input(ids.STD_SAVED, "data"),
)
def show_coverage(street, service_type, _saved):
    if not street or not service_type:
        raise PreventUpdate
    with session_scope() as session:
        area = areas.get_area(session, street)
        cov = coverage.area_coverage(session, area, service_type)
        roads = layers.get_layer(session, area, "basemap", option=layers.PATHS)  # walkways explain walking
        buildings = layers.get_layer(session, area, "gaps", option=service_type)
        std = walking.get_standards(session)
    view = {"bounds": area["bounds"], "transition": "fitBounds"} if ctx.triggered_id in (None, ids.STREET) \
        else no_update
    return (planning_page.coverage_block(cov), roads, buildings, view, standards.radius(std, service_type),
            std["walk_speed_m_per_min"], std["elderly_speed_m_per_min"], std["detour_factor"],
            std["min_seats_per_100_elderly"])


@page.callback(
    Output(ids.OPT_STORE, "data"),
    Input(ids.RUN, "n_clicks"), State(ids.STREET, "value"), State(ids.SERVICE_TYPE, "value"),
    State(ids.K, "value"), State(ids.OBJECTIVE, "value"), State(ids.WEIGHT, "value"),
    prevent_initial_call=True, background=True,
    running=[(Output(ids.RUN, "disabled"), True, False), (Output(ids.CANCEL, "disabled"), False, True),
             (Output(ids.PROGRESS, "hidden"), False, True)],
    progress=[Output(ids.PROGRESS_TEXT, "value")], progress_default=["0"],
    cancel=[Input(ids.CANCEL, "n_clicks")],
)
def optimise(set_progress, _run, street, service_type, k, objective, weight):
    # A job process of its own: connections inherited from the web worker must not be shared with it.
    get_engine().dispose(close=False)
    try:
        with session_scope() as session:
            result = planning.optimise(session, street, service_type, int(k or 0), objective, weight,
                                       progress=lambda pct: set_progress([str(pct)]))
            # the page gets a token: the numbers stay here, where a saved scenario takes them from
            return {"token": planning.keep_result(session, result, settings.now())}
    except planning.PlanningError as err:
        return {"error": err.kind, "detail": str(err)}
    except (TypeError, ValueError):
        return {"error": "k_too_small"}


PLAN_OUT = (Output(ids.RESULT_STORE, "data", allow_duplicate=True), Output(ids.MESSAGE, "children",
                                                                        allow_duplicate=True))
ON_MAP = (State(ids.STREET, "value"), State(ids.SERVICE_TYPE, "value"), State(ids.CLICK_MODE, "value"),
          State(ids.CANDIDATE_KIND, "value"), State(ids.RESULT_STORE, "data"))


@page.callback(Output(ids.RESULT_STORE, "data"), Output(ids.MESSAGE, "children"), Input(ids.RESET, "n_clicks"),
               Input(ids.STREET, "value"), Input(ids.SERVICE_TYPE, "value"), prevent_initial_call=True)
def forget_plan(_reset, street, service_type):
    """A reset, another street or another service type: the plan on show no longer applies."""
    if not street or not service_type:
        raise PreventUpdate
    return None, None


@page.callback(*PLAN_OUT, Input(ids.OPT_STORE, "data"), prevent_initial_call=True)
def take_optimised(optimised):
    if not isinstance(optimised, dict) or not optimised:
        raise PreventUpdate
    if "error" in optimised:
        return no_update, html_error(text.PLANNING_ERRORS.get(optimised["error"], text.PLANNING_ERRORS["no_result"]))
    return _held(optimised.get("token")), None


def _held(token) -> dict:
    """What the page keeps of a plan: the token of the server's copy, nothing it could change the numbers with."""
    return {"token": token}


def _token(store) -> str | None:
    return store.get("token") if isinstance(store, dict) else None


def _plan(session, store, street, service_type) -> dict | None:
    """The server's copy of the plan the page holds, if it is of this street and service type."""
    return planning.get_result(session, _token(store), street, service_type, settings.now())


@page.callback(*PLAN_OUT, Input(ids.MAP, "clickData"), *ON_MAP, prevent_initial_call=True)
def click_map(map_click, street, service_type, mode, kind, result):
    """A click on the map: a site added to the plan there, or (candidate mode) a candidate site placed there."""
    return _edit_on_map(street, service_type, mode, kind, result, map_click=map_click)


@page.callback(*PLAN_OUT, Input(ids.MAP_SITES, "clickData"), *ON_MAP, prevent_initial_call=True)
def click_site(site_click, street, service_type, mode, kind, result):
    """A click on a site: taken out of the plan (or put back), or (candidate mode) the candidate deleted."""
    return _edit_on_map(street, service_type, mode, kind, result, site_click=site_click)


def _edit_on_map(street, service_type, mode, kind, store, map_click=None, site_click=None):
    if not street or not service_type:
        raise PreventUpdate
    now = settings.now()
    try:
        with session_scope() as session:
            if mode == "candidate":
                return no_update, _edit_candidate(session, street, kind, map_click, site_click, now)
            click = _latlng(map_click)
            if not isinstance(site_click, dict) and click is None:
                raise PreventUpdate
            shown = _plan(session, store, street, service_type)
            added, removed = planning.edit_plan(shown, street, service_type, site_click, click)
            edited = planning.what_if(session, street, service_type, added, removed)
            if shown and shown.get("objective") != "manual":
                edited.update(objective=shown["objective"], edited=True)
            return _held(planning.keep_result(session, edited, now)), None
    except planning.PlanningError as err:
        return no_update, _error(err)


@page.callback(Output(ids.RESULT, "children"), Output(ids.MAP_SITES, "data"), Output(ids.MAP_BUILDINGS, "hideout"),
               Input(ids.RESULT_STORE, "data"), Input(ids.MESSAGE, "children"), Input(ids.STREET, "value"),
               Input(ids.SERVICE_TYPE, "value"))
def show_plan(store, _message, street, service_type):
    if not street or not service_type:
        raise PreventUpdate
    with session_scope() as session:
        result = _plan(session, store, street, service_type)
        sites = planning.sites_layer(session, street, service_type, result)
    body = planning_page.result_block(result) if result else text.PLANNING_EMPTY
    return body, sites, planning_page.buildings_hideout(result.get("changed", {}) if result else {})


def _scenario_pickers(session, street: str, a, b) -> tuple:
    """The A and B pickers' options, and their values when the chosen scenarios still exist."""
    options = [{"label": s["name"], "value": s["id"]} for s in planning.list_scenarios(session, street)]
    kept = {o["value"] for o in options}
    return options, options, a if a in kept else None, b if b in kept else None


PICKERS = (Output(ids.COMPARE_A, "options"), Output(ids.COMPARE_B, "options"), Output(ids.COMPARE_A, "value"),
           Output(ids.COMPARE_B, "value"))


@page.callback(Output(ids.SAVE_MESSAGE, "children"), Output(ids.DELETE_MESSAGE, "children"), *PICKERS,
               Input(ids.STREET, "value"), State(ids.COMPARE_A, "value"), State(ids.COMPARE_B, "value"))
def list_scenarios(street, a, b):
    if not street:
        raise PreventUpdate
    with session_scope() as session:
        return None, None, *_scenario_pickers(session, street, a, b)


@page.callback(Output(ids.SAVE_MESSAGE, "children", allow_duplicate=True),
               *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in PICKERS],
               Input(ids.SAVE, "n_clicks"), State(ids.STREET, "value"), State(ids.SCENARIO_NAME, "value"),
               State(ids.RESULT_STORE, "data"), State(ids.COMPARE_A, "value"), State(ids.COMPARE_B, "value"),
               prevent_initial_call=True)
def save_scenario(_n, street, name, store, a, b):
    """Keep the plan on show (the server's copy) under a name; the pickers list it."""
    if not street:
        raise PreventUpdate
    with session_scope() as session:
        try:
            saved = planning.save_scenario(session, current_viewer(), street, name, _token(store), settings.now())
            message = text.PLANNING_SAVED.format(name=saved["name"])
        except planning.PlanningError as err:
            message = _error(err)
        return message, *_scenario_pickers(session, street, a, b)


@page.callback(Output(ids.DELETE_MESSAGE, "children", allow_duplicate=True),
               *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in PICKERS],
               Input(ids.DELETE_CONFIRM, "submit_n_clicks"), State(ids.STREET, "value"),
               State(ids.COMPARE_A, "value"), State(ids.COMPARE_B, "value"), prevent_initial_call=True)
def delete_scenario(_n, street, a, b):
    """Delete the scenario chosen as A (after the confirmation dialog)."""
    if not street:
        raise PreventUpdate
    with session_scope() as session:
        try:
            message = text.PLANNING_DELETED.format(name=planning.delete_scenario(session, current_viewer(), street, a))
        except planning.PlanningError as err:
            message = _error(err)
        return message, *_scenario_pickers(session, street, a, b)


@page.callback(Output(ids.COMPARE, "children"), Input(ids.COMPARE_A, "value"), Input(ids.COMPARE_B, "value"),
               State(ids.STREET, "value"))
def compare(a, b, street):
    pick = html.Span(text.PLANNING_COMPARE_PICK, className="muted")
    if a is None or b is None:
        return pick
    with session_scope() as session:
        by_id = {s["id"]: s for s in planning.list_scenarios(session, street)}
    if a not in by_id or b not in by_id:
        return pick
    return planning_page.compare_block(by_id[a], by_id[b])


page.clientside("function (n) { if (n) { window.print(); } return ''; }",
                Output(ids.PRINT, "title"), Input(ids.PRINT, "n_clicks"), prevent_initial_call=True)


@page.callback(Output(ids.STD_MESSAGE, "children"), Output(ids.STD_SAVED, "data"), Input(ids.STD_SAVE, "n_clicks"),
               State(ids.SERVICE_TYPE, "value"), State(ids.STD_RADIUS, "value"), State(ids.STD_SPEED, "value"),
               State(ids.STD_ELDERLY_SPEED, "value"), State(ids.STD_DETOUR, "value"), State(ids.STD_SEATS, "value"),
               prevent_initial_call=True)
def save_standards(_n, service_type, radius, speed, elderly_speed, detour, seats):
    account = current_account()
    if not current_viewer().may_edit_standards:
        return html_error(text.PLANNING_STD_ADMIN_ONLY), no_update
    try:
        with session_scope() as session:
            current = walking.get_standards(session)
            raw = {**current, "radius_m": {**current["radius_m"], service_type: radius},
                   "walk_speed_m_per_min": speed, "elderly_speed_m_per_min": elderly_speed,
                   "detour_factor": detour, "min_seats_per_100_elderly": seats}
            walking.save_standards(session, raw, account.username, settings.now())
    except standards.StandardsError as err:
        return html_error(text.PLANNING_STD_ERROR.format(field=err.field)), no_update
    # the coverage and the map recompute under the new standard
    return text.PLANNING_STD_SAVED, settings.now().isoformat()


def background_manager() -> DiskcacheManager:
    """Where optimisation jobs keep progress and results: on disk, so every gunicorn worker on this machine sees them.

    Under instance/jobs/, one directory per database (two apps on one machine, a test run beside a demo, never
    share a job), for the app's account alone: folders 0700, the cache's files 0600. Every value stays inside the
    cache's SQLite file (no value files beside it), and SQLite gives its journal files the database file's mode.
    """
    import diskcache

    tag = hashlib.sha1(database_url().encode()).hexdigest()[:10]
    folder = private_dir(private_dir(INSTANCE_DIR / "jobs") / tag)
    cache = diskcache.Cache(str(folder), disk_min_file_size=2**31 - 1)
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mode & 0o777 != 0o600:
            path.chmod(0o600)
    return DiskcacheManager(cache, expire=600)


@page.callback(Output(ids.PEOPLE, "children"), Input(ids.PEOPLE_RUN, "n_clicks"), State(ids.STREET, "value"),
               State(ids.PEOPLE_MINUTES, "value"), prevent_initial_call=True)
def match_volunteers(_n, street, minutes):
    if not street:
        raise PreventUpdate
    try:
        limit = people.minutes_limit_ok(minutes)
    except (TypeError, ValueError):
        return html_error(text.PEOPLE_BAD_MINUTES)
    with session_scope() as session:
        return planning_page.people_block(people.people_plan(session, street, limit, current_viewer()))


def _latlng(click) -> tuple[float, float] | None:
    """(lon, lat) of a dash-leaflet map click; None for anything else."""
    try:
        return float(click["latlng"]["lng"]), float(click["latlng"]["lat"])
    except (TypeError, KeyError, ValueError):
        return None


def _edit_candidate(session, street, kind, map_click, site_click, now):
    """Candidate mode: a click on the map adds a candidate of the chosen kind; a click on a candidate deletes it."""
    viewer = current_viewer()
    if isinstance(site_click, dict):
        props = site_click.get("properties")
        if not isinstance(props, dict) or props.get("role") != "candidate":
            raise PreventUpdate
        name = planning.remove_candidate(session, viewer, street, props.get("id"))
        return text.PLANNING_CANDIDATE_REMOVED.format(name=name)
    point = _latlng(map_click)
    if point is None:
        raise PreventUpdate
    n = len(planning.list_candidates(session, street)) + 1
    added = planning.add_candidate(session, viewer, street, kind, f"{kind}{n}", point[0], point[1], _who(), now)
    return text.PLANNING_CANDIDATE_ADDED.format(name=added["name"])


def register(app: Dash) -> None:
    page.register(app)
