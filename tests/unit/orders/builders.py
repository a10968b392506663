"""Jet order payloads for the pure tests: a minimal valid order with the lines and
shipments a test names."""

from __future__ import annotations

import json
from typing import Any

from jet.api.models import OrderDetail, parse_order

PRICE = {"base_price": 10.0, "item_tax": 0.7, "item_shipping_cost": 1.0, "item_shipping_tax": 0.1}


def item(item_id: str, sku: str, quantity: int, price: dict[str, float] = PRICE) -> dict[str, Any]:
    """One order line of ``quantity`` units of ``sku``."""
    return {"order_item_id": item_id, "merchant_sku": sku, "request_order_quantity": quantity, "item_price": price}


def order_of(items: list[dict[str, Any]], shipments: list[list[tuple[str, int, int]]]) -> OrderDetail:
    """An ``inprogress`` order of ``items``; each shipment a list of (SKU, shipped, cancelled)."""
    payload = {
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
    return parse_order(json.dumps(payload))
