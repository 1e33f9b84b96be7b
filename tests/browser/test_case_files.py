"""The week's list for the meeting, and a sheet of cases brought in: export and import on /cases/ in Chromium."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import delete, select

from db.engine import session_scope
from tests.helpers import click_impatiently
import settings

pytestmark = pytest.mark.both_backends  # exports and case sheets read and write through the database

GRID = "33038100100101"
MARK = "导入测试"


def _sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["类别", "描述", "来源", "经度", "纬度", "登记时间"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _remove_marked():
    from db import cache, models as m

    with session_scope() as s:  # the module's later tests see the demo data as seeded
        ids = s.execute(select(m.Case.id).where(m.Case.description.like(f"{MARK}%"))).scalars().all()
        s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
        s.execute(delete(m.Case).where(m.Case.id.in_(ids)))
        cache.mark_changed(s)


def _some_on_time(n: int = 2) -> None:
    """The demo is dated REFERENCE_TIME while the server's clock is today's: on a later day every seeded deadline
    may have passed, so give a few of the grid's open cases a deadline days away (nothing escalates them meanwhile)."""
    import datetime as dt

    from db import cache, models as m
    from workflow.vocab import CaseStatus

    open_ = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS)
    with session_scope() as s:
        for case in s.execute(select(m.Case).where(m.Case.grid_code == GRID, m.Case.status.in_(open_))
                              .order_by(m.Case.id).limit(n)).scalars():
            case.deadline = settings.now() + dt.timedelta(days=3)
        cache.mark_changed(s, cache.CASES)


