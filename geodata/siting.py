"""Siting and capacity on a distance matrix: MCLP and p-median (spopt), 2SFCA, what-if, demo candidate sites."""
from __future__ import annotations

import contextlib
import copy
import itertools
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from geodata import crs
from workflow.vocab import CANDIDATE_KINDS

OBJECTIVES = ("mclp", "pmedian")
UNREACHABLE_M = 1e6  # stands in for "no path" where a solver needs finite costs


class SitingError(ValueError):
    """An impossible request (no candidates, k too large …); `kind` says which, for the UI's message."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Solution:
    chosen: list[int]  # candidate positions
    objective: float
    bound: float | None  # LP relaxation bound of the same model
    status: str

    @property
    def gap(self) -> float | None:
        """Relative distance between the solution and the LP bound (0: proven optimal)."""
        if self.bound is None:
            return None
        if self.bound == self.objective:
            return 0.0
        return abs(self.bound - self.objective) / max(abs(self.bound), 1e-9)


def _check(n_candidates: int, k: int) -> None:
    if n_candidates == 0:
        raise SitingError("no_candidates", "there are no candidate sites to choose from")
    if not 1 <= k <= n_candidates:
        raise SitingError("k_too_large" if k > n_candidates else "k_too_small",
                          f"k must lie between 1 and the {n_candidates} candidates, got {k}")


@contextlib.contextmanager
def _spopt():
    """spopt's model classes, imported here: spopt brings libpysal, pointpats and matplotlib (~4 s of a server's
    start), and only a planning run solves. spopt builds its models with PuLP calls that PuLP 3.3 flags for 4.0:
    not ours to fix, and thousands per run, so they are quiet meanwhile."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulp(\..*)?$")
        from spopt.locate import MCLP, PMedian

        yield MCLP, PMedian


def _solve(model, relax: bool) -> tuple[str, float | None]:
    """Solve with CBC (bundled with pulp, runs offline); with an LP relaxation bound when asked."""
    import pulp  # with spopt, for the same reason

    model.solve(pulp.PULP_CBC_CMD(msg=False))
    bound = None
    if relax:
        lp = copy.deepcopy(model.problem)
        for var in lp.variables():
            var.cat = pulp.LpContinuous
        lp.solve(pulp.PULP_CBC_CMD(msg=False))
        bound = float(pulp.value(lp.objective))
    return pulp.LpStatus[model.problem.status], bound


def mclp(existing: np.ndarray, candidates: np.ndarray, weights: np.ndarray, radius: float, k: int,
         bound: bool = True) -> Solution:
    """Pick k candidates that, with every existing site kept, cover the most weight within `radius`.

    `existing` and `candidates` are distance matrices (demand × sites) in the same units as `radius`.
    """
    _check(candidates.shape[1], k)
    already = (existing <= radius).any(axis=1) if existing.size else np.zeros(len(weights), bool)
    # demand the existing sites already cover adds the same amount to every solution: solve for the rest
    cost = np.minimum(candidates[~already], UNREACHABLE_M)
    w = np.asarray(weights, float)[~already]
    base = float(np.asarray(weights, float)[already].sum())
    if len(w) == 0 or not (cost <= radius).any():
        return Solution(list(range(k)), base, base, "Optimal")
    with _spopt() as (MCLP, _):
        model = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=k)
        status, lp = _solve(model, bound)
    chosen = [j for j, var in enumerate(model.fac_vars) if var.value() and var.value() > 0.5]
    covered = float(w[(cost[:, chosen] <= radius).any(axis=1)].sum())
    return Solution(chosen, base + covered, None if lp is None else base + lp, status)


