"""Planning on the demo street: candidates, MCLP and p-median with existing sites kept, what-if, scenarios."""
from __future__ import annotations

import datetime as dt

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from db import areas, coverage, models as m, planning
from db.access import SYSTEM, Viewer

STREET = "330381001"
NOW = dt.datetime(2026, 11, 20, 9, 30)


def _viewer(session, username: str) -> Viewer:
    user = session.execute(select(m.User).where(m.User.username == username)).scalar_one()
    return Viewer(user.role, user.scope_code, user.id)


def _saved(session, viewer: Viewer, name: str, result: dict) -> dict:
    """Save a plan the way the page does: the server keeps the result, the scenario is made from its token."""
    return planning.save_scenario(session, viewer, STREET, name, planning.keep_result(session, result, NOW), NOW)


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
        planning.add_candidate(session, SYSTEM, STREET, "闲置用房", "远处", 100.0, 20.0, "admin", NOW)
    with pytest.raises(planning.PlanningError):
        planning.add_candidate(session, SYSTEM, STREET, "火箭", "x", 120.63, 27.775, "admin", NOW)
    added = planning.add_candidate(session, SYSTEM, STREET, "架空层", "3幢架空层", 120.63, 27.775, "admin", NOW)
    assert len(planning.list_candidates(session, STREET)) == before + 1
    assert planning.remove_candidate(session, SYSTEM, STREET, added["id"]) == "3幢架空层"
    assert len(planning.list_candidates(session, STREET)) == before


def test_scenarios_saved_by_unique_name(session):
    before = planning.list_scenarios(session, STREET)  # browser tests may have saved some in this database
    r = planning.optimise(session, STREET, "日间照料中心", 2)
    official = _viewer(session, "street")
    _saved(session, official, "单元测试方案", r)
    with pytest.raises(planning.PlanningError) as err:
        _saved(session, official, "单元测试方案", r)
    assert err.value.kind == "name_taken"
    with pytest.raises(planning.PlanningError):
        _saved(session, official, "  ", r)
    saved = planning.list_scenarios(session, STREET)
    assert len(saved) == len(before) + 1
    mine = [s for s in saved if s["name"] == "单元测试方案"]
    assert len(mine) == 1 and mine[0]["result"]["added"] == r["added"] and mine[0]["created_by"] == "street"


def test_a_scenario_is_deleted_on_its_own_street_only(session):
    r = planning.optimise(session, STREET, "日间照料中心", 1)
    official = _viewer(session, "street")
    saved = _saved(session, official, "待删除方案", r)
    for street, scenario in (("330381002", saved["id"]), (STREET, None), (STREET, 10**9), (STREET, True),
                             (STREET, str(saved["id"]))):
        with pytest.raises(planning.PlanningError) as err:
            planning.delete_scenario(session, official, street, scenario)
        assert err.value.kind == "not_found"
    assert planning.delete_scenario(session, official, STREET, saved["id"]) == "待删除方案"
    assert "待删除方案" not in {s["name"] for s in planning.list_scenarios(session, STREET)}
    _saved(session, official, "待删除方案", r)  # its name is free again


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


# --- the page as a hostile browser drives it: forged stores, other roles, another street (issue 14, class 6) ---

OTHER_STREET = "330381002"
TYPE = "日间照料中心"
FORGED = {"households": 999_999, "elderly": 999_999, "residents": 999_999}


@pytest.fixture(scope="module")
def planning_db(seeded_url, tmp_path_factory):
    """A copy of the demo database for callbacks that write; beside the demo street a second one with its official."""
    import shapely

    from db import users
    from db.engine import session_scope
    from tests.conftest import copy_database, drop_database
    from tests.helpers import PASSWORDS

    url = copy_database(seeded_url, tmp_path_factory.mktemp("planning"), "planning")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setitem(PASSWORDS, "street2", "another-street-2026")
        with session_scope() as s:
            demo = s.get(m.Area, STREET)
            box = (demo.max_lon + 0.01, demo.min_lat, demo.max_lon + 0.03, demo.max_lat)
            s.add(m.Area(code=OTHER_STREET, level="street", name="另一街道", geometry=shapely.box(*box),
                         min_lon=box[0], min_lat=box[1], max_lon=box[2], max_lat=box[3]))
            s.flush()
            users.create_user(s, "street2", "another-street-2026", "street_official", OTHER_STREET, "另一街道干部", NOW)
        yield url
    drop_database(url)


