"""
### Complete a return: accept (in full or in part) or deny credit

- **merchant_return_authorization_id**: Jet's return id.
- **decision** `accept`: refund what the customer asked, line by line; a line in
  **lines** may lower it (units refunded, units received back, amounts by component:
  line totals in USD). Refunding less than requested needs that line's **feedback**
  from Jet's list. **decision** `deny`: no credit; **deny_reason** from Jet's list.
- **agree_to_return_charge**: whether we pay Jet's return charge; disputing it needs
  a **charge_feedback** from Jet's list.
- **rma_number** (optional): our RMA id, sent as `alt_return_authorization_id`.

Goes through the outbox (one completion per return, ever), settled by re-reading the
return when the outcome is unknown; the return is then re-landed.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import complete_return_params


@dag(
    dag_id="jet_complete_return",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,
    # One retry: a retry only settles the completion already queued, never sends a second one.
    default_args=default_args(retries=1),
    description="By hand: accept (in full or in part) or deny a return",
    tags=tags("manual", "returns"),
    doc_md=__doc__,
    params=complete_return_params(),
)
def jet_complete_return() -> None:
    @task(multiple_outputs=False)
    def complete_return(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.returns.tasks import complete, completion_from_params
        from jet.runs import run_identity

        params = checked_params(context)
        completion = completion_from_params(params)
        return complete(run_identity(context), params["merchant_return_authorization_id"], completion)

    complete_return()


jet_complete_return()
