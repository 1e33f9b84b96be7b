"""Where an area is and what lies below it: one area by code, the streets, an area's children and its drill path."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session, aliased

from db import cache, models as m, spatial
from db.access import SYSTEM, Viewer, scope_where
from geodata import codes
from workflow.textcheck import searchable

ROOT = {"code": None, "level": "root"}  # the view above the streets: every street (never modified)
LEVEL_COLUMN = {"street": "street_code", "community": "community_code", "grid": "grid_code",
                "compound": "compound_code", "building": "building_code"}
MAX_SEARCH = 50  # characters of a building search: longer than any compound and building name


@dataclass(frozen=True)
class AreaRef:
    code: str
    level: str
    name: str
    parent_code: str | None


def get_area(session: Session, code: str | None) -> dict | None:
    """An area (street, community, grid, compound) or a building by code, with its bounds; None if unknown.

    Read once per version of geometry: every callback of a drill asks for the same area. Never modify the dict.
    """
    level = codes.level_of(code)
    if level is None:
        return None
    return cache.cached(session, "area", code, lambda: _read_area(session, code, level), (cache.GEOMETRY,))


def _read_area(session: Session, code: str, level: str) -> dict | None:
    if level == "street":  # every street is read at once for the map (list_streets): no query of its own
        street = next((s for s in list_streets(session) if s["code"] == code), None)
        if street is None:
            return None
        x0, y0, x1, y1 = street["box"]
        return {"code": code, "level": "street", "name": street["name"], "parent_code": None,
                "bounds": [[y0, x0], [y1, x1]], "estimated": street["estimated"]}
    if level == "building":
        b = session.get(m.Building, code)
        if b is None:
            return None
        return {"code": b.code, "level": "building", "name": b.name, "parent_code": b.compound_code,
                "bounds": [[b.min_lat, b.min_lon], [b.max_lat, b.max_lon]], "point": [b.lon, b.lat],
                "facts": {"floors": b.floors, "units": b.units, "households": b.households,
                          "residents": b.residents, "elderly": b.elderly, "party_members": b.party_members,
                          "built_year": b.built_year}, "estimated": bool(b.estimated)}
    a = session.get(m.Area, code)
    if a is None:
        return None
    out = {"code": a.code, "level": a.level, "name": a.name, "parent_code": a.parent_code,
           "bounds": [[a.min_lat, a.min_lon], [a.max_lat, a.max_lon]], "estimated": bool(a.estimated)}
    if a.level == "grid":
        out["leader_name"] = a.leader_name
    if a.level == "compound":
        out["era"] = a.era
    return out


def under(column, code: str):
    """SQL: a code column holding `code` or a code inside it (codes nest, DESIGN §3)."""
    return column.like(f"{code}%")


def scope_clause(model, area: dict):
    """WHERE clause restricting `model` (which has *_code columns) to `area`; the root view is everything."""
    if area["level"] == "root":
        return true()
    return getattr(model, LEVEL_COLUMN[area["level"]]) == area["code"]


def children_where(area: dict) -> tuple[type, list] | None:
    """The next drill level below an area as (model, WHERE clauses): street → communities, community → compounds,
    grid → its compounds, compound → buildings; None below that. The panel's list and the map's drill layer both
    ask this, so they never disagree."""
    level = area["level"]
    if level == "root":
        return m.Area, [m.Area.level == "street"]
    if level == "street":
        return m.Area, [m.Area.parent_code == area["code"], m.Area.level == "community"]
    if level in ("community", "grid"):
        where = [m.Area.level == "compound", under(m.Area.code, codes.compound_prefix(area["code"]))]
        if level == "grid":
            where.append(m.Area.parent_code == area["code"])
        return m.Area, where
    if level == "compound":
        return m.Building, [m.Building.compound_code == area["code"]]
    return None


def breadcrumb(session: Session, area: dict) -> list[AreaRef]:
    """The drill path from the street down to `area` (grids are skipped unless they are the target)."""
    chain: list[AreaRef] = []
    current = area
    first = True
    while current is not None:
        if first or current["level"] != "grid":
            chain.append(AreaRef(current["code"], current["level"], current["name"], current["parent_code"]))
        first = False
        current = get_area(session, current["parent_code"]) if current["parent_code"] else None
    return chain[::-1]


def locate_spot(session: Session, lon: float, lat: float) -> tuple[dict, dict]:
    """(codes of the areas and building containing a point, {code: name}) for the picked-spot panel."""
    place = spatial.locate(session, lon, lat)
    names = {}
    for code in place.values():
        if code:
            area = get_area(session, code)
            names[code] = area["name"] if area else code
    return place, names


def search_buildings(session: Session, query: str, viewer: Viewer = SYSTEM, limit: int = 30) -> list[dict]:
    """Buildings whose compound or own name contains `query`, inside the viewer's scope: 「锦阳御园 3幢」."""
    words = searchable(query, MAX_SEARCH)
    if not words:
        return []
    compound = aliased(m.Area)
    label = compound.name + " " + m.Building.name
    where = [label.contains(words, autoescape=True)]
    where.append(scope_where(m.Building, viewer))
    rows = session.execute(select(m.Building.code, compound.name, m.Building.name)
                           .join(compound, compound.code == m.Building.compound_code)
                           .where(*where).order_by(compound.name, m.Building.code).limit(limit)).all()
    return [{"code": code, "label": f"{c_name} {b_name}"} for code, c_name, b_name in rows]


