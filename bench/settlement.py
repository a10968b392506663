"""Benchmark: settlement reconciliation and per-order P&L over a year of history. Not a test.

    scripts/run python bench/settlement.py [--lines 1000000] [--days 365] [--cost-changes 1]

In a scratch database ``<warehouse>_bench`` (migrated), with synthetic but consistent
data (``--days`` daily settlement reports whose SettlementDetails CSVs hold ``--lines``
rows in all: order lines shipped, refunds, a few Jet adjustments; the orders and their
lines in jet.orders / jet.order_items; unit costs in jet.products), it measures:

- baseline: a plain ``COPY ... FROM STDIN (FORMAT csv)`` of the same CSV files into a
  table of the CSV's columns (the cheapest way to put the lines in PostgreSQL);
- the year: the set-based reconciliation of every settlement and the full rebuild of
  jet.order_pnl on fresh lines, then both again when nothing changed;
- one new day after the year, as the daily ``jet_settlement`` run sees it: the day's
  settlement (its orders, its lines, refunds of orders from the weeks before) and the
  previous day's orders turning ``complete``. The daily refresh (reconcile the run's
  window + the incremental P&L, which recomputes only the orders those changes touch)
  against the full rebuild (reconcile every settlement + recompute every order) on the
  same state;
- then a unit-cost change of ``--cost-changes`` SKUs, which touches every order of the
  year with a line of them: the incremental refresh against the full rebuild again;
- for context, our landing of the lines (Python validation of every row, COPY into
  staging, upsert, the P&L triggers) and the landing of the new day.

Checks (the benchmark only counts if the work was right): every line landed and
reconciled, the per-order net proceeds tie to the settlement values, a re-run changes
nothing, and the incremental refresh leaves jet.order_pnl identical, row by row and
column by column (stamps included), to the full rebuild of the same state.

Targets: reconciliation of 1 M lines is set-based SQL, minutes not hours; the daily
P&L refresh takes at most 5 % of the full rebuild. A cost change costs what it touches
(a share of the whole history), so it has no target: the figure says what it costs.
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
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from bench.support.results import write_results  # noqa: E402

from jet.orders.load import copy_rows  # noqa: E402
from jet.runs import RunIdentity  # noqa: E402
from jet.settlement.details import AMOUNT_COLUMNS, REQUIRED_COLUMNS, parse_details  # noqa: E402
from jet.settlement.land import DetailFile, land_details, land_report  # noqa: E402
from jet.settlement.pnl import refresh_pnl  # noqa: E402
from jet.settlement.reconcile import reconcile  # noqa: E402
from jet.warehouse.scratch import empty, scratch_database  # noqa: E402

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
RUN_DAY = RunIdentity("jet_settlement", "bench-new-day", datetime(2026, 1, 3, tzinfo=UTC))
RUN_COST = RunIdentity("jet_settlement", "bench-cost-change", datetime(2026, 1, 3, 12, tzinfo=UTC))
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
    """A scratch database next to the warehouse, migrated."""
    return scratch_database(os.environ["JET_WAREHOUSE_URL"], "bench")


@dataclass(frozen=True)
class Sold:
    """One order line as sold: what a refund of one of its units, on a later day, takes back."""

    order_id: str
    reference: str
    item_id: str
    sku: str
    price: Decimal
    ship: Decimal
    tax: Decimal
    base: Decimal
    variable: Decimal


class Day:
    """One synthetic settlement day: its orders, its CSV and its report, all consistent.

    ``late_refunds`` are lines sold on earlier days that this day's settlement refunds
    one unit of (their orders are not this day's); ``status`` is the status this day's
    orders land with.
    """

    def __init__(self, index: int, lines: int, *, status: str = "complete", late_refunds: Sequence[Sold] = ()) -> None:
        rng = random.Random(f"bench:{index}")
        self.sid = hashlib.md5(f"settlement:{index}".encode(), usedforsecurity=False).hexdigest()
        self.start = START + timedelta(days=index)
        self.orders: list[tuple] = []
        self.items: list[tuple] = []
        self.sold: list[Sold] = []
        rows: list[dict[str, Any]] = []
        when = (self.start + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")

        def refund(line: Sold) -> dict[str, Any]:
            return {
                "settlement_report_id": self.sid, "transaction_date": when, "merchant_order_id": line.order_id,
                "reference_order_id": line.reference, "order_item_id": line.item_id, "merchant_sku": line.sku,
                "merchant_return_authorization_id": "", "description": "", "transaction_type": "return",
                "quantity": 1, "refund_authorization_id": f"r{line.order_id[:12]}{line.item_id[-1]}",
                "merchant_price": -(line.price + line.ship), "jet_variable_commission": line.variable,
                "fixed_commission": line.base, "tax": -line.tax,
            }  # fmt: skip

        rows.extend(refund(line) for line in late_refunds[:lines])
        n_order = 0
        while len(rows) < lines:
            oid = hashlib.md5(f"order:{index}:{n_order}".encode(), usedforsecurity=False).hexdigest()
            placed = self.start - timedelta(hours=rng.randint(4, 40))
            reference = f"{index:04d}{n_order:08d}"
            self.orders.append((oid, reference, "node-1", status, placed, "bench", placed, placed, "bench/settlement"))
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
                line = Sold(oid, reference, item, sku, price, ship, tax, base, variable)
                self.sold.append(line)
                rows.append(
                    {
                        "settlement_report_id": self.sid, "transaction_date": when, "merchant_order_id": oid,
                        "reference_order_id": reference, "order_item_id": item, "merchant_sku": sku,
                        "merchant_return_authorization_id": "", "refund_authorization_id": "", "description": "",
                        "transaction_type": "order", "quantity": qty, "merchant_price": price * qty,
                        "jet_variable_commission": -variable * qty, "fixed_commission": -base * qty,
                        "tax": tax * qty, "shipping_revenue": ship * qty,
                    }
                )  # fmt: skip
                if len(rows) < lines and rng.random() < 0.25:  # a refund of the line, same day
                    rows.append(refund(line))
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


def land_day(conn: psycopg.Connection, day: Day, run: RunIdentity) -> tuple[float, float, float]:
    """Put one day in the warehouse: its orders (setup, not timed), then its report and lines.

    Returns (baseline COPY, parse, land) seconds.
    """
    with conn.transaction(), conn.cursor() as cur:
        copy_rows(cur, "jet.orders", ORDER_COLUMNS, day.orders)
        copy_rows(cur, "jet.order_items", ITEM_COLUMNS, day.items)
    land_report(conn, day.sid, day.report, run)
    # Baseline: the plainest COPY of the same CSV into PostgreSQL.
    started = time.perf_counter()
    with (
        conn.transaction(),
        conn.cursor() as cur,
        cur.copy("COPY bench_settlement.raw_lines FROM STDIN (FORMAT csv, HEADER)") as copy,
    ):
        copy.write(day.csv)
    t_copy = time.perf_counter() - started
    # Ours: validate every row in Python, COPY into staging, upsert.
    t_parse, parsed = timed(parse_details, day.csv, day.sid)
    t_land, _ = timed(land_details, conn, [DetailFile(parsed, day.csv)], run)
    return t_copy, t_parse, t_land


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


@dataclass
class Comparison:
    """The incremental refresh and the full rebuild, each run on the same state of the warehouse."""

    queued: list[tuple[str, str, int]]
    incremental_seconds: float
    full_seconds: float
    incremental: dict[str, Any]
    full: dict[str, Any]
    left_queued: int
    differences: int
    rows: int

    @property
    def ratio(self) -> float:
        return self.incremental_seconds / self.full_seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "queued": [{"source": s, "scope": sc, "keys": n} for s, sc, n in self.queued],
            "orders_recomputed": self.incremental["orders_recomputed"],
            "orders_changed": self.incremental["orders_changed"],
            "incremental_seconds": round(self.incremental_seconds, 4),
            "full_seconds": round(self.full_seconds, 3),
            "incremental_vs_full": round(self.ratio, 4),
            "identical_rows": self.differences == 0,
            "rows_compared": self.rows,
        }


def compare_refreshes(conn: psycopg.Connection, run: RunIdentity) -> Comparison:
    """Time the incremental refresh, restore the state it started from, time the full rebuild, compare.

    The incremental refresh runs first, so warm caches do not favour it. Both use the same
    run identity, so rows they write carry the same stamps and the comparison covers every
    column: a row the incremental refresh missed or got wrong is a difference.
    """
    queued = conn.execute(
        "SELECT source, scope, count(DISTINCT key) FROM jet.pnl_pending GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    conn.execute("CREATE TABLE bench_settlement.pnl_before AS TABLE jet.order_pnl")
    conn.execute("CREATE TABLE bench_settlement.pending_before AS SELECT scope, key, source FROM jet.pnl_pending")
    conn.execute("VACUUM ANALYZE jet.order_pnl")
    t_inc, inc = timed(refresh_pnl, conn, run)
    left = conn.execute("SELECT count(*) FROM jet.pnl_pending").fetchone()[0]
    conn.execute("CREATE TABLE bench_settlement.pnl_incremental AS TABLE jet.order_pnl")
    with conn.transaction():
        conn.execute("TRUNCATE jet.order_pnl")
        conn.execute("INSERT INTO jet.order_pnl TABLE bench_settlement.pnl_before")
        conn.execute("DELETE FROM jet.pnl_pending")
        conn.execute("INSERT INTO jet.pnl_pending (scope, key, source) TABLE bench_settlement.pending_before")
    conn.execute("VACUUM ANALYZE jet.order_pnl")
    t_full, full = timed(refresh_pnl, conn, run, full=True)
    differences, rows = conn.execute(
        "SELECT (SELECT count(*) FROM (TABLE jet.order_pnl EXCEPT ALL TABLE bench_settlement.pnl_incremental) a)"
        " + (SELECT count(*) FROM (TABLE bench_settlement.pnl_incremental EXCEPT ALL TABLE jet.order_pnl) b),"
        " (SELECT count(*) FROM jet.order_pnl)"
    ).fetchone()
    conn.execute(
        "DROP TABLE bench_settlement.pnl_before, bench_settlement.pending_before, bench_settlement.pnl_incremental"
    )
    return Comparison(queued, t_inc, t_full, inc, full, left, differences, rows)


def _prepare(conn: psycopg.Connection) -> None:
    """Empty the bench warehouse's settlement tables; the raw-COPY baseline table; the catalog."""
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


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="settlement lines of the year of history")
    parser.add_argument("--days", type=int, default=365, help="days (settlement reports) of history")
    parser.add_argument("--cost-changes", type=int, default=1, help="SKUs whose unit cost changes after the new day")
    parser.add_argument("--lookback-days", type=int, default=7, help="the daily run's lookback (jet_settlement)")
    args = parser.parse_args()
    if args.days < 2 or args.lines < 2 * args.days:
        parser.error("need at least 2 days and 2 lines a day")
    return args


