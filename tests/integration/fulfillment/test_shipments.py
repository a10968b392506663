"""Shipments: recorded in the warehouse, uploaded through the outbox, confirmed by
re-reading the order - against the real sandbox and the real test warehouse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.fulfillment.shipments import Shipment, ShipmentLine, ShipmentRefused, record_shipment
from jet.fulfillment.tasks import upload
from tests.integration.fulfillment.conftest import run_at, ship_ledger, snapshot

pytestmark = pytest.mark.integration

LINES = [{"merchant_sku": "SKU-A", "quantity": 3, "base_price": 20.0}, {"merchant_sku": "SKU-B", "quantity": 1}]


def ups(order_id: str, lines: tuple[ShipmentLine, ...], sandbox: Any, **kw: Any) -> Shipment:
    from tests.integration.fulfillment.conftest import sandbox_now

    return Shipment(
        merchant_order_id=order_id,
        lines=lines,
        carrier=kw.pop("carrier", "ups"),
        shipping_method=kw.pop("shipping_method", "UPS_ground"),
        tracking_number="1Z999AA10123456784",
        ship_date=sandbox_now(sandbox),
        ship_from_zip="07030",
        **kw,
    )


def test_partial_then_rest_then_confirmed(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place(LINES)
    run = run_at(sandbox, "jet_ship_order")
    first = record_shipment(fdb, run, ups(oid, (ShipmentLine("SKU-A", 2),), sandbox))
    again = record_shipment(fdb, run, ups(oid, (ShipmentLine("SKU-A", 2),), sandbox))
    assert again == {**first, "recorded": False}, "the same run records one shipment"

    receipt = upload(run_at(sandbox, "jet_fulfillment"))
    assert receipt["queued"] == 1
    assert receipt["by_status"] == {"confirmed": 1}
    assert fdb.execute("SELECT status FROM jet.orders WHERE merchant_order_id = %s", (oid,)).fetchone() == (
        "inprogress",
    )
    assert fdb.execute(
        "SELECT internal_status FROM jet.order_status_map WHERE merchant_order_id = %s", (oid,)
    ).fetchone() == ("partially shipped",)

    # The rest: one SKU-A unit cancelled, SKU-B shipped (carrier spelled Jet's way).
    later = run_at(sandbox, "jet_ship_order", timedelta(minutes=1))
    record_shipment(
        fdb,
        later,
        ups(
            oid,
            (ShipmentLine("SKU-A", 0, 1), ShipmentLine("SKU-B", 1)),
            sandbox,
            carrier="FedEx",
            shipping_method="FedEx Ground",
        ),
    )
    upload(run_at(sandbox, "jet_fulfillment", timedelta(minutes=2)))
    truth = next(o for o in sandbox.truth_orders() if o["order"]["merchant_order_id"] == oid)["order"]
    assert truth["status"] == "complete"
    ours = [r[0] for r in fdb.execute("SELECT alt_shipment_id FROM jet.shipment_requests ORDER BY 1")]
    assert [s["alt_shipment_id"] for s in truth["shipments"]] == ours
    assert ours[0] == first["alt_shipment_id"]
    assert len(ship_ledger(sandbox)) == 2
    assert fdb.execute(
        "SELECT internal_status FROM jet.order_status_map WHERE merchant_order_id = %s", (oid,)
    ).fetchone() == ("shipped",)
    notes = [r[0] for r in fdb.execute("SELECT body FROM jet.order_history WHERE merchant_order_id = %s", (oid,))]
    assert any("confirmed by Jet" in n for n in notes), notes


def test_waits_for_acknowledgement(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place(LINES, acknowledge=False)
    record_shipment(fdb, run_at(sandbox, "jet_ship_order"), ups(oid, (), sandbox))
    receipt = upload(run_at(sandbox, "jet_fulfillment"))
    assert receipt["waiting_for_acknowledgement"] == 1
    assert receipt["by_status"] == {"pending": 1}
    assert ship_ledger(sandbox) == []


@pytest.mark.parametrize(
    ("shipment_kw", "lines", "message"),
    [
        ({"carrier": "Pony Express"}, (ShipmentLine("SKU-A", 1),), "unknown shipping carrier 'Pony Express'"),
        ({"shipping_method": "Carrier pigeon"}, (ShipmentLine("SKU-A", 1),), "unknown shipping method"),
        ({}, (ShipmentLine("SKU-A", 4),), "over-shipping is refused"),
        ({}, (ShipmentLine("SKU-Z", 1),), "SKU SKU-Z is not on order"),
    ],
)
def test_refused_shipments_change_nothing(
    sandbox: Any, place: Any, fdb: psycopg.Connection, shipment_kw: dict, lines: Any, message: str
) -> None:
    (oid,) = place(LINES)
    before, ledger = snapshot(fdb), sandbox.ledger()
    with pytest.raises(ShipmentRefused, match=message):
        record_shipment(fdb, run_at(sandbox, "jet_ship_order"), ups(oid, lines, sandbox, **shipment_kw))
    upload(run_at(sandbox, "jet_fulfillment"))
    assert snapshot(fdb) == before
    assert sandbox.ledger() == ledger
