"""Cases in the database: intake by location, actions with an audit trail, escalation, scope, locking."""
from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import delete, func, select

from db import cases, models as m
from db.access import SYSTEM, Viewer
from workflow import lifecycle as lc
from tests.refusals import refused

NOW = dt.datetime(2026, 11, 20, 10, 0)
GRID = "33038100100101"


def _inside_grid(session, grid=GRID):
    b = session.execute(select(m.Building).where(m.Building.grid_code == grid).limit(1)).scalar_one()
    point = b.geometry.representative_point()
    return b, point.x, point.y


def _new(session, **over):
    b, lon, lat = _inside_grid(session)
    fields = dict(category="环境卫生", description="3幢楼道堆放杂物", source="居民上报", lon=lon, lat=lat,
                  reporter_name="测试人", reporter_phone="13900001111")
    fields.update(over)
    return b, cases.NewCase(**fields)


def _events(session, code):
    case_id = session.execute(select(m.Case.id).where(m.Case.code == code)).scalar()
    return session.execute(select(m.CaseEvent.action, m.CaseEvent.from_status, m.CaseEvent.to_status)
                           .where(m.CaseEvent.case_id == case_id).order_by(m.CaseEvent.id)).all()


def test_intake_attaches_building_and_hierarchy(session):
    b, new = _new(session)
    created = cases.create_case(session, new, "网格员甲", SYSTEM, NOW)
    case = session.execute(select(m.Case).where(m.Case.code == created.code)).scalar_one()
    assert (case.building_code, case.compound_code, case.grid_code, case.community_code) == (
        b.code, b.compound_code, b.grid_code, b.community_code)
    assert case.status == lc.SUBMITTED and case.level == "小区"
    assert case.deadline == NOW + dt.timedelta(days=3)
    assert _events(session, created.code) == [("create", None, lc.SUBMITTED)]
    # the caller gets what intake decided without reading the case back: the same as what was stored
    assert created == cases.CreatedCase(case.code, case.status, case.level, case.deadline, "green", b.code,
                                        b.compound_code, b.grid_code, b.community_code, b.street_code)


def test_intake_returns_the_light_of_the_configured_yellow_window(session):
    from db import rules

    rules.save_case_rules(session, {}, 80, "测试", NOW)  # 80 hours: a 3-day deadline starts yellow
    _, new = _new(session)
    created = cases.create_case(session, new, "甲", SYSTEM, NOW)
    assert (created.deadline, created.light) == (NOW + dt.timedelta(days=3), "yellow")


def test_the_trail_records_the_acting_account(session):
    from db import users

    users.create_user(session, "trail-grid", "trail-pass-2026", "grid_leader", GRID, "网格长丙", NOW)
    uid = session.execute(select(m.User.id).where(m.User.username == "trail-grid")).scalar_one()
    leader = Viewer("grid_leader", GRID, uid)
    _, new = _new(session)
    code = cases.create_case(session, new, "网格长丙", leader, NOW).code
    cases.act(session, code, "accept", "网格长丙", leader, 1, NOW)
    cases.escalate_due(session, NOW + dt.timedelta(days=30))
    case_id = session.execute(select(m.Case.id).where(m.Case.code == code)).scalar()
    trail = session.execute(select(m.CaseEvent.action, m.CaseEvent.actor, m.CaseEvent.actor_id)
                            .where(m.CaseEvent.case_id == case_id).order_by(m.CaseEvent.id)).all()
    assert trail[:2] == [("create", "网格长丙", uid), ("accept", "网格长丙", uid)]
    assert {(a, who, i) for a, who, i in trail[2:]} == {("auto_escalate", cases.SYSTEM_ACTOR, None)}

    # the account goes: its events keep the name and lose the id (the trail itself is never deleted)
    session.execute(delete(m.User).where(m.User.id == uid))
    session.expire_all()
    assert session.execute(select(m.CaseEvent.actor, m.CaseEvent.actor_id).where(m.CaseEvent.case_id == case_id)
                           .order_by(m.CaseEvent.id).limit(1)).one() == ("网格长丙", None)


