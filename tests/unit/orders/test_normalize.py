"""Order payload → warehouse rows, without a database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from jet.api.models import parse_order
from jet.orders import normalize as n
from jet.orders.ingest import chunked, unique

pytestmark = pytest.mark.unit
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

# The reference's constructed example order (docs/jet-api.md §3.3), with shipments.
ORDER = {
    "merchant_order_id": "4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9",
    "reference_order_id": "802345678901",
    "customer_reference_order_id": "802345678901",
    "fulfillment_node": "998bb45c821d4d5a84e73d68004f898b",
    "alt_order_id": None,
    "hash_email": "x1y2z3@customer.jet.com",
    "status": "inprogress",
    "order_placed_date": "2018-03-01T14:02:11.0000000Z",
    "order_transmission_date": "2018-03-01T14:03:00.0000000Z",
    "order_ready_date": "2018-03-01T14:33:00.0000000Z",
    "jet_request_directed_cancel": False,
    "has_shipments": False,
    "buyer": {"name": "Jane Doe", "phone_number": "555-555-0100"},
    "shipping_to": {
        "recipient": {"name": "Jane Doe", "phone_number": "555-555-0100"},
        "address": {"address1": "1 Main St", "address2": "", "city": "Hoboken", "state": "NJ", "zip_code": "07030"},
    },
    "order_detail": {
        "request_shipping_carrier": "UPS",
        "request_shipping_method": "UPS Ground",
        "request_service_level": "Standard",
        "request_ship_by": "2018-03-02T23:59:00.0000000Z",
        "request_delivery_by": "2018-03-07T23:59:00.0000000Z",
    },
    "order_totals": {
        "item_price": {"base_price": 40.0, "item_tax": 2.8, "item_shipping_cost": 0.0, "item_shipping_tax": 0.0},
        "item_fees": 6.0,
        "fee_adjustments": [{"adjustment_name": "", "adjustment_type": "base", "commission_id": "", "value": 6.0}],
        "regulatory_fees": 0.0,
    },
    "order_items": [
        {
            "order_item_id": "a35bd1f8a8ab4481a0cccda6e2012e13",
            "merchant_sku": "SKU-123",
            "product_title": "Blue socks",
            "request_order_quantity": 2,
            "request_order_cancel_qty": 0,
            "item_tax_code": "",
            "url": "",
            "item_price": {"base_price": 20.0, "item_tax": 1.4, "item_shipping_cost": 0.0, "item_shipping_tax": 0.0},
            "item_fees": 6.0,
            "fee_adjustments": [{"adjustment_name": "", "adjustment_type": "base", "commission_id": "", "value": 6.0}],
            "regulatory_fees": 0.0,
        }
    ],
    "shipments": [
        {
            "shipment_id": "s-1",
            "alt_shipment_id": "SHP-1",
            "shipment_tracking_number": "1Z999",
            "response_shipment_date": "2018-03-02T10:15:00.0000000-05:00",
            "response_shipment_method": "UPS Ground",
            "carrier": "UPS",
            "shipment_items": [
                {"merchant_sku": "SKU-123", "response_shipment_sku_quantity": 1, "response_shipment_cancel_qty": 0}
            ],
        }
    ],
}


def rows_for(*orders: dict) -> n.BatchRows:
    rows = n.BatchRows(batch_key="jet_orders/x/ready/0000", observed_at=AT)
    for order in orders:
        raw = json.dumps(order).encode()
        rows.add_order(parse_order(raw), raw)
    return rows


def as_dict(columns: tuple[str, ...], row: tuple) -> dict:
    assert len(columns) == len(row)
    return dict(zip(columns, row, strict=True))


def test_an_order_becomes_one_row_per_table_with_exact_money_and_utc_times() -> None:
    rows = rows_for(ORDER)
    order = as_dict(n.ORDER_COLUMNS, rows.orders[0])
    assert order["status"] == "inprogress"
    assert order["alt_order_id"] is None
    assert order["total_base_price"] == Decimal("40.0")
    assert order["total_item_tax"] == Decimal("2.8")
    assert order["ready_at"] == datetime(2018, 3, 1, 14, 33, tzinfo=UTC)
    assert order["updated_at"] == AT
    assert order["payload_hash"] == n.body_hash(json.dumps(ORDER).encode())
    item = as_dict(n.ITEM_COLUMNS, rows.items[0])
    assert (item["merchant_sku"], item["quantity"], item["unit_price"]) == ("SKU-123", 2, Decimal("20.0"))
    assert item["item_tax_code"] is None  # "" means nothing
    assert json.loads(item["fee_adjustments"])[0]["adjustment_type"] == "base"
    address = as_dict(n.ADDRESS_COLUMNS, rows.addresses[0])
    assert address["address2"] is None
    assert address["zip_code"] == "07030"  # a zip code keeps its leading zero
    shipment = as_dict(n.SHIPMENT_COLUMNS, rows.shipments[0])
    assert shipment["shipment_key"] == "s-1"
    assert shipment["shipped_at"] == datetime(2018, 3, 2, 15, 15, tzinfo=UTC)
    assert rows.statuses == [(ORDER["merchant_order_id"], "inprogress", "", AT, rows.batch_key)]
    assert list(rows.customers) == ["x1y2z3@customer.jet.com"]


def test_created_orders_are_skipped_and_repeats_land_once() -> None:
    created = {**ORDER, "merchant_order_id": "c" * 32, "status": "created"}
    rows = rows_for(ORDER, created, ORDER)
    assert len(rows.orders) == 1
    assert rows.skipped_created == ["c" * 32]


def test_an_invalid_payload_is_kept_raw_with_its_error() -> None:
    rows = n.BatchRows(batch_key="b", observed_at=AT)
    rows.add_invalid("abc", b'{"broken": ', "$: invalid JSON", "$")
    kind, object_id, raw_hash, raw_body, error, field, *_ = rows.quarantine[0]
    assert (kind, object_id, raw_body, error, field) == ("order", "abc", '{"broken": ', "$: invalid JSON", "$")
    assert raw_hash == n.body_hash(b'{"broken": ')


def test_missing_item_price_on_the_totals_lands_as_null() -> None:
    order = {**ORDER, "order_totals": {k: v for k, v in ORDER["order_totals"].items() if k != "item_price"}}
    row = as_dict(n.ORDER_COLUMNS, rows_for(order).orders[0])
    assert row["total_base_price"] is None
    assert row["total_item_fees"] == Decimal("6.0")


def test_ids_are_deduplicated_in_order_and_chunked() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert [list(c) for c in chunked(["a", "b", "c", "d", "e"], 2)] == [["a", "b"], ["c", "d"], ["e"]]
