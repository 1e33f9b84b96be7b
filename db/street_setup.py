"""Setting up a street: what it has and lacks, the next step, what looks wrong, and boundaries drawn by hand."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import shapely
from sqlalchemy import distinct, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from db import batches, cache, models as m
from db.demo_mode import refuse_import_into_demo
from geodata import codes, crs
from geodata.importing import hierarchy
from geodata.importing.drawn import drawn_polygon
from geodata.importing.errors import ImportRefused
from workflow.vocab import STREET_CODE_TERM

# in the order a street is best built: each needs the ones before it (DESIGN §3, docs/import.md)
STEPS = ("boundary", "communities", "grids", "compounds", "buildings", "roads", "service_points", "posts", "volunteers")
UNCOVERED_SHOWN = 0.01  # a sliver under 1 % of the street outside every grid is a drawing tolerance, not a gap
# a community's area in no grid is reported when a gap of GAP_REPORTED_M2 is left once slivers narrower than
# SLIVER_M are taken out: those are the rounding of shared edges (6 decimals ≈ 0.1 m), not places to click on
GAP_REPORTED_M2 = 1.0
SLIVER_M = 1.0
NAMES_SHOWN = 5
AREA_FEATURES = ("park", "school", "market")  # base-map polygons, not lines anyone walks along


def list_streets(session: Session) -> list[dict]:
    rows = session.execute(select(m.Area.code, m.Area.name).where(m.Area.level == "street").order_by(m.Area.code))
    return [{"code": c, "name": n} for c, n in rows]


def street_checklist(session: Session, street: str) -> dict | None:
    """Counts of every kind the street needs (one query per kind), the first missing step, and warnings."""
    row = session.execute(select(m.Area.name, m.Area.geometry, m.Area.generated)
                          .where(m.Area.code == street, m.Area.level == "street")).one_or_none()
    if row is None:
        return None
    like = f"{street}%"
    levels = dict(session.execute(select(m.Area.level, func.count()).where(m.Area.code.like(like),
                                                                           m.Area.level != "street")
                                  .group_by(m.Area.level)).all())
    counts = {
        "boundary": int(row.geometry is not None and not row.geometry.is_empty),
        "communities": levels.get("community", 0), "grids": levels.get("grid", 0),
        "compounds": levels.get("compound", 0),
        "buildings": _count(session, m.Building.code, m.Building.street_code == street),
        "roads": _count(session, m.BasemapFeature.id, m.BasemapFeature.street_code == street,
                        m.BasemapFeature.kind.not_in(AREA_FEATURES)),
        "service_points": _count(session, m.ServicePoint.code, m.ServicePoint.street_code == street),
        "posts": _count(session, m.VolunteerPost.code, m.VolunteerPost.street_code == street),
        "volunteers": _volunteers(session, street),
    }
    missing = [k for k in STEPS if not counts[k]]
    return {"code": street, "name": row.name, "counts": counts, "next": missing[0] if missing else None,
            "warnings": _warnings(session, street, row, counts)}


def _count(session: Session, column, *where) -> int:
    return int(session.execute(select(func.count(column)).where(*where)).scalar())


def _volunteers(session: Session, street: str) -> int:
    """People living in the street or holding one of its posts."""
    lives = select(m.Building.code).where(m.Building.street_code == street)
    serves = select(m.Assignment.volunteer_id).join(m.VolunteerPost, m.VolunteerPost.code == m.Assignment.post_code) \
        .where(m.VolunteerPost.street_code == street)
    return int(session.execute(select(func.count(distinct(m.Volunteer.id)))
                               .where(or_(m.Volunteer.home_building_code.in_(lives), m.Volunteer.id.in_(serves))))
               .scalar())


def _warnings(session: Session, street: str, row, counts: dict) -> list[dict]:
    out = []
    if row.generated:
        out.append({"kind": "generated_boundary"})
    if counts["grids"]:
        out += _grid_gaps(session, street, row.geometry)
    if counts["buildings"]:
        generated = int(session.execute(
            select(func.count(m.Building.code)).join(m.Area, m.Area.code == m.Building.compound_code)
            .where(m.Building.street_code == street, m.Area.generated.is_(True))).scalar())
        if generated:
            out.append({"kind": "outside_compounds", "count": generated, "share": generated / counts["buildings"]})
        empty = int(session.execute(
            select(func.count(m.Area.code)).where(m.Area.level == "compound", m.Area.code.like(f"{street}%"),
                                                  ~exists().where(m.Building.compound_code == m.Area.code))).scalar())
        if empty:
            out.append({"kind": "empty_compounds", "count": empty})
    return out


def _grid_gaps(session: Session, street: str, boundary) -> list[dict]:
    """Communities without a grid, and the share of the street's area no grid covers."""
    rows = session.execute(select(m.Area.code, m.Area.name, m.Area.level, m.Area.geometry)
                           .where(m.Area.code.like(f"{street}%"), m.Area.level.in_(("community", "grid")))
                           .order_by(m.Area.code)).all()
    grids = [r.geometry for r in rows if r.level == "grid" and r.geometry is not None]
    with_grids = {codes.community_of(r.code) for r in rows if r.level == "grid"}
    bare = [r.name for r in rows if r.level == "community" and r.code not in with_grids]
    out = []
    if bare:
        out.append({"kind": "communities_without_grids", "count": len(bare), "names": bare[:NAMES_SHOWN]})
    if boundary is not None and not boundary.is_empty and boundary.area > 0:
        # degrees² are fine for a share: the street spans a fraction of a degree of latitude
        covered = shapely.area(shapely.intersection(shapely.make_valid(boundary),
                                                    shapely.union_all(grids))) if grids else 0.0
        share = max(0.0, 1.0 - covered / boundary.area)
        if share > UNCOVERED_SHOWN:
            out.append({"kind": "uncovered", "share": share})
    return out


