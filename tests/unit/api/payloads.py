"""Order payloads shared by the API tests (JSON text, as Jet would send it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Verbatim copies of public sample payloads (tests/fixtures/jet-samples), so a clone tests alone
# (provenance in their SOURCES.md).
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "jet-samples"

DOCS_SAMPLE = SAMPLES / "order_detail_jetdocs_sample_via_mock_server.json"

# The reference's constructed example (docs/jet-api.md §3.3), as JSON text so that
# numbers keep their exact spelling (0.14, 1.20, 2.8 ...).
VALID_ORDER_TEXT = """
{
  "merchant_order_id": "4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9",
  "reference_order_id": "802345678901",
  "customer_reference_order_id": "802345678901",
  "fulfillment_node": "998bb45c821d4d5a84e73d68004f898b",
  "alt_order_id": null,
  "hash_email": "x1y2z3@customer.jet.com",
  "status": "ready",
  "order_placed_date": "2018-03-01T14:02:11.0000000Z",
  "order_transmission_date": "2018-03-01T14:03:00.0000000Z",
  "order_ready_date": "2018-03-01T14:33:00.0000000Z",
  "jet_request_directed_cancel": false,
  "has_shipments": false,
  "buyer": {"name": "Jane Doe", "phone_number": "555-555-0100"},
  "shipping_to": {
    "recipient": {"name": "Jane Doe", "phone_number": "555-555-0100"},
    "address": {"address1": "1 Main St", "address2": "", "city": "Hoboken", "state": "NJ", "zip_code": "07030"}
  },
  "order_detail": {
    "request_shipping_carrier": "UPS",
    "request_shipping_method": "UPS Ground",
    "request_service_level": "Standard",
    "request_ship_by": "2018-03-02T23:59:00.0000000Z",
    "request_delivery_by": "2018-03-07T23:59:00.0000000Z"
  },
  "order_totals": {
    "item_price": {"base_price": 40.0, "item_tax": 2.8, "item_shipping_cost": 0.0, "item_shipping_tax": 0.0},
    "item_fees": 6.0,
    "fee_adjustments": [{"adjustment_name": "", "adjustment_type": "base", "commission_id": "", "value": 6.0}],
    "regulatory_fees": 0.0
  },
  "order_items": [{
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
    "regulatory_fees": 0.0
  }]
}
"""


def valid_order() -> dict[str, Any]:
    """A fresh copy of the valid order as a dict (numbers as floats: only for mutation tests)."""
    return json.loads(VALID_ORDER_TEXT)


def fixed_docs_sample_text() -> str:
    """The developer.jet.com sample with its two defects repaired, edited as text.

    1. The brace that should close ``order_totals`` after ``"regulatory_fees" : 0.00,``
       is missing, so ``order_items`` and ``order_detail`` sit inside ``order_totals``;
       the stray closing brace at the end of the file is the one that went missing. We
       close ``order_totals`` where it belongs and drop the extra brace at the end, which
       puts ``order_items`` and ``order_detail`` back at the top level as in the real API.
    2. ``request_ship_by`` reads ``2014-07-26T:04:00.0000000Z`` (hour missing). We make it
       ``2014-07-26T04:00:00.0000000Z``, matching ``request_delivery_by``'s 04:00 pattern.

    Editing the text (not a decoded dict) keeps every number spelled exactly as Jet wrote it.
    """
    text = DOCS_SAMPLE.read_text()
    broken_join = '"regulatory_fees" : 0.00,\n\n      "order_items"'
    assert text.count(broken_join) == 1
    text = text.replace(broken_join, '"regulatory_fees" : 0.00\n      },\n      "order_items"')
    head, tail = text.rstrip().rsplit("}", 1)
    assert tail == ""
    text = head.rstrip()  # drop the now-extra final brace; the previous one closes the order
    assert text.endswith("}")
    bad_ts = '"request_ship_by": "2014-07-26T:04:00.0000000Z"'
    assert text.count(bad_ts) == 1
    return text.replace(bad_ts, '"request_ship_by": "2014-07-26T04:00:00.0000000Z"')
