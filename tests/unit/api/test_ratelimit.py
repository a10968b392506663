"""Token bucket: exact arithmetic on a fake monotonic clock; no real sleeping."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jet.api.ratelimit import TokenBucket

pytestmark = pytest.mark.unit


class FakeClock:
    """A monotonic clock that only moves when slept on (or told to)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now = max(self.now, self.now + seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_burst_is_free_then_requests_are_spaced_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=3, clock=clock, sleep=clock.sleep)
    waits = [bucket.reserve() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([0.1, 0.2, 0.3])


def test_acquire_sleeps_exactly_the_reservation() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=4, burst=1, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(9):
        bucket.acquire()
    # One free token, then 8 more at 4/s.
    assert clock.now - start == pytest.approx(2.0)
    assert clock.slept == pytest.approx([0.25] * 8)


def test_refill_is_capped_at_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        assert bucket.try_acquire()
    assert not bucket.try_acquire()
    clock.advance(100)  # a long idle period refills only up to the burst
    assert bucket.available() == pytest.approx(5)
    assert sum(bucket.try_acquire() for _ in range(10)) == 5


def test_unlimited_bucket_never_waits() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=None, burst=1, clock=clock, sleep=clock.sleep)
    assert all(bucket.acquire() == 0 for _ in range(1000))
    assert clock.slept == []
    assert bucket.unlimited


@pytest.mark.parametrize(("rate", "burst"), [(-1, 1), (1, 0)])
def test_invalid_parameters(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        TokenBucket(rate=rate, burst=burst)


def test_threads_share_one_budget_without_lost_updates() -> None:
    # The clock is frozen, so every reservation must queue behind the previous one:
    # with 16 threads x 50 reservations the waits must be exactly 0 (burst) then k/rate.
    clock = FakeClock()
    bucket = TokenBucket(rate=100, burst=10, clock=clock, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        mine = [bucket.reserve() for _ in range(50)]
        with lock:
            waits.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = [0.0] * 10 + [k / 100 for k in range(1, 16 * 50 - 10 + 1)]
    assert sorted(waits) == pytest.approx(expected)


@given(
    rate=st.floats(min_value=0.5, max_value=500),
    burst=st.integers(min_value=1, max_value=50),
    gaps=st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=200),
)
@settings(max_examples=200, deadline=None)
def test_no_window_exceeds_burst_plus_rate(rate: float, burst: int, gaps: list[float]) -> None:
    # Callers arrive after arbitrary gaps; the start times the bucket grants must satisfy
    # "at most burst + rate * T starts in any window of length T".
    clock = FakeClock()
    bucket = TokenBucket(rate=rate, burst=burst, clock=clock, sleep=clock.sleep)
    starts: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        bucket.acquire()
        starts.append(clock.now)
    for i, first in enumerate(starts):
        for j in range(i, len(starts)):
            window = starts[j] - first
            assert j - i + 1 <= burst + rate * window + 1e-6


def test_a_429_pauses_every_caller_and_halves_the_rate_once_per_pause() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=20, burst=20, clock=clock, sleep=clock.sleep)
    bucket.slow_down(2.0)
    bucket.slow_down(2.0)  # a second thread's 429 from the same storm
    assert (bucket.rate, bucket.burst, bucket.slowdowns) == (10.0, 10.0, 1)
    assert bucket.reserve() >= 2.0, "every caller waits out Retry-After, whoever got the 429"
    assert bucket.reserve_within(1.0) is None, "a write does not queue behind a long pause"
    clock.advance(2.5)
    bucket.slow_down(1.0)
    assert bucket.rate == 5.0
    for _ in range(100):
        bucket.recover()
    assert (bucket.rate, bucket.burst) == (20.0, 20.0), "answers that are not 429 climb back to the budget"


def test_an_unlimited_bucket_still_pauses_on_a_429() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=None, clock=clock, sleep=clock.sleep)
    bucket.slow_down(3.0)
    assert bucket.reserve() == 3.0
    assert not bucket.try_acquire()


def test_reservations_made_during_a_pause_queue_behind_it_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=20, burst=20, clock=clock, sleep=clock.sleep)
    bucket.slow_down(1.0)  # now 10/s, burst 10
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([1.1, 1.2, 1.3, 1.4, 1.5]), "no stampede when the pause ends"
