"""An order's dated story, Jet's side and ours, as the order manager shows it.

The only reader of the timeline (``jet.order_timeline``): when the timeline is rebuilt
into one mechanism, this module and its one SQL file are what change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

__all__ = ["TimelineEntry", "timeline"]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    side: str  # "jet" or "ours"
    who: str  # Jet, a system component (system:outbox, ...), or the person who wrote a note
    actor: str | None  # the Airflow user behind it, when a person acted
    kind: str  # jet, system or user
    body: str
    source: str | None

    @property
    def by(self) -> str:
        """Who, for a reader: the person first, then the component that wrote it for them."""
        if self.actor and self.actor != self.who:
            return f"{self.actor} (via {self.who})"
        return self.who


def timeline(conn: psycopg.Connection, merchant_order_id: str) -> tuple[TimelineEntry, ...]:
    """Every dated event of the order, oldest first."""
    from psycopg.rows import class_row

    with conn.cursor(row_factory=class_row(TimelineEntry)) as cur:
        return tuple(cur.execute(read_sql("console_timeline.sql"), {"merchant_order_id": merchant_order_id}))
