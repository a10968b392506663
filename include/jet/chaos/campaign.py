"""The simulated week: Jet's business on the sandbox clock, the pipeline's task bodies
on their schedules, faults switched on step by step.

Each step is one 10-minute schedule interval of sandbox time (``step_minutes``): Jet
receives the step's share of the orders (placed ``ready``; a few get a cancel request
from the customer), then the step runs what Airflow would run in that interval, in
schedule order, with the same task bodies the DAG files call:

* ``jet_orders`` (pull ready, refresh open) and ``jet_decide_orders`` (decide, send,
  settle, deadline check) every step;
* the merchant's warehouse records shipments for acknowledged orders (most in full,
  some one unit now and the rest, or a cancellation of the rest, a step later; some
  cancelled outright), then ``jet_fulfillment`` uploads them;
* every hour ``jet_returns`` (land, auto-complete under the return policy, follow
  refunds) and the merchant refunds a unit of a few shipped orders (``jet_refund_order``);
* every day at 02:00 ``jet_settlement`` over the last three days.

A task that raises is retried twice (the DAGs' ``retries``), as Airflow would; a run
whose retries are spent is counted and the next interval's run carries on.

Task bodies run in this process, not through ``dag.test``: 1,008 steps of six DAGs
through ``dag.test`` would spend most of the half hour parsing DAGs and writing task
instances to Airflow's database, not in the code under test. The DAGs' own runs are
covered by the DAG tests; the SIGKILL class runs its sender in a real child process.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from jet.chaos.breakers import WarehouseKiller, at_once, sigkill_mid_send
from jet.chaos.faults import STORM_RATE, FaultClass, FaultPlan, fault_classes
from jet.outbox.kinds import ACKNOWLEDGE
from jet.runs import RunIdentity
from jet.sql import execute, one, read_sql

log = logging.getLogger(__name__)

#: The DAGs' ``retries`` (jet.dag_defaults): a task runs at most three times per run.
RETRIES = 2
#: Share of new orders the customer asks to cancel before the merchant decides, and of
#: acknowledged orders asked to cancel before they ship.
CANCEL_REQUEST_SHARE = 0.01
#: Refunds the merchant posts per hour (one unit of a shipped order each).
REFUNDS_PER_HOUR = 2
PARCEL: dict[str, Any] = {"carrier": "UPS", "shipping_method": "UPS Ground", "ship_from_zip": "07030"}


@dataclass(frozen=True)
class CampaignOptions:
    """What one campaign does. ``target`` = fires wanted per fault class."""

    seed: int = 1
    orders: int = 10_000
    days: float = 7.0
    step_minutes: int = 10
    target: int = 20
    read_timeout: float = 2.0
    warehouse_url: str = ""  # a scratch database, dropped and recreated
    #: Sandbox start instant (None: its default, a Monday 15:00 UTC). A short campaign
    #: starts in the evening so that a midnight, hence a settlement, falls inside it.
    start: str | None = None

    @property
    def steps(self) -> int:
        return int(self.days * 24 * 60 / self.step_minutes)


@dataclass
class CampaignLog:
    """What happened besides the faults: task failures, alerts, work done."""

    task_failures: Counter[str] = field(default_factory=Counter)  # attempts that raised
    runs_given_up: Counter[str] = field(default_factory=Counter)  # runs failed after retries
    concurrent_failures: Counter[str] = field(default_factory=Counter)  # a run of a pair that failed
    deadline_alerts: int = 0
    shipments: Counter[str] = field(default_factory=Counter)
    refunds_posted: int = 0
    fired: dict[str, int] = field(default_factory=dict)  # our own faults (warehouse/process/runs)
    errors: list[str] = field(default_factory=list)  # first lines of the distinct errors
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # wall time per task

    def note_error(self, task: str, exc: BaseException) -> None:
        line = f"{task}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:240]
        if line not in self.errors and len(self.errors) < 40:
            self.errors.append(line)


def _fraction(*parts: object) -> float:
    """A stable number in [0, 1) per key: the warehouse's choices repeat with the seed."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def connections(sandbox: Any, warehouse_url: str, read_timeout: float) -> dict[str, str]:
    """AIRFLOW_CONN_* for the sandbox (short timeouts, quick backoff) and the warehouse."""
    from jet.warehouse.db import airflow_connection

    extra = {
        "rate_limit_per_second": 2000,
        "rate_limit_burst": 200,
        "max_concurrency": 8,
        "connect_timeout": read_timeout,
        "read_timeout": read_timeout,
        # The late-applied class lands a write 3 read timeouts after it was sent: the
        # outbox's quiet period (timeouts + this allowance, from when the client gave
        # up) must outlast it, and scales with the timeouts like the faults do.
        "late_apply_seconds": 3 * read_timeout,
        "backoff_base": 0.05,
        "backoff_max": 1.0,
        "retry_after_max": 2.0,
    }
    return {
        "AIRFLOW_CONN_JET_API": sandbox.airflow_connection(extra=extra),
        "AIRFLOW_CONN_JET_WAREHOUSE": airflow_connection(warehouse_url),
    }


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the campaign, restoring the old values after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Week:
    """Drives the steps (see the module docstring). ``sandbox`` is a running
    :class:`~jet_sandbox.testing.SandboxProcess`; the connections point at it."""

    def __init__(self, options: CampaignOptions, sandbox: Any, conn: psycopg.Connection) -> None:
        self.o = options
        self.sb = sandbox
        self.conn = conn  # the campaign's own session (the merchant's warehouse system)
        self.rng = random.Random(f"{options.seed}:chaos-week")
        self.classes = {c.name: c for c in fault_classes(options.read_timeout)}
        self.plan = FaultPlan(list(self.classes.values()), options.target, options.steps, options.seed)
        self.log = CampaignLog(fired={c.name: 0 for c in self.classes.values() if c.layer != "jet"})
        self.wms_stage: dict[str, int] = {}  # order -> shipment requests recorded (1 or 2)
        self.refunded: set[str] = set()

    # ------------------------------------------------------------------ plumbing
    def now(self) -> datetime:
        from jet.api.models import parse_jet_datetime

        return parse_jet_datetime(self.sb.now())

    def run(self, dag_id: str, when: datetime, tag: str = "scheduled") -> RunIdentity:
        return RunIdentity(dag_id, f"{tag}__{when:%Y-%m-%dT%H:%M:%S}", when)

    def task(self, name: str, body: Callable[[], Any], first: Callable[[], Any] | None = None) -> Any:
        """Run a task body with the DAGs' retries; ``first`` replaces the first attempt
        (the faulty one, e.g. under a warehouse kill). None when every attempt failed."""
        for attempt in range(RETRIES + 1):
            began = time.monotonic()
            try:
                return (first if attempt == 0 and first is not None else body)()
            except Exception as exc:  # noqa: BLE001 - every failure is counted; Airflow would retry it
                self.log.task_failures[name] += 1
                self.log.note_error(name, exc)
                if type(exc).__name__ == "AirflowFailException":
                    break  # fail_fast: Airflow does not retry these either
            finally:
                self.log.seconds[name] += time.monotonic() - began
        self.log.runs_given_up[name] += 1
        return None

    def pair(self, name: str, make: Callable[[str], Callable[[], Any]]) -> None:
        """Two runs of one DAG at once (a scheduled and a manual run in the same second);
        a run that fails is retried on its own, as Airflow would."""
        first, second = make("scheduled"), make("manual")
        results = at_once(first, second)
        self.log.fired["two runs at once"] += 1
        for body, exc in zip((first, second), results, strict=True):
            if exc is not None:
                self.log.concurrent_failures[name] += 1
                self.log.task_failures[name] += 1
                self.log.note_error(name, exc)
                self.task(name, body)

    # ------------------------------------------------------------------ one step
    def step(self, number: int, new_orders: int) -> None:
        self.sb.advance(self.o.step_minutes * 60)
        now = self.now()
        ids = self.sb.generate_orders(new_orders, status="ready") if new_orders else []
        for oid in ids:
            if self.rng.random() < CANCEL_REQUEST_SHARE:
                self.sb.directed_cancel(oid)
        armed = self.plan.arm(number, self._fired())
        names = {c.name for c in armed}
        storm = "429 storm on writes" in names
        if storm:  # its 429s are counted from the request log: no rule-made 429 beside them
            armed = [c for c in armed if c.name != "429 on writes"]
            self.sb.clear_requests()
            self.sb.set_config(rate_limit_per_second=STORM_RATE, rate_limit_burst=STORM_RATE)
        jet_rules = self.plan.sandbox_rules(armed)
        self._rules(jet_rules)
        pair_dag = self.rng.choice(("jet_orders", "jet_decide_orders", "jet_fulfillment"))
        pair = "two runs at once" in names
        try:
            self.orders_dag(now, names, pair and pair_dag == "jet_orders")
            self.decide_dag(
                now, "task SIGKILLed mid-send" in names, jet_rules, pair and pair_dag == "jet_decide_orders"
            )
            self.warehouse_ships(now)
            self.fulfilment_dag(now, pair and pair_dag == "jet_fulfillment")
            if now.minute < self.o.step_minutes:  # the top of each hour
                self.returns_dag(now)
                self.merchant_refunds(now)
            if now.hour == 2 and now.minute < self.o.step_minutes:
                self.settlement_dag(now, lookback_days=3)
        finally:
            self.sb.clear_faults()
            if storm:
                self.sb.set_config(rate_limit_per_second=None, rate_limit_burst=None)
                self.log.fired["429 storm on writes"] += sum(
                    1
                    for r in self.sb.requests_log()
                    if r["status"] == 429 and r["method"] in ("PUT", "POST") and r["path"].lower() != "/api/token"
                )

    def _rules(self, rules: list[dict[str, Any]]) -> None:
        if rules:
            self.sb.set_faults(rules)
        else:
            self.sb.clear_faults()

    def _fired(self) -> dict[str, int]:
        return {**self.sb.faults_fired(), **self.log.fired}

    # ------------------------------------------------------------------ the DAGs
    def orders_dag(self, now: datetime, armed: set[str], pair: bool) -> None:
        from jet.orders.tasks import pull_ready, refresh_open

        run = self.run("jet_orders", now)
        first = None
        for target, name in (("copy", "warehouse killed in COPY"), ("merge", "warehouse killed in merge")):
            if name in armed:
                first = self._killing(target, name, lambda: pull_ready(run))
                break
        if pair:
            self.pair("jet_orders.pull_ready_orders", lambda tag: lambda: pull_ready(self.run("jet_orders", now, tag)))
        else:
            self.task("jet_orders.pull_ready_orders", lambda: pull_ready(run), first)
        self.task("jet_orders.refresh_open_orders", lambda: refresh_open(run))

    def _killing(self, target: str, name: str, body: Callable[[], Any]) -> Callable[[], Any]:
        def attempt() -> Any:
            killer = WarehouseKiller(self.o.warehouse_url, target)
            try:
                with killer:
                    return body()
            finally:  # read after the watcher thread ended (the exit joins it)
                self.log.fired[name] += killer.killed

        return attempt

    def decide_dag(self, now: datetime, sigkill: bool, rules: list[dict[str, Any]], pair: bool) -> None:
        from jet.decisions import tasks

        run = self.run("jet_decide_orders", now)
        if sigkill:
            self._sigkill_send(run, rules)
        if pair:
            self.pair(
                "jet_decide_orders",
                lambda tag: lambda: tasks.run_cycle(self.run("jet_decide_orders", now, tag)),
            )
        else:
            self.task("jet_decide_orders", lambda: tasks.run_cycle(run))
        try:
            tasks.check_deadlines(run)
        except Exception as exc:  # noqa: BLE001 - the alert itself: counted, never retried
            self.log.deadline_alerts += 1
            self.log.note_error("jet_decide_orders.check_deadlines", exc)

    def _sigkill_send(self, run: RunIdentity, rules: list[dict[str, Any]]) -> None:
        """Decide, then send the acknowledgements in a child process killed mid-send; the
        task's retry (the run_cycle that follows) picks up what it left."""
        from jet.decisions import tasks

        self.task("jet_decide_orders.decide_orders", lambda: tasks.decide(run))
        # Hold the first acknowledgements a moment at Jet, so the child is surely mid-send.
        hold = {"kind": "latency", "rate": 1.0, "methods": ["PUT"], "path": r"/acknowledge$",
                "params": {"seconds": 1.0, "label": "(held for the SIGKILL)", "max_fires": 8}}  # fmt: skip
        self.sb.set_faults([hold, *rules])

        def sending() -> bool:
            return bool(one(self.conn.execute(read_sql("chaos_sending.sql")).fetchone(), "chaos_sending.sql")[0])

        try:
            killed = sigkill_mid_send(lambda: tasks.send((ACKNOWLEDGE,)), sending)
        finally:
            self._rules(rules)
        if killed:
            self.log.fired["task SIGKILLed mid-send"] += 1
            self.log.task_failures["jet_decide_orders.send_acknowledgements"] += 1

    def warehouse_ships(self, now: datetime) -> None:
        """The merchant's warehouse system records what left the building this interval."""
        from jet.fulfillment.shipments import Shipment, ShipmentLine, ShipmentRefused, record_shipment
        from jet.outbox.kinds import ACKNOWLEDGE, KINDS

        # Our internal status of an accepted order: the one the acknowledge call gives it.
        acknowledged = KINDS[ACKNOWLEDGE].answer
        wms = self.run("chaos_wms", now)
        to_ship = execute(self.conn, "chaos_to_ship.sql", {"acknowledged": acknowledged}).fetchall()
        for oid, status, first_sku, units in to_ship:
            stage = self.wms_stage.get(oid, 0)
            if (status == acknowledged and stage) or (status == "partially shipped" and stage != 1):
                continue  # its request is still on the way to Jet, or the order is done
            if stage == 0 and self.rng.random() < CANCEL_REQUEST_SHARE:
                self._cancel_request(oid)  # the customer cancels while the parcel is packed
            roll = _fraction(self.o.seed, oid, "ship")
            tracking = "1ZCH" + hashlib.sha256(f"{oid}/{stage}".encode()).hexdigest()[:12].upper()
            parcel: dict[str, Any] = {**PARCEL, "tracking_number": tracking, "ship_date": now}
            if stage == 0 and roll < 0.06:
                shipment, kind = Shipment(oid, cancel_open_units=True), "cancelled"
            elif stage == 0 and roll < 0.22 and units > 1:
                shipment, kind = Shipment(oid, (ShipmentLine(first_sku, 1),), **parcel), "partial"
            elif stage == 1 and roll < 0.10:
                shipment, kind = Shipment(oid, cancel_open_units=True), "rest cancelled"
            else:
                shipment, kind = Shipment(oid, **parcel), "full" if stage == 0 else "rest shipped"
            try:
                record_shipment(self.conn, wms, shipment, f"chaos/{oid}/{stage + 1}")
            except ShipmentRefused as exc:
                self.log.shipments["refused"] += 1
                self.log.note_error("warehouse.record_shipment", exc)
                continue
            self.wms_stage[oid] = stage + 1
            self.log.shipments[kind] += 1

    def _cancel_request(self, oid: str) -> None:
        """Jet asks to cancel the order's open units; an order Jet already completed
        (the warehouse has not landed that yet) has none, and Jet says so."""
        from jet_sandbox.testing import SandboxError

        try:
            self.sb.directed_cancel(oid)
        except SandboxError as exc:
            if "nothing left to cancel" not in str(exc):
                raise

    def fulfilment_dag(self, now: datetime, pair: bool) -> None:
        from jet.fulfillment.tasks import upload

        if pair:
            self.pair("jet_fulfillment", lambda tag: lambda: upload(self.run("jet_fulfillment", now, tag)))
        else:
            self.task("jet_fulfillment", lambda: upload(self.run("jet_fulfillment", now)))

    def returns_dag(self, now: datetime) -> None:
        from jet.refunds.tasks import follow_refunds
        from jet.returns import tasks

        run = self.run("jet_returns", now)
        self.task("jet_returns.land_returns", lambda: tasks.land(run))
        self.task("jet_returns.auto_complete_returns", lambda: tasks.auto_complete(run))
        self.task("jet_returns.follow_refunds", lambda: follow_refunds(run))

    def merchant_refunds(self, now: datetime) -> None:
        from jet.refunds.tasks import lines_from_params, post

        candidates = [
            r for r in self.conn.execute(read_sql("chaos_refundable.sql")).fetchall() if r[0] not in self.refunded
        ]
        for oid, item in self.rng.sample(candidates, k=min(REFUNDS_PER_HOUR, len(candidates))):
            self.refunded.add(oid)
            lines = lines_from_params(
                [{"order_item_id": item, "quantity": 1}], "Item arrived damaged - box damaged", "Item damaged"
            )
            run = self.run("jet_refund_order", now, f"manual_{oid}")
            refund = functools.partial(post, run, oid, lines, f"CHAOS-{self.o.seed}-{oid}")
            if self.task("jet_refund_order", refund) is not None:
                self.log.refunds_posted += 1

    def settlement_dag(self, now: datetime, lookback_days: int, through_today: bool = False) -> None:
        """The daily run covers yesterday (and ``lookback_days`` before); the clean
        re-run also covers today, in case the last midnight closed a day meanwhile."""
        from jet.settlement.tasks import run_settlement
        from jet.settlement.window import settlement_window

        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        end = day + timedelta(days=1) if through_today else day
        window = settlement_window(end - timedelta(days=1), end, lookback_days)
        run = self.run("jet_settlement", now)
        self.task("jet_settlement", lambda: run_settlement(run, window, now=now))

    # ------------------------------------------------------------------ the end
    def clean_rerun(self, start: datetime) -> None:
        """One clean run of every DAG (no faults) after the campaign, as an operator
        would after an incident: what the pipeline cannot put right by itself shows."""
        self.sb.clear_faults()
        now = self.now()
        from jet.decisions import tasks
        from jet.orders.tasks import pull_ready, refresh_open

        rerun = self.run("jet_orders", now, "rerun")
        self.task("rerun.jet_orders.pull", lambda: pull_ready(rerun))
        self.task("rerun.jet_orders.refresh", lambda: refresh_open(rerun))
        self.task("rerun.jet_decide_orders", lambda: tasks.run_cycle(self.run("jet_decide_orders", now, "rerun")))
        from jet.fulfillment.tasks import upload

        self.task("rerun.jet_fulfillment", lambda: upload(self.run("jet_fulfillment", now, "rerun")))
        self.returns_dag(now)
        self.task("rerun.jet_orders.refresh2", lambda: refresh_open(self.run("jet_orders", now, "rerun2")))
        lookback = (now - start).days + 2
        self.settlement_dag(now, lookback_days=lookback, through_today=True)


def split_orders(total: int, steps: int) -> list[int]:
    """``total`` orders over ``steps`` steps as evenly as integers allow."""
    base, extra = divmod(total, steps)
    return [base + (1 if i < extra else 0) for i in range(steps)]


def run_week(options: CampaignOptions, sandbox: Any, conn: psycopg.Connection) -> tuple[Week, float]:
    """Every step, then the clean re-run; returns the driver and the wall seconds."""
    started = time.monotonic()
    week = Week(options, sandbox, conn)
    start = week.now()
    for number, count in enumerate(split_orders(options.orders, options.steps)):
        week.step(number, count)
        if number % 144 == 143:
            log.warning("chaos: day %d done, %.0f s", (number + 1) // 144, time.monotonic() - started)
    week.clean_rerun(start)
    return week, time.monotonic() - started


def missing_classes(week: Week, counts: dict[str, int]) -> list[FaultClass]:
    """Active classes that fired fewer times than the target."""
    return [c for c in week.plan.active if counts.get(c.name, 0) < week.o.target]
