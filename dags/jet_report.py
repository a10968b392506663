"""
### The P&L report (daily after `jet_settlement`, and by hand for any date range)

**write_report** writes one self-contained HTML file, readable offline (plotly.js is
embedded), opening with five headline figures (revenue, Jet fees, refunds, cost of
goods, contribution margin), then charts, each with a table of its numbers:

- daily revenue, fees, refunds and margin, and fees as a share of revenue;
- contribution margin by SKU, best and worst;
- estimated vs actual margin per order (how far estimates were off, and why);
- acknowledgement latency (ready → acknowledged, against Jet's 15 minutes);
- cancellation and rejection rate by day and reason;
- reconciliation per settlement (tie-out and unallocated).

It runs when `jet_settlement` emits `jet_pnl_refreshed`, over the `days` days up to the
last day that run settled. Triggered by hand, `date_from` / `date_to` choose the period
(UTC days, both included; empty: `days` days up to yesterday). The file is
`pnl_report_<from>_<to>.html` in `$JET_REPORT_DIR` (default `<project>/.local/reports/`);
its path is in the task's receipt (XCom). Writing a period again replaces its file.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task

from jet.assets import PNL_REFRESHED
from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_report",
    schedule=[PNL_REFRESHED],  # once the day's settlement is reconciled and its P&L refreshed
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,  # two runs for the same period would write the same file
    default_args=default_args(execution_timeout=timedelta(minutes=10)),
    params={
        "date_from": Param(None, type=["null", "string"], format="date", title="From (UTC date, included)"),
        "date_to": Param(None, type=["null", "string"], format="date", title="To (UTC date, included)"),
        "days": Param(
            30,
            type="integer",
            minimum=1,
            maximum=731,
            title="Days",
            description="Length of the period when From is empty, ending on To (or the last settled day).",
        ),
    },
    description="The P&L report: after each settled day, or by hand for any date range",
    tags=tags("finance", "pnl", "report"),
    doc_md=__doc__,
)
def jet_report() -> None:
    @task(multiple_outputs=False)  # one receipt: the file's path and the headline figures
    def write_report(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.report.tasks import last_settled_day, period_for_run, write_pnl_report
        from jet.runs import run_identity

        events = context["triggering_asset_events"].get(PNL_REFRESHED, [])
        period = period_for_run(
            checked_params(context), run_at=context["dag_run"].run_after, settled_through=last_settled_day(events)
        )
        return write_pnl_report(run_identity(context), period)

    write_report()


jet_report()
