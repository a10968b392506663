"""Everything the order page shows about one order, read from the warehouse.

Header and customer, ship-to, lines with their units at every stage, the decision, every
write to Jet and its outcome, shipments, returns, refunds, the P&L (estimate and actual),
the question in Airflow's inbox and the dated timeline (:mod:`jet.console.timeline`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.api.vocabulary import OrderStatus
from jet.console.timeline import TimelineEntry, timeline
from jet.sql import execute, read_sql

if TYPE_CHECKING:
    import psycopg

__all__ = ["ActionRow", "Decision", "InboxPrompt", "OrderHeader", "OrderLine", "OrderView", "load_order"]


@dataclass(frozen=True)
class OrderHeader:
    merchant_order_id: str
    reference_order_id: str
    customer_reference_order_id: str | None
    alt_order_id: str | None
    fulfillment_node: str
    jet_status: str
    exception_state: str | None
    internal_status: str | None
    placed_at: datetime
    transmitted_at: datetime | None
    ready_at: datetime | None
    acknowledged_at: datetime | None
    acknowledgement_status: str | None
    directed_cancel: bool
    request_shipping_carrier: str | None
    request_shipping_method: str | None
    request_service_level: str | None
    request_ship_by: datetime | None
    request_delivery_by: datetime | None
    total_base_price: Decimal | None
    total_item_tax: Decimal | None
    total_shipping_cost: Decimal | None
    total_shipping_tax: Decimal | None
    total_item_fees: Decimal | None
    order_total: Decimal
    customer_email: str | None
    customer_name: str | None
    customer_phone: str | None
    recipient_name: str | None
    recipient_phone: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    ack_deadline: datetime | None
    ack_state: str | None
    updated_at: datetime

    @property
    def ship_to(self) -> tuple[str, ...]:
        place = " ".join(x for x in (f"{self.city}," if self.city else None, self.state, self.zip_code) if x)
        return tuple(p for p in (self.recipient_name, self.address1, self.address2, place, self.recipient_phone) if p)


@dataclass
class OrderLine:
    order_item_id: str
    line_number: int
    merchant_sku: str
    product_title: str | None
    ordered: int
    acknowledged: int
    cancel_requested: int
    unit_price: Decimal | None
    item_tax: Decimal | None
    item_shipping_cost: Decimal | None
    item_shipping_tax: Decimal | None
    item_fees: Decimal | None
    acknowledgement_status: str | None
    returned: int
    refunded: int
    shipped: int = 0
    cancelled: int = 0

    @property
    def open(self) -> int:
        """Units neither shipped nor cancelled at Jet."""
        return max(0, self.ordered - self.shipped - self.cancelled)


@dataclass(frozen=True)
class DecisionLine:
    order_item_id: str
    merchant_sku: str
    quantity: int
    status: str
    reason: str
    reserved: int
    units_to_cancel: int


@dataclass(frozen=True)
class Decision:
    decision_id: int
    decided_at: datetime
    dry_run: bool
    outcome: str
    reasons: tuple[str, ...]
    rules_version: str
    settings_version: int
    run_key: str
    lines: tuple[DecisionLine, ...]


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    kind: str
    state: str
    attempts: int
    reason: str | None
    requested_by: str
    created_at: datetime
    last_sent_at: datetime | None
    settled_at: datetime | None
    last_error: str | None
    body: dict[str, Any]
    actor: str | None


@dataclass(frozen=True)
class InboxPrompt:
    dag_id: str
    dag_run_id: str
    task_id: str
    map_index: int
    asked_at: datetime
    expires_at: datetime
    answer: str | None
    reason: str | None
    answered_by: str | None
    answered_in: str | None
    answered_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class OrderView:
    header: OrderHeader
    lines: tuple[OrderLine, ...]
    decision: Decision | None
    actions: tuple[ActionRow, ...]
    shipments: tuple[dict[str, Any], ...]
    jet_shipments: tuple[dict[str, Any], ...]
    returns: tuple[dict[str, Any], ...]
    refunds: tuple[dict[str, Any], ...]
    pnl: dict[str, Any] | None
    prompt: InboxPrompt | None
    timeline: tuple[TimelineEntry, ...]
    return_ids: tuple[str, ...] = field(default=())

    @property
    def open_units(self) -> int:
        return sum(line.open for line in self.lines)

    @property
    def shipped_units(self) -> int:
        return sum(line.shipped for line in self.lines)

    @property
    def is_held(self) -> bool:
        return self.header.internal_status == "held" and self.header.jet_status == OrderStatus.READY

    @property
    def failed_actions(self) -> tuple[ActionRow, ...]:
        return tuple(a for a in self.actions if a.state == "failed")


def _spread(lines: list[OrderLine], per_sku: dict[str, tuple[int, int]]) -> None:
    """Jet reports shipped and cancelled units per SKU: give them to the SKU's lines in
    line order, each line up to its quantity (the last line takes any excess)."""
    by_sku: dict[str, list[OrderLine]] = defaultdict(list)
    for line in lines:
        by_sku[line.merchant_sku].append(line)
    for sku, (shipped, cancelled) in per_sku.items():
        group = by_sku.get(sku, [])
        for i, line in enumerate(group):
            last = i == len(group) - 1
            line.shipped = shipped if last else min(shipped, line.ordered)
            shipped -= line.shipped
            line.cancelled = cancelled if last else min(cancelled, line.ordered - line.shipped)
            cancelled -= line.cancelled


def _dicts(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cur:
        return tuple(cur.execute(read_sql(name), params).fetchall())


def _grouped(rows: tuple[dict[str, Any], ...], key: str, item_keys: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """Rows of a parent joined to its items, folded into one dict per parent with ``items``."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        parent = out.get(row[key])
        if parent is None:
            parent = {k: v for k, v in row.items() if k not in item_keys}
            parent["items"] = []
            out[row[key]] = parent
        if row.get(item_keys[0]) is not None:
            parent["items"].append({k: row[k] for k in item_keys})
    return tuple(out.values())


