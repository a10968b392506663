"""Benchmark: the catalog sync beside a plain loop of the same PUTs, in one run. Not a test.

    make bench            (or: scripts/run python bench/catalog_sync.py [--skus 50000])

Against a sandbox process holding ``--skus`` SKUs and a scratch database
``<warehouse>_bench`` holding the same catalog (with prices):

- plain loop: a bare concurrent loop of the very PUTs the first sync sends (inventory and
  price of every SKU), same concurrency, no log, no planning;
- first sync: ``push_catalog`` from an empty outbox (plan, queue every push before
  sending, record each outcome as it returns);
- no-change sync: ``push_catalog`` again, nothing changed;
- Jet's SKU list: ``jet_status.follow`` (the DAG's first step), its time and GETs.

Every PUT pays the same simulated network round trip (``--latency-ms``, default 25 ms,
the sandbox's ``latency`` fault): Jet was a remote API, and with no latency a local
sandbox measures only its own CPU. Targets: first sync >= 80 % of the plain loop's
throughput; the no-change sync sends 0 requests and takes < 5 % of the first sync's
time. Results: printed table + bench/results/catalog_sync.json.
"""

from __future__ import annotations

import argparse
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

from jet.api.models import json_text  # noqa: E402
from jet.catalog.demo import seed_from_sandbox  # noqa: E402
from jet.catalog.jet_status import follow  # noqa: E402
from jet.catalog.sync import current_settings, plan, push_catalog  # noqa: E402
from jet.outbox import kind  # noqa: E402
from jet.runs import RunIdentity  # noqa: E402
from jet.warehouse.scratch import empty, scratch_database  # noqa: E402
from jet_sandbox.testing import SandboxProcess  # noqa: E402

CONCURRENCY = 16
TABLES = (
    "jet.jet_skus", "jet.action_attempts", "jet.actions",
    "jet.decision_lines", "jet.decisions", "jet.inventory", "jet.products",
)  # fmt: skip


def bench_database() -> str:
    """A scratch database next to the warehouse, migrated."""
    return scratch_database(os.environ["JET_WAREHOUSE_URL"], "bench")


def bench_run(name: str, observed: datetime) -> RunIdentity:
    """A run of jet_catalog_sync of its own (the outbox keys its actions by the run)."""
    return RunIdentity("jet_catalog_sync", f"bench__{name}__{time.time_ns()}", observed)


def point_hook_at(sandbox: SandboxProcess) -> None:
    # A budget far above what one sandbox serves: it must not be what we measure.
    extra = {"rate_limit_per_second": 100000, "rate_limit_burst": 1000, "max_concurrency": CONCURRENCY}
    os.environ["AIRFLOW_CONN_JET_API"] = sandbox.airflow_connection(extra=extra)


