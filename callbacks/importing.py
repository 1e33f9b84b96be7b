"""Callbacks of the admin import page: each step calls the importer (geodata.importing, db.importer) and shows its answer."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import DataError, IntegrityError

from callbacks import uploads
from callbacks.viewer import current_account, current_viewer
from callbacks.wiring import Callbacks
from db.importer import PREVIEW_FEATURES, as_previewed
from db import areas, batches, exporting, layers, street_setup
from db.engine import session_scope
from db.onboarding import import_file, run_import_osm
from geodata import codes, osm
from geodata.importing import coords
from geodata.importing.drawn import area_km2, drawn_polygon
from geodata.importing.errors import ImportRefused
from geodata.importing.mapping import guess_mapping
from geodata.importing.prepare import pick_layer
from geodata.importing.readers import accepted_suffix, read_source
from layouts import import_ids as ids, import_page, text
import settings

page = Callbacks()

log = logging.getLogger(__name__)
# preview layer, map viewport, commit button disabled, plan store, context layer: after a refusal nothing can commit
NOTHING_PREVIEWED = ({"type": "FeatureCollection", "features": []}, no_update, True, None, no_update)


def _mapping(field_ids: list[dict], values: list) -> dict | None:
    chosen = {i["field"]: v for i, v in zip(field_ids or [], values or []) if v}
    return chosen or None


def _viewport(collection: dict) -> dict | object:
    import shapely

    shapes = [shapely.geometry.shape(f["geometry"]) for f in collection["features"] if f.get("geometry")]
    if not shapes:
        return no_update
    minx, miny, maxx, maxy = shapely.GeometryCollection(shapes).bounds
    return {"bounds": [[miny, minx], [maxy, maxx]], "transition": "fitBounds",
            "options": {"padding": [20, 20], "maxZoom": 18, "animate": False}}


def _refused_write(err: Exception) -> tuple:
    """The message, its look, the commit button and the summary after the importer or the database refused a write."""
    if isinstance(err, (ImportRefused, batches.UploadUsed)):
        return import_page.refusal_message(err.kind, err.params), "admin-message error", True, no_update
    log.warning("import refused by the database: %s", err.__class__.__name__)
    return text.IMPORT_DB_REFUSED, "admin-message error", True, no_update


def _context(session) -> dict:
    """Street and community outlines already stored, so the preview shows where the new features land."""
    streets = layers.get_layer(session, areas.ROOT, "drill")["features"]
    communities = [f for s in streets for f in layers.get_layer(session, areas.get_area(session, s["properties"]["code"]),
                                                                 "drill")["features"]]
    return {"type": "FeatureCollection", "features": streets + communities}


@page.callback(
    Output(ids.FILE_STORE, "data"), Output(ids.FILE_INFO, "children"), Output(ids.MESSAGE, "children"),
    Output(ids.MESSAGE, "className"), Output(ids.KIND, "value"),
    Input(ids.UPLOAD, "contents"), State(ids.UPLOAD, "filename"), State(ids.FILE_STORE, "data"),
    prevent_initial_call=True,
)
def receive_file(contents, filename, previous):
    if not contents:
        raise PreventUpdate
    uploads.discard((previous or {}).get("token"))
    token = None
    try:
        suffix = accepted_suffix(filename or "")
        token, path = uploads.keep(uploads.decode(contents, import_page.UPLOAD_LIMIT), suffix)
        source = read_source(path)
    except (ImportRefused, uploads.UploadError) as refused:
        uploads.discard(token)
        return (None, filename, import_page.refusal_message(refused.kind, refused.params), "admin-message error",
                no_update)
    first = next(iter(source.layers.values()))
    columns = [] if source.fmt == "osm" else [str(c) for c in first.columns if c not in ("geometry", "_row")]
    rows = sum(len(f) for f in source.layers.values())
    question = coords.crs_is_open(first, source.declared_crs, source.crs_explicit)
    declared = None if question else source.declared_crs  # WGS-84 by the format's default is no declaration
    info = import_page.file_info(filename, source.fmt, rows, source.encoding, declared)
    store = {"token": token, "name": filename, "columns": columns, "declared": declared,
             "osm": source.fmt == "osm", "crs_question": question}
    # an OpenStreetMap extract is most often a whole street: offer that first (any single layer stays a choice)
    return store, info, None, "admin-message", import_page.OSM_STREET if store["osm"] else no_update


@page.callback(
    Output(ids.MAPPING, "children"), Output(ids.CRS_HINT, "children"), Output(ids.STREET_ROW, "style"),
    Input(ids.FILE_STORE, "data"), Input(ids.KIND, "value"), Input(ids.CRS, "value"),
)
def show_options(store, kind, crs):
    street_style = {} if kind in ("communities", import_page.OSM_STREET) else {"display": "none"}
    if kind == import_page.OSM_STREET:
        return None, None, street_style  # an OSM extract maps itself by the tag table
    if not store:
        return None, None, street_style
    ask = import_page.crs_question(store.get("crs_question", False)) if not store["declared"] and not crs else None
    rows = import_page.mapping_rows(kind, store["columns"], guess_mapping(store["columns"], kind))
    return rows, ask, street_style


@page.callback(
    Output(ids.CRS_LAYER, "data"), Output(ids.CONTEXT_LAYER, "data", allow_duplicate=True),
    Output(ids.MAP, "viewport", allow_duplicate=True),
    Input(ids.FILE_STORE, "data"), Input(ids.CRS, "value"),
    prevent_initial_call=True,
)
def show_crs_readings(store, crs):
    """While a file's CRS is an open question, its shapes as WGS-84 and as GCJ-02 over the stored outlines."""
    path = uploads.kept((store or {}).get("token"))
    if path is None or not store.get("crs_question") or crs:
        return None, no_update, no_update
    try:
        collection = coords.readings(pick_layer(read_source(path), None))
    except ImportRefused:
        return None, no_update, no_update
    with session_scope() as session:
        context = _context(session)
    return collection, context, _viewport(collection)


