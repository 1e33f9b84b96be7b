"""The denormalised counts on areas (households, residents, elderly, party members), summed again from buildings."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import models as m


def roll_up(session: Session, street_codes: set[str], emptied: set[str] = frozenset()) -> None:
    """The denormalised counts on every area of these streets, summed again from their buildings.

    Areas without buildings keep the counts their own file gave them, except those in `emptied` (they just lost
    their buildings to another area), which go to zero.
    """
    metrics = ("households", "residents", "elderly", "party_members")
    for street in street_codes:
        for level, column in (("compound", "compound_code"), ("grid", "grid_code"), ("community", "community_code"),
                              ("street", "street_code")):
            col = getattr(m.Building, column)
            rows = session.execute(select(col, func.count(), *[func.coalesce(func.sum(getattr(m.Building, x)), 0)
                                                               for x in metrics])
                                   .where(m.Building.street_code == street).group_by(col)).all()
            values = [{"code": r[0], "buildings": int(r[1]), **{x: int(v) for x, v in zip(metrics, r[2:])}}
                      for r in rows if r[0]]
            known = set(session.execute(select(m.Area.code).where(m.Area.level == level,
                                                                  m.Area.code.like(f"{street}%"))).scalars())
            values = [v for v in values if v["code"] in known]
            counted = {v["code"] for v in values}
            values += [{"code": c, "buildings": 0, **{x: 0 for x in metrics}}
                       for c in sorted(set(emptied) & known - counted)]
            if values:
                session.execute(update(m.Area), values)
