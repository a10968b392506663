"""Queueing: the registry and the warehouse agree, a reason is required, and the same
write queued twice (a retried task, two runs at once) is one action."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from jet import outbox
from jet.warehouse.db import connect
from tests.integration.decisions.conftest import run_at

pytestmark = pytest.mark.integration

BODY = {
    "acknowledgement_status": "accepted",
    "order_items": [{"order_item_id": "i1", "order_item_acknowledgement_status": "fulfillable"}],
}


def test_the_registry_and_jet_action_kinds_agree(decisions_db: Any) -> None:
    assert outbox.check_registry(decisions_db) == []


def test_queueing_needs_a_reason_and_a_body_jet_would_take(
    sandbox: Any, pull: Any, decisions_db: Any, jet_connection: Any
) -> None:
    (oid,) = sandbox.generate_orders(1, status="ready")
    pull()
    run = run_at(sandbox)
    with pytest.raises(outbox.ActionRefused, match="a reason is required"):
        outbox.queue(decisions_db, run, oid, "acknowledge", BODY, reason=" ")
    with pytest.raises(outbox.ActionRefused, match="Jet would refuse this body"):
        outbox.queue(decisions_db, run, oid, "acknowledge", {"acknowledgement_status": "maybe"}, reason="test")
    with pytest.raises(outbox.ActionRefused, match="does not fit"):
        outbox.queue(decisions_db, run, oid, "acknowledge", BODY, reason="test", subject="x")
    assert decisions_db.execute("SELECT count(*) FROM jet.actions").fetchone() == (0,)


def test_the_same_write_queued_by_two_runs_at_once_is_one_action(
    sandbox: Any, pull: Any, decisions_db: Any, jet_connection: Any
) -> None:
    (oid,) = sandbox.generate_orders(1, status="ready")
    pull()
    results: list[Any] = []
    start = threading.Barrier(2)

    def queue_once(n: int) -> None:
        run = run_at(sandbox, "jet_approve_order")
        with connect(autocommit=True, actor=f"operator{n}") as conn:
            start.wait(10)
            queued = outbox.queue(conn, run, oid, "acknowledge", BODY, reason="approved", dedupe_key=f"{oid}/ack")
            results.append(queued)

    threads = [threading.Thread(target=queue_once, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2, "both runs succeed"
    assert {r.action_id for r in results} == {results[0].action_id}
    assert sorted(r.created for r in results) == [False, True]
    row = decisions_db.execute("SELECT count(*), min(call), min(dedupe_key) FROM jet.actions").fetchone()
    assert row == (1, "acknowledge", f"{oid}/ack")
    rejected = {**BODY, "acknowledgement_status": "rejected - other"}
    with pytest.raises(outbox.ActionConflict, match="one acknowledgement call"):
        outbox.queue(decisions_db, run_at(sandbox), oid, "cancel", rejected, reason="x")


def test_many_writes_queued_by_two_runs_at_once_never_fail(
    sandbox: Any, pull: Any, decisions_db: Any, jet_connection: Any
) -> None:
    # Two runs racing on the same writes: whichever unique index Postgres checks first,
    # the loser gets the winner's action, never a UniqueViolation (it raced on
    # (merchant_order_id, kind) while the insert named only dedupe_key as its target).
    oids = sandbox.generate_orders(40, status="ready")
    pull()
    errors: list[BaseException] = []
    created: list[bool] = []
    start = threading.Barrier(2)

    def queue_all(n: int) -> None:
        run = run_at(sandbox, "jet_decide_orders")
        with connect(autocommit=True, actor=f"run{n}") as conn:
            for oid in oids:
                start.wait(10)
                try:
                    created.append(outbox.queue(conn, run, oid, "acknowledge", BODY, reason="in stock").created)
                except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)

    threads = [threading.Thread(target=queue_all, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(created) == [False] * len(oids) + [True] * len(oids)
    assert decisions_db.execute("SELECT count(*) FROM jet.actions").fetchone() == (len(oids),)
