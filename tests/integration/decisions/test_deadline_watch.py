"""The deadline watch covers every ready order whose acknowledgement is not applied,
whatever state its action is in, judged on the sandbox clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jet.decisions import tasks
from jet.decisions.deadlines import AcknowledgementDeadlineAtRisk
from tests.integration.decisions.conftest import run_at

pytestmark = pytest.mark.integration


def test_orders_whose_acknowledgement_is_in_flight_or_failed_are_at_risk(
    sandbox: Any, seeded: Any, pull: Any, decisions_db: Any
) -> None:
    ids = sandbox.generate_orders(4, status="ready")
    pull()
    tasks.decide(run_at(sandbox))  # decided and queued; nothing sent yet
    # A sender killed mid-request, one that timed out, one Jet refused; the fourth stays pending.
    for oid, state in zip(ids, ("sending", "unknown", "failed"), strict=False):
        decisions_db.execute("UPDATE jet.actions SET state = %s WHERE merchant_order_id = %s", (state, oid))

    assert tasks.check_deadlines(run_at(sandbox, offset=timedelta(minutes=9))) == {"at_risk": 0}, "6 minutes left"
    with pytest.raises(AcknowledgementDeadlineAtRisk) as info:
        tasks.check_deadlines(run_at(sandbox, offset=timedelta(minutes=11)))
    states = {o.merchant_order_id: o.state.split()[-1] for o in info.value.orders}
    assert states == {ids[0]: "sending", ids[1]: "unknown", ids[2]: "failed", ids[3]: "pending"}

    decisions_db.execute("UPDATE jet.actions SET state = 'applied'")
    assert tasks.check_deadlines(run_at(sandbox, offset=timedelta(minutes=11))) == {"at_risk": 0}


def test_the_watch_runs_every_two_minutes_on_its_own(dag_bag: Any) -> None:
    from airflow.sdk import CronTriggerTimetable

    timetable = dag_bag.dags["jet_deadline_watch"].timetable
    assert isinstance(timetable, CronTriggerTimetable)
    assert timetable.expression == "*/2 * * * *", "two runs fall inside the 5-minute alert margin"
