"""Files users hand in and take out: zip archives and spreadsheets read within limits, cells written inert.

Every spreadsheet or archive path (case sheets, geodata tables and zipped Shapefiles) reads through here, so one set
of rules holds: the archive's directory is checked before anything inflates, the XML parts of an .xlsx are scanned
as a stream before openpyxl builds objects from them, and rows, columns, cells and cell lengths are counted while
the rows are read.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import xml.parsers.expat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterable, Iterator
from xml.etree import ElementTree

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from workflow.refusal import Refused

MiB = 2**20
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # the most any spreadsheet program writes
EXCEL_CELL_CHARS = 32_767  # the longest text Excel keeps in one cell
FORMULA_CHARS = 8_192  # a formula beside its cached value in one cell
CELL_ELEMENTS = 1_000  # XML elements inside one cell or shared string (rich text runs); real ones hold a few
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)
TIME_FORMAT, EXCEL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mm:ss"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # what Chinese offices save; GBK is a subset of GB18030
CHUNK = 64 * 1024
WORKSHEET, SHARED_STRINGS = "worksheet+xml", "sharedStrings+xml"  # content types' endings
XML_PART = re.compile(r"\.(xml|rels|vml)$", re.I)
CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d*$")


class FileRefused(Refused):
    """A file refused before or while it is read; `detail` says why in English (CLI, logs), the kind in Chinese."""

    def __init__(self, kind: str, detail: str, /, **params):
        super().__init__(kind, **params)
        self.detail = detail


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may hold. The sizes are the ones in its central directory, and they hold while reading:
    zipfile stops a member at its directory size and fails the CRC if the data go on."""

    members: int = 200
    member_bytes: int = 256 * MiB  # inflated size of any one member
    total_bytes: int = 1024 * MiB  # of all members together
    ratio: float = 100.0  # inflated / compressed, for members larger than ratio_from
    ratio_from: int = MiB


@dataclass(frozen=True)
class SheetLimits:
    """What one spreadsheet (.xlsx or .csv) may hold; `rows` counts rows with something in them, after the header."""

    file_bytes: int
    rows: int
    columns: int
    cells: int  # non-empty cells in all
    cell_chars: int = EXCEL_CELL_CHARS
    blank_rows: int = 100_000  # empty rows between and after the data (sheets formatted far down have many)
    strings: int = 200_000  # distinct texts in an .xlsx's shared string table
    part_elements: int = 100_000  # XML elements of any other .xlsx part (Excel keeps at most 64k cell styles)
    archive: ZipLimits = field(default_factory=lambda: ZipLimits(members=100, member_bytes=32 * MiB,
                                                                 total_bytes=64 * MiB, ratio=200.0))


def _mb(n: int) -> float:
    return round(n / MiB, 1)


# --- archives ---

def safe_member(name: str) -> bool:
    """Whether a member's name stays inside the folder it is unpacked into."""
    p = PurePosixPath(name.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")))


def open_zip(source: bytes | Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise FileRefused("corrupt", f"{label} is not a readable zip archive: {err}") from None


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits, label: str) -> list[zipfile.ZipInfo]:
    """The archive's file members, once its central directory passes `limits` (nothing is inflated here)."""
    members = [i for i in archive.infolist() if not i.is_dir()]
    if len(members) > limits.members:
        raise FileRefused("zip_members", f"{label} holds {len(members)} members; the limit is {limits.members}",
                          count=len(members), limit=limits.members)
    total = 0
    for info in members:
        if not safe_member(info.filename):
            raise FileRefused("zip_path", f"{label}: member {info.filename!r} points outside the archive",
                              member=info.filename)
        if info.file_size > limits.member_bytes:
            raise FileRefused("zip_member_size", f"{label}: member {info.filename!r} inflates to {info.file_size} "
                              f"bytes; the limit is {limits.member_bytes}", member=info.filename,
                              size_mb=_mb(info.file_size), limit_mb=_mb(limits.member_bytes))
        if info.file_size > limits.ratio_from and info.file_size > limits.ratio * max(info.compress_size, 1):
            ratio = round(info.file_size / max(info.compress_size, 1))
            raise FileRefused("zip_bomb", f"{label}: member {info.filename!r} inflates {ratio} times (from "
                              f"{info.compress_size} to {info.file_size} bytes); the limit is {limits.ratio:g}",
                              member=info.filename)
        total += info.file_size
    if total > limits.total_bytes:
        raise FileRefused("zip_total_size", f"{label} inflates to {total} bytes; the limit is {limits.total_bytes}",
                          size_mb=_mb(total), limit_mb=_mb(limits.total_bytes))
    return members


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: BinaryIO, label: str) -> None:
    """Inflate one checked member into `target`, never more than its directory says (a second lock on the size)."""
    left = info.file_size
    try:
        with archive.open(info) as src:
            while chunk := src.read(min(MiB, left + 1)):
                left -= len(chunk)
                if left < 0:
                    raise FileRefused("zip_bomb", f"{label}: member {info.filename!r} is larger than declared",
                                      member=info.filename)
                target.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise FileRefused("corrupt", f"{label}: damaged archive member {info.filename!r} ({err})") from None


