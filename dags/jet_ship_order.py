"""
### Record a shipment (or a cancellation) for an order

What the merchant's warehouse shipped: the order, the carrier and method (from Jet's
lists), the tracking number, the ship date, the ship-from ZIP, and per SKU the units
shipped and the units cancelled. Optional RMA number, days to return and return
address travel with the shipped units.

- **lines** empty: every unit still open on the order ships (or, with
  **cancel_open_units**, is cancelled: a cancellation-only shipment).
- Refused, with a message, when the order is unknown or complete, a SKU is not on
  it, more units would move than are open, or the carrier / method is not Jet's.

Only *records* the shipment (`jet.shipment_requests`); `jet_fulfillment` uploads it
within 10 minutes once Jet shows the order acknowledged, and confirms it.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import ship_order_params


@dag(
    dag_id="jet_ship_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,  # recordings of one order are serialised by a row lock
    # A refused shipment is refused again: one retry covers a lost database connection.
    default_args=default_args(retries=1),
    description="By hand: record a shipment (or a cancellation) for an order",
    tags=tags("manual", "fulfillment"),
    doc_md=__doc__,
    params=ship_order_params(),
)
def jet_ship_order() -> None:
    @task(multiple_outputs=False)
    def record_shipment(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.fulfillment.tasks import record, shipment_from_params
        from jet.runs import run_identity

        params, run = checked_params(context), run_identity(context)
        return record(run, shipment_from_params(params, run))

    record_shipment()


jet_ship_order()
