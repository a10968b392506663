"""Push stock and prices to Jet: only what differs from the last value Jet accepted.

One run (:func:`push_catalog`):

1. **settle** what an earlier run left unsettled (``sending`` after a kill, ``unknown``
   after a timeout or a 5xx): once quiet (longer than the client's timeouts, so a
   request still in flight cannot land after the read), Jet's own value is read back;
2. **plan** (``catalog_sync_plan.sql``): per SKU the sellable quantity at every node (the
   decider's ``available``, never below 0; 0 when archived) and the price, compared with
   ``jet.catalog_accepted``; only the differences are pushed, nothing at all when nothing
   changed;
3. **push** them with bounded concurrency (the hook's ``max_concurrency`` threads, inside
   its rate budget): each chunk is recorded before it is sent, each push settled as it
   returns (:mod:`jet.catalog.pushes`);
4. pushes that ended ``unknown`` are settled from the read-back and what Jet does not
   have is planned and pushed again, up to :data:`ROUNDS` times; what is still unsettled
   then fails the run (its retry continues from there).

A SKU archived or deleted on Jet is not pushed (``follow_archive``,
:mod:`jet.catalog.jet_status`); one archived in the file is pushed as 0.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jet.catalog.pushes import Outcome, Push, RateGate, Wanted, open_pushes, read_back, record, send, unsettled
from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.hook import JetHook

log = logging.getLogger(__name__)

CHUNK = 500  # pushes recorded per transaction; at most two chunks are queued or in flight
ROUNDS = 3  # push, settle the unknown ones, push what Jet lacks again
RECORD_EVERY = 0.05  # seconds: outcomes are recorded this soon after they return
#: Seconds past the client's connect + read timeouts before an unanswered push is read
#: back: Jet may apply a write a little after our client gave up on it.
LATE_APPLY_ALLOWANCE = 2.0


class PushIncomplete(RuntimeError):
    """Some pushes are still without a known outcome; the retry continues from them."""


@dataclass(frozen=True)
class SyncSettings:
    version: int
    push_stock: bool
    push_prices: bool
    follow_archive: bool


def current_settings(conn: psycopg.Connection) -> SyncSettings:
    """The toggles in force (``jet.current_settings``)."""
    return SyncSettings(
        *one(conn.execute(read_sql("catalog_sync_settings.sql")).fetchone(), "catalog_sync_settings.sql")
    )


def plan(conn: psycopg.Connection, settings: SyncSettings) -> list[Wanted]:
    """What to push now (see ``catalog_sync_plan.sql``)."""
    if not (settings.push_stock or settings.push_prices):
        return []
    rows = conn.execute(
        read_sql("catalog_sync_plan.sql"),
        {"push_stock": settings.push_stock, "push_prices": settings.push_prices},
    ).fetchall()
    return [Wanted.from_row(sku, kind, body) for sku, kind, body in rows]


@dataclass
class Tally:
    """What one run's pushes did."""

    sent: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    read_back: int = 0

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.state] = self.outcomes.get(outcome.state, 0) + 1
        self.rate_limited += outcome.rate_limited
        if outcome.settled_by == "read_back":
            self.read_back += 1


def _chunks(items: list[Wanted], size: int) -> Iterator[list[Wanted]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def push(
    conn: psycopg.Connection,
    hook: JetHook,
    run_id: str,
    wanted: list[Wanted],
    *,
    concurrency: int,
    gate: RateGate,
    tally: Tally,
) -> list[Outcome]:
    """Send ``wanted`` with ``concurrency`` threads; record each outcome as it returns."""
    outcomes: list[Outcome] = []
    if not wanted:
        return outcomes
    with _quiet(hook), ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="catalog-push") as pool:
        pending: set[Future[Outcome]] = set()

        def settle(block_until: int) -> None:
            nonlocal pending
            while len(pending) > block_until:
                # Whatever returned within RECORD_EVERY: one transaction, not one per push.
                done, pending = wait(pending, timeout=RECORD_EVERY, return_when=ALL_COMPLETED)
                if not done:
                    continue
                batch = [f.result() for f in done]
                record(conn, batch)  # as they return, not when the chunk is done
                for outcome in batch:
                    tally.add(outcome)
                outcomes.extend(batch)

        for chunk in _chunks(wanted, CHUNK):
            for p in open_pushes(conn, run_id, chunk):
                pending.add(pool.submit(send, hook, p, gate))
            tally.sent += len(chunk)
            settle(CHUNK)  # the next chunk is recorded while this one is still sending
        settle(0)
    return outcomes