# --- the XML parts of an .xlsx, scanned as a stream before openpyxl reads them ---

class _Scan:
    """Counts what one XML part holds as expat streams it; refuses at the first limit, so memory stays flat.

    openpyxl builds an object for most elements it meets, a whole row (or shared string) at a time: so a cell or a
    shared string may hold only so many elements and characters, and a part only so many elements outside the
    cells of its rows.
    """

    def __init__(self, label: str, member: str, role: str, limits: SheetLimits):
        self.label, self.member, self.role, self.limits = label, member, role, limits
        self.outside = self.strings = self.row_cells = self.inner = self.text = 0
        self.in_data = False  # inside a worksheet's <sheetData>
        self.cell = "?"

    def refuse(self, kind: str, detail: str, **params):
        raise FileRefused(kind, f"{self.label}: {self.member}: {detail}", **params)

    def start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if self.role == "sheet" and local == "sheetData":
            self.in_data = True
        elif self.in_data:
            self._in_rows(local, attrs)
        elif self.role == "strings" and local == "si":
            self.strings += 1
            self.inner = self.text = 0
            if self.strings > self.limits.strings:
                self.refuse("sheet_strings", f"more than {self.limits.strings} shared strings",
                            limit=self.limits.strings)
        elif self.role == "strings" and self.strings:
            self._inner()
        else:
            self.outside += 1
            if self.outside > self.limits.part_elements:
                self.refuse("sheet_structure", f"more than {self.limits.part_elements} XML elements",
                            member=self.member)

    def _in_rows(self, local: str, attrs: dict) -> None:
        if local == "row":
            self.row_cells = 0
            number = attrs.get("r", "")
            if number.isdigit() and int(number) > EXCEL_ROWS:
                self.refuse("sheet_structure", f"row {number} is past the last row a spreadsheet has",
                            member=self.member)
        elif local == "c":
            self.row_cells += 1
            self.inner = self.text = 0
            self.cell = attrs.get("r", "?")
            column = CELL_REF.match(attrs.get("r", "A1"))
            if self.row_cells > EXCEL_COLUMNS or column is None or _column_number(column.group(1)) > EXCEL_COLUMNS:
                self.refuse("sheet_structure", "a row holds more cells than a spreadsheet has columns",
                            member=self.member)
        else:
            self._inner()

    def _inner(self) -> None:
        self.inner += 1
        if self.inner > CELL_ELEMENTS:
            self.refuse("sheet_structure", f"a cell or shared string of more than {CELL_ELEMENTS} XML elements",
                        member=self.member)

    def end(self, name: str) -> None:
        if self.role == "sheet" and name.rpartition(":")[2] == "sheetData":
            self.in_data = False

    def chars(self, data: str) -> None:
        if not (self.in_data or (self.role == "strings" and self.strings)):
            return
        self.text += len(data)
        if self.text > self.limits.cell_chars + (FORMULA_CHARS if self.in_data else 0):
            if self.in_data:
                self.refuse("cell_too_long", f"cell {self.cell} holds more than {self.limits.cell_chars} "
                            "characters", cell=self.cell, limit=self.limits.cell_chars)
            self.refuse("sheet_string_too_long", f"a shared string holds more than {self.limits.cell_chars} "
                        "characters", limit=self.limits.cell_chars)

    def doctype(self, *_args) -> None:
        # no part of an .xlsx has a DOCTYPE; one here can only be there to declare entities
        self.refuse("xlsx_unreadable", "a DOCTYPE declaration", error="DOCTYPE")

    def run(self, stream: BinaryIO) -> None:
        parser = xml.parsers.expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        try:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as err:
            raise FileRefused("xlsx_unreadable", f"{self.label}: {self.member} is not well-formed XML ({err})",
                              error="XML") from None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name → content type, from [Content_Types].xml (already scanned: small and without entities)."""
    try:
        root = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    except KeyError:
        return {}
    return {e.get("PartName", "").lstrip("/"): e.get("ContentType", "") for e in root if e.tag.endswith("Override")}


def _scan_xlsx(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: SheetLimits, label: str) -> None:
    parts = [i for i in members if XML_PART.search(i.filename) or i.filename == "[Content_Types].xml"]
    types: dict[str, str] = {}
    for info in sorted(parts, key=lambda i: i.filename != "[Content_Types].xml"):
        kind = types.get(info.filename, "")
        role = "sheet" if kind.endswith(WORKSHEET) else "strings" if kind.endswith(SHARED_STRINGS) else "other"
        try:
            with archive.open(info) as stream:
                _Scan(label, info.filename, role, limits).run(stream)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
            raise FileRefused("xlsx_unreadable", f"{label}: damaged member {info.filename!r} ({err})",
                              error=type(err).__name__) from None
        if info.filename == "[Content_Types].xml":
            types = _content_types(archive)


# --- rows in ---

def read_rows(source: bytes | Path, suffix: str, limits: SheetLimits, label: str = "the file") -> list[list]:
    """The first sheet of an .xlsx or a .csv as rows of cells (the header first; an empty row as ()).

    Refuses with FileRefused, before anything large is built, whatever the file claims about itself.
    """
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > limits.file_bytes:
        raise FileRefused("sheet_too_big", f"{label} is {size} bytes; the limit is {limits.file_bytes}",
                          mb=limits.file_bytes // MiB)
    if size == 0:
        raise FileRefused("sheet_empty", f"{label} is empty")
    if suffix == ".xlsx":
        return _limited(_xlsx_rows(source, limits, label), limits, label, formula_text=False)
    if suffix == ".csv":
        return _limited(_csv_rows(source, label), limits, label, formula_text=True)
    raise FileRefused("sheet_type", f"{label}: only .xlsx and .csv sheets are read, not {suffix or 'this type'}")


def _xlsx_rows(source: bytes | Path, limits: SheetLimits, label: str) -> Iterator[tuple]:
    try:
        archive = open_zip(source, label)
    except FileRefused as err:
        raise FileRefused("xlsx_unreadable", err.detail, error="BadZipFile") from None
    with archive:
        members = check_zip(archive, limits.archive, label)
        _scan_xlsx(archive, members, limits, label)
    try:
        book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True,
                                      data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, SyntaxError, zlib.error,
            EOFError) as err:
        raise FileRefused("xlsx_unreadable", f"{label} cannot be read as .xlsx: {err}",
                          error=type(err).__name__) from None
    try:
        if not book.worksheets:
            raise FileRefused("sheet_empty", f"{label} has no worksheet")
        sheet = book.worksheets[0]
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > limits.rows + limits.blank_rows + 1 or declared_columns > EXCEL_COLUMNS:
            raise FileRefused("sheet_dimension", f"{label} declares {declared_rows} rows and {declared_columns} "
                              f"columns; at most {limits.rows} rows are read", rows=declared_rows,
                              columns=declared_columns, limit=limits.rows)
        sheet.reset_dimensions()  # a declared range that is too small would cut rows off silently
        try:
            yield from sheet.iter_rows(values_only=True)
        except (KeyError, ValueError, TypeError, IndexError, SyntaxError, zipfile.BadZipFile, zlib.error,
                EOFError) as err:
            raise FileRefused("xlsx_unreadable", f"{label}: the sheet cannot be read: {err}",
                              error=type(err).__name__) from None
    finally:
        book.close()


def _open_bytes(source: bytes | Path) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")


def csv_encoding(source: bytes | Path, label: str) -> str:
    """The first of CSV_ENCODINGS every byte of the file decodes in, found chunk by chunk."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        with _open_bytes(source) as raw:
            try:
                while chunk := raw.read(MiB):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                continue
    raise FileRefused("csv_encoding", f"{label} is neither UTF-8 nor GBK text")


