"""
### Watch Jet's acknowledgement deadline

Jet gives a `ready` order away when it is not acknowledged within 15 minutes. Every
2 minutes, whatever `jet_orders` and `jet_decide_orders` are doing (late, failing,
paused, waiting on a slow Jet), this DAG fails, logging an ERROR per order, when a
ready order whose acknowledgement call is not `applied` (none yet, held, or pending,
sending, unknown, not applied, failed) has 5 minutes or less left: two runs fall
inside that margin, so a warning comes before the window closes. Judged at the run's
own time (`jet.orders_at_risk_at`), never the wall clock.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, dag, task

from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_deadline_watch",
    # Its own DAG and timetable, so no other DAG's schedule or failure can silence it;
    # a cron trigger makes the logical date the run's own time.
    schedule=CronTriggerTimetable("*/2 * * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,  # a missed check of the past warns nobody
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=2),
    # One quick retry (a lost warehouse connection); the next run is 2 minutes later anyway.
    default_args=default_args(retries=1, retry_delay=timedelta(seconds=20), execution_timeout=timedelta(minutes=1)),
    description="Every 2 minutes: fail loudly when an acknowledgement is not applied 5 minutes before Jet's deadline",
    tags=tags("operations", "orders", "alerts"),
    doc_md=__doc__,
)
def jet_deadline_watch() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def check_deadlines(**context) -> dict:
        from jet.decisions.tasks import check_deadlines as check
        from jet.runs import run_identity

        return check(run_identity(context))

    check_deadlines()


jet_deadline_watch()