def pmedian(existing: np.ndarray, candidates: np.ndarray, weights: np.ndarray, k: int) -> Solution:
    """Pick k candidates that, with every existing site kept, minimise total weighted distance to the nearest site."""
    _check(candidates.shape[1], k)
    cost = np.minimum(np.hstack([existing, candidates]), UNREACHABLE_M)
    n_existing = existing.shape[1]
    predefined = np.r_[np.ones(n_existing, int), np.zeros(candidates.shape[1], int)]
    with _spopt() as (_, PMedian):
        model = PMedian.from_cost_matrix(cost, np.asarray(weights, float), p_facilities=n_existing + k,
                                         predefined_facilities_arr=predefined if n_existing else None)
        status, _ = _solve(model, False)
    chosen = [j - n_existing for j, var in enumerate(model.fac_vars) if j >= n_existing and var.value() > 0.5]
    total = float((np.asarray(weights, float) * cost[:, [*range(n_existing), *(n_existing + c for c in chosen)]]
                   .min(axis=1)).sum())
    return Solution(chosen, total, None, status)


def brute_force_mclp(existing: np.ndarray, candidates: np.ndarray, weights: np.ndarray, radius: float,
                     k: int) -> float:
    """The best covered weight over every k-subset (small instances only: the check for `mclp`)."""
    base = (existing <= radius).any(axis=1) if existing.size else np.zeros(len(weights), bool)
    best = 0.0
    for combo in itertools.combinations(range(candidates.shape[1]), k):
        covered = base | (candidates[:, combo] <= radius).any(axis=1)
        best = max(best, float(np.asarray(weights, float)[covered].sum()))
    return best


def coverage_numbers(nearest_m: np.ndarray, households: np.ndarray, elderly: np.ndarray, residents: np.ndarray,
                     radius: float) -> dict:
    """Covered households, elderly and residents for a set of nearest distances, with shares."""
    inside = nearest_m <= radius

    def part(weight):
        total = float(np.sum(weight))
        got = float(np.sum(weight[inside]))
        return int(got), (round(got / total, 4) if total else None)

    (h, hs), (e, es), (r, rs) = part(households), part(elderly), part(residents)
    return {"households": h, "households_share": hs, "elderly": e, "elderly_share": es, "residents": r,
            "residents_share": rs, "buildings": int(inside.sum())}


def two_step_fca(distance: np.ndarray, demand: np.ndarray, capacity: np.ndarray, radius: float) -> np.ndarray:
    """Two-step floating catchment: supply per head that each demand location can reach within `radius`.

    Step 1: each site's ratio = its capacity / the demand within reach of it.
    Step 2: each demand location sums the ratios of the sites within its reach.
    """
    reach = distance <= radius  # demand × sites
    demand = np.asarray(demand, float)
    served = reach.T @ demand  # demand within reach of each site
    ratio = np.divide(np.asarray(capacity, float), served, out=np.zeros(len(served)), where=served > 0)
    return reach @ ratio


KINDS = CANDIDATE_KINDS
IDLE_ROOM, OPEN_GROUND_FLOOR, EMPTY_SHOP = KINDS


def demo_candidates(areas: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, per_community: int = 6,
                    seed: int = 6) -> gpd.GeoDataFrame:
    """Plausible candidate sites for the demo: idle rooms in old compounds, 架空层 under new blocks, empty shops."""
    rng = np.random.default_rng(seed)
    compounds = areas[areas.level == "compound"]
    rows = []
    for community in areas[areas.level == "community"].itertuples():
        mine = compounds[compounds.code.str.startswith(community.code)]
        if mine.empty:
            continue
        for n, idx in enumerate(rng.choice(len(mine), size=min(per_community, len(mine)), replace=False)):
            host = mine.iloc[int(idx)]
            kind = {"old": IDLE_ROOM, "new": OPEN_GROUND_FLOOR}.get(host.era, KINDS[n % len(KINDS)])
            if kind == OPEN_GROUND_FLOOR:
                blocks = buildings[buildings.compound_code == host.code]
                where = blocks.geometry.iloc[int(rng.integers(0, len(blocks)))].representative_point() \
                    if len(blocks) else host.geometry.representative_point()
            elif kind == EMPTY_SHOP:  # street-facing: on the compound's edge
                ring = host.geometry.exterior
                where = ring.interpolate(float(rng.uniform(0, ring.length)))
            else:
                where = host.geometry.representative_point()
            rows.append({"street_code": host.code[:9], "kind": kind, "name": f"{host['name']}{kind}",
                         "geometry": where})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=areas.crs or crs.WGS84)
