"""Walking network from road lines (metric CRS): junctions, snapping points onto edges, shortest walking distances."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

NODE_PRECISION_M = 0.01  # coordinates closer than this are the same junction


@dataclass(frozen=True)
class Network:
    """An undirected walking graph: node coordinates, edges (u, v, length) and connected components."""

    nodes: np.ndarray  # (n, 2) metres
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    segments: np.ndarray  # shapely LineStrings, one per edge, for snapping
    tree: shapely.STRtree
    graph: object  # scipy CSR adjacency
    component: np.ndarray  # component label of every node
    main_component: int
    factor: np.ndarray  # walking metres per metre of each edge (`length` already includes it)
    side_edges: np.ndarray  # the edges `tree` holds: those a point may join from the side

    @property
    def empty(self) -> bool:
        return len(self.u) == 0

    def components_report(self) -> dict:
        """How many separate pieces the network has and how much lies outside the largest one."""
        if self.empty:
            return {"components": 0, "nodes": 0, "edges": 0, "detached_nodes": 0, "detached_length_m": 0.0}
        detached = self.component[self.u] != self.main_component
        return {"components": int(self.component.max() + 1), "nodes": int(len(self.nodes)),
                "edges": int(len(self.u)), "detached_nodes": int((self.component != self.main_component).sum()),
                "detached_length_m": round(float(self.length[detached].sum()), 1)}


@dataclass(frozen=True)
class Snap:
    """Where points join the network: edge, distance along it from u, and the straight access leg."""

    edge: np.ndarray
    along: np.ndarray  # metres from the edge's u end
    access: np.ndarray  # metres from the point to the edge

    def take(self, which) -> "Snap":
        """The snaps of some points (a boolean mask or positions)."""
        return Snap(self.edge[which], self.along[which], self.access[which])

    @staticmethod
    def none() -> "Snap":
        return Snap(np.empty(0, int), np.empty(0), np.empty(0))


def build(lines, factor=None, noded=None, snappable=None) -> Network:
    """A network from LineStrings in metres, which walkers can turn off at every junction.

    Lines of a source without topology (a Shapefile of roads) are split wherever they cross. Lines whose source is a
    topology (`noded`: OpenStreetMap ways, whose junctions are shared nodes) join only at shared vertices, so a bridge
    does not meet the road beneath it. `factor` is walking metres per metre of line (steps are slower); lines not
    `snappable` (bridges, tunnels, other layers) are walked along but nothing joins them from the side.
    """
    lines = list(lines)
    n_in = len(lines)
    factor = np.ones(n_in) if factor is None else np.asarray(factor, dtype=float)
    noded = np.zeros(n_in, bool) if noded is None else np.asarray(noded, dtype=bool)
    snappable = np.ones(n_in, bool) if snappable is None else np.asarray(snappable, dtype=bool)
    keep = [i for i, g in enumerate(lines) if g is not None and not g.is_empty]
    bad = [lines[i].geom_type for i in keep if lines[i].geom_type not in ("LineString", "MultiLineString")]
    if bad:
        raise ValueError(f"roads must be lines, got {sorted(set(bad))}")
    if not keep:
        return _network(np.empty((0, 2)), np.empty(0, int), np.empty(0, int))
    geoms = np.asarray(lines, dtype=object)[keep]
    factor, noded, snappable = factor[keep], noded[keep], snappable[keep]
    pieces, piece_of = [], []
    plain = ~noded
    if plain.any():
        # one noding per kind of line, so crossings of lines without topology become shared vertices (on the 1 cm
        # grid: a line ending on another joins it in any projection, where its end is a hair off the line); a plain
        # line keeps its own factor and side access
        for f, side in sorted(set(zip(factor[plain], snappable[plain]))):
            group = geoms[plain & (factor == f) & (snappable == side)]
            parts = shapely.get_parts(shapely.union_all(group, grid_size=NODE_PRECISION_M))
            pieces.extend(parts)
            piece_of.extend([(f, side)] * len(parts))
    for g, f, side in zip(geoms[noded], factor[noded], snappable[noded]):
        parts = shapely.get_parts(g)
        pieces.extend(parts)
        piece_of.extend([(f, side)] * len(parts))
    coords, part = shapely.get_coordinates(np.asarray(pieces, dtype=object), return_index=True)
    inside = part[:-1] == part[1:]  # consecutive vertices of one piece make a segment
    a, b = coords[:-1][inside], coords[1:][inside]
    seg_factor = np.array([piece_of[i][0] for i in part[:-1][inside]], dtype=float)
    seg_side = np.array([piece_of[i][1] for i in part[:-1][inside]], dtype=bool)
    keys = np.round(np.vstack([a, b]) / NODE_PRECISION_M).astype(np.int64)
    keys -= keys.min(axis=0)
    span = int(keys[:, 1].max()) + 1
    # one int per junction (x, y on the 1 cm grid) makes np.unique far faster than unique rows
    unique, inverse = np.unique(keys[:, 0] * span + keys[:, 1], return_inverse=True)
    inverse = inverse.ravel()
    one = np.empty(len(unique), int)
    one[inverse] = np.arange(len(inverse))  # some vertex at each junction: all round to the same point
    nodes = np.round(np.vstack([a, b])[one] / NODE_PRECISION_M) * NODE_PRECISION_M
    u, v = inverse[: len(a)], inverse[len(a):]
    keep_edges = u != v
    return _network(nodes, u[keep_edges], v[keep_edges], seg_factor[keep_edges], seg_side[keep_edges])


def _network(nodes: np.ndarray, u: np.ndarray, v: np.ndarray, factor: np.ndarray | None = None,
             snappable: np.ndarray | None = None) -> Network:
    factor = np.ones(len(u)) if factor is None else factor
    snappable = np.ones(len(u), bool) if snappable is None else snappable
    length = np.hypot(*(nodes[u] - nodes[v]).T) * factor if len(u) else np.empty(0)
    segments = shapely.linestrings(np.stack([nodes[u], nodes[v]], axis=1)) if len(u) else np.empty(0, object)
    n = len(nodes)
    graph = coo_matrix((np.concatenate([length, length]), (np.concatenate([u, v]), np.concatenate([v, u]))),
                       shape=(n, n)).tocsr()
    if n:
        _, component = connected_components(graph, directed=False)
        # the largest piece by road length is "the" network; the rest is reported as detached
        sizes = np.bincount(component[u], weights=length, minlength=component.max() + 1) if len(u) else [0]
        main = int(np.argmax(sizes))
    else:
        component, main = np.empty(0, int), -1
    # points join the network only on edges at ground level; with none there, anywhere
    side = np.flatnonzero(snappable) if snappable.any() else np.arange(len(u))
    return Network(nodes, u, v, length, segments, shapely.STRtree(segments[side]), graph, component, main,
                   factor, side)


def snap(net: Network, xy: np.ndarray) -> Snap:
    """Project each point (metres) onto its nearest edge."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if net.empty:
        raise ValueError("cannot snap onto an empty network")
    points = shapely.points(xy)
    if len(points) == 0:
        return Snap.none()
    (p_idx, e_idx), access = net.tree.query_nearest(points, return_distance=True, all_matches=False)
    edge = np.empty(len(points), int)
    edge[p_idx] = net.side_edges[e_idx]
    dist = np.empty(len(points))
    dist[p_idx] = access
    # along the edge in walking metres, like its length
    along = shapely.line_locate_point(net.segments[edge], points) * net.factor[edge]
    return Snap(edge, along, dist)


