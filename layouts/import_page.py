"""The admin import page: file → layer, CRS and columns → preview (counts, problems, map) → commit; exports."""
from __future__ import annotations

import json

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geodata.importing.mapping import FIELDS
from workflow.vocab import POST_TYPES, SERVICE_TYPES
from layouts import import_ids as ids, text
from layouts.chrome import TopBar, outage_parts, staff_topbar
from layouts.tiles import tile_layers

ns = Namespace("jinlinImport", "map")
PROBLEMS_SHOWN = 50
UPLOAD_LIMIT = 50 * 1024 * 1024  # through the browser; bigger files go in with the CLI
DEFAULT_CENTER = [27.77, 120.63]
OSM_STREET = "osm-street"  # the page's choice for `import-osm`: a whole street from one OpenStreetMap extract


def _options(labels: dict) -> list[dict]:
    return [{"label": v, "value": k} for k, v in labels.items()]


def build_page(bar: TopBar, tile_provider: str = "none", tianditu_key: str = "") -> html.Div:
    return html.Div(className="page admin import", children=[
        dcc.Location(id=ids.URL),
        *outage_parts(ids),
        dcc.Store(id=ids.FILE_STORE),
        dcc.Store(id=ids.PLAN_STORE),
        dcc.Download(id=ids.DOWNLOAD),
        staff_topbar(bar),
        html.Main(className="import-main", children=[
            setup_section(tile_provider, tianditu_key),
            html.Section(className="admin-card import-steps", children=[
                html.H2(text.IMPORT_STEP_FILE),
                # dcc.Upload's max_size drops a big file without a word (plotly/dash#2638): assets/import/import.js
                # checks the size first and says so, with the message and limit carried here
                html.Div(id=ids.UPLOAD_BOX, **{"data-limit": str(UPLOAD_LIMIT),
                                               "data-message": text.IMPORT_ERRORS["too_large_client"].format(
                                                   limit_mb=UPLOAD_LIMIT // 2**20)},
                         children=dcc.Upload(id=ids.UPLOAD, className="import-drop", max_size=UPLOAD_LIMIT,
                                             multiple=False, children=html.Div(text.IMPORT_DROP))),
                html.P(text.IMPORT_FORMATS.format(limit=UPLOAD_LIMIT // 2**20), className="import-hint"),
                html.Div(id=ids.FILE_INFO, className="import-file-info", role="status"),
                html.H2(text.IMPORT_STEP_OPTIONS),
                html.Div(className="admin-form", children=[
                    html.Label(text.IMPORT_KIND, className="import-label"),
                    dcc.Dropdown(id=ids.KIND, options=_options({**text.IMPORT_KINDS,
                                                                OSM_STREET: text.IMPORT_KIND_OSM_STREET}),
                                 value="grids", clearable=False, className="dropdown"),
                    html.Label(text.IMPORT_CRS, className="import-label"),
                    dcc.Dropdown(id=ids.CRS, options=_options(text.IMPORT_CRS_OPTIONS), value="", clearable=False,
                                 className="dropdown wide"),
                ]),
                html.Div(id=ids.CRS_HINT, className="import-ask", role="alert"),
                html.Div(id=ids.STREET_ROW, className="admin-form", style={"display": "none"}, children=[
                    dcc.Input(id=ids.STREET, placeholder=text.IMPORT_STREET, className="input wide"),
                    dcc.Input(id=ids.STREET_NAME, placeholder=text.IMPORT_STREET_NAME, className="input"),
                ]),
                html.H2(text.IMPORT_STEP_MAPPING),
                html.Div(id=ids.MAPPING, className="import-mapping"),
                html.Div(className="admin-row", children=[
                    html.Button(text.IMPORT_PREVIEW, id=ids.PREVIEW, className="btn"),
                    html.Button(text.IMPORT_COMMIT, id=ids.COMMIT, className="btn primary", disabled=True),
                    html.Span(id=ids.PROGRESS, className="import-progress", role="status"),
                ]),
                html.Div(id=ids.MESSAGE, className="admin-message", role="status"),
            ]),
            html.Section(className="admin-card import-result", children=[
                html.H2(text.IMPORT_STEP_PREVIEW),
                html.Div(id=ids.SUMMARY, className="import-summary"),
                html.Div(className="import-legend", children=[
                    html.Span(label, className=f"legend-{key}") for key, label in text.IMPORT_LEGEND]),
                dl.Map(id=ids.MAP, center=DEFAULT_CENTER, zoom=13, className="import-map", preferCanvas=True,
                       children=[dl.GeoJSON(id=ids.CONTEXT_LAYER, data=None, style=ns("context"),
                                            onEachFeature=ns("quiet")),
                                 dl.GeoJSON(id=ids.CRS_LAYER, data=None, style=ns("style"), pointToLayer=ns("point"),
                                            onEachFeature=ns("quiet")),
                                 dl.GeoJSON(id=ids.PREVIEW_LAYER, data=None, style=ns("style"),
                                            pointToLayer=ns("point"))]),
                html.Div(id=ids.PROBLEMS, className="import-problems"),
                html.H2(text.IMPORT_STEP_EXPORT),
                html.Div(className="admin-form", children=[
                    dcc.Dropdown(id=ids.EXPORT_LAYER, options=_options(text.IMPORT_EXPORT_LAYERS), value="grids",
                                 clearable=False, className="dropdown"),
                    dcc.Dropdown(id=ids.EXPORT_FORMAT, value="geojson", clearable=False, className="dropdown",
                                 options=[{"label": "GeoJSON", "value": "geojson"},
                                          {"label": "GeoPackage", "value": "gpkg"},
                                          {"label": "Excel", "value": "xlsx"}]),
                    html.Button(text.IMPORT_EXPORT, id=ids.EXPORT, className="btn"),
                ]),
            ]),
            batches_section(),
        ]),
    ])


def mapping_rows(kind: str, columns: list[str], guessed: dict) -> list:
    """One labelled dropdown per field of `kind`; the type fields also offer our vocabulary as fixed values."""
    if not columns:
        return [html.P(text.IMPORT_MAPPING_OSM, className="import-hint")]
    rows = [html.P(text.IMPORT_MAPPING_HINT, className="import-hint")]
    for field in FIELDS[kind]:
        options = [{"label": text.IMPORT_MAPPING_NONE, "value": ""}] + [{"label": c, "value": c} for c in columns]
        vocabulary = SERVICE_TYPES if field == "service_type" else POST_TYPES if field == "post_type" else ()
        options += [{"label": text.IMPORT_CONSTANT.format(value=v), "value": f"={v}"} for v in vocabulary]
        rows.append(html.Div(className="import-map-row", children=[
            html.Label(text.IMPORT_FIELDS.get(field, field), className="import-label"),
            dcc.Dropdown(id=ids.mapping_field(field), options=options, value=guessed.get(field, ""),
                         clearable=False, className="dropdown wide"),
        ]))
    return rows


def refusal_message(kind: str, params: dict) -> str:
    template = text.IMPORT_ERRORS.get(kind)
    if template is None:
        return text.IMPORT_ERROR_GENERIC
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return text.IMPORT_ERROR_GENERIC


def file_info(name: str, fmt: str, rows: int, encoding: str | None, declared: str | None) -> str:
    return text.IMPORT_FILE_INFO.format(
        name=name, fmt=fmt, rows=rows, encoding=text.IMPORT_FILE_ENCODING.format(encoding=encoding) if encoding else "",
        crs=text.IMPORT_FILE_CRS.format(crs=declared) if declared else text.IMPORT_FILE_NO_CRS)


def osm_summary(result) -> list:
    """What a whole-street import from OpenStreetMap does (or did), layer by layer, and what the extract lacked."""
    source = result.street_from
    head = text.IMPORT_OSM_FROM.get(source) or text.IMPORT_OSM_FROM_BOUNDARY.format(source=source)
    lines = [html.P(head)]
    lines += [html.P(text.IMPORT_OSM_STEP_LINE.format(step=text.IMPORT_OSM_STEPS[step], **plan.counts))
              for step, plan in result.plans.items()]
    cut = sum(1 for p in result.problems if p["reason"] == "clipped")
    kept = sum(1 for p in result.problems if p["reason"] == "clipped_repaired")
    if cut or kept:
        lines.append(html.P(text.IMPORT_OSM_CUT.format(kept=kept, cut=cut), className="import-notice"))
    return lines


def summary(counts: dict, notices: list[dict] = ()) -> list:
    return [text.IMPORT_SUMMARY.format(**counts),
            *[html.P(line, className="import-notice") for line in notice_lines(notices)]]


def notice_lines(notices: list[dict]) -> list[str]:
    """What the importer decided on its own (an id column it did not use, a CRS it assumed), in words."""
    return [text.IMPORT_NOTICES[n["kind"]].format(**n) for n in notices if n["kind"] in text.IMPORT_NOTICES]


def crs_question(china: bool) -> list:
    """The request to choose a CRS; for a file in China read as WGS-84 by default, with the two readings' legend."""
    if not china:
        return [text.IMPORT_CRS_ASK]
    return [html.Span(text.IMPORT_CRS_ASK_CHINA), html.Span(className="import-legend import-readings", children=[
        html.Span(label, className=f"legend-{key}") for key, label in text.IMPORT_CRS_READINGS])]


def problem_list(problems: list[dict]) -> list:
    """The problems a person must look at (repairs are counted in the summary), each with its row or feature id."""
    shown = [p for p in problems if p["reason"] != "repaired"]
    if not shown:
        return [html.P(text.IMPORT_NO_PROBLEMS, className="import-hint")]
    items = []
    for p in shown[:PROBLEMS_SHOWN]:
        where = text.IMPORT_ROW.format(row=p["row"]) if p["row"] is not None else text.IMPORT_FEATURE.format(id=p["id"])
        reason = text.IMPORT_REASONS.get(p["reason"], p["reason"])
        items.append(html.Li(f"{where}：{reason}" + (f"（{p['detail']}）" if p["detail"] else "")))
    return [html.H3(text.IMPORT_PROBLEMS.format(shown=min(len(shown), PROBLEMS_SHOWN), total=len(shown))),
            html.Ul(items)]


# --- issue 12: the guided setup of a street, and the list of import batches with their 撤销 ---

def setup_section(tile_provider: str = "none", tianditu_key: str = "") -> html.Section:
    """A street's checklist, next step and warnings beside a map to draw or correct a boundary on.

    Background tiles help where nothing is stored yet; 高德's are left out, since what is drawn on them is GCJ-02.
    """
    tiles = tile_layers(tile_provider, tianditu_key) if tile_provider in ("osm", "tianditu") else []
    words = json.dumps(text.SETUP_DRAW_LOCAL, ensure_ascii=False)  # Leaflet.draw's own words (assets/import/setup.js)
    return html.Section(className="admin-card wide import-setup", children=[
        dcc.Store(id=ids.SETUP_REFRESH, data={"n": 0, "street": None}),
        html.H2(text.SETUP_TITLE),
        html.Div(className="setup-columns", children=[
            html.Div(className="setup-status", children=[
                html.Div(className="admin-form", children=[
                    html.Label(text.SETUP_STREET, className="import-label"),
                    dcc.Dropdown(id=ids.SETUP_STREET, options=[], clearable=False, className="dropdown wide",
                                 placeholder=text.SETUP_NO_STREETS),
                ]),
                html.Div(id=ids.SETUP_CHECKLIST, className="setup-checklist"),
                html.Div(id=ids.SETUP_NEXT, className="setup-next", role="status"),
                html.Div(id=ids.SETUP_WARNINGS, className="setup-warnings"),
            ]),
            html.Div(className="setup-draw", **{"data-draw-local": words}, children=[
                html.H3(text.SETUP_DRAW_TITLE),
                html.P(text.SETUP_DRAW_HINT, className="import-hint"),
                dl.Map(id=ids.DRAW_MAP, center=DEFAULT_CENTER, zoom=13, className="import-map setup-map", children=[
                    *tiles,
                    dl.GeoJSON(id=ids.DRAW_CONTEXT, data=None, style=ns("context"), onEachFeature=ns("quiet")),
                    dl.FeatureGroup(id=ids.DRAW_GROUP, children=[
                        dl.EditControl(id=ids.DRAW_CONTROL, position="topleft",
                                       draw={"polygon": {"allowIntersection": False, "showArea": False},
                                             "polyline": False, "rectangle": False, "circle": False,
                                             "marker": False, "circlemarker": False},
                                       edit={"edit": True, "remove": True}),
                    ]),
                ]),
                html.Div(id=ids.DRAW_STATUS, className="import-hint", role="status"),
                html.Div(className="admin-form", children=[
                    html.Label(text.SETUP_DRAW_AS, className="import-label"),
                    dcc.Dropdown(id=ids.DRAW_TARGET, options=_options(text.SETUP_DRAW_TARGETS), value="new_street",
                                 clearable=False, className="dropdown wide"),
                    dcc.Input(id=ids.DRAW_CODE, placeholder=text.SETUP_DRAW_CODE, className="input", maxLength=9),
                    dcc.Input(id=ids.DRAW_NAME, placeholder=text.SETUP_DRAW_NAME, className="input", maxLength=100),
                    dcc.Dropdown(id=ids.DRAW_COMMUNITY, options=[], placeholder=text.SETUP_DRAW_COMMUNITY,
                                 className="dropdown wide", style={"display": "none"}),
                    html.Button(text.SETUP_DRAW_SAVE, id=ids.DRAW_SAVE, className="btn primary"),
                ]),
                html.Div(id=ids.DRAW_MESSAGE, className="admin-message", role="status"),
            ]),
        ]),
    ])


def draw_fields(target: str) -> tuple[dict, dict, dict]:
    """Which of code, name and community the chosen way of saving needs (styles of the three inputs)."""
    shown, hidden = {}, {"display": "none"}
    return (shown if target == "new_street" else hidden,
            shown if target in ("new_street", "new_community") else hidden,
            shown if target == "community" else hidden)


def checklist(state: dict | None) -> tuple[list, list, list]:
    """The checklist, the next step and the warnings of one street (state: db.street_setup.street_checklist)."""
    if state is None:
        return [html.P(text.SETUP_NO_STREET, className="setup-empty")], \
            _next_step("boundary"), []
    items = []
    for key, label in text.SETUP_ITEMS.items():
        n = state["counts"][key]
        items.append(html.Li(className=f"setup-item {'has' if n else 'lacks'}", **{"data-kind": key}, children=[
            html.Span(text.SETUP_HAS if n else text.SETUP_LACKS, className="setup-mark"),
            html.Span(label, className="setup-label"),
            html.Span(text.SETUP_COUNT.format(n=n), className="setup-count"),
        ]))
    warnings = []
    for w in state["warnings"]:
        params = {k: (text.SETUP_NAME_SEP.join(v) if isinstance(v, list) else v) for k, v in w.items() if k != "kind"}
        warnings.append(html.Li(text.SETUP_WARNINGS[w["kind"]].format(**params)))
    shown_warnings = [html.H3(text.SETUP_WARNINGS_TITLE), html.Ul(warnings)] if warnings else []
    return [html.Ul(items, className="setup-list")], _next_step(state["next"]), shown_warnings


def _next_step(step: str | None) -> list:
    if step is None:
        return [html.Strong(text.SETUP_DONE)]
    parts = [html.Strong(text.SETUP_NEXT), html.Span(text.SETUP_STEPS[step])]
    if step in text.SETUP_COMMANDS:
        parts.append(html.Code(text.SETUP_COMMAND.format(command=text.SETUP_COMMANDS[step]), className="setup-cmd"))
    return parts


def batches_section() -> html.Section:
    return html.Section(className="admin-card wide import-batches", children=[
        html.H2(text.BATCHES_TITLE),
        dcc.Store(id=ids.BATCH_CHOSEN),
        dcc.ConfirmDialog(id=ids.BATCH_CONFIRM, message=""),
        html.Div(id=ids.BATCH_MESSAGE, className="admin-message", role="status"),
        html.Div(id=ids.BATCHES, className="import-batch-list"),
    ])


def batch_table(rows: list[dict]) -> list:
    """The batches, newest first; a 撤销 button on each one still applied."""
    if not rows:
        return [html.P(text.BATCHES_EMPTY, className="import-hint")]
    body = []
    for b in rows:
        counts = b["counts"]
        changed = text.BATCHES_COUNTS.format(new=counts.get("new", 0), updated=counts.get("updated", 0))
        if counts.get("deleted"):
            changed += text.BATCHES_DELETED.format(deleted=counts["deleted"])
        applied = b["status"] == "applied"
        status = text.BATCHES_APPLIED if applied else text.BATCHES_ROLLED_BACK.format(
            at=f"{b['rolled_back_at']:%Y-%m-%d %H:%M}", by=b["rolled_back_by"] or "-")
        action = html.Button(text.BATCHES_UNDO, id=ids.batch_undo(b["id"]), className="btn") if applied else None
        body.append(html.Tr(className="applied" if applied else "rolled-back", children=[
            html.Td(str(b["id"])), html.Td(f"{b['created_at']:%Y-%m-%d %H:%M}"),
            html.Td(text.BATCHES_KINDS.get(b["kind"], b["kind"])), html.Td(b["file_name"] or "—"),
            html.Td(changed), html.Td(b["created_by"] or "—"), html.Td(status), html.Td(action)]))
    head = html.Thead(html.Tr([html.Th(c) for c in text.BATCHES_COLUMNS]))
    return [html.Table(className="import-batch-table", children=[head, html.Tbody(body)])]


def batch_confirmation(b: dict) -> str:
    return text.BATCHES_CONFIRM.format(id=b["id"], kind=text.BATCHES_KINDS.get(b["kind"], b["kind"]),
                                       file=b["file_name"] or "—")


def rollback_refusal(kind: str, params: dict) -> str:
    """A refused undo in words; `in_use` names what depends on the batch's rows."""
    if kind == "in_use":
        what = "；".join(text.BATCHES_DEPENDS[k].format(count=d["count"], examples="、".join(d["examples"]))
                        for k, d in params["depends"].items())
        return text.BATCHES_ERRORS["in_use"].format(batch=params["batch"], what=what)
    return text.BATCHES_ERRORS.get(kind, text.IMPORT_ERROR_GENERIC).format(**params)


def drawn_refusal(kind: str, params: dict) -> str:
    template = text.SETUP_DRAW_ERRORS.get(kind, text.IMPORT_ERROR_GENERIC)
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return text.IMPORT_ERROR_GENERIC
