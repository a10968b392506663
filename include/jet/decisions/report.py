"""Summaries of the decision stage for people: decisions by outcome, outbox states, and
ready → acknowledged latency with its percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class LatencySummary:
    """Ready → acknowledged latency, in minutes, over ``count`` orders."""

    count: int
    p50: float
    p99: float
    max: float
    over_window: int  # orders answered after Jet's 15-minute window

    def line(self) -> str:
        return (
            f"ready -> acknowledged over {self.count} orders: p50 {self.p50:.1f} min, p99 {self.p99:.1f} min, "
            f"max {self.max:.1f} min; {self.over_window} over the 15-minute window"
        )


def summarize_latency(minutes: Sequence[float], window: float = 15.0) -> LatencySummary | None:
    """Percentiles of latencies in minutes (None when there are none)."""
    if not minutes:
        return None
    return LatencySummary(
        count=len(minutes),
        p50=percentile(minutes, 50),
        p99=percentile(minutes, 99),
        max=max(minutes),
        over_window=sum(1 for m in minutes if m > window),
    )


def decisions_by_outcome(conn: psycopg.Connection, *, dry_run: bool = False) -> dict[str, int]:
    """Count of decisions per outcome (real ones by default)."""
    rows = conn.execute(read_sql("decisions_report_outcomes.sql"), {"dry_run": dry_run}).fetchall()
    return dict(rows)


def actions_by_state(conn: psycopg.Connection) -> dict[tuple[str, str], int]:
    """Count of outbox actions per (kind, state)."""
    rows = conn.execute(read_sql("decisions_report_actions.sql")).fetchall()
    return {(kind, state): n for kind, state, n in rows}


def warehouse_latency(conn: psycopg.Connection) -> LatencySummary | None:
    """Ready → acknowledged latency of every order Jet shows acknowledged, from the
    warehouse (Jet's own dates, as landed by the last pull or refresh)."""
    rows = conn.execute(read_sql("decisions_report_latency.sql")).fetchall()
    return summarize_latency([float(r[0]) for r in rows])


def summary_lines(conn: psycopg.Connection) -> list[str]:
    """A few printable lines: decisions by outcome, outbox states, latency."""
    outcomes = decisions_by_outcome(conn)
    lines = [
        "decisions by outcome: " + (", ".join(f"{k} {v}" for k, v in outcomes.items()) or "none"),
    ]
    states = actions_by_state(conn)
    if states:
        lines.append("outbox: " + ", ".join(f"{kind} {state} {n}" for (kind, state), n in states.items()))
    latency = warehouse_latency(conn)
    if latency is not None:
        lines.append(latency.line())
    return lines


def as_dict(summary: LatencySummary | None) -> dict[str, Any] | None:
    return None if summary is None else summary.__dict__.copy()
