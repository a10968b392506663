"""Operator actions: approve a held order, cancel an order with a reason.

Both go through the outbox like the automatic flow (committed before the call, settled
when the outcome is unknown), so the database constraints hold for them too: an order
gets one acknowledgement call, ever. Each reads the order from Jet first, because the
warehouse copy may be up to one pull old.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.api.vocabulary import CANCEL_REASONS, OPEN_ORDER_STATUSES, OrderStatus
from jet.decisions.acknowledgement import acknowledge_body, approval
from jet.decisions.rules import LineStatus, Outcome
from jet.decisions.store import cancel_shipment_body
from jet.failures import PermanentError
from jet.orders.known import is_known
from jet.orders.units import units_per_sku
from jet.outbox.kinds import ACKNOWLEDGE, ACKNOWLEDGEMENTS, CANCEL, CANCEL_UNITS
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import OrderDetail
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)


class OperatorActionRefused(PermanentError, RuntimeError):
    """The requested operator action is not possible for this order; the message says why."""


def _require_known(conn: psycopg.Connection, order_id: str) -> None:
    if not is_known(conn, order_id):
        raise OperatorActionRefused(
            f"order {order_id} is not in the warehouse; import it first with the jet_import_order DAG"
        )


def _actions(conn: psycopg.Connection, order_id: str) -> dict[str, tuple[int, str, int, str | None]]:
    """The order's actions by kind: (action_id, state, attempts, last_error)."""
    rows = conn.execute(read_sql("decisions_order_actions.sql"), {"order_id": order_id}).fetchall()
    return {kind: (action_id, state, attempts, error) for action_id, kind, state, attempts, error in rows}


def _ack_action(conn: psycopg.Connection, order_id: str) -> tuple[int, str, str, str | None] | None:
    """The order's acknowledgement call (acknowledge, reject or cancel) as (id, kind, state, error)."""
    for kind, (action_id, state, _, error) in _actions(conn, order_id).items():
        if kind in ACKNOWLEDGEMENTS:
            return action_id, kind, state, error
    return None


def _decision(conn: psycopg.Connection, order_id: str) -> tuple[int, str, list[tuple[str, str, str, str]]] | None:
    """The order's real decision: (decision_id, outcome, [(line id, sku, status, reason)])."""
    rows = conn.execute(read_sql("decisions_real_decision.sql"), {"order_id": order_id}).fetchall()
    if not rows:
        return None
    return rows[0][0], rows[0][1], [tuple(r[2:]) for r in rows]


def _apply(
    conn: psycopg.Connection,
    client: Any,
    run: RunIdentity,
    order_id: str,
    kind: str,
    body: dict[str, Any],
    decision_id: int | None,
    reason: str,
) -> dict[str, Any]:
    """Queue the operator's write and apply it now (:func:`jet.outbox.apply_now`)."""
    queued = outbox.queue(conn, run, order_id, kind, body, reason=reason, decision_id=decision_id)
    return outbox.apply_now(conn, client, queued.action_id)


def approve_order(conn: psycopg.Connection, client: Any, run: RunIdentity, order_id: str) -> dict[str, Any]:
    """Acknowledge (accept) a held order through the outbox.

    Refused unless the order has a held decision, no acknowledgement call yet, and Jet
    still shows it ``ready``; refused too when a line's SKU is unknown (nothing could
    ship it: cancel the order instead). Lines the rules found short of stock are
    accepted on the operator's word, and logged.
    """
    _require_known(conn, order_id)
    decision = _decision(conn, order_id)
    if decision is None:
        raise OperatorActionRefused(f"order {order_id} has not been decided yet; only held orders can be approved")
    decision_id, outcome, lines = decision
    existing = _ack_action(conn, order_id)
    if outcome != Outcome.HOLD or existing is not None:
        what = f"{existing[1]} action in state {existing[2]}" if existing else "no action"
        raise OperatorActionRefused(
            f"order {order_id} is not held (decision {outcome}, {what}); only held orders can be approved"
        )
    order: OrderDetail = client.get_order(order_id)
    if str(order.status) != OrderStatus.READY:
        raise OperatorActionRefused(
            f"Jet shows order {order_id} as {order.status!s} (exception {order.exception_state!r}); "
            "only ready orders can be acknowledged"
        )
    unknown = [sku for _, sku, status, _ in lines if status == LineStatus.UNKNOWN_SKU]
    if unknown:
        raise OperatorActionRefused(
            f"order {order_id} has SKUs not in the catalog ({', '.join(sorted(unknown))}): it cannot be shipped; "
            "cancel it with jet_cancel_order (reason invalid_sku), or load the products first"
        )
    short = [f"{sku} ({reason})" for _, sku, status, reason in lines if status != LineStatus.FULFILLABLE]
    if short:
        log.warning("approving order %s although the rules found lines short: %s", order_id, ", ".join(short))
    body = acknowledge_body(approval(item_id for item_id, *_ in lines))
    return _apply(conn, client, run, order_id, ACKNOWLEDGE, body, decision_id, "approved by operator")


