"""Task body of ``jet_report``: which period a run covers, and writing the report.

Kept out of the DAG file so it stays a declaration, and so the demo and the tests write
the same report the DAG writes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.report.figures import ReportPeriod, report_period
from jet.report.render import write_report
from jet.warehouse.db import warehouse_connection

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

#: Key of the P&L Asset event's extra naming the last settlement day the run covered.
SETTLED_THROUGH = "settled_through"


def last_settled_day(events: Sequence[Any]) -> date | None:
    """The latest ``settled_through`` day among the triggering P&L Asset events (None without one)."""
    days = [date.fromisoformat(str(e.extra[SETTLED_THROUGH])) for e in events if SETTLED_THROUGH in (e.extra or {})]
    return max(days, default=None)


def period_for_run(params: Mapping[str, Any], *, run_at: datetime, settled_through: date | None) -> ReportPeriod:
    """The period a ``jet_report`` run covers, from its Params and what triggered it.

    Explicit ``date_from`` / ``date_to`` win. Otherwise the period ends on the last day
    the triggering ``jet_settlement`` run settled, or, for a run by hand, the day before
    the run; and it reaches ``days`` days back.
    """
    default_last = settled_through or (run_at - timedelta(days=1)).date()
    return report_period(
        params.get("date_from"), params.get("date_to"), days=int(params["days"]), last_default=default_last
    )


def write_pnl_report(
    run: RunIdentity, period: ReportPeriod, *, out_dir: Path | None = None, conn: psycopg.Connection | None = None
) -> dict[str, Any]:
    """Write the P&L report of ``period``; the receipt carries its path and headline figures."""
    with warehouse_connection(conn) as db:
        written = write_report(db, period, run, out_dir=out_dir)
    receipt = written.as_receipt()
    log.info("P&L report for %s written to %s (%s bytes)", period, written.path, f"{written.bytes:,}")
    return receipt
