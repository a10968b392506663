"""The outbox's failure policy, line by line, against the sandbox over real HTTP.

Judged by the sandbox's ledger of applied writes, not by our own bookkeeping.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import psycopg
import pytest

from jet import outbox
from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
from jet.fulfillment.tasks import upload
from jet.refunds import RefundLine, request_refund
from tests.helpers import poll
from tests.integration.fulfillment.conftest import run_at, sandbox_now, ship_ledger

pytestmark = pytest.mark.integration

LINES = [{"merchant_sku": "SKU-A", "quantity": 3}, {"merchant_sku": "SKU-B", "quantity": 1}]
# Jet answers (and applies) 4 s after our 2 s read timeout gave up.
LATE = {"kind": "hang", "rate": 1.0, "params": {"seconds": 6.0}}


def _hook() -> Any:
    from jet.api.hook import JetHook

    return JetHook()


def _items(conn: psycopg.Connection, oid: str) -> dict[str, str]:
    return dict(
        conn.execute("SELECT merchant_sku, order_item_id FROM jet.order_items WHERE merchant_order_id = %s", (oid,))
    )


def test_a_shipment_and_a_refund_jet_applies_after_the_timeout_are_applied_once(
    sandbox: Any, place: Any, fdb: psycopg.Connection, jet_connection: Any
) -> None:
    # 2 s read timeout; Jet may apply up to 5 s after we gave up (the quiet period is longer).
    jet_connection(read_timeout=2, connect_timeout=1, write_budget_wait=1, late_apply_seconds=5)
    (oid,) = place(LINES)
    record_shipment(
        fdb,
        run_at(sandbox, "jet_ship_order"),
        Shipment(oid, (ShipmentLine("SKU-A", 3), ShipmentLine("SKU-B", 1)), "UPS", None, "1Z9", sandbox_now(sandbox)),
    )
    sandbox.set_faults([{**LATE, "methods": ["PUT"], "path": r"/orders/[^/]+/shipped$"}])

    upload(run_at(sandbox, "jet_fulfillment"))

    assert len(ship_ledger(sandbox)) == 1, "the shipment was applied exactly once at Jet"
    (state, attempts), *_ = fdb.execute(
        "SELECT state, attempts FROM jet.actions WHERE merchant_order_id = %s AND call = 'ship'", (oid,)
    ).fetchall()
    assert (state, attempts) == ("applied", 1)
    assert fdb.execute(
        "SELECT outcome FROM jet.action_attempts JOIN jet.actions USING (action_id) WHERE merchant_order_id = %s",
        (oid,),
    ).fetchall() == [("unknown",)], "it timed out, and was settled from Jet's read-back, never sent again"

    sandbox.set_faults([{**LATE, "methods": ["POST"], "path": r"^/refunds/"}])
    items = _items(fdb, oid)
    refund = request_refund(
        fdb,
        _hook(),
        run_at(sandbox, "jet_refund_order"),
        oid,
        [RefundLine(items["SKU-A"], 1, reason="Package arrived late", feedback="Items not received")],
    )
    sandbox.clear_faults()

    posted = [e for e in sandbox.ledger() if e["kind"] == "refund"]
    assert len(posted) == 1, "the refund was applied exactly once at Jet"
    assert refund["refund_authorization_id"], "settled from GET /refunds/state/{alt id}: Jet's id recorded"
    assert fdb.execute(
        "SELECT state, attempts FROM jet.actions WHERE merchant_order_id = %s AND call = 'refund'", (oid,)
    ).fetchone() == ("applied", 1)


def test_outcomes_are_recorded_as_each_request_returns(
    sandbox: Any, place: Any, fdb: psycopg.Connection, jet_connection: Any
) -> None:
    jet_connection(max_concurrency=4)
    orders = place(LINES, count=12)
    for n, oid in enumerate(orders):
        record_shipment(
            fdb,
            run_at(sandbox, "jet_ship_order"),
            Shipment(oid, (ShipmentLine("SKU-A", 1),), "UPS", None, f"T{n}", sandbox_now(sandbox)),
        )
    from jet.fulfillment.shipments import UploadReceipt, plan_uploads

    hook = _hook()
    plan_uploads(fdb, hook, run_at(sandbox, "jet_fulfillment"), UploadReceipt())
    stuck, release = orders[0], threading.Event()

    class Slow:
        """The real hook; the shipment of one order waits until the test has looked."""

        settings = hook.settings

        def ship(self, order_id: str, body: Any) -> None:
            if order_id == stuck:
                assert release.wait(60), "the test never released the stuck request"
            hook.ship(order_id, body)

    from jet.warehouse.db import connect

    def send() -> None:
        with connect(autocommit=True) as conn:
            outbox.send(conn, Slow(), ("ship",))

    sender = threading.Thread(target=send)
    sender.start()
    try:
        states = poll(
            lambda: (
                (rows := dict(fdb.execute("SELECT state, count(*) FROM jet.actions GROUP BY 1").fetchall())).get(
                    "applied"
                )
                == 11
                and rows
            ),
            timeout=60,
            what="the eleven requests that returned recorded while one is still in flight",
            every=0.2,
        )
    finally:
        release.set()
        sender.join(60)
    assert states == {"applied": 11, "sending": 1}, "at most one sender thread's action in doubt, not a chunk"
    assert len(ship_ledger(sandbox)) == 12


def test_a_permanent_refusal_fails_at_once_with_jets_message(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place(LINES)
    # Our model accepts it; Jet refuses it (the SKU is not on the order): HTTP 400.
    item = {"merchant_sku": "SKU-Z", "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": 1}
    body = {"shipments": [{"alt_shipment_id": "X-1", "shipment_items": [item]}]}
    queued = outbox.queue(fdb, run_at(sandbox, "jet_ship_order"), oid, "cancel_units", body, reason="test")
    with pytest.raises(outbox.ActionFailed, match=r"is failed after 1 attempt.*HTTP 400") as info:
        outbox.apply_now(fdb, _hook(), queued.action_id)
    from jet.failures import PermanentError

    assert isinstance(info.value, PermanentError), "Airflow must not retry it (fail_fast)"
    assert "jet_retry_action" in str(info.value)
    assert ship_ledger(sandbox) == []
    rows = Counter(r["method"] for r in sandbox.requests_log() if r["path"].endswith("/shipped"))
    assert rows == {"PUT": 1}, "refused once, never resent"


def test_a_failed_action_is_requeued_once_and_read_back_first(
    sandbox: Any, place: Any, fdb: psycopg.Connection, jet_connection: Any, dag_bag: Any
) -> None:
    from datetime import UTC, datetime

    from tests.integration.fulfillment.conftest import acknowledge_at_jet

    dag = dag_bag.dags["jet_retry_action"]
    # A short quiet period.
    jet_connection(read_timeout=2, connect_timeout=1, write_budget_wait=1, late_apply_seconds=1)
    (applied_late, refused) = place(LINES, count=2, acknowledge=False)
    run = run_at(sandbox, "jet_approve_order")
    lines = [
        {"order_item_id": item, "order_item_acknowledgement_status": "fulfillable"}
        for item in _items(fdb, applied_late).values()
    ]
    accept = {"acknowledgement_status": "accepted", "order_items": lines}
    late = outbox.queue(fdb, run, applied_late, "acknowledge", accept, reason="test").action_id
    # Our side gave up on it (failed), but Jet applied it after all.
    fdb.execute(
        "UPDATE jet.actions SET state = 'failed', attempts = 1, last_error = 'gave up' WHERE action_id = %s",
        [late],
    )
    acknowledge_at_jet(sandbox, applied_late)
    puts = len([r for r in sandbox.requests_log() if r["method"] == "PUT"])

    states = dag.test(logical_date=datetime(2026, 3, 2, 15, 1, tzinfo=UTC), run_conf={"action_id": late})
    assert {ti.task_id: ti.state for ti in states.get_task_instances()} == {"retry_action": "success"}
    assert fdb.execute("SELECT state, requeues FROM jet.actions WHERE action_id = %s", (late,)).fetchone() == (
        "applied",
        1,
    )
    assert len([r for r in sandbox.requests_log() if r["method"] == "PUT"]) == puts, "read back, not sent again"

    # Re-queued once already: refused, without Airflow retries.
    run2 = dag.test(logical_date=datetime(2026, 3, 2, 15, 2, tzinfo=UTC), run_conf={"action_id": late})
    (ti,) = run2.get_task_instances()
    assert (ti.state, ti.try_number) == ("failed", 1)

    # Jet refuses it (a SKU not on the order): re-queued once, read back, sent, refused again.
    acknowledge_at_jet(sandbox, refused)
    item = {"merchant_sku": "SKU-Z", "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": 1}
    body = {"shipments": [{"alt_shipment_id": "X-2", "shipment_items": [item]}]}
    bad = outbox.queue(fdb, run, refused, "cancel_units", body, reason="test").action_id
    with pytest.raises(outbox.ActionFailed):
        outbox.apply_now(fdb, _hook(), bad)
    from jet.outbox.tasks import retry_action

    with pytest.raises(outbox.ActionFailed, match="is failed"):
        retry_action(run_at(sandbox, "jet_retry_action"), bad)
    with pytest.raises(outbox.ActionRefused, match="re-queued once already"):
        retry_action(run_at(sandbox, "jet_retry_action"), bad)


def test_two_fulfilment_uploads_at_once_both_succeed_and_ship_once(
    sandbox: Any, place: Any, fdb: psycopg.Connection, jet_connection: Any
) -> None:
    # A run that finds the other's writes still sending waits until they could be stale
    # (budget wait + both timeouts + 1 s: 41 s with the defaults, 5 s here), then settles.
    jet_connection(read_timeout=2, connect_timeout=1, write_budget_wait=1, late_apply_seconds=1)
    orders = place(LINES, count=6)
    for n, oid in enumerate(orders):
        record_shipment(
            fdb,
            run_at(sandbox, "jet_ship_order"),
            Shipment(oid, (ShipmentLine("SKU-A", 1),), "UPS", None, f"C{n}", sandbox_now(sandbox)),
        )
    runs = [run_at(sandbox, "jet_fulfillment"), run_at(sandbox, "jet_fulfillment")]
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def one(run: Any) -> None:
        try:
            start.wait(10)
            upload(run)
        except Exception as exc:  # noqa: BLE001 - asserted below: the test must see both runs end
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [], "both uploads succeed"
    shipped = Counter(s["alt_shipment_id"] for e in ship_ledger(sandbox) for s in e["body"]["shipments"])
    assert len(shipped) == 6
    assert set(shipped.values()) == {1}, "each shipment applied once"
    assert fdb.execute("SELECT count(*) FROM jet.actions WHERE call = 'ship'").fetchone() == (6,)
