"""Uploaded files kept on the server between preview and commit, under a random token (never the user's name)."""
from __future__ import annotations

import base64
import binascii
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from geodata.importing.archive import LIMITS
from geodata.importing.errors import ImportRefused
from geodata.importing.readers import OSM_SUFFIXES, TABLE_SUFFIXES, VECTOR_SUFFIXES, suffix_of

ROOT = Path(tempfile.gettempdir()) / "jinlin-uploads"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
ACCEPTED = (".zip", *OSM_SUFFIXES, *VECTOR_SUFFIXES, *TABLE_SUFFIXES)


def save_upload(contents: str, filename: str, limit: int = LIMITS.upload_bytes) -> tuple[str, Path]:
    """Decode a dcc.Upload data URL into a fresh directory; (token, path). The name keeps only its extension."""
    suffix = suffix_of(filename or "")
    if suffix not in ACCEPTED or suffix == ".shp":
        raise ImportRefused("format", f"unsupported file type {suffix!r}", suffix=suffix or "?")
    _, _, data = (contents or "").partition(",")
    if len(data) * 3 // 4 > limit:
        raise ImportRefused("too_large", f"upload over {limit} bytes", size_mb=round(len(data) * 3 / 4 / 2**20, 1),
                            limit_mb=round(limit / 2**20))
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ImportRefused("corrupt", "the upload did not arrive intact") from None
    token = secrets.token_hex(16)
    folder = ROOT / token
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"upload{suffix}"
    path.write_bytes(raw)
    return token, path


def upload_path(token: str | None) -> Path | None:
    if not token or not TOKEN.match(token):
        return None
    folder = ROOT / token
    found = sorted(folder.glob("upload*")) if folder.is_dir() else []
    return found[0] if found else None


def discard(token: str | None) -> None:
    if token and TOKEN.match(token):
        shutil.rmtree(ROOT / token, ignore_errors=True)
