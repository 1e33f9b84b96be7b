"""Open311 GeoReport v2 under /open311/v2/, so the 12345 hotline and other systems can exchange cases.

Every call needs an api_key (OPEN311_API_KEYS): case descriptions are residents' words, not public data. A key
reads and writes where its scope says (a street, or all): a case outside it looks missing (404) and cannot be
created there (403); a read key cannot create at all (403). Field names and formats follow the GeoReport v2 spec;
times are ISO 8601 with the offset of the street's zone (JINLIN_TIMEZONE, by default China Standard Time).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select

from db import cases, models as m
from db.access import SYSTEM, Viewer, case_scope
from db.engine import session_scope
from workflow.textcheck import is_storable
from workflow.vocab import CATEGORY_DEPARTMENT, SERVICE_CODES, Level, Role
from layouts import text
from workflow import lifecycle as lc
import settings

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
CATEGORY_OF = {code: category for category, code in SERVICE_CODES.items()}
MAX_RESULTS = 1000
# the times a query may name: wider than any case this system holds, narrow enough that no arithmetic overflows
EARLIEST, LATEST = dt.datetime(1970, 1, 1), dt.datetime(2100, 1, 1)
# where the office of each ladder level sits: the case's area at that level (Case columns)
LEVEL_AREA = {Level.COMPOUND: "compound_code", Level.GRID: "grid_code", Level.COMMUNITY: "community_code",
              Level.STREET: "street_code"}


def _errors(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


def _iso(value: dt.datetime | None) -> str | None:
    return settings.aware(value).isoformat() if value else None


def _parse_time(raw: str | None) -> dt.datetime | None:
    """An ISO 8601 time from a query, as naive wall time of the street's zone (how the database stores it); ValueError
    when it is no time, or lies outside EARLIEST..LATEST once in that zone."""
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if value.tzinfo:
            value = value.astimezone(settings.zone()).replace(tzinfo=None)
    except OverflowError:  # year 1 at +14:00, year 9999 at -10:00: no such time in the street's zone
        raise ValueError(raw) from None
    if not EARLIEST <= value < LATEST:
        raise ValueError(raw)
    return value


def check_key() -> settings.Open311Key | None:
    """The key calling, from its api_key; None when the key is missing or unknown."""
    key = request.args.get("api_key") or request.form.get("api_key") or request.headers.get("X-Api-Key")
    return current_app.config.get("OPEN311_KEYS", {}).get(key or "")


def _viewer(key: settings.Open311Key) -> Viewer:
    # a key acts like a street official of its street (or the whole system): it reads and files cases there
    return SYSTEM if key.street is None else Viewer(Role.street_official.value, key.street)


@bp.before_request
def _require_key():
    key = check_key()
    if key is None:
        return _errors(401, "api_key missing or not valid")
    bad = sorted(name for name, value in request.form.items(multi=True) if not is_storable(value))
    if bad:
        # PostgreSQL refuses NUL in text: say which field, rather than lose the hotline's case in a 500
        return _errors(400, f"{', '.join(bad)}: control characters (such as NUL) are not allowed")
    g.open311_key = key
    return None


@bp.get("/services.json")
def services():
    return jsonify([{"service_code": code, "service_name": category, "description": text.OPEN311_DESCRIPTION.format(category=category),
                     "metadata": False, "type": "realtime", "keywords": category,
                     "group": CATEGORY_DEPARTMENT.get(category, "")} for category, code in SERVICE_CODES.items()])


def _agency(case: m.Case, names: dict[str, str]) -> str:
    """The office of the case's ladder level, named by its area (昌亭社区居民委员会): a department, never the person
    it was dispatched to."""
    levels = list(LEVEL_AREA)
    for level in levels[levels.index(case.level):] if case.level in levels else levels:
        code = getattr(case, LEVEL_AREA[level])
        if code in names:
            community = names.get(case.community_code, "")
            return text.OPEN311_AGENCY[level].format(area=names[code], community=community)
    return ""


def _area_names(session, rows: list[m.Case]) -> dict[str, str]:
    codes = {getattr(c, column) for c in rows for column in LEVEL_AREA.values()} - {None}
    if not codes:
        return {}
    return dict(session.execute(select(m.Area.code, m.Area.name).where(m.Area.code.in_(codes))).all())


def _request_json(case: m.Case, names: dict[str, str]) -> dict:
    return {
        "service_request_id": case.code, "status": "open" if case.status in lc.OPEN else "closed",
        "status_notes": case.status, "service_name": case.category, "service_code": SERVICE_CODES.get(case.category),
        "description": case.description, "agency_responsible": _agency(case, names), "service_notice": "",
        "requested_datetime": _iso(case.created_at), "updated_datetime": _iso(case.resolved_at or case.accepted_at
                                                                             or case.created_at),
        "expected_datetime": _iso(case.deadline), "address": "", "address_id": case.building_code or "",
        "zipcode": "", "lat": case.lat, "long": case.lon, "media_url": "",
    }


def _answer(session, rows: list[m.Case]):
    names = _area_names(session, rows)
    return jsonify([_request_json(c, names) for c in rows])


@bp.get("/requests.json")
def list_requests():
    try:
        start = _parse_time(request.args.get("start_date"))
        end = _parse_time(request.args.get("end_date"))
    except ValueError:
        return _errors(400, "start_date and end_date must be ISO 8601 times from 1970 to 2099 "
                            "(e.g. 2026-11-20T09:30:00+08:00)")
    now = settings.now()
    # the spec's default window: the last 90 days
    end = end or now
    start = start or end - dt.timedelta(days=90)
    if start > end:
        return _errors(400, "start_date is after end_date")
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
    where.append(case_scope(_viewer(g.open311_key)))
    with session_scope() as session:
        rows = session.execute(select(m.Case).where(*where).order_by(m.Case.created_at.desc())
                               .limit(MAX_RESULTS)).scalars().all()
        return _answer(session, rows)


@bp.get("/requests/<request_id>.json")
def one_request(request_id: str):
    with session_scope() as session:
        case = session.execute(select(m.Case).where(m.Case.code == request_id, case_scope(_viewer(g.open311_key)))
                               ).scalar_one_or_none()
        if case is None:  # outside the key's street too: it looks missing, as in db/access.py
            return _errors(404, f"no service request {request_id}")
        return _answer(session, [case])


@bp.post("/requests.json")
def create_request():
    key = g.open311_key
    if not key.may_write:
        return _errors(403, "this api_key may only read")
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
            code = cases.create_case(session, new, f"Open311:{key.system}", _viewer(key), settings.now()).code
    except cases.CaseError as err:
        if err.kind == "outside_scope":
            return _errors(403, f"this api_key files cases in street {key.street} only")
        return _errors(400, text.words(err))
    return jsonify([{"service_request_id": code, "service_notice": text.OPEN311_NOTICE, "account_id": None}]), 201
