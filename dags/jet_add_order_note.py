"""
### Add a note to an order

Appends a dated note, with its author, to `jet.order_notes`. Notes are append-only:
the database refuses to change or delete them, so an order's history
(`jet.order_history`) reads top to bottom, people's notes between the system's
(decisions, uploads, returns, refunds).
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from jet.dag_defaults import START_DATE, default_args
from jet.dag_params import jet_id_param


@dag(
    dag_id="jet_add_order_note",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=8,  # notes are independent appends
    default_args=default_args(retries=1),
    tags=["jet", "notes", "manual"],
    doc_md=__doc__,
    params={
        "merchant_order_id": jet_id_param(),
        "author": Param("", type="string", minLength=1, maxLength=100, title="Author"),
        "text": Param("", type="string", minLength=1, maxLength=4000, title="Note"),
    },
)
def jet_add_order_note() -> None:
    @task(multiple_outputs=False)
    def add_note(**context) -> dict:
        from jet.fulfillment.tasks import add_note as append
        from jet.runs import run_identity

        p = context["params"]
        return append(run_identity(context), p["merchant_order_id"], p["author"], p["text"])

    add_note()


jet_add_order_note()
