"""A whole street from an OpenStreetMap extract (`flask --app app import-osm`), and walking by OSM's own rules."""
from __future__ import annotations

import hashlib

import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from pyproj import Geod, Transformer
from sqlalchemy import func, select, text

from tests.import_files import OSM_PBF

STREET = "990000002"
TABLES = ("area", "building", "basemap_feature", "service_point")


@pytest.fixture()
def empty_db(tmp_path, monkeypatch):
    """A migrated database with nothing in it, as `flask --app app init-db` leaves it."""
    from db.migrate import upgrade_to_head
    from tests.conftest import new_database_url

    monkeypatch.setenv("DATABASE_URL", new_database_url(tmp_path, "onboarding"))
    upgrade_to_head()
    return tmp_path


def import_osm(path, *extra):
    from app import server

    return server.test_cli_runner().invoke(args=["import-osm", str(path), "--street", STREET,
                                                 "--street-name", "科特卡街道", *extra])


def fingerprint() -> str:
    from db.engine import get_engine

    digest = hashlib.sha256()
    with get_engine().connect() as conn:
        for table in TABLES:
            key = "id" if table == "basemap_feature" else "code"
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}")):
                digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
    return digest.hexdigest()


def building_ways(path) -> set[str]:
    """Every building outline in the file, counted with osmium on its own: closed ways and multipolygons."""
    ids = set()
    for obj in osmium.FileProcessor(str(path)):
        tags = obj.tags
        if obj.is_way() and tags.get("building", "no") != "no" and obj.is_closed():
            ids.add(f"osm:way/{obj.id}")
        elif obj.is_relation() and tags.get("building", "no") != "no" and tags.get("type") == "multipolygon":
            ids.add(f"osm:relation/{obj.id}")
    return ids


def test_import_osm_brings_a_street_into_an_empty_database_with_every_building(empty_db):
    from db import models as m
    from db.engine import session_scope

    result = import_osm(OSM_PBF)
    assert result.exit_code == 0, result.output
    assert "street boundary: outline" in result.output and "Traceback" not in result.output
    in_file = building_ways(OSM_PBF)
    with session_scope() as s:
        street = s.get(m.Area, STREET)
        assert street.level == "street" and street.generated and street.name == "科特卡街道"
        communities = s.execute(select(m.Area).where(m.Area.level == "community")).scalars().all()
        assert [(c.code, c.generated) for c in communities] == [(STREET + "001", True)]
        stored = set(s.execute(select(m.Building.source_id)).scalars())
        # none dropped for lacking a compound: every outline the extract holds whole is a building
        cut = {p for p in in_file - stored}
        assert len(stored) >= 0.98 * len(in_file) and stored <= in_file, (len(stored), len(in_file))
        assert len(cut) == len(in_file) - len(stored)
        grouped = s.execute(select(func.count()).select_from(m.Building).join(
            m.Area, m.Area.code == m.Building.compound_code).where(m.Area.generated.is_(True))).scalar()
        real = s.execute(select(func.count()).select_from(m.Building).join(
            m.Area, m.Area.code == m.Building.compound_code).where(m.Area.generated.is_(False))).scalar()
        assert grouped > 0 and real > 0 and grouped + real == len(stored)
        groups = s.execute(select(m.Area.name).where(m.Area.level == "compound", m.Area.generated.is_(True))
                           ).scalars().all()
        assert groups and all(n.startswith("街区") for n in groups)
        ways = s.execute(select(m.BasemapFeature.kind, m.BasemapFeature.walk_factor, m.BasemapFeature.noded,
                                m.BasemapFeature.grade_separated)).all()
        assert all(w.noded for w in ways) and {w.kind for w in ways} == {"arterial", "branch", "path"}
        assert any(w.walk_factor is None for w in ways) and any(w.grade_separated for w in ways)
        assert s.execute(select(func.count()).select_from(m.ServicePoint)).scalar() >= 4
        # a point in no compound has no compound code (PostgreSQL once stored the text 'NaN' there)
        codes = s.execute(select(m.ServicePoint.compound_code)).scalars().all()
        assert None in codes and all(c is None or c.startswith(STREET) for c in codes)


def test_import_osm_twice_changes_nothing(empty_db):
    assert import_osm(OSM_PBF).exit_code == 0
    before = fingerprint()
    again = import_osm(OSM_PBF)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output, again.output
    assert fingerprint() == before


