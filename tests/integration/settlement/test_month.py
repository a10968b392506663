"""A month of sandbox business through the settlement stage, checked to the cent.

One run covers the whole month (the module fixture); each test states one promise
of the settlement stage (docs/architecture.md, "Settlement") against its result.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest

from jet.runs import RunIdentity
from jet.settlement.tasks import run_settlement
from jet.settlement.window import settlement_window
from tests.helpers import table_checksums
from tests.integration.settlement.conftest import ALL_TABLES, SANDBOX_NOW, all_settlement_ids, reset_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# A run on the sandbox's day with a lookback reaching over the whole month of history.
RUN = RunIdentity(dag_id="jet_settlement", dag_run_id="backfill__month", observed_at=datetime(2026, 3, 2, tzinfo=UTC))
MONTH = settlement_window(RUN.observed_at - timedelta(days=1), RUN.observed_at, lookback_days=31)
ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def month(settlement_env: Any, sdb: psycopg.Connection) -> dict[str, Any]:
    reset_warehouse(sdb, settlement_env)
    return run_settlement(RUN, MONTH, now=SANDBOX_NOW)


def test_every_settlement_of_the_month_reconciles_to_the_cent(
    month: dict[str, Any], settlement_env: Any, sdb: psycopg.Connection
) -> None:
    ids = all_settlement_ids(settlement_env)
    assert len(ids) == 30
    assert sorted(month["fetched"]["settlement_ids"]) == sorted(ids)
    assert month["fetched"]["quarantined_lines"] == 0
    assert month["reconciled"]["statuses"] == {"reconciled": 30}
    rows = sdb.execute(
        "SELECT status, balances_ok, categories_off, unallocated_total, orders_missing"
        " FROM analytics.settlement_reconciliation"
    ).fetchall()
    assert len(rows) == 30
    assert {r[0] for r in rows} == {"reconciled"}
    assert all(r[1] for r in rows), "every report obeys Jet's sum rules"
    assert {(r[2], r[3], r[4]) for r in rows} == {(0, ZERO, 0)}
    assert sdb.execute(
        "SELECT count(*) FROM jet.settlement_lines WHERE transaction_type = 'unallocated'"
    ).fetchone() == (0,)
    # Per settlement and per column, the lines add up to the report exactly.
    off = sdb.execute(
        """
        SELECT r.settlement_report_id
        FROM jet.settlement_reports r
        JOIN (SELECT settlement_report_id,
                     sum(line_total) FILTER (WHERE balance = 'order') AS o,
                     sum(line_total) FILTER (WHERE balance = 'return') AS rt,
                     sum(line_total) FILTER (WHERE balance = 'adjustment') AS a,
                     sum(line_total) AS total
              FROM jet.settlement_lines GROUP BY 1) l USING (settlement_report_id)
        WHERE coalesce(l.o, 0) <> r.order_balance OR coalesce(l.rt, 0) <> r.return_balance
           OR coalesce(l.a, 0) <> r.jet_adjustment OR l.total <> r.settlement_value
        """
    ).fetchall()
    assert off == []
    # The lines landed are exactly the sandbox's CSV rows.
    truth_rows = sum(len(s["rows"]) for s in settlement_env.truth("settlements")["settlements"])
    assert sdb.execute("SELECT count(*) FROM jet.settlement_lines").fetchone() == (truth_rows,)


def test_per_order_actual_pnl_sums_to_the_settlement_values(month: dict[str, Any], sdb: psycopg.Connection) -> None:
    settled, by_orders, unattached, unallocated = sdb.execute(
        """
        SELECT (SELECT sum(settlement_value) FROM jet.settlement_reports),
               (SELECT sum(act_net_proceeds) FROM jet.order_pnl),
               (SELECT coalesce(sum(line_total), 0) FROM jet.settlement_lines
                 WHERE merchant_order_id IS NULL AND transaction_type <> 'unallocated'),
               (SELECT coalesce(sum(line_total), 0) FROM jet.settlement_lines WHERE transaction_type = 'unallocated')
        """
    ).fetchone()
    assert settled > 0
    assert by_orders + unattached + unallocated == settled
    # Per order, the components add up to the net proceeds.
    bad = sdb.execute(
        """
        SELECT merchant_order_id FROM jet.order_pnl
        WHERE act_revenue + act_shipping_revenue + act_tax_collected + act_tax_refunded + act_variable_commission
              + act_fixed_commission + act_commission_refunded + act_fulfillment_fees + act_refunds
              + act_return_charges + act_return_processing_fees + act_other_adjustments <> act_net_proceeds
           OR act_net_proceeds + act_tax_remitted - act_cogs <> act_contribution_margin
        """
    ).fetchall()
    assert bad == []
    # The daily P&L ties to the deposits too.
    assert sdb.execute(
        "SELECT sum(net_proceeds) = (SELECT sum(settlement_value) FROM jet.settlement_reports) FROM analytics.pnl_daily"
    ).fetchone() == (True,)


def _oracle(sandbox: Any, settlement_ids: list[str], unit_cost: dict[str, Decimal]) -> dict[str, dict[str, Decimal]]:
    """Per-order actual P&L in plain Python, straight from the CSV files Jet serves."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    with sandbox.jet_client() as jet:
        for sid in settlement_ids:
            report_id = jet.post("/reports/SettlementDetails", json={"settlement_report_id": sid}).json()["report_id"]
            url = jet.get(f"/reports/state/{report_id}").json()["report_url"]
            text = httpx.get(url, timeout=10).text
            for row in csv.DictReader(io.StringIO(text)):
                if not row["merchant_order_id"]:
                    continue
                o = out[row["merchant_order_id"]]
                money = {k: Decimal(v) for k, v in row.items() if k not in _TEXT_COLUMNS}
                qty = int(row["quantity"])
                is_order = row["transaction_type"] == "order"
                o["revenue" if is_order else "refunds"] += money["merchant_price"]
                o["shipping_revenue"] += money["shipping_revenue"]
                o["tax_collected" if is_order else "tax_refunded"] += money["tax"] + money["shipping_tax"]
                if is_order:
                    o["variable_commission"] += money["jet_variable_commission"]
                    o["fixed_commission"] += money["fixed_commission"]
                    o["units_shipped"] += qty
                    o["cogs"] += qty * unit_cost.get(row["merchant_sku"], ZERO)
                else:
                    o["commission_refunded"] += money["jet_variable_commission"] + money["fixed_commission"]
                    o["units_refunded"] += qty
                o["fulfillment_fees"] += money["shipping_charge"] + money["fulfillment_fee"] + money["product_cost"]
                o["return_charges"] += money["merchant_return_charge"]
                o["return_processing_fees"] += money["return_processing_fee"]
                o["net_proceeds"] += sum(money.values(), ZERO)
    for o in out.values():
        o["margin"] = o["net_proceeds"] - o["tax_collected"] - o["tax_refunded"] - o["cogs"]
    return out


