"""Chinese has three homes: the UI words (layouts/text.py), the domain words and the demo generator."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
SCANNED = ("app.py", "settings.py", "api", "callbacks", "db", "geodata", "layouts", "workflow")
FROZEN = ("db/migrations/",)  # migrations are history: they keep the words they were written with
HOMES = {
    "layouts/text.py",
    "workflow/vocab.py",  # the vocabulary module: domain words, column synonyms
    "geodata/demo.py",
}
DEMO = re.compile(r"geodata/demo_\w+\.py$")
# Chinese still to move, per file: a file may lose literals but never gain them; drop its entry once it has none
NOT_YET_MOVED: dict[str, int] = {}  # emptied by issue 13: a file may not gain Chinese literals again


def _sources():
    for entry in SCANNED:
        path = ROOT / entry
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            rel = file.relative_to(ROOT).as_posix()
            if not rel.startswith(FROZEN) and rel not in HOMES and not DEMO.search(rel):
                yield rel, file


def _docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                yield body[0].value


def chinese_literals(text: str):
    """(line, literal) of every str constant with Chinese in Python source, docstrings left out."""
    tree = ast.parse(text)
    skip = {id(node) for node in _docstrings(tree)}
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in skip and CJK.search(node.value))


def without_js_comments(source: str) -> str:
    """JS source with its comments blanked (line breaks kept), strings and regex-free code left as they are."""
    out, i, quote = [], 0, None
    while i < len(source):
        ch = source[i]
        if quote:
            out.append(ch)
            if ch == "\\":
                out.append(source[i + 1:i + 2])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
            out.append(ch)
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
            continue
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = len(source) if end < 0 else end + 2
            out.append("\n" * source.count("\n", i, end))
            i = end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _python_offenders():
    for rel, file in _sources():
        for line, value in chinese_literals(file.read_text(encoding="utf-8")):
            yield rel, f"{rel}:{line}:{value!r}"


def _js_offenders():
    for file in sorted((ROOT / "assets").rglob("*.js")):
        rel = file.relative_to(ROOT).as_posix()
        if not rel.startswith("assets/vendor/"):
            code = without_js_comments(file.read_text(encoding="utf-8"))
            for number, line in enumerate(code.splitlines(), 1):
                if CJK.search(line):
                    yield rel, f"{rel}:{number}:{line.strip()}"


def _beyond_allowance(offenders):
    by_file: dict[str, list[str]] = {}
    for rel, where in offenders:
        by_file.setdefault(rel, []).append(where)
    return [where for rel, found in by_file.items() if len(found) > NOT_YET_MOVED.get(rel, 0) for where in found]


def test_chinese_literals_only_in_text_vocabulary_and_demo():
    found = _beyond_allowance(_python_offenders())
    assert not found, f"{len(found)} Chinese literals outside their homes:\n" + "\n".join(found)


def test_js_assets_hold_no_chinese_of_their_own():
    found = _beyond_allowance(_js_offenders())
    assert not found, f"{len(found)} lines of JS with Chinese (pass words through the layout):\n" + "\n".join(found)


def test_allowance_shrinks_with_the_code():
    counts: dict[str, int] = {}
    for rel, _ in [*_python_offenders(), *_js_offenders()]:
        counts[rel] = counts.get(rel, 0) + 1
    stale = {rel: (allowed, counts.get(rel, 0)) for rel, allowed in NOT_YET_MOVED.items()
             if counts.get(rel, 0) < allowed}
    assert not stale, f"lower NOT_YET_MOVED to what is left (allowed, found): {stale}"


def test_js_comments_are_not_words():
    source = '/* 注释 */ var a = "词"; // 注释\nvar b = "http://x" + \'//\';\n'
    assert without_js_comments(source) == ' var a = "词"; \nvar b = "http://x" + \'//\';\n'


def test_finder_sees_literals_but_not_docstrings_or_comments():
    source = '"""模块。"""\ndef f():\n    """函数。"""\n    # 注释\n    return "词", f"{1}个"\n'
    assert chinese_literals(source) == [(5, "个"), (5, "词")]