def plain_loop(api_url: str, token: str, puts: list[tuple[str, str]]) -> int:
    """Baseline: the same PUTs (path, JSON body), a plain concurrent loop, nothing recorded."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=CONCURRENCY, pool_maxsize=CONCURRENCY)
    session.mount("http://", adapter)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def put(item: tuple[str, str]) -> int:
        response = session.put(f"{api_url}{item[0]}", data=item[1], headers=headers, timeout=30)
        response.raise_for_status()
        return 1

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return sum(pool.map(put, puts))


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def count_requests(sandbox: SandboxProcess) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in sandbox.requests_log():
        if r["path"] != "/api/token":
            counts[r["method"]] = counts.get(r["method"], 0) + 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="catalog sync benchmark")
    parser.add_argument("--skus", type=int, default=int(os.environ.get("BENCH_SKUS", 50000)))
    parser.add_argument("--latency-ms", type=float, default=25.0, help="simulated network round trip per PUT")
    args = parser.parse_args()
    db = bench_database()
    observed = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    out: dict[str, Any] = {"skus": args.skus, "concurrency": CONCURRENCY, "latency_ms": args.latency_ms}

    with (
        SandboxProcess(seed=11, scenario="empty", clock="manual", startup_timeout=120) as sandbox,
        psycopg.connect(db, autocommit=True) as conn,
    ):
        sandbox.reset(seed=11, scenario="empty", config={"catalog_size": args.skus, "unknown_sku_share": 0})
        point_hook_at(sandbox)
        empty(conn, TABLES)
        seed_from_sandbox(conn, sandbox.truth("catalog"), observed)
        from jet.api.hook import JetHook

        settings = current_settings(conn)
        wanted = plan(conn, settings)
        puts = [(kind(w.call).path.format(subject=w.sku), json_text(w.body)) for w in wanted]
        if args.latency_ms > 0:
            sandbox.set_faults(
                [{"kind": "latency", "rate": 1.0, "methods": ["PUT"], "params": {"seconds": args.latency_ms / 1000}}]
            )
        token = sandbox.token()
        plain_loop(sandbox.api_url, token, puts[:200])  # warm up
        t_plain, _ = timed(plain_loop, sandbox.api_url, token, puts)

        # The plain loop already set every value: reset Jet so the first sync changes everything again.
        sandbox.reset(seed=11, scenario="empty", config={"catalog_size": args.skus, "unknown_sku_share": 0})
        if args.latency_ms > 0:
            sandbox.set_faults(
                [{"kind": "latency", "rate": 1.0, "methods": ["PUT"], "params": {"seconds": args.latency_ms / 1000}}]
            )
        hook = JetHook()
        sandbox.clear_requests()
        t_follow, follow_receipt = timed(follow, conn, hook, "bench/follow", observed)
        follow_requests = count_requests(sandbox)
        sandbox.clear_requests()
        t_first, first = timed(push_catalog, conn, hook, bench_run("first", observed))
        first_requests = count_requests(sandbox)
        sandbox.clear_requests()
        t_again, again = timed(push_catalog, conn, hook, bench_run("again", observed))
        again_requests = count_requests(sandbox)
        sandbox.clear_requests()
        t_follow_again, _ = timed(follow, conn, hook, "bench/follow-again", observed)
        follow_again_requests = count_requests(sandbox)
        assert first["outcomes"] == {"accepted": len(puts)}, first
        assert again["requests"] == 0, again

    rate_plain = len(puts) / t_plain
    rate_first = first["requests"] / t_first
    rows = [
        ("plain concurrent loop of the same PUTs", t_plain, len(puts), rate_plain),
        ("first sync (push_catalog, empty log)", t_first, first_requests.get("PUT", 0), rate_first),
        ("no-change sync (push_catalog)", t_again, sum(again_requests.values()), None),
        ("Jet's SKU list, first pull (follow)", t_follow, sum(follow_requests.values()), None),
        ("Jet's SKU list, unchanged (follow)", t_follow_again, sum(follow_again_requests.values()), None),
    ]
    ratios = {
        "first sync / plain loop throughput (target >= 0.80)": rate_first / rate_plain,
        "no-change sync / first sync time (target < 0.05)": t_again / t_first,
        "no-change sync + SKU list / first sync + SKU list time": (t_again + t_follow_again) / (t_first + t_follow),
    }
    out["rows"] = [
        {"what": w, "seconds": round(t, 3), "requests": n, "requests_per_second": round(r, 1) if r else None}
        for w, t, n, r in rows
    ]
    out["ratios"] = {k: round(v, 4) for k, v in ratios.items()}
    out["follow"] = {k: v for k, v in follow_receipt.items() if not k.endswith("_skus")}
    print(
        f"\nCatalog sync, {args.skus} SKUs ({len(puts)} PUTs: inventory + price), concurrency {CONCURRENCY},"
        f" simulated round trip {args.latency_ms:g} ms per PUT"
    )
    width = max(len(r[0]) for r in rows) + 2
    print(f"  {'':<{width}} {'seconds':>9} {'requests':>9} {'req/s':>9}")
    for w, t, n, r in rows:
        print(f"  {w:<{width}} {t:>9.2f} {n:>9,} {(f'{r:,.0f}' if r else '-'):>9}")
    print()
    width = max(map(len, ratios)) + 2
    for k, v in ratios.items():
        print(f"  {k:<{width}} {v:>8.3f}")
    write_results("catalog_sync", out)


if __name__ == "__main__":
    main()
