"""Pure rules of fulfilment: shipment validation and bodies, refund and return-completion
bodies, action kinds. No database, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from jet.api.models import ReturnDetail, ShipRequest
from jet.fulfillment.shipments import Shipment, ShipmentLine, ShipmentRefused, ship_body, validate
from jet.orders.units import OpenUnits
from jet.outbox import kind, kind_name
from jet.refunds import RefundLine, RefundRefused, build_body, shipped_per_line
from jet.returns import Completion, ReturnLineCredit, ReturnRefused, completion_body
from tests.unit.orders.builders import item, order_of

pytestmark = pytest.mark.unit
WHEN = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
UNITS = {"SKU-A": OpenUnits(ordered=3, shipped=1), "SKU-B": OpenUnits(ordered=1)}


def test_carrier_and_method_are_normalized_or_refused_with_the_list() -> None:
    s = validate(Shipment("o1", (ShipmentLine("SKU-A", 2),), "fedex", "fedex_ground", "T", WHEN), UNITS)
    assert (s.carrier, s.shipping_method) == ("FedEx", "FedEx Ground")
    with pytest.raises(
        ShipmentRefused, match=r"unknown shipping carrier 'Fedx': Jet accepts one of FedEx, FedEx Smart"
    ):
        validate(Shipment("o1", (ShipmentLine("SKU-A", 1),), "Fedx", None, "T", WHEN), UNITS)
    with pytest.raises(ShipmentRefused, match="needs tracking_number"):
        validate(Shipment("o1", (ShipmentLine("SKU-A", 1),), "UPS", None, None, WHEN), UNITS)


def test_open_units_bound_every_line() -> None:
    with pytest.raises(ShipmentRefused, match=r"moves 3 unit.*only 2 are open.*over-shipping is refused"):
        validate(Shipment("o1", (ShipmentLine("SKU-A", 2, 1),), "UPS", None, "T", WHEN), UNITS)
    waiting = {"SKU-A": OpenUnits(ordered=3, waiting=3)}
    with pytest.raises(ShipmentRefused, match="in earlier shipments not yet at Jet 3"):
        validate(Shipment("o1", (ShipmentLine("SKU-A", 1),), "UPS", None, "T", WHEN), waiting)


def test_no_lines_means_every_open_unit_and_cancel_only_needs_no_carrier() -> None:
    s = validate(Shipment("o1", cancel_open_units=True), UNITS)
    assert s.lines == (ShipmentLine("SKU-A", 0, 2), ShipmentLine("SKU-B", 0, 1))
    body = ship_body(s, "JF-SHP-1")
    ShipRequest.model_validate(body)
    assert body == {
        "shipments": [
            {
                "alt_shipment_id": "JF-SHP-1",
                "shipment_items": [
                    {"merchant_sku": "SKU-A", "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": 2},
                    {"merchant_sku": "SKU-B", "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": 1},
                ],
            }
        ]
    }


def test_ship_body_carries_return_information_on_shipped_lines() -> None:
    s = validate(
        Shipment(
            "o1",
            (ShipmentLine("SKU-A", 1, 1),),
            "UPS",
            "UPS Ground",
            "1Z",
            WHEN,
            ship_from_zip="07030",
            rma_number="RMA-1",
            days_to_return=30,
            return_address={"address1": "1 Main", "city": "Hoboken", "state": "NJ", "zip_code": "07030"},
        ),
        UNITS,
    )
    (shipment,) = ship_body(s, "JF-SHP-2")["shipments"]
    assert shipment["response_shipment_date"] == "2026-03-02T15:00:00.0000000Z"
    assert shipment["shipment_items"][0]["RMA_number"] == "RMA-1"
    assert shipment["shipment_items"][0]["return_location"]["city"] == "Hoboken"


def test_action_kinds_name_their_object() -> None:
    assert kind_name("ship", "17") == "ship:17"
    assert kind_name("refund", "JF-RF-1") == "refund:JF-RF-1"
    assert kind_name("acknowledge", None) == "acknowledge"
    with pytest.raises(ValueError, match="unknown action kind"):
        kind("shipped")


def _order(shipped: int) -> object:
    price = {"base_price": 20.0, "item_tax": 1.4, "item_shipping_cost": 2.99, "item_shipping_tax": 0.2}
    return order_of([item("i1", "SKU-A", 3, price)], [[("SKU-A", shipped, 0)]])


def test_refunds_only_shipped_units_with_amounts_capped() -> None:
    order = _order(shipped=2)
    assert shipped_per_line(order) == {"i1": 2}
    body, rows = build_body(order, [RefundLine("i1", 2, reason="accidental order")], {})
    (item,) = body["items"]
    assert item["refund_reason"] == "Accidental order"
    assert rows[0]["principal"] == Decimal("40.00")
    assert rows[0]["shipping_tax"] == Decimal("0.40")
    with pytest.raises(RefundRefused, match=r"1 unit.*did not ship.*cancelled"):
        build_body(order, [RefundLine("i1", 3, reason="Accidental order")], {})
    with pytest.raises(RefundRefused, match="only 1 can be refunded"):
        build_body(order, [RefundLine("i1", 2, reason="Accidental order")], {"i1": 1})
    with pytest.raises(RefundRefused, match=r"principal 41\.00 is more than was paid"):
        build_body(order, [RefundLine("i1", 2, reason="Accidental order", principal=Decimal("41"))], {})
    with pytest.raises(RefundRefused, match="unknown refund_feedback"):
        build_body(order, [RefundLine("i1", 1, reason="Accidental order", feedback="because")], {})


RETURN = ReturnDetail.model_validate(
    {
        "merchant_return_authorization_id": "r1",
        "return_status": "created",
        "merchant_order_id": "o1",
        "return_merchant_SKUs": [
            {
                "order_item_id": "i1",
                "merchant_sku": "SKU-A",
                "return_quantity": 2,
                "reason": "Accidental order",
                "requested_refund_amount": {"principal": 40.0, "tax": 2.8, "shipping_cost": 0, "shipping_tax": 0},
            },
        ],
    }
)


def test_completion_rules() -> None:
    full = completion_body(RETURN, Completion())
    assert full["items"][0]["order_return_refund_qty"] == 2
    assert full["items"][0]["refund_amount"] == {
        "principal": 40.0,
        "tax": 2.8,
        "shipping_cost": 0.0,
        "shipping_tax": 0.0,
    }
    partial = ReturnLineCredit("i1", refund_quantity=1, feedback="Item damaged")
    one = completion_body(RETURN, Completion(lines=(partial,)))
    assert one["items"][0]["refund_amount"]["principal"] == 20.0
    with pytest.raises(ReturnRefused, match="needs a feedback reason"):
        completion_body(RETURN, Completion(lines=(ReturnLineCredit("i1", principal=Decimal("30")),)))
    with pytest.raises(ReturnRefused, match="only 1 came back"):
        completion_body(RETURN, Completion(lines=(ReturnLineCredit("i1", quantity_returned=1),)))
    with pytest.raises(ReturnRefused, match="not part of return"):
        completion_body(RETURN, Completion(lines=(ReturnLineCredit("i9"),)))
    denied = completion_body(RETURN, Completion(mode="deny", deny_reason="Wrong Item"))
    assert denied["items"][0]["return_refund_feedback"] == "Wrong Item"
    assert denied["items"][0]["order_return_refund_qty"] == 0
