"""What the settlement tests share: a warehouse of their own and a sandbox with a month of business.

The settlement tests need whole months of orders in ``jet.orders``; other suites
truncate the order tables of the shared test warehouse, so these tests use a scratch
database next to it (``<test warehouse>_settlement``), created fresh and migrated once
per session. The Airflow connections ``jet_warehouse`` and ``jet_api`` point at it and
at a sandbox started with scenario ``history`` (30 days of orders, returns, refunds and
daily settlements before its clock's start, 2026-03-02T15:00Z). Those fixtures live in
``tests/integration/conftest.py``: the report's tests (tests/integration/report) use the
same month, and one definition gives the session one scratch warehouse and one sandbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg

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
SANDBOX_NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def reset_warehouse(conn: psycopg.Connection, sandbox: Any) -> None:
    """Empty every table a settlement run writes, and seed the merchant's catalog (unit costs)."""
    from jet.catalog.demo import seed_from_sandbox
    from jet.warehouse.scratch import empty

    empty(conn, ALL_TABLES)
    conn.execute("DELETE FROM jet.quarantine")
    seed_from_sandbox(conn, sandbox.truth("catalog"), SANDBOX_NOW)


def all_settlement_ids(sandbox: Any) -> list[str]:
    return [s["settlement_report_id"] for s in sandbox.truth("settlements")["settlements"]]
