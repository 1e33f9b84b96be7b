"""Open311 GeoReport v2 under /open311/v2/, so the 12345 hotline and other systems can exchange cases.

Every call needs an api_key (OPEN311_API_KEYS): case descriptions are residents' words, not public data.
Field names and formats follow the GeoReport v2 spec; times are ISO 8601 in China Standard Time.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from db import cases, models as m
from db.access import SYSTEM
from db.engine import session_scope
from workflow.vocab import CATEGORY_DEPARTMENT, SERVICE_CODES
from workflow import lifecycle as lc

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
CST = dt.timezone(dt.timedelta(hours=8))
CATEGORY_OF = {code: category for category, code in SERVICE_CODES.items()}
MAX_RESULTS = 1000


def _errors(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


def _iso(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=CST).isoformat() if value else None


def _parse_time(text: str | None) -> dt.datetime | None:
    """An ISO 8601 time from a query, as naive China Standard Time (how the database stores it)."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(CST).replace(tzinfo=None) if value.tzinfo else value


def check_key():
    """The system calling, from its api_key; None when the key is missing or unknown."""
    key = request.args.get("api_key") or request.form.get("api_key") or request.headers.get("X-Api-Key")
    return current_app.config.get("OPEN311_KEYS", {}).get(key or "")


@bp.before_request
def _require_key():
    if check_key() is None:
        return _errors(401, "api_key missing or not valid")
    return None


@bp.get("/services.json")
def services():
    return jsonify([{"service_code": code, "service_name": category, "description": f"{category}类诉求",
                     "metadata": False, "type": "realtime", "keywords": category,
                     "group": CATEGORY_DEPARTMENT.get(category, "")} for category, code in SERVICE_CODES.items()])


def _request_json(case: m.Case) -> dict:
    return {
        "service_request_id": case.code, "status": "open" if case.status in lc.OPEN else "closed",
        "status_notes": case.status, "service_name": case.category, "service_code": SERVICE_CODES.get(case.category),
        "description": case.description, "agency_responsible": case.assignee or "", "service_notice": "",
        "requested_datetime": _iso(case.created_at), "updated_datetime": _iso(case.resolved_at or case.accepted_at
                                                                             or case.created_at),
        "expected_datetime": _iso(case.deadline), "address": "", "address_id": case.building_code or "",
        "zipcode": "", "lat": case.lat, "long": case.lon, "media_url": "",
    }


@bp.get("/requests.json")
def list_requests():
    try:
        start = _parse_time(request.args.get("start_date"))
        end = _parse_time(request.args.get("end_date"))
    except ValueError:
        return _errors(400, "start_date and end_date must be ISO 8601 times")
    now = dt.datetime.now()
    # the spec's default window: the last 90 days
    end = end or now
    start = start or end - dt.timedelta(days=90)
    where = [m.Case.created_at >= start, m.Case.created_at <= end]
    ids = [i for i in request.args.get("service_request_id", "").split(",") if i]
    if ids:
        where = [m.Case.code.in_(ids)]
    codes = [c for c in request.args.get("service_code", "").split(",") if c]
    if codes:
        unknown = [c for c in codes if c not in CATEGORY_OF]
        if unknown:
            return _errors(400, f"unknown service_code: {','.join(unknown)}")
        where.append(m.Case.category.in_([CATEGORY_OF[c] for c in codes]))
    status = request.args.get("status")
    if status:
        if status not in ("open", "closed"):
            return _errors(400, "status must be open or closed")
        where.append(m.Case.status.in_(lc.OPEN) if status == "open" else m.Case.status.not_in(lc.OPEN))
    with session_scope() as session:
        rows = session.execute(select(m.Case).where(*where).order_by(m.Case.created_at.desc())
                               .limit(MAX_RESULTS)).scalars().all()
        return jsonify([_request_json(c) for c in rows])


@bp.get("/requests/<request_id>.json")
def one_request(request_id: str):
    with session_scope() as session:
        case = session.execute(select(m.Case).where(m.Case.code == request_id)).scalar_one_or_none()
        if case is None:
            return _errors(404, f"no service request {request_id}")
        return jsonify([_request_json(case)])


@bp.post("/requests.json")
def create_request():
    system = check_key()
    form = request.form
    category = CATEGORY_OF.get(form.get("service_code", ""))
    if category is None:
        return _errors(400, "service_code missing or unknown (see services.json)")
    try:
        lat, lon = float(form.get("lat", "")), float(form.get("long", ""))
    except ValueError:
        return _errors(400, "lat and long are required numbers (address_string is not supported)")
    name = " ".join(filter(None, (form.get("last_name", "").strip(), form.get("first_name", "").strip()))) or None
    new = cases.NewCase(category=category, description=form.get("description", ""), source="12345", lon=lon,
                        lat=lat, reporter_name=name, reporter_phone=form.get("phone") or None)
    try:
        with session_scope() as session:
            code = cases.create_case(session, new, f"Open311:{system}", SYSTEM, dt.datetime.now()).code
    except cases.CaseError as err:
        return _errors(400, str(err))
    return jsonify([{"service_request_id": code, "service_notice": "已受理登记，将按时限办理", "account_id": None}]), 201