_TEXT_COLUMNS = {
    "settlement_report_id", "transaction_type", "transaction_date", "merchant_order_id", "reference_order_id",
    "order_item_id", "merchant_return_authorization_id", "refund_authorization_id", "merchant_sku", "quantity",
    "description",
}  # fmt: skip


def test_an_independent_python_oracle_agrees_with_the_sql_pnl_for_every_order(
    month: dict[str, Any], settlement_env: Any, sdb: psycopg.Connection
) -> None:
    unit_cost = dict(sdb.execute("SELECT sku, unit_cost FROM jet.products").fetchall())
    oracle = _oracle(settlement_env, all_settlement_ids(settlement_env), unit_cost)
    columns = {
        "revenue": "act_revenue", "shipping_revenue": "act_shipping_revenue", "tax_collected": "act_tax_collected",
        "tax_refunded": "act_tax_refunded", "variable_commission": "act_variable_commission",
        "fixed_commission": "act_fixed_commission", "commission_refunded": "act_commission_refunded",
        "fulfillment_fees": "act_fulfillment_fees", "refunds": "act_refunds", "return_charges": "act_return_charges",
        "return_processing_fees": "act_return_processing_fees", "net_proceeds": "act_net_proceeds",
        "cogs": "act_cogs", "margin": "act_contribution_margin", "units_shipped": "units_shipped",
        "units_refunded": "units_refunded",
    }  # fmt: skip
    rows = sdb.execute(
        f"SELECT merchant_order_id, {', '.join(columns.values())} FROM jet.order_pnl WHERE settlements > 0"
    ).fetchall()
    sql_pnl = {r[0]: dict(zip(columns, r[1:], strict=True)) for r in rows}
    assert set(sql_pnl) == set(oracle)
    assert len(oracle) > 500
    mismatches = [
        (order_id, key, oracle[order_id][key], sql_pnl[order_id][key])
        for order_id in oracle
        for key in columns
        if Decimal(oracle[order_id][key]) != Decimal(sql_pnl[order_id][key])
    ]
    assert mismatches == []
    assert sum(o["cogs"] for o in oracle.values()) > 0


