"""The one upload path: a dcc.Upload data URL decoded once, kept on the server under a token, refused by kind."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from callbacks import uploads


def data_url(raw: bytes, mime: str = "application/octet-stream") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def test_decode_gives_the_bytes_back():
    assert uploads.decode(data_url(b"abc"), limit=10) == b"abc"


@pytest.mark.parametrize("contents, kind", [
    ("data:image/png;base64,@@@", "corrupt"),
    ("data:image/png;base64,", "empty_file"),
    (None, "empty_file"),
    (data_url(b"x" * 2000), "too_large"),
])
def test_decode_refuses_by_kind(contents, kind):
    with pytest.raises(uploads.UploadError) as refused:
        uploads.decode(contents, limit=1000)
    assert refused.value.kind == kind


def test_too_large_says_how_large_before_decoding():
    with pytest.raises(uploads.UploadError) as refused:
        uploads.decode(data_url(b"x" * 3 * 2**20), limit=2**20)
    assert refused.value.params == {"size_mb": 3.0, "limit_mb": 1}


def test_kept_file_comes_back_by_token_and_goes_when_discarded():
    token, path = uploads.keep(b"sheet", ".xlsx")
    try:
        assert uploads.kept(token) == path and path.read_bytes() == b"sheet" and path.suffix == ".xlsx"
    finally:
        uploads.discard(token)
    assert uploads.kept(token) is None


@pytest.mark.parametrize("token", [None, "", "../../etc", "0" * 31, "g" * 32])
def test_a_malformed_token_finds_nothing(token):
    assert uploads.kept(token) is None
    uploads.discard(token)  # and discarding it touches nothing


def test_only_a_plain_suffix_of_the_users_name_is_kept():
    token, path = uploads.keep(b"x", "/../../evil.sh;rm")
    try:
        assert path.name == "upload" and path.parent == uploads.ROOT / token
    finally:
        uploads.discard(token)
    token, path = uploads.keep(b"x", ".osm.pbf")
    try:
        assert path.name == "upload.osm.pbf"
    finally:
        uploads.discard(token)


# --- issue 14: where kept files live, who may read them, and how long they stay ---

def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_kept_uploads_live_under_the_instance_folder_for_the_apps_account_alone():
    import settings

    token, path = uploads.keep(b"sheet", ".xlsx")
    try:
        assert path.is_relative_to(settings.INSTANCE_DIR / "uploads")
        assert (_mode(uploads.ROOT), _mode(path.parent), _mode(path)) == (0o700, 0o700, 0o600)
    finally:
        uploads.discard(token)


def test_an_upload_left_for_a_day_goes_with_the_next_upload_or_start(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setattr(uploads, "ROOT", tmp_path / "uploads")
    left, left_path = uploads.keep(b"previewed, never committed", ".csv")
    recent, recent_path = uploads.keep(b"previewed an hour ago", ".csv")
    day_ago = time.time() - 25 * 3600
    os.utime(left_path.parent, (day_ago, day_ago))
    os.utime(recent_path.parent, (time.time() - 3600,) * 2)
    fresh, _ = uploads.keep(b"the next upload", ".csv")  # sweeps before it keeps
    assert uploads.kept(left) is None and uploads.kept(recent) == recent_path and uploads.kept(fresh) is not None
    os.utime(recent_path.parent, (day_ago, day_ago))
    assert uploads.sweep() == 1 and uploads.kept(recent) is None  # what the pages' register() runs at start


def test_background_job_cache_is_private_to_the_app(seeded_url):
    import settings
    from callbacks.planning import background_manager

    cache = background_manager().handle
    folder = Path(cache.directory)
    cache.set("job-result", b"x" * 100_000)  # past diskcache's default 32 kB, which it would keep in a file beside
    assert cache.get("job-result") == b"x" * 100_000
    found = sorted(p.name for p in folder.iterdir())
    assert folder.is_relative_to(settings.INSTANCE_DIR / "jobs")
    assert set(found) <= {"cache.db", "cache.db-wal", "cache.db-shm"}
    assert _mode(folder) == 0o700 and all(_mode(folder / name) == 0o600 for name in found)
