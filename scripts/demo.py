"""`make demo`: run the pipelines end to end against the Jet sandbox and say what they did.

Starts a sandbox on a free port (seeded business, manual clock so every demo is the
same), points the ``jet_api`` connection at it, runs each stage's DAG for real with
``airflow dags test`` and prints a summary read back from the warehouse. Airflow's
task logs go to ``.local/demo/<dag>.log``. Run through ``scripts/run`` (make does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".local" / "demo"
sys.path.insert(0, str(ROOT / "include"))

from jet_sandbox.testing import SandboxProcess  # noqa: E402

READY_ORDERS = 200
CREATED_ORDERS = 15


def run_dag(dag_id: str, logical_date: datetime, env: dict[str, str], conf: dict[str, Any] | None = None) -> float:
    """`airflow dags test` one DAG; returns seconds taken, raises with the log tail on failure."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{dag_id}.log"
    cmd = ["airflow", "dags", "test", dag_id, logical_date.isoformat()]
    if conf:
        cmd += ["--conf", json.dumps(conf)]
    started = time.monotonic()
    with log_path.open("w") as log:
        result = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    text = log_path.read_text()
    failed = result.returncode != 0 or "state=failed" in text or "DagRunState.FAILED" in text
    if failed:
        print("\n".join(text.splitlines()[-40:]), file=sys.stderr)
        raise SystemExit(f"demo: DAG {dag_id} failed; full log in {log_path}")
    return elapsed


def batch_totals(conn: psycopg.Connection, run_prefix: str) -> dict[str, dict[str, int]]:
    rows = conn.execute(
        "SELECT source, sum(orders_listed), sum(orders_loaded), sum(orders_changed), sum(quarantined)"
        " FROM jet.ingest_batches WHERE batch_key LIKE %s GROUP BY source",
        (run_prefix + "/%",),
    ).fetchall()
    return {r[0]: {"listed": r[1], "loaded": r[2], "changed": r[3], "quarantined": r[4]} for r in rows}


def main() -> None:
    warehouse = os.environ["JET_WAREHOUSE_URL"]
    print(f"Jetflow demo — warehouse {warehouse.rsplit('@', 1)[-1]}")
    with SandboxProcess(seed=42, scenario="empty", clock="manual") as sandbox:
        sandbox.set_config(fraud_check_delay_seconds=1800)
        sandbox.generate_orders(CREATED_ORDERS, status="created")
        sandbox.generate_orders(READY_ORDERS, status="ready")
        now = datetime.fromisoformat(sandbox.now().replace("Z", "+00:00"))
        print(f"sandbox on :{sandbox.port} (clock {now:%Y-%m-%d %H:%M}Z): {READY_ORDERS} ready orders,")
        print(f"  {CREATED_ORDERS} still in Jet's fraud check (created: must not be imported)")

        env = dict(os.environ)
        env["AIRFLOW_CONN_JET_API"] = json.dumps(
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": sandbox.port,
                "schema": "http",
                "login": sandbox.user,
                "password": sandbox.secret,
                "extra": {"rate_limit_per_second": 200, "rate_limit_burst": 50, "max_concurrency": 8},
            }
        )

        print("\n[1] ingestion: airflow dags test jet_orders")
        seconds = run_dag("jet_orders", now, env)
        with psycopg.connect(warehouse) as conn:
            totals = batch_totals(conn, f"jet_orders/{now:%Y%m%dT%H%M%SZ}")
            ready = totals.get("ready", {"listed": 0, "loaded": 0, "changed": 0, "quarantined": 0})
            refresh = totals.get("refresh", {"loaded": 0, "changed": 0})
            created_landed = conn.execute("SELECT count(*) FROM jet.orders WHERE status = 'created'").fetchone()[0]
            in_warehouse = conn.execute("SELECT count(*) FROM jet.orders").fetchone()[0]
        print(f"    {seconds:.1f}s; ready orders listed {ready['listed']}, landed {ready['loaded']}")
        print(f"    ({ready['changed']} new or changed when this run first landed them),")
        print(f"    quarantined {ready['quarantined']};")
        print(f"    open orders refreshed {refresh['loaded']} ({refresh['changed']} changed);")
        print(f"    created orders in the warehouse: {created_landed}; orders in the warehouse: {in_warehouse}")
    print(f"\nDone. Task logs: {LOGS.relative_to(ROOT)}/. Explore: psql {warehouse} -c '\\d+ jet.orders'")


if __name__ == "__main__":
    main()
