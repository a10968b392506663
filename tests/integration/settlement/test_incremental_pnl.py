"""The daily P&L refresh recomputes only what changed, and gives the rows a full rebuild gives.

A fortnight of sandbox business is settled one day at a time, as the scheduled runs
do, with the writers a real warehouse has in between: orders that change status or
lose a line, a catalog load that changes unit costs, a SKU dropped from the catalog, a
corrected settlement file, an order deleted by hand. After every step the incremental
refresh's table is compared, row by row and column by column, with a full rebuild of
the same state.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from jet.catalog.demo import catalog_from_sandbox
from jet.catalog.load_csv import load as load_catalog
from jet.runs import RunIdentity
from jet.settlement.details import parse_details
from jet.settlement.land import DetailFile, land_details
from jet.settlement.pnl import refresh_pnl
from jet.settlement.reconcile import reconcile
from jet.settlement.tasks import run_settlement
from jet.settlement.window import settlement_window
from tests.helpers import table_checksums
from tests.integration.settlement.conftest import SANDBOX_NOW, reset_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIRST_DAY = datetime(2026, 2, 10, tzinfo=UTC)


def day_run(day: datetime) -> dict[str, Any]:
    run = RunIdentity(dag_id="jet_settlement", dag_run_id=f"scheduled__{day:%Y-%m-%d}", observed_at=day)
    return run_settlement(run, settlement_window(day, day + timedelta(days=1), 7), now=SANDBOX_NOW)


def run_at(day: datetime, hour: int) -> RunIdentity:
    return RunIdentity("jet_settlement", f"manual__{hour}", day + timedelta(hours=hour))


def assert_same_as_full_rebuild(conn: psycopg.Connection, run: RunIdentity) -> None:
    """A full rebuild of the current state, stamped by the same run, changes no row of jet.order_pnl.

    Rows are only rewritten when a figure differs, so "changed nothing" means every row
    the incremental refresh left, stamps included, is the row the full rebuild computes.
    """
    before = table_checksums(conn, ("jet.order_pnl",))
    full = refresh_pnl(conn, run, full=True)
    assert (full["mode"], full["orders_changed"], full["orders_pruned"]) == ("full", 0, 0)
    assert table_checksums(conn, ("jet.order_pnl",)) == before


def settled_order(conn: psycopg.Connection, offset: int = 0) -> tuple[str, str]:
    """An order in the warehouse with settlement lines, and one of its SKUs."""
    return conn.execute(
        "SELECT l.merchant_order_id, min(l.merchant_sku) FROM jet.settlement_lines l"
        " JOIN jet.orders o USING (merchant_order_id) WHERE l.transaction_type = 'order'"
        " GROUP BY 1 ORDER BY 1 OFFSET %s LIMIT 1",
        (offset,),
    ).fetchone()


def test_day_by_day_with_changed_orders_costs_and_files_the_refresh_equals_the_full_rebuild(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    first = day_run(FIRST_DAY)
    # The warehouse was truncated: the first refresh rebuilds in full, whatever was asked.
    assert (first["pnl"]["mode"], first["pnl"]["full_reason"]) == ("full", "queued")
    assert first["pnl"]["orders_changed"] > 100
    assert sdb.execute("SELECT count(*) FROM jet.pnl_pending").fetchone() == (0,)

    for i in range(1, 4):  # three more scheduled days: new lines, newly imported orders
        day = FIRST_DAY + timedelta(days=i)
        result = day_run(day)["pnl"]
        assert result["mode"] == "incremental"
        # Only the day's work: far fewer orders than the P&L holds.
        total = sdb.execute("SELECT count(*) FROM jet.order_pnl").fetchone()[0]
        assert 0 < result["orders_recomputed"] < total / 2
        assert result["orders_changed"] > 0
        assert_same_as_full_rebuild(sdb, run_at(day, 0))
    day = FIRST_DAY + timedelta(days=3)

    # Nothing changed: nothing recomputed.
    idle = refresh_pnl(sdb, run_at(day, 1))
    assert (idle["mode"], idle["changes_taken"], idle["orders_recomputed"], idle["orders_changed"]) == (
        "incremental", 0, 0, 0,
    )  # fmt: skip

    # An order changes status (a refresh of open orders): that order alone.
    order_id, sku = settled_order(sdb)
    sdb.execute(
        "UPDATE jet.orders SET status = CASE status WHEN 'complete' THEN 'inprogress' ELSE 'complete' END"
        " WHERE merchant_order_id = %s",
        (order_id,),
    )
    # A change the P&L does not read (the ship-by date) queues nothing.
    sdb.execute("UPDATE jet.orders SET request_ship_by = request_ship_by + interval '1 day'")
    status_only = refresh_pnl(sdb, run_at(day, 2))
    assert (status_only["orders_recomputed"], status_only["orders_changed"]) == (1, 1)
    assert_same_as_full_rebuild(sdb, run_at(day, 2))

    # An order line changes (quantity and fee) and another order loses a line.
    other, _ = settled_order(sdb, 7)
    sdb.execute(
        "UPDATE jet.order_items SET quantity = quantity + 1, item_fees = item_fees + 0.5,"
        " fee_adjustments = '[]' WHERE merchant_order_id = %s AND line_number = 1",
        (order_id,),
    )
    sdb.execute(
        "DELETE FROM jet.order_items WHERE merchant_order_id = %s"
        " AND order_item_id = (SELECT max(order_item_id) FROM jet.order_items WHERE merchant_order_id = %s)",
        (other, other),
    )
    lines = refresh_pnl(sdb, run_at(day, 3))
    assert lines["orders_recomputed"] == 2
    assert_same_as_full_rebuild(sdb, run_at(day, 3))

    # The merchant loads a catalog with a new cost for one SKU and without another SKU:
    # every order with a line of either SKU, in its order lines or its settlement lines.
    catalog = catalog_from_sandbox(settlement_env.truth("catalog"))
    catalog.products[sku] = dataclasses.replace(catalog.products[sku], unit_cost=Decimal("0.01"))
    load_catalog(sdb, catalog, day)  # the other SKUs load unchanged and queue nothing
    dropped = sdb.execute(
        "SELECT min(merchant_sku) FROM jet.settlement_lines WHERE merchant_sku <> %s"
        " AND merchant_sku IN (SELECT sku FROM jet.products)",
        (sku,),
    ).fetchone()[0]
    sdb.execute("DELETE FROM jet.products WHERE sku = %s", (dropped,))  # its stock goes with it (cascade)
    touched = sdb.execute(
        "SELECT count(DISTINCT merchant_order_id) FROM ("
        " SELECT merchant_order_id FROM jet.order_items WHERE merchant_sku = ANY(%(skus)s)"
        " UNION SELECT merchant_order_id FROM jet.settlement_lines WHERE merchant_sku = ANY(%(skus)s)"
        " AND merchant_order_id IS NOT NULL) t",
        {"skus": [sku, dropped]},
    ).fetchone()[0]
    costs = refresh_pnl(sdb, run_at(day, 4))
    assert costs["orders_recomputed"] == touched > 2
    assert (
        sdb.execute(
            "SELECT count(*) FROM jet.order_pnl p WHERE units_without_cost > 0"
            " AND EXISTS (SELECT 1 FROM jet.order_items i WHERE i.merchant_order_id = p.merchant_order_id"
            " AND i.merchant_sku = %s)",
            (dropped,),
        ).fetchone()[0]
        > 0
    ), "orders of the dropped SKU now count units without cost"
    assert_same_as_full_rebuild(sdb, run_at(day, 4))

    # A corrected detail file: one settlement's lines change (a row gone becomes unallocated).
    sid = sdb.execute(
        "SELECT settlement_report_id FROM jet.settlement_reports ORDER BY settlement_date DESC LIMIT 1"
    ).fetchone()[0]
    body = sdb.execute(
        "SELECT body FROM jet.settlement_detail_files WHERE settlement_report_id = %s", (sid,)
    ).fetchone()[0]
    header, *rows = body.splitlines()
    shorter = "\n".join([header, *rows[1:]]) + "\n"
    land_details(sdb, [DetailFile(parse_details(shorter, sid), shorter)], run_at(day, 5))
    reconcile(sdb, [sid], run_at(day, 5))
    # The gap is booked as unallocated, and only there: each line's P&L categories add up to its net.
    unallocated, lines_off = sdb.execute(
        """
        SELECT sum(unallocated),
               count(*) FILTER (WHERE net_proceeds <> revenue + shipping_revenue + tax_collected + tax_refunded
                                + variable_commission + fixed_commission + commission_refunded + fulfillment_fees
                                + refunds + return_charges + return_processing_fees + adjustments + unallocated)
        FROM analytics.pnl_lines WHERE settlement_report_id = %s
        """,
        (sid,),
    ).fetchone()
    assert unallocated != 0
    assert lines_off == 0
    corrected = refresh_pnl(sdb, run_at(day, 5))
    assert corrected["orders_recomputed"] >= 1
    assert_same_as_full_rebuild(sdb, run_at(day, 5))

    # An order deleted by hand, its settlement lines kept: it stays, as not in the warehouse.
    # Its append-only history refuses the cascade, so an administrator clears that first
    # (past the refusing triggers, as only a superuser can); the order's own DELETE then
    # fires the P&L queue's triggers like any other writer.
    with sdb.transaction():
        sdb.execute("SET LOCAL session_replication_role = replica")
        for table in ("jet.order_status_history", "jet.order_notes"):
            sdb.execute(f"DELETE FROM {table} WHERE merchant_order_id = %s", (other,))
        sdb.execute("SET LOCAL session_replication_role = origin")
        sdb.execute("DELETE FROM jet.orders WHERE merchant_order_id = %s", (other,))
    gone = refresh_pnl(sdb, run_at(day, 6))
    assert gone["orders_recomputed"] == 1
    assert sdb.execute(
        "SELECT in_warehouse, units_ordered FROM jet.order_pnl WHERE merchant_order_id = %s", (other,)
    ).fetchone() == (False, 0)
    assert_same_as_full_rebuild(sdb, run_at(day, 6))

    # Two more scheduled days on top of all that.
    for i in range(4, 6):
        later = FIRST_DAY + timedelta(days=i)
        assert day_run(later)["pnl"]["mode"] == "incremental"
        assert_same_as_full_rebuild(sdb, run_at(later, 0))
    assert sdb.execute("SELECT count(*) FROM jet.pnl_pending").fetchone() == (0,)


def test_a_change_committed_while_the_refresh_runs_waits_for_the_next_one(
    settlement_env: Any, settlement_db_url: str, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    day_run(FIRST_DAY)
    order_id, _ = settled_order(sdb)
    # A writer changes an order and has not committed when the refresh takes its snapshot.
    with psycopg.connect(settlement_db_url) as writer:
        writer.execute("UPDATE jet.orders SET status = 'created' WHERE merchant_order_id = %s", (order_id,))
        during = refresh_pnl(sdb, run_at(FIRST_DAY, 1))
        writer.commit()
    assert during["orders_recomputed"] == 0
    assert sdb.execute("SELECT scope, key FROM jet.pnl_pending").fetchall() == [("order", order_id)]
    after = refresh_pnl(sdb, run_at(FIRST_DAY, 2))
    assert (after["orders_recomputed"], after["orders_changed"]) == (1, 1)
    assert sdb.execute("SELECT status FROM jet.order_pnl WHERE merchant_order_id = %s", (order_id,)).fetchone() == (
        "created",
    )
    assert_same_as_full_rebuild(sdb, run_at(FIRST_DAY, 2))

    # Two refreshes at once (a manual full rebuild beside the scheduled run): both succeed,
    # one after the other, and the result is the full rebuild's.
    sdb.execute("UPDATE jet.products SET unit_cost = unit_cost + 1")
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def refresh(full: bool) -> None:
        try:
            with psycopg.connect(settlement_db_url, autocommit=True) as conn:
                results.append(refresh_pnl(conn, run_at(FIRST_DAY, 3), full=full))
        except BaseException as exc:  # noqa: BLE001 (re-raised below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(full,)) for full in (False, True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(results) == 2
    assert [r["full_reason"] for r in results if r["mode"] == "full"] == ["requested"]
    assert sdb.execute("SELECT count(*) FROM jet.pnl_pending").fetchone() == (0,)
    assert_same_as_full_rebuild(sdb, run_at(FIRST_DAY, 3))


def test_the_refresh_refuses_a_connection_inside_a_transaction(settlement_db_url: str) -> None:
    with psycopg.connect(settlement_db_url) as conn:
        conn.execute("SELECT 1")
        with pytest.raises(ValueError, match="autocommit connection with no transaction open"):
            refresh_pnl(conn, run_at(FIRST_DAY, 1))
