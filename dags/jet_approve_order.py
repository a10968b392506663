"""
### Approve a held order

With `auto_acknowledge` off (`jet.settings`), `jet_decide_orders` holds every order
for an operator. This DAG acknowledges one held order (accepted, every line
fulfillable) through the outbox, exactly once, and fails with a readable message
when the order is not held, no longer `ready` at Jet, or has a SKU the catalog does
not know (cancel it instead with `jet_cancel_order`).

- **merchant_order_id**: the Jet order id (see `jet.orders_at_risk` for held orders and
  their deadlines).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import approve_order_params


@dag(
    dag_id="jet_approve_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,  # approvals of different orders are independent; the outbox serialises per order
    # One retry only: a refused approval will be refused again; a lost connection is settled on retry.
    default_args=default_args(retries=1),
    description="By hand: approve a held order (acknowledge it at Jet)",
    tags=tags("manual", "orders"),
    doc_md=__doc__,
    params=approve_order_params(),
)
def jet_approve_order() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def approve_order(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.decisions.tasks import approve
        from jet.runs import run_identity

        return approve(run_identity(context), checked_params(context)["merchant_order_id"])

    approve_order()


jet_approve_order()
