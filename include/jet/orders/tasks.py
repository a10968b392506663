"""Task bodies for the order DAGs: open the hook and the warehouse, call the library.

Kept out of the DAG files so those stay declarations, and so the same steps run
from tests and the demo without Airflow's scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from jet.api.hook import JetHook
from jet.api.vocabulary import RELEASED_ORDER_STATUSES, OrderStatus
from jet.dates import utc_day_range
from jet.failures import Refused, fail_fast
from jet.orders.ingest import OrderSource, ingest_orders, refresh_ids, unique
from jet.runs import RunIdentity
from jet.warehouse.db import connect

log = logging.getLogger(__name__)

#: Statuses whose lists an import may re-pull: the released ones (never ``created``).
IMPORTABLE_STATUSES = RELEASED_ORDER_STATUSES


def pull_ready(run: RunIdentity, source: OrderSource | None = None) -> dict[str, Any]:
    """List Jet's ``ready`` orders and land them. Never lists ``created`` orders."""
    source = source or JetHook()
    with connect(autocommit=True) as conn:
        ids = source.list_order_ids(OrderStatus.READY)
        log.info("Jet lists %d ready orders", len(ids))
        receipt = ingest_orders(
            source, conn, ids, kind="ready", run_key=run.run_key, observed_at=run.observed_at, dag_run_id=run.dag_run_id
        )
    return receipt.as_xcom()


def refresh_open(run: RunIdentity, source: OrderSource | None = None) -> dict[str, Any]:
    """Re-read acknowledged and in-progress orders, and every order we still hold as open."""
    source = source or JetHook()
    with connect(autocommit=True) as conn:
        ready_now = set(source.list_order_ids(OrderStatus.READY))  # just pulled by pull_ready
        ids = [i for i in refresh_ids(source, conn) if i not in ready_now]
        log.info("refreshing %d open orders", len(ids))
        receipt = ingest_orders(
            source,
            conn,
            ids,
            kind="refresh",
            run_key=run.run_key,
            observed_at=run.observed_at,
            dag_run_id=run.dag_run_id,
        )
    return receipt.as_xcom()


def refresh_orders(
    run: RunIdentity, merchant_order_ids: list[str], source: OrderSource | None = None
) -> dict[str, Any]:
    """Re-land orders a manual action just changed at Jet, so the warehouse (and the order
    manager) shows what Jet now shows without waiting for the next scheduled refresh."""
    source = source or JetHook()
    with connect(autocommit=True) as conn:
        receipt = ingest_orders(
            source,
            conn,
            unique(merchant_order_ids),
            kind="refresh",
            run_key=run.run_key,
            observed_at=run.observed_at,
            dag_run_id=run.dag_run_id,
        )
    return receipt.as_xcom()


@fail_fast
def import_orders(
    run: RunIdentity,
    merchant_order_ids: list[str],
    statuses: list[str] | None = None,
    placed_from: str | None = None,
    placed_to: str | None = None,
    source: OrderSource | None = None,
) -> dict[str, Any]:
    """Import or refresh chosen orders whatever their status, through the same path.

    With ``statuses``, every order Jet lists in those statuses is re-pulled, keeping
    those placed on the UTC days placed_from..placed_to (both included).
    """
    statuses = list(statuses or [])
    bad = sorted(set(statuses) - set(IMPORTABLE_STATUSES))
    if bad:
        raise Refused(f"statuses {bad} cannot be imported; choose from {list(IMPORTABLE_STATUSES)}")
    if not merchant_order_ids and not statuses:
        raise Refused("give at least one merchant_order_id, or a status list to re-pull")
    source = source or JetHook()
    ids = list(merchant_order_ids)
    for status in statuses:
        ids += source.list_order_ids(status)
    window = _placed_window(placed_from, placed_to) if statuses else None
    with connect(autocommit=True) as conn:
        receipt = ingest_orders(
            source,
            conn,
            unique(ids),
            kind="import",
            run_key=run.run_key,
            observed_at=run.observed_at,
            dag_run_id=run.dag_run_id,
            placed_window=window,
            keep_ids=set(merchant_order_ids),
        )
    return receipt.as_xcom()


def _placed_window(placed_from: str | None, placed_to: str | None) -> tuple[datetime, datetime] | None:
    """The placed-date filter of a re-pull, half-open, unbounded ends made explicit."""
    if not placed_from and not placed_to:
        return None
    try:
        start, end = utc_day_range(placed_from, placed_to)
    except ValueError as exc:
        raise Refused(f"placed_from / placed_to: {exc}") from None
    return start or datetime.min.replace(tzinfo=UTC), end or datetime.max.replace(tzinfo=UTC)