def _csv_rows(source: bytes | Path, label: str) -> Iterator[list]:
    encoding = csv_encoding(source, label)
    # decoded as it is read: a large file never sits in memory as one string
    with io.TextIOWrapper(_open_bytes(source), encoding=encoding, newline="") as text:
        try:
            yield from csv.reader(text)
        except csv.Error as err:
            raise FileRefused("csv_format", f"{label}: {err}", error=str(err)) from None


def _limited(rows: Iterable, limits: SheetLimits, label: str, formula_text: bool) -> list[list]:
    """Rows with trailing empty cells cut, counted against `limits` one by one as they are read.

    A CSV cell that our exports made inert ('=…) reads back as it was (`formula_text`).
    """
    out: list = []
    data = blank = cells = 0
    for number, row in enumerate(rows, start=1):
        values = list(row)
        while values and values[-1] in (None, ""):
            values.pop()
        if not values:
            blank += 1
            if blank > limits.blank_rows:
                raise FileRefused("too_many_rows", f"{label}: more than {limits.blank_rows} empty rows",
                                  limit=limits.rows)
            out.append(())
            continue
        data += 1
        if data > limits.rows + 1:  # the header is one more
            raise FileRefused("too_many_rows", f"{label}: more than {limits.rows} rows", limit=limits.rows)
        if len(values) > limits.columns:
            raise FileRefused("too_many_columns", f"{label}: row {number} has {len(values)} columns; the limit is "
                              f"{limits.columns}", row=number, limit=limits.columns)
        for i, value in enumerate(values):
            if isinstance(value, str):
                if len(value) > limits.cell_chars:
                    cell = f"{get_column_letter(i + 1)}{number}"
                    raise FileRefused("cell_too_long", f"{label}: cell {cell} holds {len(value)} characters; the "
                                      f"limit is {limits.cell_chars}", cell=cell, limit=limits.cell_chars)
                if formula_text:
                    values[i] = revert_inert(value)
        cells += sum(1 for v in values if v not in (None, ""))
        if cells > limits.cells:
            raise FileRefused("too_many_cells", f"{label}: more than {limits.cells} filled cells",
                              limit=limits.cells)
        out.append(values)
    return out


