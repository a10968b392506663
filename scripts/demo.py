"""`make demo`: run the pipelines end to end against the Jet sandbox and say what they did.

Starts a sandbox on a free port (seeded business, manual clock, so every demo is the
same), recreates the demo warehouse ``<warehouse>_demo`` (the demo never touches the
warehouse `make airflow` uses), points the ``jet_api`` and ``jet_warehouse``
connections at them, runs each stage's DAG for real with ``airflow dags test`` and
prints a summary read back from the warehouse. Airflow's task logs go to
``.local/demo/<dag>.log``. Run through ``scripts/run`` (make does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".local" / "demo"
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from jet.report.figures import ReportPeriod  # noqa: E402
from jet.report.render import report_dir, report_name  # noqa: E402
from jet.warehouse.migrate import migrate  # noqa: E402
from jet_sandbox.testing import SandboxProcess  # noqa: E402

READY_ORDERS = 200
CREATED_ORDERS = 15
SHIPPED_ORDERS = 150  # acknowledged orders the demo's warehouse ships (the rest stay acknowledged)


@dataclass
class Demo:
    sandbox: SandboxProcess
    warehouse: str  # URL of the demo warehouse
    env: dict[str, str]  # environment for `airflow dags test`
    now: datetime  # the sandbox clock when the demo started

    def run_dag(
        self,
        dag_id: str,
        logical_date: datetime,
        conf: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> float:
        """`airflow dags test` one DAG; returns seconds taken, stops the demo on failure."""
        LOGS.mkdir(parents=True, exist_ok=True)
        log_path = LOGS / f"{dag_id}.log"
        cmd = ["airflow", "dags", "test", dag_id, logical_date.isoformat()]
        if conf:
            cmd += ["--conf", json.dumps(conf)]
        started = time.monotonic()
        with log_path.open("w") as log:
            result = subprocess.run(cmd, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, check=False)
        text = log_path.read_text()
        if result.returncode != 0 or "state=failed" in text:
            print("\n".join(text.splitlines()[-40:]), file=sys.stderr)
            raise SystemExit(f"demo: DAG {dag_id} failed; full log in {log_path}")
        return time.monotonic() - started

    def query(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.warehouse) as conn:
            return conn.execute(statement, params).fetchall()


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (Airflow's loggers write to them) to ``path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def fresh_demo_warehouse() -> str:
    """Drop and recreate ``<warehouse>_demo``, then migrate it: each demo starts clean."""
    parts = urlsplit(os.environ["JET_WAREHOUSE_URL"])
    name = parts.path.lstrip("/") + "_demo"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    migrate(url)
    return url


def connections(sandbox: SandboxProcess, warehouse: str) -> dict[str, str]:
    """AIRFLOW_CONN_* for the demo's sandbox and warehouse."""
    w = urlsplit(warehouse)
    api = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": sandbox.port,
        "schema": "http",
        "login": sandbox.user,
        "password": sandbox.secret,
        "extra": {"rate_limit_per_second": 200, "rate_limit_burst": 50, "max_concurrency": 8},
    }
    db = {"conn_type": "postgres", "host": w.hostname, "port": w.port or 5432, "login": w.username}
    if w.password:
        db["password"] = w.password
    db["schema"] = w.path.lstrip("/")
    return {"AIRFLOW_CONN_JET_API": json.dumps(api), "AIRFLOW_CONN_JET_WAREHOUSE": json.dumps(db)}


def stage_ingestion(demo: Demo) -> None:
    print("\n[1] ingestion: airflow dags test jet_orders")
    seconds = demo.run_dag("jet_orders", demo.now)
    rows = demo.query(
        "SELECT source, sum(orders_listed), sum(orders_loaded), sum(orders_changed), sum(quarantined), sum(missing)"
        " FROM jet.ingest_batches GROUP BY source"
    )
    totals = {r[0]: r[1:] for r in rows}
    listed, loaded, changed, quarantined, missing = totals.get("ready", (0, 0, 0, 0, 0))
    refreshed = totals.get("refresh", (0, 0, 0, 0, 0))
    created = demo.query("SELECT count(*) FROM jet.orders WHERE status = 'created'")[0][0]
    print(f"    {seconds:.1f}s; ready orders listed {listed}, landed {loaded} ({changed} new or changed),")
    print(f"    quarantined {quarantined}, missing at Jet {missing}; open orders refreshed {refreshed[1]};")
    print(f"    orders still in Jet's fraud check (created) landed: {created}")


