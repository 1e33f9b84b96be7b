"""The direction of imports (DESIGN §2): app → layouts, callbacks → db → geodata, workflow; and no cycle anywhere."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "callbacks", "db", "geodata", "layouts", "workflow")
# what each part may import of ours (anything third-party is its own business, except dash: see below)
ALLOWED = {
    "settings": set(),
    "workflow": {"workflow"},
    "geodata": {"geodata", "workflow"},
    "db": {"db", "geodata", "workflow", "settings"},
    "layouts": {"layouts", "geodata", "workflow"},
    "callbacks": {"callbacks", "layouts", "db", "geodata", "workflow", "settings"},
    "api": {"api", "callbacks", "layouts", "db", "geodata", "workflow", "settings"},
    "app": {"api", "callbacks", "layouts", "db", "settings"},
}
NO_DASH = ("db", "geodata", "workflow")


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py", "settings": ROOT / "settings.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, module: str) -> set[str]:
    """Every module named in an import statement of the file, at the top or inside a function."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {i for i in _imports(path, name) if i in modules and i != name} for name, path in modules.items()}


def _part(module: str) -> str:
    return module.split(".")[0]


def test_imports_flow_one_way():
    wrong = sorted(f"{m} imports {i}" for m, targets in _graph().items() for i in targets
                   if _part(i) not in ALLOWED[_part(m)])
    assert wrong == []


def test_db_geodata_and_workflow_never_import_dash():
    modules = _modules()
    wrong = sorted(f"{name} imports {i}" for name, path in modules.items() if _part(name) in NO_DASH
                   for i in _imports(path, name) if i.split(".")[0] in ("dash", "dash_leaflet", "dash_extensions",
                                                                         "flask", "flask_login"))
    assert wrong == []


def test_no_import_cycle():
    graph = _graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            # a package's __init__ naming its own submodules is not a cycle of code
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_checker_sees_a_lazy_import(tmp_path):
    # the crs ↔ importing.coords cycle of issue 13 was an import inside a function: the checker must see those
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from geodata.importing.coords import to_wgs84\n", encoding="utf-8")
    assert "geodata.importing.coords" in _imports(source, "geodata.probe")
