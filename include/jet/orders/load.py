"""Load one batch of order rows: COPY into temp staging tables, then upsert, in one
transaction. Either the whole batch lands or none of it does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from jet.orders import normalize as n
from jet.sql import read_sql


@dataclass
class LoadReceipt:
    """What one or more batches did; small enough for XCom."""

    listed: int = 0
    loaded: int = 0
    changed: int = 0
    quarantined: int = 0
    missing: int = 0
    skipped_created: int = 0
    batches: list[str] = field(default_factory=list)

    def __iadd__(self, other: LoadReceipt) -> LoadReceipt:
        self.listed += other.listed
        self.loaded += other.loaded
        self.changed += other.changed
        self.quarantined += other.quarantined
        self.missing += other.missing
        self.skipped_created += other.skipped_created
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
    no upsert: this keeps the largest rows of a batch to a single COPY. Two loaders racing
    to land the same new version collide on the primary key and one batch rolls back;
    its task retry then finds the version present.
    """
    if not payloads:
        return
    ids, hashes = [p[0] for p in payloads], [p[1] for p in payloads]
    known = {tuple(r) for r in cur.execute(read_sql("orders_payloads_known.sql"), (ids, hashes)).fetchall()}
    fresh = [p for p in payloads if (p[0], p[1]) not in known]
    seen = [p for p in payloads if (p[0], p[1]) in known]
    copy_rows(cur, "jet.order_payloads", n.PAYLOAD_COLUMNS, fresh)
    if seen:
        at, key = seen[0][4], seen[0][6]  # one batch: one observation time and batch key
        cur.execute(
            read_sql("orders_payloads_seen.sql"),
            {"ids": [p[0] for p in seen], "hashes": [p[1] for p in seen], "at": at, "batch_key": key},
        )


def load_batch(
    conn: psycopg.Connection, rows: n.BatchRows, *, source: str, dag_run_id: str | None, listed: int
) -> LoadReceipt:
    """Land one batch atomically and return its receipt."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("orders_stage.sql"))
        for table, columns, attr in STAGED:
            data = getattr(rows, attr)
            copy_rows(cur, table, columns, data.values() if isinstance(data, dict) else data)
        changed = cur.execute(read_sql("orders_changed_count.sql")).fetchone()[0]
        cur.execute(
            read_sql("ingest_batch_record.sql"),
            {
                "batch_key": rows.batch_key,
                "source": source,
                "dag_run_id": dag_run_id,
                "observed_at": rows.observed_at,
                "listed": listed,
                "loaded": len(rows.orders),
                "changed": changed,
                "quarantined": len(rows.quarantine),
                "missing": len(rows.missing),
            },
        )
        land_payloads(cur, rows.payloads)
        cur.execute(read_sql("orders_merge.sql"))
    return LoadReceipt(
        listed=listed,
        loaded=len(rows.orders),
        changed=changed,
        quarantined=len(rows.quarantine),
        missing=len(rows.missing),
        skipped_created=len(rows.skipped_created),
        batches=[rows.batch_key],
    )
