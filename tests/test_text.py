"""Every UI string is defined once: a second assignment would silently replace the first page's words."""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path


def test_no_ui_string_is_defined_twice():
    tree = ast.parse((Path(__file__).resolve().parent.parent / "layouts" / "text.py").read_text(encoding="utf-8"))
    names = Counter(t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                    if isinstance(t, ast.Name))
    assert [n for n, k in names.items() if k > 1] == []
