"""Keep each page light: Dash includes every imported component library in every app; drop the unused ones."""
from __future__ import annotations

from dash import Dash


def omit_scripts(app: Dash, *packages: str) -> None:
    """Leave the named component packages' <script> tags out of this app's page (they are never rendered there)."""
    original = app.interpolate_index
    markers = tuple(f"/_dash-component-suites/{p}/" for p in packages)

    def interpolate_index(**kwargs):
        kwargs["scripts"] = "\n".join(line for line in kwargs["scripts"].split("\n")
                                      if not any(m in line for m in markers))
        return original(**kwargs)

    app.interpolate_index = interpolate_index
