"""Jet-shaped JSON payloads built from the in-memory records.

Key order and nesting follow Jet's samples (``jet-samples/``); ``tests/sandbox`` compares
them key by key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from jet_sandbox.model import Line, Order, Refund, Return, Settlement, Sku
from jet_sandbox.util import ZERO, fmt_ts

#: Keys ``missing_optional`` removes (Ventmere/jet made them optional after real payloads lacked them).
OPTIONAL_ORDER_KEYS = ("alt_order_id", "exception_state")


def _line_price(line: Line) -> dict[str, Decimal]:
    return {
        "base_price": line.base_price,
        "item_tax": line.item_tax,
        "item_shipping_cost": line.shipping,
        "item_shipping_tax": line.shipping_tax,
    }


def _fee_adjustments(line: Line, qty: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "adjustment_name": "Base commission",
            "adjustment_type": "base",
            "commission_id": line.base_commission_id,
            "value": line.fee_base * qty,
        },
        {
            "adjustment_name": line.variable_name,
            "adjustment_type": "variable",
            "commission_id": line.variable_commission_id,
            "value": line.fee_variable * qty,
        },
    ]


def _optional_header(order: Order) -> dict[str, Any]:
    """The order's keys Jet adds only once they apply (dates of later states, echoes)."""
    optional = {
        "order_ready_date": fmt_ts(order.ready_at) if order.ready_at is not None else None,
        "order_acknowledge_date": fmt_ts(order.acknowledged_at) if order.acknowledged_at is not None else None,
        "exception_state": order.exception_state,
        "acknowledgement_status": order.ack_status,
    }
    return {key: value for key, value in optional.items() if value is not None}


def _item_to_dict(line: Line, sparse: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"order_item_id": line.order_item_id}
    if line.alt_order_item_id is not None and not sparse:
        item["alt_order_item_id"] = line.alt_order_item_id
    item.update(
        {
            "merchant_sku": line.merchant_sku,
            "request_order_quantity": line.quantity,
            "request_order_cancel_qty": line.cancel_request,
            "item_tax_code": "",
            "item_price": _line_price(line),
            "item_fees": line.fee_base + line.fee_variable,
            "fee_adjustments": _fee_adjustments(line),
            "regulatory_fees": ZERO,
            "product_title": line.product_title,
            "url": "",
        }
    )
    if line.ack_status is not None:
        item["order_item_acknowledgement_status"] = line.ack_status
    return item


def order_to_dict(order: Order, sparse: bool = False) -> dict[str, Any]:
    """The ``withoutShipmentDetail`` payload. ``sparse`` drops the optional keys (fault)."""
    doc: dict[str, Any] = {
        "merchant_order_id": order.merchant_order_id,
        "reference_order_id": order.reference_order_id,
        "customer_reference_order_id": order.customer_reference_order_id,
        "fulfillment_node": order.fulfillment_node,
        "alt_order_id": order.alt_order_id,
        "order_placed_date": fmt_ts(order.placed),
        "order_transmission_date": fmt_ts(order.transmitted),
    }
    optional = _optional_header(order)
    for key in ("order_ready_date", "order_acknowledge_date"):  # Jet's key order: dates, status, the rest
        if key in optional:
            doc[key] = optional.pop(key)
    doc["status"] = order.status
    doc.update(optional)
    doc["hash_email"] = order.hash_email
    doc["jet_request_directed_cancel"] = order.directed_cancel
    doc["has_shipments"] = bool(order.shipments)
    doc["buyer"] = dict(order.buyer)
    address = dict(order.shipping_to["address"])
    if sparse:
        address.pop("address2", None)
    doc["shipping_to"] = {"recipient": dict(order.shipping_to["recipient"]), "address": address}

    totals_price = {"base_price": ZERO, "item_tax": ZERO, "item_shipping_cost": ZERO, "item_shipping_tax": ZERO}
    fees = ZERO
    adjustments: dict[tuple[str, str, str], Decimal] = {}
    items = []
    for line in order.lines:
        for key, value in _line_price(line).items():
            totals_price[key] += value * line.quantity
        fees += (line.fee_base + line.fee_variable) * line.quantity
        for adj in _fee_adjustments(line, line.quantity):
            key3 = (adj["adjustment_name"], adj["adjustment_type"], adj["commission_id"])
            adjustments[key3] = adjustments.get(key3, ZERO) + adj["value"]
        items.append(_item_to_dict(line, sparse))
    totals: dict[str, Any] = {}
    if not sparse:
        totals["item_price"] = totals_price
    totals["item_fees"] = fees
    totals["fee_adjustments"] = [
        {"adjustment_name": name, "adjustment_type": kind, "commission_id": cid, "value": value}
        for (name, kind, cid), value in adjustments.items()
    ]
    totals["regulatory_fees"] = ZERO
    doc["order_totals"] = totals
    doc["order_items"] = items
    detail = dict(order.order_detail)
    detail["request_ship_by"] = fmt_ts(detail["request_ship_by"])
    detail["request_delivery_by"] = fmt_ts(detail["request_delivery_by"])
    if sparse:
        detail.pop("request_shipping_carrier", None)  # Ventmere/jet: the carrier was sometimes absent
    doc["order_detail"] = detail
    if order.shipments:
        doc["shipments"] = order.shipments
    if sparse:
        for key in OPTIONAL_ORDER_KEYS:
            doc.pop(key, None)
    return doc


