"""Cases in the database: intake, actions with an append-only trail, escalation at the deadline, lists, export."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from db import cache, locks, models as m, rules as case_rules, spatial
from db.access import Viewer, case_scope, mask_name
from db.areas import LEVEL_COLUMN, get_area, names_in_street
from geodata import crs
from workflow.vocab import CASE_SOURCES, LADDER_LEVELS
from workflow import contacts, lifecycle as lc
from workflow.vocab import SYSTEM_ACTOR, trail_note
from workflow.refusal import Problem, Refused, problem
from workflow.textcheck import CASE_SEARCH_CHARS, searchable, text_problems

MAX_DESCRIPTION = 1000
MAX_NOTE = 1000
MAX_ASSIGNEE = 50
# a form's one-time token (layouts/intake_form.new_token): what the browser sends is checked before it is stored
FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ESCALATION_LOCK = "escalation"


class CaseError(Refused):
    """Input a case cannot take; its problems name what is wrong."""


class NotFound(CaseError):
    pass


class Conflict(CaseError):
    """Someone else changed the case since it was loaded (optimistic locking)."""


@dataclass(frozen=True)
class NewCase:
    category: str
    description: str
    source: str
    lon: float
    lat: float
    reporter_name: str | None = None
    reporter_phone: str | None = None
    client_token: str | None = None  # the form's one-time token: sent twice, the second finds the first case


@dataclass(frozen=True)
class CreatedCase:
    """What intake decided for a new case, so a caller can show it without reading the case back."""

    code: str
    status: str
    level: str
    deadline: dt.datetime
    light: str
    building_code: str | None
    compound_code: str | None
    grid_code: str | None
    community_code: str
    street_code: str
    repeat: bool = False  # the same form came again: this is the case its first submission made


def _problems(new: NewCase) -> list[Problem]:
    problems = []
    if not (new.category or "").strip():
        problems.append(problem("no_category"))
    elif not lc.known_category(new.category):
        problems.append(problem("unknown_category", category=new.category))
    if not (new.description or "").strip():
        problems.append(problem("no_description"))
    elif len(new.description) > MAX_DESCRIPTION:
        problems.append(problem("description_too_long", limit=MAX_DESCRIPTION))
    if new.source not in CASE_SOURCES:
        problems.append(problem("unknown_source", source=new.source))
    problems += text_problems(description=new.description, reporter=new.reporter_name)
    problems += contacts.contact_problems(new.reporter_name, new.reporter_phone, "reporter_too_long")
    if new.client_token is not None and not FORM_TOKEN.match(new.client_token):
        problems.append(problem("form_token"))
    try:
        lon, lat = float(new.lon), float(new.lat)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(problem("bad_position"))
    except (TypeError, ValueError):
        problems.append(problem("bad_position"))
    return problems


def _event(session: Session, case: m.Case, action: str, actor: str, actor_id: int | None, at: dt.datetime,
           before: str | None, note: str | None = None) -> None:
    session.add(m.CaseEvent(case_id=case.id, at=at, actor=actor[:50], actor_id=actor_id, action=action,
                            from_status=before, to_status=case.status, note=note or None))


def add_with_code(session: Session, row, prefix: str) -> str:
    """Insert `row` and give it the code that follows its id (AJ0000123), keeping it at version 1."""
    session.add(row)
    session.flush()
    code = f"{prefix}{row.id:07d}"
    # set without an ORM update: that would bump the optimistic-locking version of a row nobody has edited yet
    model = type(row)
    session.execute(update(model).where(model.id == row.id).values(code=code)
                    .execution_options(synchronize_session=False))
    set_committed_value(row, "code", code)
    return code


def _place(session: Session, lon: float, lat: float, viewer: Viewer) -> dict:
    place = spatial.locate(session, lon, lat)
    if place["community"] is None:
        raise CaseError("outside_communities")
    if not viewer.covers(place["grid"] or place["community"]):
        raise CaseError("outside_scope")
    return place


def create_case(session: Session, new: NewCase, actor: str, viewer: Viewer, now: dt.datetime,
                note: str | None = None, photos: tuple = ()) -> CreatedCase:
    """Take in a problem at a location; hierarchy codes come from where it is. Returns what was decided.

    `photos` are already checked and re-encoded (workflow.photos.prepare_photo): (JPEG bytes, width, height).
    A form sent twice (a double click, a retry after a lost answer) carries the same `client_token`: the second
    waits for the first and gets its case back (`repeat`), on every worker.
    """
    problems = _problems(new)
    if problems:
        raise CaseError(problems=problems)
    rules = case_rules.get_case_rules(session)
    if new.client_token:
        locks.hold(session, "intake", new.client_token, now)
        earlier = session.execute(select(m.Case).where(m.Case.client_token == new.client_token)).scalar_one_or_none()
        if earlier is not None:
            if not viewer.covers(earlier.grid_code or earlier.community_code):
                raise CaseError("form_token_used")
            return _created(earlier, now, rules.yellow_hours, repeat=True)
    place = _place(session, float(new.lon), float(new.lat), viewer)
    level = LADDER_LEVELS[0]
    case = m.Case(code="pending", category=new.category, source=new.source, description=new.description.strip(),
                  reporter_name=contacts.clean(new.reporter_name), reporter_phone=contacts.clean(new.reporter_phone),
                  lon=round(float(new.lon), 6), lat=round(float(new.lat), 6), building_code=place["building"],
                  compound_code=place["compound"], grid_code=place["grid"], community_code=place["community"],
                  street_code=place["street"], level=level, status=lc.SUBMITTED, created_at=now,
                  deadline=lc.deadline_for(level, now, new.category, rules.deadline_days),
                  client_token=new.client_token)
    add_with_code(session, case, "AJ")
    _event(session, case, "create", actor, viewer.account_id, now, None, note)
    for data, width, height in photos:
        session.add(m.CasePhoto(case_id=case.id, content_type="image/jpeg", data=data, width=width, height=height,
                                created_at=now))
    cache.mark_changed(session, cache.CASES)
    return _created(case, now, rules.yellow_hours)


def _created(case: m.Case, now: dt.datetime, yellow_hours: float, repeat: bool = False) -> CreatedCase:
    return CreatedCase(case.code, case.status, case.level, case.deadline, lc.light(case.deadline, now, yellow_hours),
                       case.building_code, case.compound_code, case.grid_code, case.community_code, case.street_code,
                       repeat)


def _load(session: Session, code: str, viewer: Viewer) -> m.Case:
    case = session.execute(select(m.Case).where(m.Case.code == code, case_scope(viewer))).scalar_one_or_none()
    if case is None:
        # out of scope looks exactly like missing: no hint that the case exists
        raise NotFound("case_not_found", code=code)
    return case


def act(session: Session, code: str, action: str, actor: str, viewer: Viewer, expected_version: int,
        now: dt.datetime, note: str | None = None, assignee: str | None = None, satisfaction: str | None = None,
        merge_into: str | None = None) -> dict:
    """Apply one action; refused actions raise TransitionError, a stale version raises Conflict."""
    if not viewer.may_write:
        raise CaseError("read_only")
    unreadable = text_problems(note=note, assignee=assignee)
    if unreadable:
        raise CaseError(problems=unreadable)
    if note and len(note) > MAX_NOTE:
        raise CaseError("note_too_long", limit=MAX_NOTE)
    if assignee and len(assignee.strip()) > MAX_ASSIGNEE:
        raise CaseError("assignee_too_long", limit=MAX_ASSIGNEE)
    case = _load(session, code, viewer)
    if case.version != expected_version:
        raise Conflict("case_stale_version", code=code, version=case.version)
    step = lc.apply(action, case.status, case.level, case.deadline, now, case.category, satisfaction,
                    rules=case_rules.get_case_rules(session).deadline_days)
    if action == "dispatch" and not (assignee or "").strip():
        raise lc.TransitionError("dispatch_needs_assignee")
    if action == "merge":
        target = _load(session, merge_into or "", viewer) if merge_into else None
        if target is None or target.code == case.code or target.status not in lc.OPEN:
            raise lc.TransitionError("merge_target")
        note = trail_note("merged_into", note, code=target.code)
    before = case.status
    case.status, case.level, case.deadline = step.status, step.level, step.deadline
    if action == "accept":
        case.accepted_at = now
    elif action == "dispatch":
        case.assignee = assignee.strip()
    elif action == "resolve":
        case.resolved_at = now
    elif action == "visit":
        case.satisfaction = satisfaction
        if step.event == "reopen":
            case.resolved_at = None
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("case_stale", code=code) from None
    detail = note
    if action == "dispatch":
        detail = trail_note("dispatched_to", note, assignee=case.assignee)
    elif action == "visit":
        detail = trail_note("satisfaction", note, value=satisfaction)
    elif action == "escalate":
        detail = trail_note("escalated_to", note, level=case.level)
    _event(session, case, step.event, actor, viewer.account_id, now, before, detail)
    if action == "merge":
        # the surviving case's own trail says what joined it, so neither history is lost
        _event(session, target, "absorb", actor, viewer.account_id, now, target.status,
               trail_note("absorbed", code=case.code))
    cache.mark_changed(session, cache.CASES)
    return {"code": case.code, "status": case.status, "level": case.level, "version": case.version}


def escalate_due(session: Session, now: dt.datetime) -> int | None:
    """Climb the ladder for every open case whose deadline passed: how many steps were taken, or None when another
    run holds the lock (it does the work). Safe to run late, twice, after downtime, and from every worker and
    machine at once: one run at a time holds the lock across all of them (db/locks.py), and each step is counted
    from the missed deadline, so a run after a pause escalates exactly what the pause owed.

    A case someone is changing at this very moment (its row locked, PostgreSQL) is left to the next run rather than
    waited for, so neither that person nor this run ever sees a conflict.
    """
    if not locks.try_hold(session, ESCALATION_LOCK, now):
        return None
    # read after the lock, and locked row by row: what an earlier run or a person changed is what this run sees
    due = session.execute(select(m.Case).where(m.Case.status.in_(lc.OPEN), m.Case.deadline <= now,
                                               m.Case.level != LADDER_LEVELS[-1])
                          .order_by(m.Case.id).with_for_update(skip_locked=True)
                          .execution_options(populate_existing=True)).scalars().all()
    moved = 0
    days = case_rules.get_case_rules(session).deadline_days
    for case in due:
        for level, at, deadline in lc.due_escalations(case.level, case.deadline, now, case.category, days):
            previous = case.level
            case.level, case.deadline = level, deadline
            case.overdue_since = case.overdue_since or at
            _event(session, case, "auto_escalate", SYSTEM_ACTOR, None, at, case.status,
                   trail_note("overdue", previous=previous, level=level))
            moved += 1
    if moved:
        session.flush()
    cache.mark_changed(session, cache.CASES)
    return moved


def get_photo(session: Session, code: str, photo_id: int, viewer: Viewer) -> tuple[bytes, str]:
    """A case photo for a viewer who may read the case; NotFound otherwise (out of scope looks like missing)."""
    case = _load(session, code, viewer)
    photo = session.execute(select(m.CasePhoto).where(m.CasePhoto.id == photo_id,
                                                      m.CasePhoto.case_id == case.id)).scalar_one_or_none()
    if photo is None:
        raise NotFound("photo_not_found")
    return photo.data, photo.content_type


def get_case(session: Session, code: str, viewer: Viewer, now: dt.datetime) -> dict:
    case = _load(session, code, viewer)
    events = session.execute(select(m.CaseEvent).where(m.CaseEvent.case_id == case.id)
                             .order_by(m.CaseEvent.at, m.CaseEvent.id)).scalars().all()
    photos = session.execute(select(m.CasePhoto.id).where(m.CasePhoto.case_id == case.id)
                             .order_by(m.CasePhoto.id)).scalars().all()
    yellow = case_rules.get_case_rules(session).yellow_hours
    return {
        "code": case.code, "category": case.category, "source": case.source, "description": case.description,
        "status": case.status, "level": case.level, "assignee": case.assignee, "deadline": case.deadline,
        "created_at": case.created_at, "satisfaction": case.satisfaction, "version": case.version,
        "light": lc.light(case.deadline, now, yellow) if case.status in lc.OPEN else None,
        "overdue_since": lc.overdue_start(case.deadline, case.overdue_since, now) if case.status in lc.OPEN else None,
        "escalated": case.overdue_since is not None and case.status in lc.OPEN,
        "reporter": viewer.name_of(case.reporter_name), "phone": viewer.phone_of(case.reporter_phone),
        "lon": case.lon, "lat": case.lat, "community_code": case.community_code, "grid_code": case.grid_code,
        "compound_code": case.compound_code, "building_code": case.building_code, "photos": list(photos),
        "place": _places(session, [case])[case.id],
        "events": [{"at": e.at, "actor": e.actor, "action": e.action,
                    "from": e.from_status, "to": e.to_status, "note": e.note} for e in events],
    }


@dataclass(frozen=True)
class CaseFilter:
    area: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    level: str | None = None
    light: str | None = None
    assignee: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    text: str = ""  # words, each found in the code, words, category, handler or place (or the reporter, for staff)


PLACE_LEVELS = ("community_code", "grid_code", "compound_code")


def _places(session: Session, cases: list) -> dict[int, str]:
    """Where each case is, in words: community · grid · compound (the building's name beside it, when known)."""
    names: dict[str, tuple[str, bool]] = {}
    for street in {c.street_code for c in cases if c.street_code}:
        names.update(names_in_street(session, street))
    building_codes = {c.building_code for c in cases if c.building_code}
    buildings = dict(session.execute(select(m.Building.code, m.Building.name)
                                     .where(m.Building.code.in_(building_codes))).all()) if building_codes else {}
    places = {}
    for c in cases:
        parts = [names[code][0] for code in (getattr(c, level) for level in PLACE_LEVELS) if code in names]
        if c.building_code in buildings:
            parts.append(buildings[c.building_code])
        places[c.id] = " · ".join(parts)
    return places


def _matching(term: str, viewer: Viewer):
    """SQL: a case in which `term` appears: its code, description, category, handler, the name of its community,
    grid or compound, its building as "锦阳御园3幢" or "3幢"; the reporter's name or phone only for viewers who may
    read them (a search must not reveal what the list masks)."""
    def has(column):
        return column.icontains(term, autoescape=True)

    places = select(m.Area.code).where(has(m.Area.name))
    buildings = (select(m.Building.code).join(m.Area, m.Area.code == m.Building.compound_code)
                 .where(or_(has(m.Building.name), has(m.Area.name + m.Building.name))))
    found = [has(m.Case.code), has(m.Case.description), has(m.Case.category), has(m.Case.assignee),
             m.Case.community_code.in_(places), m.Case.grid_code.in_(places), m.Case.compound_code.in_(places),
             m.Case.building_code.in_(buildings)]
    if viewer.sees_pii:
        found += [has(m.Case.reporter_name), has(m.Case.reporter_phone)]
    return or_(*found)


def list_cases(session: Session, viewer: Viewer, flt: CaseFilter, now: dt.datetime, limit: int = 5000) -> list[dict]:
    """Cases matching the filter inside the viewer's scope, newest first, reporter masked."""
    where = [case_scope(viewer)]
    yellow = case_rules.get_case_rules(session).yellow_hours
    if flt.area:
        area = get_area(session, flt.area)
        if area is None:
            return []
        where.append(getattr(m.Case, LEVEL_COLUMN[area["level"]]) == area["code"])
    if flt.statuses:
        where.append(m.Case.status.in_(flt.statuses))
    if flt.category:
        where.append(m.Case.category == flt.category)
    if flt.level:
        where.append(m.Case.level == flt.level)
    if flt.assignee:
        where.append(m.Case.assignee == flt.assignee)
    if flt.created_from:
        where.append(m.Case.created_at >= dt.datetime.combine(flt.created_from, dt.time()))
    if flt.created_to:
        where.append(m.Case.created_at < dt.datetime.combine(flt.created_to, dt.time()) + dt.timedelta(days=1))
    if flt.light:
        where.append(m.Case.status.in_(lc.OPEN))
        where.append(m.Case.overdue_since.is_not(None) if flt.light == lc.ESCALATED
                     else lc.light_sql(m.Case.deadline, now, yellow) == flt.light)
    where += [_matching(term, viewer) for term in searchable(flt.text, CASE_SEARCH_CHARS).split()]
    rows = session.execute(select(m.Case).where(*where).order_by(m.Case.created_at.desc()).limit(limit)).scalars().all()
    places = _places(session, rows)
    return [{"code": c.code, "place": places[c.id], "created_at": c.created_at, "category": c.category,
             "source": c.source, "description": c.description, "status": c.status, "level": c.level,
             "assignee": c.assignee,
             "deadline": c.deadline, "light": lc.light(c.deadline, now, yellow) if c.status in lc.OPEN else None,
             "overdue_since": lc.overdue_start(c.deadline, c.overdue_since, now) if c.status in lc.OPEN else None,
             "escalated": c.overdue_since is not None and c.status in lc.OPEN,
             "reporter": mask_name(c.reporter_name), "community_code": c.community_code, "grid_code": c.grid_code,
             "lon": c.lon, "lat": c.lat, "version": c.version} for c in rows]


def bulk_dispatch(session: Session, codes: list[str], assignee: str, actor: str, viewer: Viewer,
                  now: dt.datetime) -> tuple[list[str], list[tuple[str, Refused]]]:
    """Dispatch many cases at once: (dispatched codes, (code, refusal) of the others). Accepts submitted ones first."""
    done, refused = [], []
    for code in codes:
        try:
            with session.begin_nested():
                case = _load(session, code, viewer)
                if case.status == lc.SUBMITTED:
                    act(session, code, "accept", actor, viewer, case.version, now)
                act(session, code, "dispatch", actor, viewer, case.version, now, assignee=assignee)
            done.append(code)
        except (CaseError, lc.TransitionError) as err:
            refused.append((code, err))
    return done, refused


def similar_open_cases(session: Session, category: str, lon: float, lat: float, now: dt.datetime,
                       viewer: Viewer, radius_m: float = 50, days: int = 30) -> list[dict]:
    """Open cases of the same category within `radius_m` metres in the last `days`: likely duplicates."""
    pad = radius_m / 90_000  # degrees, generous at these latitudes
    rows = session.execute(select(m.Case.code, m.Case.description, m.Case.lon, m.Case.lat).where(
        case_scope(viewer), m.Case.category == category, m.Case.status.in_(lc.OPEN),
        m.Case.created_at >= now - dt.timedelta(days=days),
        m.Case.lon.between(lon - pad, lon + pad), m.Case.lat.between(lat - pad, lat + pad))).all()
    if not rows:
        return []
    dist = crs.distance_m(lon, lat, [r.lon for r in rows], [r.lat for r in rows])
    return sorted(({"code": r.code, "description": r.description, "distance_m": int(round(d))}
                   for r, d in zip(rows, dist) if d <= radius_m), key=lambda x: x["distance_m"])


@dataclass
class ImportCheck:
    """What an import would do: the rows it would write and, for each refused row, why."""

    total: int
    valid: list  # case_table.TableRow, ready to write
    refused: list[tuple[int, list[Problem]]]  # (row number as in Excel, every reason)


def _sheet_case(row) -> NewCase:
    """A checked sheet row as the case intake takes it (workflow.case_table.TableRow)."""
    v = row.values
    return NewCase(category=v["category"], description=v["description"], source=v["source"], lon=v["lon"],
                   lat=v["lat"], reporter_name=v["reporter_name"] or None, reporter_phone=v["reporter_phone"] or None)


def check_import(session: Session, rows: list, viewer: Viewer) -> ImportCheck:
    """Add the checks that need the database (location, scope, existing codes, repeats) to each row's own.

    A row passes only what create_case itself would pass (its own validation, then the place and the scope), so
    the preview and the commit cannot disagree: the commit calls this same function again before it writes.
    """
    seen: dict[tuple, int] = {}
    valid, refused = [], []
    for row in rows:
        problems = list(row.problems)
        v = row.values
        if not problems:
            problems += _problems(_sheet_case(row))
        if not problems:
            try:
                _place(session, v["lon"], v["lat"], viewer)
            except CaseError as err:
                problems += err.problems
        if v["code"] and session.execute(select(m.Case.id).where(m.Case.code == v["code"])).first():
            problems.append(problem("code_taken", code=v["code"]))
        key = (v["category"], v["description"], v["lon"], v["lat"], v["created_at"])
        if key in seen:
            problems.append(problem("repeat_row", row=seen[key]))
        seen.setdefault(key, row.number)
        if problems:
            refused.append((row.number, problems))
        else:
            valid.append(row)
    return ImportCheck(len(rows), valid, refused)


def import_cases(session: Session, rows: list, actor: str, viewer: Viewer, now: dt.datetime) -> list[str]:
    """Write the checked rows as new cases in the caller's transaction; any failure raises and writes nothing."""
    codes = []
    for row in rows:
        try:
            codes.append(create_case(session, _sheet_case(row), actor, viewer, row.values["created_at"] or now,
                                     note=trail_note("sheet_row", row=row.number)).code)
        except CaseError as err:
            raise CaseError("sheet_row_refused", row=row.number, reason=err) from None
    return codes