# --- cells out ---

def inert(value):
    """A cell no spreadsheet runs: text beginning like a formula gets a leading ' (OWASP), the way Excel itself
    marks typed text; numbers stay numbers, times lose their microseconds."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    return value


def revert_inert(text: str) -> str:
    """What inert() made of a text, read back: an exported list imports as it was exported."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _plain(value):
    """A frame's value as a cell: missing values empty, numpy scalars as Python values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return None if value != value else value  # NaT


def csv_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    """A CSV Excel on Chinese Windows opens as UTF-8 (it needs the BOM); every cell inert, times to the second."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(h) for h in header])
    for row in rows:
        cells = []
        for value in map(_plain, row):
            value = inert(value)
            cells.append(value.strftime(TIME_FORMAT) if isinstance(value, dt.datetime) else
                         "" if value is None else value)
        writer.writerow(cells)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], sheet_name: str) -> bytes:
    """An .xlsx with every text a text cell (never a formula, marked like a typed ' in Excel), times to the
    second; written row by row, so a large layer does not sit in memory as cell objects."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])

    def cell(value):
        value = _plain(value)
        if isinstance(value, dt.datetime):
            out = WriteOnlyCell(sheet, value=value.replace(microsecond=0))
            out.number_format = EXCEL_TIME_FORMAT
            return out
        out = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            out.data_type = "s"  # openpyxl would write a text beginning with = as a formula
            out.quotePrefix = value.startswith(FORMULA_START)
        return out

    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
