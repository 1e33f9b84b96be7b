"""A whole street from an OpenStreetMap extract, in one transaction: boundary, communities, compounds (and generated
groups for buildings no compound holds), buildings, walkable ways and service points. Re-running changes nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import batches, estimates, models as m, street_setup
from db.demo_mode import refuse_import_into_demo
from db.engine import session_scope
from db.importer import Plan, areas_frame, as_previewed, commit_plan, plan_import
from geodata import codes, crs, onboarding, osm
from geodata.importing import hierarchy
from geodata.importing.errors import ImportRefused
from geodata.importing.prepare import prepare
from geodata.importing.readers import Source, read_source
from workflow.vocab import GENERATED_COMMUNITY_REST, GENERATED_COMMUNITY_WHOLE, GENERATED_GROUP
from workflow.vocab import STREET_CODE_TERM



@dataclass
class OsmImport:
    """What an OSM import did (or would do, on a dry run), layer by layer."""

    street_code: str
    street_name: str
    street_from: str  # "boundary" (admin_level N), "outline" (the data's own) or "stored"
    communities_from: str
    batch_id: int | None = None  # the one import batch all layers are written in (undone as a whole)
    plans: dict[str, Plan] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)  # what the extract itself lacked (clipped ways, …)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict]:
        return {step: plan.counts for step, plan in self.plans.items()}

    @property
    def changed(self) -> int:
        return sum(p.counts["new"] + p.counts["updated"] for p in self.plans.values())


def _prepared(frame: gpd.GeoDataFrame, kind: str):
    """Our frame through the importer's own checks (hygiene, values, lengths), as `import FILE.osm.pbf` goes."""
    return prepare(Source(fmt="osm", layers={kind: frame}, declared_crs=crs.WGS84, crs_explicit=True), kind)


def _inside(frame: gpd.GeoDataFrame, area) -> gpd.GeoDataFrame:
    """The features whose point on the surface lies in `area`."""
    if frame.empty:
        return frame
    probe = shapely.point_on_surface(frame.geometry.values)
    return frame[shapely.contains(area, probe)]


def _run(session: Session, result: OsmImport, step: str, frame: gpd.GeoDataFrame, kind: str, **options) -> Plan:
    prepared = _prepared(frame, kind)
    plan = plan_import(session, prepared, **options)
    if step == "groups":
        _name_groups(plan)
    commit_plan(session, plan, batch_id=result.batch_id)
    result.plans[step] = plan
    return plan


def _name_groups(plan: Plan) -> None:
    """New generated groups are named by their number: 街区001, not 小区001."""
    for row in plan.rows_new:
        row["name"] = f"{GENERATED_GROUP}{codes.number_of(row['code'])}"  # its number, however many digits


