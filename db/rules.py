"""Admin-set case rules: deadline days per category and ladder level, and how near a deadline the light turns yellow."""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import cache, models as m
from workflow.vocab import CATEGORIES, LADDER_LEVELS, LEVEL_DEADLINE_DAYS, YELLOW_HOURS
from workflow.refusal import Problem, Refused, problem

KEY = "case_rules"
MAX_DAYS = 365
MAX_YELLOW_HOURS = 24 * 7


class RulesError(Refused):
    """Rules an admin typed that cannot be used; its problems name every one."""


@dataclass(frozen=True)
class CaseRules:
    # {(category, level): days}; a pair not listed takes the level's default (LEVEL_DEADLINE_DAYS)
    deadline_days: dict[tuple[str, str], float] = field(default_factory=dict)
    yellow_hours: float = YELLOW_HOURS

    def days(self, category: str, level: str) -> float:
        return self.deadline_days.get((category, level), LEVEL_DEADLINE_DAYS[level])


@functools.lru_cache(maxsize=16)
def _decode(raw: str | None) -> CaseRules:
    if not raw:
        return CaseRules()
    data = json.loads(raw)
    days = {(c, lv): float(d) for c, levels in data.get("deadline_days", {}).items() for lv, d in levels.items()}
    return CaseRules(deadline_days=days, yellow_hours=float(data.get("yellow_hours", YELLOW_HOURS)))


def get_case_rules(session: Session) -> CaseRules:
    """The rules in force, read again after a save anywhere (the version of rules), never kept from a rolled-back
    save (db/cache.py)."""
    return cache.cached(session, "case_rules", None, lambda: _decode(
        session.execute(select(m.AppSetting.value).where(m.AppSetting.key == KEY)).scalar()), (cache.RULES,))


def _number(value, label: Problem, low: float, high: float, problems: list[Problem]) -> float | None:
    if value is None or str(value).strip() == "":
        problems.append(problem("rules_empty", field=label))
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(problem("rules_not_number", field=label, value=value))
        return None
    if not math.isfinite(number) or not (low < number <= high):
        problems.append(problem("rules_range", field=label, low=low, high=high))
        return None
    return number


def save_case_rules(session: Session, table: dict[str, dict[str, object]], yellow_hours, actor: str,
                    now: dt.datetime) -> CaseRules:
    """Validate and store {category: {level: days}} and the yellow window; nothing is stored if anything is wrong.

    Only values that differ from the level's default are kept, so a later change of defaults still reaches them.
    """
    problems: list[Problem] = []
    days: dict[str, dict[str, float]] = {}
    for category, levels in (table or {}).items():
        if category not in CATEGORIES:
            problems.append(problem("unknown_category", category=category))
            continue
        for level, value in (levels or {}).items():
            if level not in LADDER_LEVELS:
                problems.append(problem("unknown_level", level=level))
                continue
            number = _number(value, problem("rules_days", category=category, level=level), 0, MAX_DAYS, problems)
            if number is not None and number != LEVEL_DEADLINE_DAYS[level]:
                days.setdefault(category, {})[level] = number
    yellow = _number(yellow_hours, problem("rules_yellow"), 0, MAX_YELLOW_HOURS, problems)
    if problems:
        raise RulesError(problems=problems)
    value = json.dumps({"deadline_days": days, "yellow_hours": yellow}, ensure_ascii=False, sort_keys=True)
    row = session.get(m.AppSetting, KEY)
    if row is None:
        session.add(m.AppSetting(key=KEY, value=value, updated_at=now, updated_by=actor[:50]))
    else:
        row.value, row.updated_at, row.updated_by = value, now, actor[:50]
    cache.mark_changed(session, cache.RULES)
    return _decode(value)


def rules_table(rules: CaseRules) -> list[dict]:
    """One row per category with the days at each level, for the admin grid."""
    return [{"category": c, **{lv: rules.days(c, lv) for lv in LADDER_LEVELS}} for c in CATEGORIES]
