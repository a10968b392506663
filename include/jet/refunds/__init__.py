"""Merchant-initiated refunds: validate against what shipped, record, post through the
outbox, follow the refund's state until Jet accepts or rejects it.

* :mod:`jet.refunds.request`: only shipped units can be refunded (units that did not ship
  are cancelled, not refunded: the refusal says so and points to ``jet_cancel_order``, or
  a cancellation-only shipment with ``jet_ship_order``); amounts are line totals by
  component, each defaulting to, and capped at, the order line's per-unit amount × units;
  reason and feedback come from Jet's vocabularies, checked before anything is stored.
  The refund row and its action (kind ``refund``, subject the ``alt_refund_id``) are
  committed before the POST. A lost answer is settled with
  ``GET /refunds/state/{alt_refund_id}``: the POST is only ever repeated after Jet said,
  past the outbox's quiet period, that it has no such refund.
* :mod:`jet.refunds.follow`: the state of every undecided refund, read from Jet and
  recorded until it is final.
"""

from jet.refunds.follow import counts, follow_refunds, is_final, is_rejected
from jet.refunds.request import (
    RefundLine,
    RefundRefused,
    build_body,
    default_alt_refund_id,
    request_refund,
    shipped_per_line,
)

__all__ = [
    "RefundLine",
    "RefundRefused",
    "build_body",
    "counts",
    "default_alt_refund_id",
    "follow_refunds",
    "is_final",
    "is_rejected",
    "request_refund",
    "shipped_per_line",
]
