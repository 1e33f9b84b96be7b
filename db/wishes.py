"""微心愿 in the database: publish at a building, claim, complete, with optimistic locking and scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db import cache, locks, models as m, spatial
from db.access import Viewer, mask_name, wish_scope as _scope
from db.cases import FORM_TOKEN, MAX_NOTE, add_with_code
from db.areas import LEVEL_COLUMN, get_area
from workflow import contacts, wishes as rules
from workflow.refusal import problem
from workflow.textcheck import text_problems

MAX_TITLE = 100
MAX_DESCRIPTION = 1000


@dataclass(frozen=True)
class NewWish:
    title: str
    building_code: str
    description: str | None = None
    wisher_name: str | None = None
    wisher_phone: str | None = None
    client_token: str | None = None  # the form's one-time token: sent twice, the second finds the first wish


def _problems(new: NewWish) -> list:
    problems = []
    title = (new.title or "").strip()
    if not title:
        problems.append(problem("no_wish_title"))
    elif len(title) > MAX_TITLE:
        problems.append(problem("wish_title_too_long", limit=MAX_TITLE))
    if new.description and len(new.description) > MAX_DESCRIPTION:
        problems.append(problem("wish_description_too_long", limit=MAX_DESCRIPTION))
    problems += text_problems(wish_title=new.title, wish_description=new.description, wisher=new.wisher_name)
    problems += contacts.contact_problems(new.wisher_name, new.wisher_phone, "wisher_too_long")
    if new.client_token is not None and not FORM_TOKEN.match(new.client_token):
        problems.append(problem("form_token"))
    return problems


def publish_wish(session: Session, new: NewWish, viewer: Viewer, now: dt.datetime) -> str:
    """Put a resident's wish on the board at their building; returns its code (the first one's, for a form sent
    twice with the same token)."""
    if not viewer.may_write:
        raise rules.WishError("read_only")
    problems = _problems(new)
    building = get_area(session, new.building_code or "")
    if building is None or building["level"] != "building":
        problems.append(problem("wish_building"))
    if problems:
        raise rules.WishError(problems=problems)
    if new.client_token:
        locks.hold(session, "wish", new.client_token, now)
        earlier = session.execute(select(m.Wish).where(m.Wish.client_token == new.client_token)).scalar_one_or_none()
        if earlier is not None:
            if not viewer.covers(earlier.grid_code or earlier.community_code):
                raise rules.WishError("form_token_used")
            return earlier.code
    lon, lat = building["point"]
    place = spatial.locate(session, lon, lat)
    if not viewer.covers(place["grid"] or place["community"]):
        raise rules.WishError("wish_outside_scope")
    wish = m.Wish(code="pending", title=new.title.strip(), description=contacts.clean(new.description),
                  wisher_name=contacts.clean(new.wisher_name), wisher_phone=contacts.clean(new.wisher_phone),
                  building_code=building["code"], lon=lon, lat=lat, compound_code=place["compound"],
                  grid_code=place["grid"], community_code=place["community"], street_code=place["street"],
                  status=rules.PUBLISHED, published_at=now, client_token=new.client_token)
    code = add_with_code(session, wish, "WY")
    cache.mark_changed(session, cache.WISHES)
    return code


def act_on_wish(session: Session, code: str, action: str, viewer: Viewer, expected_version: int, now: dt.datetime,
                claimant: str | None = None, claimant_kind: str | None = None, note: str | None = None) -> dict:
    """Claim, complete, release or withdraw; a stale version is refused rather than overwritten."""
    if not viewer.may_write:
        raise rules.WishError("read_only")
    unreadable = text_problems(claimant=claimant, note=note)
    if unreadable:
        raise rules.WishError(problems=unreadable)
    wish = session.execute(select(m.Wish).where(m.Wish.code == code, _scope(viewer))).scalar_one_or_none()
    if wish is None:
        raise rules.WishError("wish_not_found", code=code)
    if wish.version != expected_version:
        raise rules.WishError("wish_stale", code=code)
    if note and len(note.strip()) > MAX_NOTE:
        raise rules.WishError("note_too_long", limit=MAX_NOTE)
    step = rules.apply(action, wish.status, claimant, claimant_kind, wish.claimant, wish.claimant_kind)
    wish.status, wish.claimant, wish.claimant_kind = step.status, step.claimant, step.claimant_kind
    if action == "claim":
        wish.claimed_at = now
    elif action == "release":
        wish.claimed_at = None
    elif action == "complete":
        wish.completed_at = now
    if note:
        wish.note = note.strip()
    try:
        session.flush()
    except StaleDataError:
        raise rules.WishError("wish_stale", code=code) from None
    cache.mark_changed(session, cache.WISHES)
    return {"code": wish.code, "status": wish.status, "version": wish.version}


def list_wishes(session: Session, viewer: Viewer, area_code: str | None = None, statuses: tuple[str, ...] = (),
                limit: int = 2000) -> list[dict]:
    """Wishes in the viewer's scope, newest first; the wisher is masked (the detail shows staff the full name)."""
    where = [_scope(viewer)]
    if area_code:
        area = get_area(session, area_code)
        if area is None:
            return []
        if area["level"] == "building":
            where.append(m.Wish.building_code == area["code"])
        else:
            where.append(getattr(m.Wish, LEVEL_COLUMN[area["level"]]) == area["code"])
    if statuses:
        where.append(m.Wish.status.in_(statuses))
    compound = m.Area.__table__.alias("compound")
    rows = session.execute(select(m.Wish, compound.c.name).outerjoin(compound, compound.c.code == m.Wish.compound_code)
                           .where(*where).order_by(m.Wish.published_at.desc()).limit(limit)).all()
    return [_row(w, place, viewer) for w, place in rows]


def _row(w: m.Wish, place: str | None, viewer: Viewer) -> dict:
    return {"code": w.code, "title": w.title, "description": w.description, "status": w.status,
            "place": place or "", "building_code": w.building_code, "lon": w.lon, "lat": w.lat,
            "wisher": mask_name(w.wisher_name), "wisher_full": viewer.name_of(w.wisher_name),
            "phone": viewer.phone_of(w.wisher_phone),
            "claimant": w.claimant, "claimant_kind": w.claimant_kind, "published_at": w.published_at,
            "claimed_at": w.claimed_at, "completed_at": w.completed_at, "note": w.note, "version": w.version}


def get_wish(session: Session, code: str, viewer: Viewer) -> dict:
    compound = m.Area.__table__.alias("compound")
    row = session.execute(select(m.Wish, compound.c.name).outerjoin(compound, compound.c.code == m.Wish.compound_code)
                          .where(m.Wish.code == code, _scope(viewer))).first()
    if row is None:
        raise rules.WishError("wish_not_found", code=code)
    return _row(row[0], row[1], viewer)
