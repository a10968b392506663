"""Take a full-page screenshot of a P&L report in a headless Chromium, with the network off.

    scripts/run python scripts/report_screenshot.py REPORT.html [--out report.png] [--width 1360]

The report is opened with every request other than the file itself refused, every chart
is waited for, and the script fails when a chart drew no data or a request was made.
``--write-from-warehouse FROM TO`` first writes the report of that period from the
warehouse (``--warehouse``, default ``JET_WAREHOUSE_URL``) into the report folder
(``JET_REPORT_DIR``, default ``.local/reports/``), then shoots it. ``docs/report.png`` is
the month the settlement tests build (``tests/integration/report/test_report.py``):

    scripts/run pytest tests/integration/report/test_report.py -k headline
    scripts/run python scripts/report_screenshot.py --warehouse postgresql://...:5432/<test warehouse>_settlement \
        --write-from-warehouse 2026-02-01 2026-03-01 --out docs/report.png
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "include"))

from jet.report.browser import screenshot  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, help="the report's HTML file")
    parser.add_argument("--out", type=Path, default=ROOT / ".local" / "reports" / "report.png")
    parser.add_argument("--width", type=int, default=1360, help="viewport width in CSS pixels")
    parser.add_argument("--write-from-warehouse", nargs=2, metavar=("FROM", "TO"), help="write this period first")
    parser.add_argument("--warehouse", default=os.environ.get("JET_WAREHOUSE_URL"), help="default: JET_WAREHOUSE_URL")
    args = parser.parse_args()
    report = args.report
    if args.write_from_warehouse:
        import psycopg

        from jet.report.figures import ReportPeriod
        from jet.report.render import write_report
        from jet.runs import RunIdentity

        first, last = (datetime.strptime(d, "%Y-%m-%d").replace(tzinfo=UTC).date() for d in args.write_from_warehouse)
        run = RunIdentity("report_screenshot", None, datetime.combine(last, datetime.min.time(), UTC))
        if not args.warehouse:
            parser.error("--write-from-warehouse needs --warehouse or JET_WAREHOUSE_URL")
        with psycopg.connect(args.warehouse, autocommit=True) as conn:
            report = write_report(conn, ReportPeriod(first, last), run).path
        print(f"report written: {report}")
    if report is None:
        parser.error("give a report file, or --write-from-warehouse FROM TO")
    if not report.is_file():
        parser.error(f"{report} is not a file")
    opened = screenshot(report, args.out, width=args.width)
    empty = sorted(k for k, marks in opened.charts_drawn.items() if marks <= 0)
    print(f"{args.out}: {opened.charts} charts, marks drawn per chart {opened.charts_drawn}")
    if opened.requests_blocked or opened.console_errors or empty:
        print(f"requests refused: {opened.requests_blocked}", file=sys.stderr)
        print(f"console errors: {opened.console_errors}", file=sys.stderr)
        print(f"charts with no data drawn: {empty}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
