"""Callbacks are module-level functions: called directly, as the logged-in user, they answer what the page shows."""
from __future__ import annotations

import base64
import io
import json

import openpyxl
from dash import no_update
from sqlalchemy import delete, select

from callbacks import admin as admin_callbacks, cases as case_callbacks, planning as planning_callbacks, uploads
from callbacks.wiring import Callbacks
from db import models as m
from db.engine import session_scope
from layouts import text
from tests.helpers import acting_as, call_callback, login

HEADER = ["类别", "描述", "来源", "经度", "纬度"]


def _sheet(rows) -> str:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," + \
        base64.b64encode(out.getvalue()).decode()


def _spot() -> tuple[float, float]:
    with session_scope() as session:
        b = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
        p = b.geometry.representative_point()
        return round(p.x, 6), round(p.y, 6)


def test_a_case_sheet_stays_on_the_server_and_only_its_token_reaches_the_page(seeded_url):
    lon, lat = _spot()
    contents = _sheet([["环境卫生", "楼道堆物（表格导入测试）", "居民上报", lon, lat], ["算命", "看风水", "居民上报", lon, lat]])
    with acting_as("admin"):
        kept, hidden, summary, _problems, label, commit_hidden, _msg = case_callbacks.preview_import(
            contents, "诉求.xlsx", None)
        # the page keeps a token (and what the preview found valid, to compare at commit), not the file
        assert set(kept) == {"token", "filename", "valid", "checked"} and kept["filename"] == "诉求.xlsx"
        assert kept["valid"] == 1 and len(json.dumps(kept)) < 200 < len(contents)
        assert uploads.kept(kept["token"]) is not None
        assert hidden is False and commit_hidden is False and "共 2 行" in summary and "1" in label
        try:
            message, panel_hidden, store, upload, changed = case_callbacks.commit_import(1, kept)
            assert message.startswith("已导入 1 件") and (panel_hidden, store, upload) == (True, None, None)
            assert uploads.kept(kept["token"]) is None  # gone once written
        finally:
            with session_scope() as session:
                ids = session.execute(select(m.Case.id).where(m.Case.description == "楼道堆物（表格导入测试）")).scalars().all()
                session.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
                session.execute(delete(m.Case).where(m.Case.id.in_(ids)))
        assert len(ids) == 1


def test_cancelling_a_previewed_sheet_discards_the_kept_file(seeded_url):
    lon, lat = _spot()
    with acting_as("admin"):
        kept, *_ = case_callbacks.preview_import(_sheet([["环境卫生", "楼道堆物", "居民上报", lon, lat]]), "a.xlsx", None)
        assert case_callbacks.cancel_import(1, kept) == (text.CASES_IMPORT_CANCELLED, True, None, None)
    assert uploads.kept(kept["token"]) is None


def test_a_broken_upload_is_refused_in_words_and_nothing_is_kept(seeded_url):
    with acting_as("admin"):
        kept, hidden, *_rest, message = case_callbacks.preview_import("data:;base64,@@@", "a.xlsx", None)
    assert (kept, hidden, message) == (None, True, "文件上传不完整，请重新上传")


def test_the_sheet_preview_over_http_answers_with_a_token_only(seeded_url):
    from app import server

    client = server.test_client()
    login(client)
    lon, lat = _spot()
    contents = _sheet([["环境卫生", "楼道堆物", "居民上报", lon, lat]])
    r = call_callback(client, "cases-import-file.data", {"cases-import-upload.contents": contents,
                                                        "cases-import-upload.filename": "a.xlsx"}, prefix="/cases/")
    assert r.status_code == 200
    answer = r.get_json()["response"]
    kept = answer["cases-import-file"]["data"]
    assert set(kept) == {"token", "filename", "valid", "checked"} and len(r.get_data()) < len(contents)
    uploads.discard(kept["token"])


def test_creating_an_account_with_a_short_password_keeps_the_form(seeded_url):
    with acting_as("admin"):
        rows, message, username, password = admin_callbacks.create_user(1, "zhaoliu", "赵六", "grid_leader",
                                                                        "33038100100102", "short")
    assert rows is no_update and username is no_update and password is no_update
    assert "密码需 10–200 位" in message


def test_another_street_forgets_the_plan_on_show():
    assert planning_callbacks.forget_plan(None, "330381001", "爱心食堂") == (None, None)


def test_a_page_setting_is_bound_to_the_callbacks_that_ask_for_it():
    page = Callbacks()
    seen = {}

    @page.callback("out", "in")
    def draw(value, *, gcj02: bool = False):
        seen["gcj02"] = gcj02
        return value

    class App:
        def callback(self, *deps, **options):
            return lambda func: seen.setdefault("wired", func)

        def clientside_callback(self, *args, **kwargs):
            pass

    page.register(App(), gcj02=True, unused=1)
    seen["wired"]("x")
    assert seen["gcj02"] is True and draw("x") == "x"


def test_a_case_filed_at_a_spot_does_not_draw_the_spot_panel_again(seeded_url):
    """Filing bumps RETRY so the map shows the case; a second drawing of the spot's panel raced 取消选点 and could put
    the form back after the user left it (tests/browser/test_spot_intake failed so on loaded runs)."""
    from app import server

    client = server.test_client()
    login(client)
    lon, lat = _spot()
    point = {"lon": lon, "lat": lat}
    values = {"url.search": "?area=33038100100101", "app-retry.data": 1, "intake-point.data": point}
    again = call_callback(client, "area-panel.children", values, changed="app-retry.data")
    assert again.status_code == 204  # no update: the panel stays as the intake left it
    picked = call_callback(client, "area-panel.children", values,
                           changed="intake-point.data")
    assert picked.status_code == 200 and "取消选点" in picked.get_data(as_text=True)
    left = call_callback(client, "area-panel.children",
                         {**values, "intake-point.data": None}, changed="intake-point.data")
    assert "第1网格" in left.get_data(as_text=True)


def test_a_link_sets_only_the_filters_it_carries_on_the_case_list(seeded_url):
    """/cases/ answers its address after the page is up: a light or a search the person already chose must stay
    unless the link itself says otherwise (a loaded run lost the 正常 filter picked before this answer came)."""
    with acting_as("admin"):
        options, area, _note, _hidden, light, words = case_callbacks.from_url("?area=33038100100101")
    assert area == "33038100100101" and any(o["value"] == area for o in options)
    assert light is no_update and words is no_update
    with acting_as("admin"):
        _options, area, _note, _hidden, light, words = case_callbacks.from_url("?light=red&q=漏水")
    assert area is no_update and light == "red" and words == "漏水"
    with acting_as("admin"):
        _options, area, note, hidden, light, _words = case_callbacks.from_url("?area=330381999&light=bogus")
    assert area is None and not hidden and "330381999" in note and light is None
