"""Area codes (DESIGN §3): what level a code names and the codes of the areas it lies in, from the code alone.

street    330381001                 9 digits: the 统计用区划代码 prefix (6-digit county + 3)
community 330381001001              street + 3
grid      33038100100101            community + 2 (CJ/T 349 style)
compound  330381001001X001          community + X + 3 digits (more past 999: generated groups, big imports)
building  330381001001X001B001      compound + B + 3 digits (more past 999)

A compound's grid is not in its code (compounds are numbered per community and move between grids): it is the
compound's parent_code.
"""
from __future__ import annotations

import re

STREET_DIGITS = 9
COMMUNITY_DIGITS = 12
GRID_DIGITS = 14
COMPOUND_MARK = "X"
BUILDING_MARK = "B"
NUMBER_WIDTH = 3  # compounds and buildings: at least 3 digits, more where a community or compound has over 999
_CODE = re.compile(r"^[0-9]{9}([0-9]{3}([0-9]{2}|X[0-9]{3,6}(B[0-9]{3,6})?)?)?$")
LEVELS = ("street", "community", "grid", "compound", "building")


def is_wellformed(code: str | None) -> bool:
    return isinstance(code, str) and bool(_CODE.match(code))


def level_of(code: str | None) -> str | None:
    """'street', 'community', 'grid', 'compound' or 'building'; None for a code of no known shape."""
    if not is_wellformed(code):
        return None
    if BUILDING_MARK in code:
        return "building"
    if COMPOUND_MARK in code:
        return "compound"
    return {STREET_DIGITS: "street", COMMUNITY_DIGITS: "community", GRID_DIGITS: "grid"}[len(code)]


def is_building(code: str | None) -> bool:
    return level_of(code) == "building"


def is_grid(code: str | None) -> bool:
    return level_of(code) == "grid"


def street_of(code: str | None) -> str | None:
    """The street a well-formed code lies in (itself for a street)."""
    return code[:STREET_DIGITS] if is_wellformed(code) else None


def community_of(code: str | None) -> str | None:
    """The community a code lies in (itself for a community); None for a street or a malformed code."""
    return code[:COMMUNITY_DIGITS] if level_of(code) not in (None, "street") else None


def grid_of(code: str | None) -> str | None:
    """The grid a grid code names; None for every other level (a compound's grid is its parent_code)."""
    return code if is_grid(code) else None


def compound_of(code: str | None) -> str | None:
    """The compound of a building code (itself for a compound); None above the compound."""
    level = level_of(code)
    if level == "compound":
        return code
    if level == "building":
        return code.split(BUILDING_MARK, 1)[0]
    return None


def compound_prefix(code: str) -> str:
    """What the codes of every compound of the community holding `code` begin with."""
    community = community_of(code)
    if community is None:
        raise ValueError(f"{code!r} lies in no community")
    return community + COMPOUND_MARK


def building_prefix(compound_code: str) -> str:
    """What the codes of every building of a compound begin with."""
    if level_of(compound_code) != "compound":
        raise ValueError(f"{compound_code!r} is not a compound code")
    return compound_code + BUILDING_MARK


def within(code: str | None, area_code: str | None) -> bool:
    """True when `code` is `area_code` or lies inside it (codes nest)."""
    return bool(code) and bool(area_code) and code.startswith(area_code)


def number_of(code: str) -> str:
    """The last part of a code that numbers it within its parent: 'X012' → '012', a community's last 3 digits."""
    level = level_of(code)
    if level == "building":
        return code.rsplit(BUILDING_MARK, 1)[1]
    if level == "compound":
        return code.rsplit(COMPOUND_MARK, 1)[1]
    if level == "grid":
        return code[COMMUNITY_DIGITS:]
    if level == "community":
        return code[STREET_DIGITS:]
    raise ValueError(f"{code!r} has no number within a parent")
