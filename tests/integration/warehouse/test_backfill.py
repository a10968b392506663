"""A warehouse that already holds orders gets their whole story when the timeline
migration lands: Jet's dates, each status first seen, shipments, returns and refunds
are noted once, and the old system notes are not written twice."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from jet.warehouse.migrate import MIGRATIONS_DIR, migrate
from tests.integration.warehouse.test_migrations import fresh_db  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

T = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
BEFORE_TIMELINE = 55  # the first migration of the one-timeline work


def _history_before_the_timeline(conn: psycopg.Connection) -> None:
    """An order as the pipelines left it before: landed, shipped by the warehouse (with the
    note the Python code wrote then), returned, refunded; a withdrawn order beside it."""
    conn.execute("INSERT INTO jet.ingest_batches (batch_key, source, observed_at) VALUES ('old/1', 'test', %s)", (T,))
    for oid, status, exception in (("a" * 32, "complete", ""), ("b" * 32, "complete", EXC_WITHDRAWN)):
        conn.execute(
            "INSERT INTO jet.orders (merchant_order_id, reference_order_id, fulfillment_node, status, exception_state,"
            " order_placed_at, ready_at, payload_hash, first_seen_at, updated_at, last_batch_key)"
            " VALUES (%s, %s, 'node', %s, nullif(%s, ''), %s, %s, 'h', %s, %s, 'old/1')",
            (oid, oid[:4], status, exception, T - timedelta(minutes=30), T - timedelta(minutes=20), T, T),
        )
        conn.execute(
            "INSERT INTO jet.order_status_history (merchant_order_id, status, exception_state, observed_at, batch_key)"
            " VALUES (%s, %s, %s, %s, 'old/1')",
            (oid, status, exception, T),
        )
    conn.execute(
        "INSERT INTO jet.shipment_requests (request_key, merchant_order_id, alt_shipment_id, carrier, tracking_number,"
        " ship_date, requested_by, requested_at) VALUES ('k1', %s, 'JF-SHP-1', 'UPS', '1Z', %s, 'wms', %s)",
        ("a" * 32, T, T),
    )
    conn.execute("INSERT INTO jet.shipment_request_lines VALUES (1, 'SKU-A', 1, 0)")
    conn.execute(
        "SELECT jet.add_order_note(%s, 'system:fulfillment', 'shipment JF-SHP-1 recorded: SKU-A ships 1', %s,"
        " 'system', 'shipment_request:1', 'shipment_request:1:recorded')",
        ("a" * 32, T),
    )
    conn.execute(
        "INSERT INTO jet.order_shipments (merchant_order_id, shipment_key, merchant_sku, alt_shipment_id, shipped_qty)"
        " VALUES (%s, 'S1', 'SKU-A', 'JF-SHP-1', 1)",
        ("a" * 32,),
    )
    conn.execute(
        "INSERT INTO jet.refunds (alt_refund_id, merchant_order_id, refund_status, requested_by, requested_at,"
        " status_checked_at) VALUES ('R1', %s, 'accepted', 'op', %s, %s)",
        ("a" * 32, T, T),
    )
    conn.execute("INSERT INTO jet.refund_items VALUES ('R1', 'i1', 'SKU-A', 1, 1, 10.00, 0, 0, 0, 'Other', NULL, NULL)")


EXC_WITHDRAWN = "exception - jet manual canceled to complete state"


def test_the_migration_tells_the_story_of_what_is_already_there(fresh_db: str, tmp_path: Path) -> None:  # noqa: F811
    earlier = tmp_path / "migrations"
    earlier.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < BEFORE_TIMELINE:
            shutil.copy(path, earlier / path.name)
    migrate(fresh_db, earlier)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        _history_before_the_timeline(conn)
    assert BEFORE_TIMELINE in migrate(fresh_db)

    with psycopg.connect(fresh_db) as conn:
        story = conn.execute(
            "SELECT side, author, body FROM jet.order_history WHERE merchant_order_id = %s", ("a" * 32,)
        ).fetchall()
        withdrawn = conn.execute(
            "SELECT body FROM jet.order_history WHERE merchant_order_id = %s", ("b" * 32,)
        ).fetchall()
        why = conn.execute(
            "SELECT internal_status, act, started_by FROM jet.order_cancellations WHERE merchant_order_id = %s",
            ("b" * 32,),
        ).fetchall()
    bodies = [b for _, _, b in story]
    assert bodies[0] == "order aaaa placed by the customer"
    assert bodies[1].startswith("released by Jet")
    assert bodies.count("shipment JF-SHP-1 recorded: SKU-A ships 1") == 1, "the old note, not a second one"
    assert "shipment JF-SHP-1 confirmed by Jet: 1 unit(s) shipped, 0 cancelled" in bodies
    assert "refund R1 requested: 1 unit(s), 10.00 USD (Other)" in bodies
    assert "refund R1 is accepted at Jet" in bodies
    assert "Jet shows the order complete" in bodies
    assert (f"Jet shows the order complete ({EXC_WITHDRAWN})",) in withdrawn
    assert why == [("cancelled", "withdraw", "jet")]
