"""
### Import orders by hand

Imports or refreshes the orders you name, whatever their Jet status, through the
same path as the scheduled pull (validation, quarantine, COPY + upsert).

- **merchant_order_ids**: one or more Jet order ids (32 hex characters).
- **statuses** (optional): also re-pull every order Jet lists in these statuses...
- **placed_from / placed_to** (optional, dates): ...keeping those placed in this range.

Created orders (in Jet's fraud check) are never imported.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import import_order_params


@dag(
    dag_id="jet_import_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,
    default_args=default_args(),
    description="By hand: land given orders from Jet now, outside the schedule",
    tags=tags("manual", "orders"),
    doc_md=__doc__,
    params=import_order_params(),
)
def jet_import_order() -> None:
    @task(multiple_outputs=False)  # one receipt dict per task, not one XCom per key
    def import_orders(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.orders.tasks import import_orders as run_import
        from jet.runs import run_identity

        p = checked_params(context)
        return run_import(
            run_identity(context),
            merchant_order_ids=p["merchant_order_ids"],
            statuses=p["statuses"],
            placed_from=p["placed_from"],
            placed_to=p["placed_to"],
        )

    import_orders()


jet_import_order()
