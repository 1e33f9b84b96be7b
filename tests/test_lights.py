"""红黄绿 once: the Python rule and its SQL expression agree on the boundary times, on the backend under test."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from db import cases, models as m, rules
from db.access import SYSTEM
from workflow import lifecycle as lc

NOW = dt.datetime(2026, 11, 20, 9, 30)
US = dt.timedelta(microseconds=1)


def _boundaries(yellow_hours: float) -> list[dt.datetime]:
    soon = NOW + dt.timedelta(hours=yellow_hours)
    return [NOW - dt.timedelta(days=3), NOW - US, NOW, NOW + US, soon - US, soon, soon + US, soon + dt.timedelta(days=9)]


def _place(session, deadlines: list[dt.datetime]) -> dict[str, dt.datetime]:
    """Give that many open cases these deadlines (newest first, so any list shows them); {code: deadline}."""
    codes = session.execute(select(m.Case.code).where(m.Case.status.in_(lc.OPEN)).order_by(m.Case.code)
                            .limit(len(deadlines))).scalars().all()
    for i, (code, deadline) in enumerate(zip(codes, deadlines)):
        session.execute(update(m.Case).where(m.Case.code == code)
                        .values(deadline=deadline, created_at=NOW + dt.timedelta(seconds=i))
                        .execution_options(synchronize_session=False))
    session.flush()
    return dict(zip(codes, deadlines))


@pytest.mark.parametrize("yellow_hours", [24, 1.5])
def test_light_sql_agrees_with_light_at_the_boundaries(session, yellow_hours):
    placed = _place(session, _boundaries(yellow_hours))
    expr = lc.light_sql(m.Case.deadline, NOW, yellow_hours)
    in_sql = dict(session.execute(select(m.Case.code, expr).where(m.Case.code.in_(placed))).all())
    in_python = {code: lc.light(deadline, NOW, yellow_hours) for code, deadline in placed.items()}
    assert in_sql == in_python
    # the boundaries fall where the rule says: the deadline itself is yellow, the end of the window green
    assert list(in_python.values()) == ["red", "red", "yellow", "yellow", "yellow", "green", "green", "green"]


def test_case_list_light_filter_matches_the_light_it_shows(session):
    rules.save_case_rules(session, {}, 6, "管理员", NOW)
    placed = _place(session, _boundaries(6))
    for colour in lc.LIGHTS:
        listed = {r["code"]: r["light"] for r in cases.list_cases(session, SYSTEM, cases.CaseFilter(light=colour), NOW)}
        mine = {code for code in placed if code in listed}
        assert mine == {code for code, d in placed.items() if lc.light(d, NOW, 6) == colour}
        assert set(listed.values()) == {colour}