@page.callback(
    Output(ids.SUMMARY, "children"), Output(ids.PROBLEMS, "children"), Output(ids.PREVIEW_LAYER, "data"),
    Output(ids.MAP, "viewport"), Output(ids.COMMIT, "disabled"), Output(ids.PLAN_STORE, "data"),
    Output(ids.CONTEXT_LAYER, "data"), Output(ids.MESSAGE, "children", allow_duplicate=True),
    Output(ids.MESSAGE, "className", allow_duplicate=True),
    Input(ids.PREVIEW, "n_clicks"),
    State(ids.FILE_STORE, "data"), State(ids.KIND, "value"), State(ids.CRS, "value"), State(ids.STREET, "value"),
    State(ids.STREET_NAME, "value"), State(ids.mapping_field(ALL), "id"), State(ids.mapping_field(ALL), "value"),
    running=[(Output(ids.PREVIEW, "disabled"), True, False), (Output(ids.PROGRESS, "children"),
                                                              text.IMPORT_READING, "")],
    prevent_initial_call=True,
)
def preview(_n, store, kind, crs, street, street_name, field_ids, values):
    path = uploads.kept((store or {}).get("token"))
    if path is None:
        return None, None, *NOTHING_PREVIEWED, text.IMPORT_NO_FILE, "admin-message error"
    if store.get("crs_question") and not crs:
        return None, None, *NOTHING_PREVIEWED, text.IMPORT_ERRORS["no_crs"], "admin-message error"
    options = {"token": store["token"], "kind": kind, "crs": crs or None, "mapping": _mapping(field_ids, values),
               "street": (street or "").strip() or None, "street_name": (street_name or "").strip() or None}
    if kind == import_page.OSM_STREET:
        return _preview_osm_street(path, store, options)
    try:
        with session_scope() as session:
            plan = import_file(session, path, kind, options["crs"], options["mapping"], True, options["street"],
                               options["street_name"])
    except ImportRefused as refused:
        return (None, None, *NOTHING_PREVIEWED,
                import_page.refusal_message(refused.kind, refused.params), "admin-message error")
    with session_scope() as session:
        context = _context(session)
    ready = plan.counts["written"] == 0
    options["expect"] = plan.counts["written"]  # the commit writes only if it would write as much as shown here
    return (import_page.summary(plan.counts, plan.notices), import_page.problem_list(plan.problems), plan.preview,
            _viewport(plan.preview), ready, options, context, None, "admin-message")


