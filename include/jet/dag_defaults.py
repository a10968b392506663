"""Defaults every Jetflow DAG shares, so the DAG files stay declarations.

Kept free of heavy imports: DAG files import this at parse time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

OWNER = "jetflow"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
WAREHOUSE_CONN_ID = "jet_warehouse"
JET_CONN_ID = "jet_api"


def default_args(**overrides: Any) -> dict[str, Any]:
    """Owner, retries and timeouts for a DAG's tasks; override per DAG where it matters."""
    args: dict[str, Any] = {
        "owner": OWNER,
        # Reads are idempotent and writes go through the outbox, so a retry is safe.
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(minutes=20),
    }
    args.update(overrides)
    return args


#: The groups an operator filters the DAG list by; every DAG carries exactly one.
#: ingest: data pulled from Jet on a schedule; operations: the scheduled order, fulfilment
#: and returns work, and upkeep; finance: settlements, P&L, reports; catalog: products
#: and stock; manual: actions a person triggers on an order.
TAG_GROUPS = ("ingest", "operations", "finance", "catalog", "manual")


def tags(group: str, *topics: str) -> list[str]:
    """A DAG's tags: ``jet`` (tells them apart in a shared Airflow), its group, then its topics."""
    if group not in TAG_GROUPS:
        raise ValueError(f"unknown DAG tag group {group!r}: choose one of {', '.join(TAG_GROUPS)}")
    clash = set(topics) & set(TAG_GROUPS)
    if clash:
        raise ValueError(f"topics {sorted(clash)} are group names: a DAG has exactly one group")
    return ["jet", group, *topics]
