"""DAGs own their wiring: the library names groups of work, each DAG maps them to its own
task ids, and no TaskGroup wraps a single task."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.dags


def _decide_module() -> Any:
    spec = importlib.util.spec_from_file_location("jet_decide_orders_dag", ROOT / "dags" / "jet_decide_orders.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_group_of_decision_work_has_a_task_in_jet_decide_orders(dagbag: Any) -> None:
    from jet.decisions.tasks import HOLD, SEND_GROUPS

    module = _decide_module()
    assert set(module.TASK_OF_GROUP) == {*SEND_GROUPS, HOLD}
    dag = dagbag.dags["jet_decide_orders"]
    route = dag.get_task("route")
    for task_id in [*module.TASK_OF_GROUP.values(), module.NOTHING_TO_SEND]:
        assert task_id in dag.task_ids, f"route can choose {task_id}, which jet_decide_orders does not have"
        assert task_id in route.downstream_task_ids, f"{task_id} is not a branch of route"


def test_the_library_does_not_know_task_ids() -> None:
    source = (ROOT / "include" / "jet" / "decisions" / "tasks.py").read_text(encoding="utf-8")
    module = _decide_module()
    for task_id in [*module.TASK_OF_GROUP.values(), module.NOTHING_TO_SEND]:
        assert f'"{task_id}"' not in source, f"jet.decisions.tasks names the task id {task_id}"


def test_no_task_group_holds_a_single_task(dagbag: Any) -> None:
    lone = [
        f"{dag_id}: {group_id}"
        for dag_id, dag in dagbag.dags.items()
        for group_id, group in dag.task_group.get_task_group_dict().items()
        if group_id and len(group.children) == 1
    ]
    assert not lone, f"a TaskGroup of one task only lengthens its task id: {lone}"