@page.callback(
    Output(ids.MESSAGE, "children", allow_duplicate=True), Output(ids.MESSAGE, "className", allow_duplicate=True),
    Output(ids.COMMIT, "disabled", allow_duplicate=True), Output(ids.SUMMARY, "children", allow_duplicate=True),
    Input(ids.COMMIT, "n_clicks"), State(ids.PLAN_STORE, "data"), State(ids.FILE_STORE, "data"),
    running=[(Output(ids.COMMIT, "disabled"), True, True), (Output(ids.PROGRESS, "children"),
                                                            text.IMPORT_WRITING, "")],
    prevent_initial_call=True,
)
def commit(_n, options, store):
    if not _is_admin():
        return text.IMPORT_ADMIN_ONLY, "admin-message error", True, no_update
    if not options or not store or options.get("token") != store.get("token"):
        return text.IMPORT_PREVIEW_FIRST, "admin-message error", True, no_update
    path = uploads.kept(options["token"])
    if path is None:
        return text.IMPORT_NO_FILE, "admin-message error", True, no_update
    if options["kind"] == import_page.OSM_STREET:
        return _commit_osm_street(path, store, options)
    try:
        account = current_account()
        user = account.username if account else None
        with session_scope() as session:
            # first in the transaction: a second commit of this upload waits here and is then refused
            batches.consume_upload(session, options["token"], options["kind"], user, settings.now())
            plan = import_file(session, path, options["kind"], options["crs"], options["mapping"], False,
                               options["street"], options["street_name"], user=user, file_name=store.get("name"))
            as_previewed(options.get("expect"), plan.counts["written"])
    except (ImportRefused, IntegrityError, DataError, batches.UploadUsed) as err:
        return _refused_write(err)
    uploads.discard(options["token"])
    done = text.IMPORT_DONE.format(**plan.counts)
    if plan.counts.get("reattached"):
        done += text.IMPORT_REATTACHED.format(n=plan.counts["reattached"])
    return done, "admin-message", True, import_page.summary(plan.counts, plan.notices)


@page.callback(
    Output(ids.DOWNLOAD, "data"),
    Input(ids.EXPORT, "n_clicks"), State(ids.EXPORT_LAYER, "value"), State(ids.EXPORT_FORMAT, "value"),
    prevent_initial_call=True,
)
def export(_n, layer, fmt):
    if layer not in exporting.EXPORT_LAYERS or fmt not in exporting.FORMATS:
        raise PreventUpdate
    with session_scope() as session:
        frame = exporting.layer_frame(session, layer)
    with tempfile.TemporaryDirectory() as tmp:
        path = exporting.write_layer(frame, Path(tmp) / f"{layer}{exporting.FORMATS[fmt][1]}", fmt, layer)
        return dcc.send_bytes(path.read_bytes(), f"{layer}{exporting.FORMATS[fmt][1]}")




# --- issue 12: a whole street from an OpenStreetMap extract (the page's `import-osm`) ---

def _osm_street(path: Path, options: dict, dry_run: bool, origin=None, token=None, expect=None):
    if options.get("street") is None:
        raise ImportRefused("bad_street", "a whole street needs its 9-digit code", code="")
    return run_import_osm(path, options["street"], options["street_name"], osm.load_rules(), dry_run, origin=origin,
                          token=token, expect=expect)


def _osm_preview(result) -> dict:
    features = [f for plan in result.plans.values() for f in plan.preview["features"]]
    return {"type": "FeatureCollection", "features": features[:PREVIEW_FEATURES]}


def _preview_osm_street(path: Path, store: dict, options: dict):
    if not store.get("osm"):
        return None, None, *NOTHING_PREVIEWED, text.IMPORT_OSM_ONLY, "admin-message error"
    try:
        result = _osm_street(path, options, dry_run=True)
    except ImportRefused as refused:
        return (None, None, *NOTHING_PREVIEWED,
                import_page.refusal_message(refused.kind, refused.params), "admin-message error")
    problems = [{**p, "row": p.get("row")} for plan in result.plans.values() for p in plan.problems]
    with session_scope() as session:
        context = _context(session)
    collection = _osm_preview(result)
    options["expect"] = result.changed
    return (import_page.osm_summary(result), import_page.problem_list(problems), collection, _viewport(collection),
            result.changed == 0, options, context, None, "admin-message")


