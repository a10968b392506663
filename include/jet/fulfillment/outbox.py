"""The outbox for fulfilment writes: shipments, return completions, refunds.

Same table and contract as the decisions' outbox (:mod:`jet.decisions.outbox`,
``jet.actions``): the action row is committed before the call, the HTTP layer never
retries a write, a timeout or dropped connection marks the action ``unknown``, and an
unknown action is settled by re-reading Jet before anything is sent again. Its
bookkeeping is reused as is (the receipt, the attempt limit, ``record_outcomes`` and the
outcome SQL); what differs is only how each kind is sent and settled:

============================  ====================================  ==========================================
kind                          call                                  settled from
============================  ====================================  ==========================================
``ship:<request id>``         ``PUT /orders/{id}/shipped``          our ``alt_shipment_id`` in the order's
                                                                    shipments (applied); order still open
                                                                    (not applied); else failed
``complete_return:<ret id>``  ``PUT /returns/{id}/complete``        the return's status ``completed by
                                                                    merchant`` (applied), else not applied
``refund:<alt_refund_id>``    ``POST /refunds/{order}/{alt id}``    ``GET /refunds/state/{alt id}`` finds it
                                                                    (applied), 404 (not applied)
============================  ====================================  ==========================================

The kind names the object acted on, so the database's "one action per (order, kind)"
still means: one upload per shipment request, one completion per return, one POST per
refund id - ever.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jet.decisions.outbox import MAX_ATTEMPTS, STALE_SENDING_SECONDS, OutboxReceipt, record_outcomes
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

FAMILIES = ("ship", "complete_return", "refund")
CLAIM_CHUNK = 100


def action_kind(family: str, subject: str | int) -> str:
    """``ship:17``, ``complete_return:<return id>``, ``refund:<alt_refund_id>``."""
    if family not in FAMILIES:
        raise ValueError(f"unknown action family {family!r}")
    return f"{family}:{subject}"


def split_kind(kind: str) -> tuple[str, str]:
    family, _, subject = kind.partition(":")
    if family not in FAMILIES or not subject:
        raise ValueError(f"{kind!r} is not a fulfilment action kind")
    return family, subject


def queue(
    conn: psycopg.Connection,
    run: RunIdentity,
    merchant_order_id: str,
    kind: str,
    body: dict[str, Any],
    reason: str | None = None,
) -> int:
    """Insert the intended write (in the caller's transaction); returns its action id.

    A second action of the same kind fails loudly (unique constraint), as in 0003.
    """
    from psycopg.types.json import Jsonb

    split_kind(kind)
    row = conn.execute(
        read_sql("decisions_action_insert.sql"),
        {
            "merchant_order_id": merchant_order_id,
            "kind": kind,
            "decision_id": None,
            "body": Jsonb(body),
            "requested_by": run.run_key,
            "reason": reason,
            "created_at": run.observed_at,
        },
    ).fetchone()
    assert row is not None
    return int(row[0])


def action_of(
    conn: psycopg.Connection, merchant_order_id: str, kind: str
) -> tuple[int, str, int, str | None, str] | None:
    """``(action_id, state, attempts, last_error, requested_by)`` of an order's action of ``kind``, if any."""
    return conn.execute(
        read_sql("fulfillment_action_of.sql"), {"merchant_order_id": merchant_order_id, "kind": kind}
    ).fetchone()


def _call(client: Any, order_id: str, kind: str, body: dict[str, Any]) -> tuple[str, str | None, Any]:
    """Send one action; (outcome, error, result). Jet's answers map to outcomes; anything
    else propagates."""
    from jet.api.errors import JetRequestRejected, WriteOutcomeUnknown

    family, subject = split_kind(kind)
    try:
        if family == "ship":
            result = client.ship(order_id, body)
        elif family == "complete_return":
            result = client.complete_return(subject, body)
        else:
            result = client.create_refund(order_id, subject, body)
    except WriteOutcomeUnknown as exc:
        return "unknown", str(exc), None
    except JetRequestRejected as exc:
        return "not_applied", str(exc), None
    return "applied", None, result


def _after_applied(conn: psycopg.Connection, kind: str, result: Any) -> None:
    """Record what Jet returned for an applied write (the refund's authorization id)."""
    family, subject = split_kind(kind)
    if family == "refund" and result is not None:
        conn.execute(
            read_sql("refunds_record_created.sql"),
            {
                "alt_refund_id": subject,
                "refund_authorization_id": result.refund_authorization_id,
                "refund_status": result.refund_status,
            },
        )


def send(
    conn: psycopg.Connection,
    client: Any,
    families: Sequence[str] = FAMILIES,
    *,
    order_ids: Sequence[str] | None = None,
) -> OutboxReceipt:
    """Send every pending (or re-sendable) action of ``families`` once, in action order.

    Sequential on purpose: several shipments of one order must reach Jet in the order
    they were recorded, and these writes are few (tens per run, not thousands).
    An unexpected error (not a Jet answer) marks that action ``unknown`` - it may have
    reached Jet - and is raised once the outcomes so far are recorded.
    """
    receipt = OutboxReceipt()
    seen: list[int] = []
    while True:
        with conn.transaction():
            rows = conn.execute(
                read_sql("fulfillment_claim.sql"),
                {
                    "families": list(families),
                    "max_attempts": MAX_ATTEMPTS,
                    "exclude": seen,
                    "order_ids": list(order_ids) if order_ids is not None else None,
                    "limit": CLAIM_CHUNK,
                },
            ).fetchall()
        if not rows:
            break
        for action_id, order_id, kind, body, attempt in rows:
            seen.append(action_id)
            try:
                outcome, error, result = _call(client, order_id, kind, body)
            except Exception as exc:
                record_outcomes(conn, [(action_id, attempt, "unknown", f"{type(exc).__name__}: {exc}")])
                # The rest of the chunk was claimed but not sent: give it back untouched.
                _release(conn, [r[0] for r in rows if r[0] not in seen])
                raise
            with conn.transaction():
                record_outcomes(conn, [(action_id, attempt, outcome, error)])
                if outcome == "applied":
                    _after_applied(conn, kind, result)
            receipt.sent += 1
            receipt.outcomes[outcome] += 1
            if error:
                log.warning("%s of order %s: %s (%s)", kind, order_id, outcome, error)
    if receipt.sent:
        log.info("sent %d fulfilment actions: %s", receipt.sent, dict(receipt.outcomes))
    return receipt


def _release(conn: psycopg.Connection, action_ids: list[int]) -> None:
    """Return claimed-but-unsent actions to their previous sendable state (nothing was sent)."""
    if action_ids:
        with conn.transaction():
            conn.execute(read_sql("fulfillment_release.sql"), {"action_ids": action_ids})


def settlement(client: Any, order_id: str, kind: str, body: dict[str, Any]) -> tuple[str, str | None, Any]:
    """Whether Jet applied a fulfilment write, from what Jet shows now: (state, note, result)."""
    from jet.api.errors import JetNotFound

    family, subject = split_kind(kind)
    if family == "ship":
        order = client.get_order(order_id)
        ours = {s["alt_shipment_id"] for s in body["shipments"]}
        if any(s.alt_shipment_id in ours for s in order.shipments):
            return "applied", None, None
        if str(order.status) in ("acknowledged", "inprogress"):
            return "not_applied", f"no shipment {sorted(ours)} on the order at Jet", None
        return "failed", f"Jet shows the order {order.status!s} without shipment {sorted(ours)}", None
    if family == "complete_return":
        detail = client.get_return(subject)
        if detail.return_status == "completed by merchant":
            return "applied", None, None
        return "not_applied", f"Jet shows the return {detail.return_status!r}", None
    try:
        state = client.get_refund(subject)
    except JetNotFound:
        return "not_applied", f"Jet has no refund {subject}", None
    return "applied", None, state


def settle(
    conn: psycopg.Connection,
    client: Any,
    families: Sequence[str] = FAMILIES,
    *,
    order_ids: Sequence[str] | None = None,
    stale_seconds: float = STALE_SENDING_SECONDS,
) -> OutboxReceipt:
    """Re-read Jet for every ``unknown`` (or stale ``sending``) action and settle it."""
    receipt = OutboxReceipt()
    with conn.transaction():
        rows = conn.execute(
            read_sql("fulfillment_unsettled.sql"),
            {
                "families": list(families),
                "stale_seconds": stale_seconds,
                "order_ids": list(order_ids) if order_ids is not None else None,
            },
        ).fetchall()
        for action_id, order_id, kind, body, attempts in rows:
            state, note, result = settlement(client, order_id, kind, body)
            if state == "not_applied" and attempts >= MAX_ATTEMPTS:
                state = "failed"
            conn.execute(
                read_sql("decisions_record_outcome.sql"), {"action_id": action_id, "state": state, "error": note}
            )
            if state == "applied":
                _after_applied(conn, kind, result)
            receipt.outcomes[state] += 1
    if rows:
        log.info("settled %d fulfilment actions of unknown outcome: %s", len(rows), dict(receipt.outcomes))
    return receipt


def drain(
    conn: psycopg.Connection,
    client: Any,
    families: Sequence[str] = FAMILIES,
    *,
    order_ids: Sequence[str] | None = None,
    rounds: int = MAX_ATTEMPTS,
) -> OutboxReceipt:
    """Settle, then send and settle again until nothing is left to send or ``rounds`` run
    out. Only what a settle found not applied is ever sent again."""
    total = settle(conn, client, families, order_ids=order_ids)
    for _ in range(rounds):
        sent = send(conn, client, families, order_ids=order_ids)
        if sent.sent == 0:
            break
        total += sent
        total += settle(conn, client, families, order_ids=order_ids)
    return total
