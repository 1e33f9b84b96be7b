"""Assert what a user reads when the rules refuse: the refusal's kind put into words by layouts/text.py."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from layouts import text


@contextmanager
def refused(error_type, pattern: str):
    """Like pytest.raises(error_type, match=pattern), matched against the Chinese a user is shown."""
    with pytest.raises(error_type) as info:
        yield info
    shown = text.words(info.value)
    assert re.search(pattern, shown), f"{pattern!r} not in {shown!r}"