def test_orders_named_by_settlements_were_imported_and_estimates_match_the_rate_card(
    month: dict[str, Any], sdb: psycopg.Connection
) -> None:
    assert month["imported"]["missing"] > 500, "the warehouse started empty: every settled order was imported"
    assert month["imported"]["loaded"] == month["imported"]["missing"]
    assert sdb.execute("SELECT count(*) FROM analytics.settlement_orders_missing").fetchone() == (0,)
    assert sdb.execute("SELECT count(*) FROM jet.order_pnl WHERE settlements > 0 AND NOT in_warehouse").fetchone() == (
        0,
    )
    # The sandbox charges exactly the rate on the order: no commission discrepancy.
    assert sdb.execute("SELECT count(*) FROM analytics.commission_discrepancies").fetchone() == (0,)
    # Fully shipped, never refunded orders: actual = estimate, to the cent.
    drift = sdb.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE revenue_drift <> 0 OR commission_drift <> 0 OR margin_drift <> 0)
        FROM analytics.order_pnl
        WHERE settled AND units_shipped = units_ordered AND units_refunded = 0
        """
    ).fetchone()
    assert drift[0] > 300
    assert drift[1] == 0


def test_analyst_views_are_commented_and_readable_by_the_read_only_role(
    month: dict[str, Any], sdb: psycopg.Connection
) -> None:
    views = [
        "order_pnl", "pnl_lines", "pnl_daily", "pnl_monthly", "pnl_by_sku", "settlements", "settlement_lines",
        "settlement_reconciliation", "settlement_orders_missing", "commission_discrepancies", "cancellation_rate",
        "ack_latency",
    ]  # fmt: skip
    with sdb.transaction():
        sdb.execute("SET LOCAL ROLE jetflow_analyst")
        for view in views:
            sdb.execute(f"SELECT * FROM analytics.{view} LIMIT 5").fetchall()
        top = sdb.execute(
            "SELECT merchant_sku, contribution_margin FROM analytics.pnl_by_sku"
            " WHERE month = date '2026-02-01' ORDER BY contribution_margin DESC LIMIT 5"
        ).fetchall()
        assert len(top) == 5
    missing_comments = sdb.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'analytics' AND c.relname = ANY(%s) AND obj_description(c.oid, 'pg_class') IS NULL
        """,
        (views,),
    ).fetchall()
    assert missing_comments == []
    # The sandbox's scripted merchant acknowledges within Jet's window and cancels a few lines.
    acks = sdb.execute(
        "SELECT sum(orders_ready), sum(orders_acknowledged), sum(within_window), max(max_seconds)"
        " FROM analytics.ack_latency"
    ).fetchone()
    assert acks[0] == acks[1] == acks[2] > 500
    assert 0 < acks[3] <= 900
    cancels = sdb.execute(
        "SELECT sum(orders), sum(orders_partly_cancelled), sum(units_cancelled), sum(units_ordered)"
        " FROM analytics.cancellation_rate"
    ).fetchone()
    assert cancels[0] == acks[0]
    assert cancels[1] > 0
    assert 0 < cancels[2] < cancels[3]
    months = sdb.execute("SELECT month, net_proceeds, contribution_margin FROM analytics.pnl_monthly").fetchall()
    assert {m[0].isoformat() for m in months} == {"2026-01-01", "2026-02-01", "2026-03-01"}


def test_re_running_the_month_changes_nothing(
    month: dict[str, Any], settlement_env: Any, sdb: psycopg.Connection
) -> None:
    before = table_checksums(sdb, ALL_TABLES)
    again = run_settlement(RUN, MONTH, now=SANDBOX_NOW)
    assert again["imported"]["missing"] == 0
    assert again["pnl"]["orders_changed"] == 0
    assert table_checksums(sdb, ALL_TABLES) == before
