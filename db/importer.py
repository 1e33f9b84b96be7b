"""Import prepared features: a dry-run plan (new / updated / unchanged / rejected), then one all-or-nothing write."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Integer, String, insert, select, update
from sqlalchemy.orm import Session

from db import batches, cache, estimates, models as m, totals
from geodata import codes, crs as crs_mod
from geodata.importing import fields, hierarchy
from geodata.importing.errors import ImportRefused
from geodata.importing.hygiene import GRID, problem
from geodata.importing.mapping import AREA_LEVEL, FIELDS
from geodata.importing.prepare import Prepared
from workflow.vocab import NO_WORDS, STREET_CODE_TERM, UNNAMED_AREA, UNNAMED_BUILDING, UNNAMED_STREET

PREVIEW_FEATURES = 3000
FAR_OUTSIDE_M = 3000  # a point this far from every street is a typo or a shifted datum, not a neighbour
CHUNK = 5000
AREA_COUNTS = ("households", "residents", "elderly", "party_members")
AREA_COLUMNS = ("name", "households", "residents", "elderly", "party_members", "era", "leader_name", "leader_phone")
BUILDING_COLUMNS = ("name", "floors", "units", "households", "residents", "elderly", "party_members", "built_year")
POINT_COLUMNS = {"service-points": ("name", "service_type", "address", "hours", "phone", "capacity", "is_public"),
                 "posts": ("name", "post_type", "slots_required", "schedule")}
# the kinds of data (db/cache.py) an import of each layer changes; every other layer is geometry
CHANGES = {"service-points": (cache.POINTS,), "posts": (cache.PEOPLE,)}
MODEL = {"buildings": m.Building, "roads": m.BasemapFeature, "service-points": m.ServicePoint,
         "posts": m.VolunteerPost, "compounds": m.Area, "grids": m.Area, "communities": m.Area}
SQL_INTEGER = (-2**31, 2**31 - 1)  # PostgreSQL's integer; SQLite would store more, so both refuse alike
REJECTED = ("empty", "wrong_type", "degenerate", "duplicate", "out_of_range", "bad_value", "outside", "moved")


@dataclass
class Plan:
    """What an import would do. `rows_new` / `rows_updated` are written by commit_plan."""

    kind: str
    counts: dict
    problems: list[dict]
    preview: dict
    crs_used: str
    encoding: str | None
    notes: list[str]
    mapping: dict
    columns: list[str]
    rows_new: list[dict] = field(default_factory=list, repr=False)
    rows_updated: list[dict] = field(default_factory=list, repr=False)
    street_new: dict | None = field(default=None, repr=False)
    notices: list[dict] = field(default_factory=list)  # the notes as kinds + params, for the page
    emptied: set[str] = field(default_factory=set, repr=False)  # areas some moved buildings leave

    def summary(self) -> dict:
        """JSON-safe: everything but the rows to write."""
        return {"kind": self.kind, "counts": self.counts, "problems": self.problems, "crs": self.crs_used,
                "encoding": self.encoding, "notes": self.notes, "notices": self.notices, "mapping": self.mapping,
                "columns": self.columns}


def field_limits(kind: str) -> dict[str, tuple]:
    """What each field of `kind` must fit, read from the model's columns (their lengths live only there)."""
    columns = MODEL[kind].__table__.columns
    limits = {}
    for name in FIELDS[kind]:
        column = columns.get(name)
        if column is None:
            continue
        if isinstance(column.type, String) and column.type.length:
            limits[name] = ("text", column.type.length)
        elif isinstance(column.type, Integer):
            limits[name] = ("int", *SQL_INTEGER)
    return limits


