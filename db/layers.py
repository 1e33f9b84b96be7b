"""Map layers of one area as GeoJSON, cached by (database, area, layer, versions of the data each layer reads)."""
from __future__ import annotations

from typing import Callable

import numpy as np
import shapely
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from db import cache, models as m, spatial, walking
from db.access import SYSTEM, Viewer, case_scope, wish_scope
from db.areas import LEVEL_COLUMN, children_where, scope_clause, under
from db.coverage import COVERAGE_READS, building_distances
from db.dashboard import filled_posts
from geodata import codes, crs, payload, standards
from workflow.vocab import GAP_TYPES, OPEN_STATUSES, SERVICE_TYPES
from workflow import wishes as wish_rules
import settings

LAYERS = ("drill", "context", "grids", "basemap", "basemap_all", "cases", "service_points", "posts", "gaps", "wishes")
BY_VIEWER = ("cases", "wishes")  # layers whose rows depend on who is looking
_OUTLINES = (cache.GEOMETRY,)
READS = {"drill": _OUTLINES, "context": _OUTLINES, "grids": _OUTLINES, "basemap": _OUTLINES, "basemap_all": _OUTLINES,
         "cases": (cache.CASES,), "wishes": (cache.WISHES,), "service_points": (cache.POINTS,),
         "posts": (cache.PEOPLE,), "gaps": COVERAGE_READS}


