"""An OpenStreetMap extract read with pyosmium: boundaries, compounds, buildings, ways with their walking rules, services.

OSM is a topology: ways meet only where they share a node, and a bridge over a road shares none. Ways are kept whole
with every node as a vertex, so the walking network (geodata/network.py) joins them at shared vertices only, never
where they merely cross. What becomes what is one editable table, `osm_rules.json` (docs/import.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import shapely

from geodata import crs
from geodata.importing.errors import ImportRefused

RULES_PATH = Path(__file__).with_name("osm_rules.json")
RULE_KEYS = ("admin_levels", "compounds", "walking", "service_types")
WALKING_KEYS = ("highway_not_walkable", "foot_allows", "foot_forbids", "access_forbids", "service_forbids", "factor",
                "arterial", "path")
# ways that are not there (yet, or any more): neither drawn nor walked
NOT_A_WAY = ("construction", "proposed", "planned", "abandoned", "razed", "platform", "elevator", "no")
MAX_FLOORS = 200


def load_rules(path: Path | None = None) -> dict:
    """The tag table: ours, or an edited copy. A file that cannot be the table is refused with what is wrong."""
    source = Path(path) if path else RULES_PATH
    try:
        rules = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ImportRefused("bad_rules", f"rules file {source}: {err}", file=str(source)) from None
    missing = [k for k in RULE_KEYS if k not in rules] + [f"walking.{k}" for k in WALKING_KEYS
                                                          if k not in rules.get("walking", {})]
    if missing:
        raise ImportRefused("bad_rules", f"rules file {source} lacks {', '.join(missing)}", file=str(source))
    try:
        rules["service_types"] = [(dict(tags), str(kind)) for tags, kind in rules["service_types"]]
        rules["compounds"] = [dict(t) for t in rules["compounds"]]
        rules["admin_levels"] = {k: int(v) for k, v in rules["admin_levels"].items()}
        rules["walking"]["factor"] = {k: float(v) for k, v in rules["walking"]["factor"].items()}
    except (TypeError, ValueError) as err:
        raise ImportRefused("bad_rules", f"rules file {source}: {err}", file=str(source)) from None
    return rules


def walk_factor(tags: dict, rules: dict) -> float | None:
    """Metres walked per metre of this way, or None where people may not or cannot walk (OSM's foot/access rules)."""
    highway = tags.get("highway")
    if highway is None or highway in NOT_A_WAY or tags.get("area") == "yes":
        return None
    walk = rules["walking"]
    foot = tags.get("foot")
    if foot in walk["foot_forbids"]:
        return None
    allowed = foot in walk["foot_allows"]
    if not allowed and (tags.get("access") in walk["access_forbids"] or tags.get("service") in walk["service_forbids"]
                        or highway in walk["highway_not_walkable"]):
        return None
    return walk["factor"].get(highway, 1.0)


def grade_separated(tags: dict) -> bool:
    """A bridge, a tunnel or a way on another layer: nothing beside it steps onto it sideways."""
    if tags.get("bridge", "no") != "no" or tags.get("tunnel", "no") != "no" or tags.get("covered") == "yes":
        return True
    try:
        return float(tags.get("layer", "0")) != 0
    except ValueError:
        return False


def road_kind(highway: str, rules: dict) -> str:
    walk = rules["walking"]
    return "arterial" if highway in walk["arterial"] else "path" if highway in walk["path"] else "branch"


def service_type(tags: dict, rules: dict) -> str | None:
    for wanted, ours in rules["service_types"]:
        if all(tags.get(k) == v for k, v in wanted.items()):
            return ours
    return None


def _floors(value) -> float | None:
    if not value:
        return None
    try:
        floors = float(str(value).replace(",", ".").split(";")[0])
    except ValueError:
        return None
    return floors if 0 < floors <= MAX_FLOORS else None


def _address(tags: dict) -> str | None:
    if tags.get("addr:full"):
        return tags["addr:full"]
    parts = [tags.get("addr:street"), tags.get("addr:housenumber")]
    return " ".join(p for p in parts if p) or None


@dataclass
class Extract:
    """What an extract holds, in WGS-84, each frame with `source_id` (osm:way/…, osm:relation/…, osm:node/…)."""

    boundaries: gpd.GeoDataFrame  # name, admin_level
    compounds: gpd.GeoDataFrame  # name
    buildings: gpd.GeoDataFrame  # name, floors, building (the tag's value)
    ways: gpd.GeoDataFrame  # name, highway, kind, walk_factor (None: drawn, not walked), grade_separated
    points: gpd.GeoDataFrame  # name, service_type, hours, address, phone
    problems: list[dict] = field(default_factory=list)  # objects the extract cut or left incomplete

    @property
    def empty(self) -> bool:
        return not (len(self.buildings) or len(self.ways) or len(self.points) or len(self.boundaries))


def _frame(rows: list[dict], columns: list[str], geoms) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=["source_id", *columns])
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs.WGS84)


