"""Cases in and out of spreadsheets: every bad row named with its row number, nothing half-written, a round trip."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import delete, func, select

from callbacks.cases import export_frame
from db import cases, models as m
from db.access import SYSTEM, Viewer
from layouts import text
from workflow import case_table
from tests.refusals import refused

NOW = dt.datetime(2026, 11, 20, 10, 0)
HEADER = ["登记时间", "类别", "描述", "来源", "经度", "纬度", "反映人", "联系电话"]


def _xlsx(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spot(session, grid="33038100100101"):
    b = session.execute(select(m.Building).where(m.Building.grid_code == grid).limit(1)).scalar_one()
    p = b.geometry.representative_point()
    return round(p.x, 6), round(p.y, 6)


def _count(session):
    return session.execute(select(func.count()).select_from(m.Case)).scalar()


def test_every_bad_row_is_named_with_its_excel_row_number(session):
    lon, lat = _spot(session)
    data = _xlsx([
        ["2026-11-18 09:00", "环境卫生", "楼道堆物", "居民上报", lon, lat, "王五", "13900002222"],   # row 2: fine
        ["2026-02-30", "环境卫生", "日期不存在", "居民上报", lon, lat, None, None],                # row 3
        [dt.datetime(2027, 1, 1), "停车管理", "来自未来", "12345", lon, lat, None, None],          # row 4
        [None, "算命", "", "居民上报", lon, lat, None, None],                                      # row 5
        [None, "噪音扰民", "夜间施工", "居民上报", 120.0, 10.0, None, None],                         # row 6: far away
        [None, "噪音扰民", "填反了", "网格巡查", lat, lon, None, None],                             # row 7
        [],                                                                                       # row 8: blank
        [None, "设施维修", "路灯不亮", "网格巡查", "一百二十", lat, None, None],                     # row 9
        ["2026-11-18 09:00", "环境卫生", "楼道堆物", "居民上报", lon, lat, "王五", "13900002222"],   # row 10: repeat
    ])
    rows = case_table.read_case_table(data, "诉求.xlsx", NOW)
    check = cases.check_import(session, rows, SYSTEM)
    refused = {row: text.words(reasons) for row, reasons in check.refused}  # as the preview shows them
    assert [r.number for r in check.valid] == [2]
    assert set(refused) == {3, 4, 5, 6, 7, 9, 10}
    assert "登记时间「2026-02-30」不是有效日期" in refused[3]
    assert "晚于现在" in refused[4]
    assert "类别「算命」不存在" in refused[5] and "缺少描述" in refused[5]
    assert "不在任何社区范围内" in refused[6]
    assert "疑似填反" in refused[7]
    assert "经度「一百二十」不是数字" in refused[9]
    assert "与第 2 行重复" in refused[10]
    assert check.total == 8


def test_check_writes_nothing_and_import_writes_only_the_valid_rows(session):
    lon, lat = _spot(session)
    rows = case_table.read_case_table(_xlsx([
        ["2026-11-18 09:00", "环境卫生", "楼道堆物", "居民上报", lon, lat, "王五", "13900002222"],
        [None, "算命", "看风水", "居民上报", lon, lat, None, None],
        [None, "设施维修", "路灯不亮", "网格巡查", lon, lat, None, None],
    ]), "a.xlsx", NOW)
    before = _count(session)
    check = cases.check_import(session, rows, SYSTEM)
    assert _count(session) == before
    codes = cases.import_cases(session, check.valid, "社区干部", SYSTEM, NOW)
    assert _count(session) == before + 2
    first = session.execute(select(m.Case).where(m.Case.code == codes[0])).scalar_one()
    assert (first.category, first.created_at, first.reporter_phone) == ("环境卫生", dt.datetime(2026, 11, 18, 9), "13900002222")
    assert first.grid_code == "33038100100101" and first.building_code is not None
    note = session.execute(select(m.CaseEvent.note).where(m.CaseEvent.case_id == first.id)).scalar_one()
    assert note == "表格导入第 2 行"


def test_a_row_that_fails_at_write_time_leaves_nothing_behind(session):
    lon, lat = _spot(session)
    rows = case_table.read_case_table(_xlsx([
        [None, "环境卫生", "楼道堆物", "居民上报", lon, lat, None, None],
        [None, "设施维修", "路灯不亮", "网格巡查", lon, lat, None, None],
    ]), "a.xlsx", NOW)
    rows[1].values["lon"] = 0.0  # changed after the check: the write must refuse it, and the first row with it
    before = _count(session)
    savepoint = session.begin_nested()
    with refused(cases.CaseError, "第 3 行"):
        cases.import_cases(session, rows, "社区干部", SYSTEM, NOW)
    savepoint.rollback()
    assert _count(session) == before


def test_rows_outside_the_users_grid_are_refused(session):
    lon, lat = _spot(session, "33038100100102")
    rows = case_table.read_case_table(_xlsx([[None, "环境卫生", "楼道堆物", "居民上报", lon, lat, None, None]]),
                                      "a.xlsx", NOW)
    check = cases.check_import(session, rows, Viewer("grid_leader", "33038100100101"))
    assert [(row, text.words(reasons)) for row, reasons in check.refused] == [(2, "该位置不在您负责的区域内")]


@pytest.mark.parametrize("data, name, message", [
    (b"not a spreadsheet", "a.xlsx", "无法读取 Excel 文件"),
    (b"a,b\n1,2\n", "a.csv", "缺少必需的列：类别、描述、来源、经度、纬度（文件中的列：a、b）"),
    (b"", "a.csv", "文件是空的"),
    ("类别,描述,来源,经度,纬度\n".encode(), "a.csv", "没有数据行"),
    (b"x", "a.pdf", "只支持 .xlsx 或 .csv"),
    (b"x" * (case_table.MAX_BYTES + 1), "a.csv", "文件超过 5 MB"),
])
def test_unusable_files_get_one_clear_message(data, name, message):
    with refused(case_table.TableError, message.replace("(", r"\(").replace(")", r"\)")):
        case_table.read_case_table(data, name, NOW)


def test_gbk_csv_reads(session):
    lon, lat = _spot(session)
    data = f"类别,描述,来源,经度,纬度\n环境卫生,楼道堆物,居民上报,{lon},{lat}\n".encode("gbk")
    rows = case_table.read_case_table(data, "诉求.csv", NOW)
    assert rows[0].values["description"] == "楼道堆物" and rows[0].problems == []


def test_excel_round_trip_recreates_the_same_cases(session):
    listed = cases.list_cases(session, SYSTEM, cases.CaseFilter(area="33038100100101", statuses=("待受理",)), NOW)[:5]
    assert listed
    buffer = io.BytesIO()
    export_frame(listed, NOW).to_excel(buffer, index=False)
    # the exported list goes back in after the originals are gone; codes, places and times come back the same
    codes = [r["code"] for r in listed]
    ids = session.execute(select(m.Case.id).where(m.Case.code.in_(codes))).scalars().all()
    def facts(found):
        return sorted((c.description, c.category, c.source, c.lon, c.lat, c.created_at, c.grid_code, c.compound_code)
                      for c in found)

    snapshot = facts(session.execute(select(m.Case).where(m.Case.id.in_(ids))).scalars())
    session.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
    session.execute(delete(m.Case).where(m.Case.id.in_(ids)))
    rows = case_table.read_case_table(buffer.getvalue(), "导出.xlsx", NOW)
    check = cases.check_import(session, rows, SYSTEM)
    assert check.refused == []
    new_codes = cases.import_cases(session, check.valid, "社区干部", SYSTEM, NOW)
    assert facts(session.execute(select(m.Case).where(m.Case.code.in_(new_codes))).scalars()) == snapshot


def test_export_has_exactly_the_filtered_rows_with_chinese_headers(session):
    flt = cases.CaseFilter(area="33038100100101", light="green")
    listed = cases.list_cases(session, SYSTEM, flt, NOW)
    assert listed
    frame = export_frame(listed, NOW)
    assert list(frame.columns)[:3] == ["编号", "登记时间", "类别"] and "经度" in frame.columns
    assert list(frame["编号"]) == [r["code"] for r in listed]
    assert set(frame["红黄绿"]) == {"正常"}


def test_cli_imports_a_gcj02_sheet_all_or_nothing_unless_told_otherwise(seeded_url, tmp_path):
    import coordTransform

    from app import server
    from db.engine import session_scope

    with session_scope() as s:
        lon, lat = _spot(s)
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(lon, lat)  # as copied from 高德
    sheet = tmp_path / "hotline.xlsx"
    sheet.write_bytes(_xlsx([[None, "环境卫生", "CLI导入：楼道堆物", "12345", g_lon, g_lat, None, None],
                             [None, "停车管理", "CLI导入：占用消防通道", "12345", g_lon, g_lat, None, None],
                             [None, "算命", "CLI导入：看风水", "12345", g_lon, g_lat, None, None]]))
    runner = server.test_cli_runner()

    def marked():
        with session_scope() as s:
            return s.execute(select(m.Case).where(m.Case.description.like("CLI导入%"))).scalars().all()

    try:
        dry = runner.invoke(args=["import", str(sheet), "--as", "cases", "--crs", "gcj02", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "3 rows, 2 valid, 1 refused" in dry.output and "row 4: 类别「算命」不存在" in dry.output
        refused = runner.invoke(args=["import", str(sheet), "--as", "cases", "--crs", "gcj02"])
        assert refused.exit_code != 0 and "nothing written" in refused.output
        assert marked() == []
        done = runner.invoke(args=["import", str(sheet), "--as", "cases", "--crs", "gcj02", "--only-valid"])
        assert done.exit_code == 0 and "imported 2 cases" in done.output, done.output
        stored = marked()
        assert len(stored) == 2
        for case in stored:  # back in WGS-84 to well under a metre
            assert abs(case.lon - lon) < 1e-6 and abs(case.lat - lat) < 1e-6
    finally:
        with session_scope() as s:
            ids = [c.id for c in s.execute(select(m.Case).where(m.Case.description.like("CLI导入%"))).scalars()]
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.case_id.in_(ids)))
            s.execute(delete(m.Case).where(m.Case.id.in_(ids)))