def _ends(net: Network, s: Snap) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For snapped points: (node at u, metres to u, node at v, metres to v), access leg included."""
    return net.u[s.edge], s.access + s.along, net.v[s.edge], s.access + net.length[s.edge] - s.along


def distance_matrix(net: Network, targets: Snap, sources: Snap) -> np.ndarray:
    """Walking metres (targets × sources): along the network, with both access legs; inf when not connected."""
    nt, ns = len(targets.edge), len(sources.edge)
    if nt == 0 or ns == 0:
        return np.full((nt, ns), np.inf)
    su, sdu, sv, sdv = _ends(net, sources)
    origins, where = np.unique(np.concatenate([su, sv]), return_inverse=True)
    d = dijkstra(net.graph, directed=False, indices=origins)  # (origins, nodes)
    row_u, row_v = where[:ns], where[ns:]
    tu, tdu, tv, tdv = _ends(net, targets)
    best = np.full((nt, ns), np.inf)
    for s_row, s_off in ((row_u, sdu), (row_v, sdv)):
        for t_node, t_off in ((tu, tdu), (tv, tdv)):
            best = np.minimum(best, d[s_row][:, t_node].T + s_off[None, :] + t_off[:, None])
    # a target and a source on the same edge can meet without passing either end
    same = targets.edge[:, None] == sources.edge[None, :]
    if same.any():
        direct = np.abs(targets.along[:, None] - sources.along[None, :]) + targets.access[:, None] + sources.access[None, :]
        best = np.where(same, np.minimum(best, direct), best)
    return best


def nearest(net: Network, targets: Snap, sources: Snap) -> np.ndarray:
    """Walking metres from each target to its nearest source (inf when none is reachable): one Dijkstra from a
    virtual node joined to both ends of every source's edge by the walk there, however many sources there are."""
    nt, ns, n = len(targets.edge), len(sources.edge), len(net.nodes)
    if ns == 0 or nt == 0:
        return np.full(nt, np.inf)
    su, sdu, sv, sdv = _ends(net, sources)
    ends, offsets = np.concatenate([su, sv]), np.concatenate([sdu, sdv])
    order = np.lexsort((offsets, ends))
    first = np.unique(ends[order], return_index=True)[1]  # each node once, by its shortest way in
    ends, offsets = ends[order][first], np.maximum(offsets[order][first], 1e-9)  # a zero would be no edge
    graph = net.graph.tocoo()
    rows = np.concatenate([graph.row, np.full(len(ends), n)])
    cols = np.concatenate([graph.col, ends])
    augmented = coo_matrix((np.concatenate([graph.data, offsets]), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    d = dijkstra(augmented, directed=True, indices=n)
    tu, tdu, tv, tdv = _ends(net, targets)
    best = np.minimum(d[tu] + tdu, d[tv] + tdv)
    # a target and a source on the same edge can meet without passing either end
    shared = np.flatnonzero(np.isin(targets.edge, sources.edge))
    if len(shared):
        by_edge = pd.DataFrame({"edge": sources.edge, "along": sources.along, "access": sources.access})
        pairs = pd.DataFrame({"t": shared, "edge": targets.edge[shared]}).merge(by_edge, on="edge")
        direct = (np.abs(targets.along[pairs.t] - pairs.along) + targets.access[pairs.t] + pairs.access).to_numpy()
        lowest = pd.Series(direct).groupby(pairs.t.to_numpy()).min()
        best[lowest.index] = np.minimum(best[lowest.index], lowest.to_numpy())
    return best


def reachable(net: Network, s: Snap) -> np.ndarray:
    """Whether each snapped point sits on the network's largest connected piece."""
    return net.component[net.u[s.edge]] == net.main_component
