"""Area codes: the level and the enclosing areas of every shape of code, generated ones included."""
from __future__ import annotations

import pytest

from geodata import codes

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

STREET = "330381001"
COMMUNITY = STREET + "001"
GRID = COMMUNITY + "02"
COMPOUND = COMMUNITY + "X007"
BUILDING = COMPOUND + "B012"


@pytest.mark.parametrize("code, level", [(STREET, "street"), (COMMUNITY, "community"), (GRID, "grid"),
                                         (COMPOUND, "compound"), (BUILDING, "building"),
                                         (COMMUNITY + "X1000", "compound"), (COMPOUND + "B1000", "building")])
def test_level_of_every_shape(code, level):
    assert codes.is_wellformed(code) and codes.level_of(code) == level
    assert codes.street_of(code) == STREET


@pytest.mark.parametrize("code", [None, "", "33038100", "3303810010", COMMUNITY + "X01", COMMUNITY + "B001",
                                  COMPOUND + "B01", GRID + "X001", "33038100a", STREET + " ", COMPOUND + "X001"])
def test_malformed_codes_have_no_level(code):
    assert not codes.is_wellformed(code)
    assert codes.level_of(code) is None and codes.street_of(code) is None and codes.community_of(code) is None


def test_enclosing_areas():
    assert codes.community_of(STREET) is None
    assert [codes.community_of(c) for c in (COMMUNITY, GRID, COMPOUND, BUILDING)] == [COMMUNITY] * 4
    assert codes.grid_of(GRID) == GRID and codes.grid_of(COMPOUND) is None  # a compound's grid is its parent_code
    assert codes.compound_of(BUILDING) == COMPOUND and codes.compound_of(COMPOUND) == COMPOUND
    assert codes.compound_of(COMMUNITY + "X1000B1000") == COMMUNITY + "X1000" and codes.compound_of(GRID) is None
    assert codes.is_building(BUILDING) and not codes.is_building(COMPOUND)
    assert codes.is_grid(GRID) and not codes.is_grid(COMMUNITY)


def test_prefixes_of_children():
    assert codes.compound_prefix(GRID) == COMMUNITY + "X" and codes.compound_prefix(BUILDING) == COMMUNITY + "X"
    assert codes.building_prefix(COMPOUND) == COMPOUND + "B"
    with pytest.raises(ValueError):
        codes.compound_prefix(STREET)
    with pytest.raises(ValueError):
        codes.building_prefix(COMMUNITY)
    assert codes.within(BUILDING, COMMUNITY) and not codes.within(COMMUNITY, BUILDING) and not codes.within(None, STREET)


def test_number_within_parent():
    assert [codes.number_of(c) for c in (COMMUNITY, GRID, COMPOUND, BUILDING)] == ["001", "02", "007", "012"]
    assert codes.number_of(COMMUNITY + "X1000") == "1000"
    with pytest.raises(ValueError):
        codes.number_of(STREET)
