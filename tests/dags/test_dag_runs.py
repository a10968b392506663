"""Real DAG runs (dag.test) against the sandbox and the test warehouse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.helpers import table_checksums

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.dags, pytest.mark.integration]


def _run(dag: Any, logical_date: datetime, conf: dict | None = None) -> tuple[Any, dict[str, Any]]:
    run = dag.test(logical_date=logical_date, run_conf=conf)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    return run, states


@pytest.mark.slow
def test_jet_orders_runs_with_a_fixed_number_of_tasks(
    dagbag: Any, sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    dag = dagbag.dags["jet_orders"]
    sandbox.generate_orders(5, status="ready")
    run, small = _run(dag, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    assert small == {
        "pull_ready_orders": "success",
        "refresh_open_orders": "success",
        "publish_orders_landed": "success",
    }
    sandbox.generate_orders(400, status="ready")
    _, large = _run(dag, datetime(2026, 3, 2, 15, 10, tzinfo=UTC))
    assert large.keys() == small.keys(), "task count must not grow with the number of orders"
    assert clean_orders.execute("SELECT count(*) FROM jet.orders").fetchone() == (405,)

    # XCom carries receipts (counts and batch keys), never rows.
    ti = next(t for t in run.get_task_instances() if t.task_id == "pull_ready_orders")
    receipt = ti.xcom_pull(task_ids="pull_ready_orders")
    assert set(receipt) == {
        "listed", "loaded", "changed", "quarantined", "missing", "skipped_created", "unreadable", "refused",
        "order_by_order", "batches",
    }  # fmt: skip
    assert receipt["loaded"] == 5
    assert all(isinstance(v, int) for k, v in receipt.items() if k != "batches")
    assert all(isinstance(b, str) for b in receipt["batches"])

    # The same run again (as a cleared and re-run DAG run would): every table unchanged.
    before = table_checksums(clean_orders)
    _, again = _run(dag, datetime(2026, 3, 2, 15, 10, tzinfo=UTC))
    assert again["pull_ready_orders"] == "success"
    assert table_checksums(clean_orders) == before

    # Nothing changed at Jet: the run succeeds and does not publish the Asset.
    _, quiet = _run(dag, datetime(2026, 3, 2, 15, 20, tzinfo=UTC))
    assert quiet["publish_orders_landed"] == "skipped"


def test_jet_import_order_rejects_bad_params_before_running(dagbag: Any) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    dag = dagbag.dags["jet_import_order"]
    with pytest.raises(ParamValidationError):
        dag.test(run_conf={"merchant_order_ids": "not-a-list"})
    with pytest.raises(ParamValidationError):
        dag.test(run_conf={"statuses": ["created"]})
