"""A thread-safe token bucket: the request-rate budget shared by a hook's threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Token bucket with reservations.

    The bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second.
    Each request takes one token; when none is left the caller *reserves* the next one
    (the balance goes negative) and sleeps until its reservation matures. Reserving
    under the lock and sleeping outside it keeps callers in arrival order and lets
    threads wait concurrently, so over any interval of ``T`` seconds at most
    ``burst + rate * T`` requests start.

    :param rate: tokens per second; ``None`` or ``0`` disables limiting.
    :param burst: bucket capacity (>= 1). The bucket starts full.
    :param clock: monotonic clock in seconds (injectable for tests).
    :param sleep: sleep function (injectable for tests).
    """

    def __init__(
        self,
        rate: float | None,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate < 0:
            raise ValueError(f"rate must be >= 0, got {rate}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self.rate = rate or 0.0
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._updated = clock()

    @property
    def unlimited(self) -> bool:
        """True when no rate limit applies."""
        return self.rate <= 0

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
        self._updated = now

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return how many seconds the caller must wait before using them."""
        if self.unlimited:
            return 0.0
        with self._lock:
            self._refill(self._clock())
            self._tokens -= tokens
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` only if available right now; never waits."""
        if self.unlimited:
            return True
        with self._lock:
            self._refill(self._clock())
            if self._tokens >= tokens:
                self._tokens -= tokens
                return True
            return False

    def acquire(self, tokens: float = 1.0) -> float:
        """Block until ``tokens`` may be used; return the seconds waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            self._sleep(wait)
        return wait

    def available(self) -> float:
        """Tokens available now (negative while reservations are outstanding)."""
        if self.unlimited:
            return float("inf")
        with self._lock:
            self._refill(self._clock())
            return self._tokens
