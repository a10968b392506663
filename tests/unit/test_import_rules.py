"""The import rules of docs/architecture.md ("What may import what"), checked on the
graph scripts/import_graph.py reads from the source (nothing is imported to check it)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
assert _spec is not None
assert _spec.loader is not None
import_graph = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = import_graph
_spec.loader.exec_module(import_graph)

EDGES = import_graph.edges()
GRAPH = import_graph.package_graph(EDGES)

#: The ground floor: any package may import these; they import only each other and api.
FOUNDATION = {
    "failures", "limits", "dates", "paths", "runs", "sql", "dag_defaults", "dag_params", "assets", "warehouse",
}  # fmt: skip
#: The operator's and analyst's faces: they read the domain packages, nothing reads them
#: (but the inbox, whose questions show the console's order view).
FACES = {"console", "report"}
#: Modules that may import Airflow at module level: the hook, Assets, DAG Params, the inbox's
#: operator, and the watcher's trigger (a trigger is an Airflow class: it subclasses one).
AIRFLOW_AT_IMPORT = {"jet.api.hook", "jet.assets", "jet.dag_params", "jet.inbox.operator", "jet.triggers.ready_orders"}
#: Harnesses that run the product against the sandbox (make demo, make chaos): above
#: everything, like bench/ and tests/, so they may start a sandbox and write the report.
HARNESSES = {"demo", "chaos"}


def _offending(rule: str, edges: list[str]) -> str:
    return f"{rule} (docs/architecture.md): " + "; ".join(edges)


def test_the_graph_reads_the_whole_package() -> None:
    assert {"api", "orders", "decisions", "fulfillment", "settlement", "warehouse", "console"} <= set(GRAPH)
    assert GRAPH["decisions"], "the decisions import something: the reader found no edges"


def test_the_product_never_imports_the_sandbox() -> None:
    bad = [
        f"{e.importer} -> {e.imported}"
        for e in EDGES
        if e.imported.split(".")[0] == "jet_sandbox" and import_graph.package_of(e.importer) not in HARNESSES
    ]
    assert not bad, _offending("the product never imports jet_sandbox (the harnesses do)", bad)


def test_nothing_imports_the_harnesses() -> None:
    bad = [f"{src} -> {dst}" for src, imported in GRAPH.items() for dst in imported if dst in HARNESSES]
    assert not bad, _offending("demo and chaos sit above the product: no package imports them", bad)


def test_jet_api_imports_no_other_package() -> None:
    assert GRAPH["api"] == {}, _offending("jet.api is the bottom of the Jet adapter", list(GRAPH["api"]))


def test_the_foundation_imports_no_domain_package() -> None:
    bad = [
        f"{src} -> {dst}" for src in FOUNDATION for dst in GRAPH.get(src, {}) if dst not in FOUNDATION and dst != "api"
    ]
    assert not bad, _offending("foundation modules import only each other and jet.api", bad)


def test_nothing_imports_the_faces() -> None:
    bad = [
        f"{src} -> {dst}"
        for src, imported in GRAPH.items()
        for dst in imported
        if dst in FACES and not (src == "inbox" and dst == "console") and src not in HARNESSES
    ]
    assert not bad, _offending("console and report sit on top: no package imports them", bad)


def test_domain_logic_imports_airflow_only_inside_functions() -> None:
    bad = []
    for path in sorted(import_graph.PACKAGE_DIR.rglob("*.py")):
        module = import_graph.module_name(path)
        if module in AIRFLOW_AT_IMPORT:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            bad += [f"{module} imports {n}" for n in names if n.split(".")[0] == "airflow"]
    assert not bad, _offending("library code is testable without Airflow: it imports Airflow lazily", bad)


def _write_back_edges() -> list[str]:
    return [
        f"{e.importer} -> {e.imported}"
        for e in EDGES
        if e.imported.endswith(".outbox")
        and import_graph.package_of(e.imported) not in ("outbox", import_graph.package_of(e.importer))
    ]


def test_domain_packages_do_not_import_each_others_write_back() -> None:
    bad = _write_back_edges()
    assert not bad, _offending("writes to Jet go through jet.outbox only", bad)


def _cycles(graph: dict[str, dict[str, bool]]) -> list[list[str]]:
    """Every group of packages that import each other, round and round (Tarjan's strongly
    connected components of more than one package), each sorted, as ``a -> b -> a`` paths."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b": False}, "b": {"c": True}, "c": {"a": False}, "d": {"a": False}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": False}, "b": {}}) == []


def test_no_cycles_between_packages() -> None:
    # Type-only imports count too: a cycle through annotations still ties two packages together.
    found = _cycles(GRAPH)
    bad = [
        f"{' <-> '.join(group)}: "
        + "; ".join(f"{src} -> {dst}" for src in group for dst in GRAPH.get(src, {}) if dst in group)
        for group in found
    ]
    assert not bad, _offending("packages import each other in one direction only (no cycles)", bad)


def test_the_architecture_page_shows_todays_graph() -> None:
    # The page is where a newcomer learns what may import what: it must not drift.
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = page.split("type annotations only):\n\n```\n", 1)[1].split("```", 1)[0].strip()
    assert shown == import_graph.render(GRAPH), "run scripts/run python scripts/import_graph.py and paste it"