@pytest.mark.parametrize("over, message", [
    ({"category": "外星人"}, "类别「外星人」不存在"),
    ({"category": ""}, "请选择诉求类别"),  # nothing chosen: asked to choose, not told 类别「」 does not exist
    ({"category": None}, "请选择诉求类别"),
    ({"description": "  "}, "请填写问题描述"),
    ({"source": "微博"}, "来源「微博」不存在"),
    ({"reporter_phone": "12345"}, "联系电话格式不正确"),
    ({"reporter_name": "张" * 51}, "反映人姓名不能超过 50 字"),  # refused with its limit, never stored cut
    ({"lon": 100.0, "lat": 20.0}, "不在任何社区范围内"),
    ({"lon": "abc"}, "位置坐标无效"),
])
def test_intake_refuses_bad_input_without_writing(session, over, message):
    before = session.execute(select(func.count()).select_from(m.Case)).scalar()
    _, new = _new(session, **over)
    with refused(cases.CaseError, message):
        cases.create_case(session, new, "x", SYSTEM, NOW)
    assert session.execute(select(func.count()).select_from(m.Case)).scalar() == before


def test_full_loop_with_trail(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    v = 1
    for action, extra in [("accept", {}), ("dispatch", {"assignee": "街道环卫所"}), ("start", {}), ("resolve", {}),
                          ("visit", {"satisfaction": "满意"}), ("close", {})]:
        v = cases.act(session, code, action, "乙", SYSTEM, v, NOW, **extra)["version"]
    detail = cases.get_case(session, code, SYSTEM, NOW)
    assert detail["status"] == lc.CLOSED and detail["satisfaction"] == "满意"
    assert [e["action"] for e in detail["events"]] == ["create", "accept", "dispatch", "start", "resolve", "visit", "close"]
    assert detail["events"][2]["note"] == "派至 街道环卫所"


def test_refused_action_changes_nothing(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    with refused(lc.TransitionError, "不能关闭"):
        cases.act(session, code, "close", "乙", SYSTEM, 1, NOW)
    assert cases.get_case(session, code, SYSTEM, NOW)["status"] == lc.SUBMITTED
    assert len(_events(session, code)) == 1


def test_unsatisfied_visit_reopens(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    v = cases.act(session, code, "resolve", "乙", SYSTEM, cases.act(session, code, "accept", "乙", SYSTEM, 1, NOW)["version"], NOW)["version"]
    out = cases.act(session, code, "visit", "丙", SYSTEM, v, NOW, satisfaction="不满意")
    assert out["status"] == lc.IN_PROGRESS
    assert _events(session, code)[-1] == ("reopen", lc.RESOLVED, lc.IN_PROGRESS)


def test_stale_version_is_a_conflict(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    cases.act(session, code, "accept", "乙", SYSTEM, 1, NOW)
    with refused(cases.Conflict, "已被他人修改"):
        cases.act(session, code, "return", "丙", SYSTEM, 1, NOW)  # loaded before 乙's change


def test_grid_leader_cannot_touch_another_grid(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    other = Viewer("grid_leader", "33038100100302")
    with pytest.raises(cases.NotFound):
        cases.act(session, code, "accept", "外人", other, 1, NOW)
    with pytest.raises(cases.NotFound):
        cases.get_case(session, code, other, NOW)
    assert code not in {c["code"] for c in cases.list_cases(session, other, cases.CaseFilter(), NOW)}
    with refused(cases.CaseError, "不在您负责的区域"):
        cases.create_case(session, new, "外人", other, NOW)


def test_screen_is_read_only(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    with refused(cases.CaseError, "只读"):
        cases.act(session, code, "accept", "大屏", Viewer("screen", None), 1, NOW)


def test_escalate_due_with_frozen_clock_and_gap(session):
    soon = NOW + dt.timedelta(days=2)
    cases.escalate_due(session, soon)  # the demo's own overdue cases first, so that only ours are due below
    _, new = _new(session)
    waiting = cases.create_case(session, new, "甲", SYSTEM, NOW).code  # 小区 deadline NOW + 3 days: not due
    overdue = cases.create_case(session, new, "甲", SYSTEM, NOW - dt.timedelta(days=4)).code  # missed NOW - 1 day
    assert cases.escalate_due(session, soon) == 1
    assert cases.get_case(session, overdue, SYSTEM, soon)["level"] == "网格"
    assert cases.get_case(session, waiting, SYSTEM, soon)["level"] == "小区"
    assert cases.escalate_due(session, soon) == 0  # run twice: nothing owed twice

    later = NOW + dt.timedelta(days=3 + 5 + 1)  # past the 小区 and the 网格 deadlines
    cases.escalate_due(session, later)
    detail = cases.get_case(session, waiting, SYSTEM, later)
    assert detail["level"] == "社区"
    autos = [e for e in detail["events"] if e["action"] == "auto_escalate"]
    assert [e["at"] for e in autos] == [NOW + dt.timedelta(days=3), NOW + dt.timedelta(days=8)]
    assert cases.escalate_due(session, later) == 0


def test_an_escalated_case_stays_marked_overdue_and_is_counted(session):
    """Escalation gives a fresh deadline (green again): the case stays 超期升级, overdue since its first missed
    deadline, and the panel and the screen count it beside the cases overdue now."""
    from db import areas, dashboard

    soon = NOW + dt.timedelta(days=2)
    cases.escalate_due(session, soon)  # the demo's own overdue cases first
    grid = areas.get_area(session, GRID)
    before = dashboard.area_summary(session, grid, soon)
    before_screen = dashboard.screen_stats(session, grid, soon)
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW - dt.timedelta(days=4)).code  # missed NOW - 1 day
    assert cases.escalate_due(session, soon) == 1
    missed = NOW - dt.timedelta(days=1)

    case = cases.get_case(session, code, SYSTEM, soon)
    assert case["level"] == "网格" and case["light"] == "green"  # a fresh 网格 deadline
    assert case["escalated"] and case["overdue_since"] == missed
    listed = cases.list_cases(session, SYSTEM, cases.CaseFilter(area=GRID, light=lc.ESCALATED), soon)
    assert code in {r["code"] for r in listed} and all(r["escalated"] for r in listed)
    assert code not in {r["code"] for r in cases.list_cases(session, SYSTEM, cases.CaseFilter(area=GRID, light="red"),
                                                              soon)}
    after = dashboard.area_summary(session, grid, soon + dt.timedelta(minutes=1))
    assert after["escalated"] == before["escalated"] + 1
    assert after["cases_by_light"]["green"] == before["cases_by_light"]["green"] + 1
    screen = dashboard.screen_stats(session, grid, soon + dt.timedelta(minutes=1))
    assert screen["escalated"] == before_screen["escalated"] + 1 and screen["overdue"] == before_screen["overdue"]

    # it keeps its first missed deadline when it misses the next one too, and loses the mark once resolved
    later = NOW + dt.timedelta(days=3 + 5 + 1)
    cases.escalate_due(session, later)
    again = cases.get_case(session, code, SYSTEM, later)
    assert again["level"] == "社区" and again["overdue_since"] == missed
    for action, extra in (("accept", {}), ("dispatch", {"assignee": "社区办"}), ("start", {}), ("resolve", {})):
        version = cases.get_case(session, code, SYSTEM, later)["version"]
        cases.act(session, code, action, "甲", SYSTEM, version, later, **extra)
    closed = cases.get_case(session, code, SYSTEM, later)
    assert closed["escalated"] is False and closed["overdue_since"] is None and closed["light"] is None


def test_list_filters_by_area_status_light(session):
    rows = cases.list_cases(session, SYSTEM, cases.CaseFilter(area="330381001002", statuses=tuple(lc.OPEN),
                                                              light="red"), NOW)
    assert rows and all(r["light"] == "red" and r["community_code"] == "330381001002" for r in rows)
    assert all(r["reporter"] is None or r["reporter"].endswith("*") for r in rows)


def test_bulk_dispatch_reports_refusals(session):
    open_codes = [c["code"] for c in cases.list_cases(session, SYSTEM, cases.CaseFilter(
        area="330381001003", statuses=(lc.SUBMITTED, lc.ACCEPTED)), NOW)][:3]
    closed = cases.list_cases(session, SYSTEM, cases.CaseFilter(area="330381001003", statuses=(lc.CLOSED,)), NOW)[0]
    done, refused = cases.bulk_dispatch(session, [*open_codes, closed["code"]], "综合行政执法中队", "丁", SYSTEM, NOW)
    assert done == open_codes
    assert len(refused) == 1 and closed["code"] in refused[0]
    assert all(cases.get_case(session, c, SYSTEM, NOW)["status"] == lc.DISPATCHED for c in done)


def test_similar_open_cases_within_50_m(session):
    _, new = _new(session)
    first = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    near = cases.similar_open_cases(session, new.category, new.lon + 0.0002, new.lat, NOW, SYSTEM)  # ≈20 m east
    assert first in [c["code"] for c in near]
    far = cases.similar_open_cases(session, new.category, new.lon + 0.002, new.lat, NOW, SYSTEM)  # ≈200 m
    assert first not in [c["code"] for c in far]
    assert first not in [c["code"] for c in cases.similar_open_cases(session, "噪音扰民", new.lon, new.lat, NOW, SYSTEM)]


def test_rates_by_grid_rank_and_scope(session):
    from db import areas, dashboard

    ranking = dashboard.rates_by_grid(session, areas.get_area(session, "330381001"), NOW)
    assert len(ranking) == 27 and all(r["leader"] for r in ranking)
    rated = [r["resolution_rate"] for r in ranking if r["resolution_rate"] is not None]
    assert rated == sorted(rated, reverse=True)
    mine = dashboard.rates_by_grid(session, areas.get_area(session, "330381001"), NOW, Viewer("grid_leader", GRID))
    assert [r["grid_code"] for r in mine] == [GRID]


def test_a_case_filed_and_dispatched_over_http_is_on_the_trail_under_the_account(seeded_url):
    """The real route: the intake form of /cases/ and its action buttons, posted as the renderer posts them."""
    import re

    from app import server
    from db.engine import session_scope
    from tests.helpers import call_callback, login

    description = "路由测试：消防通道被占"
    with session_scope() as s:
        building = s.execute(select(m.Building.code).where(m.Building.grid_code == GRID)
                             .order_by(m.Building.code).limit(1)).scalar_one()
        grid_leader = s.execute(select(m.User).where(m.User.username == "grid")).scalar_one()
    client = server.test_client()
    login(client, "grid")
    try:
        r = call_callback(client, "intake-message.children", {
            "intake-submit.n_clicks": 1, "cases-intake-building.value": building, "intake-category.value": "安全隐患",
            "intake-source.value": "居民上报", "intake-description.value": description}, prefix="/cases/")
        message = r.get_json()["response"]["intake-message"]["children"]
        code = re.search(r"AJ\d{7}", message).group(0)
        for version, action, extra in [(1, "accept", {}), (2, "dispatch", {"cases-action-assignee.value": "消防站"})]:
            pressed = {"action": action, "type": "cases-action-button"}
            r = call_callback(client, "cases-action-message.children", {
                '{"action":["ALL"],"type":"cases-action-button"}.n_clicks': [
                    {"id": pressed, "property": "n_clicks", "value": 1}],
                "cases-selected.data": {"code": code, "version": version}, **extra},
                prefix="/cases/", changed=json.dumps(pressed, sort_keys=True, separators=(",", ":")) + ".n_clicks")
            assert r.get_json()["response"]["cases-action-message"]["children"].startswith("已"), r.get_json()
        with session_scope() as s:
            case = s.execute(select(m.Case).where(m.Case.code == code)).scalar_one()
            trail = s.execute(select(m.CaseEvent.action, m.CaseEvent.actor, m.CaseEvent.actor_id)
                              .where(m.CaseEvent.case_id == case.id).order_by(m.CaseEvent.id)).all()
        name = grid_leader.display_name
        assert trail == [("create", name, grid_leader.id), ("accept", name, grid_leader.id),
                         ("dispatch", name, grid_leader.id)]
        # the message showed the deadline intake computed, the one stored
        assert case.deadline.strftime("%m-%d %H:%M") in message and case.assignee == "消防站"
    finally:
        from db import cache

        with session_scope() as s:
            ids = s.execute(select(m.Case.id).where(m.Case.description == description)).scalars().all()
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
            s.execute(delete(m.Case).where(m.Case.id.in_(ids)))
            cache.mark_changed(s)


def test_actions_refuse_an_assignee_or_note_too_long_instead_of_cutting_it(session):
    _, new = _new(session)
    code = cases.create_case(session, new, "甲", SYSTEM, NOW).code
    v = cases.act(session, code, "accept", "乙", SYSTEM, 1, NOW)["version"]
    with refused(cases.CaseError, "承办部门或人员名称不能超过 50 字"):
        cases.act(session, code, "dispatch", "乙", SYSTEM, v, NOW, assignee="街" * 51)
    with refused(cases.CaseError, "备注不能超过 1000 字"):
        cases.act(session, code, "start", "乙", SYSTEM, v, NOW, note="注" * 1001)
    assert cases.get_case(session, code, SYSTEM, NOW)["status"] == lc.ACCEPTED


# --- one form, one case (issue 14, class 8) ---

def _at_once(n: int, work):
    """`work()` in `n` threads released together: (results, errors)."""
    barrier, results, errors = threading.Barrier(n), [], []

    def run():
        barrier.wait()
        try:
            results.append(work())
        except Exception as err:  # noqa: BLE001 — the test reports whatever a run raised
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_a_form_sent_again_gets_its_first_case_back(session):
    _, new = _new(session, client_token=uuid.uuid4().hex)
    first = cases.create_case(session, new, "甲", SYSTEM, NOW)
    again = cases.create_case(session, replace(new, description="第二次点击"), "甲", SYSTEM, NOW)
    assert (again.code, again.repeat, first.repeat) == (first.code, True, False)
    stored = session.execute(select(m.Case.description).where(m.Case.client_token == new.client_token)).scalars()
    assert list(stored) == [new.description]
    assert len(_events(session, first.code)) == 1
    other = cases.create_case(session, replace(new, client_token=uuid.uuid4().hex), "甲", SYSTEM, NOW)
    assert other.code != first.code and not other.repeat


def test_a_form_token_the_browser_made_up_is_refused(session):
    before = session.execute(select(func.count()).select_from(m.Case)).scalar()
    for token in ("x", "' or 1=1 --" + "a" * 20, "a" * 65):
        _, new = _new(session, client_token=token)
        with refused(cases.CaseError, "表单已失效，请刷新页面"):
            cases.create_case(session, new, "甲", SYSTEM, NOW)
    assert session.execute(select(func.count()).select_from(m.Case)).scalar() == before


def test_one_form_sent_from_four_requests_at_once_files_one_case(own_database):
    from db.engine import session_scope

    token = uuid.uuid4().hex

    def send():
        with session_scope() as s:
            _, new = _new(s, client_token=token)
            return cases.create_case(s, new, "甲", SYSTEM, NOW)

    results, errors = _at_once(4, send)
    assert errors == []
    assert len({r.code for r in results}) == 1 and sorted(r.repeat for r in results) == [False, True, True, True]
    with session_scope() as s:
        ids = s.execute(select(m.Case.id).where(m.Case.client_token == token)).scalars().all()
        assert len(ids) == 1
        assert s.execute(select(func.count()).select_from(m.CaseEvent).where(m.CaseEvent.case_id == ids[0])).scalar() == 1


def test_the_intake_form_posted_twice_over_http_files_one_case(own_database):
    import re

    from app import server
    from db.engine import session_scope
    from tests.helpers import call_callback, login

    with session_scope() as s:
        building = s.execute(select(m.Building.code).where(m.Building.grid_code == GRID)
                             .order_by(m.Building.code).limit(1)).scalar_one()
    client = server.test_client()
    login(client, "grid")
    token = uuid.uuid4().hex
    form = {"intake-submit.n_clicks": 1, "cases-intake-building.value": building, "intake-category.value": "安全隐患",
            "intake-source.value": "居民上报", "intake-description.value": "双击测试：楼道灯不亮",
            "intake-token.data": token}
    answers = [call_callback(client, "intake-message.children", {**form, "intake-submit.n_clicks": n},
                             prefix="/cases/").get_json()["response"] for n in (1, 2)]
    codes = {re.search(r"AJ\d{7}", a["intake-message"]["children"]).group(0) for a in answers}
    assert len(codes) == 1
    # the form comes back emptied, with a token of its own for the next case
    assert answers[0]["intake-description"]["value"] == ""
    assert len({token, answers[0]["intake-token"]["data"], answers[1]["intake-token"]["data"]}) == 3
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(m.Case)
                         .where(m.Case.description == "双击测试：楼道灯不亮")).scalar() == 1


# --- escalation on a schedule, once across every worker (issue 14, class 9) ---

LONG_AGO = dt.datetime(2019, 12, 1, 9)  # before every demo deadline: at DUE only the cases filed then are due
DUE = LONG_AGO + dt.timedelta(days=4)  # past their 小区 deadline (3 days), before the 网格 one (5 more)


def _overdue(n: int) -> list[str]:
    from db.engine import session_scope

    with session_scope() as s:
        _, new = _new(s)
        return [cases.create_case(s, replace(new, description=f"超时测试 {i}"), "甲", SYSTEM, LONG_AGO).code
                for i in range(n)]


def _auto_escalations(codes: list[str]) -> dict[str, int]:
    from db.engine import session_scope

    with session_scope() as s:
        counted = dict(s.execute(select(m.Case.code, func.count(m.CaseEvent.id))
                                 .join(m.CaseEvent, m.CaseEvent.case_id == m.Case.id)
                                 .where(m.Case.code.in_(codes), m.CaseEvent.action == "auto_escalate")
                                 .group_by(m.Case.code)).all())
    return {code: counted.get(code, 0) for code in codes}


def test_twelve_escalation_runs_at_once_escalate_each_case_exactly_once(own_database):
    from db.engine import session_scope

    codes = _overdue(5)

    def run():
        with session_scope() as s:
            return cases.escalate_due(s, DUE)

    results, errors = _at_once(12, run)
    assert errors == []
    assert sum(r or 0 for r in results) == 5  # the others found the lock held, or nothing left to do
    assert _auto_escalations(codes) == {code: 1 for code in codes}


def test_a_run_escalates_the_cases_nobody_touches_while_someone_acts_on_one(own_database):
    """A person accepting one overdue case while escalation runs: the run escalates the other cases at once, and
    the person's action stands (no conflict either side)."""
    from db.engine import session_scope

    codes = _overdue(5)
    touched, holding, ran, outcome = codes[0], threading.Event(), threading.Event(), {}

    def person():
        with session_scope() as s:
            outcome["action"] = cases.act(s, touched, "accept", "乙", SYSTEM, 1, DUE)  # flushed, not committed
            holding.set()
            ran.wait(timeout=3)  # on SQLite the run waits for this commit; on PostgreSQL it passes the held row by

    def escalation():
        holding.wait()
        with session_scope() as s:
            outcome["moved"] = cases.escalate_due(s, DUE)
        ran.set()

    threads = [threading.Thread(target=person), threading.Thread(target=escalation)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["action"]["status"] == lc.ACCEPTED
    escalated = _auto_escalations(codes)
    assert {code: n for code, n in escalated.items() if code != touched} == {code: 1 for code in codes[1:]}
    assert outcome["moved"] == 4 + escalated[touched]
    with session_scope() as s:  # the next run takes the one passed by; nothing is escalated twice
        cases.escalate_due(s, DUE)
        assert cases.get_case(s, touched, SYSTEM, DUE)["status"] == lc.ACCEPTED
    assert _auto_escalations(codes) == {code: 1 for code in codes}


def test_opening_the_case_list_changes_no_case(own_database):
    from app import server
    from db.engine import session_scope
    from tests.helpers import call_callback, login

    (code,) = _overdue(1)  # beside the demo's own cases, many of them overdue by today's clock

    def every_case():
        with session_scope() as s:
            return s.execute(select(m.Case.code, m.Case.level, m.Case.version).order_by(m.Case.code)).all()

    before = every_case()
    client = server.test_client()
    login(client, "admin")
    r = call_callback(client, "cases-grid.rowData", {"cases-area.value": ""}, prefix="/cases/")
    rows = {row["code"]: row for row in r.get_json()["response"]["cases-grid"]["rowData"]}
    assert rows[code]["level"] == "小区"
    assert every_case() == before


def test_each_server_process_runs_one_escalation_thread_that_escalates_what_is_due(own_database):
    from flask import Flask

    from api import escalation

    codes = _overdue(2)  # due by today's clock all the way up the ladder
    probe = Flask("escalation-probe")
    probe.add_url_rule("/", "probe", lambda: "ok")
    escalation.install(probe, 3600)
    client = probe.test_client()
    try:
        assert client.get("/").status_code == 200 and client.get("/").status_code == 200
        thread = escalation.start(3600)
        assert [t for t in threading.enumerate() if t.name == "jinlin-escalation"] == [thread]
    finally:
        escalation.stop()  # after its first run
    assert _auto_escalations(codes) == {code: 3 for code in codes}  # 小区 → 网格 → 社区 → 街道


def test_cli_escalate_runs_once_and_says_how_many(own_database):
    from app import server

    codes = _overdue(1)
    runner = server.test_cli_runner()
    first = runner.invoke(args=["escalate"])
    assert first.exit_code == 0 and first.output.startswith("escalations: "), first.output
    assert _auto_escalations(codes) == {codes[0]: 3}
    assert runner.invoke(args=["escalate"]).output == "escalations: 0\n"


def test_the_screens_category_chart_covers_the_same_30_days_as_its_daily_chart(session):
    """On the 1st of a month the two charts tell one story (the category chart was the calendar month: ~1 day)."""
    from db import areas, dashboard
    from layouts import screen_page

    first_of_month = dt.datetime(2026, 11, 1, 10, 0)
    street = areas.get_area(session, "330381001")
    by_day = dashboard.cases_by_day(session, street, first_of_month)
    by_category = dashboard.cases_by_category(session, street, first_of_month)
    assert int(by_day["count"].sum()) > 100  # a month of the demo street
    assert int(by_category["count"].sum()) == int(by_day["count"].sum())
    bars = screen_page.category_figure(by_category)["data"][0]
    assert sum(bars["x"]) == int(by_day["count"].sum())


def test_a_closed_case_shows_no_action_inputs_and_an_open_one_does(session):
    from layouts import cases_page

    def actions(status):
        code = session.execute(select(m.Case.code).where(m.Case.status == status).limit(1)).scalar_one()
        detail = cases_page.build_detail(cases.get_case(session, code, SYSTEM, NOW), NOW)
        return next(c for c in detail if getattr(c, "className", None) == "detail-actions")

    assert actions("已关闭").hidden is True
    assert actions("待受理").hidden is False


def test_the_case_search_finds_a_reporter_only_for_people_who_may_read_them(session):
    import settings

    case = session.execute(select(m.Case).where(m.Case.reporter_phone.is_not(None), m.Case.reporter_phone != "")
                           .order_by(m.Case.code)).scalars().first()
    now = settings.now()

    def found(viewer, words):
        return [r["code"] for r in cases.list_cases(session, viewer, cases.CaseFilter(text=words), now)]

    assert case.code in found(SYSTEM, case.reporter_phone)
    assert case.code in found(SYSTEM, f"  {case.reporter_name}   {case.category} ")  # words, any spacing
    assert case.code not in found(Viewer("screen"), case.reporter_phone)
    # LIKE's wildcards are characters like any other
    assert found(SYSTEM, "_%_") == []
