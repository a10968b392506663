"""Faults outside Jet: the warehouse session killed mid-statement, a task process killed
mid-send, two runs of one DAG at once.

The warehouse kill is deterministic, not a race against a fast statement: a side
connection holds a SHARE lock on the table the statement writes, so the pipeline's
COPY (into ``jet.order_payloads``) or merge (into ``jet.orders``) waits on it; a watcher
sees that backend waiting in ``pg_stat_activity`` with the statement's text and ends it
with ``pg_terminate_backend``, exactly as a failover or an operator would; then the lock
is released. The task fails as it would in production and is retried.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from jet.sql import read_sql

log = logging.getLogger(__name__)

#: What each warehouse fault waits for: the table to hold, and how to recognise the
#: statement in ``pg_stat_activity.query`` (a LIKE pattern).
KILL_TARGETS: dict[str, tuple[str, str]] = {
    "copy": ("jet.order_payloads", 'COPY "jet"."order_payloads"%'),
    "merge": ("jet.orders", read_sql("orders_merge.sql")[:60].replace("%", r"\%").replace("_", r"\_") + "%"),
}


@dataclass
class WarehouseKiller:
    """Context manager: while open, the first statement of ``target`` is terminated."""

    url: str
    target: str  # copy | merge
    timeout: float = 30.0
    killed: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> WarehouseKiller:
        table, self._pattern = KILL_TARGETS[self.target]
        self._holder = psycopg.connect(self.url)  # a transaction: the lock lives until rollback
        self._holder.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(*table.split("."))))
        self._thread = threading.Thread(target=self._watch, name=f"chaos-kill-{self.target}", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        deadline = time.monotonic() + self.timeout
        with psycopg.connect(self.url, autocommit=True) as watcher:
            holder_pid = self._holder.info.backend_pid
            while not self._stop.is_set() and time.monotonic() < deadline:
                row = watcher.execute(
                    read_sql("chaos_blocked_backend.sql"), {"holder": holder_pid, "pattern": self._pattern}
                ).fetchone()
                if row is not None:
                    watcher.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    self.killed += 1
                    log.warning("chaos: terminated backend %s in its %s", row[0], self.target)
                    break
                self._stop.wait(0.005)
        self._release()

    def _release(self) -> None:
        if not self._holder.closed:
            self._holder.rollback()
            self._holder.close()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)


def _child(target: Callable[[], Any]) -> None:
    """The forked task process: run the task, then leave without running the parent's
    atexit handlers or flushing its buffers a second time."""
    try:
        target()
    finally:
        os._exit(0)


def sigkill_mid_send(target: Callable[[], Any], sending: Callable[[], bool], *, timeout: float = 30.0) -> bool:
    """Run ``target`` (a task body that sends) in a forked process and SIGKILL it as soon
    as ``sending()`` is true (an action committed as ``sending``). True when it was
    killed mid-send; False when it finished first (nothing to send)."""
    process = multiprocessing.get_context("fork").Process(target=_child, args=(target,), daemon=True)
    process.start()
    deadline = time.monotonic() + timeout
    try:
        while process.is_alive() and time.monotonic() < deadline:
            if sending():
                os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
                process.join(timeout)
                return True
            time.sleep(0.01)
        return False
    finally:
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
            process.join(timeout)


def at_once(first: Callable[[], Any], second: Callable[[], Any]) -> list[BaseException | None]:
    """Start two runs together (threads released by one barrier); each one's exception or None."""
    barrier = threading.Barrier(2)

    def go(run: Callable[[], Any]) -> BaseException | None:
        barrier.wait()
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - reported to the caller, which retries as Airflow would
            return exc
        return None

    with ThreadPoolExecutor(2, thread_name_prefix="chaos-run") as pool:
        futures = [pool.submit(go, first), pool.submit(go, second)]
        return [f.result() for f in futures]
