"""Siting: MCLP equals brute force, p-median, 2SFCA against a hand-worked example, clear refusals."""
from __future__ import annotations

import numpy as np
import pytest

from geodata import siting

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_mclp_equals_brute_force_on_small_instances(seed):
    rng = np.random.default_rng(seed)
    demand, existing_n, cand_n = 25, 1, 7
    xy = rng.uniform(0, 1000, (demand, 2))
    sites = rng.uniform(0, 1000, (existing_n + cand_n, 2))
    dist = np.hypot(*(xy[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    weights = rng.integers(1, 40, demand)
    existing, candidates = dist[:, :existing_n], dist[:, existing_n:]
    for k in (1, 2, 3):
        got = siting.mclp(existing, candidates, weights, 300, k)
        assert len(got.chosen) == k
        assert got.objective == pytest.approx(siting.brute_force_mclp(existing, candidates, weights, 300, k))
        assert got.gap is not None and got.gap >= 0 and got.bound >= got.objective - 1e-6


def test_pmedian_picks_the_site_in_the_middle():
    # three demand points on a line at 0, 100, 200; candidates at 0, 100, 200: one site → the middle one
    pos = np.array([0.0, 100.0, 200.0])
    dist = np.abs(pos[:, None] - pos[None, :])
    got = siting.pmedian(np.empty((3, 0)), dist, np.ones(3), 1)
    assert got.chosen == [1] and got.objective == 200


def test_pmedian_keeps_existing_sites():
    pos = np.array([0.0, 100.0, 1000.0])
    dist = np.abs(pos[:, None] - pos[None, :])
    existing, candidates = dist[:, [0]], dist[:, 1:]
    got = siting.pmedian(existing, candidates, np.ones(3), 1)
    assert got.chosen == [1]  # the far point gets the new site; 0 is already served


def test_two_step_fca_hand_worked():
    # Two canteens: A (60 seats) reaches demand 1 and 2; B (40 seats) reaches demand 2 and 3.
    # Demand (elderly): 1 → 300, 2 → 600, 3 → 100.
    # Step 1: R_A = 60 / (300 + 600) = 0.0667; R_B = 40 / (600 + 100) = 0.0571.
    # Step 2: demand 1 → 0.0667; demand 2 → 0.0667 + 0.0571 = 0.1238; demand 3 → 0.0571.
    d = np.array([[100, 900], [200, 250], [800, 100]], float)
    a = siting.two_step_fca(d, np.array([300, 600, 100]), np.array([60, 40]), 300)
    assert a == pytest.approx([60 / 900, 60 / 900 + 40 / 700, 40 / 700])


def test_a_small_canteen_for_many_elderly_is_short():
    # 60 seats within reach of 900 elderly: 6.7 seats per 100, below 10 per 100
    a = siting.two_step_fca(np.array([[100.0]] * 3), np.array([300, 300, 300]), np.array([60]), 300)
    assert (a * 100 < 10).all()


@pytest.mark.parametrize("n_cand, k, kind", [(0, 1, "no_candidates"), (3, 4, "k_too_large"), (3, 0, "k_too_small")])
def test_impossible_requests_are_refused_clearly(n_cand, k, kind):
    with pytest.raises(siting.SitingError) as err:
        siting.mclp(np.empty((2, 0)), np.zeros((2, n_cand)), np.ones(2), 300, k)
    assert err.value.kind == kind


def test_volunteer_match_is_the_least_total_walk_within_the_limit():
    from geodata import people

    # volunteer 0 is close to both slots, volunteer 1 only to slot 0, volunteer 2 to nothing within 10 minutes
    minutes = np.array([[2.0, 3.0], [4.0, 30.0], [40.0, 50.0]])
    pairs = people.match(minutes, 10)
    assert sorted(pairs) == [(0, 1), (1, 0)]  # 4 + 3 beats 2 + (nobody for slot 1)
    assert people.match(np.empty((0, 3)), 10) == []


def test_volunteer_deserts_are_posts_nobody_lives_near():
    from geodata import people

    minutes = np.array([[2.0, 30.0, np.inf], [4.0, 25.0, np.inf]])
    assert people.deserts(minutes, 20).tolist() == [False, True, True]
    assert people.workload(520) == "over" and people.workload(280) == "under" and people.workload(400) == "ok"
