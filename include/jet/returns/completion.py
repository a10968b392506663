"""Completing a return: what we grant per line (:class:`ReturnLineCredit`), how the whole
return is completed (:class:`Completion`), Jet's body checked against the return as Jet
shows it (:func:`completion_body`), and the completion applied through the outbox, one per
return, ever (:func:`complete_return`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.api.vocabulary import ReturnStatus
from jet.failures import PermanentError
from jet.orders.known import is_known
from jet.outbox.kinds import COMPLETE_RETURN
from jet.returns.landing import land_returns
from jet.sql import MissingRow

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import ReturnDetail, ReturnMerchantSku
    from jet.runs import RunIdentity

#: Jet's status of a return once we completed it.
COMPLETED = ReturnStatus.COMPLETED_BY_MERCHANT
ZERO = Decimal("0.00")


class ReturnRefused(PermanentError, ValueError):
    """The completion cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class ReturnLineCredit:
    """What we grant on one returned line; omitted values default to what was requested."""

    order_item_id: str
    quantity_returned: int | None = None
    refund_quantity: int | None = None
    principal: Decimal | None = None
    tax: Decimal | None = None
    shipping_cost: Decimal | None = None
    shipping_tax: Decimal | None = None
    feedback: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Completion:
    """How to complete a return.

    ``mode``: ``accept`` (full refund, lines may lower it: partial), or ``deny`` (no
    credit; ``deny_reason`` from Jet's return-refund feedback list is required).
    ``agree_to_return_charge`` False needs ``charge_feedback`` (Jet's ChargeFeedback).
    """

    mode: str = "accept"
    lines: tuple[ReturnLineCredit, ...] = ()
    deny_reason: str | None = None
    agree_to_return_charge: bool = True
    charge_feedback: str | None = None
    alt_return_authorization_id: str | None = None


def completion_body(detail: ReturnDetail, completion: Completion) -> dict[str, Any]:
    """Jet's complete-return body for ``completion``, checked against the return.
    Raises :class:`ReturnRefused`."""
    from jet.api.models import CHARGE_FEEDBACK, RETURN_REFUND_FEEDBACK, CompleteReturnRequest

    if completion.mode not in ("accept", "deny"):
        raise ReturnRefused(f"mode must be accept or deny, not {completion.mode!r}")
    if completion.mode == "deny" and not completion.deny_reason:
        raise ReturnRefused(f"denying credit needs a reason, one of: {', '.join(RETURN_REFUND_FEEDBACK)}")
    if not completion.agree_to_return_charge and not completion.charge_feedback:
        raise ReturnRefused(f"disputing the return charge needs a reason, one of: {', '.join(CHARGE_FEEDBACK)}")
    requested = {s.order_item_id: s for s in detail.return_merchant_skus}
    given = {line.order_item_id: line for line in completion.lines}
    unknown = sorted(set(given) - set(requested))
    if unknown:
        raise ReturnRefused(
            f"line(s) {', '.join(unknown)} are not part of return {detail.merchant_return_authorization_id}"
        )
    items = [
        _credit_item(detail, sku, given.get(item_id, ReturnLineCredit(item_id)), completion)
        for item_id, sku in requested.items()
    ]
    body = {
        "merchant_order_id": detail.merchant_order_id,
        "agree_to_return_charge": completion.agree_to_return_charge,
        **({"alt_order_id": detail.alt_order_id} if detail.alt_order_id else {}),
        **(
            {"alt_return_authorization_id": completion.alt_return_authorization_id}
            if completion.alt_return_authorization_id
            else {}
        ),
        **({"return_charge_feedback": completion.charge_feedback} if not completion.agree_to_return_charge else {}),
        "items": items,
    }
    try:
        checked = CompleteReturnRequest.model_validate(body)
    except ValueError as exc:
        raise ReturnRefused(f"Jet would refuse this completion: {exc}") from None
    return checked.model_dump(mode="json", by_alias=True, exclude_none=True)


