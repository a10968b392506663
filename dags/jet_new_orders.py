"""
### Jet new orders: acknowledged seconds after Jet lists them (event-driven)

Runs on the `jet_ready_orders` Asset, whose watcher (`ReadyOrdersTrigger`, in the
triggerer) polls Jet's ready list every few seconds (`ready_poll_seconds` in the
`jet_api` connection's extra, default 5) and fires only for ready orders no ingestion
has seen yet; the event names them.

1. **land_new_orders** fetches and lands exactly the orders the run's events name (or
   `merchant_order_ids` given by hand), through the scheduled pull's code path; nothing
   named = skipped.
2. **acknowledge_new_orders** decides every undecided ready order, sends the answers
   (acknowledge, reject, cancel) and settles unknown outcomes, as `jet_decide_orders` does.

`jet_orders` and `jet_decide_orders` keep their 10-minute schedules as the safety net
(and keep the deadline alert and the catalog guard). Duplicate events, overlapping runs
and events that arrive during a run change nothing twice: ingestion upserts, the decider
takes the `decide` lock, and every answer is one outbox row sent once
(docs/event-driven.md).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, AssetWatcher, Param, dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import JET_ID_PATTERN, MAX_ORDER_IDS
from jet.triggers import ReadyOrdersTrigger

READY_ORDERS = Asset(
    name="jet_ready_orders",
    group="jet",
    watchers=[AssetWatcher(name="jet_ready_orders_watcher", trigger=ReadyOrdersTrigger())],
)


@dag(
    dag_id="jet_new_orders",
    schedule=[READY_ORDERS],
    start_date=START_DATE,
    catchup=False,
    # Runs overlap safely (upserts, the decide lock, one outbox row per answer). With
    # max_active_runs=1, Airflow 3.3 created the run for an event that came during a run
    # only when the *next* event arrived, up to 81 s later (bench/ack_latency.py); four
    # lets each event start its run at once. Past four, the watcher's re-signal (60 s)
    # is that next event.
    max_active_runs=4,
    dagrun_timeout=timedelta(minutes=5),  # far inside Jet's 15-minute window
    # Short retry delay: the point of this DAG is seconds; a slow retry is the 10-minute path's job.
    default_args=default_args(execution_timeout=timedelta(minutes=4), retry_delay=timedelta(seconds=5)),
    description="Seconds after Jet lists a ready order: land exactly the new ones and answer them (event-driven)",
    tags=tags("ingest", "orders", "decisions"),
    doc_md=__doc__,
    params={
        "merchant_order_ids": Param(
            [],
            type="array",
            items={"type": "string", "pattern": JET_ID_PATTERN},
            maxItems=MAX_ORDER_IDS,
            title="Merchant order ids",
            description="By hand: land and decide these ready orders now (the watcher fills them in otherwise).",
        ),
    },
)
def jet_new_orders() -> None:
    @task(multiple_outputs=False)
    def land_new_orders(**context) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from jet.dag_params import checked_params
        from jet.orders.events import land_signalled, signalled_ids
        from jet.runs import run_identity

        events = [event.extra for group in context["triggering_asset_events"].values() for event in group]
        ids = signalled_ids(events, checked_params(context))
        if not ids:
            raise AirflowSkipException("no order named by the run's events or conf")
        return land_signalled(run_identity(context), ids)

    @task(multiple_outputs=False)
    def acknowledge_new_orders(landed: dict, **context) -> dict:
        from jet.decisions.tasks import decide_and_send
        from jet.runs import run_identity

        return decide_and_send(run_identity(context))

    acknowledge_new_orders(land_new_orders())


jet_new_orders()
