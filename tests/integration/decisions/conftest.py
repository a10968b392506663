"""Fixtures for the decision tests: a clean warehouse with the demo catalog, and helpers
that drive the real steps (pull from the sandbox over HTTP, decide, send, settle)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest

from jet.runs import RunIdentity

DECISION_TABLES = (
    "jet.action_attempts",
    "jet.actions",
    "jet.decision_lines",
    "jet.decisions",
    "jet.inventory",
    "jet.products",
)
DEFAULT_SETTINGS = {
    "auto_acknowledge": True,
    "accept_regardless_of_inventory": False,
    "partial_stock_policy": "reject",
    "safety_stock": 0,
}


def sandbox_now(sandbox: Any) -> datetime:
    from jet.api.models import parse_jet_datetime

    return parse_jet_datetime(sandbox.now())


def run_at(sandbox: Any, dag_id: str = "jet_decide_orders", offset: timedelta = timedelta(0)) -> RunIdentity:
    """A run identity stamped with the sandbox clock (the run's logical time)."""
    when = sandbox_now(sandbox) + offset
    return RunIdentity(dag_id=dag_id, dag_run_id=f"test__{when:%Y%m%dT%H%M%S%f}", observed_at=when)


def set_settings(conn: psycopg.Connection, **values: Any) -> int:
    """Append a settings version (the table is append-only) with these values; others default."""
    merged = {**DEFAULT_SETTINGS, **values}
    return conn.execute(
        "SELECT jet.change_settings('tests', %s, %s, %s, %s)",
        (
            merged["auto_acknowledge"],
            merged["accept_regardless_of_inventory"],
            merged["partial_stock_policy"],
            merged["safety_stock"],
        ),
    ).fetchone()[0]


@pytest.fixture
def decisions_db(clean_orders: psycopg.Connection) -> psycopg.Connection:
    """Empty order, catalog, decision and outbox tables; default settings in force."""
    conn = clean_orders
    from jet.warehouse.scratch import empty

    empty(conn, DECISION_TABLES)
    current = conn.execute(
        "SELECT auto_acknowledge, accept_regardless_of_inventory, partial_stock_policy, safety_stock"
        " FROM jet.current_settings"
    ).fetchone()
    if current != tuple(DEFAULT_SETTINGS.values()):
        set_settings(conn)
    return conn


@pytest.fixture
def seeded(decisions_db: psycopg.Connection, sandbox: Any, jet_connection: Any) -> dict[str, Any]:
    """The demo catalog (matching the sandbox's, minus its unknown SKUs) loaded; the truth returned."""
    from jet.catalog.demo import seed_from_sandbox

    truth = sandbox.truth("catalog")
    seed_from_sandbox(decisions_db, truth, sandbox_now(sandbox))
    return truth


@pytest.fixture
def pull(sandbox: Any) -> Callable[..., dict[str, Any]]:
    """Land Jet's ready orders now (the real ingestion step over HTTP)."""
    from jet.orders.tasks import pull_ready

    def _pull(offset: timedelta = timedelta(0)) -> dict[str, Any]:
        return pull_ready(run_at(sandbox, "jet_orders", offset))

    return _pull


@pytest.fixture
def refresh(sandbox: Any) -> Callable[..., dict[str, Any]]:
    """Re-read open orders (the real refresh step), so acknowledgements and cancels land."""
    from jet.orders.tasks import refresh_open

    def _refresh() -> dict[str, Any]:
        return refresh_open(run_at(sandbox, "jet_orders"))

    return _refresh


def ledger_by_order(sandbox: Any) -> dict[str, list[dict[str, Any]]]:
    """Applied writes per order, in order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in sandbox.ledger():
        if entry["merchant_order_id"]:
            out.setdefault(entry["merchant_order_id"], []).append(entry)
    return out