def _clean(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _int(value, default: int = 0) -> int:
    v = _clean(value)
    return default if v is None else int(v)


def _bbox(geom) -> dict:
    minx, miny, maxx, maxy = geom.bounds
    return {"min_lon": minx, "min_lat": miny, "max_lon": maxx, "max_lat": maxy}


def _same_shape(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return shapely.equals_exact(shapely.normalize(shapely.set_precision(a, GRID)),
                                shapely.normalize(shapely.set_precision(b, GRID)), tolerance=GRID * 2)


def _same_shapes(stored, incoming) -> np.ndarray:
    """_same_shape over aligned arrays in a few vectorised calls (a 30k-building re-import compares every pair)."""
    stored, incoming = np.asarray(stored, dtype=object), np.asarray(incoming, dtype=object)
    out = np.zeros(len(stored), bool)
    both = ~(shapely.is_missing(stored) | shapely.is_missing(incoming)) if len(stored) else out
    if both.any():
        a = shapely.normalize(shapely.set_precision(stored[both], GRID))
        b = shapely.normalize(shapely.set_precision(incoming[both], GRID))
        out[both] = shapely.equals_exact(a, b, tolerance=GRID * 2)
    return out


def areas_frame(session: Session, level: str, prefix: str | None = None) -> gpd.GeoDataFrame:
    """The areas of a level (under a code prefix) with code, name, parent and shape, by code."""
    q = select(m.Area.code, m.Area.name, m.Area.parent_code, m.Area.geometry).where(m.Area.level == level)
    if prefix:
        q = q.where(m.Area.code.like(f"{prefix}%"))
    rows = session.execute(q.order_by(m.Area.code)).all()
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["code", "name", "parent_code", "geometry"]),
                            geometry="geometry", crs=crs_mod.WGS84)


def _existing(session: Session, model, ids: list[str], level: str | None = None) -> dict[str, object]:
    """Rows already imported from these source ids, by source id."""
    found = {}
    for start in range(0, len(ids), CHUNK):
        q = select(model).where(model.source_id.in_(ids[start:start + CHUNK]))
        if level:
            q = q.where(model.level == level)
        for row in session.execute(q).scalars():
            found[row.source_id] = row
    return found


def _taken(session: Session, model, prefix_like: str) -> set[str]:
    return set(session.execute(select(model.code).where(model.code.like(prefix_like))).scalars())


def plan_import(session: Session, prepared: Prepared, street_code: str | None = None,
                street_name: str | None = None) -> Plan:
    """The plan for `prepared` against the database as it is now. Reads only."""
    # the one check of values against the columns, before any builder: the same rows go in on every backend
    frame, refused = fields.check(prepared.frame.reset_index(drop=True), field_limits(prepared.kind))
    frame = frame.reset_index(drop=True)
    plan = Plan(prepared.kind, {**prepared.counts, "new": 0, "updated": 0, "unchanged": 0, "outside": 0},
                list(prepared.problems) + refused, {"type": "FeatureCollection", "features": []}, prepared.crs_used,
                prepared.encoding, list(prepared.notes), prepared.mapping, prepared.columns,
                notices=list(prepared.notices))
    plan.counts["bad_value"] = plan.counts.get("bad_value", 0) + len({p["row"] for p in refused})
    builders = {"communities": _plan_communities, "grids": _plan_areas, "compounds": _plan_areas,
                "buildings": _plan_buildings, "roads": _plan_roads, "service-points": _plan_points,
                "posts": _plan_points}
    if len(frame):
        if prepared.kind == "communities":
            _plan_communities(session, frame, plan, street_code, street_name)
        else:
            builders[prepared.kind](session, frame, plan)
    rejected = sum(plan.counts.get(k, 0) for k in REJECTED)
    plan.counts["rejected"] = rejected
    plan.counts["written"] = plan.counts["new"] + plan.counts["updated"]
    plan.problems.sort(key=lambda p: (p["row"] is None, p["row"] or 0))
    return plan


def _outside(plan: Plan, frame: pd.DataFrame, mask, detail: str = "") -> None:
    for r, sid, geom in zip(frame["_row"][mask], frame["source_id"][mask], frame.geometry[mask]):
        plan.problems.append(problem(r, sid, "outside", detail))
        _preview(plan, geom, {"change": "rejected", "name": None, "source_id": sid})
    plan.counts["outside"] += int(np.asarray(mask).sum())


