"""Reading a page's query string (dcc.Location's `search`), the same way on every page."""
from __future__ import annotations

from urllib.parse import parse_qs


def query_param(search: str | None, name: str) -> str | None:
    """The first value of `name` in a query string like "?area=…", stripped; None when absent or blank."""
    values = parse_qs((search or "").lstrip("?")).get(name) or []
    return (values[0].strip() or None) if values else None
