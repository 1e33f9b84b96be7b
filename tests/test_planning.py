"""Planning on the demo street: candidates, MCLP and p-median with existing sites kept, what-if, scenarios."""
from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db import areas, coverage, models as m, planning

STREET = "330381001"
NOW = dt.datetime(2026, 11, 20, 9, 30)


def test_demo_street_has_candidate_sites(session):
    cands = planning.list_candidates(session, STREET)
    assert len(cands) >= 20 and {c["kind"] for c in cands} <= {"闲置用房", "架空层", "空置店面"}


@pytest.mark.parametrize("objective", ["mclp", "pmedian"])
def test_optimise_adds_k_sites_and_never_loses_coverage(session, objective):
    r = planning.optimise(session, STREET, "日间照料中心", 3, objective)
    assert len(r["added"]) == 3 and r["existing"]
    assert r["after"]["elderly"] >= r["before"]["elderly"]
    assert r["newly_covered"]["households"] == r["after"]["households"] - r["before"]["households"]
    if objective == "mclp":
        assert r["gap"] is not None and r["gap"] >= 0 and r["newly_covered"]["elderly"] > 0


def test_mclp_beats_every_single_candidate_added_by_hand(session):
    best = planning.optimise(session, STREET, "日间照料中心", 1, "mclp")
    for c in planning.list_candidates(session, STREET):
        by_hand = planning.what_if(session, STREET, "日间照料中心", [c], [])
        assert by_hand["after"]["elderly"] <= best["after"]["elderly"]


def test_what_if_remove_an_existing_site_loses_coverage(session):
    base = planning.what_if(session, STREET, "日间照料中心", [], [])
    assert base["after"] == base["before"]
    code = base["existing"][0]["code"]
    fewer = planning.what_if(session, STREET, "日间照料中心", [], [code])
    assert fewer["after"]["elderly"] < base["before"]["elderly"]


@pytest.mark.parametrize("k, kind", [(10_000, "k_too_large"), (0, "k_too_small")])
def test_impossible_k_is_refused(session, k, kind):
    with pytest.raises(planning.PlanningError) as err:
        planning.optimise(session, STREET, "日间照料中心", k)
    assert err.value.kind == kind


def test_no_candidates_is_refused(session):
    session.query(m.PlanningCandidate).delete()
    with pytest.raises(planning.PlanningError) as err:
        planning.optimise(session, STREET, "日间照料中心", 1)
    assert err.value.kind == "no_candidates"


def test_candidates_are_edited_inside_the_street_only(session):
    before = len(planning.list_candidates(session, STREET))
    with pytest.raises(planning.PlanningError):
        planning.add_candidate(session, STREET, "闲置用房", "远处", 100.0, 20.0, "admin", NOW)
    with pytest.raises(planning.PlanningError):
        planning.add_candidate(session, STREET, "火箭", "x", 120.63, 27.775, "admin", NOW)
    added = planning.add_candidate(session, STREET, "架空层", "3幢架空层", 120.63, 27.775, "admin", NOW)
    assert len(planning.list_candidates(session, STREET)) == before + 1
    assert planning.remove_candidate(session, STREET, added["id"])
    assert len(planning.list_candidates(session, STREET)) == before


def test_scenarios_saved_by_unique_name(session):
    before = planning.list_scenarios(session, STREET)  # browser tests may have saved some in this database
    r = planning.optimise(session, STREET, "日间照料中心", 2)
    planning.save_scenario(session, STREET, "单元测试方案", r, "street", NOW)
    with pytest.raises(planning.PlanningError) as err:
        planning.save_scenario(session, STREET, "单元测试方案", r, "street", NOW)
    assert err.value.kind == "name_taken"
    with pytest.raises(planning.PlanningError):
        planning.save_scenario(session, STREET, "  ", r, "street", NOW)
    saved = planning.list_scenarios(session, STREET)
    assert len(saved) == len(before) + 1
    mine = [s for s in saved if s["name"] == "单元测试方案"]
    assert len(mine) == 1 and mine[0]["result"]["added"] == r["added"]


def test_a_scenario_is_deleted_on_its_own_street_only(session):
    r = planning.optimise(session, STREET, "日间照料中心", 1)
    saved = planning.save_scenario(session, STREET, "待删除方案", r, "street", NOW)
    for street, scenario in (("330381002", saved["id"]), (STREET, None), (STREET, 10**9)):
        with pytest.raises(planning.PlanningError) as err:
            planning.delete_scenario(session, street, scenario)
        assert err.value.kind == "not_found"
    assert planning.delete_scenario(session, STREET, saved["id"]) == "待删除方案"
    assert "待删除方案" not in {s["name"] for s in planning.list_scenarios(session, STREET)}
    planning.save_scenario(session, STREET, "待删除方案", r, "street", NOW)  # its name is free again


def test_capacity_gap_counts_elderly_with_too_few_seats(session):
    cov = coverage.area_coverage(session, areas.get_area(session, STREET), "爱心食堂")
    cap = cov["capacity"]
    assert cap["min_seats_per_100_elderly"] == 10
    # everyone a canteen does not reach is short of seats too; some reached ones may be as well
    assert cap["short_elderly"] >= cov["gap_elderly"]
    assert coverage.area_coverage(session, areas.get_area(session, STREET), "党群服务中心")["capacity"] is None  # no capacities recorded


def test_planning_tables_match_the_migration(session):
    diff = compare_metadata(MigrationContext.configure(session.connection()), m.Base.metadata)
    mine = [d for d in diff if "planning" in repr(d)]
    assert mine == []