def _preview(plan: Plan, geom, props: dict) -> None:
    if len(plan.preview["features"]) < PREVIEW_FEATURES:
        simple = shapely.set_precision(geom, 1e-6)
        plan.preview["features"].append({"type": "Feature", "geometry": shapely.geometry.mapping(simple),
                                         "properties": {k: _clean(v) for k, v in props.items()}})


def _classify(plan: Plan, row: dict, existing, columns, key: str = "code", same: bool | None = None) -> None:
    """Put one row into new / updated / unchanged by comparing it with what its source id wrote last time
    (`same`: whether the shapes are equal, when the caller compared them all at once)."""
    if existing is not None:
        # a value the file leaves empty keeps what is stored: a re-import never erases data it does not carry
        for c in columns:
            if row.get(c) is None and getattr(existing, c, None) is not None:
                row[c] = getattr(existing, c)
    if existing is None:
        plan.rows_new.append(row)
        plan.counts["new"] += 1
        change = "new"
    elif all(_clean(getattr(existing, c)) == _clean(row.get(c)) for c in columns) and \
            (_same_shape(existing.geometry, row["geometry"]) if same is None else same):
        plan.counts["unchanged"] += 1
        return
    else:
        row[key] = getattr(existing, key)
        plan.rows_updated.append(row)
        plan.counts["updated"] += 1
        change = "updated"
    _preview(plan, row["geometry"], {"change": change, "name": row.get("name"), "code": row.get("code")})


def _area_row(level: str, code: str | None, parent: str, rec, geom) -> dict:
    return {"code": code, "level": level, "parent_code": parent, "source_id": rec["source_id"],
            "name": _clean(rec.get("name")), "era": _clean(rec.get("era")),
            "leader_name": _clean(rec.get("leader_name")), "leader_phone": _clean(rec.get("leader_phone")),
            # a count the file does not give is unknown (None), not 0: a re-import keeps what the buildings summed
            **{c: None if _clean(rec.get(c)) is None else _int(rec.get(c)) for c in AREA_COUNTS},
            "buildings": 0, "geometry": geom, **_bbox(geom)}


def _known_counts(row: dict) -> dict:
    """A new area's unknown counts are 0 until its buildings are summed into it."""
    return row.update({c: row[c] or 0 for c in AREA_COUNTS}) or row


def _assign_codes(plan: Plan, session: Session, rows: list[dict], prefix_of, width: int, model=m.Area) -> None:
    """Codes for the new rows: the next free numbers under each parent's prefix."""
    by_prefix: dict[str, list[dict]] = {}
    for row in rows:
        by_prefix.setdefault(prefix_of(row), []).append(row)
    for prefix, group in by_prefix.items():
        try:
            codes = hierarchy.next_codes(prefix, _taken(session, model, f"{prefix}%"), len(group), width)
        except OverflowError as err:
            raise ImportRefused("codes_full", str(err), prefix=prefix) from None
        for row, code in zip(group, codes):
            row["code"] = code


def _plan_communities(session: Session, frame, plan: Plan, street_code: str | None, street_name: str | None) -> None:
    streets = areas_frame(session, "street")
    existing = _existing(session, m.Area, list(frame["source_id"]), "community")
    if street_code:
        if not (len(street_code) == 9 and street_code.isdigit()):
            raise ImportRefused("bad_street", f"street code {street_code!r} must be 9 digits ({STREET_CODE_TERM})",
                                code=street_code)
        if street_code not in set(streets.code):
            union = shapely.make_valid(shapely.union_all(frame.geometry.values))
            geom = shapely.set_precision(union, 1e-6)
            plan.street_new = {**_known_counts(_area_row("street", street_code, None, {"source_id": None}, geom)),
                               "name": street_name or UNNAMED_STREET.format(code=street_code)}
            plan.notes.append(f"new street {street_code} drawn around the communities")
        parents = pd.Series([street_code] * len(frame))
    else:
        parents = hierarchy.largest_overlap(frame.geometry, streets,
                                            current=_current(frame, existing, lambda a: a.parent_code))
    _plan_area_rows(session, frame, plan, "community", parents, lambda r: r["parent_code"], 3, existing)


