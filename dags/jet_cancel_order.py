"""
### Cancel an order, with a reason

- Not yet acknowledged (`ready` at Jet): the order is **rejected** with the
  acknowledgement status that matches the reason (one acknowledgement call per order,
  ever).
- Acknowledged, units not shipped: every open unit is **cancelled** through Jet's
  shipped call (a cancel-only shipment).
- Everything shipped: **refused**; shipped units can only be refunded.

Goes through the outbox like the automatic flow: committed before the call, settled
by re-reading the order when the outcome is unknown.

- **merchant_order_id**: the Jet order id.
- **reason** (required, no default): why (sent to Jet before acknowledgement; recorded
  in `jet.actions.reason`).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import cancel_order_params


@dag(
    dag_id="jet_cancel_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,  # cancels of different orders are independent; the outbox serialises per order
    # One retry only: a refused cancel will be refused again; a lost connection is settled on retry.
    default_args=default_args(retries=1),
    description="By hand: cancel an order or some of its units, with a reason",
    tags=tags("manual", "orders"),
    doc_md=__doc__,
    params=cancel_order_params(),
)
def jet_cancel_order() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def cancel_order(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.decisions.tasks import cancel
        from jet.runs import run_identity

        p = checked_params(context)
        return cancel(run_identity(context), p["merchant_order_id"], p["reason"])

    cancel_order()


jet_cancel_order()