class _WarningsOnly:
    """A hook logger that drops INFO and DEBUG lines and passes the rest."""

    def __init__(self, log: Any) -> None:
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    def info(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def _quiet(hook: JetHook) -> Iterator[None]:
    """The hook logs every write at INFO; 100,000 such lines would bury the task log, and
    jet.catalog_pushes holds each push anyway. Refusals and retries still log (WARNING).
    Airflow's loggers are structlog's and ignore stdlib levels, so the hook's own logger
    (LoggingMixin's cached ``_log``) is wrapped while the senders run."""
    original = hook.log
    hook._log = _WarningsOnly(original)
    try:
        yield
    finally:
        hook._log = original


def settle_unsettled(
    conn: psycopg.Connection,
    hook: JetHook,
    *,
    quiet_seconds: float,
    concurrency: int,
    tally: Tally,
    lock_taken_at: float,
    clock: Callable[[], float] = time.time,
    pause: Callable[[float], Any] | None = None,
) -> int:
    """Read back every unsettled push once it is quiet; returns how many were settled.

    The caller holds the catalog sync lock (since ``lock_taken_at``, wall clock), so no
    other sender is alive: a push still ``sending`` belongs to a run that died, at the
    latest when the lock was taken (its session ended with it), and may have been sent
    until then. An ``unknown`` one ended when its client gave up (``answered_at``). Either
    may still land at Jet for ``quiet_seconds`` after that, so the read waits until then.
    """
    found = unsettled(conn)
    if not found:
        return 0
    last_activity = max(
        lock_taken_at if u.state == "sending" else (u.answered_at or u.sent_at).timestamp() for u in found
    )
    delay = last_activity + quiet_seconds - clock()
    if delay > 0:
        log.info("%d unsettled push(es): waiting %.1f s until quiet, then reading back", len(found), delay)
        (pause or threading.Event().wait)(delay)
    pushes = [u.push for u in found]
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="catalog-read-back") as pool:
        results = list(pool.map(lambda p: read_back(hook, p), pushes))
    record(conn, results)
    for outcome in results:
        tally.add(outcome)
    applied = sum(o.state == "accepted" for o in results)
    log.info("read back %d push(es): %d applied at Jet, %d not", len(results), applied, len(results) - applied)
    return len(results)


def quiet_seconds(hook: JetHook, allowance: float = LATE_APPLY_ALLOWANCE) -> float:
    """How long an unanswered push may still land at Jet: the client's timeouts plus ``allowance``."""
    s = hook.settings
    return s.connect_timeout + s.read_timeout + allowance


def push_catalog(
    conn: psycopg.Connection, hook: JetHook, run_id: str, *, allowance: float = LATE_APPLY_ALLOWANCE
) -> dict[str, Any]:
    """One sync run's pushes (see the module docstring); returns the receipt."""
    settings = current_settings(conn)
    concurrency = hook.settings.max_concurrency
    quiet = quiet_seconds(hook, allowance)
    gate = RateGate()
    tally = Tally()
    lock_taken_at = time.time()  # the caller holds the sync lock from before this call
    planned_first = 0
    started = time.monotonic()
    complete = False
    for round_no in range(1, ROUNDS + 1):
        settle_unsettled(
            conn, hook, quiet_seconds=quiet, concurrency=concurrency, tally=tally, lock_taken_at=lock_taken_at
        )
        wanted = plan(conn, settings)
        if round_no == 1:
            planned_first = len(wanted)
        if not wanted:
            complete = True
            break
        log.info("round %d: pushing %d value(s) (%s)", round_no, len(wanted), _by_kind(wanted))
        outcomes = push(conn, hook, run_id, wanted, concurrency=concurrency, gate=gate, tally=tally)
        if not any(o.state in ("unknown", "not_applied") for o in outcomes):
            complete = True
            break
    left = left_out = 0
    if not complete:  # the last round's unknown pushes: settle them, and say what Jet still lacks
        settle_unsettled(
            conn, hook, quiet_seconds=quiet, concurrency=concurrency, tally=tally, lock_taken_at=lock_taken_at
        )
        left = len(unsettled(conn))
        left_out = len(plan(conn, settings))
    receipt = {
        "run_id": run_id,
        "settings_version": settings.version,
        "push_stock": settings.push_stock,
        "push_prices": settings.push_prices,
        "planned": planned_first,
        "requests": tally.sent,
        "outcomes": dict(sorted(tally.outcomes.items())),
        "read_back": tally.read_back,
        "rate_limited": tally.rate_limited,
        "rate_wait_seconds": round(gate.waited, 1),
        "seconds": round(time.monotonic() - started, 2),
        "unsettled": left,
    }
    log.info("catalog push: %s", receipt)
    if left:
        raise PushIncomplete(f"{left} push(es) still without a known outcome after {ROUNDS} rounds: {receipt}")
    if left_out:
        raise PushIncomplete(f"{left_out} value(s) still to push after {ROUNDS} rounds (Jet kept failing): {receipt}")
    return receipt


def _by_kind(wanted: Iterable[Wanted]) -> str:
    counts: dict[str, int] = {}
    for w in wanted:
        counts[w.kind] = counts.get(w.kind, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


__all__ = ["Push", "PushIncomplete", "SyncSettings", "current_settings", "plan", "push", "push_catalog"]
