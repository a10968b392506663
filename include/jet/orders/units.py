"""Units per SKU as Jet shows an order: the one reading of an order's lines and shipments
that cancelling, shipping and refunding all start from.

Jet keys shipments by SKU, not by order line, so every count here is per SKU: units
ordered (the order's lines summed), shipped and cancelled (every shipment Jet shows,
summed). Units on a shipment for a SKU the order does not hold are not counted: Jet
refuses such shipments, so they only appear in a corrupt payload.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jet.api.models import OrderDetail


@dataclass(frozen=True)
class OpenUnits:
    """Per SKU: units ordered, shipped, cancelled, and waiting in our own shipment requests
    Jet does not show yet (0 when read from Jet alone)."""

    ordered: int
    shipped: int = 0
    cancelled: int = 0
    waiting: int = 0

    @property
    def open(self) -> int:
        """Units still to ship or cancel."""
        return max(0, self.ordered - self.shipped - self.cancelled - self.waiting)


def units_per_sku(order: OrderDetail) -> dict[str, OpenUnits]:
    """Units per SKU as Jet shows ``order``, in the order of its lines."""
    ordered: dict[str, int] = defaultdict(int)
    shipped: dict[str, int] = defaultdict(int)
    cancelled: dict[str, int] = defaultdict(int)
    for item in order.order_items:
        ordered[item.merchant_sku] += item.request_order_quantity
    for shipment in order.shipments:
        for unit in shipment.shipment_items:
            shipped[unit.merchant_sku] += unit.response_shipment_sku_quantity
            cancelled[unit.merchant_sku] += unit.response_shipment_cancel_qty
    return {sku: OpenUnits(ordered=n, shipped=shipped[sku], cancelled=cancelled[sku]) for sku, n in ordered.items()}
