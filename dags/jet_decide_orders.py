"""
### Jet order decisions: acknowledge, reject, cancel or hold every ready order

Runs when `jet_orders` lands orders (the `jet_orders_landed` Asset), when a catalog is
loaded (`jet_catalog_loaded`), by hand, and every 10 minutes as a safety net: when
nothing lands (an acknowledgement kept failing, so the order did not change), unknown
writes must still be settled and re-sent, and the deadline alert must still run.

1. **decide_orders** decides every `ready` order not yet decided, oldest first, from a
   stock snapshot (on hand − promised − safety stock) and the current settings
   (`jet.current_settings`). One transaction writes the decisions (`jet.decisions`,
   `jet.decision_lines`: inputs snapshot, outcome, reasons, rules and settings
   versions) and one intended action per order (`jet.actions`, the outbox) **before**
   any call to Jet. It also queues answers to Jet's directed cancels.
2. **route** (`@task.branch`) runs only the tasks with work: **send_acknowledgements**,
   **send_rejections**, **send_cancellations** (rejections for unknown SKUs / no stock,
   directed cancels, operator cancels) and **report_held** (orders waiting for
   `jet_approve_order`); **nothing_to_send** when none has any.
3. Each sender commits an action as `sending`, calls Jet once, and records `applied`
   (2xx), `not_applied` (4xx) or `unknown` (timeout, dropped connection, 5xx).
4. **join** waits for whichever senders ran; **settle** re-reads the orders of `unknown`
   writes from Jet, marks them applied or not, and only then re-sends what was not
   applied; it also answers directed cancels of orders just acknowledged.
5. **check_deadlines** fails (logging an ERROR per order) when a ready order is within
   5 minutes of its 15-minute acknowledgement deadline (`jet.orders_at_risk`).
6. **catalog_guard** fails, without retries, while the catalog holds no product: then
   every SKU would look unknown and every order be cancelled, so **decide_orders**
   decides nothing and sends nothing for those orders (they stay ready, with a note).
   Load the catalog (`make load-inventory FILE=...` or `jet_load_inventory`): the load
   triggers this DAG, which decides them.

**dry_run** (Param): decide and record (`dry_run = true`), send nothing, reserve nothing.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, TriggerRule, dag, task

from jet.assets import CATALOG_LOADED, ORDERS_LANDED
from jet.dag_defaults import START_DATE, default_args, tags

#: The task of this DAG that takes each group of work the library finds
#: (jet.decisions.tasks.groups_with_work); "nothing_to_send" when there is none.
TASK_OF_GROUP = {
    "acknowledge": "send_acknowledgements",
    "reject": "send_rejections",
    "cancel": "send_cancellations",
    "hold": "report_held",
}
NOTHING_TO_SEND = "nothing_to_send"


@dag(
    dag_id="jet_decide_orders",
    # The Assets are the trigger (either one); the timer only guarantees a run at least every 10 minutes.
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("5-59/10 * * * *", timezone="UTC"), assets=ORDERS_LANDED | CATALOG_LOADED
    ),
    start_date=START_DATE,
    catchup=False,  # decisions are about orders ready now; there is no past interval to fill
    max_active_runs=1,  # one decider at a time: two would claim the same stock
    dagrun_timeout=timedelta(minutes=9),  # the acknowledgement window is 15 minutes
    default_args=default_args(execution_timeout=timedelta(minutes=8), retry_delay=timedelta(seconds=15)),
    description="Acknowledge, reject, cancel or hold each ready order once, within Jet's window",
    tags=tags("operations", "orders", "decisions"),
    doc_md=__doc__,
    params={
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description="Decide and record the decisions without calling Jet or reserving stock.",
        ),
    },
)
def jet_decide_orders() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def decide_orders(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.decisions.tasks import decide
        from jet.runs import run_identity

        return decide(run_identity(context), dry_run=bool(checked_params(context)["dry_run"]))

    @task.branch
    def route(receipt: dict) -> list[str]:
        from jet.decisions.tasks import route as groups_with_work

        return [TASK_OF_GROUP[group] for group in groups_with_work(receipt)] or [NOTHING_TO_SEND]

    @task(task_id=NOTHING_TO_SEND, multiple_outputs=False)
    def nothing_to_send() -> dict:
        return {"sent": 0}

    @task(multiple_outputs=False)
    def send_acknowledgements() -> dict:
        from jet.decisions.tasks import SEND_GROUPS, send

        return send(SEND_GROUPS["acknowledge"])

    @task(multiple_outputs=False)
    def send_rejections() -> dict:
        from jet.decisions.tasks import SEND_GROUPS, send

        return send(SEND_GROUPS["reject"])

    @task(multiple_outputs=False)
    def send_cancellations() -> dict:
        from jet.decisions.tasks import SEND_GROUPS, send

        return send(SEND_GROUPS["cancel"])

    @task(multiple_outputs=False)
    def report_held() -> dict:
        from jet.decisions.tasks import report_held as report

        return report()

    # Runs when at least one chosen branch succeeded and none failed; skipped branches are fine.
    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, multiple_outputs=False)
    def join() -> None:
        return None

    @task(multiple_outputs=False)
    def settle(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.decisions.tasks import settle_and_finish
        from jet.runs import run_identity

        return settle_and_finish(run_identity(context), dry_run=bool(checked_params(context)["dry_run"]))

    # ALL_DONE: the deadline alert matters most when sending or settling failed.
    @task(trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def check_deadlines(**context) -> dict:
        from jet.decisions.tasks import check_deadlines as check
        from jet.runs import run_identity

        return check(run_identity(context))

    # ALL_DONE, after settle: the run sends and settles everything else first, then says
    # loudly that orders wait for the catalog.
    @task(trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def catalog_guard() -> dict:
        from jet.decisions.tasks import check_catalog

        return check_catalog()

    decided = decide_orders()
    branches = route(decided)
    done = join()
    senders = [send_acknowledgements(), send_rejections(), send_cancellations(), report_held(), nothing_to_send()]
    branches >> senders >> done
    settled = done >> settle()
    settled >> [check_deadlines(), catalog_guard()]


jet_decide_orders()
