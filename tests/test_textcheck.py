"""Text no database can keep (issue 14 class 12): NUL (PostgreSQL refuses it), other control characters and lone
surrogates (neither backend can encode them) get a Chinese message naming the field, on every path that stores
free text; searches drop them; no callback shows the generic 「出错了」 for them."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from db import models as m
from tests.helpers import dash_body, find_callback, login

GRID = "33038100100201"
UNSTORABLE = ["\x00", "路灯\x00不亮", "\ud800", "表情\ud83d", "\udc00尾", "响铃\x07", "\x1b[31m"]


def _post(client, prefix: str, output: str, values: dict, changed: str | None = None):
    """A callback posted as the browser's JSON.stringify sends it: a lone surrogate travels as a \\ud800 escape."""
    deps = client.get(prefix + "_dash-dependencies").get_json()
    body = dash_body(find_callback(deps, output), values, changed=changed)
    return client.post(prefix + "_dash-update-component", data=json.dumps(body), content_type="application/json")


@pytest.fixture()
def staff(seeded_url):
    from app import server

    client = server.test_client()
    login(client, "grid")
    return client


def _building(session) -> str:
    return session.execute(select(m.Building.code).where(m.Building.grid_code == GRID)
                           .order_by(m.Building.code).limit(1)).scalar_one()


def _cases_now() -> int:
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(m.Case)).scalar_one()


def test_text_problems_name_each_unstorable_field():
    from workflow.textcheck import text_problems

    assert text_problems(description="路灯不亮\n第二行\t缩进", reporter="张三", note=None) == []
    found = text_problems(description="a\x00", reporter="\ud800", note="fine")
    assert [(p.kind, p.params["field"]) for p in found] == [("bad_characters", "description"),
                                                             ("bad_characters", "reporter")]


def test_searchable_drops_what_cannot_be_searched_and_cuts():
    from workflow.textcheck import searchable

    assert searchable(" 锦\x00阳\ud800御园 ", 50) == "锦阳御园"
    assert searchable("a" * 100, 40) == "a" * 40
    assert searchable(None, 10) == ""


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_intake_refuses_unstorable_description_in_words(staff, session, bad):
    from layouts import text

    before = _cases_now()
    r = _post(staff, "/cases/", "intake-message.children", {
        "intake-submit.n_clicks": 1, "cases-intake-building.value": _building(session),
        "intake-category.value": "安全隐患", "intake-source.value": "居民上报", "intake-description.value": bad,
        "intake-reporter.value": "张三"})
    assert r.status_code == 200
    message = r.get_json()["response"]["intake-message"]["children"]
    assert text.FIELD_WORDS["description"] in message and "无法识别的字符" in message
    assert text.UNEXPECTED_ERROR not in r.get_data(as_text=True)
    assert _cases_now() == before


def test_intake_names_every_unstorable_field(staff, session):
    from layouts import text

    r = _post(staff, "/cases/", "intake-message.children", {
        "intake-submit.n_clicks": 1, "cases-intake-building.value": _building(session),
        "intake-category.value": "安全隐患", "intake-source.value": "居民上报",
        "intake-description.value": "楼道堆物\ud800", "intake-reporter.value": "张\x00三"})
    message = r.get_json()["response"]["intake-message"]["children"]
    assert text.FIELD_WORDS["description"] in message and text.FIELD_WORDS["reporter"] in message


def test_case_action_note_and_assignee_are_checked(session, now):
    from db import cases
    from db.access import SYSTEM

    code = session.execute(select(m.Case.code).where(m.Case.status == "已受理").limit(1)).scalar_one()
    version = session.execute(select(m.Case.version).where(m.Case.code == code)).scalar_one()
    for kwargs, field in (({"assignee": "环卫\x00所"}, "assignee"), ({"assignee": "环卫所", "note": "\ud800"}, "note")):
        with pytest.raises(cases.CaseError) as refused:
            cases.act(session, code, "dispatch", "测试", SYSTEM, version, now, **kwargs)
        assert refused.value.kind == "bad_characters" and refused.value.params["field"] == field


