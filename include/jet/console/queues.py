"""The order manager's queues: what waits for an operator, with counts for every page.

Held orders, orders at risk of missing the acknowledgement window, writes to Jet whose
outcome is unknown or that failed, quarantined payloads, returns awaiting a decision,
shipments Jet has not confirmed, and unreadable orders. A queue whose view this
warehouse does not have (an older migration level) is reported as unavailable, not
as empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jet.sql import execute, read_sql

if TYPE_CHECKING:
    import psycopg

__all__ = ["QUEUES", "QueueCounts", "queue_counts", "queue_rows"]

#: Queue name -> (title, SQL file listing it, the view it needs or None).
QUEUES: dict[str, tuple[str, str, str | None]] = {
    "held": ("Held for approval", "console_queue_held.sql", None),
    "at_risk": ("At risk of missing the acknowledgement window", "console_queue_at_risk.sql", None),
    "writes": ("Writes to Jet unknown or failed", "console_queue_writes.sql", None),
    "quarantined": ("Quarantined payloads", "console_queue_quarantine.sql", None),
    "returns": ("Returns awaiting a decision", "console_queue_returns.sql", None),
    "shipments": ("Shipments not yet confirmed by Jet", "console_queue_shipments.sql", None),
    "unreadable": ("Unreadable orders", "console_queue_unreadable.sql", "jet.unreadable_orders"),
}


@dataclass(frozen=True)
class QueueCounts:
    held: int
    at_risk: int
    writes: int
    quarantined: int
    returns: int
    shipments: int
    unreadable: int | None  # None: this warehouse has no jet.unreadable_orders view

    def get(self, name: str) -> int | None:
        return getattr(self, name)


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    row = conn.execute(read_sql("console_relation_exists.sql"), {"name": relation}).fetchone()
    return bool(row and row[0])


def queue_counts(conn: psycopg.Connection, now: datetime) -> QueueCounts:
    """How many items wait in each queue, as of ``now``."""
    row = execute(conn, "console_queue_counts.sql", {"now": now}).fetchone()
    if row is None:  # an aggregate always returns a row; anything else is a broken query
        raise RuntimeError("console_queue_counts.sql returned no row")
    unreadable = None
    if _exists(conn, "jet.unreadable_orders"):
        counted = conn.execute(read_sql("console_queue_unreadable_count.sql")).fetchone()
        unreadable = int(counted[0]) if counted else 0
    held, at_risk, writes, quarantined, returns, shipments = row
    return QueueCounts(held, at_risk, writes, quarantined, returns, shipments, unreadable=unreadable)


def queue_rows(conn: psycopg.Connection, name: str, now: datetime, limit: int = 100) -> list[dict[str, Any]] | None:
    """The items of one queue (most urgent first), or None when its view is missing."""
    from psycopg.rows import dict_row

    if name not in QUEUES:
        raise KeyError(f"no queue named {name!r}; queues: {', '.join(QUEUES)}")
    _, sql_file, needs = QUEUES[name]
    if needs and not _exists(conn, needs):
        return None
    with conn.cursor(row_factory=dict_row) as cur:
        return list(execute(cur, sql_file, {"now": now, "limit": limit}))
