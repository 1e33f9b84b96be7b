"""JSON endpoints of DESIGN §4 (/healthz and /api/areas), and each page's bare path redirecting to the page."""
from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, Response, jsonify, redirect, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from callbacks.viewer import current_viewer
from db import cache, cases, coverage, dashboard, layers, public
from db.areas import ROOT, get_area, list_streets
from db.engine import backend_name, session_scope
from geodata import payload
from workflow.vocab import SERVICE_TYPES
from layouts import text
import settings

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)


def _error(status: int, error: str, **extra):
    return jsonify({"error": error, **extra}), status


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
def database_unavailable(err):
    # A restart or failover of the database: say so plainly; the pool reconnects on the next request.
    log.warning("database unavailable: %s", err.__class__.__name__)
    return _error(503, "database unavailable", message=text.API_DB_UNAVAILABLE)


@bp.get("/healthz")
def healthz():
    try:
        with session_scope() as session:
            version = cache.data_version(session)
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "backend": backend_name()}), 503
    return jsonify({"status": "ok", "backend": backend_name(), "data_version": version})


@bp.get("/api/public/service-points.geojson")
def public_service_points():
    """Every public service point as GeoJSON, for the residents' map and anyone embedding it."""
    with session_scope() as session:
        points = public.list_public_points(session)
        version = cache.data_version(session, cache.POINTS)
    etag = f'"sp-{version}"'
    if request.if_none_match.contains(etag.strip('"')):
        return "", 304
    fields = ("code", "type", "name", "address", "hours", "phone", "capacity")
    body = payload.point_collection([p["lon"] for p in points], [p["lat"] for p in points],
                                    [{k: p[k] for k in fields} for p in points])
    response = jsonify(body)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.mimetype = "application/geo+json"
    return response


@bp.get("/api/public/basemap.geojson")
def public_basemap():
    """Our own roads, parks and schools: the offline base map behind the residents' points."""
    with session_scope() as session:
        collection = layers.get_layer(session, ROOT, "basemap_all")
    response = jsonify(collection)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.mimetype = "application/geo+json"
    return response


@bp.get("/api/areas")
def areas():
    with session_scope() as session:
        return jsonify({"areas": [{k: s[k] for k in ("code", "name", "level")} for s in list_streets(session)]})


@bp.get("/api/areas/<code>")
def area(code: str):
    with session_scope() as session:
        found = get_area(session, code)
        if found is None:
            return _error(404, "area not found", code=code)
        summary = dashboard.area_summary(session, found, settings.now(), current_viewer())
        children = layers.drill_children(session, found)
    return jsonify({
        "code": found["code"], "level": found["level"], "name": found["name"], "parent": found["parent_code"],
        "bounds": found["bounds"], "estimated": found["estimated"],
        "summary": {**summary["people"], "open_cases": summary["open_cases"],
                    "cases_by_status": summary["cases_by_status"], "cases_by_light": summary["cases_by_light"],
                    "service_points_by_type": summary["service_points_by_type"], "posts": summary["posts"]},
        "children": children,
    })


@bp.get("/api/areas/<code>/coverage")
def area_coverage(code: str):
    service_type = request.args.get("type", "").strip()
    if service_type not in SERVICE_TYPES:
        return _error(400, "unknown service type", type=service_type, known=list(SERVICE_TYPES))
    with session_scope() as session:
        found = get_area(session, code)
        result = coverage.area_coverage(session, found, service_type) if found else None
    if result is None:
        return _error(404, "area not found", code=code)
    return jsonify(result)


@bp.get("/api/cases/<code>/photos/<int:photo_id>")
def case_photo(code: str, photo_id: int):
    """A case photo, for staff who may read the case (the login boundary in api/auth.py keeps the public out)."""
    with session_scope() as session:
        try:
            data, content_type = cases.get_photo(session, code, photo_id, current_viewer())
        except cases.NotFound:
            return _error(404, "not found")
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def redirect_bare_paths(server, pages) -> None:
    """/cases goes to /cases/ (the query kept), for every page: a page's app answers only under its slash."""
    for page in pages:
        if page.bare != page.path:
            server.add_url_rule(page.bare, f"bare:{page.path}", partial(_to_page, page.path))


def _to_page(path: str):
    query = request.query_string.decode()
    return redirect(path + (f"?{query}" if query else ""))
