"""Walking network: noding, snapping, distances checked against networkx on the same graph, fallbacks."""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from geodata import coverage, crs, demo, network

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def _nx_distances(net: network.Network, targets: network.Snap, sources: network.Snap) -> np.ndarray:
    """Independent check: split every edge at the snapped points in networkx, then multi-source Dijkstra."""
    g = nx.MultiGraph()  # parallel pieces stay; Dijkstra takes the shorter
    cuts: dict[int, list] = {}
    for kind, snap in (("t", targets), ("s", sources)):
        for i, (e, a, acc) in enumerate(zip(snap.edge, snap.along, snap.access)):
            cuts.setdefault(int(e), []).append((float(a), (kind, i), float(acc)))
    for e, (u, v, length) in enumerate(zip(net.u, net.v, net.length)):
        here = sorted(cuts.get(e, []), key=lambda c: c[0])
        stops = [(0.0, ("j", int(u)))] + [(a, ("p", key)) for a, key, _ in here] + [(float(length), ("j", int(v)))]
        for (a0, n0), (a1, n1) in zip(stops, stops[1:]):
            g.add_edge(n0, n1, weight=a1 - a0)
        for a, key, acc in cuts.get(e, []):
            g.add_edge(("p", key), key, weight=acc)
    out = np.full((len(targets.edge), len(sources.edge)), np.inf)
    for j in range(len(sources.edge)):
        lengths = nx.single_source_dijkstra_path_length(g, ("s", j), weight="weight")
        for i in range(len(targets.edge)):
            out[i, j] = lengths.get(("t", i), np.inf)
    return out


@pytest.fixture(scope="module")
def street():
    data = demo.generate("S")
    lines = data.basemap.geometry.to_crs(crs.metric_crs_around(data.basemap))
    roads = lines[lines.geom_type.str.endswith("LineString")]  # roads and the compounds' walkways
    return data, roads


def test_nearest_is_the_closest_source_as_networkx_walks_it(street):
    data, roads = street
    net = network.build(list(roads.values))
    targets = network.snap(net, coverage.metric_xy(data.buildings.sample(80, random_state=3).geometry, roads.crs))
    sources = network.snap(net, coverage.metric_xy(data.service_points.sample(9, random_state=4).geometry, roads.crs))
    np.testing.assert_allclose(network.nearest(net, targets, sources),
                               _nx_distances(net, targets, sources).min(axis=1), rtol=1e-9, atol=1e-6)


def test_nearest_meets_on_a_shared_edge_without_passing_its_ends():
    net = network.build([LineString([(0, 0), (1000, 0)])])
    targets = network.snap(net, np.array([[400.0, 5.0], [990.0, 0.0]]))
    sources = network.snap(net, np.array([[450.0, -10.0], [700.0, 0.0]]))
    # 50 m along plus both access legs (5 + 10); the second target is 290 m from the second source
    np.testing.assert_allclose(network.nearest(net, targets, sources), [65.0, 290.0])
    np.testing.assert_allclose(network.nearest(net, targets, sources), network.distance_matrix(net, targets, sources).min(axis=1))


def test_crossing_lines_are_noded_at_the_junction():
    net = network.build([LineString([(0, 0), (100, 0)]), LineString([(50, -50), (50, 50)])])
    assert len(net.nodes) == 5 and len(net.u) == 4
    assert net.components_report()["components"] == 1


def test_distances_equal_networkx_on_the_demo_street(street):
    data, roads = street
    net = network.build(list(roads.values))
    b = data.buildings.sample(60, random_state=1)
    targets = network.snap(net, coverage.metric_xy(b.geometry, roads.crs))
    pts = data.service_points.sample(12, random_state=2)
    sources = network.snap(net, coverage.metric_xy(pts.geometry, roads.crs))
    ours = network.distance_matrix(net, targets, sources)
    theirs = _nx_distances(net, targets, sources)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-6)


def test_walking_never_shorter_than_straight_line(street):
    data, roads = street
    walk = coverage.walking_distances(data.buildings, data.service_points[data.service_points.service_type == "爱心食堂"],
                                      roads, 1.3)
    straight = coverage.nearest_distances(data.buildings, data.service_points[data.service_points.service_type == "爱心食堂"])
    assert walk.method == "walking"
    # straight line is measured to the footprint edge, walking from a point inside it: both lower bounds hold
    assert (walk.distance.to_numpy() + 1e-6 >= straight.to_numpy()).all()
    for radius in (300, 500, 1000):
        assert (walk.distance <= radius).sum() <= (straight <= radius).sum()


def test_snapped_access_leg_is_counted():
    net = network.build([LineString([(0, 0), (200, 0)])])
    t = network.snap(net, [[10, 30]])
    s = network.snap(net, [[110, -40]])
    assert network.distance_matrix(net, t, s)[0, 0] == pytest.approx(30 + 100 + 40)


def test_disconnected_piece_is_reported_not_dropped():
    net = network.build([LineString([(0, 0), (500, 0)]), LineString([(0, 1000), (50, 1000)])])
    report = net.components_report()
    assert report["components"] == 2 and report["detached_nodes"] == 2 and report["detached_length_m"] == 50
    t = network.snap(net, [[10, 1010], [10, 10]])
    s = network.snap(net, [[400, 5]])
    dist = network.nearest(net, t, s)
    assert np.isinf(dist[0]) and dist[1] == pytest.approx(10 + 390 + 5)
    assert network.reachable(net, t).tolist() == [False, True]


def test_no_roads_falls_back_to_detoured_straight_line():
    b = gpd.GeoDataFrame({"households": [1]}, geometry=[Point(120.63, 27.78)], crs=crs.WGS84)
    p = gpd.GeoDataFrame(geometry=[Point(120.631, 27.78)], crs=crs.WGS84)
    walk = coverage.walking_distances(b, p, gpd.GeoSeries([], crs=crs.WGS84), 1.3)
    assert walk.method == "straight_line_detour"
    assert walk.distance.iloc[0] == pytest.approx(coverage.nearest_distances(b, p).iloc[0] * 1.3)


def test_roads_must_be_lines():
    with pytest.raises(ValueError, match="lines"):
        network.build([Point(0, 0).buffer(1)])
