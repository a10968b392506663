"""Per-order P&L (``jet.order_pnl``): refreshed incrementally, rebuilt in full on request.

Every input of an order's P&L (its row in ``jet.orders``, its lines, the unit costs of
its SKUs, its settlement lines and their reports) carries a trigger that queues the
orders a change touches in ``jet.pnl_pending``, in the writer's own transaction
(migration 0020). The daily refresh takes that queue and recomputes only those orders,
with the same SQL as the full rebuild restricted to them, so both give the same rows.

Consistency under concurrent writers: the refresh runs in one REPEATABLE READ
transaction, so it computes from one snapshot and deletes exactly the queue rows that
snapshot sees. A change committed after the snapshot keeps its queue row and is picked
up next time; one committed before is both visible to the computation and consumed.
Refreshes are serialised by the pipeline lock ``pnl_refresh``, held by a second session
from *before* the transaction starts (:func:`jet.warehouse.locks.held_aside`), so a waiting
refresh takes its snapshot only after the previous one committed. A pipeline lock, not an
advisory key: any role may take any advisory key, so an analyst could stall the refresh.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from jet.sql import one, read_sql
from jet.warehouse import locks

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity


def refresh_pnl(
    conn: psycopg.Connection, run: RunIdentity, *, full: bool = False, lock_timeout: timedelta = locks.DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """Bring ``jet.order_pnl`` up to date with its inputs; returns the run's receipt.

    Incremental by default: only the orders queued in ``jet.pnl_pending`` since the last
    refresh are recomputed. ``full=True`` recomputes every order (and so does a queued
    ``all``, written when an input table was truncated and by the migration). Either
    way a row is rewritten only when a figure changes, so a re-run changes nothing.

    The receipt counts the work done; a full rebuild also sums every order (``totals``),
    which the incremental refresh does not, since that would read the whole history.

    ``conn`` must be in autocommit mode with no transaction open: the refresh needs a
    transaction of its own (REPEATABLE READ, see the module docstring).
    """
    import psycopg

    if not conn.autocommit or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise ValueError("refresh_pnl needs an autocommit connection with no transaction open")
    serialised = locks.held_aside(conn, "pnl_refresh", holder=run.run_key, timeout=lock_timeout)
    with serialised, conn.transaction(), conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # The rebuild's aggregates and the refresh's sorts spill to disk at the default 4 MB.
        cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute(read_sql("pnl_scope_stage.sql"))
        taken, queued_full = one(cur.execute(read_sql("pnl_pending_take.sql")).fetchone(), "pnl_pending_take.sql")
        cur.execute("ANALYZE pnl_taken")  # a handful of SKUs or thousands of orders: plan the expansion for it
        mode = "full" if full or queued_full else "incremental"
        scope = 0
        if mode == "incremental":
            scope = cur.execute(read_sql("pnl_scope_expand.sql")).rowcount
            cur.execute("ANALYZE pnl_scope")
        params = {"full": mode == "full", "observed_at": run.observed_at, "run_key": run.run_key}
        # prepare=False: a prepared statement may be given a generic plan, which cannot
        # fold the bound mode away (see pnl_refresh.sql).
        changed = cur.execute(read_sql("pnl_refresh.sql"), params, prepare=False).rowcount
        pruned = cur.execute(read_sql("pnl_prune.sql"), {"full": params["full"]}, prepare=False).rowcount
        receipt: dict[str, Any] = {
            "mode": mode,
            "full_reason": ("requested" if full else "queued") if mode == "full" else None,
            "changes_taken": taken,
            "orders_recomputed": scope if mode == "incremental" else None,
            "orders_changed": changed,
            "orders_pruned": pruned,
        }
        if mode == "full":
            # Totals of every order: history-sized work, so only when the rebuild reads it all anyway.
            summary = one(cur.execute(read_sql("pnl_summary.sql")).fetchone(), "pnl_summary.sql")
            settled, revenue, fees, refunds, cogs, margin = summary
            receipt["totals"] = {
                "orders_settled": settled,
                "revenue": str(revenue),
                "fees": str(fees),
                "refunds": str(refunds),
                "cogs": str(cogs),
                "contribution_margin": str(margin),
            }
    return receipt
