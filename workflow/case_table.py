"""Cases from a spreadsheet (.xlsx or .csv): read, check every row, and say exactly what is wrong where."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass, field

import openpyxl

from workflow.vocab import CASE_SOURCES
from workflow import lifecycle as lc

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# header in the file → field; the export writes the same headers, so an exported list reads back in
COLUMNS = {"编号": "code", "登记时间": "created_at", "类别": "category", "来源": "source", "描述": "description",
           "经度": "lon", "纬度": "lat", "反映人": "reporter_name", "联系电话": "reporter_phone"}
REQUIRED = ("类别", "描述", "来源", "经度", "纬度")
EARLIEST = dt.datetime(2000, 1, 1)
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


class TableError(ValueError):
    """The file as a whole cannot be read (wrong type, wrong columns, too big); the message is Chinese."""


@dataclass
class TableRow:
    number: int  # the row number the user sees in Excel (the header is row 1)
    values: dict
    problems: list[str] = field(default_factory=list)


def _cells_xlsx(data: bytes) -> list[list]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise TableError(f"无法读取 Excel 文件（{type(err).__name__}），请确认是 .xlsx 格式且未损坏") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise TableError(f"一次最多导入 {MAX_ROWS} 行")
        return rows
    finally:
        book.close()


def _cells_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码")
    try:
        rows = list(csv.reader(io.StringIO(decoded)))
    except csv.Error as err:
        raise TableError(f"CSV 文件格式有误：{err}") from None
    if len(rows) > MAX_ROWS + 1:
        raise TableError(f"一次最多导入 {MAX_ROWS} 行")
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _when(value, now: dt.datetime) -> tuple[dt.datetime | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    else:
        raw = _text(value)
        for fmt in DATE_FORMATS:
            try:
                when = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        else:
            return None, f"登记时间「{raw}」不是有效日期（如 2026-11-20 09:30）"
    if when > now:
        return None, f"登记时间 {when:%Y-%m-%d %H:%M} 晚于现在"
    if when < EARLIEST:
        return None, f"登记时间 {when:%Y-%m-%d} 早于 2000 年"
    return when, None


def _coordinate(value, name: str) -> tuple[float | None, str | None]:
    raw = _text(value)
    if not raw:
        return None, f"缺少{name}"
    try:
        number = float(raw)
    except ValueError:
        return None, f"{name}「{raw}」不是数字"
    if not math.isfinite(number) or abs(number) > 180:
        return None, f"{name} {raw} 超出范围"
    return number, None


def _check(values: dict, now: dt.datetime) -> list[str]:
    problems = []
    for header in ("类别", "描述", "来源"):
        if not values[COLUMNS[header]]:
            problems.append(f"缺少{header}")
    category, source = values["category"], values["source"]
    if category and not lc.known_category(category):
        problems.append(f"类别「{category}」不存在")
    if source and source not in CASE_SOURCES:
        problems.append(f"来源「{source}」不存在（可用：{'、'.join(CASE_SOURCES)}）")
    if len(values["description"]) > 1000:
        problems.append("描述超过 1000 字")
    lon, lon_problem = _coordinate(values["lon"], "经度")
    lat, lat_problem = _coordinate(values["lat"], "纬度")
    problems += [p for p in (lon_problem, lat_problem) if p]
    if lat is not None and abs(lat) > 90:
        # China lies at lon 73–135, lat 3–54: a "latitude" beyond 90 with a small "longitude" is a swapped pair
        problems.append("经度、纬度疑似填反" if lon is not None and abs(lon) <= 90 else f"纬度 {lat:g} 超出范围")
        lat = None
    values["lon"], values["lat"] = lon, lat
    when, when_problem = _when(values["created_at"], now)
    values["created_at"] = when
    if when_problem:
        problems.append(when_problem)
    return problems


def read_case_table(data: bytes, filename: str, now: dt.datetime) -> list[TableRow]:
    """Every data row with its values and problems; raises TableError when the file as a whole is unusable."""
    if len(data) > MAX_BYTES:
        raise TableError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        cells = _cells_xlsx(data)
    elif name.endswith(".csv"):
        cells = _cells_csv(data)
    else:
        raise TableError("只支持 .xlsx 或 .csv 文件")
    if not cells:
        raise TableError("文件是空的")
    header = [_text(h) for h in cells[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        found = "、".join(h for h in header if h) or "无"
        raise TableError(f"缺少必需的列：{'、'.join(missing)}（文件中的列：{found}）")
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    rows = []
    for offset, cells_of_row in enumerate(cells[1:], start=2):
        if all(_text(c) == "" for c in cells_of_row):
            continue  # blank lines between blocks are common in hand-made sheets
        raw = {f: (cells_of_row[i] if i < len(cells_of_row) else None) for f, i in index.items()}
        values = {f: raw.get(f) if f in ("created_at", "lon", "lat") else _text(raw.get(f))
                  for f in COLUMNS.values()}
        rows.append(TableRow(offset, values, _check(values, now)))
    if not rows:
        raise TableError("文件中没有数据行")
    return rows


def template_xlsx() -> bytes:
    """An empty sheet with the headers the import reads, for users to fill in."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "诉求"
    sheet.append(["登记时间", *REQUIRED, "反映人", "联系电话"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
