"""Small files that inflate hugely, written by hand: zip archives whose members (and directory) say what a test wants.

A member that inflates to a gibibyte is made without compressing a gibibyte: one block of repeated bytes is
deflated once, ended with a full flush (so it refers to nothing before it), and repeated.
"""
from __future__ import annotations

import ctypes
import gc
import io
import struct
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
import psutil

MiB = 2**20
GiB = 2**30


@dataclass
class Member:
    """One member as it goes into the archive: its deflated bytes, and what its directory entry says."""

    name: str
    deflated: bytes
    crc: int
    size: int  # the true inflated size
    declared: int | None = None  # what the directory claims instead, for a lying header


def plain(name: str, data: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def repeated(name: str, head: bytes, chunk: bytes, times: int, tail: bytes) -> Member:
    """head + chunk × times + tail, deflated in a few hundred kilobytes however large it inflates."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return Member(name, first + block * times + last, crc, len(head) + len(chunk) * times + len(tail))


def archive(members: list[Member]) -> bytes:
    """A zip archive of deflated members (no zip64: members under 4 GiB)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for m in members:
        name = m.name.encode()
        size = m.size if m.declared is None else m.declared
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, m.crc, len(m.deflated), size, len(name), 0))
        out.write(name + m.deflated)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, m.crc, len(m.deflated),
                                    size, len(name), 0, 0, 0, 0, 0, offset) + name)
    start, listing = out.tell(), directory.getvalue()
    out.write(listing)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(listing), start, 0))
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml."
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _column(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _escape(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_rows(rows: list[list], first: int = 1) -> bytes:
    """<row> elements for `rows` (numbers as numbers, the rest as inline strings), the first numbered `first`."""
    out = []
    for r, row in enumerate(rows, start=first):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_escape(value)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out).encode()


def sheet_head(dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return XML_HEAD + f'<worksheet xmlns="{MAIN}">{dim}<sheetData>'.encode()


SHEET_TAIL = b"</sheetData></worksheet>"


def sheet(rows: list[list], dimension: str | None = None) -> Member:
    return plain("xl/worksheets/sheet1.xml", sheet_head(dimension) + sheet_rows(rows) + SHEET_TAIL)


def xlsx(worksheet: Member, strings: Member | None = None, styles: Member | None = None) -> bytes:
    """The smallest workbook Excel and openpyxl open: one sheet, and shared strings or styles when given."""
    overrides = [("/xl/workbook.xml", TYPES + "sheet.main+xml"), ("/xl/worksheets/sheet1.xml", TYPES + "worksheet+xml")]
    rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", TYPES + "sharedStrings+xml"))
        rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
    if styles is not None:
        overrides.append(("/xl/styles.xml", TYPES + "styles+xml"))
        rels.append(("rId3", "styles", "styles.xml"))
    types = XML_HEAD + ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                        '<Default Extension="xml" ContentType="application/xml"/>'
                        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
                        + "</Types>").encode()
    package = XML_HEAD + ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                          "</Relationships>").encode()
    workbook = XML_HEAD + (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                           '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    workbook_rels = XML_HEAD + ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                + "".join(f'<Relationship Id="{i}" Type="{REL}/{t}" Target="{target}"/>'
                                          for i, t, target in rels) + "</Relationships>").encode()
    members = [plain("[Content_Types].xml", types), plain("_rels/.rels", package), plain("xl/workbook.xml", workbook),
               plain("xl/_rels/workbook.xml.rels", workbook_rels), worksheet]
    return archive(members + [m for m in (strings, styles) if m is not None])


SST_HEAD = XML_HEAD + f'<sst xmlns="{MAIN}">'.encode()


def shared_string_bomb(inflated: int, declared: int | None = None) -> Member:
    """xl/sharedStrings.xml whose one string is `inflated` bytes of 'A' (the issue's 1 GiB cell)."""
    member = repeated("xl/sharedStrings.xml", SST_HEAD + b"<si><t>", b"A" * MiB, inflated // MiB, b"</t></si></sst>")
    member.declared = declared
    return member


def workbook_parts(rows: list[list]) -> dict[str, bytes]:
    """The parts of a real .xlsx of `rows` as openpyxl writes it."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return {name: z.read(name) for name in z.namelist()}


class PeakRss:
    """The most this process's resident memory rose above where it was, sampled every few milliseconds.

    Memory freed earlier is handed back to the system first (glibc keeps it otherwise, and a bomb would reuse it
    unseen)."""

    def __init__(self):
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        self.process = psutil.Process()
        self.base = self.peak = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.002)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def rise_mb(self) -> float:
        return round((self.peak - self.base) / MiB, 1)
