"""The case lifecycle rules: every transition, every refusal, the ladder and escalation with a frozen clock."""
from __future__ import annotations

import datetime as dt

import pytest

from workflow import lifecycle as lc
from tests.refusals import refused

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

T0 = dt.datetime(2026, 11, 20, 9, 0)


@pytest.mark.parametrize("action, start, end", [
    ("accept", lc.SUBMITTED, lc.ACCEPTED),
    ("dispatch", lc.ACCEPTED, lc.DISPATCHED),
    ("dispatch", lc.IN_PROGRESS, lc.DISPATCHED),
    ("start", lc.DISPATCHED, lc.IN_PROGRESS),
    ("resolve", lc.IN_PROGRESS, lc.RESOLVED),
    ("resolve", lc.ACCEPTED, lc.RESOLVED),
    ("close", lc.VISITED, lc.CLOSED),
    ("return", lc.SUBMITTED, lc.RETURNED),
    ("merge", lc.DISPATCHED, lc.DUPLICATE),
])
def test_allowed_transitions(action, start, end):
    step = lc.apply(action, start, "小区", T0, T0, "环境卫生")
    assert step.status == end and step.event == action


def test_every_refused_transition_says_why():
    count = 0
    for action, (allowed, _target) in lc.ACTIONS.items():
        for status in lc.STATUSES:
            if status in allowed:
                continue
            with refused(lc.TransitionError, status):
                lc.apply(action, status, "小区", T0, T0, "环境卫生", satisfaction="满意")
            count += 1
    assert count > 40


def test_close_needs_a_return_visit_first():
    with pytest.raises(lc.TransitionError):
        lc.apply("close", lc.RESOLVED, "小区", T0, T0, "环境卫生")
    visited = lc.apply("visit", lc.RESOLVED, "小区", T0, T0, "环境卫生", satisfaction="基本满意")
    assert visited.status == lc.VISITED
    assert lc.apply("close", visited.status, "小区", T0, T0, "环境卫生").status == lc.CLOSED


def test_visit_requires_satisfaction():
    with refused(lc.TransitionError, "满意度"):
        lc.apply("visit", lc.RESOLVED, "小区", T0, T0, "环境卫生")


def test_unsatisfied_visit_reopens_with_fresh_deadline():
    later = T0 + dt.timedelta(days=10)
    step = lc.apply("visit", lc.RESOLVED, "网格", T0, later, "环境卫生", satisfaction="不满意")
    assert step.status == lc.IN_PROGRESS and step.event == "reopen"
    assert step.deadline == later + dt.timedelta(days=5)


def test_manual_escalation_climbs_one_level_and_stops_at_street():
    step = lc.apply("escalate", lc.DISPATCHED, "小区", T0, T0, "环境卫生")
    assert (step.status, step.level, step.deadline) == (lc.DISPATCHED, "网格", T0 + dt.timedelta(days=5))
    with refused(lc.TransitionError, "街道"):
        lc.apply("escalate", lc.DISPATCHED, "街道", T0, T0, "环境卫生")


def test_no_escalation_before_the_deadline():
    deadline = T0 + dt.timedelta(days=3)
    assert lc.due_escalations("小区", deadline, deadline - dt.timedelta(seconds=1), "环境卫生") == []


def test_escalation_exactly_at_the_deadline():
    deadline = T0 + dt.timedelta(days=3)
    assert lc.due_escalations("小区", deadline, deadline, "环境卫生") == [
        ("网格", deadline, deadline + dt.timedelta(days=5))]


def test_escalation_after_a_gap_climbs_every_missed_level_at_its_own_time():
    deadline = T0 + dt.timedelta(days=3)          # 小区 deadline
    now = deadline + dt.timedelta(days=20)        # the app was down for three weeks
    steps = lc.due_escalations("小区", deadline, now, "环境卫生")
    grid_deadline = deadline + dt.timedelta(days=5)
    community_deadline = grid_deadline + dt.timedelta(days=7)
    assert steps == [("网格", deadline, grid_deadline), ("社区", grid_deadline, community_deadline),
                     ("街道", community_deadline, community_deadline + dt.timedelta(days=10))]


def test_category_rules_override_default_days():
    rules = {("安全隐患", "小区"): 1}
    assert lc.deadline_for("小区", T0, "安全隐患", rules) == T0 + dt.timedelta(days=1)
    assert lc.deadline_for("小区", T0, "环境卫生", rules) == T0 + dt.timedelta(days=3)


@pytest.mark.parametrize("hours, expected", [(-1, "red"), (1, "yellow"), (23.9, "yellow"), (24.1, "green")])
def test_lights(hours, expected):
    assert lc.light(T0 + dt.timedelta(hours=hours), T0) == expected
