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


_STAGES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("stage_order_payloads", n.PAYLOAD_COLUMNS, "payloads"),
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


def load_batch(
    conn: psycopg.Connection, rows: n.BatchRows, *, source: str, dag_run_id: str | None, listed: int
) -> LoadReceipt:
    """Land one batch atomically and return its receipt."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("orders_stage.sql"))
        for table, columns, attr in _STAGES:
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