def main() -> None:
    args = _args()
    url = bench_database()
    with psycopg.connect(url, autocommit=True) as conn:
        _prepare(conn)

        # ------------------------------------------------------------ the year of history
        t_copy = t_parse = t_land = 0.0
        lines = orders = 0
        ids: list[str] = []
        recent: deque[list[Sold]] = deque(maxlen=30)  # lines sold in the last 30 days, for late refunds
        last_day_orders: list[str] = []
        per_day, extra = divmod(args.lines, args.days)
        print(f"generating and loading {args.lines:,} lines over {args.days} settlements ...", flush=True)
        for i in range(args.days):
            # The last day's orders are still in progress when the year ends; they complete on the new day.
            day = Day(i, per_day + (1 if i < extra else 0), status="inprogress" if i == args.days - 1 else "complete")
            ids.append(day.sid)
            lines += day.rows
            orders += len(day.orders)
            recent.append(day.sold)
            last_day_orders = [o[0] for o in day.orders]
            dt_copy, dt_parse, dt_land = land_day(conn, day, RUN)
            t_copy, t_parse, t_land = t_copy + dt_copy, t_parse + dt_parse, t_land + dt_land
        conn.execute("ANALYZE")

        t_reconcile, result = timed(reconcile, conn, ids, RUN)
        t_pnl, pnl = timed(refresh_pnl, conn, RUN, full=True)
        t_reconcile2, result2 = timed(reconcile, conn, ids, RUN_AGAIN)
        t_pnl2, pnl2 = timed(refresh_pnl, conn, RUN_AGAIN, full=True)
        t_pnl3, pnl3 = timed(refresh_pnl, conn, RUN_AGAIN)

        landed = conn.execute("SELECT count(*) FROM jet.settlement_lines").fetchone()[0]
        copied = conn.execute("SELECT count(*) FROM bench_settlement.raw_lines").fetchone()[0]

        # ------------------------------------------------------------ one new day
        rng = random.Random("bench:new-day")
        late = [rng.choice(rng.choice(recent)) for _ in range(max(1, per_day // 50))]
        new_day = Day(args.days, per_day, late_refunds=late)
        t_day = timed(land_day, conn, new_day, RUN_DAY)[1][2]
        ids.append(new_day.sid)
        conn.execute(  # yesterday's orders shipped (the order refresh lands them complete)
            "UPDATE jet.orders SET status = 'complete', updated_at = %s WHERE merchant_order_id = ANY(%s)",
            (RUN_DAY.observed_at, last_day_orders),
        )
        window = ids[-(args.lookback_days + 1) :]  # the run's day and its lookback, as jet_settlement covers
        t_daily_reconcile, daily_reconcile = timed(reconcile, conn, window, RUN_DAY)
        t_full_reconcile, full_reconcile = timed(reconcile, conn, ids, RUN_DAY)
        day_cmp = compare_refreshes(conn, RUN_DAY)

        # ------------------------------------------------------------ a unit-cost change
        skus = [sku for sku, _, _ in SKUS[: args.cost_changes]]
        conn.execute(
            "UPDATE jet.products SET unit_cost = unit_cost + 0.25, updated_at = %s WHERE sku = ANY(%s)",
            (RUN_COST.observed_at, skus),
        )
        cost_cmp = compare_refreshes(conn, RUN_COST)
        tie = conn.execute(
            "SELECT (SELECT sum(settlement_value) FROM jet.settlement_reports)"
            " = (SELECT sum(act_net_proceeds) FROM jet.order_pnl)"
            " + (SELECT coalesce(sum(line_total), 0) FROM jet.settlement_lines WHERE merchant_order_id IS NULL)"
        ).fetchone()[0]
        conn.execute("DROP SCHEMA bench_settlement CASCADE")

    # The benchmark only counts if the work was right.
    if not landed == copied == lines:
        raise SystemExit(f"lines landed {landed}, copied {copied}, generated {lines}")
    if result["statuses"] != {"reconciled": args.days} or result2 != result:
        raise SystemExit(f"not every settlement reconciled: {result} / {result2}")
    if full_reconcile["statuses"] != {"reconciled": len(ids)} or daily_reconcile["statuses"] != {
        "reconciled": len(window)
    }:
        raise SystemExit(f"the new day did not reconcile: {daily_reconcile} / {full_reconcile}")
    if pnl2["orders_changed"] != 0 or pnl3["orders_changed"] != 0 or pnl3["changes_taken"] != 0:
        raise SystemExit(f"re-running the P&L changed rows: {pnl2} / {pnl3}")
    for name, c in (("the new day", day_cmp), ("the cost change", cost_cmp)):
        if c.incremental["mode"] != "incremental" or c.left_queued != 0:
            raise SystemExit(f"{name}: the refresh was not incremental or left work queued: {c.incremental}")
        if c.differences != 0 or c.full["orders_changed"] != c.incremental["orders_changed"]:
            raise SystemExit(f"{name}: incremental and full P&L differ in {c.differences} rows")
    if not tie:
        raise SystemExit("per-order net proceeds + adjustments do not equal the settlement values")

    rows = [
        ("plain COPY of the CSV lines (baseline)", t_copy),
        ("reconcile, fresh lines", t_reconcile),
        ("P&L full rebuild, fresh lines", t_pnl),
        ("reconcile + P&L, fresh", t_reconcile + t_pnl),
        ("reconcile + P&L full again (no change)", t_reconcile2 + t_pnl2),
        ("P&L incremental again (no change)", t_pnl3),
        ("land: validate rows in Python", t_parse),
        ("land: COPY to staging + upsert", t_land),
    ]
    print(f"\nsettlement benchmark: {lines:,} lines, {args.days} settlements, {orders:,} orders")
    print(f"{'step':<42}{'seconds':>10}{'lines/s':>14}{'× COPY':>9}")
    for name, seconds in rows:
        print(f"{name:<42}{seconds:>10.2f}{lines / seconds:>14,.0f}{seconds / t_copy:>9.1f}")
    print(f"\nreconciled: {result['statuses']}, P&L rows changed: {pnl['orders_changed']:,}, tie-out exact: {tie}")

    def show(c: Comparison, target: str) -> None:
        print("  queued: " + ", ".join(f"{n:,} {scope}(s) from {source}" for source, scope, n in c.queued))
        print(
            f"  P&L incremental: {c.incremental['orders_recomputed']:,} orders recomputed"
            f" ({c.incremental['orders_changed']:,} changed) in {c.incremental_seconds:.3f} s;"
            f" full rebuild of {c.rows:,} orders {c.full_seconds:.2f} s"
        )
        print(f"  incremental / full: {c.ratio:.2%}{target}; identical, row by row: {c.differences == 0}")

    reconcile_ratio = t_daily_reconcile / t_full_reconcile
    print(
        f"\nthe new day: {new_day.rows:,} lines ({len(late)} refunds of older orders), {len(new_day.orders):,} new"
        f" orders, {len(last_day_orders):,} orders completed"
    )
    print(
        f"  reconcile the run's window ({len(window)} settlements) {t_daily_reconcile:.3f} s;"
        f" every settlement ({len(ids)}) {t_full_reconcile:.2f} s: {reconcile_ratio:.2%}"
    )
    show(day_cmp, " (target <= 5 %)")
    daily_ratio = (t_daily_reconcile + day_cmp.incremental_seconds) / (t_full_reconcile + day_cmp.full_seconds)
    print(f"  the daily refresh (reconcile + P&L) / the full one: {daily_ratio:.2%}")
    print(f"\na unit-cost change of {len(skus)} SKU(s): every order of its history with a line of it")
    show(cost_cmp, "")
    out = write_results(
        "settlement",
        {
            "lines": lines,
            "settlements": args.days,
            "orders": orders,
            "seconds": {name: round(s, 3) for name, s in rows},
            "reconcile_plus_pnl_vs_copy": round((t_reconcile + t_pnl) / t_copy, 2),
            "new_day": {
                "lines": new_day.rows,
                "late_refunds": len(late),
                "new_orders": len(new_day.orders),
                "orders_completed": len(last_day_orders),
                "land_seconds": round(t_day, 4),
                "reconcile_window_seconds": round(t_daily_reconcile, 4),
                "reconcile_all_seconds": round(t_full_reconcile, 3),
                "daily_vs_full_reconcile_plus_pnl": round(daily_ratio, 4),
                "pnl": day_cmp.as_json(),
            },
            "cost_change": {"skus": skus, "pnl": cost_cmp.as_json()},
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