class _Collector:
    """One pass over the file: copy out what we need while pyosmium's objects are alive."""

    def __init__(self, rules: dict):
        self.rules = rules
        self.wkb = osmium.geom.WKBFactory()
        self.rows = {k: [] for k in ("boundaries", "compounds", "buildings", "ways", "points")}
        self.geoms = {k: [] for k in self.rows}
        self.problems: list[dict] = []
        self.building_ways_open: set[int] = set()
        self.wanted_relations: set[int] = set()
        self.built_relations: set[int] = set()

    def _is_compound(self, tags: dict) -> bool:
        return any(all(tags.get(k) == v for k, v in rule.items()) for rule in self.rules["compounds"])

    def _add(self, kind: str, row: dict, geom) -> None:
        self.rows[kind].append(row)
        self.geoms[kind].append(geom)

    def _service(self, source_id: str, tags: dict, kind: str, point) -> None:
        self._add("points", {"source_id": source_id, "name": tags.get("name:zh") or tags.get("name"),
                             "service_type": kind, "hours": tags.get("opening_hours"), "address": _address(tags),
                             "phone": tags.get("phone") or tags.get("contact:phone")}, point)

    def _outline(self, source_id: str, tags: dict, geom) -> None:
        """A building, or else a compound, from its polygon."""
        name = tags.get("name:zh") or tags.get("name")
        if "building" in tags and tags["building"] != "no":
            self._add("buildings", {"source_id": source_id, "name": tags.get("addr:housenumber") or name,
                                    "floors": _floors(tags.get("building:levels")), "building": tags["building"]},
                      geom)
        else:
            self._add("compounds", {"source_id": source_id, "name": name}, geom)

    def node(self, n) -> None:
        if not n.tags:
            return
        tags = dict(n.tags)
        kind = service_type(tags, self.rules)
        if kind and n.location.valid():
            self._service(f"osm:node/{n.id}", tags, kind, shapely.Point(n.location.lon, n.location.lat))

    def way(self, w) -> None:
        tags = dict(w.tags)
        if "building" in tags and tags["building"] != "no" and not w.is_closed():
            self.building_ways_open.add(w.id)
        elif ("building" in tags and tags["building"] != "no") or self._is_compound(tags):
            inside = [(n.location.lon, n.location.lat) for n in w.nodes if n.location.valid()]
            if len(inside) < len(w.nodes):
                self._clipped_ring(w.id, tags, inside)
        highway = tags.get("highway")
        if highway is None or highway in NOT_A_WAY or tags.get("area") == "yes":
            return
        runs, run = [], []
        for n in w.nodes:
            if n.location.valid():
                run.append((n.location.lon, n.location.lat))
            else:  # a node the extract left out: the way continues beyond its edge
                runs.append(run)
                run = []
        runs.append(run)
        runs = [r for r in runs if len(r) >= 2]
        if len(runs) != 1 or len(runs[0]) != len(w.nodes):
            self.problems.append({"id": f"osm:way/{w.id}", "reason": "clipped", "detail": "highway"})
        factor = walk_factor(tags, self.rules)
        for k, coords in enumerate(runs):
            suffix = "" if len(runs) == 1 else f"#{k}"
            self._add("ways", {"source_id": f"osm:way/{w.id}{suffix}", "name": tags.get("name"), "highway": highway,
                               "kind": road_kind(highway, self.rules), "walk_factor": factor,
                               "grade_separated": grade_separated(tags)}, shapely.LineString(coords))

    def _clipped_ring(self, way_id: int, tags: dict, inside: list) -> None:
        """A closed way some of whose nodes lie beyond the extract's edge: libosmium builds no area from it. What lies
        inside is kept as the polygon of its remaining nodes (repaired, and said so); too little left is rejected."""
        source_id = f"osm:way/{way_id}"
        shape = shapely.make_valid(shapely.Polygon(inside)) if len(set(inside)) >= 3 else None
        polygons = shapely.get_parts(shape) if shape is not None else []
        polygons = [g for g in polygons if g.geom_type == "Polygon" and g.area > 0]
        if not polygons:
            self.problems.append({"id": source_id, "reason": "clipped", "detail": "too little inside the extract"})
            return
        self.problems.append({"id": source_id, "reason": "clipped_repaired",
                              "detail": f"{len(inside)} of its nodes inside the extract"})
        self._outline(source_id, tags, shapely.MultiPolygon(polygons))

    def relation(self, r) -> None:
        tags = dict(r.tags)
        if tags.get("type") not in ("multipolygon", "boundary"):
            return
        if ("building" in tags and tags["building"] != "no") or self._is_compound(tags) or \
                tags.get("boundary") == "administrative":
            self.wanted_relations.add(r.id)

    def area(self, a) -> None:
        tags = dict(a.tags)
        is_building = "building" in tags and tags["building"] != "no"
        is_boundary = tags.get("boundary") == "administrative" and "admin_level" in tags
        is_compound = self._is_compound(tags)
        kind = service_type(tags, self.rules)
        if not (is_building or is_boundary or is_compound or kind):
            return
        source_id = f"osm:{'way' if a.from_way() else 'relation'}/{a.orig_id()}"
        if not a.from_way():
            self.built_relations.add(a.orig_id())
        try:
            geom = shapely.from_wkb(self.wkb.create_multipolygon(a))
        except (RuntimeError, osmium.InvalidLocationError) as err:
            self.problems.append({"id": source_id, "reason": "clipped", "detail": str(err)[:80]})
            return
        name = tags.get("name:zh") or tags.get("name")
        if is_building or is_compound:
            self._outline(source_id, tags, geom)
        if is_boundary:
            try:
                level = int(tags["admin_level"])
            except ValueError:
                level = None
            if level is not None:
                self._add("boundaries", {"source_id": source_id, "name": name, "admin_level": level}, geom)
        if kind:  # an area (a park, a school yard) is reached at a point on its surface; a service in a building
            # of its own counts as both, the service under an id of its own
            self._service(source_id + ("/service" if is_building else ""), tags, kind, shapely.point_on_surface(geom))


