"""Locks the pipeline takes: bounded waits, and a clear error naming who holds them.

Two kinds:

* **Pipeline locks** (:func:`holding`): a row of ``jet.pipeline_locks`` locked ``FOR UPDATE``
  until the transaction ends. Taking one needs UPDATE on that table, which the analysts'
  role (``jetflow_analyst``) never has, so an analyst cannot block the pipeline; an
  analyst holding an advisory lock on any key blocks nothing either. Advisory locks were
  given up for this reason: PostgreSQL lets every role take every advisory key.
* **The migrator's advisory lock** (:func:`advisory`): migrations run before
  ``jet.pipeline_locks`` may exist, so they keep a session-level advisory lock; the
  wait is bounded, so whoever holds the key (an analyst included) makes a migration
  fail fast and names the holder, never stall it.

While it holds a pipeline lock, a session's ``application_name`` is ``jetflow <holder>``
(the run's key), so ``pg_stat_activity`` and the error of the next waiter say which run
holds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Long enough for a concurrent decider to finish its one transaction; short enough that
#: a stuck holder fails the run well inside Jet's 15-minute acknowledgement window.
DEFAULT_TIMEOUT = timedelta(seconds=30)
QUERY_SHOWN = 200  # characters of the holder's query in the error


@dataclass(frozen=True)
class Holder:
    """A session holding a lock, from ``pg_stat_activity``."""

    pid: int
    user: str | None
    application: str | None
    state: str | None
    since: datetime | None
    query: str | None

    def describe(self) -> str:
        query = " ".join((self.query or "").split())
        if len(query) > QUERY_SHOWN:
            query = query[:QUERY_SHOWN] + "..."
        since = self.since.isoformat() if self.since else "?"
        return (
            f"pid {self.pid} (user {self.user}, application_name {self.application or ''!r}, "
            f"{self.state}, transaction since {since}; last query: {query or '?'})"
        )


class LockHeld(RuntimeError):
    """A lock could not be taken within its timeout; the message names who holds it."""

    def __init__(self, lock: str, waited: timedelta, holders: list[Holder], hint: str = "") -> None:
        self.lock = lock
        self.waited = waited
        self.holders = holders
        who = "; ".join(h.describe() for h in holders) or "no session holds it any more (it was just released)"
        super().__init__(
            f"{lock} is held by another session, waited {waited.total_seconds():g} s: {who}."
            + (f" {hint}" if hint else "")
        )


def timeout_setting(timeout: timedelta) -> str:
    """A timedelta as a PostgreSQL lock_timeout value (whole milliseconds, at least 1)."""
    if timeout <= timedelta(0):
        raise ValueError(f"a lock timeout must be positive, not {timeout}")
    return f"{max(1, int(timeout.total_seconds() * 1000))}ms"


@contextmanager
def holding(
    conn: psycopg.Connection, name: str, *, holder: str, timeout: timedelta = DEFAULT_TIMEOUT
) -> Iterator[None]:
    """A transaction holding the pipeline lock ``name`` from its first statement to its end.

    ``with holding(conn, "decide", holder=run.run_key): ...`` replaces
    ``with conn.transaction(): ...``. Waits at most ``timeout`` for the lock, then raises
    :class:`LockHeld` naming the holder. ``holder`` (a run key) becomes this session's
    ``application_name`` for the transaction, so the next waiter's error names this run.
    The lock is taken in the top-level transaction (not a savepoint) because the holder
    is found through the transaction id a row lock leaves in the row.
    """
    import psycopg

    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise RuntimeError(f"pipeline lock {name!r}: take it first thing in a transaction of its own")
    acquired = False
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('application_name', %s, true)", (f"jetflow {holder}"[:63],))
            previous = one(conn.execute("SELECT current_setting('lock_timeout')").fetchone(), "current_setting")[0]
            conn.execute("SELECT set_config('lock_timeout', %s, true)", (timeout_setting(timeout),))
            if conn.execute(read_sql("warehouse_lock_take.sql"), {"name": name}).fetchone() is None:
                raise ValueError(f"unknown pipeline lock {name!r}: add it to jet.pipeline_locks in a migration")
            conn.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
            acquired = True
            yield
    except psycopg.errors.LockNotAvailable:
        if acquired:
            raise  # a lock wait inside the caller's block is the caller's to report
        holders = [Holder(*r) for r in conn.execute(read_sql("warehouse_lock_holders.sql"), {"name": name})]
        raise LockHeld(
            f"pipeline lock {name!r}",
            timeout,
            holders,
            "It is released when that transaction ends; if the session is stuck, end it with "
            "SELECT pg_terminate_backend(<pid>).",
        ) from None


@contextmanager
def held_aside(
    conn: psycopg.Connection, name: str, *, holder: str, timeout: timedelta = DEFAULT_TIMEOUT
) -> Iterator[None]:
    """The pipeline lock ``name``, held by a second session of ``conn``'s for the block.

    For work whose own transaction must begin only once the lock is granted: a
    REPEATABLE READ snapshot is taken by the transaction's first statement, so taking the
    lock inside it would compute from a snapshot older than the previous holder's commit.
    The second session holds the lock (as :func:`holding`: bounded, the holder named, out
    of the analysts' reach) while ``conn`` runs its transactions.
    """
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = conn.info.get_parameters()
    if conn.info.password:
        params["password"] = conn.info.password
    with psycopg.connect(make_conninfo(**params)) as keeper, holding(keeper, name, holder=holder, timeout=timeout):
        yield


def advisory(conn: psycopg.Connection, key: int, what: str, *, timeout: timedelta = DEFAULT_TIMEOUT) -> None:
    """Take a session-level advisory lock (autocommit connection), waiting at most ``timeout``."""
    import psycopg

    previous = one(conn.execute("SELECT current_setting('lock_timeout')").fetchone(), "current_setting")[0]
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (timeout_setting(timeout),))
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
    except psycopg.errors.LockNotAvailable:
        holders = [Holder(*r) for r in conn.execute(read_sql("warehouse_advisory_holders.sql"), {"key": key})]
        raise LockHeld(f"{what} (advisory lock {key})", timeout, holders) from None
    finally:
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (previous,))


def table_lock_holders(conn: psycopg.Connection) -> list[Holder]:
    """Other sessions holding locks on tables of the warehouse's schemas (jet, analytics)."""
    return [Holder(*r) for r in conn.execute(read_sql("warehouse_table_lock_holders.sql"))]
