"""The whole life of an order after ingestion, over HTTP against the sandbox and in the
real test warehouse: ready → acknowledged (the decisions' outbox) → partially shipped →
shipped → return → completed return → merchant refund (followed until accepted)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
from jet.fulfillment.tasks import upload
from jet.refunds import RefundLine, request_refund
from jet.refunds.tasks import follow_refunds
from jet.returns import Completion, ReturnLineCredit, complete_return, land_returns
from tests.integration.fulfillment.conftest import run_at, sandbox_now

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def status_of(conn: psycopg.Connection, order_id: str) -> str:
    return conn.execute(
        "SELECT internal_status FROM jet.order_status_map WHERE merchant_order_id = %s", (order_id,)
    ).fetchone()[0]


def truth_order(sandbox: Any, order_id: str) -> dict[str, Any]:
    return next(o["order"] for o in sandbox.truth_orders() if o["order"]["merchant_order_id"] == order_id)


def test_full_lifecycle(sandbox: Any, jet_connection: Any, fdb: psycopg.Connection) -> None:
    from jet.catalog.demo import seed_from_sandbox
    from jet.decisions.tasks import run_cycle
    from jet.orders.tasks import pull_ready, refresh_open

    catalog = sandbox.truth("catalog")
    seed_from_sandbox(fdb, catalog, sandbox_now(sandbox))
    stocked = [s["merchant_sku"] for s in catalog["skus"] if s["known_to_merchant"] and s["merchant_on_hand"] >= 6]
    sku_a, sku_b = stocked[:2]
    (oid,) = sandbox.generate_orders(
        1, status="ready", lines=[{"merchant_sku": sku_a, "quantity": 3}, {"merchant_sku": sku_b, "quantity": 2}]
    )

    # ready → acknowledged, by the real decision flow (decision + action committed first).
    pull_ready(run_at(sandbox, "jet_orders"))
    assert status_of(fdb, oid) == "new"
    run_cycle(run_at(sandbox, "jet_decide_orders"))
    refresh_open(run_at(sandbox, "jet_orders", timedelta(seconds=1)))
    assert status_of(fdb, oid) == "acknowledged"

    # → partially shipped
    now = sandbox_now(sandbox)
    ship = {"carrier": "UPS", "shipping_method": "UPS Ground", "tracking_number": "1Z1", "ship_date": now}
    record_shipment(fdb, run_at(sandbox, "jet_ship_order"), Shipment(oid, (ShipmentLine(sku_a, 2),), **ship))
    upload(run_at(sandbox, "jet_fulfillment"))
    assert status_of(fdb, oid) == "partially shipped"
    assert truth_order(sandbox, oid)["status"] == "inprogress"

    # → shipped (the last SKU-B unit cancelled: a partial cancellation in the same message)
    record_shipment(
        fdb,
        run_at(sandbox, "jet_ship_order", timedelta(minutes=1)),
        Shipment(oid, (ShipmentLine(sku_a, 1), ShipmentLine(sku_b, 1, 1)), **{**ship, "tracking_number": "1Z2"}),
    )
    upload(run_at(sandbox, "jet_fulfillment", timedelta(minutes=2)))
    assert status_of(fdb, oid) == "shipped"
    assert truth_order(sandbox, oid)["status"] == "complete"

    # → return (Jet opens it), landed
    return_id = sandbox.generate_return(oid)
    land_returns(fdb, _hook(), run_at(sandbox, "jet_returns"))
    assert status_of(fdb, oid) == "returned"
    requested = fdb.execute(
        "SELECT order_item_id, return_quantity, requested_principal FROM jet.return_items"
        " WHERE merchant_return_authorization_id = %s ORDER BY order_item_id",
        (return_id,),
    ).fetchall()
    assert requested

    # → completed return: the first line gets 1 USD less principal (partial, with feedback)
    first_item, _, principal = requested[0]
    completion = Completion(
        lines=(ReturnLineCredit(first_item, principal=principal - Decimal("1.00"), feedback="Restocking fee"),),
        agree_to_return_charge=True,
    )
    complete_return(fdb, _hook(), run_at(sandbox, "jet_complete_return"), return_id, completion)
    assert fdb.execute(
        "SELECT return_status FROM jet.returns WHERE merchant_return_authorization_id = %s", (return_id,)
    ).fetchone() == ("completed by merchant",)
    granted = fdb.execute(
        "SELECT refund_principal FROM jet.return_items WHERE merchant_return_authorization_id = %s"
        " AND order_item_id = %s",
        (return_id, first_item),
    ).fetchone()[0]
    assert granted == principal - Decimal("1.00")
    assert status_of(fdb, oid) == "refunded"

    # → merchant refund of a shipped unit not returned, followed until accepted
    units = dict(
        fdb.execute(
            "SELECT i.order_item_id, i.merchant_sku FROM jet.order_items i WHERE merchant_order_id = %s", (oid,)
        ).fetchall()
    )
    returned = Counter({item: qty for item, qty, _ in requested})
    shipped = {item: (3 if sku == sku_a else 1) for item, sku in units.items()}
    line = next(item for item in sorted(units) if shipped[item] - returned[item] > 0)
    posted = request_refund(
        fdb,
        _hook(),
        run_at(sandbox, "jet_refund_order"),
        oid,
        [RefundLine(line, 1, reason="Item arrived damaged - box damaged", feedback="Item damaged")],
    )
    assert posted["refund_status"] == "created"
    assert posted["refund_authorization_id"]
    sandbox.advance(4300)
    followed = follow_refunds(run_at(sandbox, "jet_returns"))
    assert followed["statuses"] == {posted["alt_refund_id"]: "accepted"}
    assert status_of(fdb, oid) == "refunded"

    # The sandbox saw each write exactly once.
    kinds = Counter(e["kind"] for e in sandbox.ledger() if e["merchant_order_id"] == oid)
    assert kinds == {"acknowledge": 1, "shipped": 2, "return_complete": 1, "refund": 1}, kinds
    truth_refund = next(r for r in sandbox.truth("refunds")["refunds"] if r["alt_refund_id"] == posted["alt_refund_id"])
    assert truth_refund["refund_status"] == "accepted"

    # And the order's history reads top to bottom.
    history = [r[0] for r in fdb.execute("SELECT author FROM jet.order_history WHERE merchant_order_id = %s", (oid,))]
    assert history[0] == "Jet", "the story starts with the customer placing the order"
    assert next(a for a in history if a != "Jet") == "system:decisions"
    assert {"system:outbox", "system:fulfillment", "system:refunds"} <= set(history)
    bodies = [r[0] for r in fdb.execute("SELECT body FROM jet.order_history WHERE merchant_order_id = %s", (oid,))]
    assert any(b.startswith("customer opened return") for b in bodies), "Jet's side: the return"
    assert any(b.startswith("Jet shows the order complete") for b in bodies), "Jet's side: each status seen"


def _hook() -> Any:
    from jet.api.hook import JetHook

    return JetHook()
