"""Which settlement reports a run covers: pure functions of the run's data interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: Jet's ``GET /settlement/{days}`` accepts at most this many days (sandbox: 365).
MAX_LIST_DAYS = 365
#: Settlement states after which a report no longer changes (docs sample, AERO's ``Paid``).
FINAL_STATES = frozenset({"deposited", "paid"})


@dataclass(frozen=True)
class SettlementWindow:
    """Reports whose period ends in ``[start, end)`` belong to the run."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.start >= self.end:
            raise ValueError(f"empty settlement window {self.start} .. {self.end}")

    def covers(self, period_end: datetime) -> bool:
        """True when a report with this period end belongs to the window."""
        return self.start <= period_end < self.end

    def list_days(self, now: datetime) -> int:
        """``days`` to ask Jet for so the listing reaches back to ``start``.

        Jet lists reports relative to *its* clock, so this is the one place the wall
        clock matters; which reports the run keeps is decided by their own period
        (:meth:`covers`), never by ``now``. One day of slack covers clock skew.
        """
        span = (max(now, self.end) - self.start) / timedelta(days=1)
        return max(1, min(MAX_LIST_DAYS, math.ceil(span) + 1))


def settlement_window(
    data_interval_start: datetime | None, data_interval_end: datetime | None, lookback_days: int
) -> SettlementWindow:
    """The run's window: its data interval, reaching ``lookback_days`` further back.

    The lookback makes each daily run re-read recent reports, so a report landed while
    ``submitted`` is read again until it is final (deposited). A run without an interval
    (a manual run with no logical date) covers the day before its end.
    """
    if lookback_days < 0:
        raise ValueError("lookback_days must be >= 0")
    if data_interval_end is None:
        raise ValueError("a settlement run needs a data interval end")
    end = _utc(data_interval_end)
    start = _utc(data_interval_start or data_interval_end)
    if start >= end:
        start = end - timedelta(days=1)
    return SettlementWindow(start - timedelta(days=lookback_days), end)


def _utc(value: datetime) -> datetime:
    # A plain UTC datetime: Airflow hands out pendulum DateTimes, whose arithmetic with
    # datetime.UTC drops the zone.
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: give it a timezone")
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


def is_final(state: str | None) -> bool:
    """True for a settlement state after which the report cannot change."""
    return (state or "").strip().lower() in FINAL_STATES
