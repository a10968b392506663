"""Print which package of ``include/jet`` imports which: the project's import graph.

    scripts/run python scripts/import_graph.py            # one line per package
    scripts/run python scripts/import_graph.py --modules  # the module-level edges behind it
    scripts/run python scripts/import_graph.py --json     # for tools (tests/unit/test_import_rules.py)

A "package" is the first name under ``jet``: ``jet.decisions.store`` is ``decisions``,
``jet.runs`` is ``runs``. Every import counts, also those inside functions (the project
imports heavy things lazily) and those under ``TYPE_CHECKING`` (marked ``(types)``):
they are dependencies all the same. Read by parsing the files, nothing is imported.
The rules the graph must follow are in docs/architecture.md ("What may import what").
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "include" / "jet"


@dataclass(frozen=True, order=True)
class Edge:
    """``importer`` (a module) imports ``imported`` (a module under jet, or jet_sandbox)."""

    importer: str
    imported: str
    type_only: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "jet":
        return parts[0]  # jet_sandbox
    return parts[1] if len(parts) > 1 else "jet"


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def edges(package_dir: Path = PACKAGE_DIR) -> list[Edge]:
    """Every import of a ``jet`` or ``jet_sandbox`` module by a module of ``package_dir``."""
    found: set[Edge] = set()
    for path in sorted(package_dir.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        typing_only = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, node, path.name == "__init__.py")
                # "from jet.api import models" names a module; "from jet.api import JetHook" a name.
                targets = [
                    f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base for alias in node.names
                ]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in ("jet", "jet_sandbox"):
                    found.add(Edge(module, target, node.lineno in typing_only))
    return sorted(found)


def _target(base: str, name: str) -> str:
    return f"{base}.{name}" if _is_module(f"{base}.{name}") else base


def _is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "jet":
        return False
    path = PACKAGE_DIR.parent.joinpath(*parts)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def package_graph(found: list[Edge]) -> dict[str, dict[str, bool]]:
    """package → {imported package: True when every such import is for types only}."""
    graph: dict[str, dict[str, bool]] = defaultdict(dict)
    for e in found:
        src, dst = package_of(e.importer), package_of(e.imported)
        if src != dst:
            graph[src][dst] = graph[src].get(dst, True) and e.type_only
    for path in PACKAGE_DIR.iterdir():
        name = path.stem if path.suffix == ".py" else path.name
        if (path.suffix == ".py" and name != "__init__") or (path / "__init__.py").is_file():
            graph.setdefault(name, {})
    return {k: dict(sorted(v.items())) for k, v in sorted(graph.items())}


def render(graph: dict[str, dict[str, bool]]) -> str:
    """The package graph as docs/architecture.md shows it: one line per package."""
    width = max(map(len, graph))
    lines = []
    for package, imported in graph.items():
        names = [f"{name} (types)" if types else name for name, types in imported.items()]
        lines.append(f"{package:<{width}}  -> {', '.join(names) or '-'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", action="store_true", help="print the module-level edges")
    parser.add_argument("--json", action="store_true", help="print the package graph as JSON")
    args = parser.parse_args(argv)
    found = edges()
    if args.json:
        print(json.dumps(package_graph(found), indent=2))
    elif args.modules:
        for e in found:
            print(f"{e.importer} -> {e.imported}{'  (types)' if e.type_only else ''}")
    else:
        print(render(package_graph(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
