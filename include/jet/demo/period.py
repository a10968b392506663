"""A trading period on the sandbox clock, run the way a deployment runs the DAGs.

The sandbox clock stands still while the pipeline works and moves in the scheduler's
ticks of 10 minutes. On each tick two lanes run side by side, as the scheduler runs
those DAGs: ``jet_orders`` then ``jet_decide_orders`` (which answers Jet's directed
cancels); and the simulated warehouse (what it shipped since) then ``jet_fulfillment``,
with ``jet_returns`` and the simulated operator's returns, refunds and cancels every
30 minutes. Between ticks a few buyers cancel acknowledged orders at Jet. Every midnight
``jet_settlement`` covers the day just closed and the merchant's nightly stock file is
loaded; ``jet_catalog_sync`` (where the project has it) follows every catalog load. At
the end ``jet_report`` writes the report of the period's settlement days.

The 10- and 30-minute DAGs run as their task functions in this process, the same
functions their tasks call, in their task order: hundreds of ``airflow dags test`` runs
would take hours. The others go through :class:`DailyRuns`, which the demo backs with
real Airflow runs in the background (the period goes on meanwhile, one run per DAG at a
time) and the tests with the same functions in-process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from jet.demo.merchant import (
    MerchantTally,
    buyers_cancel,
    cancel_some,
    complete_waiting_returns,
    refund_some,
    ship_due,
)
from jet.demo.plan import PeriodPlan
from jet.report.figures import ReportPeriod
from jet.sql import execute, one, read_sql

log = logging.getLogger(__name__)


class Sandbox(Protocol):
    """What the period needs of :class:`jet_sandbox.testing.SandboxProcess` (the product never imports it)."""

    def now(self) -> str: ...
    def advance(self, seconds: float) -> str: ...
    def set_config(self, **changes: Any) -> dict[str, Any]: ...
    def truth(self, what: str) -> dict[str, Any]: ...
    def directed_cancel(self, order_id: str, lines: dict[str, int] | None = None) -> Any: ...


class DailyRuns(Protocol):
    """How the period runs the DAGs that are not on the 10- or 30-minute beat.

    A run may go on while the period does (the scheduler runs the daily and hourly DAGs
    beside the 10-minute ones), one at a time per DAG: :meth:`finished` says which runs
    ended since it was last asked, :meth:`wait` waits for the rest. A failed run raises
    there, with its log.
    """

    def has(self, dag_id: str) -> bool: ...
    def start(self, dag_id: str, at: datetime) -> None: ...
    def finished(self) -> list[tuple[str, datetime]]: ...
    def wait(self) -> list[tuple[str, datetime]]: ...
    def report(self, period: ReportPeriod, at: datetime) -> Path: ...


class InProcessDaily:
    """``jet_settlement`` and ``jet_report``'s task functions, called in this process
    (tests: no Airflow needed). Each run ends before :meth:`start` returns."""

    def __init__(self, report_dir: Path | None = None) -> None:
        self.report_dir = report_dir
        self.receipts: list[dict[str, Any]] = []
        self._done: list[tuple[str, datetime]] = []

    def has(self, dag_id: str) -> bool:
        return dag_id == "jet_settlement"

    def start(self, dag_id: str, at: datetime) -> None:
        from jet.runs import RunIdentity
        from jet.settlement.tasks import run_settlement
        from jet.settlement.window import settlement_window

        if dag_id != "jet_settlement":
            raise ValueError(f"{dag_id} does not run in-process")
        run = RunIdentity("jet_settlement", f"scheduled__{at:%Y-%m-%dT%H:%M:%S}", at)
        # As the DAG: the day before the run, plus its default 7-day lookback.
        self.receipts.append(run_settlement(run, settlement_window(None, at, lookback_days=7), now=at))
        self._done.append((dag_id, at))

    def finished(self) -> list[tuple[str, datetime]]:
        done, self._done = self._done, []
        return done

    def wait(self) -> list[tuple[str, datetime]]:
        return self.finished()

    def report(self, period: ReportPeriod, at: datetime) -> Path:
        from jet.report.tasks import write_pnl_report
        from jet.runs import RunIdentity

        run = RunIdentity("jet_report", f"manual__{at:%Y%m%dT%H%M}", at)
        return Path(write_pnl_report(run, period, out_dir=self.report_dir)["path"])


@dataclass
class PeriodResult:
    """What the period did, beyond what the warehouse and the sandbox hold."""

    plan: PeriodPlan
    tally: MerchantTally
    report: Path | None = None
    catalog: str = ""
    #: Wall seconds spent in each DAG's tasks (and the simulated merchant), over the period.
    seconds: dict[str, float] = field(default_factory=dict)

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def timed(self, what: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:  # the two lanes report from their own threads
                self.seconds[what] = self.seconds.get(what, 0.0) + time.monotonic() - started


def parse_now(text: str) -> datetime:
    from jet.api.models import parse_jet_datetime

    return parse_jet_datetime(text).astimezone(UTC)


def _run(dag_id: str, at: datetime) -> Any:
    from jet.runs import RunIdentity

    return RunIdentity(dag_id, f"scheduled__{at:%Y-%m-%dT%H:%M:%S}", at)


def load_catalog(sandbox: Sandbox, at: datetime) -> str:
    """The merchant's catalog, stock and unit costs, as the merchant's CSV would bring them."""
    from jet.catalog.demo import seed_from_sandbox
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        seeded = seed_from_sandbox(conn, sandbox.truth("catalog"), at)
    return f"{seeded.products} products, {seeded.stock_rows} stock rows (the SKUs the merchant does not know left out)"


def enable_return_policy(changed_by: str = "demo") -> None:
    """Let ``jet_returns`` complete change-of-mind returns by itself (off by default)."""
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        conn.execute("SELECT jet.change_return_policy(%s, p_auto_complete => true)", (changed_by,))


def run_period(
    sandbox: Sandbox,
    plan: PeriodPlan,
    daily: DailyRuns,
    progress: Callable[[str], None] = print,
) -> PeriodResult:
    """Run ``plan`` against a sandbox whose clock stands at ``plan.start``; see the module docstring."""
    from jet.api.hook import JetHook
    from jet.decisions.tasks import check_deadlines, run_cycle
    from jet.fulfillment.tasks import upload
    from jet.orders.tasks import pull_ready, refresh_open
    from jet.refunds.tasks import follow_refunds
    from jet.returns import tasks as returns
    from jet.warehouse.db import connect

    now = parse_now(sandbox.now())
    if now != plan.start:
        raise ValueError(
            f"the sandbox clock is at {now:%Y-%m-%d %H:%M}Z but the period starts {plan.start:%Y-%m-%d %H:%M}Z"
        )
    result = PeriodResult(plan, MerchantTally())
    sync = _load_and_push_catalog(sandbox, daily, result, now, progress)
    enable_return_policy()
    sandbox.set_config(**plan.sandbox_config())
    # The scheduler runs jet_orders -> jet_decide_orders and jet_fulfillment (and, on the
    # half hour, jet_returns) side by side on each tick: two lanes, each with its own client.
    clients = JetHook(), JetHook()
    every_returns = plan.returns_every_minutes // plan.step_minutes

    def orders_lane(now: datetime) -> None:
        with result.timed("jet_orders"):
            pull_ready(_run("jet_orders", now), clients[0])
            refresh_open(_run("jet_orders", now), clients[0])
        with result.timed("jet_decide_orders"):
            run_cycle(_run("jet_decide_orders", now), client=clients[0])
            check_deadlines(_run("jet_decide_orders", now))  # last, as in the DAG

    def warehouse_lane(now: datetime, returns_due: bool) -> None:
        # The warehouse records what it shipped since the last tick; jet_fulfillment uploads it.
        with result.timed("simulated merchant"), connect(autocommit=True) as conn:
            ship_due(conn, _run("demo_warehouse", now), plan, result.tally)
        with result.timed("jet_fulfillment"):
            upload(_run("jet_fulfillment", now), clients[1])
        if not returns_due:
            return
        with result.timed("jet_returns"):
            for task in (returns.land, returns.auto_complete, follow_refunds):
                task(_run("jet_returns", now), clients[1])
            returns.deadlines(_run("jet_returns", now))
        with result.timed("simulated merchant"), connect(autocommit=True) as conn:
            complete_waiting_returns(conn, clients[1], _run("demo_operator", now), plan, result.tally)
            refund_some(conn, clients[1], _run("demo_operator", now), plan, result.tally)
            cancel_some(conn, clients[1], now, plan, result.tally)

    last_line = now
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="demo-lane") as lanes:
            for step in range(1, plan.steps + 1):
                now = parse_now(sandbox.advance(plan.step_minutes * 60))
                tick = [lanes.submit(orders_lane, now), lanes.submit(warehouse_lane, now, step % every_returns == 0)]
                for lane in tick:
                    lane.result()  # a failed task stops the period, with its own exception
                with result.timed("simulated buyers"), connect(autocommit=True) as conn:
                    buyers_cancel(conn, sandbox, now, plan, result.tally)
                for dag_id, at in daily.finished():
                    progress(finished_line(dag_id, at))
                if now.hour == 0 and now.minute == 0:
                    _midnight(sandbox, daily, result, now, sync=sync)
                if now - last_line >= timedelta(hours=6) or step == plan.steps:
                    progress(step_line(now, plan, result.tally))
                    last_line = now
    finally:
        sandbox.set_config(arrivals_per_hour=0)
    with result.timed("daily runs (waiting)"):
        for dag_id, at in daily.wait():
            progress(finished_line(dag_id, at))
    # One last pull and refresh, so the warehouse holds what Jet shows at the period's end.
    with result.timed("jet_orders"):
        pull_ready(_run("jet_orders", now), clients[0])
        refresh_open(_run("jet_orders", now), clients[0])
    period = ReportPeriod(plan.start.date(), (plan.end - timedelta(microseconds=1)).date())
    with result.timed("jet_report"):
        result.report = daily.report(period, now)
    progress(f"P&L report for settlement days {period}: {result.report}")
    return result


def _load_and_push_catalog(
    sandbox: Sandbox, daily: DailyRuns, result: PeriodResult, now: datetime, progress: Callable[[str], None]
) -> bool:
    """The period's first stage; True when this checkout has ``jet_catalog_sync`` to push with."""
    result.catalog = load_catalog(sandbox, now)
    progress(f"catalog loaded: {result.catalog}")
    sync = daily.has("jet_catalog_sync")
    if sync:  # the load's Asset triggers it; it pushes stock and prices beside the orders
        daily.start("jet_catalog_sync", now)
    else:
        progress("jet_catalog_sync is not in this checkout: the catalog is loaded, no stock or price is pushed")
    return sync


