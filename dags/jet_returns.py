"""
### Jet returns: land, auto-complete, follow refunds, deadlines (every 30 minutes)

1. **land_returns** lists Jet's `created` and `inprogress` returns, re-reads every
   return the warehouse still holds as open, and lands each version raw
   (`jet.return_payloads`) and typed (`jet.returns`, `jet.return_items`). Invalid
   payloads go to `jet.quarantine` (kind `return`); the others flow on.
2. **auto_complete_returns** completes, with the full requested refund, the open
   returns the merchant's return policy always accepts (`jet.current_return_policy`,
   off by default; `SELECT jet.change_return_policy('me', p_auto_complete => true)`).
   Completions go through the outbox like every write.
3. **follow_refunds** reads the state of merchant refunds not yet accepted or rejected.
4. **return_deadlines** logs every open return with its completion deadline
   (`return_date` + the policy's `complete_within_hours`; `jet.returns_at_risk`) and
   fails - the alert, as for acknowledgement deadlines - when one is within 6 hours of
   it or past it.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_returns",
    schedule=timedelta(minutes=30),
    start_date=START_DATE,
    catchup=False,  # Jet lists current returns; past intervals have nothing of their own
    max_active_runs=1,  # two runs would complete the same returns
    dagrun_timeout=timedelta(minutes=25),
    default_args=default_args(execution_timeout=timedelta(minutes=10)),
    description="Every 30 minutes: land returns, complete them by policy, follow refunds and deadlines",
    tags=tags("operations", "returns", "refunds"),
    doc_md=__doc__,
)
def jet_returns() -> None:
    @task(multiple_outputs=False)
    def land_returns(**context) -> dict:
        from jet.returns.tasks import land
        from jet.runs import run_identity

        return land(run_identity(context))

    @task(multiple_outputs=False)
    def auto_complete_returns(**context) -> dict:
        from jet.returns.tasks import auto_complete
        from jet.runs import run_identity

        return auto_complete(run_identity(context))

    @task(multiple_outputs=False)
    def follow_refunds(**context) -> dict:
        from jet.refunds.tasks import follow_refunds as follow
        from jet.runs import run_identity

        return follow(run_identity(context))

    # Deadlines are reported even when an auto-completion failed.
    @task(multiple_outputs=False, trigger_rule="all_done")
    def return_deadlines(**context) -> dict:
        from jet.returns.tasks import deadlines
        from jet.runs import run_identity

        return deadlines(run_identity(context))

    landed = land_returns()
    completed = auto_complete_returns()
    landed >> completed
    refunds = follow_refunds()
    [completed, refunds] >> return_deadlines()


jet_returns()
