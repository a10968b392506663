"""Small helpers shared by the sandbox tests (Jet request bodies, id extraction)."""

from __future__ import annotations

from typing import Any

import httpx


def ids_of(response: httpx.Response, key: str = "order_urls") -> list[str]:
    """Last path segment of each url in a Jet list response."""
    assert response.status_code == 200, response.text
    return [url.rsplit("/", 1)[-1] for url in response.json()[key]]


def order(jet: httpx.Client, order_id: str) -> dict[str, Any]:
    """Order detail payload."""
    response = jet.get(f"/orders/withoutShipmentDetail/{order_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def accept(jet: httpx.Client, order_id: str, **extra: Any) -> httpx.Response:
    """Acknowledge as accepted."""
    return jet.put(f"/orders/{order_id}/acknowledge", json={"acknowledgement_status": "accepted", **extra})


def ship_body(items: list[tuple[str, int, int]], alt_shipment_id: str = "S-1") -> dict[str, Any]:
    """A shipped message: ``items`` = [(merchant_sku, shipped, cancelled)]."""
    shipment: dict[str, Any] = {"alt_shipment_id": alt_shipment_id, "shipment_items": []}
    if any(shipped for _, shipped, _ in items):
        shipment.update(
            {
                "shipment_tracking_number": "1Z999AA10123456784",
                "response_shipment_date": "2026-03-02T10:15:00.0000000-05:00",
                "response_shipment_method": "UPS Ground",
                "expected_delivery_date": "2026-03-06T18:00:00.0000000-05:00",
                "ship_from_zip_code": "07030",
                "carrier_pick_up_date": "2026-03-02T16:00:00.0000000-05:00",
                "carrier": "UPS",
            }
        )
    for sku, shipped, cancelled in items:
        shipment["shipment_items"].append(
            {"merchant_sku": sku, "response_shipment_sku_quantity": shipped, "response_shipment_cancel_qty": cancelled}
        )
    return {"shipments": [shipment]}


def ship_all(jet: httpx.Client, order_id: str) -> httpx.Response:
    """Ship every unit of the order."""
    detail = order(jet, order_id)
    units: dict[str, int] = {}
    for item in detail["order_items"]:
        units[item["merchant_sku"]] = units.get(item["merchant_sku"], 0) + item["request_order_quantity"]
    return jet.put(f"/orders/{order_id}/shipped", json=ship_body([(s, q, 0) for s, q in units.items()]))
