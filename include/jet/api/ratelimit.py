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
        #: The configured budget: :meth:`slow_down` lowers ``rate``/``burst``, :meth:`recover` climbs back.
        self.max_rate = self.rate
        self.max_burst = self.burst
        self.slowdowns = 0
        self._paused_until = float("-inf")
        #: Threads that got a 429 during the current pause and wait out its Retry-After themselves.
        self._exempt: set[int] = set()
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
        # During a pause (slow_down) _updated lies ahead: nothing refills until it ends.
        if now <= self._updated:
            return
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def _exempt_now(self) -> bool:
        return threading.get_ident() in self._exempt

    def _ahead(self, now: float) -> float:
        """Seconds until the bucket starts again (a pause), for this caller."""
        if self._exempt_now():
            return 0.0
        return max(0.0, (self._paused_until if self.unlimited else self._updated) - now)

    def _wait_locked(self, now: float, tokens: float) -> float:
        if self.unlimited:
            return self._ahead(now)
        self._refill(now)
        short = tokens - self._tokens
        return self._ahead(now) + (0.0 if short <= 0 else short / self.rate)

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return how many seconds the caller must wait before using them."""
        with self._lock:
            now = self._clock()
            if self.unlimited:
                return self._ahead(now)
            self._refill(now)
            self._tokens -= tokens
            # Reservations made during a pause queue behind its end, spaced at the rate:
            # the pause never ends in a stampede.
            return self._ahead(now) + (0.0 if self._tokens >= 0 else -self._tokens / self.rate)

    def reserve_within(self, max_wait: float, tokens: float = 1.0) -> float | None:
        """Like :meth:`reserve`, but only when the wait is at most ``max_wait`` seconds;
        otherwise take nothing and return None (the caller does not send now)."""
        with self._lock:
            if self._wait_locked(self._clock(), tokens) > max_wait:
                return None
        return self.reserve(tokens)

    def wait_estimate(self, tokens: float = 1.0) -> float:
        """Seconds a caller asking for ``tokens`` now would wait (nothing is taken)."""
        with self._lock:
            return self._wait_locked(self._clock(), tokens)

    def slow_down(self, pause: float, factor: float = 0.5, floor: float = 1.0, *, caller_waits: bool = False) -> None:
        """The server said 429: every caller waits ``pause`` seconds, and the budget is
        cut by ``factor`` (not below ``floor`` requests/s), with a burst no larger than
        one second of it. Shared by every thread of the hook, reads and writes alike.

        ``caller_waits``: the calling thread sleeps the Retry-After itself before retrying
        (a GET's backoff), so the pause does not make it wait twice.
        """
        with self._lock:
            now = self._clock()
            # The 429s of requests already in flight when the first one came say the same
            # thing: cut the rate once per pause, not once per thread.
            already = now < self._paused_until
            if not already:
                self._exempt = set()
            if caller_waits:
                self._exempt.add(threading.get_ident())
            until = now + max(0.0, pause)
            self._paused_until = max(self._paused_until, until)
            if not self.unlimited:
                self._refill(now)
                # Nothing in hand, nothing refilled before the pause ends.
                self._tokens = min(self._tokens, 0.0)
                self._updated = max(self._updated, until)
            if already:
                return
            self.slowdowns += 1
            if not self.unlimited:
                self.rate = max(min(floor, self.max_rate), self.rate * factor)
                self.burst = max(1.0, min(self.max_burst, self.rate))

    def recover(self, step: float = 0.02) -> None:
        """An answer that was not a 429: climb back towards the configured budget by
        ``step`` of it (additive increase after the multiplicative decrease)."""
        if self.unlimited or self.rate >= self.max_rate:
            return
        with self._lock:
            self._refill(self._clock())
            self.rate = min(self.max_rate, self.rate + self.max_rate * step)
            self.burst = max(1.0, min(self.max_burst, self.rate))

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` only if available right now; never waits."""
        with self._lock:
            if self._ahead(self._clock()) > 0:
                return False
            if self.unlimited:
                return True
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
