"""Safe unpacking of uploaded archives: size, member count and ratio limits; no path traversal."""
from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geodata.importing.errors import ImportRefused


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 200 * 1024 * 1024
    members: int = 200
    unpacked_bytes: int = 1024 * 1024 * 1024
    ratio: float = 100.0  # uncompressed / compressed per member; real shapefiles stay far below


LIMITS = Limits()


def check_size(path: Path, limits: Limits = LIMITS) -> None:
    size = path.stat().st_size
    if size > limits.upload_bytes:
        raise ImportRefused("too_large", f"{path.name} is {size} bytes; the limit is {limits.upload_bytes}",
                            size_mb=round(size / 2**20, 1), limit_mb=round(limits.upload_bytes / 2**20))
    if size == 0:
        raise ImportRefused("empty_file", f"{path.name} is empty")


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")))


def extract_zip(path: Path, into: Path, limits: Limits = LIMITS) -> list[Path]:
    """Unpack `path` into `into` after checking every member; returns the files written."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ImportRefused("corrupt", f"{path.name} is not a readable zip archive: {err}") from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > limits.members:
            raise ImportRefused("zip_members", f"{len(members)} members; the limit is {limits.members}",
                                count=len(members), limit=limits.members)
        total = 0
        for info in members:
            if not _safe_member(info.filename):
                raise ImportRefused("zip_path", f"member {info.filename!r} points outside the archive",
                                    member=info.filename)
            total += info.file_size
            if info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
                raise ImportRefused("zip_bomb", f"member {info.filename!r} expands {info.file_size} bytes from "
                                    f"{info.compress_size}", member=info.filename)
        if total > limits.unpacked_bytes:
            raise ImportRefused("zip_bomb", f"archive unpacks to {total} bytes; the limit is {limits.unpacked_bytes}",
                                member="*")
        try:
            return _unpack(archive, members, into)
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise ImportRefused("corrupt", f"{path.name}: damaged archive member ({err})") from None


def _unpack(archive: zipfile.ZipFile, members: list, into: Path) -> list[Path]:
    written = []
    for info in members:
        target = into / PurePosixPath(info.filename.replace("\\", "/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        # read with a hard cap: the sizes in the directory could lie
        with archive.open(info) as src, open(target, "wb") as dst:
            left = info.file_size + 1
            while chunk := src.read(min(1 << 20, left)):
                left -= len(chunk)
                if left <= 0:
                    raise ImportRefused("zip_bomb", f"member {info.filename!r} is larger than declared",
                                        member=info.filename)
                dst.write(chunk)
        written.append(target)
    return written
