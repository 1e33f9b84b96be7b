"""The one upload path: a dcc.Upload data URL decoded once, kept on the server under a token, refused by kind."""
from __future__ import annotations

import base64

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
