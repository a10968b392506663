"""Benchmark: order ingestion (fetch + load) beside its baselines, in one run. Not a test.

    make bench            (or: scripts/run python bench/ingest.py [--orders 10000])

Measures, against a sandbox process and a scratch database ``<warehouse>_bench``:
- fetch: JetHook.iter_orders (pooled session, bounded concurrency, rate budget,
  parsing) vs (a) a plain concurrent HTTP loop at the same concurrency;
- load: our COPY-into-staging + upsert, into empty tables and again when every row
  exists, vs (c) a raw psycopg COPY of the same rows into the same tables;
- end to end: our whole path (list + fetch + validate + load) vs (b) the naive
  approach, one GET at a time then DataFrame.to_sql with its default method (run on a
  subset and reported per order, since it is the slow one).
Every path talks to the same sandbox with the same simulated network round trip
(``--latency-ms``, default 25 ms, injected by the sandbox's ``latency`` fault on every
GET): Jet was a remote API, and with zero latency a local sandbox would measure only
its own CPU, where one GET at a time costs nothing. The latency is printed with the results.
Targets (docs/architecture.md, "Performance targets"): load ≥ 70 % of raw COPY (≥ 50 % when
all rows exist), fetch ≥ 80 % of the plain loop, end to end ≥ 10× naive.
Results: printed table + bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from bench.support.results import write_results  # noqa: E402

from jet.orders import normalize as n  # noqa: E402
from jet.orders.ingest import ingest_orders  # noqa: E402
from jet.orders.load import STAGED, copy_rows, load_batch  # noqa: E402
from jet.warehouse.scratch import empty, scratch_database  # noqa: E402
from jet_sandbox.testing import SandboxProcess  # noqa: E402

CONCURRENCY = 16
BATCH = 500
TABLES = (
    "jet.ingest_batches", "jet.order_payloads", "jet.quarantine", "jet.customers", "jet.orders",
    "jet.order_items", "jet.shipping_addresses", "jet.order_shipments", "jet.order_status_history",
    "jet.order_fetch_misses", "jet.unreadable",
)  # fmt: skip
# Every table a batch writes, with its rows (the raw-COPY baseline writes straight into them).
TARGETS = (
    ("jet.order_payloads", n.PAYLOAD_COLUMNS, "payloads"),
    *(("jet." + stage.removeprefix("stage_"), columns, attr) for stage, columns, attr in STAGED),
)


def bench_database() -> str:
    """A scratch database next to the warehouse, migrated."""
    return scratch_database(os.environ["JET_WAREHOUSE_URL"], "bench")


def truncate(conn: psycopg.Connection) -> None:
    empty(conn, TABLES)
    conn.execute("DROP SCHEMA IF EXISTS naive CASCADE")


def point_hook_at(sandbox: SandboxProcess) -> None:
    # A budget far above what one sandbox serves: it must not be what we measure.
    extra = {"rate_limit_per_second": 100000, "rate_limit_burst": 1000, "max_concurrency": CONCURRENCY}
    os.environ["AIRFLOW_CONN_JET_API"] = sandbox.airflow_connection(extra=extra)


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def plain_loop(api_url: str, token: str, ids: list[str]) -> int:
    """Baseline (a): a plain concurrent GET loop, same concurrency, no parsing."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=CONCURRENCY, pool_maxsize=CONCURRENCY)
    session.mount("http://", adapter)
    headers = {"Authorization": f"Bearer {token}"}

    def get(oid: str) -> int:
        response = session.get(f"{api_url}/orders/withoutShipmentDetail/{oid}", headers=headers, timeout=30)
        response.raise_for_status()
        return len(response.content)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return sum(pool.map(get, ids))


def build_batches(results: list[Any], observed_at: datetime) -> list[n.BatchRows]:
    batches = []
    for start in range(0, len(results), BATCH):
        rows = n.BatchRows(batch_key=f"bench/{start // BATCH:04d}", observed_at=observed_at)
        for r in results[start : start + BATCH]:
            rows.add_order(r.order, r.raw)
        batches.append(rows)
    return batches


def our_load(conn: psycopg.Connection, batches: list[n.BatchRows]) -> None:
    for rows in batches:
        load_batch(conn, rows, source="bench", dag_run_id=None, listed=len(rows.orders))


def raw_copy(conn: psycopg.Connection, batches: list[n.BatchRows]) -> None:
    """Baseline (c): COPY the same rows straight into the same tables, one transaction per batch."""
    for rows in batches:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                "INSERT INTO jet.ingest_batches (batch_key, source, observed_at) VALUES (%s, 'bench', %s)",
                (rows.batch_key, rows.observed_at),
            )
            for table, columns, attr in TARGETS:
                data = getattr(rows, attr)
                copy_rows(cur, table, columns, data.values() if isinstance(data, dict) else data)