def stage_decisions(demo: Demo) -> None:
    from bench.decisions_latency import simulate_day

    from jet.catalog.demo import seed_from_sandbox
    from jet.decisions.report import summary_lines

    print("\n[2] decisions: airflow dags test jet_decide_orders")
    with psycopg.connect(demo.warehouse, autocommit=True) as conn:
        seeded = seed_from_sandbox(conn, demo.sandbox.truth("catalog"), demo.now)
    print(f"    catalog loaded: {seeded.products} products, {seeded.stock_rows} stock rows (unknown SKUs left out)")
    seconds = demo.run_dag("jet_decide_orders", demo.now)
    demo.sandbox.advance(600)  # the next jet_orders run lands Jet's acknowledgement dates
    demo.run_dag("jet_orders", demo.now + timedelta(minutes=10))
    print(f"    {seconds:.1f}s")
    with psycopg.connect(demo.warehouse) as conn:
        for line in summary_lines(conn):
            # The demo batch's latency is 0: the sandbox clock stands still while it is
            # decided. The simulated day below is the meaningful latency.
            if not line.startswith("ready -> acknowledged"):
                print(f"    {line}")
    # A simulated day of arrivals runs the same steps in-process every 10 sandbox minutes;
    # its 144 steps of task logs go to a file, not over the summary.
    os.environ.update({k: v for k, v in demo.env.items() if k.startswith("AIRFLOW_CONN_")})
    with logs_to(LOGS / "simulated_day.log"):
        day = simulate_day(demo.sandbox, arrivals_per_hour=30, hours=24)
    print(
        f"    simulated day (30 orders/h, 10-minute schedule, sandbox clock): {day['orders_ready']} orders ready,"
        f" {day['answered']} answered, {len(day['withdrawn'])} withdrawn by Jet;"
    )
    print(f"    ready -> acknowledged p50 {day['p50_minutes']:.1f} min, p99 {day['p99_minutes']:.1f} min")


def stage_fulfilment(demo: Demo) -> None:
    """The merchant's warehouse ships acknowledged orders (some partially, some cancelled);
    jet_fulfillment uploads and confirms them."""
    from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
    from jet.runs import RunIdentity

    print("\n[3] fulfilment: the warehouse ships acknowledged orders; airflow dags test jet_fulfillment")
    at = datetime.fromisoformat(demo.sandbox.now().replace("Z", "+00:00"))  # later than every earlier run
    demo.run_dag("jet_orders", at)  # land the latest acknowledgements
    wms = RunIdentity("demo_wms", None, at + timedelta(minutes=1))
    acknowledged = [
        r[0]
        for r in demo.query(
            "SELECT merchant_order_id FROM jet.order_status_map WHERE internal_status = 'acknowledged'"
            " ORDER BY merchant_order_id LIMIT %s",
            (SHIPPED_ORDERS,),
        )
    ]
    kinds = {"full": 0, "partial": 0, "cancelled": 0}
    with psycopg.connect(demo.warehouse, autocommit=True) as conn, logs_to(LOGS / "fulfilment.log"):
        for n, oid in enumerate(acknowledged):
            lines = conn.execute(
                "SELECT merchant_sku, sum(quantity)::int FROM jet.order_items WHERE merchant_order_id = %s"
                " GROUP BY 1 ORDER BY 1",
                (oid,),
            ).fetchall()
            parcel = {
                "carrier": "UPS",
                "shipping_method": "UPS Ground",
                "tracking_number": f"1ZDEMO{n:06d}",
                "ship_date": wms.observed_at,
                "ship_from_zip": "07030",
            }
            if n % 10 == 9:  # the warehouse cannot fill it: every unit cancelled
                record_shipment(conn, wms, Shipment(oid, cancel_open_units=True), f"demo/{oid}")
                kinds["cancelled"] += 1
            elif n % 5 == 3 and (len(lines) > 1 or lines[0][1] > 1):  # one unit now, the rest later
                record_shipment(conn, wms, Shipment(oid, (ShipmentLine(lines[0][0], 1),), **parcel), f"demo/{oid}")
                kinds["partial"] += 1
            else:
                record_shipment(conn, wms, Shipment(oid, **parcel), f"demo/{oid}")
                kinds["full"] += 1
    print(f"    warehouse recorded shipments for {len(acknowledged)} acknowledged orders: {kinds}")
    seconds = demo.run_dag("jet_fulfillment", at + timedelta(minutes=2))
    requests = dict(demo.query("SELECT status, count(*) FROM jet.shipment_request_status GROUP BY 1"))
    print(f"    {seconds:.1f}s; shipment requests by status: {requests}")


