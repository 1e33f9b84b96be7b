"""The admin import page: file → layer, CRS and columns → preview (counts, problems, map) → commit; exports."""
from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from geodata.importing.mapping import FIELDS
from geodata.vocab import POST_TYPES, SERVICE_TYPES
from layouts import import_ids as ids, text
from layouts.chrome import outage_parts, staff_topbar

ns = Namespace("jinlinImport", "map")
PROBLEMS_SHOWN = 50
UPLOAD_LIMIT = 50 * 1024 * 1024  # through the browser; bigger files go in with the CLI
DEFAULT_CENTER = [27.77, 120.63]


def _options(labels: dict) -> list[dict]:
    return [{"label": v, "value": k} for k, v in labels.items()]


def build_page() -> html.Div:
    return html.Div(className="page admin import", children=[
        dcc.Location(id=ids.URL),
        *outage_parts(ids),
        dcc.Store(id=ids.FILE_STORE),
        dcc.Store(id=ids.PLAN_STORE),
        dcc.Download(id=ids.DOWNLOAD),
        staff_topbar(text.IMPORT_TITLE, [(text.ADMIN_BACK, "/", False), (text.IMPORT_BACK_ADMIN, "/admin/", False),
                                         (text.IMPORT_NAV, "/admin/import/", True)]),
        html.Main(className="import-main", children=[
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
                    dcc.Dropdown(id=ids.KIND, options=_options(text.IMPORT_KINDS), value="grids", clearable=False,
                                 className="dropdown"),
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
