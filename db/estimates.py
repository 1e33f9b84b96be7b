"""Estimated counts (估算) for buildings whose files gave no households or residents, and the areas that sum them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import app_settings, cache, models as m, totals
from geodata import estimate

SETTINGS_KEY = "estimate_settings"
AREA_COLUMNS = ("compound_code", "grid_code", "community_code", "street_code")  # the areas a building counts in
CHUNK = 5000


def get_settings(session: Session) -> dict:
    """The estimate settings in force: the stored ones over the defaults of geodata/estimate.py."""
    return app_settings.read(session, SETTINGS_KEY, estimate.validate)


def save_settings(session: Session, raw: dict, user: str | None, now: dt.datetime) -> dict:
    """Validate and store the settings (raises EstimateSettingsError). They apply to estimates made from now on;
    `reestimate` makes a street's estimates again with them."""
    clean = estimate.validate(raw)
    app_settings.write(session, SETTINGS_KEY, clean, user, now)
    return clean


def _unknown_counts():
    return (func.coalesce(m.Building.households, 0) == 0) & (func.coalesce(m.Building.residents, 0) == 0)


def estimate_missing(session: Session, street_codes, kinds: Mapping[str, str] | None = None) -> int:
    """Estimate the buildings of these streets that have neither households nor residents; returns how many changed.

    `kinds` maps a building's code (or its source id) to its OpenStreetMap `building=*` tag; without one a building
    counts as untagged (docs/estimates.md). A building estimated before is estimated again only when `kinds` names
    it: the tag is not stored, so without it a school judged empty must stay empty. Buildings whose file gave
    counts are never touched, and a second run changes nothing. The streets' areas are summed again and marked.
    """
    kinds = kinds or {}
    settings = get_settings(session)
    changed_streets = set()
    changed = 0
    for street in sorted(set(street_codes)):
        wanted = _unknown_counts() & ~m.Building.estimated
        if kinds:
            wanted = wanted | m.Building.estimated
        rows = session.execute(select(m.Building.code, m.Building.source_id, m.Building.floors, m.Building.households,
                                      m.Building.residents, m.Building.elderly, m.Building.estimated,
                                      m.Building.geometry).where(m.Building.street_code == street, wanted)
                               .order_by(m.Building.code)).all()
        rows = [r for r in rows if not r.estimated or r.code in kinds or r.source_id in kinds]
        if not rows:
            continue
        area = session.get(m.Area, street)
        # the street's own meridian keeps every building's area the same whichever import brought it
        centre = (area.min_lon + area.max_lon) / 2 if area is not None and area.min_lon is not None else None
        areas = estimate.footprint_areas_m2([r.geometry for r in rows], centre)
        values = []
        for r, area_m2 in zip(rows, areas):
            e = estimate.estimate(float(area_m2), r.floors, kinds.get(r.code) or kinds.get(r.source_id), settings)
            if r.estimated and (r.households, r.residents, r.elderly) == (e.households, e.residents, e.elderly):
                continue
            values.append({"code": r.code, "households": e.households, "residents": e.residents,
                           "elderly": e.elderly, "estimated": True})
        for start in range(0, len(values), CHUNK):
            session.execute(update(m.Building), values[start:start + CHUNK])
        if values:
            changed_streets.add(street)
            changed += len(values)
    if changed_streets:
        totals.roll_up(session, changed_streets)
    if mark_estimated_areas(session, street_codes) or changed_streets:
        cache.mark_changed(session, cache.GEOMETRY)
    return changed


def reestimate(session: Session, street_codes, kinds: Mapping[str, str] | None = None) -> int:
    """Make these streets' estimates again (after a settings change): estimated buildings start from nothing."""
    for street in sorted(set(street_codes)):
        session.execute(update(m.Building).where(m.Building.street_code == street, m.Building.estimated)
                        .values(households=0, residents=0, elderly=0, estimated=False)
                        .execution_options(synchronize_session=False))
    return estimate_missing(session, street_codes, kinds)


def mark_estimated_areas(session: Session, street_codes) -> bool:
    """`Area.estimated` on every area of these streets whose counts include an estimated building, off elsewhere.
    True when a mark changed."""
    changed = False
    for street in sorted(set(street_codes)):
        marked = set()
        for column in AREA_COLUMNS:
            col = getattr(m.Building, column)
            marked |= set(session.execute(select(col).distinct()
                                          .where(m.Building.street_code == street, m.Building.estimated)).scalars())
        now_on = set(session.execute(select(m.Area.code).where(m.Area.code.like(f"{street}%"), m.Area.estimated))
                     .scalars())
        for codes, value in ((marked - now_on - {None}, True), (now_on - marked, False)):
            if codes:
                done = session.execute(update(m.Area).where(m.Area.code.in_(sorted(codes))).values(estimated=value)
                                       .execution_options(synchronize_session=False))
                changed = changed or done.rowcount > 0
    return changed
