"""Event-driven ingestion for real: the ready-orders watcher's own code polls the sandbox
over HTTP and reads the test warehouse; jet_new_orders runs with dag.test on what it
signalled. Every answer reaches Jet once (the sandbox's ledger) when the watcher fires
twice for the same orders, when runs overlap (with each other and with the scheduled
pull and decide), and when an order arrives while a run is active."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from jet.triggers.ready_orders import ReadyOrdersPoller, ReadyOrdersTrigger
from tests.integration.decisions.conftest import run_at

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.integration, pytest.mark.dags]


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag


def next_events(trigger: ReadyOrdersTrigger, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The first ``count`` events the trigger yields (its real run loop), within ``timeout`` seconds."""

    async def collect() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        runner = trigger.run()
        try:
            async for event in runner:
                found.append(event.payload)
                if len(found) == count:
                    return found
        finally:
            await runner.aclose()
        return found

    return asyncio.run(asyncio.wait_for(collect(), timeout))


def not_landed() -> list[str]:
    async def once() -> list[str]:
        poller = await ReadyOrdersPoller.open("jet_api", "jet_warehouse", 1)
        try:
            return (await poller.not_landed())[0]
        finally:
            await poller.close()

    return asyncio.run(once())


def in_stock(seeded: dict[str, Any]) -> str:
    return next(s["merchant_sku"] for s in seeded["skus"] if s["known_to_merchant"] and s["merchant_on_hand"] > 50)


def acknowledgements(sandbox: Any) -> Counter[str]:
    return Counter(e["merchant_order_id"] for e in sandbox.ledger() if "acknowledgement_status" in (e["body"] or {}))


def test_the_watcher_signals_new_ready_orders_and_the_run_acknowledges_just_those(
    dagbag: Any, sandbox: Any, seeded: Any, decisions_db: Any, pull: Any
) -> None:
    sku = in_stock(seeded)
    old = sandbox.generate_orders(2, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])
    pull()  # landed by the scheduled path already: the watcher must not signal them
    new = sandbox.generate_orders(3, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])

    (event,) = next_events(ReadyOrdersTrigger(poll_interval=1), 1)
    assert sorted(event["merchant_order_ids"]) == sorted(new)
    assert event["listed"] == 5

    run = dagbag.dags["jet_new_orders"].test(run_conf={"merchant_order_ids": event["merchant_order_ids"]})

    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == {
        "land_new_orders": "success",
        "acknowledge_new_orders": "success",
    }
    landed = {r[0] for r in decisions_db.execute("SELECT merchant_order_id FROM jet.ingest_batches b "
                                                  "JOIN jet.order_payloads p ON p.last_batch_key = b.batch_key "
                                                  "WHERE b.batch_key LIKE 'jet_new_orders/%'")}  # fmt: skip
    assert landed == set(new)
    # The decider answers every undecided ready order, the two old ones included, once each.
    assert acknowledgements(sandbox) == Counter({i: 1 for i in old + new})
    assert not_landed() == []


def test_a_run_with_nothing_named_is_skipped(dagbag: Any, sandbox: Any, seeded: Any, decisions_db: Any) -> None:
    run = dagbag.dags["jet_new_orders"].test(run_conf={"merchant_order_ids": []})
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == {
        "land_new_orders": "skipped",
        "acknowledge_new_orders": "skipped",
    }
    assert sandbox.ledger() == []


@pytest.mark.slow
def test_duplicate_events_and_overlapping_runs_answer_each_order_once(
    dagbag: Any, sandbox: Any, seeded: Any, decisions_db: Any
) -> None:
    from jet.decisions.tasks import decide_and_send, run_cycle
    from jet.orders.events import land_signalled
    from jet.orders.tasks import pull_ready

    sku = in_stock(seeded)
    ids = sandbox.generate_orders(4, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])
    # The watcher fires twice for the same orders (a tiny resignal_after stands in for a
    # run that is slow to land them, or a restarted triggerer that forgot).
    first, second = next_events(ReadyOrdersTrigger(poll_interval=1, resignal_after=0.001), 2)
    assert sorted(first["merchant_order_ids"]) == sorted(second["merchant_order_ids"]) == sorted(ids)

    def event_run(n: int, payload: dict[str, Any]) -> dict[str, Any]:
        run = run_at(sandbox, "jet_new_orders")
        run = type(run)(run.dag_id, f"{run.dag_run_id}_{n}", run.observed_at)
        land_signalled(run, payload["merchant_order_ids"])
        return decide_and_send(run)

    def scheduled_run() -> dict[str, Any]:
        pull_ready(run_at(sandbox, "jet_orders"))
        return run_cycle(run_at(sandbox, "jet_decide_orders"))

    # Both event runs and the 10-minute path at the same time, on the same orders.
    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(event_run, 1, first), pool.submit(event_run, 2, second), pool.submit(scheduled_run)]:
            future.result()
    # And a late run of the duplicate event through Airflow.
    run = dagbag.dags["jet_new_orders"].test(run_conf={"merchant_order_ids": second["merchant_order_ids"]})
    assert {ti.state for ti in run.get_task_instances()} == {"success"}

    assert acknowledgements(sandbox) == Counter({i: 1 for i in ids})
    decided = decisions_db.execute(
        "SELECT merchant_order_id, count(*) FROM jet.decisions WHERE NOT dry_run GROUP BY 1"
    ).fetchall()
    assert dict(decided) == {i: 1 for i in ids}
    assert not_landed() == []


@pytest.mark.slow
def test_an_order_that_arrives_while_a_run_is_active_is_signalled_alone_and_answered_once(
    dagbag: Any, sandbox: Any, seeded: Any, decisions_db: Any
) -> None:
    from jet.decisions.tasks import decide_and_send
    from jet.orders.events import land_signalled

    sku = in_stock(seeded)
    trigger = ReadyOrdersTrigger(poll_interval=1)
    (a,) = sandbox.generate_orders(1, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])
    (event_a,) = next_events(trigger, 1)
    run_1 = run_at(sandbox, "jet_new_orders")
    land_signalled(run_1, event_a["merchant_order_ids"])  # run 1 is between its two tasks...
    (b,) = sandbox.generate_orders(1, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])
    (event_b,) = next_events(trigger, 1)  # ...when B is listed: only B is signalled, A has landed
    assert event_b["merchant_order_ids"] == [b]
    decide_and_send(run_1)  # run 1 answers A (B is not landed yet)
    assert acknowledgements(sandbox) == Counter({a: 1})

    # The queued run consumes B's event, and a stale copy of A's: A is not answered again.
    conf = {"merchant_order_ids": event_b["merchant_order_ids"] + event_a["merchant_order_ids"]}
    run = dagbag.dags["jet_new_orders"].test(run_conf=conf)
    assert {ti.state for ti in run.get_task_instances()} == {"success"}
    assert acknowledgements(sandbox) == Counter({a: 1, b: 1})
