"""
### Jet fulfilment: upload shipments, confirm them (every 10 minutes)

1. **upload_shipments** first records the cancel-only shipment a partial accept
   promised (the units `jet.decision_lines.units_to_cancel` says the stock could not
   supply), once per decision, for orders Jet shows acknowledged. Then it re-reads from
   Jet the orders of pending shipment requests
   (`jet.shipment_requests`, recorded by `jet_ship_order` or the warehouse system).
   For orders Jet shows `acknowledged` or `inprogress` it validates each request
   against Jet's own units and lists (carrier, method, no over-shipping) and queues it
   in the outbox (`jet.actions`, kind `ship:<request id>`), committed before the call;
   then `PUT /orders/{id}/shipped`, partial and cancellation-only shipments included.
   Orders still `ready` wait; a refused request gets its `problem` and a note, and is
   never sent. Unknown outcomes (timeouts, dropped connections) are settled by
   re-reading the order before anything is sent again.
2. The orders Jet accepted shipments for are re-read and landed, so
   `jet.order_shipments` shows the shipment: `jet.shipment_request_status` turns
   `confirmed`.

Writes are never retried blindly: a task retry only settles and resumes.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_fulfillment",
    schedule=timedelta(minutes=10),
    start_date=START_DATE,
    catchup=False,  # pending shipments are state, not an interval: a missed run has nothing of its own
    max_active_runs=1,  # two uploaders would race for the same requests
    dagrun_timeout=timedelta(minutes=9),
    default_args=default_args(execution_timeout=timedelta(minutes=8)),
    description="Every 10 minutes: send recorded shipments to Jet and confirm Jet took them",
    tags=tags("operations", "fulfillment"),
    doc_md=__doc__,
)
def jet_fulfillment() -> None:
    @task(multiple_outputs=False)
    def upload_shipments(**context) -> dict:
        from jet.fulfillment.tasks import upload
        from jet.runs import run_identity

        return upload(run_identity(context))

    upload_shipments()


jet_fulfillment()
