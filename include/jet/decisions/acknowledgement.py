"""A decision in Jet's words: the acknowledgement status and item statuses to send.

The rules (:mod:`jet.decisions.rules`) speak their own vocabulary (:class:`Outcome`,
:class:`LineStatus`); this module maps it onto Jet's, whose strings are written once in
:mod:`jet.api.vocabulary`. A second marketplace would add its own mapping beside this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from jet.api.vocabulary import AcknowledgementStatus, OrderItemAcknowledgementStatus
from jet.decisions.rules import Decision, LineStatus, Outcome

JET_ACKNOWLEDGEMENT_STATUS: Mapping[Outcome, AcknowledgementStatus | None] = MappingProxyType(
    {
        Outcome.ACKNOWLEDGE: AcknowledgementStatus.ACCEPTED,
        Outcome.REJECT: AcknowledgementStatus.REJECTED_ITEM_LEVEL_ERROR,
        Outcome.CANCEL: AcknowledgementStatus.REJECTED_ITEM_LEVEL_ERROR,
        Outcome.HOLD: None,  # nothing is sent while the order waits for manual approval
    }
)

JET_ITEM_STATUS: Mapping[LineStatus, OrderItemAcknowledgementStatus] = MappingProxyType(
    {
        LineStatus.FULFILLABLE: OrderItemAcknowledgementStatus.FULFILLABLE,
        LineStatus.NO_INVENTORY: OrderItemAcknowledgementStatus.NONFULFILLABLE_NO_INVENTORY,
        LineStatus.UNKNOWN_SKU: OrderItemAcknowledgementStatus.NONFULFILLABLE_INVALID_MERCHANT_SKU,
    }
)


@dataclass(frozen=True)
class JetAcknowledgement:
    """What to send to Jet's acknowledge call: the order status and ``(line_id, item status)`` pairs."""

    acknowledgement_status: str
    items: tuple[tuple[str, str], ...]


def to_jet_acknowledgement(decision: Decision) -> JetAcknowledgement | None:
    """Jet's acknowledgement values for a decision; None for a held order (nothing is sent)."""
    status = JET_ACKNOWLEDGEMENT_STATUS[decision.outcome]
    if status is None:
        return None
    if decision.outcome is Outcome.ACKNOWLEDGE and any(
        line.status is not LineStatus.FULFILLABLE for line in decision.lines
    ):
        # Jet refuses an accepted order with a non-fulfillable line; the rules never build one.
        raise ValueError(f"order {decision.order_id}: an acknowledged order must have only fulfillable lines")
    return JetAcknowledgement(
        acknowledgement_status=status,
        items=tuple((line.line_id, JET_ITEM_STATUS[line.status]) for line in decision.lines),
    )


def approval(order_item_ids: Iterable[str]) -> JetAcknowledgement:
    """An operator's approval of a held order: accepted, every line fulfillable, whatever the rules advised."""
    return JetAcknowledgement(
        acknowledgement_status=AcknowledgementStatus.ACCEPTED,
        items=tuple((item_id, OrderItemAcknowledgementStatus.FULFILLABLE) for item_id in order_item_ids),
    )


def acknowledge_body(ack: JetAcknowledgement) -> dict[str, Any]:
    """The body of Jet's ``PUT /orders/{id}/acknowledge`` for these values (§4)."""
    return {
        "acknowledgement_status": ack.acknowledgement_status,
        "order_items": [
            {"order_item_id": item_id, "order_item_acknowledgement_status": status} for item_id, status in ack.items
        ],
    }