def _current(frame, existing: dict, parent_of) -> list:
    """Each row's parent as stored by its last import (None for a new row): ties keep it (hierarchy)."""
    return [parent_of(existing[sid]) if sid in existing else None for sid in frame["source_id"]]


def _plan_areas(session: Session, frame, plan: Plan) -> None:
    level = AREA_LEVEL[plan.kind]
    existing = _existing(session, m.Area, list(frame["source_id"]), level)
    communities = areas_frame(session, "community")
    community = hierarchy.largest_overlap(frame.geometry, communities, current=_current(
        frame, existing, lambda a: a.parent_code if level == "grid" else codes.community_of(a.code)))
    if level == "grid":
        _plan_area_rows(session, frame, plan, "grid", community, lambda r: r["parent_code"], 2, existing)
        return
    grids = areas_frame(session, "grid")
    grid = hierarchy.largest_overlap(frame.geometry, grids, current=_current(frame, existing, lambda a: a.parent_code))
    # a compound's grid must belong to its community; otherwise it hangs off the community itself
    grid = grid.where([g is not None and c is not None and g.startswith(c) for g, c in zip(grid, community)], None)
    parents = pd.Series([g or c for g, c in zip(grid, community)], dtype=object)
    _plan_area_rows(session, frame, plan, "compound", parents, lambda r: codes.compound_prefix(r["parent_code"]), 3, existing)


def _plan_area_rows(session, frame, plan: Plan, level: str, parents: pd.Series, prefix_of, width: int,
                    existing: dict) -> None:
    parents = pd.Series(parents.to_numpy(), index=frame.index)
    lost = parents.isna().to_numpy()
    _outside(plan, frame, lost, f"no {'street' if level == 'community' else 'community'} overlaps it")
    keep = frame[~lost]
    fresh = []
    for rec, parent in zip(keep.to_dict("records"), parents[~lost]):
        row = _area_row(level, None, parent, rec, rec["geometry"])
        old = existing.get(rec["source_id"])
        if old is not None and not old.code.startswith(prefix_of({"parent_code": parent})):
            # codes nest (DESIGN §3): an area that moved to another parent needs a decision, not a silent re-code
            plan.problems.append(problem(rec["_row"], rec["source_id"], "moved", f"{old.code} → {parent}"))
            plan.counts["moved"] = plan.counts.get("moved", 0) + 1
            continue
        before = plan.counts["new"]
        _classify(plan, row, old, ("name", "parent_code", "households", "residents", "elderly", "party_members"))
        if plan.counts["new"] > before:
            fresh.append(row)
    _assign_codes(plan, session, fresh, prefix_of, width)
    for row in fresh:
        _known_counts(row)
        if not row["name"]:
            row["name"] = UNNAMED_AREA[level].format(n=row["code"][-3:])
    _fix_preview_codes(plan)


def _fix_preview_codes(plan: Plan) -> None:
    codes = [r["code"] for r in plan.rows_new]
    feats = [f for f in plan.preview["features"] if f["properties"].get("change") == "new"]
    for f, code in zip(feats, codes):
        f["properties"]["code"] = code


