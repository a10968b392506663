"""Send the outbox to Jet exactly once, and settle writes whose outcome is unknown.

The contract (docs/architecture.md, "Exactly-once write-back"):

* An action is committed as ``sending`` before its call, so a crash can never hide a
  call that was made.
* 2xx → ``applied``. 4xx → ``not_applied`` (Jet refused it; it was not applied).
  Timeout, dropped connection or 5xx (:class:`~jet.api.errors.WriteOutcomeUnknown`)
  → ``unknown``: Jet may or may not have applied it.
* An ``unknown`` action is never re-sent. :func:`settle` re-reads its order from Jet and
  marks it ``applied`` or ``not_applied`` from what Jet shows (the acknowledgement
  status echo, the order status, our cancel shipment in the echoed shipments).
* Only ``not_applied`` actions are sent again: same row, one more attempt, up to
  :data:`MAX_ATTEMPTS`; then ``failed``.

The database backs this up: one action per (order, kind) and one acknowledgement call
per order can ever exist (migration 0003).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from jet.decisions.store import ACKNOWLEDGEMENT_KINDS, SHIPPED_KINDS, alt_shipment_id
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import OrderDetail

log = logging.getLogger(__name__)

#: Sends of one action before it is given up as ``failed`` (each after a settled "not applied").
MAX_ATTEMPTS = 5
#: Actions claimed (committed as ``sending``) per round trip to the database.
CLAIM_CHUNK = 200
#: A ``sending`` action older than this (wall clock) belongs to a sender that died.
STALE_SENDING_SECONDS = 300
ALL_KINDS = (*ACKNOWLEDGEMENT_KINDS, *SHIPPED_KINDS)


class WriteClient(Protocol):
    """What the outbox needs from the marketplace client (JetHook provides it)."""

    def acknowledge(self, merchant_order_id: str, body: Any) -> None: ...

    def ship(self, merchant_order_id: str, body: Any) -> None: ...

    def iter_orders(self, ids: Sequence[str]) -> Any: ...


@dataclass
class OutboxReceipt:
    """Counts of one send or settle step (XCom-sized)."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def __iadd__(self, other: OutboxReceipt) -> OutboxReceipt:
        self.sent += other.sent
        self.outcomes.update(other.outcomes)
        return self

    def as_xcom(self) -> dict[str, Any]:
        return {"sent": self.sent, **{k: v for k, v in sorted(self.outcomes.items())}}


@dataclass(frozen=True)
class _Claimed:
    action_id: int
    merchant_order_id: str
    kind: str
    body: dict[str, Any]
    attempt: int


def _call(client: WriteClient, action: _Claimed) -> tuple[str, str | None]:
    """Send one action; returns (outcome, error). Unexpected errors propagate."""
    from jet.api.errors import JetRequestRejected, WriteOutcomeUnknown

    try:
        if action.kind in ACKNOWLEDGEMENT_KINDS:
            client.acknowledge(action.merchant_order_id, action.body)
        elif action.kind in SHIPPED_KINDS:
            client.ship(action.merchant_order_id, action.body)
        else:
            raise ValueError(f"action {action.action_id}: unknown kind {action.kind!r}")
    except WriteOutcomeUnknown as exc:
        return "unknown", str(exc)
    except JetRequestRejected as exc:
        return "not_applied", str(exc)
    return "applied", None


def _send_one(client: WriteClient, action: _Claimed) -> tuple[_Claimed, str, str | None, Exception | None]:
    """Send one action; an unexpected error (not a Jet answer) is returned, to be recorded
    as ``unknown`` (it may have reached Jet) and raised once the chunk is recorded."""
    try:
        outcome, error = _call(client, action)
    except Exception as exc:  # noqa: BLE001 - recorded as unknown, then re-raised by send()
        return action, "unknown", f"{type(exc).__name__}: {exc}", exc
    return action, outcome, error, None


def send(
    conn: psycopg.Connection,
    client: WriteClient,
    kinds: Sequence[str],
    *,
    order_ids: Sequence[str] | None = None,
    max_workers: int = 8,
) -> OutboxReceipt:
    """Drain the outbox for ``kinds``: every pending (or re-sendable) action sent once.

    Chunks of actions are committed as ``sending``, sent concurrently (the client keeps
    the whole batch under its rate budget), and their outcomes committed. Each action is
    sent at most once per call, so a refused write is not hammered. ``order_ids``
    restricts the drain (manual DAGs). An unexpected error (not a Jet answer) marks that
    action ``unknown`` - it may have reached Jet - and is raised after the chunk is
    recorded.
    """
    receipt = OutboxReceipt()
    seen: list[int] = []
    kinds = list(kinds)
    while True:
        with conn.transaction():
            rows = conn.execute(
                read_sql("decisions_claim.sql"),
                {
                    "kinds": kinds,
                    "max_attempts": MAX_ATTEMPTS,
                    "exclude": seen,
                    "order_ids": list(order_ids) if order_ids is not None else None,
                    "limit": CLAIM_CHUNK,
                },
            ).fetchall()
        if not rows:
            break
        claimed = [_Claimed(*row) for row in rows]
        seen += [c.action_id for c in claimed]
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(claimed)))) as pool:
            results = list(pool.map(lambda action: _send_one(client, action), claimed))
        record_outcomes(conn, [(a.action_id, a.attempt, outcome, error) for a, outcome, error, _ in results])
        receipt.sent += len(results)
        receipt.outcomes.update(outcome for _, outcome, _, _ in results)
        failures = [exc for *_, exc in results if exc is not None]
        if failures:
            raise failures[0]
    if receipt.sent:
        log.info("sent %d %s actions: %s", receipt.sent, "/".join(kinds), dict(receipt.outcomes))
    return receipt