def test_import_osm_dry_run_writes_nothing_and_bad_input_is_refused(empty_db, tmp_path):
    before = fingerprint()
    dry = import_osm(OSM_PBF, "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing written" in dry.output
    assert fingerprint() == before
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"\x00not osm at all" * 20)
    refused = import_osm(junk)
    assert refused.exit_code != 0 and "nothing written" in refused.output and "Traceback" not in refused.output
    from app import server

    bad_code = server.test_cli_runner().invoke(args=["import-osm", str(OSM_PBF), "--street", "12345"])
    assert bad_code.exit_code != 0 and "9 digits" in bad_code.output
    assert fingerprint() == before


# --- walking by OSM's rules ------------------------------------------------------------------------------------

def write_osm(path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict]],
              tagged_nodes: dict[int, dict] | None = None,
              relations: list[tuple[int, list[int], dict]] | None = None) -> None:
    """A small .osm file: nodes (id → lon, lat), ways (id, node ids, tags), relations (id, outer way ids, tags)."""
    tagged_nodes = tagged_nodes or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="jinlin-tests">']
    for i, (lon, lat) in nodes.items():
        tags = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tagged_nodes.get(i, {}).items())
        lines.append(f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tags}</node>')
    for i, refs, tags in ways:
        body = "".join(f'<nd ref="{r}"/>' for r in refs) + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{i}" version="1">{body}</way>')
    for i, members, tags in relations or []:
        body = "".join(f'<member type="way" ref="{r}" role="outer"/>' for r in members)
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<relation id="{i}" version="1">{body}</relation>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("tags, walked", [
    ({"highway": "residential"}, 1.0), ({"highway": "footway"}, 1.0), ({"highway": "steps"}, 1.6),
    ({"highway": "cycleway"}, None), ({"highway": "cycleway", "foot": "designated"}, 1.0),
    ({"highway": "platform"}, None), ({"highway": "motorway"}, None), ({"highway": "footway", "foot": "no"}, None),
    ({"highway": "service", "access": "private"}, None), ({"highway": "service", "access": "private", "foot": "yes"},
                                                          1.0),
    ({"highway": "service", "service": "private"}, None), ({"highway": "pedestrian", "area": "yes"}, None),
    ({"highway": "construction"}, None)])
def test_walking_rules_follow_osm_foot_and_access(tags, walked):
    from geodata import osm

    assert osm.walk_factor(tags, osm.load_rules()) == walked


def test_a_bridge_does_not_join_the_road_beneath_and_buildings_do_not_step_onto_tunnels(empty_db, tmp_path):
    """A road W–E and a bridge S–N over it with no shared node: crossing takes the long way round the loop."""
    from db import walking
    from db.engine import session_scope

    lon0, lat0 = 120.60, 27.80
    dx, dy = 1 / 98_500, 1 / 110_800  # ≈ 1 m at this latitude

    def at(x, y):
        return lon0 + x * dx, lat0 + y * dy

    nodes = {1: at(0, 0), 2: at(400, 0),  # the road beneath
             10: at(200, -200), 11: at(200, 200),  # the bridge over it, no node at the crossing
             20: at(0, 300), 21: at(400, 300),  # a back street joining the bridge's north end and the road's ends
             30: at(200, 300),
             40: at(0, -300), 41: at(400, -300), 42: at(200, -300),
             # building south-west of the crossing, a canteen north of it
             100: at(180, -12), 101: at(190, -12), 102: at(190, -22), 103: at(180, -22)}
    ways = [(1, [1, 2], {"highway": "residential"}),
            (2, [42, 10, 11, 30], {"highway": "footway", "bridge": "yes", "layer": "1"}),
            (3, [1, 20, 30, 21, 2], {"highway": "residential"}),
            (4, [1, 40, 42, 41, 2], {"highway": "residential"}),
            (5, [100, 101, 102, 103, 100], {"building": "residential"})]
    points = {200: at(205, 150)}
    nodes.update(points)
    path = tmp_path / "bridge.osm"
    write_osm(path, nodes, ways, {200: {"amenity": "community_centre", "name": "桥北服务中心"}})
    result = import_osm(path)
    assert result.exit_code == 0, result.output
    with session_scope() as s:
        frame, method = walking.walking_distances(s, STREET, "党群服务中心")
    assert method == "walking" and len(frame) == 1
    # joined at the crossing it would be ≈ 12 + 150 + a few metres; the walk goes round by the road ends instead
    assert frame.distance_m.iloc[0] > 500, frame.distance_m.iloc[0]