def _plan_buildings(session: Session, frame, plan: Plan) -> None:
    compounds = areas_frame(session, "compound")
    existing = _existing(session, m.Building, list(frame["source_id"]))
    compound = pd.Series(hierarchy.largest_overlap(frame.geometry, compounds, current=_current(
        frame, existing, lambda b: b.compound_code)).to_numpy(), index=frame.index)
    lost = compound.isna().to_numpy()
    _outside(plan, frame, lost, "no compound overlaps it")
    parent_of = dict(zip(compounds.code, compounds.parent_code))
    keep = frame[~lost]
    inner = shapely.point_on_surface(keep.geometry.values)
    olds = [existing.get(sid) for sid in keep["source_id"]]
    same_shape = _same_shapes([o.geometry if o is not None else None for o in olds], keep.geometry.values)
    fresh = []
    for rec, comp, pt, same in zip(keep.to_dict("records"), compound[~lost], inner, same_shape):
        parent = parent_of[comp]
        grid = parent if codes.is_grid(parent) else codes.community_of(comp)
        geom = rec["geometry"]  # on the storage grid already (hygiene)
        row = {"code": None, "source_id": rec["source_id"], "name": _clean(rec.get("name")), "compound_code": comp,
               "grid_code": grid, "community_code": codes.community_of(comp), "street_code": codes.street_of(comp),
               "floors": _int(rec.get("floors")), "units": _int(rec.get("units")),
               "households": _int(rec.get("households")), "residents": _int(rec.get("residents")),
               "elderly": _int(rec.get("elderly")), "party_members": _int(rec.get("party_members")),
               "built_year": _clean(rec.get("built_year")), "lon": round(pt.x, 6), "lat": round(pt.y, 6),
               "geometry": geom, "estimated": False, **_bbox(geom)}
        if row["built_year"] is not None:
            row["built_year"] = int(row["built_year"])
        old = existing.get(rec["source_id"])
        if old is not None and old.estimated and not (row["households"] or row["residents"]) and \
                row["floors"] == old.floors and same:
            # still no counts in the file: the estimate (估算) stands; a changed footprint or floors is estimated again
            row.update(households=old.households, residents=old.residents, elderly=old.elderly, estimated=True)
        if old is not None and old.compound_code != comp:
            # moved to another compound: a new code under the new compound (the old row is replaced), and the
            # areas it leaves are summed again without it
            plan.rows_updated.append({"_drop": old.code})
            plan.emptied |= {old.compound_code, old.grid_code, old.community_code}
            old = None
        before = plan.counts["new"]
        _classify(plan, row, old, ("name",) + BUILDING_COLUMNS[1:] + ("compound_code",), same=bool(same))
        if plan.counts["new"] > before:
            fresh.append(row)
    _assign_codes(plan, session, fresh, lambda r: codes.building_prefix(r["compound_code"]), 3, m.Building)
    for row in fresh:
        row["name"] = row["name"] or UNNAMED_BUILDING.format(n=int(row["code"][-3:]))
    _fix_preview_codes(plan)


def _street_frame(session: Session) -> gpd.GeoDataFrame:
    streets = areas_frame(session, "street")
    if streets.empty:
        raise ImportRefused("no_street", "the database has no street yet: import communities with --street first")
    return streets


def _plan_roads(session: Session, frame, plan: Plan) -> None:
    streets = _street_frame(session)
    # a road along the boundary touches the street without overlapping it: widen lines by ≈1 m
    widened = gpd.GeoSeries(shapely.buffer(frame.geometry.values, 1e-5), index=frame.index, crs=frame.crs)
    street = pd.Series(hierarchy.largest_overlap(widened, streets).to_numpy(), index=frame.index)
    lost = street.isna().to_numpy()
    _outside(plan, frame, lost, "touches no street")
    keep = frame[~lost]
    existing = _existing(session, m.BasemapFeature, list(keep["source_id"]))
    for rec, st in zip(keep.to_dict("records"), street[~lost]):
        # a line from a file is a way to walk at walking pace, unless its source says otherwise (OSM: foot/access,
        # steps; bridges and tunnels; ways joined only at shared nodes)
        row = {"source_id": rec["source_id"], "street_code": st, "kind": _clean(rec.get("kind")) or "branch",
               "name": _clean(rec.get("name")), "geometry": rec["geometry"],
               "walk_factor": _clean(rec["walk_factor"]) if "walk_factor" in rec else 1.0,
               "grade_separated": bool(_clean(rec.get("grade_separated")) or False),
               "noded": bool(_clean(rec.get("noded")) or False)}
        _classify(plan, row, existing.get(rec["source_id"]),
                  ("name", "kind", "street_code", "walk_factor", "grade_separated", "noded"), key="id")


