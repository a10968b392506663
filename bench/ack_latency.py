"""Ready → acknowledged latency under the real scheduler: the 10-minute schedule against
the event-driven path, in one run.

Two Airflow deployments run side by side for the same minutes, each exactly as one is
deployed (API server, scheduler, DAG processor and triggerer as separate processes;
LocalExecutor, or CeleryExecutor on Redis with two workers), each on scratch databases
of its own (AIRFLOW_HOME under ``.local/bench/ack_latency/``, a metadata database and a
warehouse per deployment) and its own Jet sandbox on its real clock:

* **schedule**: ``jet_orders`` every 10 minutes, ``jet_decide_orders`` on the orders it
  lands (and its own 10-minute timer);
* **event**: the same two DAGs plus ``jet_new_orders`` on the ready-orders watcher.

Both sandboxes receive Poisson arrivals at ``--rate`` orders/h for ``--minutes``; Jet's
fraud check holds each order ``--fraud-check-seconds`` before it is ready. The measured
orders are those ready by the end of the arrivals plus the fraud check (Jet re-sends a
rejected order as a new one; later re-sends are left out). After the arrivals stop, the
run waits until every measured order is answered or withdrawn by Jet (its 15-minute
window). Reported per path from the sandbox's ground truth and ledger:
ready → acknowledged p50 / p95 / p99 / max (Jet's ``order_acknowledge_date -
order_ready_date``: the answer, accepted or rejected), orders withdrawn, answers applied
more than once; from each metadata database the scheduler's overhead per task (scheduled
→ queued → running) and, for the event path, where an order's seconds go.

Run: ``scripts/run python bench/ack_latency.py [--minutes 15] [--rate 120] [--executor local|celery]``
Writes ``bench/results/ack_latency_<executor>.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

from bench.support.airflow_stack import AirflowStack, StackError, metadata_database  # noqa: E402
from bench.support.results import write_results  # noqa: E402

from jet.api.models import parse_jet_datetime  # noqa: E402
from jet.decisions.report import percentile  # noqa: E402
from jet.runtime import ComponentExited, RedisUnavailable, check_redis, redis_url  # noqa: E402
from jet.warehouse.db import airflow_connection  # noqa: E402
from jet.warehouse.scratch import scratch_database  # noqa: E402

SQL = ROOT / "bench" / "sql"
PATHS: dict[str, list[str]] = {
    "schedule": ["jet_orders", "jet_decide_orders"],
    "event": ["jet_orders", "jet_decide_orders", "jet_new_orders"],
}
WATCHED_ASSET = "jet_ready_orders"


def stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }


class Deployment:
    """One path: a sandbox, a warehouse, a metadata database and an Airflow stack."""

    def __init__(self, path: str, args: argparse.Namespace, base_url: str, meta_reference: str) -> None:
        from jet_sandbox.testing import SandboxProcess

        self.path = path
        self.args = args
        self.workdir = ROOT / ".local" / "bench" / "ack_latency" / f"{args.executor}-{path}"
        # Named by executor too: a Local and a Celery run may go on at the same time.
        suffix = f"ackbench_{args.executor}_{path}"
        self.warehouse_url = scratch_database(base_url, suffix, fresh=True)
        self.metadata_url = metadata_database(meta_reference, f"{base_url.rsplit('/', 1)[1]}_{suffix}_meta")
        self.sandbox = SandboxProcess(
            seed=args.seed, scenario="empty", clock="real", start=datetime.now(UTC).isoformat()
        )
        self.stack: AirflowStack | None = None

    def prepare(self) -> None:
        """Warehouse migrated and holding the sandbox's catalog; the sandbox started."""
        import psycopg

        from jet.catalog.demo import seed_from_sandbox

        self.sandbox.start_process()
        # Its real clock started from ``start`` when the process did, seconds later: align it
        # with the wall clock Airflow stamps its metadata with, for the step breakdown.
        self.sandbox.set_now(datetime.now(UTC).isoformat())
        with psycopg.connect(self.warehouse_url, autocommit=True) as conn:
            seed_from_sandbox(conn, self.sandbox.truth("catalog"), parse_jet_datetime(self.sandbox.now()))

    def start_airflow(self) -> None:
        env = {
            "AIRFLOW_CONN_JET_API": self.sandbox.airflow_connection(
                extra={"ready_poll_seconds": self.args.poll_seconds}
            ),
            "AIRFLOW_CONN_JET_WAREHOUSE": airflow_connection(self.warehouse_url),
            "JET_WAREHOUSE_URL": self.warehouse_url,
        }
        self.stack = AirflowStack(
            self.workdir,
            self.metadata_url,
            PATHS[self.path],
            env,
            executor=self.args.executor,
        )
        self.stack.start()
        self.stack.unpause(PATHS[self.path])

    def arrivals(self, rate: float) -> None:
        self.sandbox.set_config(arrivals_per_hour=rate, fraud_check_delay_seconds=self.args.fraud_check_seconds)

    def now(self) -> datetime:
        return parse_jet_datetime(self.sandbox.now())

    def orders(self, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
        """The orders of the measured window: placed since ``since`` and ready by ``until``
        (or still in Jet's fraud check). Jet re-sends a rejected order as a new one; a
        re-send that becomes ready after ``until`` is traffic of the next window, not this one.
        """
        out = []
        for entry in self.sandbox.truth_orders():
            order = entry["order"]
            placed = order.get("order_placed_date") or order.get("order_ready_date")
            if not placed or parse_jet_datetime(placed) < since:
                continue
            ready = order.get("order_ready_date")
            if until is not None and ready and parse_jet_datetime(ready) > until:
                continue
            if until is not None and not ready and entry["state"].get("resent_from"):
                continue
            out.append(entry)
        return out

    def settled(self, since: datetime, until: datetime) -> bool:
        """Every order of the window is ready and then answered or withdrawn."""
        for entry in self.orders(since, until):
            order, state = entry["order"], entry["state"]
            if not order.get("order_ready_date"):
                return False
            if order.get("order_acknowledge_date") is None and not state["withdrawn"]:
                return False
        return True

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        self.sandbox.stop()

    # ------------------------------------------------------------------ measurements
    def measure(self, since: datetime, until: datetime) -> dict[str, Any]:
        orders = self.orders(since, until)
        latencies: list[float] = []
        withdrawn: list[str] = []
        unanswered: list[str] = []
        per_order: dict[str, tuple[datetime, datetime | None]] = {}
        for entry in orders:
            order, state = entry["order"], entry["state"]
            oid = order["merchant_order_id"]
            ready = parse_jet_datetime(order["order_ready_date"]) if order.get("order_ready_date") else None
            acked = order.get("order_acknowledge_date")
            if state["withdrawn"]:
                withdrawn.append(oid)
            if ready is None:
                unanswered.append(oid)
                continue
            if acked is None:
                unanswered.append(oid)
                per_order[oid] = (ready, None)
                continue
            acked_at = parse_jet_datetime(acked)
            per_order[oid] = (ready, acked_at)
            latencies.append((acked_at - ready).total_seconds())
        answers = Counter(
            e["merchant_order_id"]
            for e in self.sandbox.ledger()
            if e.get("merchant_order_id") in per_order and "acknowledgement_status" in (e.get("body") or {})
        )
        result: dict[str, Any] = {
            "path": self.path,
            "orders": len(orders),
            "answered": len(latencies),
            "withdrawn": withdrawn,
            "unanswered": unanswered,
            "answered_more_than_once": sorted(o for o, n in answers.items() if n > 1),
            "ready_to_ack_seconds": stats(latencies),
        }
        result.update(self.scheduler_overhead(since))
        if self.path == "event":
            result["event_breakdown_seconds"] = self.event_breakdown(since, per_order)
        return result

    def _query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(self.metadata_url, autocommit=True, row_factory=dict_row) as conn:
            return list(conn.execute((SQL / name).read_text(), params).fetchall())

    def scheduler_overhead(self, since: datetime) -> dict[str, Any]:
        tasks: dict[str, dict[str, list[float]]] = {}
        for row in self._query("ack_latency_task_overhead.sql", since=since):
            key = f"{row['dag_id']}.{row['task_id']}"
            bucket = tasks.setdefault(key, {"scheduled_to_queued": [], "queued_to_running": [], "running": []})
            for col in bucket:
                if row[col] is not None:
                    bucket[col].append(float(row[col]))
        runs = {f"{r['dag_id']}:{r['state']}": r["runs"] for r in self._query("ack_latency_runs.sql", since=since)}
        every = [v for b in tasks.values() for v in b["queued_to_running"]]
        return {
            "dag_runs": runs,
            "queued_to_running_all_tasks": stats(every),
            "tasks": {k: {c: stats(v) for c, v in b.items()} for k, b in sorted(tasks.items())},
        }

    def event_breakdown(self, since: datetime, per_order: dict[str, tuple[datetime, datetime | None]]) -> dict:
        """Per order signalled by the watcher: the seconds of each step, first event only."""
        first: dict[str, dict[str, Any]] = {}
        for row in self._query("ack_latency_event_runs.sql", asset=WATCHED_ASSET, since=since):
            for oid in json.loads(row["ids"] or "[]"):
                if oid not in first or (first[oid]["run_id"] is None and row["run_id"] is not None):
                    first[oid] = row
        steps: dict[str, list[float]] = {
            "ready_to_event (poll + triggerer)": [],
            "event_to_run_queued (scheduler)": [],
            "run_queued_to_land_queued (scheduler)": [],
            "land_queued_to_running (executor)": [],
            "land_running": [],
            "land_end_to_ack_queued (scheduler)": [],
            "ack_queued_to_running (executor)": [],
            "ack_running_to_answer_at_jet": [],
        }
        signalled = 0
        for oid, (ready, acked) in per_order.items():
            row = first.get(oid)
            if row is None:
                continue
            signalled += 1
            marks = [
                ready,
                row["event_at"],
                row["run_queued_at"],
                row["land_queued_at"],
                row["land_started_at"],
                row["land_ended_at"],
                row["ack_queued_at"],
                row["ack_started_at"],
                acked,
            ]
            for name, (a, b) in zip(steps, itertools.pairwise(marks), strict=True):
                if a is not None and b is not None:
                    steps[name].append((b - a).total_seconds())
        return {"orders_signalled": signalled, "orders": len(per_order), **{k: stats(v) for k, v in steps.items()}}


def fmt(value: Any, width: int = 8) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, float):
        return f"{value:>{width}.1f}"
    return f"{value:>{width}}"


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"ready -> acknowledged under the real scheduler ({args.executor} executor), "
        f"{args.minutes:g} min of arrivals at {args.rate:g} orders/h, poll {args.poll_seconds:g} s",
        f"{'path':<10}{'orders':>8}{'answered':>9}{'withdrawn':>10}{'twice':>6}"
        f"{'p50 s':>8}{'p95 s':>8}{'p99 s':>8}{'max s':>8}{'q->run p50':>11}{'q->run p95':>11}",
    ]
    for path, r in results.items():
        s, o = r["ready_to_ack_seconds"], r["queued_to_running_all_tasks"]
        lines.append(
            f"{path:<10}{r['orders']:>8}{r['answered']:>9}{len(r['withdrawn']):>10}{len(r['answered_more_than_once']):>6}"
            f"{fmt(s['p50'])}{fmt(s['p95'])}{fmt(s['p99'])}{fmt(s['max'])}{fmt(o['p50'], 11)}{fmt(o['p95'], 11)}"
        )
    event = results.get("event", {}).get("event_breakdown_seconds")
    if event:
        lines.append("")
        lines.append(f"event path, where the seconds go ({event['orders_signalled']} orders signalled):")
        lines.append(f"  {'step':<42}{'p50':>8}{'p95':>8}{'max':>8}")
        for name, s in event.items():
            if isinstance(s, dict):
                lines.append(f"  {name:<42}{fmt(s['p50'])}{fmt(s['p95'])}{fmt(s['max'])}")
    return "\n".join(lines)


