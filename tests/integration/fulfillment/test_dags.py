"""The fulfilment DAGs run for real (dag.test) against the sandbox and the test warehouse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

pytestmark = [pytest.mark.dags, pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def bag(dag_bag: Any) -> Any:
    return dag_bag


def _run(dag: Any, when: datetime, conf: dict | None = None) -> dict[str, Any]:
    run = dag.test(logical_date=when, run_conf=conf)
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_ship_upload_note_and_print_through_the_dags(
    bag: Any, sandbox: Any, place: Any, fdb: psycopg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JET_OUTPUT_DIR", str(tmp_path))
    (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 2}])
    conf = {
        "merchant_order_id": oid,
        "lines": [{"merchant_sku": "SKU-A", "quantity_shipped": 1}],
        "carrier": "FedEx",
        "shipping_method": "FedEx Home Delivery",
        "tracking_number": "7712",
        "ship_from_zip": "07030",
    }
    assert _run(bag.dags["jet_ship_order"], datetime(2026, 3, 2, 15, 1, tzinfo=UTC), conf) == {
        "record_shipment": "success"
    }
    assert _run(bag.dags["jet_fulfillment"], datetime(2026, 3, 2, 15, 2, tzinfo=UTC)) == {"upload_shipments": "success"}
    assert fdb.execute("SELECT status FROM jet.shipment_request_status").fetchall() == [("confirmed",)]
    note = {"merchant_order_id": oid, "author": "alice", "text": "gift wrap requested"}
    assert _run(bag.dags["jet_add_order_note"], datetime(2026, 3, 2, 15, 3, tzinfo=UTC), note) == {
        "add_note": "success"
    }
    assert _run(
        bag.dags["jet_print_invoice"], datetime(2026, 3, 2, 15, 4, tzinfo=UTC), {"merchant_order_ids": [oid]}
    ) == {"print_invoices": "success"}
    assert len(list((tmp_path / "invoices").glob("*.pdf"))) == 1

    # The rest ships, then a refund Jet decides at once (sandbox timers at 0): the
    # sensor's first poke sees it accepted.
    rest = {**conf, "lines": [], "tracking_number": "7713"}
    _run(bag.dags["jet_ship_order"], datetime(2026, 3, 2, 15, 5, tzinfo=UTC), rest)
    _run(bag.dags["jet_fulfillment"], datetime(2026, 3, 2, 15, 6, tzinfo=UTC))
    sandbox.set_config(refund_processing_seconds=0, refund_decision_seconds=0)
    (item,) = fdb.execute("SELECT order_item_id FROM jet.order_items WHERE merchant_order_id = %s", (oid,)).fetchone()
    refund = {"merchant_order_id": oid, "lines": [{"order_item_id": item, "quantity": 1}], "reason": "Unwanted gift"}
    states = _run(bag.dags["jet_refund_order"], datetime(2026, 3, 2, 15, 7, tzinfo=UTC), refund)
    assert states == {"post_refund": "success", "follow_refund": "success"}
    assert fdb.execute("SELECT refund_status, decided_at IS NOT NULL, actor FROM jet.refunds").fetchall() == [
        ("accepted", True, "dag_test")
    ], "the refund names the user who triggered jet_refund_order"

    # Jet opens a return on the unit left; jet_returns lands it; jet_complete_return completes it.
    return_id = sandbox.generate_return(oid)
    assert _run(bag.dags["jet_returns"], datetime(2026, 3, 2, 15, 8, tzinfo=UTC)) == {
        "land_returns": "success",
        "auto_complete_returns": "success",
        "follow_refunds": "success",
        "return_deadlines": "success",
    }
    done = {"merchant_return_authorization_id": return_id, "decision": "accept", "agree_to_return_charge": True}
    assert _run(bag.dags["jet_complete_return"], datetime(2026, 3, 2, 15, 9, tzinfo=UTC), done) == {
        "complete_return": "success"
    }
    assert fdb.execute("SELECT return_status FROM jet.returns").fetchall() == [("completed by merchant",)]
    history = fdb.execute("SELECT author, actor FROM jet.order_history WHERE merchant_order_id = %s", (oid,)).fetchall()
    authors = [author for author, _ in history]
    # A person's note is signed by the run's triggering user (dag.test's is "dag_test"),
    # not by the typed author; and what the manual runs wrote names that user too.
    assert ("dag_test", "dag_test") in history
    assert "alice" not in authors
    assert "system:fulfillment" in authors
    assert {actor for author, actor in history if author == "system:refunds"} == {"dag_test"}


def test_bad_params_are_refused_before_running(bag: Any) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        bag.dags["jet_ship_order"].test(run_conf={"merchant_order_id": "x"})
    with pytest.raises(ParamValidationError):
        bag.dags["jet_refund_order"].test(
            run_conf={"merchant_order_id": "a" * 32, "lines": [{"order_item_id": "b", "quantity": 1}], "reason": "meh"}
        )
    with pytest.raises(ParamValidationError):
        bag.dags["jet_complete_return"].test(
            run_conf={"merchant_return_authorization_id": "a" * 32, "decision": "maybe"}
        )
