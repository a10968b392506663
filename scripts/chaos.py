"""`make chaos`: a seeded fault campaign over the whole pipeline (see docs/chaos.md).

    make chaos                                  # seed 1, 10,000 orders, 7 days
    make chaos ARGS="--seed 7 --orders 2000 --days 2"

Uses the scratch warehouse ``<warehouse>_chaos_<seed>`` (dropped and recreated) and its own
sandbox process; exits 1 unless every figure is 0 and every fault class fired enough.
Task logs go to ``.local/chaos/seed-<seed>.log``. Run through ``scripts/run`` (make does).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))

from jet.chaos import CampaignOptions, render, run_campaign  # noqa: E402


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (Airflow's loggers write there: every retry
    and fault of the task bodies) to ``path``; the table goes to the terminal after."""
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


def scratch_url(seed: int) -> str:
    parts = urlsplit(os.environ["JET_WAREHOUSE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"{parts.path}_chaos_{seed}", "", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--target", type=int, default=20, help="faults wanted per class (at least 10)")
    args = parser.parse_args()
    if args.orders < 1 or args.days <= 0 or args.target < 0:
        parser.error("--orders must be >= 1, --days > 0, --target >= 0 (0: no faults, a baseline)")
    logs = ROOT / ".local" / "chaos"
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"seed-{args.seed}.log"
    options = CampaignOptions(
        seed=args.seed, orders=args.orders, days=args.days, target=args.target, warehouse_url=scratch_url(args.seed)
    )
    print(f"chaos: seed {args.seed}, {args.orders} orders, {args.days:g} days; task logs in {log_file}", flush=True)
    with logs_to(log_file):
        result = run_campaign(options)
    print(render(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
