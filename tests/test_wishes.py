"""微心愿: its own short lifecycle, scope and locking, seeded demo wishes, and the map layer without the wisher."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db import areas, layers, models as m, wishes
from db.access import SYSTEM, Viewer
from workflow import wishes as rules
from tests.refusals import refused

NOW = dt.datetime(2026, 11, 20, 10, 0)
GRID = "33038100100101"
GRID_LEADER = Viewer("grid_leader", GRID)


def _building(session, grid=GRID):
    return session.execute(select(m.Building.code).where(m.Building.grid_code == grid)
                           .order_by(m.Building.code).limit(1)).scalar_one()


def _publish(session, viewer=SYSTEM, **over):
    fields = dict(title="帮独居老人换楼道灯泡", building_code=_building(session), wisher_name="李阿婆",
                  wisher_phone="13900003333")
    fields.update(over)
    return wishes.publish_wish(session, wishes.NewWish(**fields), viewer, NOW)


@pytest.mark.parametrize("action, start, target", [
    ("claim", rules.PUBLISHED, rules.CLAIMED), ("complete", rules.CLAIMED, rules.DONE),
    ("release", rules.CLAIMED, rules.PUBLISHED), ("withdraw", rules.PUBLISHED, rules.WITHDRAWN),
    ("withdraw", rules.CLAIMED, rules.WITHDRAWN),
])
def test_each_allowed_step(action, start, target):
    step = rules.apply(action, start, "市税务局", "报到单位", "张三", "志愿者")
    assert step.status == target
    if action == "claim":
        assert (step.claimant, step.claimant_kind) == ("市税务局", "报到单位")
    if action == "release":
        assert step.claimant is None


@pytest.mark.parametrize("action, start", [
    ("complete", rules.PUBLISHED), ("claim", rules.CLAIMED), ("claim", rules.DONE), ("release", rules.PUBLISHED),
    ("withdraw", rules.DONE), ("claim", rules.WITHDRAWN), ("fly", rules.PUBLISHED),
])
def test_each_refused_step(action, start):
    with pytest.raises(rules.WishError):
        rules.apply(action, start, "市税务局", "报到单位")


def test_a_claim_needs_who_and_which_kind():
    with refused(rules.WishError, "认领需要填写"):
        rules.apply("claim", rules.PUBLISHED, "  ", "志愿者")
    with refused(rules.WishError, "志愿者或报到单位"):
        rules.apply("claim", rules.PUBLISHED, "张三", "路人")


def test_publish_claim_complete_in_the_database(session):
    code = _publish(session, GRID_LEADER)
    wish = wishes.get_wish(session, code, GRID_LEADER)
    assert (wish["status"], wish["wisher_full"], wish["phone"]) == ("已发布", "李阿婆", "13900003333")
    assert wish["place"] and wish["version"] == 1
    wishes.act_on_wish(session, code, "claim", GRID_LEADER, 1, NOW, claimant="王志愿", claimant_kind="志愿者")
    with refused(rules.WishError, "已被他人修改"):  # a second person working from the old page
        wishes.act_on_wish(session, code, "claim", GRID_LEADER, 1, NOW, claimant="市图书馆", claimant_kind="报到单位")
    done = wishes.act_on_wish(session, code, "complete", GRID_LEADER, 2, NOW + dt.timedelta(days=2))
    assert done["status"] == "已完成"
    wish = wishes.get_wish(session, code, GRID_LEADER)
    assert wish["claimant"] == "王志愿" and wish["completed_at"] == NOW + dt.timedelta(days=2)


def test_bad_input_and_scope_are_refused_with_reasons(session):
    with refused(rules.WishError, "请填写心愿内容；请选择心愿人所在的楼栋"):
        _publish(session, title=" ", building_code="nowhere")
    with refused(rules.WishError, "不在您负责的区域内"):
        _publish(session, GRID_LEADER, building_code=_building(session, "33038100100102"))
    other = _publish(session, building_code=_building(session, "33038100100102"))
    with refused(rules.WishError, "不存在或不在您的负责范围内"):
        wishes.act_on_wish(session, other, "claim", GRID_LEADER, 1, NOW, claimant="甲", claimant_kind="志愿者")
    with refused(rules.WishError, "大屏为只读"):
        wishes.act_on_wish(session, other, "withdraw", Viewer("screen", None), 1, NOW)


def test_demo_street_has_wishes_in_every_state(session):
    counts = dict(session.execute(select(m.Wish.status, func.count()).group_by(m.Wish.status)).all())
    assert set(counts) == {"已发布", "已认领", "已完成"} and sum(counts.values()) == 30


def test_map_layer_shows_open_wishes_without_the_wisher(session):
    code = _publish(session)
    layer = layers.get_layer(session, areas.get_area(session, GRID), "wishes", viewer=SYSTEM)
    props = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert props[code]["title"] == "帮独居老人换楼道灯泡"
    assert "李阿婆" not in str(layer) and "13900003333" not in str(layer)
    assert {p["status"] for p in props.values()} <= set(rules.OPEN)
    # the marker's look comes with the layer (the JS compares no status words)
    assert props[code]["claimed"] is False
    assert all(p["claimed"] == (p["status"] == rules.CLAIMED) for p in props.values())
    listed = {w["code"] for w in wishes.list_wishes(session, SYSTEM, GRID, rules.OPEN)}
    assert listed == set(props)
