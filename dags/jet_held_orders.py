"""
### Held orders in Airflow's inbox (Required Actions)

With `auto_acknowledge` off, `jet_decide_orders` holds every order for an operator.
This DAG also puts each held order in Airflow's **Required Actions** (Browse →
Required Actions), with its summary and two answers: **Approve** (acknowledge every
line) or **Cancel** (reject, with a reason from `jet_cancel_order`'s list). The answer
is applied as the person who gave it, through the outbox, like `jet_approve_order` /
`jet_cancel_order`.

Whichever answers first, the inbox or the Jet orders console (`/jet`), decides, once:
an order gets one acknowledgement call, ever (the outbox's unique index). If the
console decides first, the inbox entry closes itself with that answer; an inbox answer
that comes too late is recorded and sends nothing. How each question ended is kept in
`jet.held_order_prompts`.

Bounded: every 3 minutes, **ask** takes held orders nobody asked yet, most urgent first,
keeping at most 50 questions open across all runs (the rest wait in the console's
held queue); each question waits at most until the order's 15-minute acknowledgement
deadline, then fails the task (Jet gives unacknowledged orders away). A waiting
question holds no worker slot (it waits in the triggerer).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task, task_group

from jet.dag_defaults import START_DATE, default_args, tags
from jet.inbox.operator import HeldOrderQuestion


@dag(
    dag_id="jet_held_orders",
    schedule="*/3 * * * *",
    start_date=START_DATE,
    catchup=False,  # held orders are asked now; a missed interval has nothing to ask
    # A run lives as long as its questions (at most the 15-minute window): runs overlap.
    max_active_runs=6,
    dagrun_timeout=timedelta(minutes=30),
    default_args=default_args(retries=1, retry_delay=timedelta(seconds=10)),
    description="Every 3 minutes: held orders to Airflow's Required Actions, for a person to decide",
    tags=tags("operations", "orders", "inbox"),
    doc_md=__doc__,
)
def jet_held_orders() -> None:
    @task
    def held_orders(**context) -> list[str]:
        from jet.inbox.tasks import ask_held_orders
        from jet.runs import run_identity

        return ask_held_orders(run_identity(context), task_id="question.ask")

    @task(multiple_outputs=False)  # one receipt dict in XCom
    def apply_answer(answer: dict, **context) -> dict:
        from jet.inbox.tasks import apply_answer as apply
        from jet.runs import run_identity

        return apply(run_identity(context), answer)

    # One group per order: each answer is applied as soon as it comes, not when the
    # run's last question ends.
    @task_group
    def question(merchant_order_id: str) -> None:
        ask = HeldOrderQuestion(task_id="ask", merchant_order_id=merchant_order_id)
        apply_answer(ask.output)

    question.expand(merchant_order_id=held_orders())


jet_held_orders()