def naive(api_url: str, token: str, ids: list[str], engine_url: str) -> None:
    """Baseline (b): one GET at a time, then DataFrame.to_sql with its default method."""
    import pandas as pd
    from sqlalchemy import create_engine, text

    headers = {"Authorization": f"Bearer {token}"}
    orders, items = [], []
    for oid in ids:
        response = requests.get(f"{api_url}/orders/withoutShipmentDetail/{oid}", headers=headers, timeout=30)
        response.raise_for_status()
        order = response.json()
        lines = order.pop("order_items")
        orders.append(order)
        items += [{"merchant_order_id": oid, **line} for line in lines]
    engine = create_engine(engine_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as c:
        c.execute(text("CREATE SCHEMA IF NOT EXISTS naive"))
    for name, records in (("orders", orders), ("order_items", items)):
        frame = pd.json_normalize(records)
        frame = frame.map(lambda v: json.dumps(v) if isinstance(v, list | dict) else v)
        frame.to_sql(name, engine, schema="naive", if_exists="append", index=False)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="order ingestion benchmark")
    parser.add_argument("--orders", type=int, default=int(os.environ.get("BENCH_ORDERS", 10000)))
    parser.add_argument("--naive-orders", type=int, default=1000, help="subset for the naive baseline")
    parser.add_argument("--latency-ms", type=float, default=25.0, help="simulated network round trip per GET")
    args = parser.parse_args()
    db = bench_database()
    observed = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    out: dict[str, Any] = {
        "orders": args.orders,
        "concurrency": CONCURRENCY,
        "batch": BATCH,
        "latency_ms": args.latency_ms,
    }

    with (
        SandboxProcess(seed=7, scenario="empty", clock="manual") as sandbox,
        psycopg.connect(db, autocommit=True) as conn,
    ):
        ids: list[str] = []
        while len(ids) < args.orders:
            ids += sandbox.generate_orders(min(1000, args.orders - len(ids)), status="ready")
        point_hook_at(sandbox)
        if args.latency_ms > 0:
            sandbox.set_faults(
                [{"kind": "latency", "rate": 1.0, "methods": ["GET"], "params": {"seconds": args.latency_ms / 1000}}]
            )
        from jet.api.hook import JetHook

        token = sandbox.token()
        plain_loop(sandbox.api_url, token, ids[:200])  # warm both paths up
        list(JetHook().iter_orders(ids[:200]))

        t_plain, _ = timed(plain_loop, sandbox.api_url, token, ids)
        hook = JetHook()
        t_fetch, results = timed(lambda: list(hook.iter_orders(ids)))
        assert all(r.ok for r in results), "bench orders must all be valid"
        t_norm, batches = timed(build_batches, results, observed)

        truncate(conn)
        t_copy, _ = timed(raw_copy, conn, batches)
        truncate(conn)
        t_load, _ = timed(our_load, conn, batches)
        t_reload, _ = timed(our_load, conn, batches)  # every row exists, unchanged

        truncate(conn)
        t_e2e, receipt = timed(
            ingest_orders, JetHook(), conn, ids, kind="bench", run_key="bench/e2e", observed_at=observed
        )
        assert receipt.loaded == len(ids)
        subset = ids[: args.naive_orders]
        t_naive, _ = timed(naive, sandbox.api_url, token, subset, db)

    rate = {
        "fetch: plain concurrent loop (a)": len(ids) / t_plain,
        "fetch: JetHook.iter_orders (ours, incl. parsing)": len(ids) / t_fetch,
        "normalize (ours, pure Python)": len(ids) / t_norm,
        "load: raw psycopg COPY (c)": len(ids) / t_copy,
        "load: ours, empty tables": len(ids) / t_load,
        "load: ours, all rows exist": len(ids) / t_reload,
        "end to end: ours": len(ids) / t_e2e,
        f"end to end: naive GET + to_sql (b, {len(subset)} orders)": len(subset) / t_naive,
    }
    ratios = {
        "fetch / plain loop (target >= 0.80)": rate["fetch: JetHook.iter_orders (ours, incl. parsing)"]
        / rate["fetch: plain concurrent loop (a)"],
        "load / raw COPY, empty (target >= 0.70)": rate["load: ours, empty tables"]
        / rate["load: raw psycopg COPY (c)"],
        "load / raw COPY, rows exist (target >= 0.50)": rate["load: ours, all rows exist"]
        / rate["load: raw psycopg COPY (c)"],
        "end to end / naive (target >= 10)": rate["end to end: ours"]
        / rate[f"end to end: naive GET + to_sql (b, {len(subset)} orders)"],
    }
    out["orders_per_second"] = {k: round(v, 1) for k, v in rate.items()}
    out["ratios"] = {k: round(v, 3) for k, v in ratios.items()}
    width = max(map(len, rate)) + 2
    print(
        f"\nOrder ingestion, {len(ids)} orders, concurrency {CONCURRENCY}, batches of {BATCH},"
        f" simulated round trip {args.latency_ms:g} ms per GET"
    )
    for k, v in rate.items():
        print(f"  {k:<{width}} {v:>10,.0f} orders/s")
    print()
    for k, v in ratios.items():
        print(f"  {k:<{width}} {v:>10.2f}")
    write_results("ingest", out)


if __name__ == "__main__":
    main()
