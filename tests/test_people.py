"""人员下沉: volunteers matched to open slots within N minutes' walk, deserts, grid workload."""
from __future__ import annotations

from sqlalchemy import func, select

from db import models as m, people
from db.access import SYSTEM

STREET = "330381001"


def test_matches_fill_open_slots_within_the_limit_with_masked_names(session):
    plan = people.people_plan(session, STREET, 10, SYSTEM)
    assert plan["open_slots"] > 0 and plan["matches"]
    assert len(plan["matches"]) <= plan["open_slots"]
    assert all(x["minutes"] <= 10 for x in plan["matches"])
    names = set(session.execute(select(m.Volunteer.name)).scalars())
    assert all(x["volunteer"] not in names and "*" in x["volunteer"] for x in plan["matches"])


def test_a_tighter_limit_matches_fewer_and_finds_deserts(session):
    wide, tight = people.people_plan(session, STREET, 15, SYSTEM), people.people_plan(session, STREET, 1, SYSTEM)
    assert len(tight["matches"]) < len(wide["matches"])
    assert len(tight["deserts"]) > len(wide["deserts"])
    assert all(d["nearest_minutes"] is None or d["nearest_minutes"] > 1 for d in tight["deserts"])


def test_grid_workload_adds_up_to_the_street(session):
    grids = people.grid_workload(session, STREET, SYSTEM)
    total = session.execute(select(func.sum(m.Building.households)).where(m.Building.street_code == STREET)).scalar()
    assert sum(g["households"] for g in grids) == total
    assert all(g["status"] == ("over" if g["households"] > 500 else "under" if g["households"] < 300 else "ok")
               for g in grids)
    assert [g["households"] for g in grids] == sorted((g["households"] for g in grids), reverse=True)