def import_osm(session: Session, path: Path, street_code: str, street_name: str | None, rules: dict,
               street_level: int | None = None, community_level: int | None = None,
               origin: batches.Origin | None = None) -> OsmImport:
    """Bring the street in, writing in `session` as one import batch (the caller commits, or rolls back for a dry
    run)."""
    refuse_import_into_demo(session)
    if not (len(street_code) == 9 and street_code.isdigit()):
        raise ImportRefused("bad_street", f"street code {street_code!r} must be 9 digits ({STREET_CODE_TERM})",
                            code=street_code)
    extract = osm.read_extract(path, rules)
    levels = {**rules["admin_levels"], **({"street": street_level} if street_level else {}),
              **({"community": community_level} if community_level else {})}
    stored = session.get(m.Area, street_code)
    if stored is not None and stored.level != "street":
        raise ImportRefused("bad_street", f"{street_code} is a {stored.level}, not a street", code=street_code)
    name = street_name or (stored.name if stored else None)
    if not name:
        raise ImportRefused("need_street_name", "a new street needs --street-name", code=street_code)
    if stored is not None:
        street, street_from = stored.geometry, "stored"
    else:
        chosen = onboarding.pick_boundary(extract.boundaries, levels["street"], street_name, extract.buildings)
        if len(chosen):
            street, street_from = chosen.geometry.values[0], f"boundary admin_level={levels['street']}"
        elif len(extract.buildings):
            metric = crs.metric_crs_around(extract.buildings)
            street, street_from = onboarding.outline(extract.buildings, metric), "outline"
        else:
            raise ImportRefused("no_outline", f"{path.name} has no street boundary (admin_level={levels['street']}) "
                                "and no buildings to draw one around")
    street = shapely.make_valid(street)
    result = OsmImport(street_code, name, street_from, "stored", problems=list(extract.problems))
    result.batch_id = batches.record_batch(session, "osm", origin or batches.Origin(Path(path).name), crs.WGS84)
    buildings = _inside(extract.buildings, street)
    metric = crs.metric_crs_around(gpd.GeoSeries([street], crs=crs.WGS84))

    communities = areas_frame(session, "community", street_code)
    if communities.empty:
        found = onboarding.communities_within(street, extract.boundaries, levels["community"], buildings,
                                              f"{name}{GENERATED_COMMUNITY_WHOLE}", f"{name}{GENERATED_COMMUNITY_REST}")
        generated = found.generated.to_numpy(bool)
        result.communities_from = " + ".join(
            ([f"boundary admin_level={levels['community']}"] if (~generated).any() else [])
            + (["generated"] if generated.any() else []))
        plan = _run(session, result, "communities", found, "communities", street_code=street_code, street_name=name)
        if plan.street_new is not None:
            # the street is the boundary chosen (or the data's outline), not the union of its communities
            plan.notes = [n for n in plan.notes if not n.startswith("new street")]
            _set_street_shape(session, street_code, street, generated=street_from == "outline")
    compounds = onboarding.unnest_compounds(extract.compounds)
    compounds = compounds[shapely.area(shapely.intersection(compounds.geometry.values, street))
                          > 0.5 * shapely.area(compounds.geometry.values)] if len(compounds) else compounds
    _run(session, result, "compounds", compounds, "compounds")

    group_frame = _groups_for(session, street_code, buildings, extract.ways, metric)
    if len(group_frame):
        _run(session, result, "groups", group_frame, "compounds")
    _mark_generated(session, street_code)
    _run(session, result, "buildings", buildings, "buildings")
    # the estimate (估算) knows a school from a block of flats by the building tag, which is not stored
    estimates.estimate_missing(session, {street_code}, kinds=dict(zip(buildings.source_id, buildings.building)))

    ways = extract.ways[shapely.intersects(extract.ways.geometry.values, street)] if len(extract.ways) else \
        extract.ways
    ways = ways.assign(noded=True)
    _run(session, result, "roads", ways, "roads")
    _run(session, result, "service-points", _inside(extract.points, street), "service-points")
    outside = len(extract.buildings) - len(buildings)
    if outside:
        result.notes.append(f"{outside} buildings of the extract lie outside the street and were left out")
    return result


