"""Fetch orders from Jet and land them, batch by batch.

One code path serves the scheduled pull of ``ready`` orders, the refresh of open
orders and the manual import of chosen orders: list ids → fetch details
concurrently (JetHook) → validate → COPY + upsert one batch per transaction.

Nothing Jet lists is dropped, and one bad order never stops the others: every id ends
landed, quarantined (invalid payload with its raw body, a payload that is another
order's, a payload the warehouse refuses), missing (Jet answered 404) or unreadable
(Jet kept failing: ``jet.unreadable_orders``), and the receipt counts each. Only when Jet
fails read after read for orders not known to fail (an outage, not one bad order) does
the run stop, after landing what it has: :class:`~jet.warehouse.landing.JetUnavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from jet.api.vocabulary import OrderStatus
from jet.orders.load import LoadReceipt, load_batch
from jet.orders.normalize import BatchRows
from jet.sql import execute
from jet.warehouse.landing import OutageWatch, known_unreadable

if TYPE_CHECKING:
    import psycopg

    from jet.api.hook import FetchResult

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500
# Jet order statuses whose orders can still change on Jet's side: re-read them each run.
REFRESHED_STATUSES = (OrderStatus.ACKNOWLEDGED, OrderStatus.INPROGRESS)


class OrderSource(Protocol):
    """What ingestion needs from the marketplace client (JetHook provides it)."""

    def list_order_ids(self, status: str) -> list[str]: ...

    def iter_orders(self, ids: Sequence[str]) -> Iterator[FetchResult]: ...


def chunked(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def unique(ids: Sequence[str]) -> list[str]:
    """De-duplicate preserving first occurrence (Jet lists can repeat an order)."""
    return list(dict.fromkeys(ids))


def ingest_orders(
    source: OrderSource,
    conn: psycopg.Connection,
    ids: Sequence[str],
    *,
    kind: str,
    run_key: str,
    observed_at: datetime,
    dag_run_id: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    placed_window: tuple[datetime, datetime] | None = None,
    keep_ids: set[str] | frozenset[str] = frozenset(),
) -> LoadReceipt:
    """Fetch ``ids`` and land them in batches; returns the combined receipt.

    ``run_key`` + ``kind`` + chunk number name each batch, so re-running the same run
    reuses the same batch keys. ``observed_at`` stamps every row (the run's logical
    time, never now()). With ``placed_window`` (half-open), orders placed outside it are not
    landed, except those named in ``keep_ids``.
    """
    known = known_unreadable(conn, "order", unique(ids))
    # Orders already known to fail go last, so the others land first whatever happens.
    ids = [i for i in unique(ids) if i not in known] + [i for i in unique(ids) if i in known]
    chunks = list(chunked(ids, batch_size))
    receipt = LoadReceipt()
    failing = OutageWatch(known, "order")

    def fetch(number: int) -> BatchRows:
        rows = BatchRows(batch_key=f"{run_key}/{kind}/{number:04d}", observed_at=observed_at)
        if failing.tripped:
            return rows
        for result in source.iter_orders(chunks[number]):
            _sort(result, rows, placed_window, keep_ids)
            if failing.saw(result.merchant_order_id, result.unreadable):
                break  # closing the fetch cancels what is still queued
        return rows

    # Fetch batch n+1 while batch n loads: the HTTP side and the database side overlap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as prefetch:
        pending = prefetch.submit(fetch, 0) if chunks else None
        for number in range(len(chunks)):
            rows = pending.result() if pending is not None else fetch(number)  # pending is set for every chunk
            pending = prefetch.submit(fetch, number + 1) if number + 1 < len(chunks) else None
            try:
                receipt += load_batch(conn, rows, source=kind, dag_run_id=dag_run_id, listed=len(chunks[number]))
            except BaseException:
                if pending is not None:
                    pending.cancel()
                raise
            log.info(
                "batch %s: %d loaded (%d changed in all), %d quarantined, %d missing at Jet, %d unreadable,"
                " %d skipped as created; %d/%d orders done",
                rows.batch_key,
                len(rows.orders),
                receipt.changed,
                len(rows.quarantine),
                len(rows.missing),
                len(rows.unreadable),
                len(rows.skipped_created),
                min((number + 1) * batch_size, len(ids)),
                len(ids),
            )
            if failing.tripped:
                if pending is not None:
                    pending.cancel()
                failing.check(
                    f"{number + 1} of {len(chunks)} batch(es) landed: {receipt.loaded} orders, "
                    f"{receipt.unreadable} recorded unreadable"
                )
    if not ids:
        log.info("%s: nothing to fetch", kind)
    return receipt


def _sort(
    result: FetchResult,
    rows: BatchRows,
    placed_window: tuple[datetime, datetime] | None,
    keep_ids: set[str] | frozenset[str],
) -> None:
    """Put one fetched order where it belongs in the batch: landed, quarantined, missing,
    unreadable, or left out (placed outside the window)."""
    oid = result.merchant_order_id
    if result.missing:
        rows.add_missing(oid)
    elif result.unreadable is not None:
        rows.add_unreadable(oid, result.unreadable)
    elif result.error is not None or result.order is None:
        field = getattr(result.error, "field_path", None)
        rows.add_invalid(oid, result.raw, str(result.error), field)
    elif result.order.merchant_order_id != oid:
        # Landing it would write another order's row and lose this one: keep it aside.
        rows.add_invalid(
            oid,
            result.raw,
            f"merchant_order_id: the payload is order {result.order.merchant_order_id!r}, not the order "
            f"requested ({oid!r})",
            "merchant_order_id",
        )
    elif (
        placed_window
        and oid not in keep_ids
        and not (placed_window[0] <= result.order.order_placed_date < placed_window[1])
    ):
        return
    else:
        try:
            rows.add_order(result.order, result.raw)
        except (ValueError, TypeError, ArithmeticError) as exc:  # the payload's content, not the batch's
            rows.add_invalid(oid, result.raw, f"$: could not be turned into warehouse rows: {exc}", "$")


def open_order_ids(conn: psycopg.Connection) -> list[str]:
    """Orders the warehouse still holds as not complete: Jet may have moved them on.
    Orders Jet has answered 404 for since we last landed them are left out."""
    rows = execute(conn, "orders_open_ids.sql").fetchall()
    return [r[0] for r in rows]


def refresh_ids(source: OrderSource, conn: psycopg.Connection) -> list[str]:
    """Ids to re-read: Jet's acknowledged and inprogress lists, plus every order we hold
    as open (an order that went complete, or was withdrawn, drops out of Jet's lists)."""
    listed: list[str] = []
    for status in REFRESHED_STATUSES:
        listed += source.list_order_ids(status)
    return unique(listed + open_order_ids(conn))
