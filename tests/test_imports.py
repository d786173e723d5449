"""The engine stays a library: importing it (and running a decision) loads neither Flask nor click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

VALID = Path(__file__).parent / "policies" / "valid"


def test_engine_imports_no_flask_or_click() -> None:
    code = (
        "import sys, engine\n"
        f"p = engine.load_policy({str(VALID)!r})\n"
        "engine.decide(p, engine.Comment(text='you idiot'))\n"
        "print(sorted(m for m in ('flask', 'click', 'webhook', 'werkzeug') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _engine_imports() -> dict[str, set[str]]:
    """Each engine module's engine imports, at module level or inside functions."""
    root = Path(__file__).parent.parent / "engine"
    names = {p.stem for p in root.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("engine")):
                module = (node.module or "").removeprefix("engine").lstrip(".")
                deps.update([module.split(".")[0]] if module else [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith("engine."))
        graph[path.stem] = {d for d in deps if d in names and d != path.stem}
    return graph


def test_engine_modules_import_one_way() -> None:
    graph = _engine_imports()
    assert "combinators" in graph["policy"] and "matchers" in graph["combinators"]  # the walk sees imports
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(module: str, path: list[str]) -> None:
        seen[module] = 1
        for dep in sorted(graph[module]):
            assert seen.get(dep) != 1, f"import circle: {' -> '.join([*path[path.index(dep):], dep])}"
            if dep not in seen:
                walk(dep, [*path, dep])
        seen[module] = 2

    for module in sorted(graph):
        if module not in seen:
            walk(module, [module])
