"""What a page is (path, who may open it, nav label, assets, bundles) and what follows from a table of them."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Iterable

ADMINS = frozenset({"admin"})
STAFF = frozenset({"admin", "street_official", "community_staff", "grid_leader"})
SCREENS = STAFF | {"screen"}  # the big screen: staff, or a kiosk logged in by its display token
ANYONE = None  # no login at all: the residents' page
# Component packages a page loads only when it renders them (api/bundles.py leaves the others out): AG Grid is
# ~360 KB gzipped; the Dash table serves nobody; dash_extensions is used from Python only (Namespace).
HEAVY = ("dash_ag_grid", "dash/dash_table", "dash_extensions")


@dataclass(frozen=True)
class Page:
    """One Dash app on the server. Its own files: layouts/<x>_page.py, layouts/<x>_ids.py, callbacks/<x>.py,
    assets/<x>/."""

    path: str  # its url_base_pathname, "/cases/"; the bare "/cases" redirects here
    title: str  # the browser tab
    roles: frozenset[str] | None  # who may open it and everything under it; ANYONE: no login
    ids: ModuleType  # its component ids (ALERT, DB_POLL, RETRY carry the outage banner)
    build: Callable  # build(top_bar) -> layout for staff pages; build() for pages with their own chrome
    register: Callable  # register(dash_app): wires its callbacks
    assets: str | None  # its folder under assets/; None: the top-level files (the staff map's)
    nav: str | None = None  # its link in the staff top bar, shown to those who may open it
    heading: str | None = None  # beside the app's name in the top bar, when not the title
    staff_chrome: bool = True  # False: the page draws its own (the residents' page, the big screen)
    token: bool = False  # a display token in the URL logs a kiosk in (/screen/?token=…)
    embeddable: bool = False  # other sites may show it in an iframe
    scripts: tuple[str, ...] = ()  # files it loads from outside its folder; whoever may open it may fetch them
    stylesheets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # the HEAVY packages it renders
    options: dict = field(default_factory=dict, compare=False)  # more Dash(...) arguments

    @property
    def bare(self) -> str:
        return self.path.rstrip("/") or "/"

    @property
    def omitted(self) -> tuple[str, ...]:
        return tuple(p for p in HEAVY if p not in self.needs)

    def holds(self, path: str) -> bool:
        return path == self.bare or path.startswith(self.path)


def owner(pages: Iterable[Page], path: str) -> Page:
    """The page whose app answers `path`: the longest page path it lies under ("/" holds everything else)."""
    return max((p for p in pages if p.holds(path)), key=lambda p: len(p.path))


def open_to(page: Page, role: str | None) -> bool:
    """May someone with `role` (None: not logged in) open `page`?"""
    return page.roles is ANYONE or (role is not None and role in page.roles)


def may_fetch(pages: Iterable[Page], role: str | None, path: str) -> bool:
    """The boundary's rule: a path is open to whoever may open the page holding it, and a file a page loads
    from elsewhere (the big screen's chart library) to whoever may open that page."""
    pages = tuple(pages)
    if open_to(owner(pages, path), role):
        return True
    return any(path in p.scripts + p.stylesheets for p in pages if open_to(p, role))


def nav_links(pages: Iterable[Page], role: str | None, current: Page) -> tuple[tuple[str, str, bool], ...]:
    """(label, href, is the current page) of every page in the nav that `role` may open, in table order."""
    if role is None:
        return ()
    return tuple((p.nav, p.path, p.path == current.path) for p in pages if p.nav and open_to(p, role))
