"""
### Re-queue a failed write to Jet, once

An action ends `failed` when Jet refused it (HTTP 4xx other than 429, with Jet's
message in `jet.actions.last_error`), when Jet moved on so that it can no longer apply,
or when its attempts ran out. Once its cause is fixed (stock, a wrong SKU, Jet's side),
an operator re-queues it here, **once** per action (`jet.actions.requeues`).

Nothing is sent blindly: the action becomes `unknown`, Jet is read back first (a write
Jet applied late settles as applied and is not sent again), and only then is it sent,
with a new allowance of attempts. The run fails, without retries, if it ends failed again.

- **action_id**: the failed write (`jet.actions.action_id`; the console's Re-queue button fills it).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import retry_action_params


@dag(
    dag_id="jet_retry_action",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,  # re-queues of different actions are independent; the outbox serialises per order
    # One retry only: a refused re-queue is refused again; a lost connection is settled on retry.
    default_args=default_args(retries=1),
    description="By hand: re-queue one failed write to Jet (action_id), once, after reading Jet back",
    tags=tags("manual", "outbox"),
    doc_md=__doc__,
    params=retry_action_params(),
)
def jet_retry_action() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def retry_action(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.outbox.tasks import retry_action as retry
        from jet.runs import run_identity

        p = checked_params(context)
        return retry(run_identity(context), int(p["action_id"]))

    retry_action()


jet_retry_action()
