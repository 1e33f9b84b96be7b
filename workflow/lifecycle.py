"""The case loop 问题收集 → 部门解决 → 处理回访 as pure rules: statuses, actions, the escalation ladder, deadlines.

No database, no web: db/cases.py applies these rules inside a transaction, tests check them directly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case as sql_case

from workflow.vocab import (
    CATEGORIES,
    LADDER_LEVELS,
    LEVEL_DEADLINE_DAYS,
    OPEN_STATUSES,
    SATISFACTION_ANSWERS,
    YELLOW_HOURS,
    CaseStatus,
    Satisfaction,
)
from workflow.refusal import Refused

SUBMITTED, ACCEPTED, DISPATCHED, IN_PROGRESS = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED,
                                                CaseStatus.IN_PROGRESS)
RESOLVED, VISITED, CLOSED, RETURNED, DUPLICATE = (CaseStatus.RESOLVED, CaseStatus.VISITED, CaseStatus.CLOSED,
                                                  CaseStatus.RETURNED, CaseStatus.DUPLICATE)
OPEN = OPEN_STATUSES  # 待受理, 已受理, 已派单, 处置中
STATUSES = tuple(s.value for s in CaseStatus)
SATISFIED = (Satisfaction.SATISFIED.value, Satisfaction.FAIRLY_SATISFIED.value)
UNSATISFIED = Satisfaction.UNSATISFIED.value
SATISFACTION_VALUES = SATISFACTION_ANSWERS

# action: (statuses it may start from, status it leads to); the return visit decides its target by the answer
ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": ((SUBMITTED,), ACCEPTED),                       # 受理
    "dispatch": ((ACCEPTED, DISPATCHED, IN_PROGRESS), DISPATCHED),  # 派单 (again: re-dispatch)
    "start": ((DISPATCHED,), IN_PROGRESS),                    # 开始处置
    "resolve": ((ACCEPTED, DISPATCHED, IN_PROGRESS), RESOLVED),  # 办结
    "visit": ((RESOLVED,), None),                             # 回访: 满意/基本满意 → 已回访, 不满意 → 处置中
    "close": ((VISITED,), CLOSED),                            # 关闭: only after a return visit
    "return": ((SUBMITTED, ACCEPTED), RETURNED),              # 退回 (not ours / invalid)
    "merge": (OPEN, DUPLICATE),                               # 重复: merged into another case
    "escalate": (OPEN, None),                                 # 上报: one level up the ladder, status unchanged
}
# what each action is called lives in layouts/text.py (CASE_ACTIONS), keyed like ACTIONS plus the trail's own
TRAIL_ACTIONS = (*ACTIONS, "create", "auto_escalate", "reopen", "absorb")


class TransitionError(Refused):
    """An action that the case's status does not allow; the kind says why."""


@dataclass(frozen=True)
class Step:
    """What an action does to a case."""

    status: str
    level: str
    deadline: dt.datetime
    event: str  # the action recorded in the trail ("reopen" when a visit sends the case back)


def deadline_for(level: str, start: dt.datetime, category: str | None = None,
                 rules: dict[tuple[str, str], float] | None = None) -> dt.datetime:
    """The deadline at `level` counted from `start`: per category when configured, else the level's default."""
    days = (rules or {}).get((category, level), LEVEL_DEADLINE_DAYS[level])
    return start + dt.timedelta(days=days)


def next_level(level: str) -> str | None:
    i = LADDER_LEVELS.index(level)
    return LADDER_LEVELS[i + 1] if i + 1 < len(LADDER_LEVELS) else None


LIGHTS = ("red", "yellow", "green")
ESCALATED = "escalated"  # the case list's filter beside the lights: open cases that missed a deadline and moved up


def light(deadline: dt.datetime, now: dt.datetime, yellow_hours: float = YELLOW_HOURS) -> str:
    """红黄绿: red once the deadline has passed, yellow within `yellow_hours` of it, green before.

    light_sql below is the same rule for a query; assets/jinlin.js gets `yellow_hours` through the hideout.
    """
    if deadline < now:
        return "red"
    return "yellow" if deadline < now + dt.timedelta(hours=yellow_hours) else "green"


def overdue_start(deadline: dt.datetime, overdue_since: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """Since when an open case has been overdue in all: the first deadline it missed, kept when escalation gave it a
    fresh one (超期 at 小区 stays 超期 at 网格); None while it has missed none."""
    if overdue_since is not None:
        return overdue_since
    return deadline if deadline < now else None


def light_sql(deadline, now: dt.datetime, yellow_hours: float = YELLOW_HOURS):
    """The rule of `light` as an SQL expression on a deadline column: 'red', 'yellow' or 'green'."""
    soon = now + dt.timedelta(hours=yellow_hours)
    return sql_case((deadline < now, "red"), (deadline < soon, "yellow"), else_="green")


def apply(action: str, status: str, level: str, deadline: dt.datetime, now: dt.datetime, category: str,
          satisfaction: str | None = None, rules=None) -> Step:
    """The result of `action` on a case in `status`, or TransitionError when the rules refuse it."""
    if action not in ACTIONS:
        raise TransitionError("unknown_action", action=action)
    allowed_from, target = ACTIONS[action]
    if status not in allowed_from:
        raise TransitionError("case_action_refused", status=status, action=action)
    if action == "visit":
        if satisfaction not in SATISFACTION_VALUES:
            raise TransitionError("visit_needs_satisfaction")
        if satisfaction == UNSATISFIED:
            # 不满意 reopens the case at the same level with a fresh deadline for that level
            return Step(IN_PROGRESS, level, deadline_for(level, now, category, rules), "reopen")
        return Step(VISITED, level, deadline, "visit")
    if action == "escalate":
        up = next_level(level)
        if up is None:
            raise TransitionError("top_of_ladder")
        return Step(status, up, deadline_for(up, now, category, rules), "escalate")
    return Step(target, level, deadline, action)


def due_escalations(level: str, deadline: dt.datetime, now: dt.datetime, category: str,
                    rules=None) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Escalations owed by an open case at `now`: [(new level, when it happened, new deadline), …].

    Each step starts at the previous deadline, not at `now`, so a case whose deadlines passed while the app was
    down climbs exactly the levels it would have climbed, at the times it would have climbed them.
    """
    steps = []
    while deadline <= now:
        up = next_level(level)
        if up is None:
            break
        at = deadline
        level, deadline = up, deadline_for(up, at, category, rules)
        steps.append((level, at, deadline))
    return steps


RESPONSE_HOURS = 24  # 响应: accepted within a day


def rates(cases) -> dict:
    """三率 of a set of cases (objects with created_at, accepted_at, resolved_at, deadline, satisfaction):
    response (accepted within a day), resolution (resolved by the deadline), satisfaction, and mean hours to
    resolve. A rate with nothing to measure is None, not 0."""
    cases = list(cases)
    resolved = [c for c in cases if c.resolved_at]
    rated = [c for c in cases if c.satisfaction]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    return {
        "response_rate": share(sum(1 for c in cases if c.accepted_at and c.accepted_at - c.created_at
                                   <= dt.timedelta(hours=RESPONSE_HOURS)), len(cases)),
        "resolution_rate": share(sum(1 for c in resolved if c.resolved_at <= c.deadline), len(resolved)),
        "satisfaction_rate": share(sum(1 for c in rated if c.satisfaction in SATISFIED), len(rated)),
        "hours_to_resolve": round(sum((c.resolved_at - c.created_at).total_seconds() for c in resolved)
                                  / 3600 / len(resolved), 1) if resolved else None,
    }


def known_category(category: str) -> bool:
    return category in CATEGORIES
