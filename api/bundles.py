"""Keep each page light: only the scripts a page runs, a 7 KB runtime in place of Dash's polyfill, one small icon."""
from __future__ import annotations

from pathlib import Path

from dash import Dash
from flask import send_from_directory

ASSETS = Path(__file__).resolve().parents[1] / "assets"
# Dash's renderer and dcc need only regeneratorRuntime from the Babel polyfill (assets/vendor/README.md).
RUNTIME = ("vendor", "regenerator-runtime.min.js")
ICON = ("", "favicon.ico")
# Each app serves both under its own prefix, so a page never reaches outside it (the residents' page stays
# under /public/, DESIGN §7); the browser's own /favicon.ico request is answered too.
SHARED = "_jinlin/"
ONE_DAY = 86400


def _file(folder: str, name: str):
    return lambda: send_from_directory(ASSETS / folder, name, max_age=ONE_DAY)


def serve_icon(server) -> None:
    server.add_url_rule("/favicon.ico", "favicon", _file(*ICON))


def slim(app: Dash, *omit: str) -> None:
    """Leave the named component packages' <script> tags out of this app's page (they are never rendered
    there), load the regenerator runtime instead of the polyfill, and use our icon instead of Dash's."""
    prefix = app.config.requests_pathname_prefix
    runtime, icon = f"{prefix}{SHARED}{RUNTIME[1]}", f"{prefix}{SHARED}{ICON[1]}"
    app.server.add_url_rule(runtime, f"runtime:{prefix}", _file(*RUNTIME))
    app.server.add_url_rule(icon, f"icon:{prefix}", _file(*ICON))
    original = app.interpolate_index
    markers = tuple(f"/_dash-component-suites/{p}/" for p in omit)

    def line(tag: str) -> str | None:
        if any(m in tag for m in markers):
            return None
        if "/deps/polyfill@" in tag:
            return f'<script src="{runtime}"></script>'
        return tag

    def interpolate_index(**kwargs):
        kept = (line(tag) for tag in kwargs["scripts"].split("\n"))
        kwargs["scripts"] = "\n".join(tag for tag in kept if tag is not None)
        kwargs["favicon"] = f'<link rel="icon" type="image/x-icon" href="{icon}">'
        return original(**kwargs)

    app.interpolate_index = interpolate_index