def open_units(order: OrderDetail) -> tuple[dict[str, int], dict[str, int]]:
    """Per SKU: units still open (ordered - shipped - cancelled) and units shipped, from Jet's view."""
    units = units_per_sku(order)
    return (
        {sku: u.open for sku, u in units.items() if u.open > 0},
        {sku: u.shipped for sku, u in units.items() if u.shipped > 0},
    )


def rejection_body(order: OrderDetail, reason: str) -> dict[str, Any]:
    """The acknowledgement call that rejects ``order`` for ``reason`` (a CANCEL_REASONS key)."""
    ack_status, item_status = CANCEL_REASONS[reason]
    return {
        "acknowledgement_status": ack_status,
        "order_items": [
            {"order_item_id": item.order_item_id, "order_item_acknowledgement_status": item_status}
            for item in order.order_items
        ],
    }


def open_units_cancel_body(order_id: str, open_now: dict[str, int]) -> dict[str, Any]:
    """The cancel-only shipped call that cancels ``open_now`` (units per SKU) of an order."""
    items = [
        {"merchant_sku": sku, "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": qty}
        for sku, qty in sorted(open_now.items())
    ]
    return cancel_shipment_body(CANCEL_UNITS, order_id, items)


def cancel_order(
    conn: psycopg.Connection,
    client: Any,
    run: RunIdentity,
    order_id: str,
    reason: str,
    *,
    rejection_only: bool = False,
) -> dict[str, Any]:
    """Cancel an order for ``reason`` (a key of :data:`CANCEL_REASONS`).

    * Jet shows it ``ready`` (not acknowledged): the acknowledgement call rejects it.
    * Acknowledged and with units not shipped: a cancel-only shipped call cancels every
      open unit (shipped units stay shipped: refund those).
    * Everything shipped: refused, pointing to a refund. Already complete: refused.

    ``rejection_only``: only the first path; refused once anyone has queued the order's
    acknowledgement call (an answer to "approve or reject this held order" must not
    cancel the units of an order someone else approved meanwhile).
    """
    if reason not in CANCEL_REASONS:
        raise OperatorActionRefused(f"reason must be one of {sorted(CANCEL_REASONS)}, not {reason!r}")
    _require_known(conn, order_id)
    # Settle anything in flight for this order first: its true state decides the path.
    outbox.drain(conn, client, outbox.Scope(order_ids=[order_id]))
    existing = _ack_action(conn, order_id)
    order: OrderDetail = client.get_order(order_id)
    status = str(order.status)
    if rejection_only and (existing is not None or status != OrderStatus.READY):
        what = f"its {existing[1]} action is {existing[2]}" if existing else f"Jet shows it {status}"
        raise OperatorActionRefused(f"order {order_id} was decided already ({what}): nothing to reject")
    if status == OrderStatus.READY:
        if existing is not None:
            raise OperatorActionRefused(
                f"order {order_id} already has a {existing[1]} action ({existing[2]}: {existing[3]}); "
                "Jet allows one acknowledgement call per order"
            )
        body = rejection_body(order, reason)
        decision = _decision(conn, order_id)
        return _apply(conn, client, run, order_id, CANCEL, body, decision[0] if decision else None, reason)
    open_now, shipped = open_units(order)
    if status in OPEN_ORDER_STATUSES and open_now:
        previous = _actions(conn, order_id).get(CANCEL_UNITS)
        if previous is not None:
            raise OperatorActionRefused(
                f"order {order_id} already had its open units cancelled once (action {previous[0]}, {previous[1]}); "
                "Jet shows units still open - check the order at Jet"
            )
        if shipped:
            log.warning(
                "order %s: cancelling open units %s; shipped units %s can only be refunded", order_id, open_now, shipped
            )
        body = open_units_cancel_body(order_id, open_now)
        return _apply(conn, client, run, order_id, CANCEL_UNITS, body, None, reason)
    if shipped:
        raise OperatorActionRefused(
            f"order {order_id} is {status} and every remaining unit has shipped ({shipped}): it cannot be cancelled; "
            "issue a refund instead (merchant refund for the shipped units)"
        )
    raise OperatorActionRefused(
        f"order {order_id} is already {status} (acknowledgement {order.acknowledgement_status!r}, "
        f"exception {order.exception_state!r}) with nothing open: nothing to cancel"
    )
