"""Following refunds: read the state of every undecided refund from Jet and record it,
until Jet accepts or rejects it (:func:`is_final`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jet.api.errors import JetHttpError
from jet.api.vocabulary import REFUND_REJECTED_PREFIX, RefundStatus
from jet.sql import execute, read_sql
from jet.warehouse.landing import (
    UNREADABLE_ERRORS,
    OutageWatch,
    known_unreadable,
    land_or_quarantine,
    parse_or_quarantine,
    record_read_again,
    record_unreadable,
)

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)


def is_final(status: str | None) -> bool:
    """Accepted or rejected (any rejection reason): Jet will not change it again."""
    return status == RefundStatus.ACCEPTED or is_rejected(status)


def is_rejected(status: str | None) -> bool:
    """Rejected, whatever reason Jet gave after the word."""
    return (status or "").startswith(REFUND_REJECTED_PREFIX)


def follow_refunds(
    conn: psycopg.Connection, client: Any, run: RunIdentity, alt_refund_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """Read the state of undecided refunds from Jet and record it (a note per change).
    Returns ``{alt_refund_id: status}`` of the refunds read.

    One refund never stops the others: a state body that is invalid (or another refund's)
    or that the database refuses is quarantined (kind ``refund``) and the refund keeps its
    last known status; one Jet will not serve is recorded in ``jet.unreadable``. Both are
    read again next run.
    """
    rows = execute(
        conn, "refunds_open.sql", {"alt_refund_ids": list(alt_refund_ids) if alt_refund_ids is not None else None}
    ).fetchall()
    batch_key = f"{run.run_key}/refunds"
    known = known_unreadable(conn, "refund", [r[2] for r in rows])
    failing = OutageWatch(known, "refund state")
    seen: dict[str, str] = {}
    read: list[str] = []
    failures: list[tuple[str, JetHttpError]] = []
    for alt, order_id, auth_id, _ in sorted(rows, key=lambda r: r[2] in known):
        try:
            raw = client.get_refund_raw(auth_id)
        except UNREADABLE_ERRORS as exc:  # a 404 too: Jet no longer serves it
            failures.append((auth_id, exc))
            if failing.saw(auth_id, exc):
                break
            continue
        failing.saw(auth_id, None)
        read.append(auth_id)
        status = _record_state(conn, run, batch_key, alt, order_id, auth_id, raw)
        if status is not None:
            seen[alt] = status
    with conn.transaction(), conn.cursor() as cur:
        record_unreadable(cur, "refund", failures, run.observed_at, batch_key)
        record_read_again(cur, "refund", read, run.observed_at)
    failing.check(f"{len(seen)} refund states recorded, {len(failures)} unreadable")
    return seen


def _record_state(
    conn: psycopg.Connection,
    run: RunIdentity,
    batch_key: str,
    alt: str,
    order_id: str,
    auth_id: str,
    raw: bytes,
) -> str | None:
    """Record one refund's state from its body; its status, or None when it was quarantined."""
    from jet.api.models import RefundState

    stamps: dict[str, Any] = {"observed_at": run.observed_at, "batch_key": batch_key}
    with conn.transaction(), conn.cursor() as cur:
        state, _ = parse_or_quarantine(cur, RefundState, "refund", auth_id, "refund_authorization_id", raw, **stamps)
        if state is None:
            return None

        def write() -> None:
            execute(
                cur,
                "refunds_update_status.sql",
                {"alt_refund_id": alt, "refund_status": state.refund_status, "checked_at": run.observed_at},
            )

        _, refused = land_or_quarantine(conn, cur, write, kind="refund", object_id=auth_id, raw=raw, **stamps)
        if refused:
            return None
    if is_rejected(state.refund_status):
        log.error("refund %s of order %s was rejected by Jet: %s", alt, order_id, state.refund_status)
    return state.refund_status


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """Refunds per Jet status."""
    return dict(conn.execute(read_sql("refunds_counts.sql")).fetchall())