def _commit_osm_street(path: Path, store: dict, options: dict):
    account = current_account()
    try:
        result = _osm_street(path, options, dry_run=False,
                             origin=batches.Origin(store.get("name"), account.username if account else None),
                             token=options["token"], expect=options.get("expect"))
    except (ImportRefused, IntegrityError, DataError, batches.UploadUsed) as err:
        return _refused_write(err)
    uploads.discard(options["token"])
    if result.changed == 0:
        return text.IMPORT_OSM_NOTHING, "admin-message", True, import_page.osm_summary(result)
    new = sum(p.counts["new"] for p in result.plans.values())
    updated = sum(p.counts["updated"] for p in result.plans.values())
    done = text.IMPORT_OSM_DONE.format(new=new, updated=updated, batch=result.batch_id)
    return done, "admin-message", True, import_page.osm_summary(result)


# --- issue 12: the guided setup of a street (checklist, drawn boundaries) and undoing import batches ---

def _is_admin() -> bool:
    # the request boundary (api/auth.py) keeps everyone but admins off /admin/; this is the second lock on a write
    return current_viewer().may_administer


def _street_view(session, street: str | None) -> dict:
    """The chosen street and its communities, to draw against."""
    if not street:
        return {"type": "FeatureCollection", "features": []}
    streets = [f for f in layers.get_layer(session, areas.ROOT, "drill")["features"] if f["properties"]["code"] == street]
    area = areas.get_area(session, street)
    communities = layers.get_layer(session, area, "drill")["features"] if area else []
    return {"type": "FeatureCollection", "features": streets + communities}


@page.callback(
    Output(ids.SETUP_STREET, "options"), Output(ids.SETUP_STREET, "value"),
    Input(ids.SETUP_REFRESH, "data"), Input(ids.MESSAGE, "children"), State(ids.SETUP_STREET, "value"),
)
def list_streets(refresh, _message, chosen):
    with session_scope() as session:
        streets = street_setup.list_streets(session)
    codes = [s["code"] for s in streets]
    wanted = (refresh or {}).get("street") if isinstance(refresh, dict) else None
    value = wanted if wanted in codes else chosen if chosen in codes else (codes[0] if codes else None)
    return [{"label": text.SETUP_STREET_OPTION.format(**s), "value": s["code"]} for s in streets], value


@page.callback(
    Output(ids.SETUP_CHECKLIST, "children"), Output(ids.SETUP_NEXT, "children"),
    Output(ids.SETUP_WARNINGS, "children"), Output(ids.DRAW_CONTEXT, "data"), Output(ids.DRAW_MAP, "viewport"),
    Output(ids.DRAW_COMMUNITY, "options"),
    Input(ids.SETUP_STREET, "value"), Input(ids.SETUP_REFRESH, "data"), Input(ids.MESSAGE, "children"),
)
def show_checklist(street, _refresh, _message):
    with session_scope() as session:
        state = street_setup.street_checklist(session, street) if street else None
        view = _street_view(session, street)
    communities = [{"label": text.SETUP_STREET_OPTION.format(**f["properties"]), "value": f["properties"]["code"]}
                   for f in view["features"] if f["properties"].get("level") == "community"]
    return (*import_page.checklist(state), view, _viewport(view), communities)


# in the browser: the drawn shapes are Leaflet layers the server never sees
page.clientside(ClientsideFunction("jinlinSetup", "clearDrawn"), Output(ids.DRAW_MESSAGE, "title"),
                Input(ids.DRAW_CONTROL, "geojson"), prevent_initial_call=True)


@page.callback(Output(ids.DRAW_STATUS, "children"), Input(ids.DRAW_CONTROL, "geojson"), prevent_initial_call=True)
def describe_drawn(drawn):
    if not (drawn or {}).get("features"):
        return None
    try:
        shape = drawn_polygon(drawn)
    except ImportRefused as refused:
        return import_page.drawn_refusal(refused.kind, refused.params)
    return text.SETUP_DRAW_STATUS.format(km2=area_km2(shape))