def _plan_points(session: Session, frame, plan: Plan) -> None:
    streets = _street_frame(session)
    model = MODEL[plan.kind]
    existing = _existing(session, model, list(frame["source_id"]))
    found = {level: pd.Series(hierarchy.containing(frame.geometry, areas_frame(session, level), current=_current(
        frame, existing, lambda p, lv=level: getattr(p, f"{lv}_code"))).to_numpy(), index=frame.index)
             for level in ("street", "community", "grid", "compound")}
    lost = found["street"].isna().to_numpy()
    if plan.kind == "posts":
        lost |= found["compound"].isna().to_numpy()  # a post belongs to a compound (小区)
    if lost.any():
        # say how far: a few metres is a boundary question, kilometres a wrong datum or a typo
        union = shapely.union_all(streets.geometry.values)
        far = hierarchy.distance_outside_m(frame.geometry[lost].values, union)
        for r, sid, d, geom in zip(frame["_row"][lost], frame["source_id"][lost], far, frame.geometry[lost]):
            reason = "far_outside" if d > FAR_OUTSIDE_M else "outside"
            plan.problems.append(problem(r, sid, reason, f"{int(round(d))} m"))
            _preview(plan, geom, {"change": "rejected", "name": None, "source_id": sid})
        plan.counts["outside"] += int(lost.sum())
    keep = frame[~lost]
    columns = POINT_COLUMNS[plan.kind]
    fresh = []
    for i, rec in zip(keep.index, keep.to_dict("records")):
        pt = rec["geometry"]
        row = {"code": None, "source_id": rec["source_id"], "lon": round(pt.x, 6), "lat": round(pt.y, 6),
               **{f"{lv}_code": _clean(found[lv][i]) for lv in ("street", "community", "grid", "compound")}}
        for c in columns:
            row[c] = _clean(rec.get(c))
        if plan.kind == "posts":
            row["slots_required"] = _int(row["slots_required"], 1)
        else:
            row["is_public"] = str(row["is_public"]).strip().lower() not in NO_WORDS \
                if row["is_public"] is not None else True
            row["capacity"] = None if row["capacity"] is None else int(row["capacity"])
        row["name"] = row["name"] or (row.get("service_type") or row.get("post_type"))
        old = existing.get(rec["source_id"])
        # compared as stored: the rounded lon/lat, or a re-import of the same file finds every point "updated"
        row["geometry"] = shapely.Point(row["lon"], row["lat"])
        before = plan.counts["new"]
        _classify(plan, row, old and _PointView(old), columns + ("lon", "lat", "compound_code"))
        if plan.counts["new"] > before:
            fresh.append(row)
    if plan.kind == "posts":
        _assign_codes(plan, session, fresh, lambda r: r["compound_code"] + "P", 2, model)
    else:
        _assign_codes(plan, session, fresh, lambda r: (r["community_code"] or r["street_code"]) + "S", 4, model)
    _fix_preview_codes(plan)


class _PointView:
    """A point row seen with a geometry, so points compare like every other row."""

    def __init__(self, row):
        self._row = row
        self.geometry = shapely.Point(row.lon, row.lat)

    def __getattr__(self, name):
        return getattr(self._row, name)


def as_previewed(expected, written: int) -> None:
    """Refuse a commit that would write other than its preview showed (`expected`, None: no preview was shown);
    raised in the commit's transaction, so nothing of it stays."""
    if expected is not None and written != expected:
        raise ImportRefused("preview_changed", f"the preview showed {expected} rows to write, the commit found "
                            f"{written}: nothing written, preview again", before=expected, now=written)