COLUMNS = {"boundaries": ["name", "admin_level"], "compounds": ["name"], "buildings": ["name", "floors", "building"],
           "ways": ["name", "highway", "kind", "walk_factor", "grade_separated"],
           "points": ["name", "service_type", "hours", "address", "phone"]}


def read_extract(path: Path, rules: dict | None = None) -> Extract:
    """Read an .osm.pbf / .osm file. A file pyosmium cannot read is refused, never a traceback."""
    rules = rules or load_rules()
    path = Path(path)
    collector = _Collector(rules)
    try:
        for obj in osmium.FileProcessor(str(path)).with_locations().with_areas():
            if obj.is_node():
                collector.node(obj)
            elif obj.is_way():
                collector.way(obj)
            elif obj.is_relation():
                collector.relation(obj)
            elif obj.is_area():
                collector.area(obj)
    except RuntimeError as err:
        raise ImportRefused("corrupt", f"{path.name} cannot be read as OpenStreetMap data: {err}") from None
    problems = collector.problems
    problems += [{"id": f"osm:way/{i}", "reason": "clipped", "detail": "building outline not closed"}
                 for i in sorted(collector.building_ways_open)]
    problems += [{"id": f"osm:relation/{i}", "reason": "clipped", "detail": "members missing from the extract"}
                 for i in sorted(set(collector.wanted_relations) - collector.built_relations)]
    frames = {k: _frame(collector.rows[k], COLUMNS[k], collector.geoms[k]) for k in COLUMNS}
    extract = Extract(**frames, problems=problems)
    if extract.empty:
        raise ImportRefused("empty_file", f"{path.name} holds no buildings, ways, services or boundaries")
    return extract
