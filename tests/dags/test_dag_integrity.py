"""DAG integrity: the bag loads, cleanly, with no connections and no database.

The probe runs in a subprocess (see integrity_probe.py) so nothing this test process
has imported or configured can hide a problem. The second test feeds it broken DAG
files to prove each check can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jet.dag_defaults import TAG_GROUPS

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("integrity_probe.py")
pytestmark = pytest.mark.dags


def probe(dag_folder: Path, tmp_path: Path) -> dict:
    """Load ``dag_folder`` in a fresh interpreter with no connections and no reachable DB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(
        PYTHONPATH=f"{ROOT / 'include'}:{ROOT / 'plugins'}",
        AIRFLOW_HOME=str(tmp_path / "airflow_home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(dag_folder),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        # A metadata DB that cannot exist: parsing must never need one.
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path}/missing-dir/airflow.db",
        JET_WAREHOUSE_URL="postgresql://nobody@127.0.0.1:1/none",
    )
    result = subprocess.run(
        [sys.executable, str(PROBE), str(dag_folder)], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("JSON:"))
    return json.loads(line.removeprefix("JSON:"))


def problems(report: dict) -> list[str]:
    """Everything wrong with a probed DAG folder, one readable line each."""
    found = [f"import error in {f}: {e.strip().splitlines()[-1]}" for f, e in report["import_errors"].items()]
    found += [f"deprecation: {d}" for d in report["deprecations"]]
    found += [f"{f} imports {', '.join(m)} at module level" for f, m in report["heavy_top_level_imports"].items()]
    found += [
        f"{f}: dag() at line {ln} without an explicit catchup" for f, ln in report["dag_calls_without_catchup"].items()
    ]
    if report["heavy_modules_loaded"]:
        found.append(f"parsing loaded {', '.join(report['heavy_modules_loaded'])}")
    for dag_id, d in report["dags"].items():
        if not d["tags"]:
            found.append(f"{dag_id}: no tags")
        # The DAG list is scanned by group: each DAG in exactly one, and says what it does.
        groups = [t for t in d["tags"] if t in TAG_GROUPS]
        if len(groups) != 1:
            found.append(f"{dag_id}: {len(groups)} group tags {groups}, not exactly one of {', '.join(TAG_GROUPS)}")
        if not (d["description"] or "").strip():
            found.append(f"{dag_id}: no description")
        if not d["owners"] or "airflow" in d["owners"]:
            found.append(f"{dag_id}: no owner (owners {d['owners']})")
        if d["min_retries"] is None or d["min_retries"] < 1:
            found.append(f"{dag_id}: a task has retries < 1")
    return found


def test_project_dags_load_cleanly(tmp_path: Path) -> None:
    report = probe(ROOT / "dags", tmp_path)
    assert report["dags"], "the DagBag is empty"
    assert problems(report) == []
    dag_files = {Path(p).stem for p in (ROOT / "dags").glob("*.py")}
    assert {Path(d["fileloc"]).stem for d in report["dags"].values()} == dag_files, "one DAG per file"


BROKEN_DAGS = {
    "syntax_error.py": "from airflow.sdk import dag\ndef broken(:\n",
    "no_tags.py": """
from datetime import datetime, UTC
from airflow.sdk import dag, task
@dag(dag_id="no_tags", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC), catchup=False,
     default_args={"owner": "jetflow", "retries": 1})
def no_tags():
    @task
    def t(): return 1
    t()
no_tags()
""",
    "two_groups.py": """
from datetime import datetime, UTC
from airflow.sdk import dag, task
@dag(dag_id="two_groups", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC), catchup=False,
     description="Belongs to two groups", tags=["jet", "manual", "finance"],
     default_args={"owner": "jetflow", "retries": 1})
def two_groups():
    @task
    def t(): return 1
    t()
two_groups()
""",
    "heavy_import.py": """
import pandas
from datetime import datetime, UTC
from airflow.sdk import dag, task
@dag(dag_id="heavy_import", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC), tags=["x"],
     default_args={"owner": "jetflow", "retries": 0})
def heavy_import():
    @task
    def t(): return 1
    t()
heavy_import()
""",
    "old_import.py": """
from datetime import datetime, UTC
from airflow.decorators import dag, task
@dag(dag_id="old_import", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC), catchup=False, tags=["x"],
     default_args={"owner": "jetflow", "retries": 1})
def old_import():
    @task
    def t(): return 1
    t()
old_import()
""",
}


@pytest.mark.slow
def test_integrity_checks_catch_broken_dags(tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    folder.mkdir()
    for name, text in BROKEN_DAGS.items():
        (folder / name).write_text(text)
    found = "\n".join(problems(probe(folder, tmp_path)))
    assert "import error in syntax_error.py" in found
    assert "no_tags: no tags" in found
    assert "no_tags: 0 group tags" in found
    assert "no_tags: no description" in found
    assert "two_groups: 2 group tags ['finance', 'manual']" in found
    assert "two_groups: no description" not in found
    assert "heavy_import.py imports pandas at module level" in found
    assert "parsing loaded pandas" in found
    assert "heavy_import: a task has retries < 1" in found
    assert "heavy_import.py: dag() at line" in found  # no catchup=
    assert "deprecation: old_import.py" in found
