"""Text a person or a system typed, checked once for what no database column can keep.

PostgreSQL refuses NUL in text, neither backend can encode a lone UTF-16 surrogate (half an emoji, "\\ud800"), and
the other C0 control characters are never part of what a resident says. Cases, wishes, Open311 and sheet imports
refuse such text with a problem naming the field; searches drop it, since a search stores nothing.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from workflow.refusal import Problem, problem

# C0 controls but tab, line feed and carriage return; DEL; every surrogate code point (only lone ones reach a str)
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def is_storable(value: str) -> bool:
    return UNSTORABLE.search(value) is None


def text_problems(**fields: str | None) -> list[Problem]:
    """One `bad_characters` problem per field whose text cannot be stored; `field` names it (text.FIELD_WORDS)."""
    return [problem("bad_characters", field=name) for name, value in fields.items()
            if isinstance(value, str) and not is_storable(value)]


CASE_SEARCH_CHARS = 60  # the case list's search box: words of a description, a place, a code


def searchable(value: str | None, limit: int) -> str:
    """What a search box may search for: at most `limit` characters, without the unstorable ones, trimmed."""
    return UNSTORABLE.sub("", (value or "")[:limit]).strip()


def holds_unstorable(value: Any, depth: int = 0) -> bool:
    """True when any string inside `value` (nested lists and dicts, keys too) cannot be stored."""
    if isinstance(value, str):
        return not is_storable(value)
    if depth > 20:
        return False
    items: Iterable[Any] = ()
    if isinstance(value, dict):
        items = (*value.keys(), *value.values())
    elif isinstance(value, (list, tuple)):
        items = value
    return any(holds_unstorable(item, depth + 1) for item in items)
