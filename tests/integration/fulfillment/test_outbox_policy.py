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