def _spot(n: int = 0) -> dict:
    """A map click on a building of the demo street (inside it, where a trial site makes sense)."""
    from db.engine import session_scope

    with session_scope() as s:
        b = s.execute(select(m.Building).where(m.Building.street_code == STREET).order_by(m.Building.code)
                      .offset(n * 97).limit(1)).scalar_one()
    return {"latlng": {"lat": b.lat, "lng": b.lon}}


def _try_a_site(username: str, n: int = 0) -> dict:
    """The page's store after one what-if click, as `username`."""
    from callbacks import planning as cb
    from tests.helpers import acting_as

    with acting_as(username):
        store, message = cb.click_map(_spot(n), STREET, TYPE, "whatif", None, None)
    assert message is None, message
    return store


def _scenarios() -> dict[str, dict]:
    from db.engine import session_scope

    with session_scope() as s:
        return {x["name"]: x for x in planning.list_scenarios(s, STREET)}


def _words(tree) -> str:
    if isinstance(tree, (list, tuple)):
        return " ".join(_words(t) for t in tree)
    if hasattr(tree, "children"):
        return _words(tree.children)
    return "" if tree is None else str(tree)


def test_the_page_holds_a_token_and_a_scenario_keeps_the_servers_numbers(planning_db):
    """Community staff saving a plan whose numbers the browser wrote (coverage 100 %, 999,999 newly covered):
    whatever the store says, the scenario holds what the server computed for the sites chosen."""
    from callbacks import planning as cb
    from db.engine import session_scope
    from layouts import text
    from tests.helpers import acting_as

    store = _try_a_site("community")
    click = _spot()["latlng"]
    with session_scope() as s:
        expected = planning.what_if(s, STREET, TYPE, [{"lon": click["lng"], "lat": click["lat"]}], [])
    # the whole result as the old page kept it, numbers forged
    forged = {**expected, "after": {**expected["after"], "elderly_share": 1.0, "households_share": 1.0},
              "newly_covered": FORGED, "objective": "mclp", "status": "Optimal", "gap": 0.0}
    with acting_as("community"):
        refused, *_ = cb.save_scenario(1, STREET, "伪造的方案", forged, None, None)
        # a genuine token with forged numbers beside it: the numbers are not read
        message, *_ = cb.save_scenario(1, STREET, "社区的方案", {**store, **forged}, None, None)
        # and a forged result handed in as if the optimiser had finished: the page gets no plan of it
        taken, _ = cb.take_optimised({"result": forged})
        body, _sites, hideout = cb.show_plan(taken, None, STREET, TYPE)
        again, *_ = cb.save_scenario(1, STREET, "伪造的求解", taken, None, None)
    saved = _scenarios()
    assert "伪造的方案" not in saved and "伪造的求解" not in saved
    kept = saved["社区的方案"]["result"]
    assert kept["newly_covered"] == expected["newly_covered"] != FORGED
    assert kept["after"] == expected["after"] and kept["objective"] == "manual"
    assert saved["社区的方案"]["created_by"] == "community"
    assert body == text.PLANNING_EMPTY and hideout["after"] == {}
    assert _words(refused) == text.PLANNING_ERRORS["no_result"] == _words(again)
    assert message == text.PLANNING_SAVED.format(name="社区的方案")
    assert set(store) == {"token"}  # no number the page could change


