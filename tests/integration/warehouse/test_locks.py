"""Locks with bounds: the analysts' role cannot block the decider, a held pipeline lock fails
fast naming who holds it, and so does the migrator's advisory lock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from jet.decisions.store import DECIDE_LOCK_KEY, decide_and_record
from jet.runs import RunIdentity
from jet.settlement.pnl import refresh_pnl
from jet.warehouse import locks
from jet.warehouse.migrate import ADVISORY_LOCK_KEY, migrate

pytestmark = pytest.mark.integration

RUN = RunIdentity("jet_decide_orders", "test__locks", datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
BOUND = timedelta(seconds=1)


@pytest.fixture
def other_session(warehouse_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url, autocommit=True, application_name="someone else") as conn:
        yield conn


@pytest.fixture
def analyst(warehouse_url: str) -> Iterator[psycopg.Connection]:
    """A session with the analysts' role's privileges (SET ROLE drops the superuser's)."""
    with psycopg.connect(warehouse_url, autocommit=True, application_name="alice's notebook") as conn:
        conn.execute("SET ROLE jetflow_analyst")
        yield conn


def test_an_analyst_holding_the_old_advisory_key_does_not_stall_the_decider(
    clean_orders: psycopg.Connection, analyst: psycopg.Connection
) -> None:
    # Every role may take every advisory key: the decider no longer relies on one.
    analyst.execute("SELECT pg_advisory_lock(%s)", (DECIDE_LOCK_KEY,))
    started = time.monotonic()
    receipt = decide_and_record(clean_orders, RUN, lock_timeout=BOUND)
    assert time.monotonic() - started < BOUND.total_seconds()
    assert receipt.decided == 0


def test_the_analysts_role_cannot_take_a_pipeline_lock(analyst: psycopg.Connection) -> None:
    assert analyst.execute("SELECT count(*) FROM jet.pipeline_locks").fetchone()[0] >= 1, "reading it is fine"
    with analyst.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
        analyst.execute("SELECT name FROM jet.pipeline_locks WHERE name = 'decide' FOR UPDATE")
    for mode in ("ROW SHARE", "SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE"):
        with analyst.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute(f"LOCK TABLE jet.pipeline_locks IN {mode} MODE")


def test_an_analyst_holding_the_old_pnl_key_does_not_stall_the_refresh(
    warehouse_url: str, analyst: psycopg.Connection, other_session: psycopg.Connection
) -> None:
    analyst.execute("SELECT pg_advisory_lock(%s)", (7_315_270_020,))  # the key the refresh used to wait for
    run = RunIdentity("jet_settlement", "test__pnl_lock", datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        started = time.monotonic()
        refresh_pnl(conn, run, lock_timeout=BOUND)
        assert time.monotonic() - started < 10, "the refresh did not wait for the analyst"
        # A second refresh holding the pipeline lock: the wait is bounded and names it.
        held = locks.holding(other_session, "pnl_refresh", holder="jet_settlement/scheduled__stuck")
        with held, pytest.raises(locks.LockHeld, match="jetflow jet_settlement/scheduled__stuck"):
            refresh_pnl(conn, run, lock_timeout=BOUND)
        refresh_pnl(conn, run, lock_timeout=BOUND)  # free again once that transaction ended


def test_no_pipeline_code_takes_an_advisory_lock_but_the_migrator() -> None:
    """Any role may take any advisory key; only the migrator, which runs before the
    pipeline locks exist, keeps one (bounded, :func:`locks.advisory`)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "include" / "jet"
    takers = sorted(
        str(path.relative_to(root))
        for path in (*root.rglob("*.py"), *root.glob("sql/*.sql"))
        if "pg_advisory_lock" in path.read_text() or "pg_advisory_xact_lock" in path.read_text()
    )
    assert takers == ["warehouse/locks.py"], takers


def test_a_held_decide_lock_fails_fast_naming_its_holder(
    clean_orders: psycopg.Connection, other_session: psycopg.Connection
) -> None:
    pid = other_session.info.backend_pid
    with locks.holding(other_session, "decide", holder="jet_decide_orders/manual__stuck"):
        other_session.execute("SELECT count(*) FROM jet.orders /* deciding */")
        started = time.monotonic()
        with pytest.raises(locks.LockHeld) as refused:
            decide_and_record(clean_orders, RUN, lock_timeout=BOUND)
        waited = time.monotonic() - started
    assert BOUND.total_seconds() <= waited < BOUND.total_seconds() + 5
    message = str(refused.value)
    assert f"pid {pid}" in message
    assert "jetflow jet_decide_orders/manual__stuck" in message, "the holder's run is named"
    assert "/* deciding */" in message, "the holder's last query is shown"
    # Released with the holder's transaction: the next decide goes through.
    assert decide_and_record(clean_orders, RUN, lock_timeout=BOUND).decided == 0


def test_pipeline_locks_open_their_own_transaction_and_must_exist(clean_orders: psycopg.Connection) -> None:
    with (
        clean_orders.transaction(),
        pytest.raises(RuntimeError, match="a transaction of its own"),
        locks.holding(clean_orders, "decide", holder="test"),
    ):
        pass
    unknown = pytest.raises(ValueError, match="unknown pipeline lock 'nope'")
    with unknown, locks.holding(clean_orders, "nope", holder="test"):
        pass


def test_the_migrator_fails_fast_naming_who_holds_its_key(warehouse_url: str, analyst: psycopg.Connection) -> None:
    pid = analyst.info.backend_pid
    analyst.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    started = time.monotonic()
    with pytest.raises(locks.LockHeld, match=f"pid {pid} .*alice's notebook"):
        migrate(warehouse_url, lock_timeout=BOUND)
    assert time.monotonic() - started < BOUND.total_seconds() + 5
    analyst.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    assert migrate(warehouse_url, lock_timeout=BOUND) == [], "up to date once the key is free"
