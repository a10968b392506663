"""Fixtures for the settlement tests: a warehouse of their own and a sandbox with a month of business.

The settlement tests need whole months of orders in ``jet.orders``; other suites
truncate the order tables of the shared test warehouse, so these tests use a scratch
database next to it (``<test warehouse>_settlement``), created fresh and migrated once
per session. The Airflow connections ``jet_warehouse`` and ``jet_api`` point at it and
at a sandbox started with scenario ``history`` (30 days of orders, returns, refunds and
daily settlements before its clock's start, 2026-03-02T15:00Z).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.conftest import ORDER_TABLES

SETTLEMENT_TABLES = (
    "jet.settlement_report_payloads",
    "jet.settlement_reports",
    "jet.settlement_detail_files",
    "jet.settlement_lines",
    "jet.settlement_reconciliation",
    "jet.order_pnl",
)
#: Everything a settlement run may write (the order tables through the import path).
ALL_TABLES = SETTLEMENT_TABLES + ORDER_TABLES
HISTORY_SEED = 42
SANDBOX_NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def settlement_db_url(warehouse_url: str) -> str:
    """A freshly created and migrated scratch warehouse for this package's tests."""
    from jet.warehouse.scratch import scratch_database

    return scratch_database(warehouse_url, "settlement", fresh=True)


@pytest.fixture(scope="session")
def history_sandbox() -> Iterator[Any]:
    """A sandbox process with a month of business (scenario ``history``), clock frozen."""
    from jet_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=HISTORY_SEED, scenario="history", clock="manual") as sb:
        yield sb


@pytest.fixture(scope="module")
def settlement_env(settlement_db_url: str, history_sandbox: Any) -> Iterator[Any]:
    """Point jet_warehouse at the scratch warehouse and jet_api at the history sandbox."""
    from jet.warehouse.db import airflow_connection

    warehouse = airflow_connection(settlement_db_url)
    api = history_sandbox.airflow_connection(
        extra={"rate_limit_per_second": 2000, "rate_limit_burst": 200, "max_concurrency": 16}
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_JET_WAREHOUSE", warehouse)
        mp.setenv("AIRFLOW_CONN_JET_API", api)
        mp.setenv("JET_WAREHOUSE_URL", settlement_db_url)
        yield history_sandbox


@pytest.fixture(scope="module")
def sdb(settlement_db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the scratch warehouse."""
    with psycopg.connect(settlement_db_url, autocommit=True) as conn:
        yield conn


def reset_warehouse(conn: psycopg.Connection, sandbox: Any) -> None:
    """Empty every table a settlement run writes, and seed the merchant's catalog (unit costs)."""
    from jet.catalog.demo import seed_from_sandbox
    from jet.warehouse.scratch import empty

    empty(conn, ALL_TABLES)
    conn.execute("DELETE FROM jet.quarantine")
    seed_from_sandbox(conn, sandbox.truth("catalog"), SANDBOX_NOW)


def all_settlement_ids(sandbox: Any) -> list[str]:
    return [s["settlement_report_id"] for s in sandbox.truth("settlements")["settlements"]]