def test_export_gives_exactly_the_filtered_rows(staff, live_server):
    page = staff
    _some_on_time()
    page.goto(f"{live_server}/cases/?area={GRID}")
    page.click("#cases-light")
    page.get_by_role("option", name="正常").click()
    page.wait_for_selector("#cases-count:has-text('共')")
    page.wait_for_function("() => document.querySelectorAll('.ag-row .ag-cell[col-id=light_label]').length > 0 && "
                           "[...document.querySelectorAll('.ag-row .ag-cell[col-id=light_label]')]"
                           ".every(c => c.innerText.trim() === '正常')")
    shown = int(re.search(r"\d+", page.inner_text("#cases-count")).group(0))
    with page.expect_download() as info:
        page.click("#cases-export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("编号", "登记时间", "类别")
    lights = [r[header.index("红黄绿")] for r in rows[1:]]
    assert len(rows) - 1 == shown and set(lights) == {"正常"}


def test_import_reports_bad_rows_and_writes_only_the_valid_ones_when_asked(staff, live_server, session, tmp_path):
    from db import models as m

    b = session.execute(select(m.Building).where(m.Building.grid_code == GRID).order_by(m.Building.code)
                        .limit(1)).scalar_one()
    p = b.geometry.representative_point()
    path = tmp_path / "本周诉求.xlsx"
    path.write_bytes(_sheet([
        ["环境卫生", f"{MARK}：楼道堆物", "居民上报", p.x, p.y, "2026-11-18 09:00"],
        ["算命", f"{MARK}：看风水", "居民上报", p.x, p.y, None],
        ["设施维修", f"{MARK}：路灯不亮", "网格巡查", p.x, p.y, "2026-13-01"],
        ["设施维修", f"{MARK}：单元门坏了", "网格巡查", p.x, p.y, None],
    ]))
    page = staff
    page.goto(f"{live_server}/cases/?area={GRID}")
    page.wait_for_selector("#cases-count:has-text('共')")
    try:
        page.set_input_files("#cases-import-upload input[type=file]", str(path))
        page.wait_for_selector("#cases-import-summary:has-text('共 4 行：可导入 2 行，有问题 2 行')")
        problems = page.inner_text("#cases-import-problems")
        assert "类别「算命」不存在" in problems and "登记时间「2026-13-01」不是有效日期" in problems
        assert re.search(r"^3\s", problems, re.M) and re.search(r"^4\s", problems, re.M)
        with session_scope() as conn:  # the preview wrote nothing
            assert conn.execute(select(m.Case.id).where(m.Case.description.like(f"{MARK}%"))).first() is None

        page.click("#cases-import-commit:has-text('只导入有效的 2 行')")
        page.wait_for_selector("#cases-import-message:has-text('已导入 2 件诉求')")
        assert page.locator("#cases-import-panel").is_hidden()
        page.wait_for_selector(f".ag-row:has-text('{MARK}：单元门坏了')")
        page.wait_for_selector(f".ag-row:has-text('{MARK}：楼道堆物')")
        assert page.locator(f".ag-row:has-text('{MARK}：看风水')").count() == 0

        # a file with the wrong columns: one message naming them, nothing written
        wrong = tmp_path / "wrong.csv"
        wrong.write_text("名称,地址\n甲,乙\n", encoding="utf-8")
        page.set_input_files("#cases-import-upload input[type=file]", str(wrong))
        page.wait_for_selector("#cases-import-message:has-text('缺少必需的列：类别、描述、来源、经度、纬度')")
    finally:
        _remove_marked()


def test_hotline_operator_takes_in_a_case_on_the_list_page(staff, live_server, session):
    from db import models as m

    compound = session.execute(select(m.Area).where(m.Area.level == "compound",
                                                    m.Area.parent_code == GRID).order_by(m.Area.code)).scalars().first()
    page = staff
    page.goto(f"{live_server}/cases/?area={GRID}")
    page.wait_for_selector("#cases-count:has-text('共')")
    try:
        page.click("#cases-intake-toggle")
        page.click("#intake-submit")  # no building chosen yet: told so, nothing written
        page.wait_for_selector("#intake-message:has-text('请先选择问题所在的楼栋')")
        page.click("#cases-intake-building")
        page.get_by_placeholder("搜索").fill(compound.name)
        option = page.get_by_role("option", name=f"{compound.name} 1幢", exact=True)
        option.click()
        page.click("#intake-category")
        page.get_by_role("option", name="噪音扰民").click()
        page.click("#intake-source")
        page.get_by_role("option", name="12345").click()
        page.fill("#intake-description", f"{MARK}：夜间施工噪音")
        page.fill("#intake-reporter", "来电居民")
        page.click("#intake-submit")
        page.wait_for_selector("#intake-message:has-text('已登记')")
        code = re.search(r"AJ\d{7}", page.inner_text("#intake-message")).group(0)
        page.wait_for_selector(f".ag-row:has-text('{code}')")
        with session_scope() as s:
            case = s.execute(select(m.Case).where(m.Case.code == code)).scalar_one()
            assert (case.source, case.compound_code, case.grid_code) == ("12345", compound.code, GRID)
    finally:
        _remove_marked()


def test_a_double_click_on_import_imports_the_sheet_once(staff, live_server, session, tmp_path):
    from db import models as m

    b = session.execute(select(m.Building).where(m.Building.grid_code == GRID).order_by(m.Building.code)
                        .limit(1)).scalar_one()
    p = b.geometry.representative_point()
    path = tmp_path / "双击.xlsx"
    path.write_bytes(_sheet([["环境卫生", f"{MARK}：双击一", "居民上报", p.x, p.y, None],
                             ["设施维修", f"{MARK}：双击二", "网格巡查", p.x, p.y, None]]))
    page = staff
    page.goto(f"{live_server}/cases/?area={GRID}")
    page.wait_for_selector("#cases-count:has-text('共')")
    try:
        page.set_input_files("#cases-import-upload input[type=file]", str(path))
        page.wait_for_selector("#cases-import-commit:has-text('导入这 2 行')")
        click_impatiently(page, "#cases-import-commit")
        page.wait_for_selector("#cases-import-message:has-text('已导入 2 件诉求')")
        page.wait_for_selector(f".ag-row:has-text('{MARK}：双击二')")
        with session_scope() as s:
            stored = s.execute(select(m.Case.description).where(m.Case.description.like(f"{MARK}：双击%"))).scalars()
            assert sorted(stored) == [f"{MARK}：双击一", f"{MARK}：双击二"]
    finally:
        _remove_marked()
