"""Callbacks declared at module level, wired onto one page's Dash app by that page's `register`.

Dash's global `@callback` would hand every callback to whichever app serves first (one process carries several
apps), so each page keeps its own list. The decorated functions stay plain functions: a test calls them directly.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable


class Callbacks:
    """The callbacks of one page, in the order they were declared."""

    def __init__(self) -> None:
        self._server: list[tuple[Callable, tuple, dict]] = []
        self._client: list[tuple[object, tuple, dict]] = []

    def callback(self, *dependencies, **options) -> Callable[[Callable], Callable]:
        """Like `app.callback`, kept until `register`; returns the function unchanged."""

        def keep(func: Callable) -> Callable:
            self._server.append((func, dependencies, options))
            return func

        return keep

    def clientside(self, function, *dependencies, **options) -> None:
        """Like `app.clientside_callback`, kept until `register`."""
        self._client.append((function, dependencies, options))

    def register(self, app, **settings) -> None:
        """Wire every callback onto `app`. A keyword-only parameter named in `settings` is bound to its value
        (e.g. `gcj02` for a map drawn on 高德 tiles), so the page's configuration needs no closure."""
        for func, dependencies, options in self._server:
            wanted = {name: value for name, value in settings.items() if name in _keyword_only(func)}
            app.callback(*dependencies, **options)(functools.partial(func, **wanted) if wanted else func)
        for function, dependencies, options in self._client:
            app.clientside_callback(function, *dependencies, **options)

    def functions(self) -> list[Callable]:
        return [func for func, _, _ in self._server]


def _keyword_only(func: Callable) -> set[str]:
    return {name for name, p in inspect.signature(func).parameters.items() if p.kind is p.KEYWORD_ONLY}
