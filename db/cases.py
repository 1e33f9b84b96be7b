"""Cases in the database: intake, actions with an append-only trail, escalation at the deadline, lists, export."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from db import cache, models as m, rules as case_rules, spatial
from db.access import Viewer, case_scope, mask_name
from db.areas import LEVEL_COLUMN, get_area
from geodata import crs
from workflow.vocab import CASE_SOURCES, LADDER_LEVELS
from workflow import lifecycle as lc

MAX_DESCRIPTION = 1000
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
SYSTEM_ACTOR = "系统"


class CaseError(ValueError):
    """Input a case cannot take; the message is Chinese and names the problem."""


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


def _problems(new: NewCase) -> list[str]:
    problems = []
    if not lc.known_category(new.category or ""):
        problems.append(f"类别「{new.category}」不存在")
    if not (new.description or "").strip():
        problems.append("请填写问题描述")
    elif len(new.description) > MAX_DESCRIPTION:
        problems.append(f"问题描述不能超过 {MAX_DESCRIPTION} 字")
    if new.source not in CASE_SOURCES:
        problems.append(f"来源「{new.source}」不存在")
    if new.reporter_phone and not PHONE.match(new.reporter_phone.strip()):
        problems.append("联系电话格式不正确")
    if new.reporter_name and len(new.reporter_name) > 50:
        problems.append("反映人姓名过长")
    try:
        lon, lat = float(new.lon), float(new.lat)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append("位置坐标无效")
    except (TypeError, ValueError):
        problems.append("位置坐标无效")
    return problems


def _event(session: Session, case: m.Case, action: str, actor: str, actor_id: int | None, at: dt.datetime,
           before: str | None, note: str | None = None) -> None:
    session.add(m.CaseEvent(case_id=case.id, at=at, actor=actor[:50], actor_id=actor_id, action=action,
                            from_status=before, to_status=case.status, note=(note or None) and note[:1000]))


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
        raise CaseError("位置不在任何社区范围内，请在辖区内选点")
    if not viewer.covers(place["grid"] or place["community"]):
        raise CaseError("该位置不在您负责的区域内")
    return place


def create_case(session: Session, new: NewCase, actor: str, viewer: Viewer, now: dt.datetime,
                note: str | None = None, photos: tuple = ()) -> CreatedCase:
    """Take in a problem at a location; hierarchy codes come from where it is. Returns what was decided.

    `photos` are already checked and re-encoded (workflow.photos.prepare_photo): (JPEG bytes, width, height).
    """
    problems = _problems(new)
    if problems:
        raise CaseError("；".join(problems))
    place = _place(session, float(new.lon), float(new.lat), viewer)
    grid = place["grid"]
    level = LADDER_LEVELS[0]
    rules = case_rules.get_case_rules(session)
    case = m.Case(code="pending", category=new.category, source=new.source, description=new.description.strip(),
                  reporter_name=(new.reporter_name or "").strip() or None,
                  reporter_phone=(new.reporter_phone or "").strip() or None,
                  lon=round(float(new.lon), 6), lat=round(float(new.lat), 6), building_code=place["building"],
                  compound_code=place["compound"], grid_code=grid, community_code=place["community"],
                  street_code=place["street"], level=level, status=lc.SUBMITTED, created_at=now,
                  deadline=lc.deadline_for(level, now, new.category, rules.deadline_days))
    add_with_code(session, case, "AJ")
    _event(session, case, "create", actor, viewer.account_id, now, None, note)
    for data, width, height in photos:
        session.add(m.CasePhoto(case_id=case.id, content_type="image/jpeg", data=data, width=width, height=height,
                                created_at=now))
    cache.mark_changed(session, cache.CASES)
    return CreatedCase(case.code, case.status, case.level, case.deadline, lc.light(case.deadline, now, rules.yellow_hours),
                       case.building_code, case.compound_code, case.grid_code, case.community_code, case.street_code)


def _load(session: Session, code: str, viewer: Viewer) -> m.Case:
    case = session.execute(select(m.Case).where(m.Case.code == code, case_scope(viewer))).scalar_one_or_none()
    if case is None:
        # out of scope looks exactly like missing: no hint that the case exists
        raise NotFound(f"诉求 {code} 不存在或不在您的负责范围内")
    return case


def act(session: Session, code: str, action: str, actor: str, viewer: Viewer, expected_version: int,
        now: dt.datetime, note: str | None = None, assignee: str | None = None, satisfaction: str | None = None,
        merge_into: str | None = None) -> dict:
    """Apply one action; refused actions raise TransitionError, a stale version raises Conflict."""
    if not viewer.may_write:
        raise CaseError("大屏为只读")
    case = _load(session, code, viewer)
    if case.version != expected_version:
        raise Conflict(f"诉求 {code} 已被他人修改（版本 {case.version}），请刷新后再操作")
    step = lc.apply(action, case.status, case.level, case.deadline, now, case.category, satisfaction,
                    rules=case_rules.get_case_rules(session).deadline_days)
    if action == "dispatch" and not (assignee or "").strip():
        raise lc.TransitionError("派单需要指定承办部门或人员")
    if action == "merge":
        target = _load(session, merge_into or "", viewer) if merge_into else None
        if target is None or target.code == case.code or target.status not in lc.OPEN:
            raise lc.TransitionError("请选择一件在办的诉求作为合并目标")
        note = f"合并至 {target.code}" + (f"：{note}" if note else "")
    before = case.status
    case.status, case.level, case.deadline = step.status, step.level, step.deadline
    if action == "accept":
        case.accepted_at = now
    elif action == "dispatch":
        case.assignee = assignee.strip()[:50]
    elif action == "resolve":
        case.resolved_at = now
    elif action == "visit":
        case.satisfaction = satisfaction
        if step.event == "reopen":
            case.resolved_at = None
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(f"诉求 {code} 已被他人修改，请刷新后再操作") from None
    detail = note
    if action == "dispatch":
        detail = f"派至 {case.assignee}" + (f"：{note}" if note else "")
    elif action == "visit":
        detail = f"满意度：{satisfaction}" + (f"：{note}" if note else "")
    elif action == "escalate":
        detail = f"上报至{case.level}" + (f"：{note}" if note else "")
    _event(session, case, step.event, actor, viewer.account_id, now, before, detail)
    if action == "merge":
        # the surviving case's own trail says what joined it, so neither history is lost
        _event(session, target, "absorb", actor, viewer.account_id, now, target.status,
               f"{case.code} 作为重复件合并至此")
    cache.mark_changed(session, cache.CASES)
    return {"code": case.code, "status": case.status, "level": case.level, "version": case.version}


def escalate_due(session: Session, now: dt.datetime) -> int:
    """Climb the ladder for every open case whose deadline passed; safe to run late, twice, or after downtime."""
    due = session.execute(select(m.Case).where(m.Case.status.in_(lc.OPEN), m.Case.deadline <= now,
                                               m.Case.level != LADDER_LEVELS[-1])).scalars().all()
    moved = 0
    days = case_rules.get_case_rules(session).deadline_days
    for case in due:
        for level, at, deadline in lc.due_escalations(case.level, case.deadline, now, case.category, days):
            previous = case.level
            case.level, case.deadline = level, deadline
            _event(session, case, "auto_escalate", SYSTEM_ACTOR, None, at, case.status,
                   f"{previous}超时，上报至{level}")
            moved += 1
    if moved:
        cache.mark_changed(session, cache.CASES)
    return moved


def get_photo(session: Session, code: str, photo_id: int, viewer: Viewer) -> tuple[bytes, str]:
    """A case photo for a viewer who may read the case; NotFound otherwise (out of scope looks like missing)."""
    case = _load(session, code, viewer)
    photo = session.execute(select(m.CasePhoto).where(m.CasePhoto.id == photo_id,
                                                      m.CasePhoto.case_id == case.id)).scalar_one_or_none()
    if photo is None:
        raise NotFound("照片不存在")
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
        "reporter": viewer.name_of(case.reporter_name), "phone": viewer.phone_of(case.reporter_phone),
        "lon": case.lon, "lat": case.lat, "community_code": case.community_code, "grid_code": case.grid_code,
        "compound_code": case.compound_code, "building_code": case.building_code, "photos": list(photos),
        "events": [{"at": e.at, "actor": e.actor, "action": lc.ACTION_LABELS.get(e.action, e.action),
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
        where.append(lc.light_sql(m.Case.deadline, now, yellow) == flt.light)
    rows = session.execute(select(m.Case).where(*where).order_by(m.Case.created_at.desc()).limit(limit)).scalars()
    return [{"code": c.code, "created_at": c.created_at, "category": c.category, "source": c.source,
             "description": c.description, "status": c.status, "level": c.level, "assignee": c.assignee,
             "deadline": c.deadline, "light": lc.light(c.deadline, now, yellow) if c.status in lc.OPEN else None,
             "reporter": mask_name(c.reporter_name), "community_code": c.community_code, "grid_code": c.grid_code,
             "lon": c.lon, "lat": c.lat, "version": c.version} for c in rows]


def bulk_dispatch(session: Session, codes: list[str], assignee: str, actor: str, viewer: Viewer,
                  now: dt.datetime) -> tuple[list[str], list[str]]:
    """Dispatch many cases at once: (dispatched codes, refusals with reasons). Accepts submitted ones first."""
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
            refused.append(f"{code}：{err}")
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
    refused: list[tuple[int, str]]  # (row number as in Excel, reasons)


def check_import(session: Session, rows: list, viewer: Viewer) -> ImportCheck:
    """Add the checks that need the database (location, scope, existing codes, repeats) to each row's own."""
    seen: dict[tuple, int] = {}
    valid, refused = [], []
    for row in rows:
        problems = list(row.problems)
        v = row.values
        if not problems:
            try:
                _place(session, v["lon"], v["lat"], viewer)
            except CaseError as err:
                problems.append(str(err))
        if v["code"] and session.execute(select(m.Case.id).where(m.Case.code == v["code"])).first():
            problems.append(f"编号 {v['code']} 已存在")
        key = (v["category"], v["description"], v["lon"], v["lat"], v["created_at"])
        if key in seen:
            problems.append(f"与第 {seen[key]} 行重复")
        seen.setdefault(key, row.number)
        if problems:
            refused.append((row.number, "；".join(problems)))
        else:
            valid.append(row)
    return ImportCheck(len(rows), valid, refused)


def import_cases(session: Session, rows: list, actor: str, viewer: Viewer, now: dt.datetime) -> list[str]:
    """Write the checked rows as new cases in the caller's transaction; any failure raises and writes nothing."""
    codes = []
    for row in rows:
        v = row.values
        new = NewCase(category=v["category"], description=v["description"], source=v["source"], lon=v["lon"],
                      lat=v["lat"], reporter_name=v["reporter_name"] or None, reporter_phone=v["reporter_phone"] or None)
        try:
            codes.append(create_case(session, new, actor, viewer, v["created_at"] or now,
                                     note=f"表格导入第 {row.number} 行").code)
        except CaseError as err:
            raise CaseError(f"第 {row.number} 行：{err}") from None
    return codes
