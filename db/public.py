"""What residents may see: the public service points, with venue fields only."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import cache, models as m


def list_public_points(session: Session) -> list[dict]:
    """Service points residents may see: only public ones, only venue fields (no person is named)."""

    def build() -> list[dict]:
        rows = session.execute(select(m.ServicePoint).where(m.ServicePoint.is_public)
                               .order_by(m.ServicePoint.code)).scalars()
        return [{"code": r.code, "type": r.service_type, "name": r.name, "address": r.address, "hours": r.hours,
                 "phone": r.phone, "capacity": r.capacity, "lon": r.lon, "lat": r.lat} for r in rows]

    return cache.cached(session, "public_points", None, build, (cache.POINTS,))
