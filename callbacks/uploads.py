"""Files from a dcc.Upload: decoded in one place, kept on the server under a random token between preview and commit.

The browser sends a file once; after that only its token travels (never the file again, never the user's name for it).
"""
from __future__ import annotations

import base64
import binascii
import re
import secrets
import shutil
import tempfile
from pathlib import Path

ROOT = Path(tempfile.gettempdir()) / "jinlin-uploads"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
SUFFIX = re.compile(r"^(\.[0-9a-z]{1,8}){1,2}$")


class UploadError(Exception):
    """An upload that cannot be used; `kind` says why ("too_large", "corrupt", "empty_file"), `params` the numbers."""

    def __init__(self, kind: str, /, **params):
        super().__init__(kind)
        self.kind = kind
        self.params = params


def decode(contents: str | None, limit: int) -> bytes:
    """The bytes of a dcc.Upload data URL ("data:…;base64,…"), refused past `limit` bytes before decoding."""
    _, _, encoded = (contents or "").partition(",")
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
    suffix = suffix if SUFFIX.match(suffix or "") else ""
    token = secrets.token_hex(16)
    folder = ROOT / token
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"upload{suffix}"
    path.write_bytes(data)
    return token, path


def kept(token: str | None) -> Path | None:
    """The file kept under `token`, or None (unknown, malformed or already discarded)."""
    if not token or not TOKEN.match(token):
        return None
    folder = ROOT / token
    found = sorted(folder.glob("upload*")) if folder.is_dir() else []
    return found[0] if found else None


def discard(token: str | None) -> None:
    if token and TOKEN.match(token):
        shutil.rmtree(ROOT / token, ignore_errors=True)