def get_layer(session: Session, area: dict, layer: str, option: str | None = None, gcj02: bool = False,
              viewer: Viewer = SYSTEM) -> dict:
    """A FeatureCollection for `layer` in `area` (as areas.get_area gives it; areas.ROOT: every street)."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}")

    def build() -> dict:
        if layer in BY_VIEWER:
            collection = (_cases if layer == "cases" else _wishes)(session, area, viewer)
        else:
            collection = _BUILDERS[layer](session, area, option)
        return crs.geojson_to_gcj02(collection) if gcj02 else collection

    who = viewer.key if layer in BY_VIEWER else None
    return cache.cached(session, "layer", (area["code"], layer, option, gcj02, who), build, READS[layer])


def drill_children(session: Session, area: dict) -> list[dict]:
    """The areas one level below `area` (code, name, level), as the panel and the API list them: the features of the
    drill layer the map draws (areas.children_where), so a drill asks the database for them once."""
    if area["level"] == "building":
        return []
    return [{k: f["properties"][k] for k in ("code", "name", "level")}
            for f in get_layer(session, area, "drill")["features"]]


def grids_of(session: Session, community: dict) -> list[dict]:
    """The grids of a community (code, name, leader_name): the features of its grid layer."""
    return [{"code": p["code"], "name": p["name"], "leader_name": p["leader"]}
            for p in (f["properties"] for f in get_layer(session, community, "grids")["features"])]


def _areas(session: Session, *where, simplify_m: float = 0.0, extra: Callable[[m.Area], dict] | None = None) -> dict:
    rows = session.execute(select(m.Area).where(*where).order_by(m.Area.code)).scalars().all()
    props = [{"code": a.code, "name": a.name, "level": a.level, "households": a.households, "elderly": a.elderly,
              **(extra(a) if extra else {})} for a in rows]
    if simplify_m:
        # PostGIS simplifies and encodes in SQL; SQLite falls back to shapely below.
        encoded = spatial.simplified_geojson(session, m.Area, and_(*where), simplify_m / payload.METRES_PER_DEGREE)
        if encoded is not None:
            return payload.from_geojson_text([g for _, g in encoded], props)
    return payload.feature_collection([a.geometry for a in rows], props, simplify_m)


def _buildings(session: Session, *where) -> dict:
    rows = session.execute(select(m.Building.code, m.Building.name, m.Building.floors, m.Building.households,
                                  m.Building.elderly, m.Building.geometry).where(*where).order_by(m.Building.code)).all()
    props = [{"code": r.code, "name": r.name, "level": "building", "floors": r.floors, "households": r.households,
              "elderly": r.elderly} for r in rows]
    return payload.feature_collection([r.geometry for r in rows], props)


def _drill(session: Session, area: dict, _option) -> dict:
    """What a click drills into: the children of the area in view (of a building's compound, in its view)."""
    model, where = children_where(_building_to_compound(area))
    if model is m.Building:
        return _buildings(session, *where)
    if area["level"] in ("community", "grid"):
        return _areas(session, *where, extra=lambda a: {"era": a.era})
    return _areas(session, *where, simplify_m={"root": 2, "street": 1}[area["level"]])


def _context(session: Session, area: dict, _option) -> dict:
    """Outlines drawn for orientation but not clickable."""
    level = area["level"]
    if level == "street":
        return _areas(session, m.Area.level == "compound", under(m.Area.code, area["code"]))
    if level in ("community", "grid"):
        return _buildings(session, getattr(m.Building, LEVEL_COLUMN[level]) == area["code"])
    if level in ("compound", "building"):
        current = area["code"] if level == "compound" else area["parent_code"]
        return _areas(session, m.Area.level == "compound", under(m.Area.code, codes.compound_prefix(current)),
                      extra=lambda a: {"current": a.code == current, "era": a.era})
    return payload.feature_collection([], [])


def _grids(session: Session, area: dict, _option) -> dict:
    """Grid outlines of the street or community in view, each labelled with its 网格长."""
    level = area["level"]
    if level == "root":
        return payload.feature_collection([], [])
    prefix = area["code"] if level == "street" else codes.community_of(area["code"])
    # Labels would bury a whole street; they appear from the community down.
    labelled = level != "street"
    return _areas(session, m.Area.level == "grid", under(m.Area.code, prefix),
                  extra=lambda a: {"leader": a.leader_name, "label": labelled})


# Walkways inside compounds: drawn once the view is inside a community, and not on the residents' overview.
PATHS = "path"


PATHS_PAD_DEG = 0.0005  # ≈ 50 m: the walkways just outside a community's edge show too


def _basemap(session: Session, area: dict, option: str | None) -> dict:
    where = [] if area["level"] == "root" else [m.BasemapFeature.street_code == codes.street_of(area["code"])]
    if area["level"] == "root":
        where.append(m.BasemapFeature.kind == "arterial")
    elif area["level"] == "street" and option != PATHS:
        where.append(m.BasemapFeature.kind != PATHS)
    rows = session.execute(select(m.BasemapFeature).where(*where).order_by(m.BasemapFeature.id)).scalars().all()
    if area["level"] not in ("root", "street") and area.get("bounds"):
        # below the street: the walkways of the area in view, not of the whole street
        (south, west), (north, east) = area["bounds"]
        view = shapely.box(west - PATHS_PAD_DEG, south - PATHS_PAD_DEG, east + PATHS_PAD_DEG, north + PATHS_PAD_DEG)
        rows = [r for r in rows if r.kind != PATHS or shapely.intersects(r.geometry, view)]
    return payload.feature_collection([r.geometry for r in rows], [{"kind": r.kind, "name": r.name} for r in rows])


def _cases(session: Session, area: dict, viewer: Viewer) -> dict:
    """Open cases the viewer may read. The deadline goes out as epoch ms (the instant, read in the street's zone) so the
    browser colours 红黄绿 by its own clock, whatever zone that browser is set to."""
    rows = session.execute(select(m.Case.code, m.Case.category, m.Case.status, m.Case.level, m.Case.deadline,
                                  m.Case.overdue_since, m.Case.reporter_name, m.Case.assignee, m.Case.description,
                                  m.Case.lon, m.Case.lat)
                           .where(scope_clause(m.Case, area), case_scope(viewer),
                                  m.Case.status.in_(OPEN_STATUSES))).all()
    props = [{"code": r.code, "category": r.category, "status": r.status, "level": r.level,
              "deadline": int(settings.aware(r.deadline).timestamp() * 1000),
              # the first deadline it missed, when escalation gave it a fresh one (超期升级), as epoch ms
              "overdueSince": int(settings.aware(r.overdue_since).timestamp() * 1000) if r.overdue_since else None,
              "reporter": viewer.name_hint(r.reporter_name),
              "assignee": r.assignee if viewer.sees_pii else None,
              # residents' own words may name people: not for the big screen
              "description": r.description if viewer.sees_pii else None} for r in rows]
    return payload.point_collection([r.lon for r in rows], [r.lat for r in rows], props)


def _wishes(session: Session, area: dict, viewer: Viewer) -> dict:
    """微心愿 still waiting or claimed, in the viewer's scope; what is wished and by whom it is taken, never the wisher."""
    rows = session.execute(select(m.Wish.code, m.Wish.title, m.Wish.status, m.Wish.claimant, m.Wish.published_at,
                                  m.Wish.lon, m.Wish.lat)
                           .where(scope_clause(m.Wish, area), wish_scope(viewer),
                                  m.Wish.status.in_(wish_rules.OPEN))).all()
    props = [{"code": r.code, "title": r.title, "status": r.status, "claimed": r.status == wish_rules.CLAIMED,
              "claimant": r.claimant if viewer.sees_pii else None,
              "published": r.published_at.strftime("%Y-%m-%d")} for r in rows]
    return payload.point_collection([r.lon for r in rows], [r.lat for r in rows], props)


def _service_points(session: Session, area: dict, _option) -> dict:
    """Every service point of the street in view: residents cross compound lines to reach them."""
    where = [] if area["level"] == "root" else [m.ServicePoint.street_code == codes.street_of(area["code"])]
    rows = session.execute(select(m.ServicePoint).where(*where).order_by(m.ServicePoint.code)).scalars().all()
    props = [{"code": r.code, "type": r.service_type, "name": r.name, "hours": r.hours, "capacity": r.capacity,
              "address": r.address, "phone": r.phone, "public": r.is_public} for r in rows]
    return payload.point_collection([r.lon for r in rows], [r.lat for r in rows], props)


def _posts(session: Session, area: dict, _option) -> dict:
    filled = filled_posts()
    rows = session.execute(select(m.VolunteerPost, func.coalesce(filled.c.n, 0))
                           .outerjoin(filled, filled.c.post_code == m.VolunteerPost.code)
                           .where(scope_clause(m.VolunteerPost, _building_to_compound(area)))
                           .order_by(m.VolunteerPost.code)).all()
    props = [{"code": p.code, "type": p.post_type, "name": p.name, "slots": p.slots_required, "filled": int(n),
              "staffed": int(n) >= p.slots_required, "schedule": p.schedule} for p, n in rows]
    return payload.point_collection([p.lon for p, _ in rows], [p.lat for p, _ in rows], props)


def _building_to_compound(area: dict) -> dict:
    """Posts belong to compounds: a building's view shows its compound's posts."""
    if area["level"] == "building":
        return {"code": area["parent_code"], "level": "compound"}
    return area


def _gaps(session: Session, area: dict, option: str | None) -> dict:
    """Every building of the area with its walking metres and minutes to the nearest point of a gap type."""
    service_type = option if option in SERVICE_TYPES else GAP_TYPES[0]
    if area["level"] == "root":
        return payload.feature_collection([], [])
    std = walking.get_standards(session)
    radius = standards.radius(std, service_type)
    buildings, dist = building_distances(session, area, service_type)
    limit = round(standards.minutes(std, radius), 1)
    props = []
    for d, r in zip(dist.to_numpy(), buildings.itertuples()):
        far = bool(d > radius)
        props.append({"code": r.code, "name": r.name, "households": int(r.households), "elderly": int(r.elderly),
                      "distance": None if np.isinf(d) else int(round(d)), "radius": radius, "gap": far,
                      "minutes": None if np.isinf(d) else round(float(standards.minutes(std, d)), 1),
                      "elderly_minutes": None if np.isinf(d) else round(float(standards.minutes(std, d, True)), 1),
                      "limit": limit})
    return payload.feature_collection(list(buildings.geometry.values), props)


def _basemap_all(session: Session, _area: dict, _option) -> dict:
    """Roads and places of every street (the residents' map shows them all; compound walkways are left out)."""
    rows = session.execute(select(m.BasemapFeature).where(m.BasemapFeature.kind != PATHS)
                           .order_by(m.BasemapFeature.id)).scalars().all()
    return payload.feature_collection([r.geometry for r in rows], [{"kind": r.kind, "name": r.name} for r in rows])


_BUILDERS = {"drill": _drill, "context": _context, "grids": _grids, "basemap": _basemap, "basemap_all": _basemap_all,
             "service_points": _service_points, "posts": _posts, "gaps": _gaps}