def test_a_forged_click_cannot_put_names_places_or_codes_into_a_plan(planning_db):
    """A candidate feature carries its id only: the name and place shown and saved come from the database; a point
    outside the street, an unknown site code or a broken click changes nothing."""
    from callbacks import planning as cb
    from db.engine import session_scope
    from layouts import text
    from tests.helpers import acting_as

    with session_scope() as s:
        candidate = planning.list_candidates(s, STREET)[0]
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
               "properties": {"role": "candidate", "id": candidate["id"], "name": "<b>伪造</b>", "kind": "火箭"}}
    ghost = {**feature, "properties": {"role": "existing", "code": "不存在的点位"}}
    with acting_as("grid"):
        store, message = cb.click_site(feature, STREET, TYPE, "whatif", None, None)
        assert message is None
        store, _ = cb.click_site(ghost, STREET, TYPE, "whatif", None, store)
        body, sites, _ = cb.show_plan(store, None, STREET, TYPE)
        cb.save_scenario(1, STREET, "网格试点方案", store, None, None)
        far = {"latlng": {"lat": 39.9, "lng": 116.4}}
        for click in (far, {"latlng": {"lat": "NaN", "lng": "1e999"}}):
            kept, refused = cb.click_map(click, STREET, TYPE, "whatif", None, store)
            assert kept is no_update and _words(refused) == text.PLANNING_ERRORS["site_outside"]
        gone = {**feature, "properties": {"role": "candidate", "id": 10**9}}
        _, refused = cb.click_site(gone, STREET, TYPE, "whatif", None, store)
        assert _words(refused) == text.PLANNING_ERRORS["no_candidate"]
        for broken in ({"latlng": "x"}, {"latlng": {"lat": None}}, []):
            with pytest.raises(PreventUpdate):
                cb.click_map(broken, STREET, TYPE, "whatif", None, store)
    (added,) = [f for f in sites["features"] if f["properties"]["role"] == "added"]
    assert added["geometry"]["coordinates"] == [round(candidate["lon"], 6), round(candidate["lat"], 6)]
    assert added["properties"]["name"] == candidate["name"] and added["properties"]["kind"] == candidate["kind"]
    assert "伪造" not in _words(body) and candidate["name"] in _words(body)
    plan = _scenarios()["网格试点方案"]["result"]
    assert plan["removed"] == [] and [a["name"] for a in plan["added"]] == [candidate["name"]]


def test_a_scenario_is_deleted_by_its_author_or_the_streets_officials_only(planning_db):
    """A grid leader deleted the street official's saved scenario: now only its author, the street's officials and
    admins may; another street's official does not even find it."""
    from app import server
    from callbacks import planning as cb
    from layouts import text
    from tests.helpers import acting_as, login

    with acting_as("street"):
        cb.save_scenario(1, STREET, "街道的方案", _try_a_site("street"), None, None)
    with acting_as("grid"):
        cb.save_scenario(1, STREET, "网格的方案", _try_a_site("grid", 1), None, None)
    saved = _scenarios()
    official, grids = saved["街道的方案"]["id"], saved["网格的方案"]["id"]

    for username, expected in (("grid", "not_yours"), ("community", "not_yours"), ("street2", "not_found")):
        client = server.test_client()
        login(client, username)
        answer = _delete_over_http(client, official)
        assert "街道的方案" in _scenarios(), f"{username} deleted the street official's scenario"
        assert text.PLANNING_ERRORS[expected] in answer, (username, answer)

    with acting_as("grid"):
        message, *_ = cb.delete_scenario(1, STREET, grids, None)  # the author deletes their own
    assert message == text.PLANNING_DELETED.format(name="网格的方案")
    with acting_as("street"):
        message, *_ = cb.delete_scenario(1, STREET, official, None)
    assert message == text.PLANNING_DELETED.format(name="街道的方案")
    assert not {"街道的方案", "网格的方案"} & set(_scenarios())


