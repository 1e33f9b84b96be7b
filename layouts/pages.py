"""What a page is: its path, who may open it (api/auth.py enforces it), nav label, assets and bundles."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Iterable

from workflow.vocab import PERSON_ROLES, Role

ADMINS = frozenset({Role.admin})
STAFF = frozenset(Role(r) for r in PERSON_ROLES)
SCREENS = STAFF | {Role.screen}  # the big screen: staff, or a kiosk logged in by its display token
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
    uploads: int = 0  # the largest file its callbacks take (bytes): its callback route accepts that much more body
    options: dict = field(default_factory=dict, compare=False)  # more Dash(...) arguments

    @property
    def bare(self) -> str:
        return self.path.rstrip("/") or "/"

    @property
    def omitted(self) -> tuple[str, ...]:
        return tuple(p for p in HEAVY if p not in self.needs)

    @property
    def callback_route(self) -> str:
        return self.path + "_dash-update-component"

    def holds(self, path: str) -> bool:
        """Its path and what lies under it, by whole segments: /public/ holds /public and /public/x, not /publicx."""
        return path == self.bare or path.startswith(self.bare.rstrip("/") + "/")


def owner(pages: Iterable[Page], path: str) -> Page:
    """The page whose app answers `path`: the longest page path it lies under ("/" holds everything else)."""
    return max((p for p in pages if p.holds(path)), key=lambda p: len(p.bare))
