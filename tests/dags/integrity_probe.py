"""Load a DAG folder the way the dag-processor does and report what it finds, as JSON.

Run in a subprocess by the integrity tests, with no Airflow connections and a
metadata database that cannot be reached, so it proves DAG files parse without
either. Usage: python tests/dags/integrity_probe.py DAG_FOLDER
"""

from __future__ import annotations

import ast
import json
import sys
import time
import warnings
from pathlib import Path

HEAVY = ("pandas", "psycopg", "psycopg2", "sqlalchemy", "requests")


def top_level_imports(path: Path) -> list[str]:
    """Modules a DAG file imports at module level (not inside functions)."""
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def dag_calls_without_catchup(path: Path) -> list[int]:
    """Line numbers of dag(...)/DAG(...) calls that leave catchup to the config default."""
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except SyntaxError:
        return []
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in {"dag", "DAG"} and not any(k.arg == "catchup" for k in node.keywords):
                lines.append(node.lineno)
    return lines


def main(folder: str) -> None:
    import airflow.sdk  # noqa: F401  (baseline: what Airflow itself loads)
    from airflow.dag_processing.dagbag import DagBag

    baseline = set(sys.modules)
    dag_folder = Path(folder).resolve()
    project = dag_folder.parent
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=str(dag_folder))
    elapsed = time.perf_counter() - started
    ours = (str(dag_folder), str(project / "include"), str(project / "plugins"))
    deprecations = [
        f"{Path(w.filename).name}:{w.lineno}: {w.message}"
        for w in caught
        # Airflow 3.3 flags Airflow 2 import paths with a UserWarning saying "deprecated".
        if (issubclass(w.category, DeprecationWarning) or "deprecated" in str(w.message).lower())
        and str(w.filename).startswith(ours)
    ]
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "tags": sorted(dag.tags or []),
            "description": dag.description,
            "owners": sorted({t.owner for t in dag.tasks}),
            "min_retries": min((t.retries or 0) for t in dag.tasks) if dag.tasks else None,
            "n_tasks": len(dag.tasks),
        }
    files = sorted(p for p in dag_folder.rglob("*.py") if not p.name.startswith("_"))
    report = {
        "dags": dags,
        "import_errors": {Path(k).name: v for k, v in bag.import_errors.items()},
        "deprecations": deprecations,
        "heavy_modules_loaded": sorted(
            m for m in set(sys.modules) - baseline if m.split(".")[0] in HEAVY and "." not in m
        ),
        "heavy_top_level_imports": {
            p.name: hits for p in files if (hits := [m for m in top_level_imports(p) if m.split(".")[0] in HEAVY])
        },
        "dag_calls_without_catchup": {p.name: lines for p in files if (lines := dag_calls_without_catchup(p))},
        "load_seconds": round(elapsed, 3),
    }
    print("JSON:" + json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
