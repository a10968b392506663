"""jet_catalog_sync runs for real (dag.test): scheduled on the catalog load's Asset and
every hour; its two tasks follow Jet and push, and a second run pushes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog.conftest import put_requests, sandbox_now, view

pytestmark = [pytest.mark.dags, pytest.mark.integration]


@pytest.fixture
def dag(dag_bag: Any) -> Any:
    return dag_bag.dags["jet_catalog_sync"]


def test_scheduled_hourly_and_on_every_catalog_load(dag: Any) -> None:
    from jet.assets import CATALOG_LOADED

    assert dag.timetable.asset_condition.name == CATALOG_LOADED.name
    assert dag.timetable.timetable.expression == "15 * * * *", "hourly, a quarter past"
    assert str(dag.timetable.timetable.timezone) == "UTC"
    assert dag.max_active_runs == 1
    assert dag.params["accept_mass_delisting"] is False


@pytest.mark.slow
def test_a_run_follows_jet_and_pushes_then_the_next_pushes_nothing(
    dag: Any, sandbox: Any, seeded: Any, catalog_db: Any, jet_connection: Any
) -> None:
    run = dag.test(logical_date=sandbox_now(sandbox))

    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == {
        "follow_jet": "success",
        "push_to_jet": "success",
    }
    assert all(r["in_sync"] for r in view(catalog_db) if r["in_catalog"])
    sandbox.clear_requests()
    dag.test(logical_date=sandbox_now(sandbox).replace(minute=30))
    assert put_requests(sandbox) == []
