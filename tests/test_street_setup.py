"""The setup checklist of a street (counts in a fixed number of queries, warnings) and boundaries drawn by hand."""
from __future__ import annotations

import datetime as dt

import pytest
import shapely
from sqlalchemy import event, select

from db import models as m

STREET = "330381001"
NOW = dt.datetime(2026, 12, 1, 21, 0)


@pytest.fixture()
def real_session(session):
    """The demo street as a deployment's own (in the rolled-back session): drawing into the demo is refused."""
    from tests.helpers import demo_street_as_real_data

    demo_street_as_real_data(session)
    return session


def drawn(*polygons) -> dict:
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(p)}
                         for p in polygons]}


def test_checklist_counts_the_demo_street_in_a_fixed_number_of_queries(session):
    from db import street_setup

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        state = street_setup.street_checklist(session, STREET)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    buildings = session.execute(select(m.Building.code).where(m.Building.street_code == STREET)).all()
    assert state["counts"]["buildings"] == len(buildings) > 1000
    assert state["counts"]["communities"] == 8 and state["counts"]["boundary"] == 1
    assert all(state["counts"][k] > 0 for k in street_setup.STEPS) and state["next"] is None
    assert len(statements) <= 12  # one per kind and warning, however many rows
    assert street_setup.street_checklist(session, "999999999") is None


def test_checklist_warns_of_gaps_generated_groups_and_empty_compounds(session):
    from db import street_setup

    community = "330381001002"
    session.execute(m.Building.__table__.update().where(m.Building.community_code == community)
                    .values(grid_code=community))
    session.execute(m.Area.__table__.update().where(m.Area.code.like(f"{community}X%"))
                    .values(parent_code=community))
    session.execute(m.Area.__table__.delete().where(m.Area.level == "grid", m.Area.code.like(f"{community}%")))
    generated = session.execute(select(m.Area.code).where(m.Area.level == "compound").order_by(m.Area.code)).scalars() \
        .first()
    session.execute(m.Area.__table__.update().where(m.Area.code == generated).values(generated=True))
    empty = session.execute(select(m.Area.code).where(m.Area.level == "compound").order_by(m.Area.code.desc())) \
        .scalars().first()
    session.execute(m.Building.__table__.update().where(m.Building.compound_code == empty)
                    .values(compound_code=generated))
    state = street_setup.street_checklist(session, STREET)
    warnings = {w["kind"]: w for w in state["warnings"]}
    name = session.get(m.Area, community).name
    assert warnings["communities_without_grids"] == {"kind": "communities_without_grids", "count": 1, "names": [name]}
    street = session.get(m.Area, STREET).geometry
    share = shapely.area(session.get(m.Area, community).geometry) / shapely.area(street)
    assert warnings["uncovered"]["share"] == pytest.approx(share, abs=0.02)
    in_generated = session.execute(select(m.Building.code).where(m.Building.compound_code == generated)).all()
    assert warnings["outside_compounds"]["count"] == len(in_generated)
    assert warnings["empty_compounds"]["count"] == 1


@pytest.mark.parametrize("collection, kind", [
    (None, "drawn_none"),
    (drawn(shapely.Polygon([(120.6, 27.7), (120.62, 27.72), (120.62, 27.7), (120.6, 27.72)])), "drawn_invalid"),
    (drawn(shapely.box(120.0, 27.0, 121.0, 28.0)), "drawn_large"),
    (drawn(shapely.box(179.9, 27.0, 180.1, 27.01)), "drawn_range"),
    (drawn(shapely.box(120.6, 27.7, 120.61, 27.71), shapely.box(120.62, 27.7, 120.63, 27.71)), "drawn_many"),
    (drawn(shapely.box(120.6, 27.7, 120.60001, 27.70001)), "drawn_small"),
])
def test_a_drawn_boundary_is_checked_before_anything_is_written(collection, kind):
    from geodata.importing.drawn import drawn_polygon
    from geodata.importing.errors import ImportRefused

    with pytest.raises(ImportRefused) as err:
        drawn_polygon(collection)
    assert err.value.kind == kind


@pytest.mark.parametrize("target, street, code, name, kind", [
    ("new_street", None, "33038109", "新街道", "bad_street"),
    ("new_street", None, STREET, "新街道", "drawn_taken"),
    ("new_street", None, "330381099", "", "drawn_name"),
    ("new_community", None, None, "新社区", "drawn_no_street"),
    ("community", STREET, "330381002001", None, "drawn_no_community"),
    ("somewhere", STREET, None, None, "drawn_target"),
])
def test_saving_a_drawn_boundary_refuses_bad_choices(real_session, target, street, code, name, kind):
    from db import street_setup
    from geodata.importing.errors import ImportRefused

    with pytest.raises(ImportRefused) as err:
        street_setup.save_boundary(real_session, drawn(shapely.box(120.6, 27.7, 120.61, 27.71)), target, street, code,
                                   name, "admin", NOW)
    assert err.value.kind == kind


def test_a_corrected_community_boundary_is_one_batch_that_can_be_undone(real_session):
    from db import batches, cache, street_setup

    session = real_session
    community = "330381001003"
    old = session.get(m.Area, community).geometry
    version = cache.data_version(session)
    new = shapely.box(*old.buffer(0.001).bounds)
    done = street_setup.save_boundary(session, drawn(new), "community", STREET, community, None, "admin", NOW)
    session.expire_all()
    assert shapely.equals(session.get(m.Area, community).geometry, shapely.set_precision(new, 1e-6))
    assert cache.data_version(session) > version
    assert batches.list_batches(session)[0]["kind"] == "boundary"
    batches.rollback_batch(session, done["batch"], "admin", NOW)
    session.expire_all()
    assert session.get(m.Area, community).geometry.wkb == old.wkb
