"""Jet's words as the SQL of this folder binds them: ``%(vocab_...)s``, never a literal.

Every wire string of Jet's is written once, in :mod:`jet.api.vocabulary`; a statement that
spelled ``'ready'`` itself would keep matching the old word the day the vocabulary changes,
and nothing would say so. So a statement names the word (``o.status = %(vocab_order_ready)s``,
``o.status = ANY(%(vocab_open_order_statuses)s)``) and :func:`jet.sql.bind` fills each
``vocab_`` placeholder from :data:`WORDS`. The values stay bound parameters, like every
other value (never formatted into the text). ``tests/unit/sql/test_jet_words_bound.py``
fails on a Jet word spelled as a literal.

A placeholder without the ``vocab_`` prefix is the caller's, as before: our own words (the
internal statuses of ``jet.order_status_map``, the outbox's states) are not Jet's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from jet.api.vocabulary import (
    OPEN_ORDER_STATUSES,
    OPEN_RETURN_STATUSES,
    REFUND_REJECTED_PREFIX,
    AcknowledgementStatus,
    ExceptionState,
    OrderItemAcknowledgementStatus,
    OrderStatus,
    RefundStatus,
    ReturnStatus,
)

__all__ = ["PREFIX", "WORDS", "UnknownWord", "words_of"]

#: The prefix of a placeholder that names a Jet word; no caller's parameter has it.
PREFIX = "vocab_"

#: A word, or a list of words (tuples here, bound as a list: Postgres sees a text[]).
Word = str | tuple[str, ...]

_ACCEPTED = AcknowledgementStatus.ACCEPTED

WORDS: Mapping[str, Word] = MappingProxyType(
    {
        # jet.orders.status
        "vocab_order_ready": OrderStatus.READY.value,
        "vocab_order_acknowledged": OrderStatus.ACKNOWLEDGED.value,
        "vocab_order_complete": OrderStatus.COMPLETE.value,
        "vocab_open_order_statuses": OPEN_ORDER_STATUSES,
        # jet.orders.acknowledgement_status (what Jet echoes of our answer)
        "vocab_ack_accepted": AcknowledgementStatus.ACCEPTED.value,
        "vocab_ack_rejections": tuple(s.value for s in AcknowledgementStatus if s is not _ACCEPTED),
        # jet.order_items.acknowledgement_status
        "vocab_item_fulfillable": OrderItemAcknowledgementStatus.FULFILLABLE.value,
        # jet.orders.exception_state
        "vocab_exception_resolved": ExceptionState.RESOLVED.value,
        "vocab_exception_manual_cancel": ExceptionState.JET_MANUAL_CANCELED.value,
        # jet.returns.return_status
        "vocab_return_completed": ReturnStatus.COMPLETED_BY_MERCHANT.value,
        "vocab_open_return_statuses": OPEN_RETURN_STATUSES,
        # jet.refunds.refund_status; a rejection is any status starting with the prefix
        # (jet.refunds.follow reads it the same way), whatever reason follows it.
        "vocab_refund_created": RefundStatus.CREATED.value,
        "vocab_refund_accepted": RefundStatus.ACCEPTED.value,
        "vocab_refund_rejected_like": REFUND_REJECTED_PREFIX + "%",
    }
)

_PLACEHOLDER = re.compile(r"%\((" + PREFIX + r"\w*)\)s")


class UnknownWord(LookupError):
    """A statement names a ``vocab_`` word that :data:`WORDS` does not have (a typo, or a
    word not added yet): refused, rather than bound as NULL and matching nothing."""


def words_of(name: str, sql: str) -> dict[str, str | list[str]]:
    """The Jet words the ``%(vocab_...)s`` placeholders of ``sql`` (the text of ``name``) name,
    ready to bind (lists for the tuples); :class:`UnknownWord` naming the file and the word
    for a placeholder :data:`WORDS` does not have."""
    found: dict[str, str | list[str]] = {}
    for word in _PLACEHOLDER.findall(sql):
        if word not in WORDS:
            raise UnknownWord(f"{name}: %({word})s is no Jet word of jet.sql.words (known: {', '.join(WORDS)})")
        value = WORDS[word]
        found[word] = value if isinstance(value, str) else list(value)
    return found
