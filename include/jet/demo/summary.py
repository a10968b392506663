"""The demo's closing summary, read from the warehouse and from Jet's ledger of applied writes.

Nothing here is counted while the period runs: every figure is a query, so a test can
hold each one against its own SQL and against the sandbox's ground truth. The money is
the P&L report's headline (:func:`jet.report.headline`) over the period's settlement days.
The last section answers "why was it cancelled?" for one order of each kind of cancel,
with the query (``demo_why_cancelled.sql``) a reader can rerun in psql.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.outbox.kinds import CANCEL, KINDS, REJECT
from jet.report.charts import money
from jet.report.figures import Headline, ReportPeriod, headline
from jet.sql import execute, one, read_sql

#: The kinds of cancel the summary shows one order of: (label, act, started_by), as
#: jet.order_cancellations names them (docs/statuses.md).
WHY_KINDS: tuple[tuple[str, str, str], ...] = (
    ("rules cancel", "cancel", "rules"),
    ("rules reject", "reject", "rules"),
    ("Jet directed cancel", "cancel units", "jet"),
    ("operator cancel", "cancel units", "operator"),
    ("warehouse cancel", "cancel units", "warehouse"),
)

#: Our internal statuses of an order declined or cancelled wholly: the ones the cancel and
#: reject calls give it (jet.outbox.kinds ``answer``), bound so the SQL does not repeat them.
CLOSED_STATUSES: dict[str, str | None] = {"cancelled": KINDS[CANCEL].answer, "rejected": KINDS[REJECT].answer}

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class CancelExample:
    """One kind of cancel in the period: how many orders had one, and one order's answer
    to the "why" query (rows of internal_status, act, started_by, who, units, reason, rule_in)."""

    label: str
    act: str
    started_by: str
    orders: int
    order_id: str | None
    answer: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True)
class WhyCancelled:
    """The summary's last section: the query, each kind's example, every kind's count."""

    query: str  # demo_why_cancelled.sql as psql takes it, with ``%(order_id)s`` left in
    examples: tuple[CancelExample, ...]
    kinds: dict[tuple[str, str], int]  # orders by (act, started_by), every kind in the period

    def printable_query(self) -> str:
        """The query on one line, for the first example's order (any order id will do)."""
        order_id = next((e.order_id for e in self.examples if e.order_id), "...")
        return self.query.replace("%(order_id)s", "'" + order_id.replace("'", "''") + "'") + ";"

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{act} by {who} {n:,}" for (act, who), n in self.kinds.items()) or "none"
        out = [
            "Why was it cancelled? One query answers it for any order (docs/statuses.md); in psql:",
            "  " + self.printable_query(),
            f"  orders by act and who started it: {kinds}",
        ]
        for e in self.examples:
            if e.order_id is None:
                out.append(f"  {e.label}: none in this period")
                continue
            out.append(f"  {e.label} ({e.orders:,} orders), e.g. {e.order_id}:")
            out += ["    " + " | ".join("" if v is None else str(v) for v in row) for row in e.answer]
        return out


@dataclass(frozen=True)
class DemoSummary:
    """Every figure the demo prints at the end."""

    start: datetime
    end: datetime
    outcomes: dict[str, int]  # orders placed in the period (and made ready by Jet) by what became of them
    units_ordered: int
    units_shipped: int
    units_cancelled: int
    orders_cancelled: int  # internal status cancelled (rules, operator, Jet's withdrawal, every unit)
    orders_rejected: int  # internal status rejected: declined for short stock, not a cancellation
    ready: int  # orders that became ready in the period
    answered: int
    within_window: int
    ack_p50_seconds: Decimal | None
    ack_p99_seconds: Decimal | None
    ack_max_seconds: Decimal | None
    writes: dict[str, int]  # writes Jet applied (its ledger), by kind
    returns: dict[str, int]  # returns of the period's orders by status
    refunds: dict[str, int]  # merchant refunds of the period's orders by status
    money: Headline
    report: Path | None
    why: WhyCancelled

    @property
    def orders(self) -> int:
        return sum(self.outcomes.values())

    @property
    def cancellation_rate(self) -> Decimal | None:
        """Share of orders cancelled (docs/statuses.md: by the rules, an operator, Jet, or every unit)."""
        return (Decimal(self.orders_cancelled) / self.orders).quantize(Decimal("0.0001")) if self.orders else None

    @property
    def rejection_rate(self) -> Decimal | None:
        """Share of orders rejected (declined at acknowledgement for short stock)."""
        return (Decimal(self.orders_rejected) / self.orders).quantize(Decimal("0.0001")) if self.orders else None

    @property
    def unit_cancellation_rate(self) -> Decimal | None:
        """Share of units ordered that were cancelled (at shipment; not rejected or withdrawn orders)."""
        if not self.units_ordered:
            return None
        return (Decimal(self.units_cancelled) / self.units_ordered).quantize(Decimal("0.0001"))

    def lines(self) -> list[str]:
        """The summary as printed."""
        h = self.money
        out = [
            f"Trading period {self.start:%Y-%m-%d %H:%M}Z to {self.end:%Y-%m-%d %H:%M}Z"
            f" ({(self.end - self.start) / timedelta(days=1):g} days)",
            f"  orders: {self.orders:,} ({self.units_ordered:,} units) by outcome:",
            *(f"    {name:<32}{n:>7,}" for name, n in self.outcomes.items()),
            f"  ready -> acknowledged over {self.answered:,} of {self.ready:,} orders ready:"
            f" p50 {minutes(self.ack_p50_seconds)}, p99 {minutes(self.ack_p99_seconds)},"
            f" max {minutes(self.ack_max_seconds)}; {self.within_window:,} within Jet's 15 minutes",
            f"  cancellation rate: {share(self.cancellation_rate)} of orders cancelled"
            f" ({self.orders_cancelled:,}); rejection rate {share(self.rejection_rate)}"
            f" ({self.orders_rejected:,} declined for short stock); {share(self.unit_cancellation_rate)} of units"
            f" ({self.units_cancelled:,} cancelled, {self.units_shipped:,} shipped)",
            "  writes applied at Jet (sandbox ledger): "
            + (", ".join(f"{k} {v:,}" for k, v in self.writes.items()) or "none"),
            "  returns: " + (", ".join(f"{k} {v}" for k, v in self.returns.items()) or "none")
            + "; refunds: " + (", ".join(f"{k} {v}" for k, v in self.refunds.items()) or "none"),
            f"  settlements reconciled to the cent: {h.settlements_reconciled} of {h.settlements}"
            f" (unallocated {money(h.unallocated)}); {h.orders_settled:,} orders settled",
            f"  revenue {money(h.revenue)}, Jet fees {money(h.fees)}, refunds {money(h.refunds)},"
            f" cost of goods {money(h.cogs)}",
            f"  contribution margin {money(h.contribution_margin)} ({share(h.margin_share)} of revenue;"
            f" Jet adjustments {money(h.adjustments)} included)",
        ]  # fmt: skip
        if self.report is not None:
            out.append(f"  P&L report: {self.report}")
        return [*out, "", *self.why.lines()]


