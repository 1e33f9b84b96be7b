"""One table of service types: the layouts hand its glyphs and colours to the JS, which keeps none of its own."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from layouts import map_page, planning_page, public_page, screen_page
from layouts.chrome import TopBar
from workflow.vocab import PUBLIC_SERVICE_TYPES, SERVICE_COLOUR, SERVICE_GLYPH, SERVICE_TYPE_TABLE, SERVICE_TYPES

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

ROOT = Path(__file__).resolve().parent.parent


def _hideouts(tree) -> list[dict]:
    found = []

    def walk(node):
        hideout = getattr(node, "hideout", None)
        if isinstance(hideout, dict) and "glyphs" in hideout:
            found.append(hideout)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and hasattr(child, "to_plotly_json"):
                walk(child)

    walk(tree)
    return found


def test_every_point_layer_gets_the_tables_glyphs_and_colours():
    bar = TopBar("", (), "")
    trees = [map_page.build_map("none"), public_page.build_page(), screen_page.build_page(), planning_page.build_page(bar)]
    hideouts = [h for tree in trees for h in _hideouts(tree)]
    assert len(hideouts) >= 4
    for hideout in hideouts:
        assert hideout["glyphs"] == SERVICE_GLYPH
        assert hideout["colours"] == SERVICE_COLOUR
    assert SERVICE_COLOUR["调解室"] == next(t.colour for t in SERVICE_TYPE_TABLE if t.name == "调解室")


def test_table_rows_are_complete_and_distinct():
    assert len(set(SERVICE_TYPES)) == len(SERVICE_TYPE_TABLE)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", t.colour) and len(t.glyph) == 1 and t.radius_m > 0
               for t in SERVICE_TYPE_TABLE)
    assert "调解室" not in PUBLIC_SERVICE_TYPES and "爱心食堂" in PUBLIC_SERVICE_TYPES
    assert public_page.PUBLIC_TYPES == list(PUBLIC_SERVICE_TYPES)


def test_no_script_names_a_service_type():
    for script in ROOT.glob("assets/**/*.js"):
        if "vendor" in script.parts:
            continue
        source = script.read_text(encoding="utf-8")
        assert [t for t in SERVICE_TYPES if t in source] == [], script
