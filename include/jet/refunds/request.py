"""Requesting a refund: validate the lines against what shipped (:func:`build_body`),
record the refund and its action, and post it through the outbox (:func:`request_refund`).

* Only shipped units can be refunded. Units that did not ship are cancelled, not
  refunded: the refusal says so and points to ``jet_cancel_order`` (or a
  cancellation-only shipment with ``jet_ship_order``).
* Amounts are line totals by component (principal, tax, shipping cost, shipping tax);
  each defaults to, and may not exceed, the order line's per-unit amount × units.
* Reason and feedback come from Jet's vocabularies (``REFUND_REASONS``,
  ``REFUND_FEEDBACK``), checked before anything is stored.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.failures import PermanentError
from jet.orders.known import is_known
from jet.orders.units import units_per_sku
from jet.outbox.kinds import REFUND
from jet.sql import MissingRow, execute, one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import OrderDetail
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

CENT = Decimal("0.01")


class RefundRefused(PermanentError, ValueError):
    """The refund cannot be made as asked; the message says why and what to do instead."""


@dataclass(frozen=True)
class RefundLine:
    """One line to refund. Amounts default to the line's per-unit amounts × ``quantity``."""

    order_item_id: str
    quantity: int
    reason: str
    feedback: str | None = None
    principal: Decimal | None = None
    tax: Decimal | None = None
    shipping_cost: Decimal | None = None
    shipping_tax: Decimal | None = None
    quantity_returned: int | None = None
    notes: str | None = None


def shipped_per_line(order: OrderDetail) -> dict[str, int]:
    """Units shipped per order line, from Jet's shipments (keyed by SKU): a SKU's shipped
    units fill its lines in order."""
    shipped_sku = {sku: u.shipped for sku, u in units_per_sku(order).items()}
    out: dict[str, int] = {}
    for item in order.order_items:
        take = min(item.request_order_quantity, shipped_sku.get(item.merchant_sku, 0))
        shipped_sku[item.merchant_sku] -= take
        out[item.order_item_id] = take
    return out


