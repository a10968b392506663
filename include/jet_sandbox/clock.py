"""The sandbox clock: every lifecycle timer runs on it, so tests never sleep."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Literal

ClockMode = Literal["manual", "real"]

#: Start instant of a manual clock unless told otherwise: a fixed instant keeps seeded
#: runs byte-identical (a Monday afternoon, so the first settlement day is a full one).
DEFAULT_START = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)


class SandboxClock:
    """``manual``: frozen, moves only when advanced. ``real``: start + elapsed wall time + offset."""

    def __init__(self, mode: ClockMode, start: datetime) -> None:
        if mode not in ("manual", "real"):
            raise ValueError(f"unknown clock mode {mode!r}")
        self.mode: ClockMode = mode
        self._start = start.astimezone(UTC)
        self._offset = timedelta(0)
        self._wall_start = time.monotonic()

    def now(self) -> datetime:
        """The current sandbox instant (UTC, aware)."""
        if self.mode == "manual":
            return self._start + self._offset
        return self._start + self._offset + timedelta(seconds=time.monotonic() - self._wall_start)

    def advance(self, seconds: float) -> datetime:
        """Move forward; the caller then processes whatever fell due."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Jump forward to ``when`` (moving backwards would break every timer)."""
        delta = (when - self.now()).total_seconds()
        if delta < 0:
            raise ValueError("the sandbox clock only moves forward")
        return self.advance(delta)