def return_to_dict(ret: Return, order: Order) -> dict[str, Any]:
    """``GET /returns/state/{id}``."""
    doc: dict[str, Any] = {
        "merchant_return_authorization_id": ret.merchant_return_authorization_id,
        "reference_return_authorization_id": ret.reference_return_authorization_id,
        "alt_return_authorization_id": ret.alt_return_authorization_id,
        "return_status": ret.status,
        "refund_without_return": ret.refund_without_return,
        "merchant_order_id": ret.merchant_order_id,
        "reference_order_id": order.reference_order_id,
        "alt_order_id": order.alt_order_id,
        "return_date": fmt_ts(ret.return_date),
        "shipping_carrier": ret.shipping_carrier,
        "tracking_number": ret.tracking_number,
        "merchant_return_charge": ret.merchant_return_charge,
        "return_location": [],
        "return_merchant_SKUs": ret.skus,
    }
    if ret.agree_to_return_charge is not None:
        doc["agree_to_return_charge"] = ret.agree_to_return_charge
        doc["return_charge_feedback"] = ret.return_charge_feedback
    if ret.items is not None:
        doc["items"] = ret.items
    if ret.completed_date is not None:
        doc["completed_date"] = fmt_ts(ret.completed_date)
    return doc


def refund_to_dict(refund: Refund, order: Order) -> dict[str, Any]:
    """``GET /refunds/state/{id}`` — keys as in jet-samples/refund_state_response.json."""
    return {
        "alt_refund_id": refund.alt_refund_id,
        "refund_authorization_id": refund.refund_authorization_id,
        "reference_order_id": order.reference_order_id,
        "refund_status": refund.status,
        "merchant_order_id": order.merchant_order_id,
        "reference_merchant_order_id": order.customer_reference_order_id,
        "alt_order_id": order.alt_order_id,
        "items": refund.items,
    }


def settlement_to_dict(report: Settlement, now: datetime, deposit_days: float) -> dict[str, Any]:
    """``GET /settlement/report/{id}`` — keys as in jet-samples/settlement_report_detail_response.json."""
    deposited = now >= report.created + timedelta(days=deposit_days)
    return {
        "settlement_report_id": report.settlement_report_id,
        "settlement_state": "deposited" if deposited else "submitted",
        "currency": "dollars",
        "unavailable_balance": report.unavailable_balance,
        "settlement_period_start": fmt_ts(report.period_start),
        "settlement_period_end": report.period_end.strftime("%Y-%m-%dT%H:%M:%S.9999999Z"),
        "order_balance_details": dict(report.order_details),
        "order_balance": report.order_balance,
        "return_balance_details": dict(report.return_details),
        "return_balance": report.return_balance,
        "jet_adjustment": report.jet_adjustment,
        "settlement_value": report.settlement_value,
    }


def sku_status(sku: Sku) -> str:
    """Jet's product status of a SKU (the sandbox lists only these two)."""
    return "Archived" if sku.is_archived else "Available for Purchase"


def sku_to_dict(sku: Sku, nodes: list[str]) -> dict[str, Any]:
    """``GET /merchant-skus/{sku}``: the product plus Jet's status fields."""
    doc: dict[str, Any] = {
        "merchant_sku": sku.merchant_sku,
        "product_title": sku.title,
        "brand": sku.brand,
        "standard_product_codes": [{"standard_product_code": sku.upc, "standard_product_code_type": "UPC"}],
        "multipack_quantity": 1,
        "product_description": f"{sku.title} by {sku.brand}",
        "main_image_url": f"https://images.example.invalid/{sku.merchant_sku}.jpg",
        "category": sku.category,
    }
    doc.update(sku.product_extra)
    doc.update(
        {
            "status": sku_status(sku),
            "sub_status": [],
            "merchant_sku_id": sku.merchant_sku,
            "jet_retail_sku": f"JET{sku.upc}",
            "is_archived": sku.is_archived,
            "price": sku.price,
            "inventory_by_fulfillment_node": [
                {"fulfillment_node_id": node, "quantity": qty} for node, qty in sku.inventory.items()
            ],
            "sku_last_update": fmt_ts(sku.sku_last_update) if sku.sku_last_update else None,
            "price_last_update": fmt_ts(sku.price_last_update) if sku.price_last_update else None,
            "inventory_last_update": fmt_ts(sku.inventory_last_update) if sku.inventory_last_update else None,
        }
    )
    return doc
