"""`make demo`: a trading period of the Jet business on the sandbox clock, then its summary.

Recreates the demo warehouse ``<warehouse>_demo`` (the demo never touches the warehouse
`make airflow` uses), starts a sandbox on a free port with its clock at a midnight,
points the ``jet_api`` and ``jet_warehouse`` connections at them and runs the period
(``DEMO_DAYS``, default 3; ``DEMO_ORDERS_PER_HOUR``, default 30) through the pipelines
in a deployment's order: :mod:`jet.demo.period`. The daily DAGs (``jet_settlement``,
``jet_report``, and ``jet_catalog_sync`` where it exists) are real ``airflow dags test``
runs. The summary is read back from the warehouse and Jet's ledger
(:func:`jet.demo.summarize`). Logs go to ``.local/demo/``. Run through ``scripts/run``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".local" / "demo"
sys.path.insert(0, str(ROOT / "include"))

from jet.demo import plan_from_env, run_period, summarize  # noqa: E402
from jet.demo.airflow import AirflowDaily  # noqa: E402
from jet.warehouse.scratch import scratch_database  # noqa: E402
from jet_sandbox.testing import SandboxProcess  # noqa: E402


def fresh_demo_warehouse() -> str:
    """Drop and recreate ``<warehouse>_demo``, then migrate it: each demo starts clean.
    Not durable: a throwaway database, and it spares the period thousands of flushes."""
    return scratch_database(os.environ["JET_WAREHOUSE_URL"], "demo", fresh=True, durable=False)


def connections(sandbox: SandboxProcess, warehouse: str) -> dict[str, str]:
    """AIRFLOW_CONN_* (and the warehouse URL) for the demo's sandbox and warehouse."""
    from jet.warehouse.db import airflow_connection

    extra = {"rate_limit_per_second": 500, "rate_limit_burst": 100, "max_concurrency": 8}
    return {
        "AIRFLOW_CONN_JET_API": sandbox.airflow_connection(extra=extra),
        "AIRFLOW_CONN_JET_WAREHOUSE": airflow_connection(warehouse),
        "JET_WAREHOUSE_URL": warehouse,
    }


@contextmanager
def logs_to(path: Path) -> Iterator[TextIO]:
    """Send this process's stdout and stderr (the pipeline's loggers) to ``path``; yield the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved[0]), "w", buffering=1)
    with path.open("w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            terminal.close()


def main() -> None:
    # Stopped with SIGTERM, unwind like Ctrl-C: the sandbox process and Airflow runs stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        plan = plan_from_env()
    except ValueError as exc:
        raise SystemExit(f"demo: {exc}") from None
    started = time.monotonic()
    LOGS.mkdir(parents=True, exist_ok=True)
    warehouse = fresh_demo_warehouse()
    print(f"Jetflow demo: warehouse {warehouse.rsplit('@', 1)[-1]} (recreated), logs in {LOGS.relative_to(ROOT)}/")
    print(
        f"A trading period of {plan.hours / 24:g} day(s) from {plan.start:%Y-%m-%d %H:%M}Z on the sandbox clock,"
        f" about {plan.orders_per_hour:g} orders an hour ({plan.orders_per_hour * plan.hours:,.0f} expected)"
    )
    with SandboxProcess(seed=42, scenario="empty", clock="manual", start=plan.start.isoformat()) as sandbox:
        env = connections(sandbox, warehouse)
        # The in-process steps read the same connections as the Airflow runs.
        os.environ.update(env)
        daily = AirflowDaily({**os.environ, **env}, LOGS, ROOT / "dags")
        print(f"sandbox on :{sandbox.port}; stages print as they go (task logs: {LOGS.relative_to(ROOT)}/period.log)")
        with logs_to(LOGS / "period.log") as terminal:
            result = run_period(sandbox, plan, daily, progress=lambda line: print(line, file=terminal))
        with psycopg.connect(warehouse) as conn:
            summary = summarize(conn, sandbox.ledger(), plan.start, plan.end, result.report)
    print()
    for line in summary.lines():
        print(line)
    wall = time.monotonic() - started
    steps = ", ".join(f"{k} {v:.0f}s" for k, v in sorted(result.seconds.items(), key=lambda kv: -kv[1]))
    airflow = ", ".join(f"{k} {v:.0f}s" for k, v in daily.seconds.items())
    print(f"\nDone in {wall / 60:.1f} min wall time, load average {os.getloadavg()[0]:.1f}.")
    print(f"  time in the period's steps (two lanes overlap): {steps}")
    print(f"  airflow dags test runs (settlement in the background): {airflow}")
    print(f"Explore the warehouse: psql {warehouse} (\\dv+ analytics.* lists the analysts' views)")


if __name__ == "__main__":
    main()
