"""Load one batch of order rows: COPY into temp staging tables, then upsert, in one
transaction; concurrent landings take turns.

The common path is set-based: the whole batch in one transaction. When the database
refuses the batch for the content of a record (a value out of range, text it cannot
hold, a key repeated: :data:`~jet.warehouse.landing.RECORD_ERRORS`), the batch is landed
again order by order, each in a savepoint: the orders the database refuses are
quarantined with its error and the rest commit. Any other failure (connection, lock
timeout, a bug) rolls the batch back and fails the task, which a retry repeats safely.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from jet.orders import normalize as n
from jet.sql import one, read_sql
from jet.warehouse.landing import RECORD_ERRORS, database_reason, record_read_again, record_unreadable, take_turn

log = logging.getLogger(__name__)


@dataclass
class LoadReceipt:
    """What one or more batches did; small enough for XCom."""

    listed: int = 0
    loaded: int = 0
    changed: int = 0
    quarantined: int = 0
    missing: int = 0
    skipped_created: int = 0
    unreadable: int = 0
    #: orders the warehouse refused although they passed validation (also in ``quarantined``).
    refused: int = 0
    #: batches the warehouse refused as a whole, landed again order by order.
    order_by_order: int = 0
    batches: list[str] = field(default_factory=list)

    def __iadd__(self, other: LoadReceipt) -> LoadReceipt:
        self.listed += other.listed
        self.loaded += other.loaded
        self.changed += other.changed
        self.quarantined += other.quarantined
        self.missing += other.missing
        self.skipped_created += other.skipped_created
        self.unreadable += other.unreadable
        self.refused += other.refused
        self.order_by_order += other.order_by_order
        self.batches += other.batches
        return self

    def as_xcom(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "loaded": self.loaded,
            "changed": self.changed,
            "quarantined": self.quarantined,
            "missing": self.missing,
            "skipped_created": self.skipped_created,
            "unreadable": self.unreadable,
            "refused": self.refused,
            "order_by_order": self.order_by_order,
            "batches": list(self.batches),
        }


# Staged tables (COPY, then orders_merge.sql upserts). Raw payloads are not staged:
# see land_payloads.
STAGED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("stage_quarantine", n.QUARANTINE_COLUMNS, "quarantine"),
    ("stage_customers", n.CUSTOMER_COLUMNS, "customers"),
    ("stage_orders", n.ORDER_COLUMNS, "orders"),
    ("stage_order_items", n.ITEM_COLUMNS, "items"),
    ("stage_shipping_addresses", n.ADDRESS_COLUMNS, "addresses"),
    ("stage_order_shipments", n.SHIPMENT_COLUMNS, "shipments"),
    ("stage_order_status_history", n.STATUS_COLUMNS, "statuses"),
    ("stage_order_fetch_misses", n.MISS_COLUMNS, "missing"),
)
#: Every landing of orders takes turns on this table (see take_turn).
TURN_TABLE = "jet.ingest_batches"


def copy_rows(cur: psycopg.Cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into ``table`` (``name`` or ``schema.name``; identifiers quoted by psycopg,
    values streamed, never interpolated)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def land_payloads(cur: psycopg.Cursor, payloads: Sequence[Sequence[Any]]) -> None:
    """Land raw payload versions: new versions are COPYed straight into
    jet.order_payloads, versions already there only get their last-seen stamp moved.

    A version's content never changes (its key is its hash), so it needs no staging and
    no upsert: this keeps the largest rows of a batch to a single COPY. Landings take
    turns (:func:`~jet.warehouse.landing.take_turn`), so no other landing can add the
    same version between the lookup and the COPY.
    """
    if not payloads:
        return
    ids, hashes = [p[0] for p in payloads], [p[1] for p in payloads]
    known = {tuple(r) for r in cur.execute(read_sql("orders_payloads_known.sql"), (ids, hashes)).fetchall()}
    fresh = [p for p in payloads if (p[0], p[1]) not in known]
    seen = [p for p in payloads if (p[0], p[1]) in known]
    if fresh:
        copy_rows(cur, "jet.order_payloads", n.PAYLOAD_COLUMNS, fresh)
    if seen:
        at, key = seen[0][4], seen[0][6]  # one batch: one observation time and batch key
        cur.execute(
            read_sql("orders_payloads_seen.sql"),
            {"ids": [p[0] for p in seen], "hashes": [p[1] for p in seen], "at": at, "batch_key": key},
        )


def _stage(cur: psycopg.Cursor, rows: n.BatchRows) -> int:
    """COPY ``rows`` into the (empty) staging tables; returns how many orders are new or changed."""
    for table, columns, attr in STAGED:
        data = getattr(rows, attr)
        if data:
            copy_rows(cur, table, columns, data.values() if isinstance(data, dict) else data)
    return int(one(cur.execute(read_sql("orders_changed_count.sql")).fetchone(), "orders_changed_count.sql")[0])


def _merge(cur: psycopg.Cursor, rows: n.BatchRows) -> None:
    """Land the raw versions and upsert the staged rows (the batch's row must exist)."""
    land_payloads(cur, rows.payloads)
    cur.execute(read_sql("orders_merge.sql"))


def _record_batch(cur: psycopg.Cursor, rows: n.BatchRows, counts: dict[str, Any]) -> bool:
    """Insert the batch's row; True when this transaction inserted it (a re-run keeps the first)."""
    inserted = cur.execute(
        read_sql("ingest_batch_record.sql"),
        {"batch_key": rows.batch_key, "observed_at": rows.observed_at, **counts},
    ).fetchone()
    return inserted is not None


def _counts(rows: n.BatchRows, *, source: str, dag_run_id: str | None, listed: int) -> dict[str, Any]:
    return {
        "source": source,
        "dag_run_id": dag_run_id,
        "listed": listed,
        "loaded": len(rows.orders),
        "changed": 0,
        "quarantined": len(rows.quarantine),
        "missing": len(rows.missing),
        "unreadable": len(rows.unreadable),
    }


def _mark_reads(cur: psycopg.Cursor, rows: n.BatchRows) -> None:
    record_unreadable(cur, "order", rows.unreadable, rows.observed_at, rows.batch_key)
    record_read_again(cur, "order", rows.read_ids + [m[0] for m in rows.missing], rows.observed_at)


def load_batch(
    conn: psycopg.Connection, rows: n.BatchRows, *, source: str, dag_run_id: str | None, listed: int
) -> LoadReceipt:
    """Land one batch and return its receipt: atomically, or order by order when the
    database refuses the batch for a record's content (see the module docstring)."""
    counts = _counts(rows, source=source, dag_run_id=dag_run_id, listed=listed)
    try:
        with conn.transaction(), conn.cursor() as cur:
            take_turn(cur, TURN_TABLE)
            cur.execute(read_sql("orders_stage.sql"))
            counts["changed"] = _stage(cur, rows)
            _record_batch(cur, rows, counts)
            _merge(cur, rows)
            _mark_reads(cur, rows)
    except RECORD_ERRORS as exc:
        log.warning(
            "batch %s: the warehouse refused the batch (%s: %s); landing it order by order",
            rows.batch_key,
            type(exc).__name__,
            str(exc).splitlines()[0],
        )
        return _load_order_by_order(conn, rows, counts)
    return _receipt(rows, counts, refused=0)


def _load_order_by_order(conn: psycopg.Connection, rows: n.BatchRows, counts: dict[str, Any]) -> LoadReceipt:
    """The fallback: each order in its own savepoint; refused orders are quarantined with
    the database's reason, everything else commits."""
    parts = rows.split()
    refused = n.BatchRows(rows.batch_key, rows.observed_at)
    changed = 0
    with conn.transaction(), conn.cursor() as cur:
        take_turn(cur, TURN_TABLE)
        cur.execute(read_sql("orders_stage.sql"))
        owned = _record_batch(cur, rows, counts)
        changed += _stage(cur, parts[0])  # the batch's quarantine and 404s
        _merge(cur, parts[0])
        for part in parts[1:]:
            order_id, payload = part.orders[0][0], part.payloads[0]
            try:
                with conn.transaction():  # a savepoint: one order's failure undoes only its rows
                    cur.execute(read_sql("orders_stage_clear.sql"))
                    part_changed = _stage(cur, part)
                    _merge(cur, part)
                changed += part_changed
            except RECORD_ERRORS as exc:
                error_field, error = database_reason(exc, f"order {order_id}")
                log.error("order %s quarantined: %s", order_id, error)
                refused.add_invalid(order_id, payload[2], error, error_field)
        cur.execute(read_sql("orders_stage_clear.sql"))
        _stage(cur, refused)
        _merge(cur, refused)
        counts["changed"] = changed
        counts["loaded"] -= len(refused.quarantine)
        counts["quarantined"] += len(refused.quarantine)
        if owned:
            cur.execute(read_sql("orders_batch_counts.sql"), {"batch_key": rows.batch_key, **counts})
        _mark_reads(cur, rows)
    return _receipt(rows, counts, refused=len(refused.quarantine), by_order=True)


def _receipt(rows: n.BatchRows, counts: dict[str, Any], *, refused: int, by_order: bool = False) -> LoadReceipt:
    return LoadReceipt(
        listed=counts["listed"],
        loaded=counts["loaded"],
        changed=counts["changed"],
        quarantined=counts["quarantined"],
        missing=counts["missing"],
        skipped_created=len(rows.skipped_created),
        unreadable=counts["unreadable"],
        refused=refused,
        order_by_order=int(by_order),
        batches=[rows.batch_key],
    )
