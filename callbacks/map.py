"""Callbacks of the staff map: the URL's ?area= drives the layers, the breadcrumb and the panel."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from callbacks.urls import query_param
from callbacks.viewer import current_account, current_viewer
from db import cases, layers, repository, rules as case_rules
from db.engine import session_scope
from geodata import crs
from geodata.vocab import GAP_TYPES
from layouts import ids, map_page, text

EMPTY = {"type": "FeatureCollection", "features": []}
DATA_LAYERS = (("drill", ids.MAP_DRILL), ("context", ids.MAP_CONTEXT), ("grids", ids.MAP_GRIDS),
               ("basemap", ids.MAP_BASEMAP), ("cases", ids.MAP_CASES), ("service_points", ids.MAP_SERVICES),
               ("posts", ids.MAP_POSTS))


def area_from_search(search: str | None) -> str | None:
    """The ?area= value of a query string, or None when absent or blank."""
    return query_param(search, "area")


def area_query(code: str) -> str:
    return "?" + urlencode({"area": code})


def resolve(session, search: str | None) -> tuple[str | None, dict | None, str | None]:
    """(code in view, area or None, the raw code when it is unknown). One street: it is the home view."""
    raw = area_from_search(search)
    if raw is None:
        streets = repository.list_streets(session)
        if len(streets) == 1:
            return streets[0]["code"], repository.get_area(session, streets[0]["code"]), None
        return None, {"code": None, "level": "root", "name": text.ALL_STREETS, "bounds": None}, None
    area = repository.get_area(session, raw)
    return (raw, area, None) if area else (None, None, raw)


def register(app: Dash, tile_provider: str) -> None:
    gcj02 = tile_provider == "amap"

    @app.callback(
        [Output(component, "data") for _, component in DATA_LAYERS]
        + [Output(ids.MAP_DRILL, "hideout"), Output(ids.MAP, "viewport"), Output(ids.BREADCRUMB, "children"),
           Output(ids.MAP_ERROR, "children")],
        Input(ids.URL, "search"), Input(ids.RETRY, "data"),
    )
    def render_map(search, _retry):
        with session_scope() as session:
            code, area, unknown = resolve(session, search)
            if area is None:
                return ([EMPTY] * len(DATA_LAYERS)
                        + [no_update, no_update, [], map_page.build_not_found(unknown)])
            version = repository.data_version(session)
            viewer = current_viewer()
            data = [layers.get_layer(session, code, name, gcj02=gcj02, version=version, viewer=viewer)
                    for name, _ in DATA_LAYERS]
            several_streets = len(repository.list_streets(session)) > 1
            chain = repository.breadcrumb(session, code) if code else []
            bounds = area["bounds"] or repository.streets_bounds(session)
            yellow = case_rules.get_case_rules(session).yellow_hours
        if gcj02 and bounds:
            bounds = crs.bounds_to_gcj02(bounds)
        hideout = {"selected": code if area["level"] == "building" else None, "level": area["level"],
                   "yellowHours": yellow, "glyphs": map_page.SERVICE_GLYPH}
        crumbs = map_page.build_breadcrumb(chain, text.ALL_STREETS if several_streets else None)
        return data + [hideout, map_page.viewport_for(bounds), crumbs, None]

    @app.callback(Output(ids.PANEL, "children"), Input(ids.URL, "search"), Input(ids.RETRY, "data"),
                  State(ids.INTAKE_FLASH, "data"))
    def render_panel(search, _retry, flash):
        now = dt.datetime.now()
        with session_scope() as session:
            code, area, _unknown = resolve(session, search)
            if area is None:
                return []
            viewer = current_viewer()
            if area["level"] == "building":
                message = flash["message"] if flash and flash.get("area") == code else None
                return map_page.build_building_panel(area, repository.list_open_cases(session, code, now, viewer=viewer),
                                                     repository.nearest_service_points(session, code), message)
            if area["level"] == "root":
                return map_page.build_root_panel(repository.list_streets(session))
            summary = repository.area_summary(session, code, now, viewer)
            children = repository.list_children(session, code)
            grids = repository.list_grids(session, code) if area["level"] == "community" else []
            monthly = repository.cases_per_month(session, code, now, viewer=viewer)
            cover = [repository.area_coverage(session, code, t) for t in GAP_TYPES]
            rates = map_page.build_rates(repository.screen_stats(session, code, now, viewer),
                                         repository.rates_by_grid(session, code, now, viewer))
        return map_page.build_panel(summary, children, grids, monthly, cover, rates)

    @app.callback(
        Output(ids.MAP_GAPS, "data"),
        Input(ids.URL, "search"), Input(ids.MAP_LAYERS, "overlays"), Input(ids.GAP_TYPE, "value"),
    )
    def render_gaps(search, overlays, gap_type):
        # Buildings are the heaviest layer: only fetched while the overlay is switched on.
        if text.OVERLAY_GAPS not in (overlays or []):
            return EMPTY
        with session_scope() as session:
            code, area, _ = resolve(session, search)
            if area is None or code is None:
                return EMPTY
            return layers.get_layer(session, code, "gaps", option=gap_type, gcj02=gcj02)

    @app.callback(Output(ids.INTAKE_MESSAGE, "children"), Output(ids.INTAKE_FLASH, "data"),
                  Output(ids.RETRY, "data", allow_duplicate=True),
                  Input(ids.INTAKE_SUBMIT, "n_clicks"), State(ids.URL, "search"), State(ids.INTAKE_CATEGORY, "value"),
                  State(ids.INTAKE_SOURCE, "value"), State(ids.INTAKE_DESCRIPTION, "value"),
                  State(ids.INTAKE_REPORTER, "value"), State(ids.INTAKE_PHONE, "value"), prevent_initial_call=True)
    def take_in_case(n, search, category, source, description, reporter, phone):
        if not n:
            raise PreventUpdate
        account = current_account()
        now = dt.datetime.now()
        with session_scope() as session:
            building = repository.get_area(session, area_from_search(search) or "")
            if building is None or building["level"] != "building":
                raise PreventUpdate
            new = cases.NewCase(category=category or "", description=description or "", source=source or "",
                                lon=building["point"][0], lat=building["point"][1], reporter_name=reporter,
                                reporter_phone=phone)
            try:
                code = cases.create_case(session, new, account.display_name if account else "?", current_viewer(), now)
            except cases.CaseError as err:
                return str(err), no_update, no_update
            deadline = cases.get_case(session, code, current_viewer(), now)["deadline"]
            similar = [c["code"] for c in cases.similar_open_cases(session, new.category, new.lon, new.lat, now,
                                                                    current_viewer()) if c["code"] != code]
        message = text.INTAKE_DONE.format(code=code, deadline=deadline.strftime("%m-%d %H:%M"))
        if similar:
            message += text.INTAKE_SIMILAR.format(codes="、".join(similar[:5]))
        # the panel re-renders with the new case listed; the message rides along in the flash store
        return message, {"area": building["code"], "message": message}, now.isoformat()

    @app.callback(Output(ids.USER_BOX, "children"), Output(ids.NAV_ADMIN, "hidden"), Input(ids.URL, "pathname"))
    def show_user(_path):
        account = current_account()
        if account is None:
            return "", True
        return map_page.user_label(account.display_name, account.role), account.role != "admin"

    @app.callback(Output(ids.URL, "search"), Input(ids.MAP_DRILL, "clickData"), State(ids.URL, "search"),
                  prevent_initial_call=True)
    def drill_into_clicked_area(feature, search):
        code = ((feature or {}).get("properties") or {}).get("code")
        if not code or area_from_search(search) == code:
            raise PreventUpdate
        return area_query(code)