def commit_plan(session: Session, plan: Plan, origin: batches.Origin | None = None,
                batch_id: int | None = None) -> dict:
    """Write the plan in the session's transaction (the caller commits or rolls back: all or nothing), recorded as
    an import batch that can be undone: a new one from `origin`, or the open batch `batch_id` (several layers of one
    source, e.g. a whole street from OpenStreetMap)."""
    model = MODEL[plan.kind]
    if batch_id is None:
        batch_id = batches.record_batch(session, plan.kind, origin or batches.Origin(), plan.crs_used)
    drops = [r["_drop"] for r in plan.rows_updated if "_drop" in r]
    updates = [r for r in plan.rows_updated if "_drop" not in r]
    # what the steps after the writes change without naming it (sums, reattachment, estimates): kept as it is now
    unnamed = batches.capture_unnamed(session, plan.kind, plan.rows_new + updates, drops)
    batches.record_plan(session, batch_id, model.__tablename__, plan.street_new, updates, drops)
    if plan.street_new:
        session.execute(insert(m.Area), [plan.street_new])
    point_kind = plan.kind in ("service-points", "posts")
    strip = (lambda r: {k: v for k, v in r.items() if k != "geometry"}) if point_kind else (lambda r: r)
    if drops:
        for start in range(0, len(drops), CHUNK):
            session.execute(m.Building.__table__.delete().where(m.Building.code.in_(drops[start:start + CHUNK])))
    for start in range(0, len(plan.rows_new), CHUNK):
        rows = [strip(r) for r in plan.rows_new[start:start + CHUNK]]
        batches.record_created(session, batch_id, model.__tablename__, batches.insert_keyed(session, model, rows))
    if updates:
        session.execute(update(model), [strip(r) for r in updates])
    if plan.kind == "buildings":
        totals.roll_up(session, {r["street_code"] for r in plan.rows_new + updates} | {codes.street_of(c) for c in plan.emptied}, plan.emptied)
    if plan.kind == "grids":
        plan.counts["reattached"] = reattach_to_grids(session, {r["parent_code"] for r in plan.rows_new + updates})
    if plan.kind in ("buildings", "grids"):
        estimates.estimate_missing(session, {codes.street_of(r["code"]) for r in plan.rows_new + updates})  # 估算: docs/estimates.md
    batches.record_unnamed(session, batch_id, unnamed)
    cache.mark_changed(session, *CHANGES.get(plan.kind, (cache.GEOMETRY,)))
    session.flush()
    done = {"new": len(plan.rows_new), "updated": len(updates), "reattached": plan.counts.get("reattached", 0)}
    batches.record_counts(session, batch_id, {"read": plan.counts.get("read", 0),
                                              "rejected": plan.counts.get("rejected", 0), **done,
                                              "deleted": len(drops)})
    plan.counts["batch"] = batch_id
    return {**done, "batch": batch_id}


def reattach_to_grids(session: Session, community_codes: set[str]) -> int:
    """Compounds (and their buildings) of these communities moved to the grid they now overlap most.

    Grids often arrive after compounds and buildings (网格化 exports come last): without this the new grids would
    show no households on the panel. A compound moves only when another grid overlaps it strictly more than its
    current one, so a tie never shuffles the map. Cases keep the grid they were registered in.
    """
    moved: dict[str, str] = {}
    for community in sorted(community_codes):
        grids = areas_frame(session, "grid", community)
        compounds = areas_frame(session, "compound", codes.compound_prefix(community))
        if grids.empty or compounds.empty:
            continue
        best = hierarchy.largest_overlap(compounds.geometry, grids)
        shape_of = dict(zip(grids.code, grids.geometry))
        for code, parent, target, shape in zip(compounds.code, compounds.parent_code, best, compounds.geometry):
            if target is None or target == parent:
                continue
            now_overlap = shapely.area(shapely.intersection(shape, shape_of[parent])) if parent in shape_of else 0.0
            if shapely.area(shapely.intersection(shape, shape_of[target])) > now_overlap * (1 + 1e-9):
                moved[code] = target
    if not moved:
        return 0
    old_parents = set(session.execute(select(m.Area.parent_code).where(m.Area.code.in_(list(moved)))).scalars())
    session.execute(update(m.Area), [{"code": c, "parent_code": g} for c, g in moved.items()])
    for compound, grid in moved.items():
        session.execute(update(m.Building).where(m.Building.compound_code == compound).values(grid_code=grid)
                        .execution_options(synchronize_session=False))
    totals.roll_up(session, {codes.street_of(c) for c in moved}, emptied=old_parents)
    return len(moved)