def record_outcomes(conn: psycopg.Connection, results: Sequence[tuple[int, int, str, str | None]]) -> None:
    """Commit each send's outcome, and the attempt log. A refused action at the attempt
    limit is ``failed``."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            read_sql("decisions_attempt_insert.sql"),
            [{"action_id": a, "attempt": n, "outcome": o, "error": e} for a, n, o, e in results],
        )
        cur.executemany(
            read_sql("decisions_record_outcome.sql"),
            [
                {
                    "action_id": a,
                    "state": "failed" if o == "not_applied" and n >= MAX_ATTEMPTS else o,
                    "error": e,
                }
                for a, n, o, e in results
            ],
        )


def settlement(kind: str, body: dict[str, Any], order: OrderDetail) -> tuple[str, str | None]:
    """Whether Jet applied an action, judged from the order as Jet now shows it.

    Returns ``(state, note)`` with state ``applied``, ``not_applied`` (may be sent again)
    or ``failed`` (Jet moved on: sending again cannot succeed).
    """
    status = str(order.status)
    if kind in ACKNOWLEDGEMENT_KINDS:
        sent = body["acknowledgement_status"]
        echoed = order.acknowledgement_status
        if echoed == sent:
            return "applied", None
        if echoed is None and status == "ready":
            return "not_applied", "Jet shows the order still ready and unacknowledged"
        return "failed", (
            f"Jet shows status {status!r}, acknowledgement_status {echoed!r}, exception_state "
            f"{order.exception_state!r}; we sent {sent!r}: it can no longer be applied"
        )
    ours = alt_shipment_id(kind, order.merchant_order_id)
    if any(s.alt_shipment_id == ours for s in order.shipments):
        return "applied", None
    if status in ("acknowledged", "inprogress"):
        return "not_applied", f"no shipment {ours} on the order at Jet"
    return "failed", f"Jet shows the order {status!r} without shipment {ours}: it can no longer be applied"


def settle(
    conn: psycopg.Connection,
    client: WriteClient,
    *,
    kinds: Sequence[str] = ALL_KINDS,
    order_ids: Sequence[str] | None = None,
    stale_seconds: float = STALE_SENDING_SECONDS,
) -> OutboxReceipt:
    """Re-read the order of every ``unknown`` (or stale ``sending``) action and settle it.

    Orders Jet cannot serve validly stay ``unknown`` (logged) and are tried again on
    the next settle; HTTP failures of the reads propagate (the task fails and retries).
    """
    receipt = OutboxReceipt()
    with conn.transaction():
        # Locked while settling, so no sender can claim and re-send them meanwhile.
        rows = conn.execute(
            read_sql("decisions_unsettled.sql"),
            {
                "kinds": list(kinds),
                "stale_seconds": stale_seconds,
                "order_ids": list(order_ids) if order_ids is not None else None,
            },
        ).fetchall()
        if not rows:
            return receipt
        orders: dict[str, OrderDetail] = {}
        for result in client.iter_orders(sorted({r[1] for r in rows})):
            if result.order is not None:
                orders[result.merchant_order_id] = result.order
            else:
                log.warning("order %s: Jet served an invalid payload (%s)", result.merchant_order_id, result.error)
        updates = []
        for action_id, order_id, kind, body, _attempts in rows:
            order = orders.get(order_id)
            if order is None:
                receipt.outcomes["still_unknown"] += 1
                continue
            state, note = settlement(kind, body, order)
            updates.append({"action_id": action_id, "state": state, "error": note})
            receipt.outcomes[state] += 1
        with conn.cursor() as cur:
            cur.executemany(read_sql("decisions_record_outcome.sql"), updates)
    log.info("settled %d actions of unknown outcome: %s", len(rows), dict(receipt.outcomes))
    return receipt


def drain(
    conn: psycopg.Connection,
    client: WriteClient,
    kinds: Sequence[str] = ALL_KINDS,
    *,
    order_ids: Sequence[str] | None = None,
    rounds: int = MAX_ATTEMPTS,
    max_workers: int = 8,
) -> OutboxReceipt:
    """Settle, then send and settle again, until nothing is left to send or ``rounds`` run out.

    Every send is followed by a settle that re-reads the orders of writes whose outcome
    is unknown, and only what that finds not applied is sent again: nothing is ever
    sent twice blindly.
    """
    total = settle(conn, client, kinds=kinds, order_ids=order_ids)
    for _ in range(rounds):
        sent = send(conn, client, kinds, order_ids=order_ids, max_workers=max_workers)
        if sent.sent == 0:
            break
        total += sent
        total += settle(conn, client, kinds=kinds, order_ids=order_ids)
    return total


def open_work(conn: psycopg.Connection) -> dict[str, int]:
    """Actions a sender could act on now, per kind."""
    rows = conn.execute(read_sql("decisions_work_by_kind.sql"), {"max_attempts": MAX_ATTEMPTS}).fetchall()
    return {kind: count for kind, count in rows}
