"""Units per SKU as Jet shows an order: the one reading cancels, shipments and refunds share."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jet.api.models import OrderDetail, parse_order
from jet.orders.units import OpenUnits, units_per_sku

pytestmark = pytest.mark.unit


def _item(item_id: str, sku: str, quantity: int) -> dict[str, Any]:
    price = {"base_price": 10.0, "item_tax": 0.7, "item_shipping_cost": 1.0, "item_shipping_tax": 0.1}
    return {"order_item_id": item_id, "merchant_sku": sku, "request_order_quantity": quantity, "item_price": price}


def _order(items: list[dict[str, Any]], shipments: list[list[tuple[str, int, int]]]) -> OrderDetail:
    order = {
        "merchant_order_id": "o1",
        "reference_order_id": "r1",
        "fulfillment_node": "n",
        "status": "inprogress",
        "order_placed_date": "2026-03-02T15:00:00Z",
        "buyer": {},
        "shipping_to": {"recipient": {}, "address": {"address1": "a", "city": "c", "state": "NJ", "zip_code": "07030"}},
        "order_detail": {"request_ship_by": "2026-03-03T15:00:00Z"},
        "order_totals": {},
        "order_items": items,
        "shipments": [
            {
                "alt_shipment_id": f"s{n}",
                "shipment_items": [
                    {"merchant_sku": s, "response_shipment_sku_quantity": n, "response_shipment_cancel_qty": c}
                    for s, n, c in units
                ],
            }
            for n, units in enumerate(shipments)
        ],
    }
    return parse_order(json.dumps(order))


def test_lines_of_one_sku_add_up_and_every_shipment_counts() -> None:
    order = _order(
        [_item("i1", "SKU-A", 2), _item("i2", "SKU-B", 1), _item("i3", "SKU-A", 3)],
        [[("SKU-A", 1, 0)], [("SKU-A", 2, 1), ("SKU-B", 0, 1)]],
    )
    units = units_per_sku(order)
    assert units == {"SKU-A": OpenUnits(ordered=5, shipped=3, cancelled=1), "SKU-B": OpenUnits(ordered=1, cancelled=1)}
    assert list(units) == ["SKU-A", "SKU-B"], "in the order of the lines"
    assert {sku: u.open for sku, u in units.items()} == {"SKU-A": 1, "SKU-B": 0}


def test_an_order_nothing_shipped_from_is_all_open() -> None:
    units = units_per_sku(_order([_item("i1", "SKU-A", 2)], []))
    assert units == {"SKU-A": OpenUnits(ordered=2)}
    assert units["SKU-A"].open == 2


def test_units_waiting_in_our_requests_are_not_open() -> None:
    assert OpenUnits(ordered=3, shipped=1, waiting=1).open == 1
    assert OpenUnits(ordered=1, shipped=1, waiting=1).open == 0, "never negative"
