"""
### Jet orders: pull ready orders, refresh open ones (every 10 minutes)

1. **pull_ready_orders** lists Jet's `ready` orders (never `created`: those are in
   Jet's fraud check), fetches their details concurrently within the rate budget,
   lands every distinct payload raw (`jet.order_payloads`) and normalized
   (`jet.orders`, `jet.order_items`, `jet.customers`, `jet.shipping_addresses`,
   `jet.order_shipments`, `jet.order_status_history`), one transaction per batch.
   Invalid payloads go to `jet.quarantine` with their raw body; orders Jet answers
   404 for go to `jet.order_fetch_misses`; the rest flow on.
2. **refresh_open_orders** re-reads `acknowledged` and `inprogress` orders and every
   order the warehouse still holds as open, so status changes and shipments land.
3. **publish_orders_landed** emits the `jet_orders_landed` Asset when anything
   changed; `jet_decide_orders` runs on it.

Tasks per run are fixed (batches inside tasks, not one task per order) and XCom
carries only counts and batch keys. Re-running a run changes nothing: rows are
stamped with the run's logical time and upserted only when their content changed.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from jet.assets import ORDERS_LANDED
from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_orders",
    schedule=timedelta(minutes=10),
    start_date=START_DATE,
    catchup=False,  # Jet only lists current orders; past intervals have nothing to pull
    max_active_runs=1,  # two overlapping pulls would race for the same orders
    dagrun_timeout=timedelta(minutes=9),  # the next run is due in 10 minutes
    default_args=default_args(execution_timeout=timedelta(minutes=8)),
    description="Every 10 minutes: land Jet's ready orders and refresh the open ones",
    tags=tags("ingest", "orders"),
    doc_md=__doc__,
)
def jet_orders() -> None:
    @task(multiple_outputs=False)  # one receipt dict per task, not one XCom per key
    def pull_ready_orders(**context) -> dict:
        from jet.orders.tasks import pull_ready
        from jet.runs import run_identity

        return pull_ready(run_identity(context))

    @task(multiple_outputs=False)  # one receipt dict per task, not one XCom per key
    def refresh_open_orders(**context) -> dict:
        from jet.orders.tasks import refresh_open
        from jet.runs import run_identity

        return refresh_open(run_identity(context))

    @task(outlets=[ORDERS_LANDED], multiple_outputs=False)
    def publish_orders_landed(ready: dict, refreshed: dict) -> dict:
        """Emit the Asset only when something landed or changed (skip = no event)."""
        from airflow.sdk.exceptions import AirflowSkipException

        summary = {
            "ready_loaded": ready["loaded"],
            "refreshed": refreshed["loaded"],
            "changed": ready["changed"] + refreshed["changed"],
            "quarantined": ready["quarantined"] + refreshed["quarantined"],
            "missing_at_jet": ready["missing"] + refreshed["missing"],
        }
        if summary["changed"] == 0:
            raise AirflowSkipException(f"nothing changed: {summary}")
        return summary

    ready = pull_ready_orders()
    refreshed = refresh_open_orders()
    ready >> refreshed  # refresh skips what the pull just fetched
    publish_orders_landed(ready, refreshed)


jet_orders()
