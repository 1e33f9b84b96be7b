"""Decompression bombs in every sheet, archive and photo path: refused before they inflate, memory stays flat.

Each bomb is a real file built in a temporary folder. What a test asserts is the refusal a user reads (or the
importer's kind) and that the resident memory of this process rose by no more than a bound while the file was
read; the rise is printed (`pytest -s`) so a run shows the numbers.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import pytest
from PIL import Image

from geodata.importing.errors import ImportRefused
from geodata.importing.readers import read_source
from layouts import text
from tests import bombs
from tests.refusals import refused
from workflow import case_table, files, photos

NOW = dt.datetime(2026, 11, 20, 10, 0)
HEADER = ["类别", "描述", "来源", "经度", "纬度"]
ROW = ["环境卫生", "楼道堆物", "居民上报", 120.63, 27.77]
FLAT_MB = 40  # what reading a refused file may add to this process; the bombs below would add 300 MB to 2 GB


def _sheet_with_shared_string() -> bombs.Member:
    """Header, then a row whose first cell is shared string 0."""
    return bombs.plain("xl/worksheets/sheet1.xml", bombs.sheet_head() + bombs.sheet_rows([HEADER])
                       + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + bombs.SHEET_TAIL)


def _read_case_sheet(data: bytes, name: str = "诉求.xlsx"):
    with bombs.PeakRss() as peak:
        with refused(case_table.TableError, ".") as info:
            case_table.read_case_table(data, name, NOW)
    shown = text.words(info.value)
    print(f"\n{name}: {len(data)} bytes refused ({info.value.kind}: {shown}); RSS rose {peak.rise_mb} MB")
    return info.value, shown, peak


def test_case_sheet_whose_one_cell_inflates_to_a_gibibyte_is_refused_before_it_inflates():
    data = bombs.xlsx(_sheet_with_shared_string(), bombs.shared_string_bomb(bombs.GiB))
    assert len(data) < 1_200_000  # the 1 MB .xlsx
    err, shown, peak = _read_case_sheet(data)
    assert "文件解压后过大" in shown and "上限 32.0 MB" in shown
    assert peak.rise_mb < FLAT_MB


def test_a_directory_that_understates_a_members_size_gains_nothing():
    # the directory says 4 kB; the deflated stream goes on to a gibibyte: reading stops at 4 kB and the CRC fails
    data = bombs.xlsx(_sheet_with_shared_string(), bombs.shared_string_bomb(bombs.GiB, declared=4000))
    err, shown, peak = _read_case_sheet(data)
    assert err.kind == "xlsx_unreadable" and "无法读取 Excel 文件" in shown
    assert peak.rise_mb < FLAT_MB


def test_a_sheet_that_compresses_too_well_is_refused_by_its_ratio():
    rows = bombs.repeated("xl/worksheets/sheet1.xml", bombs.sheet_head() + bombs.sheet_rows([HEADER]),
                          b"<row><c><v>1</v></c></row>" * 40_000, 20, bombs.SHEET_TAIL)
    err, shown, peak = _read_case_sheet(bombs.xlsx(rows))
    assert "疑似压缩炸弹" in shown
    assert peak.rise_mb < FLAT_MB


def test_a_cell_longer_than_excel_allows_is_refused_while_reading():
    words = "".join(random.Random(1).choice("楼道堆物噪音扰民路灯不亮") for _ in range(40_000))
    err, shown, _peak = _read_case_sheet(bombs.xlsx(bombs.sheet([HEADER, ["环境卫生", words]])))
    assert "单元格 B2 超过 32767 字" in shown


def test_a_shared_string_longer_than_excel_allows_is_refused_while_reading():
    words = "".join(random.Random(2).choice("abcdefghij") for _ in range(40_000))
    strings = bombs.plain("xl/sharedStrings.xml", bombs.SST_HEAD + f"<si><t>{words}</t></si></sst>".encode())
    err, shown, _peak = _read_case_sheet(bombs.xlsx(_sheet_with_shared_string(), strings))
    assert "表格中有单元格超过 32767 字" in shown


def test_a_sheet_declaring_a_million_rows_is_refused_before_its_rows_are_read():
    head = bombs.sheet_head("A1:XFD1048576") + bombs.sheet_rows([HEADER, ROW])
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    err, shown, peak = _read_case_sheet(bombs.xlsx(bombs.plain("xl/worksheets/sheet1.xml", head + far + bombs.SHEET_TAIL)))
    assert "表格声明的范围过大（1048576 行、16384 列），一次最多导入 5000 行" in shown
    assert peak.rise_mb < FLAT_MB


def test_a_row_of_more_cells_than_a_spreadsheet_has_columns_is_refused_as_it_streams():
    numbers = random.Random(3)
    cells = "".join(f"<c><v>{numbers.randint(0, 10**6)}</v></c>" for _ in range(20_000)).encode()
    sheet = bombs.sheet_head() + bombs.sheet_rows([HEADER]) + b'<row r="2">' + cells + b"</row>" + bombs.SHEET_TAIL
    err, shown, _peak = _read_case_sheet(bombs.xlsx(bombs.plain("xl/worksheets/sheet1.xml", sheet)))
    assert "表格文件的结构异常（xl/worksheets/sheet1.xml）" in shown


def test_too_many_columns_or_shared_strings_are_refused_by_the_case_sheet_limits():
    err, shown, _peak = _read_case_sheet(bombs.xlsx(bombs.sheet([HEADER, ROW + ["x"] * 200])))
    assert "第 2 行超过 100 列" in shown
    numbers = random.Random(4)
    many = "".join(f"<si><t>{numbers.randint(0, 10**9)}</t></si>" for _ in range(case_table.LIMITS.strings + 1))
    strings = bombs.plain("xl/sharedStrings.xml", bombs.SST_HEAD + many.encode() + b"</sst>")
    err, shown, _peak = _read_case_sheet(bombs.xlsx(_sheet_with_shared_string(), strings))
    assert "表格中的文字条目过多（上限 200000 条）" in shown


def test_a_part_declaring_entities_is_refused_before_any_parser_expands_them():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              + f'<sst xmlns="{bombs.MAIN}"><si><t>&b;</t></si></sst>'.encode())
    err, shown, _peak = _read_case_sheet(bombs.xlsx(_sheet_with_shared_string(), bombs.plain("xl/sharedStrings.xml",
                                                                                              laughs)))
    assert err.kind == "xlsx_unreadable" and "DOCTYPE" in shown


def test_a_csv_of_newlines_is_refused_as_it_is_read():
    err, shown, peak = _read_case_sheet(b"\n" * (case_table.MAX_BYTES - 10), "诉求.csv")
    assert "一次最多导入 5000 行" in shown
    assert peak.rise_mb < FLAT_MB


def test_a_full_case_sheet_still_reads():
    rows = [HEADER + ["反映人", "联系电话"]] + [ROW + ["王五", "13900002222"]] * case_table.MAX_ROWS
    book = bombs.workbook_parts(rows)
    data = bombs.archive([bombs.plain(name, part) for name, part in book.items()])
    read = case_table.read_case_table(data, "诉求.xlsx", NOW)
    assert len(read) == case_table.MAX_ROWS and read[-1].number == case_table.MAX_ROWS + 1
    assert read[0].values["description"] == "楼道堆物" and read[0].problems == []


# --- geodata: the same rules for a spreadsheet of points and for zipped Shapefiles ---

def _read_geodata(path):
    with bombs.PeakRss() as peak:
        with pytest.raises(ImportRefused) as info:
            read_source(path)
    print(f"\n{path.name}: {path.stat().st_size} bytes refused ({info.value.kind}: {info.value.detail}); "
          f"RSS rose {peak.rise_mb} MB")
    return info.value, peak


def test_points_spreadsheet_with_a_gibibyte_cell_is_refused_before_it_inflates(tmp_path):
    path = tmp_path / "食堂.xlsx"
    path.write_bytes(bombs.xlsx(_sheet_with_shared_string(), bombs.shared_string_bomb(bombs.GiB)))
    err, peak = _read_geodata(path)
    assert err.kind == "zip_member_size" and peak.rise_mb < FLAT_MB


def test_points_spreadsheet_declaring_every_cell_of_a_sheet_is_refused(tmp_path):
    # pandas would have padded a million rows to 16384 columns each
    head = bombs.sheet_head("A1:XFD1048576") + bombs.sheet_rows([["名称", "类型", "经度", "纬度"]])
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = tmp_path / "食堂.xlsx"
    path.write_bytes(bombs.xlsx(bombs.plain("xl/worksheets/sheet1.xml", head + far + bombs.SHEET_TAIL)))
    err, peak = _read_geodata(path)
    assert err.kind == "sheet_dimension" and peak.rise_mb < FLAT_MB


def test_zipped_shapefile_whose_directory_understates_a_member_is_refused(tmp_path):
    member = bombs.repeated("grids.dbf", b"", b"\0" * bombs.MiB, 1024, b"")
    member.declared = 10_000
    path = tmp_path / "网格.zip"
    path.write_bytes(bombs.archive([bombs.plain("grids.shp", b"\0" * 100), member]))
    err, peak = _read_geodata(path)
    assert err.kind == "corrupt" and peak.rise_mb < FLAT_MB


def test_a_large_points_spreadsheet_still_reads(tmp_path):
    rows = [["名称", "类型", "经度", "纬度"]] + [[f"食堂{i}", "爱心食堂", 120.6 + i * 1e-5, 27.7] for i in range(20_000)]
    path = tmp_path / "食堂.xlsx"
    parts = bombs.workbook_parts(rows)
    path.write_bytes(bombs.archive([bombs.plain(name, part) for name, part in parts.items()]))
    source = read_source(path)
    frame = next(iter(source.layers.values()))
    assert len(frame) == 20_000 and list(frame["_row"][:2]) == [2, 3] and frame["名称"].iloc[-1] == "食堂19999"


# --- intake photos ---

def _photo(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, format=fmt)
    return out.getvalue()


def _prepare(data: bytes):
    with bombs.PeakRss() as peak:
        try:
            result = photos.prepare_photo(data)
        except photos.PhotoError as err:
            result = err
    shown = text.words(result) if isinstance(result, photos.PhotoError) else f"{result[1]}×{result[2]}"
    print(f"\nphoto of {len(data)} bytes: {shown}; RSS rose {peak.rise_mb} MB")
    return result, peak


def test_a_small_png_that_decodes_to_a_huge_frame_is_refused_before_decoding():
    data = _photo((6000, 6000), "PNG")
    assert len(data) < 200_000
    result, peak = _prepare(data)
    assert isinstance(result, photos.PhotoError) and text.words(result) == "照片像素过大，请压缩后再上传"
    assert peak.rise_mb < FLAT_MB


def test_a_photo_past_pillows_own_bomb_limit_is_called_too_large_not_unreadable():
    result, _peak = _prepare(_photo((12_000, 12_000), "PNG", "1"))
    assert isinstance(result, photos.PhotoError) and text.words(result) == "照片像素过大，请压缩后再上传"


def test_a_large_phone_photo_is_decoded_at_a_reduced_scale():
    result, peak = _prepare(_photo((6000, 6000), "JPEG"))
    assert not isinstance(result, photos.PhotoError) and result[1:] == (photos.LONG_SIDE, photos.LONG_SIDE)
    assert peak.rise_mb < 120  # decoded whole, a 36-megapixel frame alone takes 144 MB


def test_zip_limits_hold_for_any_archive():
    data = bombs.archive([bombs.plain(f"f{i}.txt", b"x") for i in range(files.ZipLimits().members + 1)])
    with zipfile.ZipFile(io.BytesIO(data)) as z, pytest.raises(files.FileRefused) as info:
        files.check_zip(z, files.ZipLimits(), "many.zip")
    assert info.value.kind == "zip_members" and "201 members" in info.value.detail


def test_the_command_line_says_why_in_english_and_writes_nothing(own_database, tmp_path):
    from app import server
    from tests.helpers import demo_street_as_real_data

    demo_street_as_real_data()  # a layer is not imported into the demo at all

    sheet = tmp_path / "诉求.xlsx"
    sheet.write_bytes(bombs.xlsx(_sheet_with_shared_string(), bombs.shared_string_bomb(bombs.GiB)))
    runner = server.test_cli_runner()
    for kind in ("cases", "service-points"):
        result = runner.invoke(args=["import", str(sheet), "--as", kind, "--dry-run"])
        print(f"\n{kind}: {result.output.strip()}")
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert "member 'xl/sharedStrings.xml' inflates to 1073741972 bytes" in result.output
        assert "nothing written" in result.output