def markdown(doc: dict[str, Any]) -> str:
    """The results as Markdown tables (docs/performance.md carries them)."""
    results = doc["results"]
    lines = [
        f"{doc['executor']} executor, {doc['minutes']:g} min of arrivals at {doc['rate_per_hour']:g} orders/h, "
        f"watcher poll {doc['poll_seconds']:g} s, load average at the end {doc['load_average_at_end'][0]:.1f} "
        f"on {doc['cpu_count']} cores",
        "",
        "| path | orders | answered | withdrawn | answered twice | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for path, r in results.items():
        s = r["ready_to_ack_seconds"]
        cells = [f"{s[k]:.1f} s" if s[k] is not None else "-" for k in ("p50", "p95", "p99", "max")]
        lines.append(
            f"| {path} | {r['orders']} | {r['answered']} | {len(r['withdrawn'])} | "
            f"{len(r['answered_more_than_once'])} | " + " | ".join(cells) + " |"
        )
    paths = list(results)
    lines += ["", "Scheduler overhead per task, queued → running (seconds, p50 / p95 over the runs; runs):", ""]
    lines += ["| task | " + " | ".join(paths) + " |", "|---|" + "---|" * len(paths)]
    tasks = sorted({t for r in results.values() for t in r["tasks"]})
    for task in tasks:
        cells = []
        for path in paths:
            q = results[path]["tasks"].get(task, {}).get("queued_to_running", {"n": 0})
            cells.append(f"{q['p50']:.2f} / {q['p95']:.2f} ({q['n']})" if q["n"] else "-")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    event = results.get("event", {}).get("event_breakdown_seconds")
    if event:
        lines += ["", f"Event path, where an order's seconds go ({event['orders_signalled']} orders):", ""]
        lines += ["| step | p50 | p95 | max |", "|---|---|---|---|"]
        for name, s in event.items():
            if isinstance(s, dict) and s["n"]:
                lines.append(f"| {name} | {s['p50']:.1f} | {s['p95']:.1f} | {s['max']:.1f} |")
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0, help="minutes of arrivals (default 15)")
    parser.add_argument("--rate", type=float, default=120.0, help="orders per hour (default 120)")
    parser.add_argument("--executor", choices=("local", "celery"), default="local")
    parser.add_argument("--poll-seconds", type=float, default=5.0, help="the watcher's poll interval")
    parser.add_argument("--fraud-check-seconds", type=float, default=60.0, help="created -> ready at Jet")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--paths", default="schedule,event", help="which paths to run (comma-separated)")
    parser.add_argument("--from-json", type=Path, help="print the tables of an earlier run's results file and stop")
    args = parser.parse_args()
    args.path_list = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = set(args.path_list) - set(PATHS)
    if unknown:
        parser.error(f"unknown paths {sorted(unknown)}; known: {sorted(PATHS)}")
    if args.executor == "celery" and not args.from_json:
        try:
            check_redis(redis_url())
        except (RedisUnavailable, ValueError) as exc:
            parser.error(str(exc))
    return args


