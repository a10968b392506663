"""
### Add a note to an order

Appends a dated note to `jet.order_notes`, signed by the Airflow user who triggered the
run (**author** is used only for runs Airflow knows no user for, such as
`airflow dags test`). Notes are append-only:
the database refuses to change or delete them, so an order's history
(`jet.order_history`) reads top to bottom, people's notes between the system's
(decisions, uploads, returns, refunds).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import add_order_note_params


@dag(
    dag_id="jet_add_order_note",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=8,  # notes are independent appends
    default_args=default_args(retries=1),
    description="By hand: add a dated note to an order (notes are never edited or deleted)",
    tags=tags("manual", "notes"),
    doc_md=__doc__,
    params=add_order_note_params(),
)
def jet_add_order_note() -> None:
    @task(multiple_outputs=False)
    def add_note(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.notes.tasks import add_note as append
        from jet.runs import run_identity

        p = checked_params(context)
        return append(run_identity(context), p["merchant_order_id"], p["author"], p["text"])

    add_note()


jet_add_order_note()
