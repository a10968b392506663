"""Refusals that change nothing, and exactly-once writes under dropped connections."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.fulfillment.shipments import Shipment, ShipmentLine, ShipmentRefused, record_shipment
from jet.fulfillment.tasks import upload
from jet.refunds import RefundLine, RefundRefused, request_refund
from tests.integration.fulfillment.conftest import run_at, sandbox_now, ship_ledger, snapshot

pytestmark = pytest.mark.integration

LINES = [{"merchant_sku": "SKU-A", "quantity": 3}, {"merchant_sku": "SKU-B", "quantity": 1}]


def _hook() -> Any:
    from jet.api.hook import JetHook

    return JetHook()


def _ship(sandbox: Any, oid: str, lines: tuple[ShipmentLine, ...], tracking: str = "1Z1") -> Shipment:
    return Shipment(
        oid,
        lines,
        carrier="UPS",
        shipping_method="UPS Ground",
        tracking_number=tracking,
        ship_date=sandbox_now(sandbox),
    )


def _items(conn: psycopg.Connection, oid: str) -> dict[str, str]:
    return dict(
        conn.execute("SELECT merchant_sku, order_item_id FROM jet.order_items WHERE merchant_order_id = %s", (oid,))
    )


def test_refunding_unshipped_units_is_refused_pointing_to_cancellation(
    sandbox: Any, place: Any, fdb: psycopg.Connection
) -> None:
    (oid,) = place(LINES)
    record_shipment(fdb, run_at(sandbox, "jet_ship_order"), _ship(sandbox, oid, (ShipmentLine("SKU-A", 1),)))
    upload(run_at(sandbox, "jet_fulfillment"))
    items = _items(fdb, oid)
    before, ledger = snapshot(fdb), sandbox.ledger()

    for line in (
        RefundLine(items["SKU-B"], 1, reason="Accidental order"),
        RefundLine(items["SKU-A"], 2, reason="Accidental order"),
    ):
        with pytest.raises(
            RefundRefused,
            match=r"did not ship: units that did not ship are not refunded but cancelled \(jet_cancel_order",
        ):
            request_refund(fdb, _hook(), run_at(sandbox, "jet_refund_order"), oid, [line])
    with pytest.raises(RefundRefused, match="unknown refund_reason"):
        request_refund(
            fdb, _hook(), run_at(sandbox, "jet_refund_order"), oid, [RefundLine(items["SKU-A"], 1, reason="meh")]
        )

    assert snapshot(fdb) == before
    assert sandbox.ledger() == ledger


def test_cancelling_a_shipped_order_is_refused(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    from jet.decisions.manual import OperatorActionRefused, cancel_order

    (oid,) = place(LINES)
    record_shipment(fdb, run_at(sandbox, "jet_ship_order"), _ship(sandbox, oid, ()))
    upload(run_at(sandbox, "jet_fulfillment"))
    before, ledger = snapshot(fdb), sandbox.ledger()

    with pytest.raises(ShipmentRefused, match="complete at Jet: shipped units can only be refunded"):
        record_shipment(
            fdb,
            run_at(sandbox, "jet_ship_order"),
            Shipment(oid, (), cancel_open_units=True),
        )
    with pytest.raises(OperatorActionRefused, match="cannot be cancelled; issue a refund"):
        cancel_order(fdb, _hook(), run_at(sandbox, "jet_cancel_order"), oid, "customer_request")

    assert snapshot(fdb) == before
    assert sandbox.ledger() == ledger


def test_cancellation_only_shipment(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place(LINES)
    record_shipment(fdb, run_at(sandbox, "jet_ship_order"), Shipment(oid, (), cancel_open_units=True))
    upload(run_at(sandbox, "jet_fulfillment"))
    (entry,) = ship_ledger(sandbox)
    (shipment,) = entry["body"]["shipments"]
    assert "carrier" not in shipment
    assert shipment["alt_shipment_id"].startswith("JF-SHP-")
    assert {i["merchant_sku"]: i["response_shipment_cancel_qty"] for i in shipment["shipment_items"]} == {
        "SKU-A": 3,
        "SKU-B": 1,
    }
    assert fdb.execute(
        "SELECT internal_status, jet_status FROM jet.order_status_map WHERE merchant_order_id = %s", (oid,)
    ).fetchone() == ("cancelled", "complete")


@pytest.mark.slow
def test_dropped_connections_never_apply_a_write_twice(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    orders = place(LINES, count=12)
    for n, oid in enumerate(orders):
        record_shipment(
            fdb, run_at(sandbox, "jet_ship_order"), _ship(sandbox, oid, (ShipmentLine("SKU-A", 2),), f"A{n}")
        )
        record_shipment(
            fdb,
            run_at(sandbox, "jet_ship_order"),
            _ship(sandbox, oid, (ShipmentLine("SKU-A", 1), ShipmentLine("SKU-B", 0, 1)), f"B{n}"),
        )
    sandbox.set_faults([{"kind": "drop_after_apply", "rate": 0.2, "methods": ["PUT", "POST"]}])

    upload(run_at(sandbox, "jet_fulfillment"))
    upload(run_at(sandbox, "jet_fulfillment", timedelta(minutes=10)))  # the next scheduled run settles the rest
    refunds = []
    for oid in orders:
        items = _items(fdb, oid)
        refunds.append(
            request_refund(
                fdb,
                _hook(),
                run_at(sandbox, "jet_refund_order"),
                oid,
                [RefundLine(items["SKU-A"], 1, reason="Package arrived late", feedback="Items not received")],
            )
        )
    dropped = sum(1 for r in sandbox.requests_log() if r["status"] == 0)
    sandbox.clear_faults()

    assert dropped >= 3, f"the fault must have fired (dropped {dropped})"
    shipped = Counter(s["alt_shipment_id"] for e in ship_ledger(sandbox) for s in e["body"]["shipments"])
    assert len(shipped) == 24, shipped
    assert set(shipped.values()) == {1}, shipped
    posted = Counter(e["path"].rsplit("/", 1)[-1] for e in sandbox.ledger() if e["kind"] == "refund")
    assert len(posted) == 12, posted
    assert set(posted.values()) == {1}, posted
    statuses = dict(fdb.execute("SELECT status, count(*) FROM jet.shipment_request_status GROUP BY 1").fetchall())
    assert statuses == {"confirmed": 24}
    assert {r["merchant_order_id"]: r["refund_status"] for r in refunds} == {oid: "created" for oid in orders}
    for oid in orders:
        truth = next(o["order"] for o in sandbox.truth_orders() if o["order"]["merchant_order_id"] == oid)
        assert truth["status"] == "complete"
        assert "exception_state" not in truth
