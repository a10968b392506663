"""The decision DAGs run for real (dag.test) against the sandbox and the test warehouse:
the branch picks the groups with work, the join runs, the manual DAGs act once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.decisions.conftest import sandbox_now

pytestmark = [pytest.mark.dags, pytest.mark.integration]


@pytest.fixture
def dagbag(dag_bag: Any) -> Any:
    return dag_bag


def states(run: Any) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_decide_dag_is_scheduled_on_the_orders_and_catalog_assets(dagbag: Any) -> None:
    from airflow.sdk.definitions.asset import AssetAny

    from jet.assets import CATALOG_LOADED, ORDERS_LANDED

    dag = dagbag.dags["jet_decide_orders"]
    condition = dag.timetable.asset_condition
    assert isinstance(condition, AssetAny), "either asset triggers a run"
    assert [a.name for a in condition.objects] == [ORDERS_LANDED.name, CATALOG_LOADED.name]
    outlets = dagbag.dags["jet_load_inventory"].get_task("load_inventory").outlets
    assert [a.name for a in outlets] == [CATALOG_LOADED.name]
    assert dag.params["dry_run"] is False


@pytest.mark.slow
def test_branch_runs_only_the_groups_with_work_and_the_join_runs(
    dagbag: Any, sandbox: Any, seeded: Any, pull: Any, decisions_db: Any
) -> None:
    known = next(s["merchant_sku"] for s in seeded["skus"] if s["known_to_merchant"] and s["merchant_on_hand"] > 10)
    unknown = next(s["merchant_sku"] for s in seeded["skus"] if not s["known_to_merchant"])
    sandbox.generate_orders(3, status="ready", lines=[{"merchant_sku": known, "quantity": 1}])
    sandbox.generate_orders(2, status="ready", lines=[{"merchant_sku": unknown, "quantity": 1}])
    pull()
    dag = dagbag.dags["jet_decide_orders"]

    run = dag.test(logical_date=sandbox_now(sandbox))

    assert states(run) == {
        "decide_orders": "success",
        "route": "success",
        "send_acknowledgements": "success",
        "send_cancellations": "success",
        "send_rejections": "skipped",
        "report_held": "skipped",
        "nothing_to_send": "skipped",
        "join": "success",
        "settle": "success",
        "check_deadlines": "success",
        "catalog_guard": "success",
    }
    assert sorted(e["body"]["acknowledgement_status"] for e in sandbox.ledger()) == [
        "accepted",
        "accepted",
        "accepted",
        "rejected - item level error",
        "rejected - item level error",
    ]


@pytest.mark.slow
def test_dry_run_dag_sends_nothing(dagbag: Any, sandbox: Any, seeded: Any, pull: Any, decisions_db: Any) -> None:
    sandbox.generate_orders(10, status="ready")
    pull()
    run = dagbag.dags["jet_decide_orders"].test(logical_date=sandbox_now(sandbox), run_conf={"dry_run": True})
    s = states(run)
    assert s["nothing_to_send"] == "success"
    assert s["join"] == "success"
    assert s["send_acknowledgements"] == "skipped"
    assert decisions_db.execute("SELECT count(*), bool_and(dry_run) FROM jet.decisions").fetchone() == (10, True)
    assert sandbox.ledger() == []


def test_a_misspelled_dry_run_fails_the_decide_run_before_anything_is_sent(
    dagbag: Any, sandbox: Any, seeded: Any, pull: Any, decisions_db: Any
) -> None:
    """``dryrun`` for ``dry_run`` would otherwise run for real: the run fails at its first
    task, on its first try, and nothing is decided or sent."""
    sandbox.generate_orders(3, status="ready")
    pull()
    run = dagbag.dags["jet_decide_orders"].test(logical_date=sandbox_now(sandbox), run_conf={"dryrun": True})
    assert states(run)["decide_orders"] == "failed"
    assert decisions_db.execute("SELECT count(*) FROM jet.decisions").fetchone() == (0,)
    assert sandbox.ledger() == []


@pytest.mark.slow
def test_manual_dags_approve_and_cancel(dagbag: Any, sandbox: Any, seeded: Any, pull: Any, decisions_db: Any) -> None:
    from jet.decisions import tasks
    from tests.integration.decisions.conftest import run_at, set_settings

    set_settings(decisions_db, auto_acknowledge=False)
    first, second = sandbox.generate_orders(2, status="ready")
    pull()
    tasks.run_cycle(run_at(sandbox))
    approve = dagbag.dags["jet_approve_order"].test(
        logical_date=sandbox_now(sandbox), run_conf={"merchant_order_id": first}
    )
    assert states(approve) == {"approve_order": "success"}
    cancel = dagbag.dags["jet_cancel_order"].test(
        logical_date=sandbox_now(sandbox), run_conf={"merchant_order_id": second, "reason": "fraud"}
    )
    assert states(cancel) == {"cancel_order": "success"}
    truth = {o["order"]["merchant_order_id"]: o["order"] for o in sandbox.truth_orders()}
    assert truth[first]["acknowledgement_status"] == "accepted"
    assert truth[second]["acknowledgement_status"] == "rejected - fraud"


def test_manual_dags_refuse_bad_params_before_running(dagbag: Any) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        dagbag.dags["jet_cancel_order"].test(run_conf={"merchant_order_id": "abcdef0123456789", "reason": "bored"})
    with pytest.raises(ParamValidationError):
        dagbag.dags["jet_approve_order"].test(run_conf={"merchant_order_id": "x"})
    with pytest.raises(ParamValidationError):
        dagbag.dags["jet_decide_orders"].test(run_conf={"dry_run": "yes"})


def test_load_inventory_dag_loads_a_file_of_the_inbox_only(
    dagbag: Any, decisions_db: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("JET_INVENTORY_INBOX", str(tmp_path))
    csv = tmp_path / "catalog.csv"
    csv.write_text(
        "sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"
        "A,Socks,3.20,false,false,n1,40,\n"
    )
    run = dagbag.dags["jet_load_inventory"].test(run_conf={"file_path": "catalog.csv"})
    assert states(run) == {"load_inventory": "success"}
    assert decisions_db.execute("SELECT sku, on_hand FROM jet.inventory").fetchall() == [("A", 40)]

    refused = dagbag.dags["jet_load_inventory"].test(run_conf={"file_path": "/etc/passwd"})
    (ti,) = refused.get_task_instances()
    assert (ti.state, ti.try_number) == ("failed", 1), "refused at once, not retried"
    assert decisions_db.execute("SELECT count(*) FROM jet.products").fetchone() == (1,)


@pytest.mark.slow
def test_with_an_empty_catalog_the_decide_run_fails_and_sends_nothing(
    dagbag: Any, sandbox: Any, pull: Any, decisions_db: Any, jet_connection: Any
) -> None:
    sandbox.generate_orders(3, status="ready")
    pull()
    run = dagbag.dags["jet_decide_orders"].test(logical_date=sandbox_now(sandbox))
    s = states(run)
    assert s["decide_orders"] == "success"
    assert s["settle"] == "success"
    assert s["catalog_guard"] == "failed"
    assert run.state == "failed"
    assert sandbox.ledger() == []
    assert decisions_db.execute("SELECT count(*) FROM jet.decisions").fetchone() == (0,)