def _midnight(sandbox: Sandbox, daily: DailyRuns, result: PeriodResult, now: datetime, *, sync: bool) -> None:
    """The nightly runs: settlement, the merchant's stock file and, after it, a catalog sync."""
    with result.timed("jet_settlement"):
        daily.start("jet_settlement", now)
    # The merchant's nightly stock file: the shelves were refilled during the day,
    # so the next day does not run dry (the out-of-stock SKUs stay at 0).
    with result.timed("simulated merchant"):
        load_catalog(sandbox, now)
    if sync:  # the load's Asset triggers a sync
        daily.start("jet_catalog_sync", now)


def finished_line(dag_id: str, at: datetime) -> str:
    """After a daily run: for a settlement, what the warehouse holds of the settlements so far."""
    from jet.warehouse.db import connect

    if dag_id != "jet_settlement":
        return f"  {dag_id} run of {at:%Y-%m-%d %H:%M}Z done"
    day_end = at
    with connect(autocommit=True) as conn:
        settlements, reconciled, lines, orders = one(
            conn.execute(read_sql("demo_progress_settlement.sql")).fetchone(), "demo_progress_settlement.sql"
        )
    return (
        f"  jet_settlement for {(day_end - timedelta(days=1)).date()}: {settlements} settlement(s) landed,"
        f" {reconciled} reconciled to the cent, {lines:,} lines, {orders:,} orders with settled P&L"
    )


def step_line(now: datetime, plan: PeriodPlan, tally: MerchantTally) -> str:
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        orders, decided, acked = one(execute(conn, "demo_progress.sql").fetchone(), "demo_progress.sql")
    shipped = ", ".join(f"{k} {v}" for k, v in tally.shipments.items())
    return (
        f"  {now:%Y-%m-%d %H:%M}Z: {orders} orders landed, {decided} decided, {acked} accepted;"
        f" warehouse: {shipped}; returns completed by hand {tally.returns_completed},"
        f" refunds {tally.refunds_requested}; cancels asked by Jet {len(tally.directed_cancels)},"
        f" by the operator {tally.cancelled_by_operator}"
    )
