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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".local" / "demo"
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from jet.warehouse.migrate import migrate  # noqa: E402
from jet_sandbox.testing import SandboxProcess  # noqa: E402

READY_ORDERS = 200
CREATED_ORDERS = 15


@dataclass
class Demo:
    sandbox: SandboxProcess
    warehouse: str  # URL of the demo warehouse
    env: dict[str, str]  # environment for `airflow dags test`
    now: datetime  # the sandbox clock when the demo started

    def run_dag(self, dag_id: str, logical_date: datetime, conf: dict[str, Any] | None = None) -> float:
        """`airflow dags test` one DAG; returns seconds taken, stops the demo on failure."""
        LOGS.mkdir(parents=True, exist_ok=True)
        log_path = LOGS / f"{dag_id}.log"
        cmd = ["airflow", "dags", "test", dag_id, logical_date.isoformat()]
        if conf:
            cmd += ["--conf", json.dumps(conf)]
        started = time.monotonic()
        with log_path.open("w") as log:
            result = subprocess.run(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False)
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
    print(f"\nDone. Task logs: {LOGS.relative_to(ROOT)}/. Explore: psql {warehouse} -c '\\d+ jet.orders'")


if __name__ == "__main__":
    main()
