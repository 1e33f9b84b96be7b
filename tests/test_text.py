"""Every UI string is defined once: a second assignment would silently replace the first page's words."""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def test_no_ui_string_is_defined_twice():
    tree = ast.parse((Path(__file__).resolve().parent.parent / "layouts" / "text.py").read_text(encoding="utf-8"))
    names = Counter(t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                    if isinstance(t, ast.Name))
    assert [n for n, k in names.items() if k > 1] == []



def test_every_refusal_kind_raised_has_words():
    """A kind raised in db/ or workflow/ without a template would show the user a KeyError banner."""
    import re

    from layouts import text
    root = Path(__file__).resolve().parent.parent
    refusals = ("CaseError", "NotFound", "Conflict", "TransitionError", "WishError", "PhotoError", "TableError",
                "RulesError", "problem")  # workflow.refusal.Refused and its Problem
    raised = re.compile(r"\b(?:%s)\(\"([a-z_0-9]+)\"" % "|".join(refusals))
    kinds = {kind for folder in ("db", "workflow", "callbacks") for file in (root / folder).rglob("*.py")
             if "migrations" not in file.parts for kind in raised.findall(file.read_text(encoding="utf-8"))}
    assert len(kinds) > 50, "the pattern no longer matches how kinds are raised"
    assert sorted(k for k in kinds if k not in text.REFUSALS) == []


def test_every_action_on_a_case_or_a_wish_has_its_words():
    from layouts import text
    from workflow import lifecycle, wishes

    assert set(text.CASE_ACTIONS) == set(lifecycle.TRAIL_ACTIONS)
    assert set(text.WISH_ACTIONS) == set(wishes.ACTIONS)


def test_a_refused_action_is_named_in_words():
    import datetime as dt

    import pytest

    from layouts import text
    from workflow import lifecycle

    at = dt.datetime(2026, 11, 20, 9)
    with pytest.raises(lifecycle.TransitionError) as refused:
        lifecycle.apply("dispatch", "已关闭", "小区", at, at, "环境卫生")
    assert text.words(refused.value) == "「已关闭」状态的诉求不能派单"
