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