def _credit_item(
    detail: ReturnDetail, sku: ReturnMerchantSku, line: ReturnLineCredit, completion: Completion
) -> dict[str, Any]:
    """One item of the completion body: what ``line`` grants on the requested ``sku``,
    checked against what was requested. Raises :class:`ReturnRefused`."""
    from jet.api.models import RETURN_REFUND_FEEDBACK

    item_id = sku.order_item_id
    req = sku.requested_refund_amount
    asked = {
        "principal": (req.principal if req else ZERO) or ZERO,
        "tax": (req.tax if req else ZERO) or ZERO,
        "shipping_cost": (req.shipping_cost if req else ZERO) or ZERO,
        "shipping_tax": (req.shipping_tax if req else ZERO) or ZERO,
    }
    returned = sku.return_quantity if line.quantity_returned is None else line.quantity_returned
    if completion.mode == "deny":
        qty = 0 if line.refund_quantity is None else line.refund_quantity
        amounts = {k: Decimal(0) for k in asked}
        feedback = line.feedback or completion.deny_reason
    else:
        qty = sku.return_quantity if line.refund_quantity is None else line.refund_quantity
        # Fewer units refunded: the requested amounts scale down unless given.
        amounts = {
            k: (v * qty / sku.return_quantity if sku.return_quantity else ZERO).quantize(Decimal("0.01"))
            if getattr(line, k) is None
            else Decimal(str(getattr(line, k)))
            for k, v in asked.items()
        }
        feedback = line.feedback
    if returned > sku.return_quantity:
        raise ReturnRefused(f"line {item_id}: {returned} units received but the return is for {sku.return_quantity}")
    if qty > sku.return_quantity:
        raise ReturnRefused(f"line {item_id}: refunding {qty} units but the return is for {sku.return_quantity}")
    if qty > returned and not detail.refund_without_return:
        raise ReturnRefused(f"line {item_id}: refunding {qty} units but only {returned} came back")
    for k, v in amounts.items():
        if v < 0 or v > asked[k]:
            raise ReturnRefused(f"line {item_id}: {k} {v} must be between 0 and the {asked[k]} requested")
    less = qty < sku.return_quantity or sum(amounts.values()) < sum(asked.values())
    if less and not feedback:
        raise ReturnRefused(
            f"line {item_id}: refunding less than requested needs a feedback reason, one of: "
            f"{', '.join(RETURN_REFUND_FEEDBACK)}"
        )
    return {
        "order_item_id": item_id,
        **({"alt_order_item_id": sku.alt_order_item_id} if sku.alt_order_item_id else {}),
        "total_quantity_returned": returned,
        "order_return_refund_qty": qty,
        **({"return_refund_feedback": feedback} if feedback else {}),
        **({"notes": line.notes} if line.notes else {}),
        "refund_amount": {k: str(v) for k, v in amounts.items()},
    }


def complete_return(
    conn: psycopg.Connection, client: Any, run: RunIdentity, return_id: str, completion: Completion
) -> dict[str, Any]:
    """Complete one return through the outbox; returns its id, order and Jet's status.

    Refused when Jet shows the return already completed, its order is not in the
    warehouse, or the completion breaks Jet's rules. A second run for the same return
    only settles the first completion (one completion per return, ever).
    """
    detail = client.get_return(return_id)
    order_id = detail.merchant_order_id
    found = outbox.find(conn, merchant_order_id=order_id, call=COMPLETE_RETURN, subject=return_id)
    existing = found[0] if found else None
    if existing is not None and existing.requested_by != run.run_key:
        raise ReturnRefused(
            f"return {return_id} was already completed by {existing.requested_by} (action {existing.action_id}, "
            f"state {existing.state}{': ' + existing.last_error if existing.last_error else ''}); "
            "Jet takes one completion per return"
        )
    action_id = existing.action_id if existing is not None else None
    if existing is None:
        if detail.return_status == COMPLETED:
            raise ReturnRefused(f"return {return_id} is already completed at Jet")
        if not is_known(conn, order_id):
            raise ReturnRefused(f"order {order_id} of return {return_id} is not in the warehouse; import it first")
        body = completion_body(detail, completion)
        with conn.transaction():
            action_id = outbox.queue(
                conn, run, order_id, COMPLETE_RETURN, body, subject=return_id, reason=f"completion: {completion.mode}"
            ).action_id
    if action_id is None:
        raise MissingRow(f"completion of return {return_id} of order {order_id} has no action in jet.actions")
    applied = outbox.apply_now(conn, client, action_id)
    land_returns(conn, client, run, [return_id])
    return {"merchant_return_authorization_id": return_id, "merchant_order_id": order_id, "state": applied["state"]}
