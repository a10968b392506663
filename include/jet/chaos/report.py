"""Run a campaign end to end and print its one table."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg

from jet.chaos.campaign import CampaignLog, CampaignOptions, connections, environment, run_week
from jet.chaos.faults import FaultClass, fault_classes
from jet.chaos.verdict import Figures, verdict
from jet.warehouse.scratch import scratch_database_at

log = logging.getLogger(__name__)


@dataclass
class CampaignResult:
    options: CampaignOptions
    figures: Figures
    fired: dict[str, int]  # per fault class
    classes: tuple[FaultClass, ...]
    log: CampaignLog
    wall_seconds: float
    orders_at_jet: int
    ledger_writes: dict[str, int] = field(default_factory=dict)

    @property
    def short_classes(self) -> list[str]:
        """Active classes that fired fewer times than the target."""
        return [c.name for c in self.classes if c.pending is None and self.fired.get(c.name, 0) < self.options.target]

    @property
    def ok(self) -> bool:
        return self.figures.clean and not self.short_classes


def prepare(conn: psycopg.Connection, sandbox: Any) -> None:
    """The merchant's catalog and stock, and a return policy that completes returns."""
    from jet.api.models import parse_jet_datetime
    from jet.catalog.demo import seed_from_sandbox

    seed_from_sandbox(conn, sandbox.truth("catalog"), parse_jet_datetime(sandbox.now()))
    conn.execute("SELECT jet.change_return_policy('chaos', p_auto_complete => true)")


def run_campaign(options: CampaignOptions) -> CampaignResult:
    """Sandbox up, warehouse fresh, the week, the clean re-run, the verdict."""
    from jet_sandbox.testing import SandboxProcess

    # Not durable: the campaign is about exactly-once across killed sessions and
    # processes, not about surviving a power cut.
    scratch_database_at(options.warehouse_url, fresh=True, durable=False)
    # A loaded machine can take far longer than the default 20 s to start a process.
    sandbox_process = SandboxProcess(
        seed=options.seed, scenario="empty", clock="manual", start=options.start, startup_timeout=120
    )
    with sandbox_process as sandbox:
        # Returns come back within the campaign, so completions and their refunds are in it.
        sandbox.set_config(return_delay_days_min=options.days * 0.05, return_delay_days_max=options.days * 0.4)
        with (
            environment(connections(sandbox, options.warehouse_url, options.read_timeout)),
            psycopg.connect(options.warehouse_url, autocommit=True) as conn,
        ):
            prepare(conn, sandbox)
            week, wall = run_week(options, sandbox, conn)
            fired = {**sandbox.faults_fired(), **week.log.fired}
            figures = verdict(sandbox, conn)
            writes: dict[str, int] = {}
            for entry in sandbox.ledger():
                writes[entry["kind"]] = writes.get(entry["kind"], 0) + 1
            orders = len(sandbox.truth_orders())
    return CampaignResult(options, figures, fired, fault_classes(options.read_timeout), week.log, wall, orders, writes)


def render(result: CampaignResult) -> str:
    """The one table: figures, fault counts per class, wall time, and what else happened."""
    o = result.options
    lines = [
        f"chaos campaign: seed {o.seed}, {o.orders} orders over {o.days:g} days "
        f"({o.steps} steps of {o.step_minutes} min), target {o.target} faults per class",
        "",
        f"{'figure (after the campaign and one clean re-run)':<58}{'value':>8}",
        "-" * 66,
    ]
    lines += [f"{label:<58}{value:>8}" for label, value in result.figures.rows()]
    lines += ["", f"{'fault class':<42}{'layer':<11}{'injected':>13}", "-" * 66]
    total = 0
    for c in result.classes:
        if c.pending:
            lines.append(f"{c.name:<42}{c.layer:<11}{'pending':>13}")
            continue
        n = result.fired.get(c.name, 0)
        total += n
        lines.append(f"{c.name:<42}{c.layer:<11}{n:>13}")
    lines += [f"{'all classes':<53}{total:>13}", ""]
    lines.append(f"wall time {result.wall_seconds:.0f} s; orders at Jet {result.orders_at_jet}")
    lines.append(f"writes applied at Jet (ledger): {result.ledger_writes}")
    shipments = dict(result.log.shipments)
    lines.append(f"warehouse shipments {shipments}; refunds posted {result.log.refunds_posted}")
    failed, given_up = sum(result.log.task_failures.values()), sum(result.log.runs_given_up.values())
    concurrent = sum(result.log.concurrent_failures.values())
    lines.append(
        f"task attempts that failed {failed}, runs failed after retries {given_up},"
        f" concurrent runs that failed {concurrent}, deadline alerts {result.log.deadline_alerts}"
    )
    slowest = ", ".join(f"{k} {v:.0f}" for k, v in sorted(result.log.seconds.items(), key=lambda kv: -kv[1])[:6])
    lines.append(f"wall seconds by task: {slowest}")
    pending = [c for c in result.classes if c.pending]
    for c in pending:
        lines.append(f"pending: {c.name}: {c.pending}")
    for name in result.short_classes:
        lines.append(f"SHORT: {name} fired {result.fired.get(name, 0)} < {o.target}")
    for what, examples in result.figures.examples.items():
        lines.append(f"e.g. {what}: {'; '.join(examples)}")
    if result.log.runs_given_up:
        lines.append(f"runs failed after retries: {dict(result.log.runs_given_up)}")
    for error in result.log.errors[:12]:
        lines.append(f"error seen: {error}")
    lines.append("RESULT: " + ("all zeros" if result.ok else "NOT CLEAN (exit 1)"))
    return "\n".join(lines)