def _groups_for(session: Session, street_code: str, buildings: gpd.GeoDataFrame, ways: gpd.GeoDataFrame,
                metric: str) -> gpd.GeoDataFrame:
    """Generated groups for the buildings of this street that overlap no compound yet, community by community.

    Groups made before stay as they are (a later roads import would draw other blocks): only buildings that no
    compound, real or generated, holds get new groups, cut around every compound there is."""
    held_by = areas_frame(session, "compound", street_code)
    held = np.zeros(len(buildings), bool)
    if len(held_by) and len(buildings):
        bi, _ = shapely.STRtree(held_by.geometry.values).query(buildings.geometry.values, predicate="intersects")
        held[np.unique(bi)] = True
    orphans = buildings[~held]
    groups = [onboarding.generated_groups(community, _inside(orphans, community), ways, held_by, metric)
              for community in areas_frame(session, "community", street_code).geometry.values]
    frame = pd.concat(groups, ignore_index=True) if groups else pd.DataFrame(columns=["source_id", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs.WGS84)


def _mark_generated(session: Session, street_code: str) -> None:
    session.execute(update(m.Area).where(m.Area.code.like(f"{street_code}%"), m.Area.source_id.like("gen:%"))
                    .values(generated=True).execution_options(synchronize_session=False))


def group_loose_buildings(session: Session, buildings: gpd.GeoDataFrame, batch_id: int) -> int:
    """Before a buildings file is planned: the generated groups (街区) its buildings need where no compound holds
    them, written in the session as part of batch `batch_id`, with the street's stored roads as block edges.
    How many groups were made."""
    if buildings.empty:
        return 0
    probe = gpd.GeoSeries(shapely.point_on_surface(buildings.geometry.values), crs=crs.WGS84)
    streets = hierarchy.containing(probe, areas_frame(session, "street"))
    made = 0
    for street_code in sorted(set(streets.dropna())):
        mine = buildings[(streets == street_code).to_numpy()]
        ways = session.execute(select(m.BasemapFeature.geometry).where(m.BasemapFeature.street_code == street_code)
                               ).scalars().all()
        lines = gpd.GeoDataFrame(geometry=[g for g in ways if g.geom_type in ("LineString", "MultiLineString")],
                                 crs=crs.WGS84)
        metric = crs.metric_crs_around(mine)
        groups = _groups_for(session, street_code, mine, lines, metric)
        if groups.empty:
            continue
        plan = plan_import(session, _prepared(groups, "compounds"))
        _name_groups(plan)
        commit_plan(session, plan, batch_id=batch_id)
        _mark_generated(session, street_code)
        made += plan.counts["new"]
    return made


def _set_street_shape(session: Session, code: str, shape, generated: bool) -> None:
    """The street's boundary is the one chosen (a boundary or the outline), not the union of its communities."""
    shape = shapely.set_precision(shape, 1e-6)
    x0, y0, x1, y1 = shape.bounds
    session.execute(update(m.Area).where(m.Area.code == code).values(
        geometry=shape, min_lon=x0, min_lat=y0, max_lon=x1, max_lat=y1,
        generated=generated).execution_options(synchronize_session=False))


def run_import_osm(path: Path, street_code: str, street_name: str | None, rules: dict, dry_run: bool = False,
                   street_level: int | None = None, community_level: int | None = None,
                   origin: batches.Origin | None = None, token: str | None = None,
                   expect: int | None = None) -> OsmImport:
    """All or nothing: a refusal or a failure anywhere leaves the database as it was; a dry run writes nothing.

    `token`: the upload this commits (claimed first, so it imports once); `expect`: what its preview would change.
    """
    with session_scope() as session:
        if token is not None:
            batches.consume_upload(session, token, "osm", origin and origin.user, (origin or batches.Origin()).now)
        result = import_osm(session, Path(path), street_code, street_name, rules, street_level, community_level,
                            origin)
        if dry_run:
            session.rollback()
        else:
            as_previewed(expect, result.changed)
    return result


def _grid_gaps(session: Session, plan: Plan) -> list[dict]:
    """Notices of the area each community the grids go into keeps outside every grid, with the planned grids in
    place: a case taken in there goes to the nearest grid, and the person importing should know where."""
    planned = {r["code"]: (r["parent_code"], r["geometry"]) for r in plan.rows_new + plan.rows_updated}
    gaps = street_setup.community_gaps(session, {parent for parent, _ in planned.values()}, planned)
    return [{"kind": "grid_gap", **gap} for gap in gaps]


def import_file(session: Session, path: Path, kind: str, crs: str | None, mapping: dict | None, dry_run: bool,
                street: str | None = None, street_name: str | None = None, layer: str | None = None,
                user: str | None = None, file_name: str | None = None) -> Plan:
    """Read, plan and (unless dry_run) write in `session` as one import batch by `user` (file_name: the name the
    file came with, when `path` is an upload's temporary copy). ImportRefused for bad input, before anything is
    written. A dry run rolls `session` back: give it a session of its own."""
    refuse_import_into_demo(session)  # the preview says so too: it is the same check as the commit's
    prepared = prepare(read_source(path), kind, crs, mapping, layer)
    batch_id = batches.record_batch(session, kind, batches.Origin(file_name or path.name, user), prepared.crs_used)
    # buildings no compound holds go into generated groups (街区) of their community, so none is "outside"
    grouped = group_loose_buildings(session, prepared.frame, batch_id) if kind == "buildings" else 0
    plan = plan_import(session, prepared, street, street_name)
    if kind == "grids":
        plan.notices += _grid_gaps(session, plan)
    if grouped:
        plan.notes.append(f"{grouped} generated groups ({GENERATED_GROUP}) for buildings that no compound holds")
        plan.counts["groups"] = grouped
    if dry_run:
        session.rollback()  # the batch and the groups were planned against, not kept
    else:
        commit_plan(session, plan, batch_id=batch_id)
    return plan