def build_body(
    order: OrderDetail, lines: Sequence[RefundLine], already: Mapping[str, int]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate ``lines`` against the order as Jet shows it; return Jet's body and the rows
    to store. Raises :class:`RefundRefused`."""
    from jet.api.models import CreateRefundRequest

    if not lines:
        raise RefundRefused("a refund needs at least one line")
    items = {i.order_item_id: i for i in order.order_items}
    shipped = shipped_per_line(order)
    seen: set[str] = set()
    body_items: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for line in lines:
        item = items.get(line.order_item_id)
        if item is None:
            raise RefundRefused(f"line {line.order_item_id} is not on order {order.merchant_order_id}")
        if line.order_item_id in seen:
            raise RefundRefused(f"line {line.order_item_id} appears twice; give one entry per line")
        seen.add(line.order_item_id)
        if line.quantity < 1:
            raise RefundRefused(f"line {line.order_item_id}: refund at least one unit")
        done = already.get(line.order_item_id, 0)
        refundable = shipped[line.order_item_id] - done
        if line.quantity > refundable:
            unshipped = item.request_order_quantity - shipped[line.order_item_id]
            hint = (
                f" {unshipped} unit(s) did not ship: units that did not ship are not refunded but cancelled "
                "(jet_cancel_order, or a cancellation-only shipment with jet_ship_order)"
                if unshipped
                else ""
            )
            raise RefundRefused(
                f"line {line.order_item_id} ({item.merchant_sku}): {line.quantity} unit(s) asked, but only "
                f"{max(refundable, 0)} can be refunded ({shipped[line.order_item_id]} shipped, {done} already "
                f"refunded or being refunded).{hint}"
            )
        price = item.item_price
        maxima = {
            "principal": price.base_price * line.quantity,
            "tax": (price.item_tax or Decimal(0)) * line.quantity,
            "shipping_cost": price.item_shipping_cost * line.quantity,
            "shipping_tax": (price.item_shipping_tax or Decimal(0)) * line.quantity,
        }
        amounts: dict[str, Decimal] = {}
        for name, cap in maxima.items():
            given = getattr(line, name)
            value = (cap if given is None else Decimal(str(given))).quantize(CENT)
            if value < 0:
                raise RefundRefused(f"line {line.order_item_id}: {name} cannot be negative")
            if value > cap:
                raise RefundRefused(
                    f"line {line.order_item_id}: {name} {value} is more than was paid "
                    f"for {line.quantity} unit(s) ({cap})"
                )
            amounts[name] = value
        returned = line.quantity if line.quantity_returned is None else line.quantity_returned
        body_items.append(
            {
                "order_item_id": line.order_item_id,
                "total_quantity_returned": returned,
                "order_return_refund_qty": line.quantity,
                "refund_reason": line.reason,
                **({"refund_feedback": line.feedback} if line.feedback else {}),
                **({"notes": line.notes} if line.notes else {}),
                "refund_amount": {k: str(v) for k, v in amounts.items()},
            }
        )
        rows.append(
            {
                "order_item_id": line.order_item_id,
                "merchant_sku": item.merchant_sku,
                "quantity": line.quantity,
                "quantity_returned": returned,
                **amounts,
                "refund_reason": line.reason,
                "refund_feedback": line.feedback,
                "notes": line.notes,
            }
        )
    try:
        checked = CreateRefundRequest.model_validate({"items": body_items})
    except ValueError as exc:
        raise RefundRefused(f"Jet would refuse this refund: {exc}") from None
    body = checked.model_dump(mode="json", by_alias=True, exclude_none=True)
    for row, checked_item in zip(rows, checked.items, strict=True):
        row["refund_reason"], row["refund_feedback"] = checked_item.refund_reason, checked_item.refund_feedback
    return body, rows


def default_alt_refund_id(run: RunIdentity, merchant_order_id: str) -> str:
    """A refund id stable for one run and order: a retried task finds its refund again."""
    return "JF-RF-" + hashlib.sha256(f"{run.run_key}|{merchant_order_id}".encode()).hexdigest()[:16]


def request_refund(
    conn: psycopg.Connection,
    client: Any,
    run: RunIdentity,
    merchant_order_id: str,
    lines: Sequence[RefundLine],
    alt_refund_id: str | None = None,
) -> dict[str, Any]:
    """Validate, record and post a refund; returns its ids and Jet's status.

    Re-running with the same ``alt_refund_id`` (default: derived from the run) posts
    nothing new: it settles and reports the refund already recorded.
    """
    alt = alt_refund_id or default_alt_refund_id(run, merchant_order_id)
    existing = conn.execute(read_sql("refunds_get.sql"), {"alt_refund_id": alt}).fetchone()
    if existing is None:
        if not is_known(conn, merchant_order_id):
            raise RefundRefused(f"order {merchant_order_id} is not in the warehouse; import it with jet_import_order")
        # Settle this order's refunds in flight first: they count as already refunded.
        outbox.drain(conn, client, outbox.Scope(calls=(REFUND,), order_ids=[merchant_order_id]))
        order = client.get_order(merchant_order_id)
        already: dict[str, int] = dict(
            execute(conn, "refunds_already.sql", {"merchant_order_id": merchant_order_id}).fetchall()
        )
        body, rows = build_body(order, lines, already)
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                read_sql("refunds_insert.sql"),
                {
                    "alt_refund_id": alt,
                    "merchant_order_id": merchant_order_id,
                    "requested_by": run.run_key,
                    "requested_at": run.observed_at,
                },
            )
            cur.executemany(read_sql("refunds_item_insert.sql"), [{"alt_refund_id": alt, **row} for row in rows])
            outbox.queue(conn, run, merchant_order_id, REFUND, body, subject=alt, reason=rows[0]["refund_reason"])
            # The refund's note is written by the table's trigger at commit (migration 0056).
    elif existing[1] != merchant_order_id:
        raise RefundRefused(f"refund id {alt} belongs to order {existing[1]}, not {merchant_order_id}")
    action = outbox.find(conn, merchant_order_id=merchant_order_id, call=REFUND, subject=alt)
    if not action:
        raise MissingRow(f"refund {alt} of order {merchant_order_id} has no action in jet.actions")
    outbox.apply_now(conn, client, action[0].action_id)
    row = one(conn.execute(read_sql("refunds_get.sql"), {"alt_refund_id": alt}).fetchone(), "refunds_get.sql")
    log.info("refund %s of order %s posted: Jet id %s, %s", alt, merchant_order_id, row[2], row[3])
    return {
        "alt_refund_id": alt,
        "merchant_order_id": merchant_order_id,
        "refund_authorization_id": row[2],
        "refund_status": row[3],
    }