def boundary_file(path, community_level: int = 10):
    """A street (admin_level 8) of 800 × 400 m with two communities covering its west half, and buildings all over."""
    lon0, lat0, dx, dy = 113.90, 22.53, 1 / 102_800, 1 / 110_760  # 深圳: metres to degrees

    def at(x, y):
        return lon0 + x * dx, lat0 + y * dy

    nodes, ways, node_id = {}, [], 1

    def ring(x0, y0, x1, y1, way_id, tags):
        nonlocal node_id
        ids = []
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            nodes[node_id] = at(x, y)
            ids.append(node_id)
            node_id += 1
        ways.append((way_id, ids + ids[:1], tags))

    ring(0, 0, 800, 400, 1, {})
    ring(0, 0, 400, 200, 2, {})
    ring(0, 200, 400, 400, 3, {})
    ring(-900, 0, -100, 400, 4, {})  # a neighbouring street of the same level, fewer buildings
    for k in range(16):  # buildings in both communities and in the east half no community covers
        x, y = 40 + (k % 8) * 95, 60 + (k // 8) * 200
        ring(x, y, x + 20, y + 15, 100 + k, {"building": "apartments", "building:levels": "6"})
    ring(-500, 100, -480, 115, 200, {"building": "yes"})
    relations = [(1001, [1], {"type": "boundary", "boundary": "administrative", "admin_level": "8", "name": "南山街道"}),
                 (1004, [4], {"type": "boundary", "boundary": "administrative", "admin_level": "8", "name": "邻街道"}),
                 (1002, [2], {"type": "boundary", "boundary": "administrative",
                              "admin_level": str(community_level), "name": "南社区"}),
                 (1003, [3], {"type": "boundary", "boundary": "administrative",
                              "admin_level": str(community_level), "name": "北社区"})]
    write_osm(path, nodes, ways, relations=relations)


def test_street_and_communities_come_from_the_files_administrative_boundaries(empty_db, tmp_path):
    from db import models as m
    from db.engine import session_scope

    path = tmp_path / "boundaries.osm"
    boundary_file(path)
    result = import_osm(path)
    assert result.exit_code == 0, result.output
    assert "street boundary: boundary admin_level=8" in result.output
    with session_scope() as s:
        street = s.get(m.Area, STREET)
        assert not street.generated and 0.0075 < street.max_lon - street.min_lon < 0.0081  # 800 m, not the neighbour
        communities = {a.name: a.generated for a in s.execute(select(m.Area).where(m.Area.level == "community"))
                       .scalars()}
        assert communities == {"南社区": False, "北社区": False, "科特卡街道其他区域": True}
        assert s.execute(select(func.count()).select_from(m.Building)).scalar() == 16  # the neighbour's stays out


def test_admin_levels_are_options_where_a_file_uses_other_levels(empty_db, tmp_path):
    from db import models as m
    from db.engine import session_scope

    path = tmp_path / "level9.osm"
    boundary_file(path, community_level=9)
    assert import_osm(path, "--community-level", "9").exit_code == 0
    with session_scope() as s:
        names = set(s.execute(select(m.Area.name).where(m.Area.level == "community")).scalars())
    assert {"南社区", "北社区"} <= names


# --- coverage on the real extract, checked by an independent networkx computation -------------------------------

def independent_walking(path, street, buildings: list[tuple[float, float]],
                        points: list[tuple[float, float]]) -> np.ndarray:
    """Metres from each building to its nearest point on a graph of OSM node ids built here with networkx, from the
    walkable ways of the file that reach into the street (what `import-osm` keeps)."""
    from geodata import osm

    rules = osm.load_rules()
    lon_0 = float(np.mean([b[0] for b in buildings]))
    to_m = Transformer.from_crs("EPSG:4326", f"+proj=tmerc +lon_0={lon_0} +k=1 +datum=WGS84 +units=m",
                                always_xy=True)
    geod = Geod(ellps="WGS84")
    graph, side = nx.Graph(), []  # side: segments a building may step onto (u, v, xy_u, xy_v, factor)
    where = {}
    for way in osmium.FileProcessor(str(path)).with_locations():
        if not way.is_way():
            continue
        tags = dict(way.tags)
        factor = osm.walk_factor(tags, rules)
        if factor is None:
            continue
        level = osm.grade_separated(tags)
        refs = [(n.ref, n.location) for n in way.nodes]
        inside = [(p.lon, p.lat) for _, p in refs if p.valid()]
        if len(inside) < 2 or not shapely.intersects(street, shapely.LineString(inside)):
            continue
        for (a, la), (b, lb) in zip(refs, refs[1:]):
            if not (la.valid() and lb.valid()):  # a node beyond the extract's edge: no edge across the gap
                continue
            _, _, metres = geod.inv(la.lon, la.lat, lb.lon, lb.lat)
            graph.add_edge(a, b, weight=metres * factor)
            for ref, loc in ((a, la), (b, lb)):
                where[ref] = to_m.transform(loc.lon, loc.lat)
            if not level:
                side.append((a, b, factor))
    lines = [shapely.LineString([where[a], where[b]]) for a, b, _ in side]
    tree = shapely.STRtree(lines)

    def attach(name, lonlat):
        xy = shapely.Point(to_m.transform(*lonlat))
        i = int(tree.nearest(xy))
        a, b, factor = side[i]
        along = shapely.line_locate_point(lines[i], xy)
        access = shapely.distance(lines[i], xy)
        graph.add_edge(name, a, weight=access + along * factor)
        graph.add_edge(name, b, weight=access + (lines[i].length - along) * factor)

    for k, p in enumerate(points):
        attach(("point", k), p)
    for k, b in enumerate(buildings):
        attach(("building", k), b)
    reach = nx.multi_source_dijkstra_path_length(graph, [("point", k) for k in range(len(points))], weight="weight")
    return np.array([reach.get(("building", k), np.inf) for k in range(len(buildings))])


@pytest.mark.parametrize("service_type, radius", [("儿童之家", 300), ("儿童之家", 800), ("百姓健身房", 500)])
def test_walking_coverage_on_the_real_extract_agrees_with_networkx(empty_db, service_type, radius):
    from db import models as m, walking
    from db.engine import session_scope

    assert import_osm(OSM_PBF).exit_code == 0
    with session_scope() as s:
        frame, method = walking.walking_distances(s, STREET, service_type)
        points = s.execute(select(m.ServicePoint.lon, m.ServicePoint.lat)
                           .where(m.ServicePoint.service_type == service_type)).all()
        where = {c: (x, y) for c, x, y in s.execute(select(m.Building.code, m.Building.lon, m.Building.lat))}
        street = s.get(m.Area, STREET).geometry
    assert method == "walking" and len(points) >= 2
    theirs = independent_walking(OSM_PBF, street, [where[c] for c in frame.code], [tuple(p) for p in points])
    ours = frame.distance_m.to_numpy()
    share_ours, share_theirs = float(np.mean(ours <= radius)), float(np.mean(theirs <= radius))
    assert 0.02 < share_theirs < 0.98  # a test that could not tell the two apart would prove nothing
    assert abs(share_ours - share_theirs) <= 0.01, (share_ours, share_theirs)


def test_a_whole_street_from_osm_is_one_batch_that_rollback_removes(empty_db):
    from app import server

    before = fingerprint()
    first = import_osm(OSM_PBF)
    assert first.exit_code == 0 and "rollback-import" in first.output, first.output
    batch = first.output.split("import batch ")[1].split(":")[0]
    listed = server.test_cli_runner().invoke(args=["import-batches"])
    assert listed.exit_code == 0 and listed.output.count("osm") >= 1
    undone = server.test_cli_runner().invoke(args=["rollback-import", batch])
    assert undone.exit_code == 0, undone.output
    assert fingerprint() == before  # street, communities, compounds, groups, buildings, ways and points all gone
    again = import_osm(OSM_PBF)  # and it comes back as new as the first time
    line = next(x for x in first.output.splitlines() if x.strip().startswith("buildings:"))
    assert again.exit_code == 0 and line in again.output, again.output


def test_buildings_no_way_encloses_are_grouped_by_cells_that_hold_them_whole():
    import geopandas as gpd

    from geodata import crs, onboarding
    from geodata.importing import hierarchy

    community = shapely.box(113.90, 22.53, 113.915, 22.54)  # ≈ 1.5 × 1.1 km, no ways at all
    xs = np.linspace(113.9005, 113.9140, 12)
    footprints = [shapely.box(x, 22.5301 + k * 0.0008, x + 0.0002, 22.5303 + k * 0.0008) for x in xs for k in range(12)]
    orphans = gpd.GeoDataFrame({"source_id": [f"b{i}" for i in range(len(footprints))]}, geometry=footprints,
                               crs=crs.WGS84)
    no_ways = gpd.GeoDataFrame({"source_id": []}, geometry=[], crs=crs.WGS84)
    metric = crs.metric_crs(113.9, 22.5)
    groups = onboarding.generated_groups(community, orphans, no_ways, no_ways, metric)
    assert 1 < len(groups) < len(orphans) and groups.source_id.is_unique
    owner = hierarchy.largest_overlap(orphans.geometry, groups.assign(code=groups.source_id))
    assert owner.notna().all()  # every building lies (most) in a group: none is "outside"
    again = onboarding.generated_groups(community, orphans, no_ways, no_ways, metric)
    assert list(again.source_id) == list(groups.source_id)  # the same groups on a second run


# --- footprints from any file, where no compound holds them -------------------------------------------------------

def test_footprints_without_compounds_all_come_in_grouped_from_a_plain_file(empty_db, tmp_path):
    """A 测绘 footprint file (Id 0 on every row, floors only) over a street drawn as one community: every building in."""
    from app import server
    from db import models as m
    from db.engine import session_scope
    from tests.import_files import feature, write_geojson

    runner = server.test_cli_runner()
    lon0, lat0 = 104.06, 30.66  # 成都
    community = write_geojson(tmp_path / "社区.geojson", [feature(shapely.box(lon0, lat0, lon0 + 0.012, lat0 + 0.008),
                                                                 name="玉林社区", id="SQ1")])
    assert runner.invoke(args=["import", str(community), "--as", "communities", "--street", STREET,
                               "--street-name", "玉林街道", "--crs", "EPSG:4326"]).exit_code == 0
    boxes = [shapely.box(lon0 + 0.0005 + i * 0.0011, lat0 + 0.0005 + j * 0.0009,
                         lon0 + 0.0009 + i * 0.0011, lat0 + 0.0008 + j * 0.0009) for i in range(10) for j in range(8)]
    footprints = write_geojson(tmp_path / "楼栋.geojson", [feature(b, Id=0, 层数=6 + k % 12)
                                                          for k, b in enumerate(boxes)])
    before = fingerprint()
    dry = runner.invoke(args=["import", str(footprints), "--as", "buildings", "--crs", "EPSG:4326", "--dry-run"])
    assert dry.exit_code == 0 and "new 80" in dry.output and "generated groups" in dry.output, dry.output
    assert fingerprint() == before  # the dry run made no group either
    done = runner.invoke(args=["import", str(footprints), "--as", "buildings", "--crs", "EPSG:4326"])
    assert done.exit_code == 0 and "new 80" in done.output and "rejected 0" in done.output, done.output
    with session_scope() as s:
        groups = s.execute(select(m.Area).where(m.Area.level == "compound")).scalars().all()
        assert groups and all(g.generated and g.name.startswith("街区") for g in groups)
        assert s.execute(select(func.count()).select_from(m.Building).where(m.Building.estimated)).scalar() == 80
    again = runner.invoke(args=["import", str(footprints), "--as", "buildings", "--crs", "EPSG:4326"])
    assert "new 0, updated 0, unchanged 80" in again.output, again.output


def test_codes_do_not_run_out_in_a_huge_compound():
    from geodata.codes import is_wellformed as is_wellformed_code
    from geodata.importing import hierarchy

    prefix = "330381001001X001B"
    taken = [f"{prefix}{n:03d}" for n in range(1, 1000)]
    codes = hierarchy.next_codes(prefix, taken, 3, 3)
    assert codes == [f"{prefix}1000", f"{prefix}1001", f"{prefix}1002"]  # past 999: four digits, never a refusal
    assert all(is_wellformed_code(c) for c in codes) and is_wellformed_code("330381001001X1000")
    assert not is_wellformed_code("330381001001X01")
