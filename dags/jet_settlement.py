"""
### Jet settlements: land, reconcile to the cent, per-order P&L (daily)

1. **fetch_settlements** lists Jet's settlement reports and keeps those whose period
   ends in the run's window: its data interval reaching `lookback_days` (default 7)
   further back, so recent reports are re-read until they are final (`deposited`).
   Each report lands raw (`jet.settlement_report_payloads`) and typed
   (`jet.settlement_reports`); for a new or changed report the per-order
   `SettlementDetails` CSV is requested, downloaded and landed
   (`jet.settlement_detail_files`, `jet.settlement_lines`). Every row is validated:
   bad rows go to `jet.quarantine` (kind `settlement_line`) with the reason.
2. **import_missing_orders** fetches, through the order import path, every order the
   settlements name that the warehouse does not have.
3. **reconcile** ties each settlement's lines to its report's order balance, return
   balance and adjustments, per category, to the cent (set-based SQL); a difference is
   booked as an explicit `unallocated` line and the settlement flagged
   (`analytics.settlement_reconciliation`).
4. **compute_pnl** refreshes `jet.order_pnl`: estimate (the order's own fee fields)
   beside actual (settlement) per order, cost of goods from `jet.products`. Only the
   orders whose inputs changed since the last refresh are recomputed (new settlement
   lines, changed orders, changed unit costs: triggers queue them in
   `jet.pnl_pending`), so the daily work follows the day, not the history. Param
   `full_pnl_rebuild` recomputes every order instead; it gives the same rows. Emits
   the `jet_pnl_refreshed` Asset (the last settlement day covered in its extra), on
   which `jet_report` writes the P&L report.

Backfill a date range with
`airflow backfill create --dag-id jet_settlement --from-date 2026-02-01 --to-date 2026-02-28 --max-active-runs 1`:
each run covers its own day (plus the lookback). Re-running a run, or a backfill,
changes nothing: rows are stamped with the run's logical time and rewritten only when
their content changes. XCom carries counts and settlement ids, never rows.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task

from jet.assets import PNL_REFRESHED
from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_settlement",
    schedule="@daily",  # Jet closes one settlement report per UTC day
    start_date=START_DATE,
    catchup=False,  # past days are loaded on request: `airflow backfill create ... --max-active-runs 1`
    max_active_runs=1,  # runs overlap in their lookback; one at a time keeps stamps monotonic
    default_args=default_args(execution_timeout=timedelta(minutes=30)),
    params={
        "lookback_days": Param(
            7,
            type="integer",
            minimum=0,
            maximum=60,
            description="Days before the data interval whose reports are re-read until final (deposited).",
        ),
        "full_pnl_rebuild": Param(
            False,
            type="boolean",
            title="Rebuild the whole P&L",
            description="Recompute every order's P&L instead of only the orders whose inputs changed.",
        ),
    },
    description="Daily: land Jet's settlement report, reconcile it to the cent, refresh per-order P&L",
    tags=tags("finance", "settlement", "pnl"),
    doc_md=__doc__,
)
def jet_settlement() -> None:
    @task(multiple_outputs=False)  # one receipt per task, read whole downstream
    def fetch_settlements(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.runs import run_identity
        from jet.settlement.tasks import fetch_settlements
        from jet.settlement.window import settlement_window

        # A manual run may have no data interval: it then covers the day before it ran.
        end = context.get("data_interval_end") or context["dag_run"].run_after
        days = int(checked_params(context)["lookback_days"])
        window = settlement_window(context.get("data_interval_start"), end, days)
        return fetch_settlements(run_identity(context), window)

    @task(multiple_outputs=False)  # one receipt per task, read whole downstream
    def import_missing_orders(fetched: dict, **context) -> dict:
        from jet.runs import run_identity
        from jet.settlement.tasks import import_missing_orders

        return import_missing_orders(run_identity(context), fetched["settlement_ids"])

    @task(multiple_outputs=False)  # one receipt per task, read whole downstream
    def reconcile(fetched: dict, **context) -> dict:
        from jet.runs import run_identity
        from jet.settlement.tasks import reconcile_settlements

        return reconcile_settlements(run_identity(context), fetched["settlement_ids"])

    @task(outlets=[PNL_REFRESHED], multiple_outputs=False)
    def compute_pnl(fetched: dict, **context) -> dict:
        from jet.dag_params import checked_params
        from jet.runs import run_identity
        from jet.settlement.tasks import compute_pnl, pnl_refreshed_extra

        receipt = compute_pnl(run_identity(context), full=bool(checked_params(context)["full_pnl_rebuild"]))
        # jet_report reads which days this run settled from the event.
        context["outlet_events"][PNL_REFRESHED].extra = pnl_refreshed_extra(fetched)
        return receipt

    fetched = fetch_settlements()
    imported = import_missing_orders(fetched)
    reconciled = reconcile(fetched)
    # Orders are imported before reconciling, so the missing-order count it records is
    # what the import could not fetch; the P&L needs both the lines and the orders.
    imported >> reconciled >> compute_pnl(fetched)


jet_settlement()
