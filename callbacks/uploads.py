"""Files from a dcc.Upload: decoded in one place, kept on the server under a random token between preview and commit.

The browser sends a file once; after that only its token travels (never the file again, never the user's name for it).
Kept files live under instance/uploads/, readable by the app's account alone (folders 0700, files 0600); one that
was previewed but never committed or cancelled is deleted a day later, by the next upload or the next start.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from settings import INSTANCE_DIR, private_dir

ROOT = INSTANCE_DIR / "uploads"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
SUFFIX = re.compile(r"^(\.[0-9a-z]{1,8}){1,2}$")
ABANDONED_AFTER = 24 * 3600  # seconds


class UploadError(Exception):
    """An upload that cannot be used; `kind` says why ("too_large", "corrupt", "empty_file"), `params` the numbers."""

    def __init__(self, kind: str, /, **params):
        super().__init__(kind)
        self.kind = kind
        self.params = params


def decode(contents: str | None, limit: int) -> bytes:
    """The bytes of a dcc.Upload data URL ("data:…;base64,…"), refused past `limit` bytes before decoding."""
    _, _, encoded = contents.partition(",") if isinstance(contents, str) else ("", "", "")
    if not encoded:
        raise UploadError("empty_file")
    if len(encoded) * 3 // 4 > limit:
        raise UploadError("too_large", size_mb=round(len(encoded) * 3 / 4 / 2**20, 1), limit_mb=round(limit / 2**20))
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("corrupt") from None


def keep(data: bytes, suffix: str) -> tuple[str, Path]:
    """Store `data` in a fresh directory as upload<suffix>; (token, path). Only the suffix of the user's name for
    the file is kept (readers pick the format by it), and only when it looks like one."""
    sweep()
    suffix = suffix if SUFFIX.match(suffix or "") else ""
    token = secrets.token_hex(16)
    folder = private_dir(ROOT) / token
    folder.mkdir(mode=0o700)
    path = folder / f"upload{suffix}"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
    return token, path


def _valid(token) -> bool:
    return isinstance(token, str) and TOKEN.match(token) is not None


def kept(token) -> Path | None:
    """The file kept under `token`, or None (unknown, malformed or already discarded)."""
    if not _valid(token):
        return None
    folder = ROOT / token
    found = sorted(folder.glob("upload*")) if folder.is_dir() else []
    return found[0] if found else None


def discard(token) -> None:
    if _valid(token):
        shutil.rmtree(ROOT / token, ignore_errors=True)


def sweep(now: float | None = None) -> int:
    """Delete the kept uploads older than a day (previewed, then left); how many went."""
    if not ROOT.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - ABANDONED_AFTER
    gone = 0
    for folder in ROOT.iterdir():
        try:
            old = folder.stat().st_mtime < cutoff
        except FileNotFoundError:  # another worker swept it just now
            continue
        if TOKEN.match(folder.name) and old:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
