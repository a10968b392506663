"""Refusals that can never succeed fail a manual DAG's task at once, without retries, the
reason first in the log, and before anything is recorded or sent to Jet: a misspelled
Param, ship dates in 1900 or 2999, a NUL in a tracking number or a note."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from jet.fulfillment.shipments import Shipment, ShipmentLine, ShipmentRefused, record_shipment
from jet.notes import NoteRefused, add_user_note
from tests.integration.fulfillment.conftest import run_at, sandbox_now

pytestmark = [pytest.mark.integration, pytest.mark.dags]
LINES = [{"merchant_sku": "SKU-A", "quantity": 2}]


@pytest.fixture
def dagbag(dag_bag: Any) -> Any:
    return dag_bag


def failed_at_once(run: Any, task_id: str) -> None:
    (ti,) = [ti for ti in run.get_task_instances() if ti.task_id == task_id]
    assert ti.state == "failed", ti.state
    assert ti.max_tries >= 1, "the DAG allows a retry (for a lost connection)..."
    assert ti.try_number == 1, "...but a refusal is not retried"
    assert run.state == "failed"


def first_error(caplog: Any) -> str:
    """The first ERROR the task logged (the traceback Airflow adds follows it)."""
    return next(r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_a_misspelled_param_fails_the_cancel_before_anything_is_sent(
    dagbag: Any, sandbox: Any, place: Any, fdb: psycopg.Connection, caplog: Any
) -> None:
    (oid,) = place(LINES, acknowledge=False)
    caplog.clear()
    run = dagbag.dags["jet_cancel_order"].test(
        logical_date=sandbox_now(sandbox), run_conf={"merchant_order_id": oid, "reason": "fraud", "reasn": "typo"}
    )
    failed_at_once(run, "cancel_order")
    assert "unknown parameter 'reasn' (did you mean 'reason'?)" in first_error(caplog)
    assert sandbox.ledger() == []
    assert fdb.execute("SELECT count(*) FROM jet.actions").fetchone() == (0,)


@pytest.mark.parametrize("ship_date", ["1900-01-01", "2999-12-31T00:00:00Z"])
def test_a_ship_date_out_of_bounds_is_refused_before_it_is_recorded(
    dagbag: Any, sandbox: Any, place: Any, fdb: psycopg.Connection, caplog: Any, ship_date: str
) -> None:
    (oid,) = place(LINES)
    ledger = sandbox.ledger()  # the acknowledgement
    caplog.clear()
    run = dagbag.dags["jet_ship_order"].test(
        logical_date=sandbox_now(sandbox),
        run_conf={
            "merchant_order_id": oid,
            "carrier": "UPS",
            "shipping_method": "UPS Ground",
            "tracking_number": "1Z999AA10123456784",
            "ship_date": ship_date,
        },
    )
    failed_at_once(run, "record_shipment")
    line = first_error(caplog)
    assert line.startswith("ship_date"), line
    assert "is not between the order's placement" in line, line
    assert fdb.execute("SELECT count(*) FROM jet.shipment_requests").fetchone() == (0,)
    assert sandbox.ledger() == ledger


def test_nul_and_oversized_text_get_a_readable_refusal_not_a_database_error(
    sandbox: Any, place: Any, fdb: psycopg.Connection
) -> None:
    (oid,) = place(LINES)

    def ship(tracking: str) -> None:
        record_shipment(
            fdb,
            run_at(sandbox, "jet_ship_order"),
            Shipment(oid, (ShipmentLine("SKU-A", 1),), "UPS", "UPS Ground", tracking, sandbox_now(sandbox)),
        )

    with pytest.raises(ShipmentRefused, match=r"tracking_number contains a control character \(NUL\)"):
        ship("1Z999\x00AA")
    with pytest.raises(ShipmentRefused, match="tracking_number is 500 characters long, at most 50"):
        ship("1" * 500)
    with pytest.raises(NoteRefused, match=r"text contains a control character \(NUL\) at position 5"):
        add_user_note(fdb, run_at(sandbox, "jet_add_order_note"), oid, "alice", "call\x00me")
    assert fdb.execute("SELECT count(*) FROM jet.shipment_requests").fetchone() == (0,)
    assert fdb.execute("SELECT count(*) FROM jet.order_notes WHERE kind = 'user'").fetchone() == (0,)