def stage_returns(demo: Demo) -> None:
    """Jet opens returns; jet_returns lands them, one is completed, one order refunded
    (followed until accepted), invoices printed."""
    from jet.api.hook import JetHook
    from jet.refunds import RefundLine, request_refund
    from jet.runs import RunIdentity

    print("\n[4] returns and refunds: airflow dags test jet_returns, jet_complete_return, jet_print_invoice")
    at = datetime.fromisoformat(demo.sandbox.now().replace("Z", "+00:00"))
    shipped = [
        r[0]
        for r in demo.query(
            "SELECT merchant_order_id FROM jet.order_status_map WHERE internal_status = 'shipped' ORDER BY 1 LIMIT 6"
        )
    ]
    returns = [demo.sandbox.generate_return(oid) for oid in shipped[:4]]
    demo.run_dag("jet_returns", at + timedelta(minutes=30))
    done = {"merchant_return_authorization_id": returns[0], "decision": "accept", "agree_to_return_charge": True}
    demo.run_dag("jet_complete_return", at + timedelta(minutes=35), done)
    item = demo.query(
        "SELECT order_item_id FROM jet.order_items WHERE merchant_order_id = %s ORDER BY line_number LIMIT 1",
        (shipped[-1],),
    )[0][0]
    with psycopg.connect(demo.warehouse, autocommit=True) as conn, logs_to(LOGS / "refund.log"):
        refund = request_refund(
            conn,
            JetHook(),
            RunIdentity("demo_refund", None, at + timedelta(minutes=40)),
            shipped[-1],
            [RefundLine(item, 1, reason="Item arrived damaged - box damaged", feedback="Item damaged")],
        )
    demo.sandbox.advance(2 * 3600)  # Jet decides a refund within the hour
    demo.run_dag("jet_returns", at + timedelta(hours=2, minutes=30))  # follows the refund to its decision
    demo.run_dag("jet_print_invoice", at + timedelta(hours=2, minutes=35), {"merchant_order_ids": shipped[:3]})
    by_return = dict(demo.query("SELECT return_status, count(*) FROM jet.returns GROUP BY 1"))
    (refund_status,) = demo.query(
        "SELECT refund_status FROM jet.refunds WHERE alt_refund_id = %s", (refund["alt_refund_id"],)
    )[0]
    internal = dict(demo.query("SELECT internal_status, count(*) FROM jet.order_status_map GROUP BY 1 ORDER BY 2 DESC"))
    notes = demo.query("SELECT count(*) FROM jet.order_notes")[0][0]
    ledger: dict[str, int] = {}
    for entry in demo.sandbox.ledger():
        ledger[entry["kind"]] = ledger.get(entry["kind"], 0) + 1
    print(f"    returns by status {by_return}; refund {refund['alt_refund_id']} {refund_status}")
    print(f"    orders by internal status (jet.order_status_map): {internal}")
    print(f"    writes applied at Jet (sandbox ledger): {ledger}")
    out = os.environ.get("JET_OUTPUT_DIR", str(ROOT / "output"))
    print(f"    order notes: {notes}; invoices for 3 orders (HTML + PDF) in {out}/invoices/")


