"""Date ranges as operators type them (UTC calendar days), as timestamps the code compares."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def utc_day_range(first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
    """``first``..``last`` (ISO dates, both days included) as a half-open UTC range
    ``[first 00:00, day after last 00:00)``; a missing end stays None (unbounded).
    Raises ValueError naming both dates when ``first`` is after ``last``."""
    start = datetime.combine(date.fromisoformat(first), time.min, UTC) if first else None
    end = datetime.combine(date.fromisoformat(last), time.min, UTC) + timedelta(days=1) if last else None
    if start is not None and end is not None and start >= end:
        raise ValueError(f"{first} is after {last}")
    return start, end