def community_gaps(session: Session, communities, planned: dict | None = None) -> list[dict]:
    """The area of each community that none of its grids covers, in m² and as a share of the community, largest
    first; communities whose gaps are all slivers (SLIVER_M) are left out. A case taken in there gets the
    nearest grid (db/spatial.locate), so the person importing grids is told where that will happen.

    `planned` ({grid code: (community code, shape)}) are grids an import is about to write: they count instead of
    what is stored under their codes, so a preview reports what its commit would leave.
    """
    planned = planned or {}
    rows = session.execute(select(m.Area.code, m.Area.name, m.Area.geometry).where(
        m.Area.level == "community", m.Area.code.in_(sorted(set(communities))))).all()
    stored = session.execute(select(m.Area.code, m.Area.parent_code, m.Area.geometry).where(
        m.Area.level == "grid", m.Area.parent_code.in_([r.code for r in rows]))).all()
    grids: dict[str, dict] = {}
    for code, parent, shape in stored:
        grids.setdefault(parent, {})[code] = shape
    for code, (parent, shape) in planned.items():
        for held in grids.values():
            held.pop(code, None)
        grids.setdefault(parent, {})[code] = shape
    out = []
    for code, name, shape in rows:
        if shape is None or shape.is_empty:
            continue
        shape = shapely.make_valid(shape)
        held = list(grids.get(code, {}).values())
        gap = shapely.difference(shape, shapely.make_valid(shapely.union_all(held))) if held else shape
        metric = crs.metric_crs(*shape.centroid.coords[0])
        whole_m, gap_m = gpd.GeoSeries([shape, gap], crs=crs.WGS84).to_crs(metric).values
        whole, missing = whole_m.area, gap_m.area
        real = gap_m.buffer(-SLIVER_M / 2, join_style="mitre").buffer(SLIVER_M / 2, join_style="mitre")
        if real.area >= GAP_REPORTED_M2:
            out.append({"code": code, "name": name, "m2": round(float(missing)),
                        "share": float(missing / whole) if whole else 1.0})
    return sorted(out, key=lambda g: (-g["m2"], g["code"]))


TARGETS = ("new_street", "street", "new_community", "community")


def save_boundary(session: Session, collection: dict | None, target: str, street: str | None, code: str | None,
                  name: str | None, user: str | None, now: dt.datetime) -> dict:
    """Save a polygon drawn on the map as a new street (9-digit code and name), the chosen street's boundary, a new
    community of the chosen street, or an existing community's boundary; one undoable batch. ImportRefused when not.
    """
    refuse_import_into_demo(session)
    if target not in TARGETS:
        raise ImportRefused("drawn_target", f"unknown target {target!r}")
    geom = drawn_polygon(collection)
    code, name = (code or "").strip(), (name or "").strip()
    if target in ("new_street", "new_community") and not 1 <= len(name) <= 100:
        raise ImportRefused("drawn_name", "a name of 1–100 characters is needed")
    if target == "new_street":
        if codes.level_of(code) != "street":
            raise ImportRefused("bad_street", f"street code {code!r} must be 9 digits ({STREET_CODE_TERM})", code=code)
        if session.get(m.Area, code) is not None:
            raise ImportRefused("drawn_taken", f"area {code} exists already: choose it and replace its boundary",
                                code=code)
    elif not street or session.execute(select(m.Area.code).where(m.Area.code == street, m.Area.level == "street")) \
            .scalar() is None:
        raise ImportRefused("drawn_no_street", "choose a street first")
    if target == "community":
        level = session.execute(select(m.Area.level).where(m.Area.code == code)).scalar()
        if level != "community" or not code.startswith(street):
            raise ImportRefused("drawn_no_community", f"{code!r} is not a community of street {street}", code=code)
    bbox = dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), geom.bounds))
    batch = batches.record_batch(session, "boundary", batches.Origin(None, user, now), "EPSG:4326")
    if target in ("new_street", "new_community"):
        if target == "new_community":
            taken = session.execute(select(m.Area.code).where(m.Area.code.like(f"{street}%"),
                                                              m.Area.level == "community")).scalars()
            try:
                code = hierarchy.next_codes(street, set(taken), 1, 3)[0]
            except OverflowError as err:
                raise ImportRefused("codes_full", str(err), prefix=street) from None
        level, parent = ("street", None) if target == "new_street" else ("community", street)
        session.execute(insert(m.Area), [{"code": code, "level": level, "name": name, "parent_code": parent,
                                          "households": 0, "residents": 0, "elderly": 0, "party_members": 0,
                                          "buildings": 0, "geometry": geom, "generated": False, **bbox}])
        batches.record_created(session, batch, "area", [code])
        counts = {"new": 1, "updated": 0}
    else:
        code = street if target == "street" else code
        batches.record_before(session, batch, "area", [code], "updated")
        session.execute(update(m.Area).where(m.Area.code == code).values(geometry=geom, generated=False, **bbox))
        counts = {"new": 0, "updated": 1}
    batches.record_counts(session, batch, counts)
    cache.mark_changed(session, cache.GEOMETRY)
    session.flush()
    return {"batch": batch, "code": code, **counts}
