"""The big screen in real Chromium at kiosk sizes: numbers, a ticking clock, the case board, no scrollbars; revoked tokens."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from db import models as m
from db.engine import session_scope
from workflow.vocab import OPEN_STATUSES
import settings

TOKEN = "demo-screen-token-2026"
NUMBER = re.compile(r"^(\d{1,3}(,\d{3})*|\d+\.\d%|—)$")
CLOCK = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 星期[日一二三四五六]\s+\d{2}:\d{2}:\d{2}$")


def _kpis(page) -> dict[str, str]:
    labels = page.locator(".screen-kpi-label").all_inner_texts()
    values = page.locator(".screen-kpi-value").all_inner_texts()
    return dict(zip(labels, values))


def _open_screen(page, url: str):
    page.goto(url)
    page.wait_for_function("() => document.querySelectorAll('.screen-kpi-value').length === 8")
    page.wait_for_selector(".screen-board-row")


@pytest.mark.parametrize("page", [(1920, 1080), (1280, 720), (3840, 2160)], indirect=True)
def test_screen_fits_and_shows_live_numbers(page, live_server, session):
    _open_screen(page, f"{live_server}/screen/?token={TOKEN}")
    assert page.locator(".screen-title").inner_text().startswith("安阳街道")

    kpis = _kpis(page)
    assert len(kpis) == 8 and all(NUMBER.match(v) for v in kpis.values()), kpis
    open_cases = session.execute(select(func.count()).where(m.Case.street_code == "330381001",
                                                            m.Case.status.in_(OPEN_STATUSES))).scalar()
    assert kpis["在办诉求"] == f"{open_cases:,}"
    points = session.execute(select(func.count()).select_from(m.ServicePoint)).scalar()
    assert kpis["服务阵地"] == f"{points:,}"

    # the clock ticks by itself
    first = page.locator(".screen-clock").inner_text()
    assert CLOCK.match(first), first
    page.wait_for_function("(t) => document.querySelector('.screen-clock').innerText !== t", arg=first)

    assert page.locator(".screen-board-row").count() > 0
    # no scrollbars, and the 1920×1080 design fills the display
    fit = page.evaluate("""() => { const r = document.querySelector('.screen-root').getBoundingClientRect();
        const d = document.documentElement;
        return {sw: d.scrollWidth, sh: d.scrollHeight, w: innerWidth, h: innerHeight,
                left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }""")
    assert fit["sw"] <= fit["w"] and fit["sh"] <= fit["h"], fit
    assert fit["left"] >= -0.5 and fit["top"] >= -0.5, fit
    assert fit["right"] <= fit["w"] + 0.5 and fit["bottom"] <= fit["h"] + 0.5, fit
    assert fit["right"] - fit["left"] >= fit["w"] - 1, fit


def test_a_revoked_screen_says_it_was_switched_off_and_shows_nothing_else(page, live_server, browser):
    """An open display whose token is revoked turns itself off by its next refresh; a reload, with the token or
    without, stays off; a display with a bad token never shows the login form (nor, in demo mode, its accounts)."""
    from db import users

    now = settings.now()
    with session_scope() as s:
        token = users.create_display_token(s, "撤销测试大屏", "330381001", now)
        token_id = next(t["id"] for t in users.list_display_tokens(s) if t["label"] == "撤销测试大屏")
    try:
        _open_screen(page, f"{live_server}/screen/?token={token}&refresh=5")
        with session_scope() as s:
            users.revoke_display_token(s, token_id, settings.now())
        # no one touches the display: its next refresh finds the token gone
        page.wait_for_selector(".screen-off h1:text-is('此大屏已停用')")
        for url in (page.url, f"{live_server}/screen/?token={token}", f"{live_server}/screen/"):
            page.goto(url)
            page.wait_for_selector(".screen-off h1:text-is('此大屏已停用')")
            shown = page.locator("body").inner_text()
            assert page.locator("#username, .screen-kpi, .screen-clock").count() == 0, url
            assert "demo" not in shown and "登录" not in shown, shown
        fresh = browser.new_context(locale="zh-CN")
        try:
            other = fresh.new_page()
            other.goto(f"{live_server}/screen/?token=not-a-token-at-all")
            assert other.locator(".screen-off h1").inner_text() == "此大屏已停用"
            assert other.locator("#username").count() == 0
        finally:
            fresh.close()
    finally:
        with session_scope() as s:
            s.execute(delete(m.DisplayToken).where(m.DisplayToken.id == token_id))


def test_the_tour_shows_each_communitys_own_numbers_and_the_map_has_a_legend(page, live_server, session):
    """On tour the map flies to a community and the numbers beside it are that community's, not the street's."""
    _open_screen(page, f"{live_server}/screen/?token={TOKEN}&tour=5&refresh=3600")
    assert page.locator(".screen-scope").inner_text() == "统计范围：安阳街道"
    street_open = _kpis(page)["在办诉求"]

    page.wait_for_function("() => document.querySelector('.screen-tour-label').innerText.startsWith('正在巡览：')")
    name = page.locator(".screen-tour-label").inner_text().removeprefix("正在巡览：")
    # the numbers arrive just after the map moves: read the scope line and the cards in one go
    page.wait_for_function("(n) => document.querySelector('.screen-scope').innerText === '统计范围：' + n", arg=name)
    shown = page.evaluate("""() => ({scope: document.querySelector('.screen-scope').innerText,
        open: [...document.querySelectorAll('.screen-kpi')].find(k => k.innerText.includes('在办诉求'))
              .querySelector('.screen-kpi-value').innerText})""")
    community = session.execute(select(m.Area.code).where(m.Area.name == name, m.Area.level == "community")).scalar_one()
    open_here = session.execute(select(func.count()).where(m.Case.community_code == community,
                                                           m.Case.status.in_(OPEN_STATUSES))).scalar()
    assert shown["scope"] == f"统计范围：{name}"
    assert shown["open"] == f"{open_here:,}" and shown["open"] != street_open, (shown, street_open)
    # the board lists only that community's cases
    wheres = page.locator(".screen-board-row .where").all_inner_texts()
    assert wheres and all(w.startswith(name) for w in wheres), wheres[:5]

    legend = page.locator(".screen-legend")
    text = legend.inner_text()
    for word in ("超期", "临期", "正常", "超期升级", "爱心食堂", "日间照料中心", "调解室"):
        assert word in text, word
    box, wrap, label = (page.locator(s).bounding_box() for s in (".screen-legend", ".screen-map-wrap",
                                                                  ".screen-tour-label"))
    assert wrap["x"] <= box["x"] and box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 0.5, (box, wrap)
    assert box["y"] + box["height"] <= wrap["y"] + wrap["height"] + 0.5, (box, wrap)
    assert box["y"] > label["y"] + label["height"], (box, label)  # the tour label stays clear
    assert box["height"] < wrap["height"] * 0.2, (box, wrap)  # the map stays the map
