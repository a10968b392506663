"""Helpers shared by the integration and DAG tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg

from tests.conftest import ORDER_TABLES

T = TypeVar("T")


class PollTimeout(AssertionError):
    """What a bounded poll waited for never came."""


def poll(check: Callable[[], T | None], *, timeout: float, what: str, every: float = 1.0) -> T:
    """Call ``check`` until it returns something other than None or False; return that.

    For what a test cannot drive itself (a real scheduler running a task, a server
    starting): the wait is bounded by ``timeout`` seconds, and its end is reported as
    ``what`` never happening. Nothing here stands in for a clock the test controls.
    """
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: waits ``every`` seconds between checks
    while True:
        found = check()
        if found is not None and found is not False:
            return found
        if time.monotonic() >= deadline:
            raise PollTimeout(f"{what}: not within {timeout:.0f}s")
        pause.wait(min(every, max(0.0, deadline - time.monotonic())))


def table_checksums(conn: psycopg.Connection, tables: tuple[str, ...] = ORDER_TABLES) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every row's text, in a stable order, per table."""
    out = {}
    for table in tables:
        count, digest = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
        ).fetchone()
        out[table] = (count, digest)
    return out