def _run(deployments: list[Deployment], args: argparse.Namespace) -> dict[str, Any]:
    """Start each Airflow, run the arrivals, drain, and measure every path."""
    pause = threading.Event()
    for d in deployments:
        d.prepare()
    # One after the other: starting two Airflows at once on two cores only slows both.
    for d in deployments:
        d.start_airflow()
        print(f"[{d.path}] Airflow up ({args.executor}) on {d.stack.url if d.stack else '?'}", flush=True)
    since = min(d.now() for d in deployments) - timedelta(seconds=1)
    for d in deployments:
        d.arrivals(args.rate)
    print(f"arrivals on for {args.minutes:g} min at {args.rate:g}/h", flush=True)
    end = time.monotonic() + args.minutes * 60
    while time.monotonic() < end:
        for d in deployments:
            if d.stack is not None:
                d.stack.check_alive()
        pause.wait(min(30.0, max(0.0, end - time.monotonic())))
    for d in deployments:
        d.arrivals(0)
    until = max(d.now() for d in deployments) + timedelta(seconds=args.fraud_check_seconds + 1)
    # Drain: every order becomes ready and is answered, or Jet withdraws it (15 min).
    drain_until = time.monotonic() + args.fraud_check_seconds + 16 * 60
    print("arrivals off; waiting until every order is answered or withdrawn", flush=True)
    while time.monotonic() < drain_until and not all(d.settled(since, until) for d in deployments):
        for d in deployments:
            if d.stack is not None:
                d.stack.check_alive()
        pause.wait(10.0)
    return {d.path: d.measure(since, until) for d in deployments}


def main() -> None:
    args = _arguments()
    if args.from_json:
        print(markdown(json.loads(args.from_json.read_text())))
        return
    paths = args.path_list
    base_url = os.environ["JET_WAREHOUSE_URL"]
    meta_reference = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    began = time.monotonic()
    deployments = [Deployment(p, args, base_url, meta_reference) for p in paths]
    try:
        results = _run(deployments, args)
    except (StackError, ComponentExited) as exc:
        print(f"an Airflow component failed: {exc}", file=sys.stderr)
        raise
    finally:
        for d in deployments:
            d.stop()
    elapsed = time.monotonic() - began
    out = write_results(
        f"ack_latency_{args.executor}",
        {
            "executor": args.executor,
            "minutes": args.minutes,
            "rate_per_hour": args.rate,
            "poll_seconds": args.poll_seconds,
            "fraud_check_seconds": args.fraud_check_seconds,
            "wall_seconds": round(elapsed, 1),
            "cpu_count": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "results": results,
        },
    )
    print(table(results, args))
    print()
    print(markdown(json.loads(out.read_text())))
    print(f"({elapsed / 60:.1f} min wall; load average now {os.getloadavg()[0]:.1f}; written {out})")


if __name__ == "__main__":
    main()