def test_wish_text_is_checked(session, now):
    from db import wishes
    from db.access import SYSTEM
    from workflow.wishes import WishError

    building = _building(session)
    for fields, field in (({"title": "买\x00菜"}, "wish_title"), ({"title": "买菜", "description": "\ud800"},
                                                                 "wish_description"),
                          ({"title": "买菜", "wisher_name": "李\x07四"}, "wisher")):
        with pytest.raises(WishError) as refused:
            wishes.publish_wish(session, wishes.NewWish(building_code=building, **fields), SYSTEM, now)
        assert [p.params.get("field") for p in refused.value.problems] == [field]
    code = wishes.publish_wish(session, wishes.NewWish(title="陪老人就医", building_code=building), SYSTEM, now)
    with pytest.raises(WishError) as refused:
        wishes.act_on_wish(session, code, "claim", SYSTEM, 1, now, claimant="志愿\x00者", claimant_kind="志愿者")
    assert refused.value.params["field"] == "claimant"


def test_sheet_preview_names_the_row_with_unstorable_text(now):
    from layouts import text
    from workflow import case_table

    sheet = ("类别,描述,来源,经度,纬度,反映人\n"
             "环境卫生,垃圾未清运,居民上报,120.63,27.77,张三\n"
             "环境卫生,垃圾\x07未清运,居民上报,120.63,27.77,李四\n").encode("utf-8")
    first, second = case_table.read_case_table(sheet, "cases.csv", now)
    assert first.problems == []
    assert text.words(second.problems) == text.words([
        case_table.problem("bad_characters", field="description")])


@pytest.mark.parametrize("query", ["\x00", "锦\x00", "\ud800", "阳\udfff"])
def test_building_search_answers_whatever_is_typed(staff, query):
    from layouts import text

    r = _post(staff, "/cases/", "cases-intake-building.options", {"cases-intake-building.search_value": query},
              changed="cases-intake-building.search_value")
    assert r.status_code == 200
    assert text.UNEXPECTED_ERROR not in r.get_data(as_text=True)
    assert isinstance(r.get_json()["response"]["cases-intake-building"]["options"], list)


@pytest.mark.parametrize("query", ["\x00", "食\ud800堂"])
def test_public_search_answers_whatever_is_typed(seeded_url, query):
    from app import server

    r = _post(server.test_client(), "/public/", "public-list.children", {"public-search.value": query},
              changed="public-search.value")
    assert r.status_code == 200
    hideout = r.get_json()["response"]["public-points"]["hideout"]
    # what was typed never goes back, only the codes of what it found ("食堂" once the bad character is gone)
    assert "q" not in hideout and not re.search(r"[\x00\ud800-\udfff]", r.get_data(as_text=True))
    if query == "\x00":  # nothing left to search for: every point
        assert hideout["codes"] is None
    else:
        assert hideout["codes"] and all(re.fullmatch(r"\w+", c) for c in hideout["codes"])


def test_any_callback_meeting_unstorable_text_says_so_not_the_generic_error(staff):
    """A field no check of its own covers (here the list's 承办 filter, straight into SQL): the banner names the
    cause in Chinese."""
    from layouts import text

    r = _post(staff, "/cases/", "cases-grid.rowData", {"cases-assignee.value": "\ud800"},
              changed="cases-assignee.value")
    assert r.status_code == 200
    answer = r.get_data(as_text=True)
    assert text.UNEXPECTED_ERROR not in answer
    assert r.get_json()["sideUpdate"]["cases-alert"]["children"] == text.BAD_CHARACTERS


def test_open311_and_intake_share_the_check(session, now):
    """Open311 refuses NUL in its form before anything else; a lone surrogate cannot come in a form (UTF-8 bytes)."""
    from db import cases
    from db.access import SYSTEM

    b = session.execute(select(m.Building).where(m.Building.grid_code == GRID).limit(1)).scalar_one()
    point = b.geometry.representative_point()
    new = cases.NewCase(category="设施维修", description="路灯\ud800", source="12345", lon=point.x, lat=point.y)
    with pytest.raises(cases.CaseError) as refused:
        cases.create_case(session, new, "Open311:测试", SYSTEM, dt.datetime(2026, 11, 20, 9))
    assert refused.value.kind == "bad_characters"
