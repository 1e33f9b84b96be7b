"""Pieces every page shares: the staff top bar and the outage banner with its retry poll."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from dash import dcc, html

from layouts import text
from layouts.pages import Page


def outage_parts(page_ids) -> list:
    """The banner callbacks/errors.py fills, the poll that notices the database is back, the retry signal."""
    return [html.Div(id=page_ids.ALERT, className="alert", role="alert"),
            dcc.Interval(id=page_ids.DB_POLL, interval=3000, disabled=True),
            dcc.Store(id=page_ids.RETRY)]


@dataclass(frozen=True)
class TopBar:
    """What the staff top bar says to one person on one page."""

    heading: str
    links: tuple[tuple[str, str, bool], ...]  # (label, href, is this page)
    user: str  # who is logged in, as text


def top_bar(page: Page, reachable: Iterable[Page], name: str | None, role: str | None) -> TopBar:
    """The bar on `page` for a person: links to `reachable`, the pages they may open (api/auth.py decides), in the
    table's order, and their name and role from the server's session."""
    links = tuple((p.nav, p.path, p.path == page.path) for p in reachable if p.nav)
    user = text.person_label(name, role) if name else ""
    return TopBar(page.heading or page.title, links, user)


def staff_topbar(bar: TopBar, *extra) -> html.Header:
    """The red bar of every staff page: the app's name and the page's, `extra` (the map's 演示数据 badge), the
    links, the person and 退出. The link to this page stays inside its app; the others load another app."""
    links = [dcc.Link(label, href=href, className="nav-link active") if here
             else html.A(label, href=href, className="nav-link") for label, href, here in bar.links]
    return html.Header(className="topbar", children=[
        html.Div(className="brand", children=[html.Span(text.APP_TITLE, className="brand-name"),
                                              html.Span(bar.heading, className="brand-sub")]),
        *extra,
        html.Nav(className="nav", children=links),
        html.Span(bar.user, className="user-box", title=bar.user),
        html.Form(action="/logout", method="post", className="logout",
                  children=html.Button(text.LOGOUT, type="submit", className="logout-btn")),
    ])


def estimated_tag() -> html.Span:
    """The small 估算 mark beside a count no file gave: estimated from footprint × floors (docs/estimates.md)."""
    return html.Span(text.ESTIMATED, className="estimated-tag", title=text.ESTIMATED_TITLE)
