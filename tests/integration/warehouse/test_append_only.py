"""Every table documented as append-only refuses UPDATE, DELETE and TRUNCATE, even to the
warehouse's owner; and the scratch reset used by tests and benchmarks still empties them."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.integration

T = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
#: The tables the documentation calls append-only: settings and return-policy versions,
#: and the sources of an order's timeline (notes, Jet-side statuses first seen).
DOCUMENTED = {"jet.settings", "jet.return_policy", "jet.order_notes", "jet.order_status_history"}


def append_only_tables(conn: psycopg.Connection) -> set[str]:
    """Tables whose COMMENT says they are append-only (a new one is tested without editing this file)."""
    rows = conn.execute(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname IN ('jet', 'analytics')"
        " AND obj_description(c.oid, 'pg_class') ILIKE '%append-only%'"
    ).fetchall()
    return {r[0] for r in rows}


def one_order_with_history(conn: psycopg.Connection) -> str:
    """An order with a status first seen and a note, so every table has a row to refuse."""
    oid = "a" * 32
    conn.execute(
        "INSERT INTO jet.ingest_batches (batch_key, source, observed_at) VALUES ('test/append-only', 'test', %s)", (T,)
    )
    conn.execute(
        "INSERT INTO jet.orders (merchant_order_id, reference_order_id, fulfillment_node, status, order_placed_at,"
        " payload_hash, first_seen_at, updated_at, last_batch_key)"
        " VALUES (%s, 'R1', 'node', 'ready', %s, 'h', %s, %s, 'test/append-only')",
        (oid, T, T, T),
    )
    conn.execute(
        "INSERT INTO jet.order_status_history (merchant_order_id, status, observed_at, batch_key)"
        " VALUES (%s, 'ready', %s, 'test/append-only')",
        (oid, T),
    )
    conn.execute("SELECT jet.add_order_note(%s, 'alice', 'hello', %s, 'user')", (oid, T))
    return oid


def count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*table.split(".")))).fetchone()[0]


def test_every_append_only_table_refuses_update_delete_and_truncate(clean_orders: psycopg.Connection) -> None:
    conn = clean_orders
    one_order_with_history(conn)
    tables = append_only_tables(conn)
    assert tables >= DOCUMENTED, f"documented as append-only but not said so in the COMMENT: {DOCUMENTED - tables}"
    for table in sorted(tables):
        ident = sql.Identifier(*table.split("."))
        column = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
            " AND attidentity = '' AND attgenerated = '' ORDER BY attnum LIMIT 1",
            (table,),
        ).fetchone()[0]
        before = count(conn, table)
        assert before > 0, f"{table} needs a row for UPDATE and DELETE to be tried"
        statements = {
            "UPDATE": sql.SQL("UPDATE {} SET {} = {}").format(ident, sql.Identifier(column), sql.Identifier(column)),
            "DELETE": sql.SQL("DELETE FROM {}").format(ident),
            "TRUNCATE": sql.SQL("TRUNCATE {} CASCADE").format(ident),
        }
        for verb, statement in statements.items():
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"append-only: {verb} refused"):
                conn.execute(statement)
        assert count(conn, table) == before, f"{table} lost rows"


def test_truncating_the_orders_cannot_wipe_their_history(clean_orders: psycopg.Connection) -> None:
    one_order_with_history(clean_orders)
    before = count(clean_orders, "jet.order_notes")
    assert before >= 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only: TRUNCATE refused"):
        clean_orders.execute("TRUNCATE jet.orders CASCADE")
    assert count(clean_orders, "jet.order_notes") == before


def test_the_scratch_reset_empties_them_for_tests_only(clean_orders: psycopg.Connection) -> None:
    from jet.warehouse.scratch import empty

    one_order_with_history(clean_orders)
    empty(clean_orders, ["jet.orders"])
    assert count(clean_orders, "jet.order_notes") == 0
    assert count(clean_orders, "jet.order_status_history") == 0
    # The bypass lasted one transaction: the next TRUNCATE is refused again.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        clean_orders.execute("TRUNCATE jet.order_notes")
