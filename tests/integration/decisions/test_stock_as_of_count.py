"""Stock matches the warehouse floor: on_hand is a count as of the stock file's time, and units
shipped after that time are gone from it - real sandbox, real warehouse, real task code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.catalog.load_csv import Catalog, ProductRow, StockRow, load
from jet.decisions import tasks
from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
from jet.fulfillment.tasks import upload
from tests.integration.decisions.conftest import run_at, sandbox_now
from tests.integration.decisions.test_decide_flow import decision_of, place

pytestmark = pytest.mark.integration

SKU = "SOLO-1"


def stock_file(node: str, on_hand: int, counted_at: Any) -> Catalog:
    from decimal import Decimal

    return Catalog(
        products={SKU: ProductRow(SKU, "The only one", Decimal("4.00"), False, False)},
        stock=[StockRow(SKU, node, on_hand, None, counted_at)],
    )


def available(conn: psycopg.Connection, node: str) -> tuple[int, int, int, int]:
    return conn.execute(
        "SELECT on_hand, promised, shipped_since_count, available FROM jet.stock_available"
        " WHERE sku = %s AND fulfillment_node = %s",
        (SKU, node),
    ).fetchone()


def test_a_unit_shipped_after_the_stock_file_is_not_sold_again(
    sandbox: Any, jet_connection: Any, decisions_db: psycopg.Connection, pull: Any
) -> None:
    node = sandbox.truth("catalog")["fulfillment_nodes"][0]
    counted = sandbox_now(sandbox) - timedelta(hours=1)
    load(decisions_db, stock_file(node, 1, counted), counted)

    first = place(sandbox, node, (SKU, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decision_of(decisions_db, first)[:2] == ("acknowledge", ["IN_STOCK"])

    # The warehouse ships it; Jet confirms; the next stock file is not in yet.
    shipping = run_at(sandbox, "jet_ship_order", timedelta(seconds=1))
    record_shipment(
        decisions_db,
        shipping,
        Shipment(
            merchant_order_id=first,
            lines=(ShipmentLine(SKU, 1),),
            carrier="UPS",
            shipping_method="UPS Ground",
            tracking_number="1Z999AA10123456784",
            ship_date=shipping.observed_at,
        ),
    )
    assert upload(run_at(sandbox, "jet_fulfillment", timedelta(seconds=2)))["by_status"] == {"confirmed": 1}
    assert available(decisions_db, node) == (1, 0, 1, 0), "on hand 1 at the count, shipped 1 since: none left"

    second = place(sandbox, node, (SKU, 1))
    pull(timedelta(seconds=3))
    tasks.run_cycle(run_at(sandbox, offset=timedelta(seconds=3)))
    assert decision_of(decisions_db, second)[:2] == ("cancel", ["NO_INVENTORY"]), "the shipped unit was sold again"

    # A new count after the shipment, with a unit received since: the next order gets it.
    recount = sandbox_now(sandbox) + timedelta(seconds=4)
    load(decisions_db, stock_file(node, 1, recount), recount)
    assert available(decisions_db, node) == (1, 0, 0, 1)
    third = place(sandbox, node, (SKU, 1))
    pull(timedelta(seconds=5))
    tasks.run_cycle(run_at(sandbox, offset=timedelta(seconds=5)))
    assert decision_of(decisions_db, third)[:2] == ("acknowledge", ["IN_STOCK"])


def test_an_older_stock_file_does_not_replace_a_newer_count(decisions_db: psycopg.Connection, sandbox: Any) -> None:
    node = "node-1"
    now = sandbox_now(sandbox)
    load(decisions_db, stock_file(node, 5, now), now)
    receipt = load(decisions_db, stock_file(node, 9, now - timedelta(days=1)), now + timedelta(minutes=1))
    assert receipt.stale_rows == 1
    row = decisions_db.execute("SELECT on_hand, counted_at FROM jet.inventory WHERE sku = %s", (SKU,)).fetchone()
    assert row == (5, now)
