"""Cases from a spreadsheet (.xlsx or .csv): read, check every row, and say exactly what is wrong where."""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field

import openpyxl

from workflow.vocab import CASE_SOURCES
from workflow import files, lifecycle as lc
from workflow.vocab import CASE_SHEET_HEADERS as HEADERS, CASE_SHEET_NAME
from workflow.refusal import Problem, problem
from workflow.textcheck import text_problems

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# a case sheet has about a dozen columns; its longest text is a description of 1000 characters
LIMITS = files.SheetLimits(file_bytes=MAX_BYTES, rows=MAX_ROWS, columns=100, cells=MAX_ROWS * 30)
# header in the file → field; the export writes the same headers, so an exported list reads back in
READ = ("code", "created_at", "category", "source", "description", "lon", "lat", "reporter", "reporter_phone")
COLUMNS = {HEADERS[f]: {"reporter": "reporter_name"}.get(f, f) for f in READ}
REQUIRED = tuple(HEADERS[f] for f in ("category", "description", "source", "lon", "lat"))
TEMPLATE = tuple(HEADERS[f] for f in ("created_at", "category", "description", "source", "lon", "lat", "reporter",
                                      "reporter_phone"))
EARLIEST = dt.datetime(2000, 1, 1)
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


class TableError(files.FileRefused):
    """The file as a whole cannot be read (wrong type, wrong columns, too big); the kind says why, `detail` in
    English for the command line."""

    def __init__(self, kind: str, detail: str = "", /, **params):
        super().__init__(kind, detail or kind.replace("_", " "), **params)


@dataclass
class TableRow:
    number: int  # the row number the user sees in Excel (the header is row 1)
    values: dict
    problems: list[Problem] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _when(value, now: dt.datetime) -> tuple[dt.datetime | None, Problem | None]:
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
            return None, problem("bad_date", raw=raw)
    if when > now:
        return None, problem("future_date", when=when)
    if when < EARLIEST:
        return None, problem("early_date", when=when)
    return when, None


def _coordinate(value, name: str) -> tuple[float | None, Problem | None]:
    raw = _text(value)
    if not raw:
        return None, problem("missing_value", column=name)
    try:
        number = float(raw)
    except ValueError:
        return None, problem("not_a_number", column=name, raw=raw)
    if not math.isfinite(number) or abs(number) > 180:
        return None, problem("out_of_range", column=name, raw=raw)
    return number, None


def _check(values: dict, now: dt.datetime) -> list[Problem]:
    problems = []
    for name in ("category", "description", "source"):
        if not values[name]:
            problems.append(problem("missing_value", column=HEADERS[name]))
    category, source = values["category"], values["source"]
    if category and not lc.known_category(category):
        problems.append(problem("unknown_category", category=category))
    if source and source not in CASE_SOURCES:
        problems.append(problem("sheet_unknown_source", source=source, choices=tuple(CASE_SOURCES)))
    if len(values["description"]) > 1000:
        problems.append(problem("sheet_description_too_long", limit=1000))
    # the same check as intake (db/cases.py): text the database cannot keep is named in the preview, not at commit
    problems += text_problems(code=values["code"], description=values["description"], reporter=values["reporter_name"],
                              phone=values["reporter_phone"])
    lon, lon_problem = _coordinate(values["lon"], HEADERS["lon"])
    lat, lat_problem = _coordinate(values["lat"], HEADERS["lat"])
    problems += [p for p in (lon_problem, lat_problem) if p]
    if lat is not None and abs(lat) > 90:
        # China lies at lon 73–135, lat 3–54: a "latitude" beyond 90 with a small "longitude" is a swapped pair
        problems.append(problem("swapped_lonlat") if lon is not None and abs(lon) <= 90
                        else problem("out_of_range", column=HEADERS["lat"], raw=f"{lat:g}"))
        lat = None
    values["lon"], values["lat"] = lon, lat
    when, when_problem = _when(values["created_at"], now)
    values["created_at"] = when
    if when_problem:
        problems.append(when_problem)
    return problems


def read_case_table(data: bytes, filename: str, now: dt.datetime) -> list[TableRow]:
    """Every data row with its values and problems; raises TableError when the file as a whole is unusable."""
    name = (filename or "").lower()
    suffix = next((s for s in (".xlsx", ".csv") if name.endswith(s)), "")
    try:
        cells = files.read_rows(data, suffix, LIMITS, filename or "the sheet")
    except files.FileRefused as err:
        raise TableError(err.kind, err.detail, **err.params) from None
    if not cells:
        raise TableError("sheet_empty", f"{filename} has no rows")
    header = [_text(h) for h in cells[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise TableError("sheet_columns", f"{filename}: missing columns {', '.join(missing)}",
                         missing=tuple(missing), found=tuple(h for h in header if h))
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
        raise TableError("sheet_no_rows", f"{filename} has no data rows")
    return rows


def template_xlsx() -> bytes:
    """An empty sheet with the headers the import reads, for users to fill in."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = CASE_SHEET_NAME
    sheet.append(list(TEMPLATE))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