def minutes(seconds: Decimal | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 60:.1f} min"


def share(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def ledger_by_kind(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Jet's applied writes (the sandbox's ledger entries) counted by kind, most first."""
    counts = Counter(str(e["kind"]) for e in entries)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def settlement_days(start: datetime, end: datetime) -> ReportPeriod:
    """The UTC days of ``[start, end)``: the settlement days the period's money is counted on."""
    return ReportPeriod(start.date(), (end - timedelta(microseconds=1)).date())


def why_cancelled(conn: psycopg.Connection, start: datetime, end: datetime) -> WhyCancelled:
    """Every kind of cancel of the orders placed in ``[start, end)``, and the "why" query's
    answer for one order of each kind in :data:`WHY_KINDS`."""
    window = {"start": start, "end": end}
    kinds: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], str] = {}
    for act, started_by, orders, example in execute(conn, "demo_why_kinds.sql", {**window, **CLOSED_STATUSES}):
        kinds[(act, started_by)] = orders
        shown[(act, started_by)] = example
    query = read_sql("demo_why_cancelled.sql")
    examples = []
    for label, act, started_by in WHY_KINDS:
        order_id = shown.get((act, started_by))
        answer = () if order_id is None else tuple(conn.execute(query, {"order_id": order_id}).fetchall())
        examples.append(CancelExample(label, act, started_by, kinds.get((act, started_by), 0), order_id, answer))
    return WhyCancelled(psql_text(query), tuple(examples), kinds)


def psql_text(query: str) -> str:
    """``query`` on one line without its comments, as a reader would paste it into psql."""
    lines = (line.split("--", 1)[0].strip() for line in query.splitlines())
    return " ".join(line for line in lines if line).rstrip(";")


def summarize(
    conn: psycopg.Connection,
    ledger: Iterable[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    report: Path | None = None,
) -> DemoSummary:
    """The summary of the period ``[start, end)`` from the warehouse and Jet's ledger."""
    window = {"start": start, "end": end}
    outcomes: dict[str, int] = {}
    units = [0, 0, 0]
    for outcome, n, ordered, shipped, cancelled in execute(conn, "demo_summary_outcomes.sql", window):
        outcomes[outcome] = n
        units = [units[0] + ordered, units[1] + shipped, units[2] + cancelled]
    ready, answered, within, p50, p99, slowest = one(
        conn.execute(read_sql("demo_summary_latency.sql"), window).fetchone(), "demo_summary_latency.sql"
    )
    closed = {**window, **CLOSED_STATUSES}
    cancelled, rejected = one(
        execute(conn, "demo_summary_cancellations.sql", closed).fetchone(), "demo_summary_cancellations.sql"
    )
    after: dict[str, dict[str, int]] = {"return": {}, "refund": {}}
    for what, status, n in conn.execute(read_sql("demo_summary_aftersales.sql"), window):
        after[what][status] = n
    return DemoSummary(
        start=start,
        end=end,
        outcomes=outcomes,
        units_ordered=units[0],
        units_shipped=units[1],
        units_cancelled=units[2],
        orders_cancelled=cancelled,
        orders_rejected=rejected,
        ready=ready,
        answered=answered,
        within_window=within,
        ack_p50_seconds=p50,
        ack_p99_seconds=p99,
        ack_max_seconds=slowest,
        writes=ledger_by_kind(ledger),
        returns=after["return"],
        refunds=after["refund"],
        money=headline(conn, settlement_days(start, end)),
        report=report,
        why=why_cancelled(conn, start, end),
    )
