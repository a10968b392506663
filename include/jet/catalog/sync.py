"""Push stock and prices to Jet: only what differs from the last value Jet accepted.

One run (:func:`push_catalog`), every push an action of the outbox (:mod:`jet.outbox`,
kinds ``push_inventory`` and ``push_price``: see :mod:`jet.catalog.pushes`):

1. **drain** what an earlier run left open (``sending`` after a kill, ``unknown`` after a
   timeout or a 5xx, ``pending`` after 429s): the outbox reads Jet's value back once
   quiet, and sends only what Jet lacks;
2. **plan** (``catalog_sync_plan.sql``): per SKU the sellable quantity at every node (the
   decider's ``available``, never below 0; 0 when archived) and the price, compared with
   the last value Jet accepted (``jet.catalog_accepted``); only the differences are
   pushed, nothing at all when nothing changed;
3. **queue** them (one statement per few thousand) and **drain** them: the hook's
   ``max_concurrency`` threads, inside its rate budget, each outcome recorded as its
   request returns;
4. plan again: what Jet still lacks (a push that kept failing) is queued and drained
   again, up to :data:`ROUNDS` rounds; what is still open or lacking then fails the run
   (its retry continues from there).

A SKU archived or deleted on Jet is not pushed (``follow_archive``,
:mod:`jet.catalog.jet_status`); one archived in the file is pushed as 0.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jet.catalog.pushes import Wanted
from jet.outbox import CATALOG_PUSHES, OutboxReceipt, Policy, Scope, drain, queue_many
from jet.outbox.kinds import PUSH_INVENTORY, PUSH_PRICE
from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.hook import JetHook
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

ROUNDS = 3  # push, then push again what Jet still lacks
REASON = "the catalog's stock or price differs from what Jet accepted last"


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
        {
            "push_stock": settings.push_stock,
            "push_prices": settings.push_prices,
            "inventory_call": PUSH_INVENTORY,
            "price_call": PUSH_PRICE,
        },
    ).fetchall()
    return [Wanted.from_row(sku, call, body) for sku, call, body in rows]


def queue_pushes(conn: psycopg.Connection, run: RunIdentity, wanted: list[Wanted], round_no: int = 1) -> int:
    """Queue ``wanted`` in the outbox, committed before anything is sent; returns how many
    are new (a retried run finds the values it queued already)."""
    created = 0
    for call in CATALOG_PUSHES:
        items = [w.queueable(f"{run.run_key}/{round_no}") for w in wanted if w.call == call]
        if items:
            created += queue_many(conn, run, call, items, reason=REASON)
    return created


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
    jet.actions holds each push anyway. Refusals and retries still log (WARNING).
    Airflow's loggers are structlog's and ignore stdlib levels, so the hook's own logger
    (LoggingMixin's cached ``_log``) is wrapped while the senders run."""
    original = hook.log
    hook._log = _WarningsOnly(original)
    try:
        yield
    finally:
        hook._log = original


def push_catalog(conn: psycopg.Connection, hook: JetHook, run: RunIdentity) -> dict[str, Any]:
    """One sync run's pushes (see the module docstring); returns the receipt."""
    settings = current_settings(conn)
    policy = Policy.for_client(hook)
    scope = Scope(calls=CATALOG_PUSHES)
    started = time.monotonic()
    waited_before = hook.stats.snapshot()["rate_wait_seconds"]
    total = OutboxReceipt()
    with _quiet(hook):
        total += drain(conn, hook, scope, policy=policy)  # what an earlier run left open
        wanted = plan(conn, settings)
        planned_first = len(wanted)
        for round_no in range(1, ROUNDS + 1):
            if not wanted:
                break
            log.info("round %d: pushing %d value(s) (%s)", round_no, len(wanted), _by_kind(wanted))
            queue_pushes(conn, run, wanted, round_no)
            total += drain(conn, hook, scope, policy=policy)
            wanted = plan(conn, settings)  # what Jet still lacks
    (still_open,) = one(
        conn.execute(read_sql("catalog_push_open.sql"), {"calls": list(CATALOG_PUSHES)}).fetchone(),
        "catalog_push_open.sql",
    )
    outcomes: dict[str, int] = {}
    rate_limited = 0
    for state, count, limited in conn.execute(read_sql("catalog_push_receipt.sql"), {"run_key": run.run_key}):
        outcomes[state] = count
        rate_limited += limited
    receipt = {
        "run_id": run.run_key,
        "settings_version": settings.version,
        "push_stock": settings.push_stock,
        "push_prices": settings.push_prices,
        "planned": planned_first,
        "requests": total.sent,
        "outcomes": outcomes,
        "read_back": total.read_back,
        "rate_limited": rate_limited,
        "rate_wait_seconds": round(hook.stats.snapshot()["rate_wait_seconds"] - waited_before, 1),
        "seconds": round(time.monotonic() - started, 2),
        "unsettled": still_open,
    }
    log.info("catalog push: %s", receipt)
    if still_open:
        raise PushIncomplete(f"{still_open} push(es) still without a known outcome after {ROUNDS} rounds: {receipt}")
    if wanted:
        raise PushIncomplete(
            f"{len(wanted)} value(s) still to push after {ROUNDS} rounds (Jet kept failing): {receipt}"
        )
    return receipt


def _by_kind(wanted: Iterable[Wanted]) -> str:
    counts: dict[str, int] = {}
    for w in wanted:
        counts[w.call] = counts.get(w.call, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


__all__ = ["PushIncomplete", "SyncSettings", "current_settings", "plan", "push_catalog", "queue_pushes"]
