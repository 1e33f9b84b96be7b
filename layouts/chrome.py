"""Pieces every page shares: the staff top bar and the outage banner with its retry poll."""
from __future__ import annotations

from dash import dcc, html

from layouts import text


def outage_parts(page_ids) -> list:
    """The banner callbacks/errors.py fills, the poll that notices the database is back, the retry signal."""
    return [html.Div(id=page_ids.ALERT, className="alert", role="alert"),
            dcc.Interval(id=page_ids.DB_POLL, interval=3000, disabled=True),
            dcc.Store(id=page_ids.RETRY)]


def staff_topbar(subtitle: str, links: list[tuple[str, str, bool]]) -> html.Header:
    """The red bar of the staff pages: name, page, and (label, href, current) links."""
    return html.Header(className="topbar", children=[
        html.Div(className="brand", children=[html.Span(text.APP_TITLE, className="brand-name"),
                                              html.Span(subtitle, className="brand-sub")]),
        html.Nav(className="nav", children=[html.A(label, href=href, className="nav-link" + (" active" if on else ""))
                                            for label, href, on in links]),
    ])


def estimated_tag() -> html.Span:
    """The small 估算 mark beside a count no file gave: estimated from footprint × floors (docs/estimates.md)."""
    return html.Span(text.ESTIMATED, className="estimated-tag", title=text.ESTIMATED_TITLE)
