"""The acknowledgement deadline as data: which ready orders risk missing it, and the alert.

Jet gives a ``ready`` order away if it is not acknowledged within 15 minutes. The
warehouse function ``jet.orders_at_risk_at(at)`` (view ``jet.orders_at_risk`` for
"now") lists ready orders whose acknowledgement is neither applied nor in flight,
with their deadline and minutes left. :func:`check_deadlines` alerts when one is
within :data:`ALERT_WITHIN_MINUTES` of it, judged at the run's own time (never the
wall clock, so the same run always gives the same answer and the sandbox clock works).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

ACK_WINDOW_MINUTES = 15
ALERT_WITHIN_MINUTES = 5


@dataclass(frozen=True)
class AtRisk:
    """A ready order not yet acknowledged, and how long it has left."""

    merchant_order_id: str
    ready_at: datetime
    deadline: datetime
    minutes_left: Decimal
    state: str  # undecided | held | not_acknowledged


class AcknowledgementDeadlineAtRisk(RuntimeError):
    """Ready orders are within minutes of Jet's acknowledgement deadline (or past it)."""

    def __init__(self, orders: list[AtRisk], at: datetime) -> None:
        self.orders = orders
        worst = orders[0]
        super().__init__(
            f"{len(orders)} ready order(s) within {ALERT_WITHIN_MINUTES} minutes of the acknowledgement deadline "
            f"at {at.isoformat()}; most urgent {worst.merchant_order_id} ({worst.state}, "
            f"{worst.minutes_left} min left, deadline {worst.deadline.isoformat()}). Approve or cancel held orders "
            "(jet_approve_order / jet_cancel_order) or check why jet_decide_orders is not acknowledging."
        )


def orders_at_risk(
    conn: psycopg.Connection, at: datetime, within_minutes: float = ALERT_WITHIN_MINUTES
) -> list[AtRisk]:
    """Ready, unacknowledged orders with at most ``within_minutes`` left at ``at``, most urgent first."""
    rows = conn.execute(read_sql("decisions_at_risk.sql"), {"at": at, "within_minutes": within_minutes}).fetchall()
    return [AtRisk(*row) for row in rows]


def check_deadlines(conn: psycopg.Connection, at: datetime, within_minutes: float = ALERT_WITHIN_MINUTES) -> int:
    """Log an ERROR per order at risk and raise :class:`AcknowledgementDeadlineAtRisk`.

    Returns 0 when none is at risk. Raising is the alert: the task fails, which is what
    Airflow's failure notifications and the UI's red square are for.
    """
    risky = orders_at_risk(conn, at, within_minutes)
    for order in risky:
        log.error(
            "acknowledgement deadline at risk: order %s (%s) ready %s, deadline %s, %s minutes left",
            order.merchant_order_id,
            order.state,
            order.ready_at.isoformat(),
            order.deadline.isoformat(),
            order.minutes_left,
        )
    if risky:
        raise AcknowledgementDeadlineAtRisk(risky, at)
    log.info("no ready order within %s minutes of its acknowledgement deadline", within_minutes)
    return 0