@page.callback(
    Output(ids.DRAW_CODE, "style"), Output(ids.DRAW_NAME, "style"), Output(ids.DRAW_COMMUNITY, "style"),
    Input(ids.DRAW_TARGET, "value"),
)
def draw_fields(target):
    return import_page.draw_fields(target)


@page.callback(
    Output(ids.DRAW_MESSAGE, "children"), Output(ids.DRAW_MESSAGE, "className"),
    Output(ids.SETUP_REFRESH, "data"), Output(ids.DRAW_CONTROL, "geojson"),
    Input(ids.DRAW_SAVE, "n_clicks"),
    State(ids.DRAW_CONTROL, "geojson"), State(ids.DRAW_TARGET, "value"), State(ids.SETUP_STREET, "value"),
    State(ids.DRAW_CODE, "value"), State(ids.DRAW_NAME, "value"), State(ids.DRAW_COMMUNITY, "value"),
    State(ids.SETUP_REFRESH, "data"),
    prevent_initial_call=True,
)
def save_drawn(_n, drawn, target, street, code, name, community, refresh):
    if not _is_admin():
        return text.SETUP_DRAW_ADMIN_ONLY, "admin-message error", no_update, no_update
    account = current_account()
    try:
        with session_scope() as session:
            saved = street_setup.save_boundary(session, drawn, target, street,
                                             community if target == "community" else code, name,
                                             account.username, settings.now())
    except ImportRefused as refused:
        return import_page.drawn_refusal(refused.kind, refused.params), "admin-message error", no_update, \
            no_update
    focus = codes.street_of(saved["code"])
    shown = name or saved["code"]
    count = (refresh or {}).get("n", 0) if isinstance(refresh, dict) else 0
    return (text.SETUP_DRAW_SAVED.format(name=shown, code=saved["code"]), "admin-message",
            {"n": count + 1, "street": focus}, {"type": "FeatureCollection", "features": []})


@page.callback(
    Output(ids.BATCHES, "children"),
    Input(ids.SETUP_REFRESH, "data"), Input(ids.MESSAGE, "children"),
)
def list_batches(_refresh, _message):
    with session_scope() as session:
        return import_page.batch_table(batches.list_batches(session))


@page.callback(
    Output(ids.BATCH_CHOSEN, "data"), Output(ids.BATCH_CONFIRM, "message"),
    Output(ids.BATCH_CONFIRM, "displayed"),
    Input(ids.batch_undo(ALL), "n_clicks"),
    prevent_initial_call=True,
)
def ask_to_undo(clicks):
    chosen = ctx.triggered_id
    if not isinstance(chosen, dict) or not any(clicks or []):
        raise PreventUpdate  # the buttons were drawn, not clicked
    with session_scope() as session:
        found = [b for b in batches.list_batches(session) if b["id"] == chosen["batch"]]
    if not found:
        raise PreventUpdate
    return found[0]["id"], import_page.batch_confirmation(found[0]), True


@page.callback(
    Output(ids.BATCH_MESSAGE, "children"), Output(ids.BATCH_MESSAGE, "className"),
    Output(ids.SETUP_REFRESH, "data", allow_duplicate=True),
    Input(ids.BATCH_CONFIRM, "submit_n_clicks"), State(ids.BATCH_CHOSEN, "data"), State(ids.SETUP_REFRESH, "data"),
    prevent_initial_call=True,
)
def undo(_n, batch_id, refresh):
    if not _is_admin():
        return text.SETUP_DRAW_ADMIN_ONLY, "admin-message error", no_update
    if batch_id is None:
        raise PreventUpdate
    try:
        with session_scope() as session:
            done = batches.rollback_batch(session, int(batch_id), current_account().username, settings.now())
    except ImportRefused as refused:
        return import_page.rollback_refusal(refused.kind, refused.params), "admin-message error", no_update
    count = (refresh or {}).get("n", 0) if isinstance(refresh, dict) else 0
    return text.BATCHES_DONE.format(**done), "admin-message", {"n": count + 1, "street": None}


def register(app: Dash) -> None:
    uploads.sweep()  # at start: files previewed and left a day ago or more
    page.register(app)
