"""Turn validated order payloads into rows for the warehouse tables. Pure: no I/O.

Column order in each ``*_COLUMNS`` tuple is the COPY order into the staging tables
(``sql/orders_stage.sql``); keep them in step with migration 0002.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jet.api.models import shipment_key
from jet.api.vocabulary import RELEASED_ORDER_STATUSES
from jet.warehouse.landing import exact_bytes, storable_body

if TYPE_CHECKING:
    from jet.api.errors import JetHttpError
    from jet.api.models import OrderDetail

ORDER_COLUMNS = (
    "merchant_order_id", "reference_order_id", "customer_reference_order_id", "alt_order_id",
    "fulfillment_node", "hash_email", "status", "exception_state", "order_placed_at", "order_transmitted_at",
    "ready_at", "acknowledged_at", "acknowledgement_status", "jet_request_directed_cancel", "has_shipments",
    "request_shipping_carrier", "request_shipping_method", "request_service_level", "request_ship_by",
    "request_delivery_by", "total_base_price", "total_item_tax", "total_shipping_cost", "total_shipping_tax",
    "total_item_fees", "total_regulatory_fees", "payload_hash", "first_seen_at", "updated_at", "last_batch_key",
)  # fmt: skip
ITEM_COLUMNS = (
    "merchant_order_id", "order_item_id", "line_number", "merchant_sku", "alt_order_item_id", "product_title",
    "quantity", "cancel_requested_qty", "unit_price", "item_tax", "item_shipping_cost", "item_shipping_tax",
    "item_fees", "regulatory_fees", "price_adjustment", "fee_adjustments", "item_tax_code", "acknowledgement_status",
)  # fmt: skip
ADDRESS_COLUMNS = (
    "merchant_order_id", "recipient_name", "recipient_phone", "address1", "address2", "city", "state", "zip_code",
)  # fmt: skip
CUSTOMER_COLUMNS = ("hash_email", "name", "phone_number", "first_seen_at", "updated_at")
SHIPMENT_COLUMNS = (
    "merchant_order_id", "shipment_key", "merchant_sku", "shipment_id", "alt_shipment_id", "carrier",
    "shipment_method", "tracking_number", "shipped_at", "shipped_qty", "cancelled_qty",
)  # fmt: skip
STATUS_COLUMNS = ("merchant_order_id", "status", "exception_state", "observed_at", "batch_key")
MISS_COLUMNS = ("merchant_order_id", "first_missing_at", "last_missing_at", "last_batch_key")
PAYLOAD_COLUMNS = (
    "merchant_order_id", "payload_hash", "payload",
    "first_seen_at", "last_seen_at", "first_batch_key", "last_batch_key",
)  # fmt: skip
QUARANTINE_COLUMNS = (
    "kind", "object_id", "raw_hash", "raw_body", "error", "error_field",
    "first_seen_at", "last_seen_at", "first_batch_key", "last_batch_key", "raw_bytes",
)  # fmt: skip


def body_hash(raw: bytes | str) -> str:
    """Version key of a payload: sha256 of the body exactly as served."""
    return hashlib.sha256(exact_bytes(raw)).hexdigest()


def _blank_to_none(value: str | None) -> str | None:
    return value if value else None


@dataclass
class BatchRows:
    """Rows of one batch, per staging table, plus what was skipped."""

    batch_key: str
    observed_at: datetime
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    items: list[tuple[Any, ...]] = field(default_factory=list)
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    customers: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    shipments: list[tuple[Any, ...]] = field(default_factory=list)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)
    payloads: list[tuple[Any, ...]] = field(default_factory=list)
    quarantine: list[tuple[Any, ...]] = field(default_factory=list)
    missing: list[tuple[Any, ...]] = field(default_factory=list)
    skipped_created: list[str] = field(default_factory=list)
    #: (merchant_order_id, error) of orders Jet would not serve (jet.unreadable).
    unreadable: list[tuple[str, JetHttpError]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def add_order(self, order: OrderDetail, raw: bytes | str) -> bool:
        """Add a valid order; returns False when it is skipped (not released, or a repeat)."""
        oid = order.merchant_order_id
        if order.status.value not in RELEASED_ORDER_STATUSES:
            self.skipped_created.append(oid)
            return False
        if oid in self._seen:  # Jet lists may repeat an order; the first copy wins
            return False
        digest = body_hash(raw)
        text = raw.decode() if isinstance(raw, bytes) else raw
        at, batch_key = self.observed_at, self.batch_key
        # Every row is built before any is added: an order that cannot be turned into rows
        # leaves no trace in the batch (the caller quarantines it).
        items = [_item_row(oid, n, item) for n, item in enumerate(order.order_items, start=1)]
        ship_to = order.shipping_to
        address = (
            oid,
            ship_to.recipient.name,
            ship_to.recipient.phone_number,
            ship_to.address.address1,
            _blank_to_none(ship_to.address.address2),
            ship_to.address.city,
            ship_to.address.state,
            ship_to.address.zip_code,
        )
        shipments = [
            (
                oid,
                shipment_key(shipment, position),
                item.merchant_sku,
                shipment.shipment_id,
                shipment.alt_shipment_id,
                shipment.carrier,
                shipment.response_shipment_method,
                shipment.shipment_tracking_number,
                shipment.response_shipment_date,
                item.response_shipment_sku_quantity,
                item.response_shipment_cancel_qty,
            )
            for position, shipment in enumerate(order.shipments, start=1)
            for item in shipment.shipment_items
        ]
        order_row = _order_row(order, digest, at, batch_key)
        self._seen.add(oid)
        self.payloads.append((oid, digest, text, at, at, batch_key, batch_key))
        self.orders.append(order_row)
        self.items += items
        self.addresses.append(address)
        if order.hash_email:
            self.customers[order.hash_email] = (order.hash_email, order.buyer.name, order.buyer.phone_number, at, at)
        self.shipments += shipments
        self.statuses.append((oid, order.status.value, order.exception_state or "", at, batch_key))
        return True

    def add_missing(self, object_id: str) -> None:
        """Record an order Jet answered 404 for."""
        self.missing.append((object_id, self.observed_at, self.observed_at, self.batch_key))

    def add_invalid(self, object_id: str, raw: bytes | str, error: str, error_field: str | None) -> None:
        """Quarantine a payload that failed validation, with its raw body (exact bytes kept
        beside the text when text cannot hold them)."""
        text, exact = storable_body(raw)
        at, key = self.observed_at, self.batch_key
        self.quarantine.append(("order", object_id, body_hash(raw), text, error, error_field, at, at, key, key, exact))

    def add_unreadable(self, object_id: str, error: JetHttpError) -> None:
        """Record an order Jet would not serve (retries exhausted, or a refusal)."""
        self.unreadable.append((object_id, error))

    @property
    def read_ids(self) -> list[str]:
        """Orders Jet served this batch (landed or quarantined): readable again if they were not."""
        return [row[0] for row in self.orders] + [row[1] for row in self.quarantine]

    def split(self) -> list[BatchRows]:
        """One BatchRows per landed order (with its customer), for landing order by order.
        Quarantine, 404s and unreadable orders stay on the first part."""
        parts: dict[str, BatchRows] = {}
        for row in self.orders:
            part = BatchRows(self.batch_key, self.observed_at)
            part.orders.append(row)
            hash_email = row[ORDER_COLUMNS.index("hash_email")]
            if hash_email in self.customers:
                part.customers[hash_email] = self.customers[hash_email]
            parts[row[0]] = part
        for name in ("items", "addresses", "shipments", "statuses", "payloads"):
            for row in getattr(self, name):
                getattr(parts[row[0]], name).append(row)
        rest = BatchRows(self.batch_key, self.observed_at)
        rest.quarantine, rest.missing = list(self.quarantine), list(self.missing)
        rest.unreadable = list(self.unreadable)
        return [rest, *parts.values()]


def _order_row(order: OrderDetail, digest: str, at: datetime, batch_key: str) -> tuple[Any, ...]:
    totals, detail = order.order_totals, order.order_detail
    price = totals.item_price
    return (
        order.merchant_order_id,
        order.reference_order_id,
        order.customer_reference_order_id,
        _blank_to_none(order.alt_order_id),
        order.fulfillment_node,
        order.hash_email,
        order.status.value,
        _blank_to_none(order.exception_state),
        order.order_placed_date,
        order.order_transmission_date,
        order.order_ready_date,
        order.order_acknowledge_date,
        order.acknowledgement_status,
        bool(order.jet_request_directed_cancel),
        bool(order.has_shipments),
        detail.request_shipping_carrier,
        detail.request_shipping_method,
        detail.request_service_level,
        detail.request_ship_by,
        detail.request_delivery_by,
        price.base_price if price else None,
        price.item_tax if price else None,
        price.item_shipping_cost if price else None,
        price.item_shipping_tax if price else None,
        totals.item_fees,
        totals.regulatory_fees,
        digest,
        at,
        at,
        batch_key,
    )


def _adjustment_json(adjustment: Any) -> str:
    """One fee adjustment as a JSON object, its value with the Decimal's exact digits
    (jsonb keeps them as numeric): nothing goes through float, so a commission such as
    0.30000000000000004 lands as sent instead of failing the batch."""
    return (
        f'{{"adjustment_name":{json.dumps(adjustment.adjustment_name)},'
        f'"adjustment_type":{json.dumps(adjustment.adjustment_type)},'
        f'"commission_id":{json.dumps(adjustment.commission_id)},"value":{adjustment.value}}}'
    )


def _item_row(order_id: str, line_number: int, item: Any) -> tuple[Any, ...]:
    price = item.item_price
    adjustments = "[" + ",".join(_adjustment_json(a) for a in item.fee_adjustments) + "]"
    return (
        order_id,
        item.order_item_id,
        line_number,
        item.merchant_sku,
        _blank_to_none(item.alt_order_item_id),
        item.product_title,
        item.request_order_quantity,
        item.request_order_cancel_qty or 0,
        price.base_price,
        price.item_tax,
        price.item_shipping_cost,
        price.item_shipping_tax,
        item.item_fees,
        item.regulatory_fees,
        item.price_adjustment,
        adjustments,
        _blank_to_none(item.item_tax_code),
        item.order_item_acknowledgement_status,
    )
