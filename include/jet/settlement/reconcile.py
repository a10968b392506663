"""Reconcile settlements to their reports: set-based SQL, no row loops here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jet.settlement.details import amount_sql
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity


def reconcile(conn: psycopg.Connection, settlement_ids: Sequence[str], run: RunIdentity) -> dict[str, Any]:
    """Tie the lines of ``settlement_ids`` to their reports, book differences as unallocated lines.

    One transaction: figures per (settlement, balance, category) into
    ``jet.settlement_reconciliation``, then one ``unallocated`` line per balance that does
    not tie out, and removal of unallocated lines that now do. Returns the status counts.
    """
    params = {"ids": list(settlement_ids), "observed_at": run.observed_at, "run_key": run.run_key}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("settlement_reconcile.sql"), params)
        cur.execute(amount_sql("settlement_unallocated.sql"), params)
        cur.execute(read_sql("settlement_unallocated_prune.sql"), {"ids": params["ids"]})
        rows = cur.execute(read_sql("settlement_status.sql"), {"ids": params["ids"]}).fetchall()
    return {
        "statuses": {status: count for status, count, *_ in rows},
        "unallocated_total": str(sum((r[2] for r in rows), start=0)),
        "settlement_value": str(sum((r[3] for r in rows), start=0)),
        "orders_missing": int(sum(r[4] for r in rows)),
    }


def missing_orders(conn: psycopg.Connection, settlement_ids: Sequence[str]) -> list[str]:
    """Orders named by these settlements' lines that ``jet.orders`` lacks."""
    rows = conn.execute(read_sql("settlement_missing_orders.sql"), {"ids": list(settlement_ids)}).fetchall()
    return [r[0] for r in rows]
