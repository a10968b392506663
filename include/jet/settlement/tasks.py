"""Task bodies of ``jet_settlement``: open the hook and the warehouse, call the library.

Kept out of the DAG file so it stays a declaration, and so the same steps run from
tests, the demo and backfills without Airflow's scheduler. Every step is idempotent
over the run's window: rows are stamped with the run's logical time and rewritten only
when their content changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from jet.api.errors import PayloadError, WriteOutcomeUnknown
from jet.api.hook import JetHook
from jet.api.models import SettlementReport, parse_payload
from jet.api.vocabulary import ReportStatus
from jet.settlement.details import parse_details
from jet.settlement.land import DetailFile, land_details, land_report
from jet.settlement.pnl import refresh_pnl
from jet.settlement.reconcile import missing_orders, reconcile
from jet.settlement.window import SettlementWindow
from jet.sql import one, read_sql
from jet.warehouse.db import warehouse_connection
from jet.warehouse.landing import (
    UNREADABLE_ERRORS,
    OutageWatch,
    known_unreadable,
    record_read_again,
    record_unreadable,
)

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import ReportState
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

#: Seconds to wait for Jet to prepare a SettlementDetails file before the task fails (and retries).
DETAILS_READY_TIMEOUT = 600.0


class SettlementDetailsUnavailable(RuntimeError):
    """Jet reported the detail file as Failed or Expired, or it never became Ready in time."""


#: Why a settlement's detail file may not be had this run: recorded in jet.unreadable and
#: asked for again next run (asking again only makes another report: harmless).
DETAILS_UNREADABLE: tuple[type[Exception], ...] = (
    *UNREADABLE_ERRORS,
    WriteOutcomeUnknown,
    SettlementDetailsUnavailable,
)


class SettlementSource(Protocol):
    """What the settlement stage needs from the marketplace client (JetHook provides it)."""

    def list_settlement_ids(self, days: int) -> list[str]: ...

    def download(self, url: str) -> bytes: ...

    def get_settlement_report_raw(self, settlement_report_id: str) -> bytes: ...

    def request_settlement_details(self, settlement_report_id: str) -> str: ...

    def get_report_state(self, report_id: str) -> ReportState: ...


def download_details(
    source: SettlementSource,
    settlement_report_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timeout: float = DETAILS_READY_TIMEOUT,
) -> DetailFile:
    """Request the SettlementDetails file of one settlement, wait until Ready, download and parse it."""
    report_id = source.request_settlement_details(settlement_report_id)
    deadline = clock() + timeout
    delay = 1.0
    while True:
        state = source.get_report_state(report_id)
        status = state.report_status.strip().lower()
        if status == ReportStatus.READY and state.report_url:
            raw = source.download(state.report_url)
            return DetailFile(parse_details(raw, settlement_report_id), raw, report_id)
        if status in (ReportStatus.FAILED, ReportStatus.EXPIRED):
            raise SettlementDetailsUnavailable(
                f"SettlementDetails {report_id} for settlement {settlement_report_id} is {state.report_status}"
            )
        if clock() >= deadline:
            raise SettlementDetailsUnavailable(
                f"SettlementDetails {report_id} for settlement {settlement_report_id} not ready after {timeout:.0f} s"
            )
        sleep(delay)  # Jet prepares bulk reports asynchronously; poll gently
        delay = min(delay * 2, 30.0)


@dataclass
class _ReportScan:
    """What reading the listed reports found: those in the window, those whose detail
    file to download, the reports read and the reads that failed."""

    in_window: list[str] = field(default_factory=list)
    to_detail: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)
    quarantined: int = 0


def _read_reports(
    source: SettlementSource,
    conn: psycopg.Connection,
    run: RunIdentity,
    window: SettlementWindow,
    listed: list[str],
) -> tuple[_ReportScan, OutageWatch]:
    """Read and land every listed report of the window that may have changed (see
    fetch_settlements); the watch says, once the run has landed what it has, whether Jet
    was out."""
    known = {
        sid: (period_end, final, current)
        for sid, period_end, final, current in conn.execute(read_sql("settlement_known.sql"), {"ids": listed})
    }
    scan = _ReportScan()
    failing = OutageWatch(known_unreadable(conn, "settlement_report", listed), "settlement report")
    for sid in listed:  # one report per day: a handful per run, not rows
        if sid in known:
            period_end, final, current = known[sid]
            if not window.covers(period_end):
                continue
            if final and current:
                scan.in_window.append(sid)
                continue
        try:
            raw = source.get_settlement_report_raw(sid)
        except UNREADABLE_ERRORS as exc:  # this report only: the others flow on
            scan.failures.append((sid, exc))
            if sid in known:
                scan.in_window.append(sid)  # its last landed version still counts
            if failing.saw(sid, exc):
                break
            continue
        failing.saw(sid, None)
        scan.read.append(sid)
        _land_read_report(conn, run, window, sid, raw, scan)
    return scan, failing


def _land_read_report(
    conn: psycopg.Connection, run: RunIdentity, window: SettlementWindow, sid: str, raw: bytes, scan: _ReportScan
) -> None:
    """Land one report just read, if its period is in the window; note whether its details are due."""
    try:
        period_end = parse_payload(SettlementReport, raw).settlement_period_end
    except PayloadError:
        period_end = None  # land_report quarantines it with the reason
    if period_end is not None and not window.covers(period_end):
        return
    landed = land_report(conn, sid, raw, run)
    if landed.report is None:
        scan.quarantined += 1
        log.warning("settlement report %s quarantined: %s", sid, landed.error)
        return
    scan.in_window.append(sid)
    current = one(conn.execute(read_sql("settlement_known.sql"), {"ids": [sid]}).fetchone(), "settlement_known.sql")[3]
    if not current:
        scan.to_detail.append(sid)


def fetch_settlements(
    run: RunIdentity,
    window: SettlementWindow,
    *,
    source: SettlementSource | None = None,
    conn: psycopg.Connection | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """List Jet's settlement reports, land those whose period ends in ``window`` with their detail lines.

    A report already landed as final (deposited) whose detail file was landed after its
    current version is not read again; every other report in the window is re-read, and
    its detail file downloaded when the report is new or changed. Returns a receipt whose
    ``settlement_ids`` are every report of the window (for the next steps).
    """
    source = source or JetHook()
    with warehouse_connection(conn) as db:
        listed = source.list_settlement_ids(window.list_days(now or datetime.now(UTC)))
        scan, failing = _read_reports(source, db, run, window, listed)
        files, detail_failures = [], []
        for sid in scan.to_detail:
            try:
                files.append(download_details(source, sid))
            except DETAILS_UNREADABLE as exc:  # read again next run: its details are not current
                detail_failures.append((sid, exc))
        receipt: dict[str, Any] = {"listed": len(listed), "reports_read": len(scan.read)}
        receipt["reports_quarantined"] = scan.quarantined
        receipt.update(land_details(db, files, run) if files else {"files": 0, "lines": 0, "quarantined_lines": 0})
        with db.transaction(), db.cursor() as cur:
            record_unreadable(cur, "settlement_report", scan.failures, run.observed_at, run.run_key)
            record_unreadable(cur, "settlement_details", detail_failures, run.observed_at, run.run_key)
            record_read_again(cur, "settlement_report", scan.read, run.observed_at)
            detailed = [f.parsed.settlement_report_id for f in files]
            record_read_again(cur, "settlement_details", detailed, run.observed_at)
    receipt["reports_unreadable"] = len(scan.failures)
    receipt["details_unreadable"] = len(detail_failures)
    receipt["settlement_ids"] = sorted(set(scan.in_window))
    receipt["window"] = [window.start.isoformat(), window.end.isoformat()]
    log.info("settlements: %s", {k: v for k, v in receipt.items() if k != "settlement_ids"})
    failing.check(f"{receipt['reports_read']} reports read, {len(scan.failures)} recorded unreadable")
    return receipt


def import_missing_orders(
    run: RunIdentity, settlement_ids: list[str], *, conn: psycopg.Connection | None = None
) -> dict[str, Any]:
    """Fetch, through the order import path, every order the settlements name that the warehouse lacks."""
    from jet.orders.tasks import import_orders

    with warehouse_connection(conn) as db:
        missing = missing_orders(db, settlement_ids)
    if not missing:
        return {"missing": 0, "loaded": 0, "quarantined": 0}
    log.info("settlements name %d orders the warehouse lacks: importing them", len(missing))
    imported = import_orders(run, merchant_order_ids=missing)
    return {"missing": len(missing), "loaded": imported["loaded"], "quarantined": imported["quarantined"]}


def reconcile_settlements(
    run: RunIdentity, settlement_ids: list[str], *, conn: psycopg.Connection | None = None
) -> dict[str, Any]:
    """Reconcile the window's settlements (set-based SQL)."""
    with warehouse_connection(conn) as db:
        result = reconcile(db, settlement_ids, run)
    log.info("reconciliation: %s", result)
    return result


