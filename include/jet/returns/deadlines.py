"""Return deadlines: every open return with its completion deadline (``return_date`` +
the policy's ``complete_within_hours``), and the alert when one comes close."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)


#: A return this close to its completion deadline (or past it) fails the deadline task: the alert.
ALERT_WITHIN_HOURS = 6


class ReturnDeadlineAtRisk(RuntimeError):
    """Open returns are within hours of their completion deadline (or past it)."""

    def __init__(self, rows: list[tuple[Any, ...]], within_hours: float) -> None:
        self.rows = rows
        worst = rows[0]
        super().__init__(
            f"{len(rows)} open return(s) within {within_hours} h of their completion deadline; most urgent "
            f"{worst[0]} (order {worst[1]}, {worst[4]} h left, deadline {worst[3].isoformat()}). Complete them "
            "with jet_complete_return, or widen the return policy."
        )


def at_risk(conn: psycopg.Connection, run: RunIdentity) -> list[tuple[Any, ...]]:
    """Open returns not completed, with their deadline, as of the run's time (logged)."""
    rows = conn.execute(read_sql("returns_at_risk.sql"), {"at": run.observed_at}).fetchall()
    for return_id, order_id, status, deadline, hours_left, _state in rows:
        level = logging.ERROR if hours_left <= ALERT_WITHIN_HOURS else logging.INFO
        log.log(
            level,
            "return %s (order %s, %s): complete by %s (%s h left) with jet_complete_return",
            return_id,
            order_id,
            status,
            deadline.isoformat(),
            hours_left,
        )
    return rows


def check_deadlines(
    conn: psycopg.Connection, run: RunIdentity, within_hours: float = ALERT_WITHIN_HOURS
) -> list[tuple[Any, ...]]:
    """Like the acknowledgement deadline: log every open return and raise
    :class:`ReturnDeadlineAtRisk` when one is within ``within_hours`` of its deadline,
    judged at the run's own time. Returns the open returns otherwise."""
    rows = at_risk(conn, run)
    risky = [r for r in rows if r[4] <= within_hours]
    if risky:
        raise ReturnDeadlineAtRisk(risky, within_hours)
    return rows