MONTH_FIRST, MONTH_LAST = date(2026, 2, 1), date(2026, 3, 1)  # the settlement days of the history month


def stage_settlement(demo: Demo) -> None:
    """A second sandbox with a month of business (orders, returns, refunds, one settlement
    per day): jet_settlement lands and reconciles it, computes per-order P&L, and
    jet_report writes the month's P&L report."""
    print("\n[5] settlement: airflow dags test jet_settlement over a month of sandbox history")
    with SandboxProcess(seed=42, scenario="history", clock="manual") as history:
        # Same seed, same catalog: the unit costs stage [2] loaded price the cost of goods.
        env = {**demo.env, **connections(history, demo.warehouse)}
        # The run on 2026-03-02 covers the day before; a 31-day lookback reaches the month.
        seconds = demo.run_dag("jet_settlement", datetime(2026, 3, 2, tzinfo=UTC), {"lookback_days": 31}, env)
    statuses = dict(demo.query("SELECT status, count(*) FROM analytics.settlement_reconciliation GROUP BY 1"))
    deposited, unallocated = demo.query(
        "SELECT coalesce(sum(settlement_value), 0), coalesce(sum(unallocated_total), 0)"
        " FROM analytics.settlement_reconciliation"
    )[0]
    orders, revenue, fees, refunds, cogs, margin = demo.query(
        "SELECT count(*) FILTER (WHERE settled), coalesce(sum(act_revenue + act_shipping_revenue), 0),"
        " coalesce(sum(act_variable_commission + act_fixed_commission + act_commission_refunded"
        "              + act_fulfillment_fees + act_return_charges + act_return_processing_fees), 0),"
        " coalesce(sum(act_refunds), 0), coalesce(sum(act_cogs), 0), coalesce(sum(act_contribution_margin), 0)"
        " FROM analytics.order_pnl"
    )[0]
    print(
        f"    {seconds:.1f}s; settlements reconciled to the cent: {statuses.get('reconciled', 0)}"
        f" of {sum(statuses.values())} (unallocated {unallocated}); settlement value {deposited}"
    )
    print(f"    {orders} settled orders: revenue {revenue}, Jet fees {fees}, refunds {refunds},")
    print(f"    cost of goods {cogs}, contribution margin {margin}")
    # The month's P&L report, as jet_report writes it after each settlement run.
    first, last = MONTH_FIRST, MONTH_LAST
    seconds = demo.run_dag(
        "jet_report", datetime(2026, 3, 2, 1, tzinfo=UTC), {"date_from": str(first), "date_to": str(last)}, env
    )
    print(f"    P&L report ({seconds:.1f}s): {report_dir() / report_name(ReportPeriod(first, last))}")


def main() -> None:
    warehouse = fresh_demo_warehouse()
    print(f"Jetflow demo — warehouse {warehouse.rsplit('@', 1)[-1]} (recreated for the demo)")
    with SandboxProcess(seed=42, scenario="empty", clock="manual") as sandbox:
        sandbox.set_config(fraud_check_delay_seconds=1800)
        sandbox.generate_orders(CREATED_ORDERS, status="created")
        sandbox.generate_orders(READY_ORDERS, status="ready")
        now = datetime.fromisoformat(sandbox.now().replace("Z", "+00:00"))
        print(f"sandbox on :{sandbox.port} (clock {now:%Y-%m-%d %H:%M}Z): {READY_ORDERS} ready orders,")
        print(f"  {CREATED_ORDERS} still in Jet's fraud check (created: must not be imported)")
        demo = Demo(sandbox, warehouse, {**os.environ, **connections(sandbox, warehouse)}, now)
        stage_ingestion(demo)
        stage_decisions(demo)
        stage_fulfilment(demo)
        stage_returns(demo)
        stage_settlement(demo)
    print(f"\nDone. Task logs: {LOGS.relative_to(ROOT)}/. Explore: psql {warehouse} -c '\\d+ jet.orders'")


if __name__ == "__main__":
    main()