def compute_pnl(run: RunIdentity, *, full: bool = False, conn: psycopg.Connection | None = None) -> dict[str, Any]:
    """Refresh the per-order P&L: the orders whose inputs changed, or every order with ``full``."""
    with warehouse_connection(conn) as db:
        result = refresh_pnl(db, run, full=full)
    log.info("P&L: %s", result)
    return result


def pnl_refreshed_extra(fetched: dict[str, Any]) -> dict[str, Any]:
    """Extra of the ``jet_pnl_refreshed`` Asset event: the last settlement day the run covered.

    The window is half-open, ``[start, end)`` over report period ends, so the last day is
    the day before ``end``.
    """
    end = datetime.fromisoformat(fetched["window"][1])
    return {"settled_through": (end - timedelta(microseconds=1)).date().isoformat(), "window": fetched["window"]}


def run_settlement(
    run: RunIdentity,
    window: SettlementWindow,
    *,
    source: SettlementSource | None = None,
    now: datetime | None = None,
    full_pnl: bool = False,
) -> dict[str, Any]:
    """Every step of ``jet_settlement`` in order, in-process (tests, demo, scripted backfills)."""
    fetched = fetch_settlements(run, window, source=source, now=now)
    ids = fetched["settlement_ids"]
    imported = import_missing_orders(run, ids)
    reconciled = reconcile_settlements(run, ids)
    pnl = compute_pnl(run, full=full_pnl)
    return {"fetched": fetched, "imported": imported, "reconciled": reconciled, "pnl": pnl}