def list_streets(session: Session) -> list[dict]:
    """Every street by code, with its counts and its box (min_lon, min_lat, max_lon, max_lat). Never modify."""

    def build() -> list[dict]:
        rows = session.execute(select(m.Area.code, m.Area.name, m.Area.households, m.Area.residents,
                                      m.Area.estimated, m.Area.min_lon, m.Area.min_lat, m.Area.max_lon, m.Area.max_lat)
                               .where(m.Area.level == "street").order_by(m.Area.code))
        return [{"code": r.code, "name": r.name, "level": "street", "households": r.households,
                 "residents": r.residents, "estimated": bool(r.estimated),
                 "box": (r.min_lon, r.min_lat, r.max_lon, r.max_lat)} for r in rows]

    return cache.cached(session, "streets", None, build, (cache.GEOMETRY,))


def names_in_street(session: Session, street_code: str) -> dict[str, tuple[str, bool]]:
    """{code: (name, estimated)} of every area of a street: gaps and rankings name their areas from it."""

    def build() -> dict[str, tuple[str, bool]]:
        rows = session.execute(select(m.Area.code, m.Area.name, m.Area.estimated)
                               .where(under(m.Area.code, street_code))).all()
        return {r.code: (r.name, bool(r.estimated)) for r in rows}

    return cache.cached(session, "names", street_code, build, (cache.GEOMETRY,))


def choices(session: Session, viewer: Viewer = SYSTEM) -> list[dict]:
    """Every street, community, grid and compound the viewer may see, in tree order, as {code, level, name, label}:
    the label names the parents below the street ("翠亭社区 · 第2网格 · 金港公寓"), so a search finds any part."""
    where = [m.Area.level.in_(("street", "community", "grid", "compound"))]
    if viewer.scope_code is not None:
        where.append(under(m.Area.code, viewer.scope_code))
    rows = session.execute(select(m.Area.code, m.Area.level, m.Area.name, m.Area.parent_code)
                           .where(*where).order_by(m.Area.code)).all()
    labels: dict[str, str] = {}
    out = []
    for r in rows:
        parent = labels.get(r.parent_code) if r.level != "community" else None
        labels[r.code] = f"{parent} · {r.name}" if parent else r.name
        out.append({"code": r.code, "level": r.level, "name": r.name, "label": labels[r.code]})
    return out


def streets_bounds(session: Session) -> list[list[float]] | None:
    """Leaflet bounds of every street together."""
    boxes = [s["box"] for s in list_streets(session) if s["box"][0] is not None]
    if not boxes:
        return None
    return [[min(b[1] for b in boxes), min(b[0] for b in boxes)], [max(b[3] for b in boxes), max(b[2] for b in boxes)]]
