"""In-memory records of the simulation (Jet's side of the world)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

ORDER_STATUSES = ("created", "ready", "acknowledged", "inprogress", "complete")

EXC_TOO_MANY_CANCELLED = "exception - too many units cancelled"
EXC_MANUAL_CANCEL = "exception - jet manual canceled to complete state"
EXC_TOO_MANY_SHIPPED = "exception - too many units shipped"
EXC_REJECTED = "exception - order rejected"


@dataclass
class Sku:
    """One product of the merchant as Jet knows it."""

    merchant_sku: str
    title: str
    category: str
    brand: str
    upc: str
    price: Decimal
    known_to_merchant: bool
    merchant_on_hand: int
    inventory: dict[str, int]
    node_prices: dict[str, Decimal] = field(default_factory=dict)
    is_archived: bool = False
    product_extra: dict[str, Any] = field(default_factory=dict)
    created: datetime | None = None
    sku_last_update: datetime | None = None
    price_last_update: datetime | None = None
    inventory_last_update: datetime | None = None


@dataclass
class Line:
    """One order line. Every amount is per unit (see docs/sandbox.md, "Amounts")."""

    order_item_id: str
    merchant_sku: str
    product_title: str
    quantity: int
    base_price: Decimal
    item_tax: Decimal
    shipping: Decimal
    shipping_tax: Decimal
    fee_variable: Decimal
    fee_base: Decimal
    variable_name: str
    variable_commission_id: str
    base_commission_id: str
    cancel_request: int = 0
    shipped: int = 0
    cancelled: int = 0
    alt_order_item_id: str | None = None
    ack_status: str | None = None
    refunded_units: int = 0
    refunded: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Order:
    """One Jet order with its lifecycle state."""

    merchant_order_id: str
    reference_order_id: str
    customer_reference_order_id: str
    fulfillment_node: str
    hash_email: str
    buyer: dict[str, str]
    shipping_to: dict[str, Any]
    order_detail: dict[str, Any]
    placed: datetime
    transmitted: datetime
    lines: list[Line]
    status: str = "created"
    ready_at: datetime | None = None
    acknowledged_at: datetime | None = None
    ack_status: str | None = None
    alt_order_id: str | None = None
    exception_state: str | None = None
    directed_cancel: bool = False
    tag: str | None = None
    shipments: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: bool = False
    resent_from: str | None = None
    resent_as: str | None = None
    raw_body: bytes | None = None  # served verbatim instead of the generated detail
    test_order: bool = False
    completed_at: datetime | None = None
    cache: bytes | None = None
    cache_sparse: bytes | None = None

    def line_by_id(self, order_item_id: str) -> Line | None:
        """The line with that Jet id, if any."""
        for line in self.lines:
            if line.order_item_id == order_item_id:
                return line
        return None

    def acknowledged_time(self) -> datetime:
        """When the order was acknowledged, which the caller's state says it was."""
        if self.acknowledged_at is None:
            raise LookupError(f"order {self.merchant_order_id} has no acknowledgement time")
        return self.acknowledged_at

    def line_of(self, order_item_id: str) -> Line:
        """The line with that Jet id, which the caller's state says must exist."""
        line = self.line_by_id(order_item_id)
        if line is None:
            raise LookupError(f"order {self.merchant_order_id} has no line {order_item_id}")
        return line


@dataclass
class Return:
    """A customer return (Jet-created) of some units of one order."""

    merchant_return_authorization_id: str
    reference_return_authorization_id: str
    merchant_order_id: str
    return_date: datetime
    status: str
    refund_without_return: bool
    shipping_carrier: str
    tracking_number: str
    merchant_return_charge: Decimal
    skus: list[dict[str, Any]]
    alt_return_authorization_id: str | None = None
    agree_to_return_charge: bool | None = None
    return_charge_feedback: str | None = None
    items: list[dict[str, Any]] | None = None
    completed_date: datetime | None = None


@dataclass
class Refund:
    """A merchant-initiated refund."""

    refund_authorization_id: str
    alt_refund_id: str
    merchant_order_id: str
    items: list[dict[str, Any]]
    created: datetime
    status: str = "created"
    decided_at: datetime | None = None


@dataclass
class Settlement:
    """One daily settlement report and the detail rows it was built from."""

    settlement_report_id: str
    period_start: datetime
    period_end: datetime
    created: datetime
    unavailable_balance: Decimal
    rows: list[dict[str, Any]]
    order_details: dict[str, Decimal]
    return_details: dict[str, Decimal]
    jet_adjustment: Decimal

    @property
    def order_balance(self) -> Decimal:
        """Sum of the order balance details."""
        return sum(self.order_details.values(), Decimal("0.00"))

    @property
    def return_balance(self) -> Decimal:
        """Sum of the return balance details."""
        return sum(self.return_details.values(), Decimal("0.00"))

    @property
    def settlement_value(self) -> Decimal:
        """order_balance + return_balance + jet_adjustment, as in Jet's docs sample."""
        return self.order_balance + self.return_balance + self.jet_adjustment


@dataclass
class BulkReport:
    """A requested bulk report (only SettlementDetails is produced)."""

    report_id: str
    report_type: str
    settlement_report_id: str | None
    requested: datetime
