"""Safe unpacking of uploaded archives: size, member count and ratio limits; no path traversal."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geodata.importing.errors import ImportRefused
from workflow import files


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 200 * 1024 * 1024
    members: int = 200
    unpacked_bytes: int = 1024 * 1024 * 1024
    ratio: float = 100.0  # uncompressed / compressed per member; real shapefiles stay far below
    table_rows: int = 100_000  # a spreadsheet of points (a city has a few thousand service points)
    table_columns: int = 200
    table_cells: int = 2_000_000

    @property
    def archive(self) -> files.ZipLimits:
        return files.ZipLimits(members=self.members, member_bytes=self.unpacked_bytes,
                               total_bytes=self.unpacked_bytes, ratio=self.ratio)

    @property
    def table(self) -> files.SheetLimits:
        """A .csv or .xlsx of points: the rows and cells a layer import holds, in an archive as large as an upload."""
        return files.SheetLimits(file_bytes=self.upload_bytes, rows=self.table_rows, columns=self.table_columns,
                                 cells=self.table_cells, strings=self.table_cells,
                                 archive=files.ZipLimits(members=self.members, member_bytes=256 * 2**20,
                                                         total_bytes=512 * 2**20, ratio=200.0))


LIMITS = Limits()


def check_size(path: Path, limits: Limits = LIMITS) -> None:
    size = path.stat().st_size
    if size > limits.upload_bytes:
        raise ImportRefused("too_large", f"{path.name} is {size} bytes; the limit is {limits.upload_bytes}",
                            size_mb=round(size / 2**20, 1), limit_mb=round(limits.upload_bytes / 2**20))
    if size == 0:
        raise ImportRefused("empty_file", f"{path.name} is empty")


@contextmanager
def file_refusals():
    """The rules of workflow.files say why a file is refused; the importer says it as its own ImportRefused."""
    try:
        yield
    except files.FileRefused as err:
        raise ImportRefused(err.kind, err.detail, **err.params) from None


def extract_zip(path: Path, into: Path, limits: Limits = LIMITS) -> list[Path]:
    """Unpack `path` into `into` after checking every member; returns the files written."""
    with file_refusals(), files.open_zip(path, path.name) as archive:
        members = files.check_zip(archive, limits.archive, path.name)
        written = []
        for info in members:
            target = into / PurePosixPath(info.filename.replace("\\", "/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                files.copy_member(archive, info, out, path.name)
            written.append(target)
        return written
