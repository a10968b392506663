"""Ready → acknowledged latency over a simulated day of arrivals on the sandbox clock.

Orders arrive at Jet as a Poisson process (``arrivals_per_hour``), sit in Jet's fraud
check, then become ``ready`` at their own instants. Every 10 sandbox minutes (the
``jet_orders`` schedule) the real steps run: pull the ready orders, decide, send,
settle. Latency is Jet's own ``order_acknowledge_date - order_ready_date`` (the
acknowledgement call, accepted or rejected), read from the sandbox's ground truth.

The sandbox clock stands still while a step runs, so the latency measured is the
scheduling delay; the wall time of each step (the real processing cost) is reported
next to it: the worst case is about one schedule interval plus the slowest step.

Run: ``scripts/run python bench/decisions_latency.py [--arrivals-per-hour N] [--hours H]``
(uses the benches' scratch warehouse ``<warehouse>_bench``, whose order and decision tables it
empties).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from bench.support.results import write_results  # noqa: E402

from jet.api.models import parse_jet_datetime  # noqa: E402
from jet.decisions.report import percentile, summarize_latency  # noqa: E402
from jet.runs import RunIdentity  # noqa: E402
from jet.warehouse.db import airflow_connection  # noqa: E402
from jet.warehouse.scratch import empty, scratch_database  # noqa: E402


def simulate_day(
    sandbox: Any,
    *,
    arrivals_per_hour: float = 30.0,
    hours: float = 24.0,
    step_minutes: int = 10,
    fraud_check_minutes: float = 30.0,
) -> dict[str, Any]:
    """Run the pipeline's pull + decide steps every ``step_minutes`` of sandbox time.

    ``sandbox`` is a running :class:`jet_sandbox.testing.SandboxProcess` whose catalog is
    already loaded into the warehouse, with the ``jet_api`` connection pointing at it.
    Returns latencies (minutes), their percentiles, and per-step wall times.
    """
    from jet.decisions.tasks import run_cycle
    from jet.orders.tasks import pull_ready

    start = parse_jet_datetime(sandbox.now())
    sandbox.set_config(
        arrivals_per_hour=arrivals_per_hour,
        fraud_check_delay_seconds=fraud_check_minutes * 60,
        resend_delay_seconds=fraud_check_minutes * 60,
    )
    steps = int(hours * 60 / step_minutes)
    step_seconds: list[float] = []
    try:
        for _ in range(steps):
            sandbox.advance(step_minutes * 60)
            now = parse_jet_datetime(sandbox.now())
            began = time.monotonic()
            pull_ready(RunIdentity("jet_orders", f"sim__{now:%Y%m%dT%H%M}", now))
            run_cycle(RunIdentity("jet_decide_orders", f"sim__{now:%Y%m%dT%H%M}", now))
            step_seconds.append(time.monotonic() - began)
    finally:
        sandbox.set_config(arrivals_per_hour=0)
    end = parse_jet_datetime(sandbox.now())

    latencies: list[float] = []
    unanswered: list[str] = []
    withdrawn: list[str] = []
    for entry in sandbox.truth_orders():
        order, state = entry["order"], entry["state"]
        ready = order.get("order_ready_date")
        if not ready or not (start < parse_jet_datetime(ready) <= end):
            continue
        if state["withdrawn"]:
            withdrawn.append(order["merchant_order_id"])
        acked = order.get("order_acknowledge_date")
        if acked is None:
            unanswered.append(order["merchant_order_id"])
            continue
        delta = parse_jet_datetime(acked) - parse_jet_datetime(ready)
        latencies.append(delta / timedelta(minutes=1))
    summary = summarize_latency(latencies)
    return {
        "arrivals_per_hour": arrivals_per_hour,
        "hours": hours,
        "step_minutes": step_minutes,
        "orders_ready": len(latencies) + len(unanswered),
        "answered": len(latencies),
        "unanswered": unanswered,
        "withdrawn": withdrawn,
        "latencies_minutes": latencies,
        "p50_minutes": summary.p50 if summary else None,
        "p99_minutes": summary.p99 if summary else None,
        "max_minutes": summary.max if summary else None,
        "over_window": summary.over_window if summary else None,
        "step_wall_seconds_p50": percentile(step_seconds, 50) if step_seconds else None,
        "step_wall_seconds_max": max(step_seconds) if step_seconds else None,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals-per-hour", type=float, default=30.0)
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()

    # The benches' scratch warehouse, not the test warehouse: a test run may be using that.
    url = scratch_database(os.environ["JET_WAREHOUSE_URL"], "bench")
    os.environ["AIRFLOW_CONN_JET_WAREHOUSE"] = airflow_connection(url)
    import psycopg

    from jet.catalog.demo import seed_from_sandbox
    from jet_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=42, scenario="empty", clock="manual") as sandbox:
        os.environ["AIRFLOW_CONN_JET_API"] = sandbox.airflow_connection()
        with psycopg.connect(url, autocommit=True) as conn:
            tables = ("jet.ingest_batches", "jet.order_payloads", "jet.quarantine", "jet.customers", "jet.orders")
            empty(conn, (*tables, "jet.products"))
            seed_from_sandbox(conn, sandbox.truth("catalog"), parse_jet_datetime(sandbox.now()))
        started = time.monotonic()
        result = simulate_day(sandbox, arrivals_per_hour=args.arrivals_per_hour, hours=args.hours)
        elapsed = time.monotonic() - started
    out = write_results("decisions_latency", {k: v for k, v in result.items() if k != "latencies_minutes"})
    print(f"simulated {args.hours:g} h at {args.arrivals_per_hour:g} orders/h in {elapsed:.1f} s wall")
    print(f"{'orders ready':<28}{result['orders_ready']:>10}")
    print(f"{'answered':<28}{result['answered']:>10}")
    print(f"{'withdrawn by Jet':<28}{len(result['withdrawn']):>10}")
    print(f"{'p50 ready->ack (min)':<28}{result['p50_minutes']:>10.2f}")
    print(f"{'p99 ready->ack (min)':<28}{result['p99_minutes']:>10.2f}")
    print(f"{'max ready->ack (min)':<28}{result['max_minutes']:>10.2f}")
    wall = f"{result['step_wall_seconds_p50']:.2f} / {result['step_wall_seconds_max']:.2f}"
    print(f"{'step wall p50 / max (s)':<28}{wall:>10}")
    print(f"results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
