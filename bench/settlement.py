"""Benchmark: settlement reconciliation and per-order P&L over 1,000,000 lines. Not a test.

    scripts/run python bench/settlement.py [--lines 1000000] [--days 365]

In a scratch database ``<warehouse>_bench`` (migrated), with synthetic but consistent
data (``--days`` daily settlement reports whose SettlementDetails CSVs hold ``--lines``
rows in all: order lines shipped, refunds, a few Jet adjustments; the orders and their
lines in jet.orders / jet.order_items; unit costs in jet.products), it measures:

- baseline: a plain ``COPY ... FROM STDIN (FORMAT csv)`` of the same CSV files into a
  table of the CSV's columns (the cheapest way to put the lines in PostgreSQL);
- ours, reconcile + P&L: the set-based reconciliation of every settlement and the
  rebuild of jet.order_pnl, run once on fresh lines and once more when nothing changed;
- for context, our landing of the lines (Python validation of every row, COPY into
  staging, upsert) and the same landing again when every line exists.

Target (design.md): reconciliation of 1 M lines is set-based SQL, minutes not hours.
Results: printed table + bench/results/settlement.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))

from jet.orders.load import copy_rows  # noqa: E402
from jet.runs import RunIdentity  # noqa: E402
from jet.settlement.details import AMOUNT_COLUMNS, REQUIRED_COLUMNS, parse_details  # noqa: E402
from jet.settlement.land import DetailFile, land_details, land_report  # noqa: E402
from jet.settlement.reconcile import reconcile, refresh_pnl  # noqa: E402
from jet.warehouse.migrate import migrate  # noqa: E402
from jet.warehouse.scratch import empty  # noqa: E402

CSV_COLUMNS = (*REQUIRED_COLUMNS, "description")
TABLES = (
    "jet.settlement_report_payloads", "jet.settlement_reports", "jet.settlement_detail_files",
    "jet.settlement_lines", "jet.settlement_reconciliation", "jet.order_pnl",
    "jet.ingest_batches", "jet.order_payloads", "jet.customers", "jet.orders", "jet.order_items",
    "jet.shipping_addresses", "jet.order_shipments", "jet.order_status_history",
)  # fmt: skip
CENT = Decimal("0.01")
START = datetime(2025, 1, 1, tzinfo=UTC)
RUN = RunIdentity("jet_settlement", "bench", datetime(2026, 1, 1, tzinfo=UTC))
RUN_AGAIN = RunIdentity("jet_settlement", "bench-again", datetime(2026, 1, 2, tzinfo=UTC))
#: (sku, price, variable commission rate) of the synthetic catalog.
SKUS = [
    (f"BENCH-{i:03d}", Decimal(5 + (i * 37) % 120) + Decimal("0.99"), (Decimal("0.08"), Decimal("0.15"))[i % 2])
    for i in range(60)
]
ORDER_COLUMNS = (
    "merchant_order_id", "reference_order_id", "fulfillment_node", "status", "order_placed_at", "payload_hash",
    "first_seen_at", "updated_at", "last_batch_key",
)  # fmt: skip
ITEM_COLUMNS = (
    "merchant_order_id", "order_item_id", "line_number", "merchant_sku", "quantity", "unit_price", "item_tax",
    "item_shipping_cost", "item_fees", "fee_adjustments",
)  # fmt: skip
ORDER_DETAILS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_revenue", "shipping_tax",
    "shipping_charge", "fulfillment_fee", "product_cost",
)  # fmt: skip
RETURN_DETAILS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_tax", "merchant_return_charge",
    "return_processing_fee", "product_cost",
)  # fmt: skip


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def bench_database() -> str:
    """A scratch database next to the warehouse, migrated (as bench/ingest.py)."""
    parts = urlsplit(os.environ["JET_WAREHOUSE_URL"])
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    migrate(url)
    return url


class Day:
    """One synthetic settlement day: its orders, its CSV and its report, all consistent."""

    def __init__(self, index: int, lines: int) -> None:
        rng = random.Random(f"bench:{index}")
        self.sid = hashlib.md5(f"settlement:{index}".encode(), usedforsecurity=False).hexdigest()
        self.start = START + timedelta(days=index)
        self.orders: list[tuple] = []
        self.items: list[tuple] = []
        rows: list[dict[str, Any]] = []
        when = (self.start + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
        n_order = 0
        while len(rows) < lines:
            oid = hashlib.md5(f"order:{index}:{n_order}".encode(), usedforsecurity=False).hexdigest()
            placed = self.start - timedelta(hours=rng.randint(4, 40))
            reference = f"{index:04d}{n_order:08d}"
            self.orders.append(
                (oid, reference, "node-1", "complete", placed, "bench", placed, placed, "bench/settlement")
            )
            for line_no in (1, 2):
                if len(rows) >= lines:
                    break
                sku, price, rate = SKUS[rng.randrange(len(SKUS))]
                qty = rng.choice((1, 1, 1, 2, 3))
                tax, ship = money(price * Decimal("0.0625")), rng.choice((Decimal("0.00"), Decimal("4.99")))
                base, variable = money(price * Decimal("0.03")), money(price * rate)
                item = f"{oid}-{line_no}"
                fees = json.dumps(
                    [
                        {"adjustment_type": "base", "value": float(base)},
                        {"adjustment_type": "variable", "value": float(variable)},
                    ]
                )
                self.items.append((oid, item, line_no, sku, qty, price, tax, ship, base + variable, fees))
                common = {
                    "settlement_report_id": self.sid, "transaction_date": when, "merchant_order_id": oid,
                    "reference_order_id": reference, "order_item_id": item, "merchant_sku": sku,
                    "merchant_return_authorization_id": "", "refund_authorization_id": "", "description": "",
                }  # fmt: skip
                rows.append(
                    {
                        **common,
                        "transaction_type": "order",
                        "quantity": qty,
                        "merchant_price": price * qty,
                        "jet_variable_commission": -variable * qty,
                        "fixed_commission": -base * qty,
                        "tax": tax * qty,
                        "shipping_revenue": ship * qty,
                    }
                )
                if len(rows) < lines and rng.random() < 0.25:  # a refund of the line, same day
                    rows.append(
                        {
                            **common,
                            "transaction_type": "return",
                            "quantity": 1,
                            "refund_authorization_id": f"r{oid[:12]}{line_no}",
                            "merchant_price": -(price + ship),
                            "jet_variable_commission": variable,
                            "fixed_commission": base,
                            "tax": -tax,
                        }
                    )
            n_order += 1
            if len(rows) == lines - 1 and rng.random() < 0.5:  # sometimes a Jet adjustment ends the day
                rows.append(
                    {
                        "settlement_report_id": self.sid,
                        "transaction_type": "adjustment",
                        "transaction_date": when,
                        "quantity": 0,
                        "jet_adjustment": Decimal(rng.randint(-5000, 2500)) / 100,
                        "description": "Jet fee correction",
                    }
                )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        totals = {("order", c): Decimal(0) for c in AMOUNT_COLUMNS} | {
            ("return", c): Decimal(0) for c in AMOUNT_COLUMNS
        }
        adjustment = Decimal(0)
        for row in rows:
            for c in AMOUNT_COLUMNS:
                row[c] = money(Decimal(row.get(c, 0)))
            if row["transaction_type"] == "adjustment":
                adjustment += row["jet_adjustment"]
            else:
                for c in AMOUNT_COLUMNS:
                    totals[(row["transaction_type"], c)] += row[c]
            writer.writerow([row.get(c, "") for c in CSV_COLUMNS])
        self.csv = out.getvalue()
        self.rows = len(rows)
        order = {c: float(totals[("order", c)]) for c in ORDER_DETAILS}
        ret = {c: float(totals[("return", c)]) for c in RETURN_DETAILS}
        ob = sum((totals[("order", c)] for c in order), Decimal(0))
        rb = sum((totals[("return", c)] for c in ret), Decimal(0))
        self.report = json.dumps(
            {
                "settlement_report_id": self.sid,
                "settlement_state": "deposited",
                "currency": "dollars",
                "unavailable_balance": 0.0,
                "settlement_period_start": self.start.strftime("%Y-%m-%dT00:00:00.0000000Z"),
                "settlement_period_end": self.start.strftime("%Y-%m-%dT23:59:59.9999999Z"),
                "order_balance_details": order,
                "order_balance": float(ob),
                "return_balance_details": ret,
                "return_balance": float(rb),
                "jet_adjustment": float(adjustment),
                "settlement_value": float(ob + rb + adjustment),
            }
        ).encode()


def days(total_lines: int, n_days: int) -> Iterator[Day]:
    per_day, extra = divmod(total_lines, n_days)
    for i in range(n_days):
        yield Day(i, per_day + (1 if i < extra else 0))


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()

    url = bench_database()
    with psycopg.connect(url, autocommit=True) as conn:
        empty(conn, TABLES)
        conn.execute("DELETE FROM jet.quarantine WHERE kind LIKE 'settlement%'")
        conn.execute("DROP SCHEMA IF EXISTS bench_settlement CASCADE")
        conn.execute("CREATE SCHEMA bench_settlement")
        conn.execute(
            "CREATE TABLE bench_settlement.raw_lines ("
            + ", ".join(f"{c} {'numeric(14,2)' if c in AMOUNT_COLUMNS else 'text'}" for c in CSV_COLUMNS)
            + ")"
        )
        conn.execute(
            "INSERT INTO jet.ingest_batches (batch_key, source, observed_at) VALUES ('bench/settlement', 'bench', %s)",
            (START,),
        )
        with conn.transaction(), conn.cursor() as cur:
            for sku, price, _ in SKUS:
                cur.execute(
                    "INSERT INTO jet.products (sku, title, unit_cost, updated_at) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (sku) DO UPDATE SET unit_cost = EXCLUDED.unit_cost",
                    (sku, sku, money(price * Decimal("0.55")), START),
                )

        t_copy = t_parse = t_land = 0.0
        lines = orders = 0
        ids: list[str] = []
        print(f"generating and loading {args.lines:,} lines over {args.days} settlements ...", flush=True)
        for day in days(args.lines, args.days):
            ids.append(day.sid)
            lines += day.rows
            orders += len(day.orders)
            with conn.transaction(), conn.cursor() as cur:  # setup, not timed: the orders the lines settle
                copy_rows(cur, "jet.orders", ORDER_COLUMNS, day.orders)
                copy_rows(cur, "jet.order_items", ITEM_COLUMNS, day.items)
            land_report(conn, day.sid, day.report, RUN)
            # Baseline: the plainest COPY of the same CSV into PostgreSQL.
            started = time.perf_counter()
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy("COPY bench_settlement.raw_lines FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                copy.write(day.csv)
            t_copy += time.perf_counter() - started
            # Ours: validate every row in Python, COPY into staging, upsert.
            dt, parsed = timed(parse_details, day.csv, day.sid)
            t_parse += dt
            dt, _ = timed(land_details, conn, [DetailFile(parsed, day.csv)], RUN)
            t_land += dt
        conn.execute("ANALYZE")

        t_reconcile, result = timed(reconcile, conn, ids, RUN)
        t_pnl, pnl = timed(refresh_pnl, conn, RUN)
        t_reconcile2, result2 = timed(reconcile, conn, ids, RUN_AGAIN)
        t_pnl2, pnl2 = timed(refresh_pnl, conn, RUN_AGAIN)

        landed = conn.execute("SELECT count(*) FROM jet.settlement_lines").fetchone()[0]
        copied = conn.execute("SELECT count(*) FROM bench_settlement.raw_lines").fetchone()[0]
        tie = conn.execute(
            "SELECT (SELECT sum(settlement_value) FROM jet.settlement_reports)"
            " = (SELECT sum(act_net_proceeds) FROM jet.order_pnl)"
            " + (SELECT coalesce(sum(line_total), 0) FROM jet.settlement_lines WHERE merchant_order_id IS NULL)"
        ).fetchone()[0]
        conn.execute("DROP SCHEMA bench_settlement CASCADE")

    # The benchmark only counts if the work was right.
    if not landed == copied == lines:
        raise SystemExit(f"lines landed {landed}, copied {copied}, generated {lines}")
    if result["statuses"] != {"reconciled": len(ids)} or result2 != result:
        raise SystemExit(f"not every settlement reconciled: {result} / {result2}")
    if pnl2["orders_changed"] != 0:
        raise SystemExit(f"re-running the P&L changed {pnl2['orders_changed']} rows")
    if not tie:
        raise SystemExit("per-order net proceeds + adjustments do not equal the settlement values")

    rows = [
        ("plain COPY of the CSV lines (baseline)", t_copy),
        ("reconcile, fresh lines", t_reconcile),
        ("P&L rebuild, fresh lines", t_pnl),
        ("reconcile + P&L, fresh", t_reconcile + t_pnl),
        ("reconcile + P&L again (no change)", t_reconcile2 + t_pnl2),
        ("land: validate rows in Python", t_parse),
        ("land: COPY to staging + upsert", t_land),
    ]
    print(f"\nsettlement benchmark: {lines:,} lines, {len(ids)} settlements, {orders:,} orders")
    print(f"{'step':<42}{'seconds':>10}{'lines/s':>14}{'× COPY':>9}")
    for name, seconds in rows:
        print(f"{name:<42}{seconds:>10.2f}{lines / seconds:>14,.0f}{seconds / t_copy:>9.1f}")
    print(f"\nreconciled: {result['statuses']}, P&L rows changed: {pnl['orders_changed']:,}, tie-out exact: {tie}")
    out = ROOT / "bench" / "results" / "settlement.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "lines": lines,
                "settlements": len(ids),
                "orders": orders,
                "seconds": {name: round(s, 3) for name, s in rows},
                "reconcile_plus_pnl_vs_copy": round((t_reconcile + t_pnl) / t_copy, 2),
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
