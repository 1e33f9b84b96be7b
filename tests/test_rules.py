"""Admin-set case rules: per-category deadlines and the yellow window reach intake, escalation and every light."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db import areas, cases, dashboard, models as m, rules
from db.access import SYSTEM
from workflow.vocab import LEVEL_DEADLINE_DAYS
from layouts import text

NOW = dt.datetime(2026, 11, 20, 10, 0)


def _new_case(session, category="安全隐患"):
    b = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
    p = b.geometry.representative_point()
    return cases.create_case(session, cases.NewCase(category=category, description="楼道飞线充电", source="网格巡查",
                                                    lon=p.x, lat=p.y), "网格员甲", SYSTEM, NOW).code


def _deadline(session, code):
    return session.execute(select(m.Case.deadline).where(m.Case.code == code)).scalar_one()


def test_rules_default_to_the_level_days_when_nothing_is_set(session):
    got = rules.get_case_rules(session)
    assert got.days("安全隐患", "小区") == LEVEL_DEADLINE_DAYS["小区"]
    assert got.yellow_hours == 24
    code = _new_case(session)
    assert _deadline(session, code) == NOW + dt.timedelta(days=LEVEL_DEADLINE_DAYS["小区"])


def test_saved_category_deadline_applies_at_intake_and_on_escalation(session):
    rules.save_case_rules(session, {"安全隐患": {"小区": 1, "网格": 2}}, 12, "管理员", NOW)
    code = _new_case(session)
    assert _deadline(session, code) == NOW + dt.timedelta(days=1)
    other = _new_case(session, "环境卫生")
    assert _deadline(session, other) == NOW + dt.timedelta(days=LEVEL_DEADLINE_DAYS["小区"])
    # two days later the 1-day 小区 deadline has passed: the case climbs to 网格 with its 2-day deadline
    cases.escalate_due(session, NOW + dt.timedelta(days=2))
    case = session.execute(select(m.Case).where(m.Case.code == code)).scalar_one()
    assert case.level == "网格"
    assert case.deadline == NOW + dt.timedelta(days=1) + dt.timedelta(days=2)


def test_yellow_window_changes_the_light_in_lists_and_panel(session):
    code = _new_case(session)  # deadline NOW + 3 days
    at = NOW + dt.timedelta(days=2, hours=1)  # 23 h before the deadline
    before = cases.get_case(session, code, SYSTEM, at)["light"]
    rules.save_case_rules(session, {}, 12, "管理员", NOW)
    after = cases.get_case(session, code, SYSTEM, at)["light"]
    assert (before, after) == ("yellow", "green")
    listed = {r["code"]: r["light"] for r in cases.list_cases(session, SYSTEM, cases.CaseFilter(light="green"), at)}
    assert listed[code] == "green"
    open_here = dashboard.list_open_cases(session, areas.get_area(session, "33038100100101"), at)
    assert {c["code"]: c["light"] for c in open_here}[code] == "green"


def test_bad_rules_name_every_problem_and_store_nothing(session):
    before = session.execute(select(m.AppSetting.value).where(m.AppSetting.key == rules.KEY)).scalar()
    with pytest.raises(rules.RulesError) as err:
        rules.save_case_rules(session, {"安全隐患": {"小区": "两天", "网格": -1}, "不存在的类别": {"小区": 1}},
                              0, "管理员", NOW)
    message = text.words(err.value)
    assert "「两天」不是数字" in message and "安全隐患·网格" in message and "不存在的类别" in message
    assert "黄灯提前量" in message
    assert session.execute(select(m.AppSetting.value).where(m.AppSetting.key == rules.KEY)).scalar() == before
    assert rules.get_case_rules(session).yellow_hours == 24


def test_rules_table_lists_every_category_at_every_level(session):
    rules.save_case_rules(session, {"噪音扰民": {"社区": 4}}, 24, "管理员", NOW)
    table = {r["category"]: r for r in rules.rules_table(rules.get_case_rules(session))}
    assert table["噪音扰民"]["社区"] == 4
    assert table["噪音扰民"]["小区"] == LEVEL_DEADLINE_DAYS["小区"]
    assert len(table) == len(rules.CATEGORIES)