_RETURN_ITEM = (
    "order_item_id", "merchant_sku", "title", "return_quantity", "reason", "requested_principal", "requested_tax",
    "requested_shipping_cost", "requested_shipping_tax", "quantity_returned", "refund_quantity", "refund_feedback",
    "refund_principal", "refund_tax", "refund_shipping_cost", "refund_shipping_tax",
)  # fmt: skip
_REFUND_ITEM = (
    "order_item_id", "merchant_sku", "quantity", "principal", "tax", "shipping_cost", "shipping_tax",
    "refund_reason", "refund_feedback",
)  # fmt: skip


def _decision(conn: psycopg.Connection, params: dict[str, Any]) -> Decision | None:
    rows = _dicts(conn, "console_order_decision.sql", params)
    if not rows:
        return None
    head = rows[0]
    lines = tuple(
        DecisionLine(
            r["order_item_id"],
            r["merchant_sku"],
            r["quantity"],
            r["line_status"],
            r["line_reason"],
            r["reserved"],
            r["units_to_cancel"],
        )
        for r in rows
        if r["order_item_id"] is not None
    )
    return Decision(
        decision_id=head["decision_id"],
        decided_at=head["decided_at"],
        dry_run=head["dry_run"],
        outcome=head["outcome"],
        reasons=tuple(head["reasons"]),
        rules_version=head["rules_version"],
        settings_version=head["settings_version"],
        run_key=head["run_key"],
        lines=lines,
    )


def load_order(conn: psycopg.Connection, merchant_order_id: str, now: datetime) -> OrderView | None:
    """The whole order page's data, or None when the warehouse does not have the order."""
    from psycopg.rows import class_row

    params = {"merchant_order_id": merchant_order_id, "now": now}
    with conn.cursor(row_factory=class_row(OrderHeader)) as cur:
        header = cur.execute(read_sql("console_order_header.sql"), params).fetchone()
    if header is None:
        return None
    with conn.cursor(row_factory=class_row(OrderLine)) as cur:
        lines = list(execute(cur, "console_order_lines.sql", params).fetchall())
    per_sku = {r[0]: (r[1], r[2]) for r in conn.execute(read_sql("console_order_sku_units.sql"), params)}
    _spread(lines, per_sku)
    with conn.cursor(row_factory=class_row(ActionRow)) as cur:
        actions = tuple(cur.execute(read_sql("console_order_actions.sql"), params).fetchall())
    with conn.cursor(row_factory=class_row(InboxPrompt)) as cur:
        prompt = cur.execute(read_sql("console_order_prompt.sql"), params).fetchone()
    returns = _grouped(_dicts(conn, "console_order_returns.sql", params), "return_id", _RETURN_ITEM)
    pnl = _dicts(conn, "console_order_pnl.sql", params)
    return OrderView(
        header=header,
        lines=tuple(lines),
        decision=_decision(conn, params),
        actions=actions,
        shipments=_dicts(conn, "console_order_shipments.sql", params),
        jet_shipments=_dicts(conn, "console_order_jet_shipments.sql", params),
        returns=returns,
        refunds=_grouped(_dicts(conn, "console_order_refunds.sql", params), "alt_refund_id", _REFUND_ITEM),
        pnl=pnl[0] if pnl else None,
        prompt=prompt,
        timeline=timeline(conn, merchant_order_id),
        return_ids=tuple(r["return_id"] for r in returns),
    )