def _delete_over_http(client, scenario_id) -> str:
    """POST the delete callback (after its confirmation) as the renderer would; the answer's text."""
    from tests.helpers import dash_body

    deps = client.get("/planning/_dash-dependencies").get_json()
    dep = next(d for d in deps if any(i["id"] == "planning-delete-confirm" for i in d["inputs"]))
    body = dash_body(dep, {"planning-delete-confirm.submit_n_clicks": 1, "planning-street.value": STREET,
                           "planning-compare-a.value": scenario_id})
    response = client.post("/planning/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_another_streets_official_neither_saves_nor_edits_candidates_here(planning_db):
    """A street official edited the candidate sites of another street: refused now, as for a grid leader."""
    from callbacks import planning as cb
    from db.engine import session_scope
    from layouts import text
    from tests.helpers import acting_as

    with session_scope() as s:
        before = planning.list_candidates(s, STREET)
    site = {"type": "Feature", "properties": {"role": "candidate", "id": before[0]["id"], "name": before[0]["name"]}}
    store = _try_a_site("street")
    for username in ("street2", "grid", "community"):
        with acting_as(username):
            kept, added = cb.click_map(_spot(), STREET, TYPE, "candidate", "架空层", store)
            _, removed = cb.click_site(site, STREET, TYPE, "candidate", "架空层", store)
        with session_scope() as s:
            assert planning.list_candidates(s, STREET) == before, f"{username} edited this street's candidates"
        assert _words(added) == _words(removed) == text.PLANNING_ERRORS["candidate_refused"], username
        assert kept is no_update  # the page's store is not sent back
    with acting_as("street2"):
        message, *_ = cb.save_scenario(1, STREET, "别的街道的方案", store, None, None)
    assert "别的街道的方案" not in _scenarios()
    assert _words(message) == text.PLANNING_ERRORS["not_your_street"]

    with acting_as("street"):  # the street's own official may
        _, message = cb.click_map(_spot(), STREET, TYPE, "candidate", "架空层", None)
        with session_scope() as s:
            (new,) = [c for c in planning.list_candidates(s, STREET) if c["id"] not in {b["id"] for b in before}]
        assert message == text.PLANNING_CANDIDATE_ADDED.format(name=new["name"])
        forged = {"properties": {"role": "candidate", "id": new["id"], "name": "别的名字"}}
        _, message = cb.click_site(forged, STREET, TYPE, "candidate", "架空层", None)
        assert message == text.PLANNING_CANDIDATE_REMOVED.format(name=new["name"])  # the name the database held
    with session_scope() as s:
        assert planning.list_candidates(s, STREET) == before


def test_only_admins_change_the_standards_whatever_the_page_sends(planning_db):
    from callbacks import planning as cb
    from db import walking
    from db.engine import session_scope
    from layouts import text
    from tests.helpers import acting_as

    with session_scope() as s:
        before = walking.get_standards(s)
    for username in ("street", "community", "grid"):
        with acting_as(username):
            message, saved = cb.save_standards(1, TYPE, 5000, 500, 500, 1.0, 0)
        assert _words(message) == text.PLANNING_STD_ADMIN_ONLY and saved is no_update
    with session_scope() as s:
        assert walking.get_standards(s) == before


def test_the_people_card_shows_only_the_viewers_area(planning_db):
    """人员下沉 for a grid leader: the posts of their grid, volunteers living in it, their grid's workload; another
    street's official sees nothing of this street."""
    from callbacks import planning as cb
    from db import people
    from db.engine import session_scope
    from tests.helpers import acting_as

    with acting_as("grid"):
        card = cb.match_volunteers(1, STREET, 15)
    rows = [r for r in card if getattr(r, "className", "") == "plan-table plan-grids"][0].children[1].children
    assert len(rows) == 1  # their own grid's workload, no other
    with session_scope() as s:
        grid = _viewer(s, "grid")
        posts = dict(s.execute(select(m.VolunteerPost.name, m.VolunteerPost.grid_code)
                               .where(m.VolunteerPost.street_code == STREET)).all())
        mine = people.people_plan(s, STREET, 15, grid)
        whole = people.people_plan(s, STREET, 15, SYSTEM)
        outsider = people.people_plan(s, STREET, 15, _viewer(s, "street2"))
        grid_posts = {name for name, code in posts.items() if code == grid.scope_code}
    assert {g["code"] for g in mine["grids"]} == {grid.scope_code}
    shown = {x["post"] for x in mine["matches"]} | {d["post"] for d in mine["deserts"]}
    assert shown and shown <= grid_posts
    assert mine["open_slots"] < whole["open_slots"] and len(mine["matches"]) < len(whole["matches"])
    assert (outsider["open_slots"], outsider["matches"], outsider["deserts"], outsider["grids"]) == (0, [], [], [])
