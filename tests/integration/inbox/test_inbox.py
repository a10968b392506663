"""Held orders in Airflow's inbox, on the real warehouse and sandbox: which orders are
asked (bounded), and how an answer is applied once, whoever answers first.

The Airflow side (the Required Actions entry, its trigger closing it when the console
decides first) runs in tests/browser/test_console.py against a real airflow standalone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.inbox import APPROVE, CANCEL, decided
from jet.inbox.prompts import answer, claim, question_text, waiting_outside
from jet.inbox.tasks import apply_answer
from tests.integration.decisions.conftest import run_at, sandbox_now

pytestmark = pytest.mark.integration

ASK = {"dag_id": "jet_held_orders", "task_id": "question.ask"}


def _claim(conn: psycopg.Connection, sandbox: Any, run_id: str, cap: int = 50, ahead: timedelta = timedelta(0)):
    now = sandbox_now(sandbox) + ahead
    return claim(conn, dag_run_id=run_id, asked_at=now, now=now, cap=cap, **ASK)


def _inbox_answer(oid: str, option: str, by: str, **params: Any) -> dict[str, Any]:
    """What HeldOrderQuestion returns for a person's answer in Required Actions."""
    return {
        "merchant_order_id": oid,
        "chosen_options": [option],
        "params_input": {"reason": None, "comment": None, **params},
        "responded_by_user": {"id": by, "name": by},
        "decided_elsewhere_by": None,
    }


def _acks_at_jet(sandbox: Any, oid: str) -> list[str]:
    return [e["kind"] for e in sandbox.ledger() if e["merchant_order_id"] == oid]


def test_at_most_cap_questions_are_open_and_each_order_is_asked_once(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    orders = held(5)
    first = _claim(decisions_db, sandbox, "scheduled__1", cap=3)
    assert first == orders[:3], "the most urgent first (earliest ready), in map-index order"
    assert waiting_outside(decisions_db) == 2
    # A retried task of the same run asks the same questions, at the same map indexes.
    assert _claim(decisions_db, sandbox, "scheduled__1", cap=3) == first
    # The next run finds the cap reached: it asks nothing, and never an order asked before.
    assert _claim(decisions_db, sandbox, "scheduled__2", cap=3) == []
    assert answer(decisions_db, orders[0], answered_in="expired", option=None, reason=None, by=None, outcome="t")
    assert _claim(decisions_db, sandbox, "scheduled__3", cap=3) == [orders[3]]
    rows = decisions_db.execute(
        "SELECT merchant_order_id, dag_run_id, map_index FROM jet.held_order_prompts ORDER BY dag_run_id, map_index"
    ).fetchall()
    assert rows == [
        (orders[0], "scheduled__1", 0),
        (orders[1], "scheduled__1", 1),
        (orders[2], "scheduled__1", 2),
        (orders[3], "scheduled__3", 0),
    ]
    assert waiting_outside(decisions_db) == 1


def test_an_order_too_close_to_its_deadline_is_not_asked(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    (oid,) = held(1)
    # 14.5 minutes after release: nobody could answer before Jet gives the order away.
    assert _claim(decisions_db, sandbox, "scheduled__late", ahead=timedelta(minutes=14, seconds=30)) == []
    assert waiting_outside(decisions_db) == 1
    assert _claim(decisions_db, sandbox, "scheduled__now") == [oid]
    expires = decisions_db.execute(
        "SELECT p.expires_at - o.ready_at FROM jet.held_order_prompts p JOIN jet.orders o USING (merchant_order_id)"
    ).fetchone()[0]
    assert expires == timedelta(minutes=15), "the question expires at the order's acknowledgement deadline"


def test_the_question_says_what_an_operator_needs_to_decide(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    from jet.console import load_order

    (oid,) = held(1)
    view = load_order(decisions_db, oid, sandbox_now(sandbox))
    assert view is not None
    subject, body = question_text(view)
    assert view.header.reference_order_id in subject
    assert f"{view.header.ack_deadline:%H:%M:%S} UTC" in subject
    assert oid in body
    assert view.lines[0].merchant_sku in body
    assert str(view.header.order_total) in body
    assert "held because" in body


def test_an_inbox_answer_acts_as_the_person_who_gave_it(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    (oid,) = held(1)
    _claim(decisions_db, sandbox, "scheduled__1")
    asked = run_at(sandbox, "jet_held_orders")
    given = asked.observed_at + timedelta(minutes=3)  # she answered three minutes after the run asked
    reply = {**_inbox_answer(oid, CANCEL, "alice", reason="out_of_stock", comment="no"), "responded_at": given}
    receipt = apply_answer(asked, reply)
    assert receipt["answered_in"] == "inbox"
    assert _acks_at_jet(sandbox, oid) == ["acknowledge"]
    found = decided(decisions_db, oid)
    assert found is not None
    assert (found.kind, found.state, found.reason, found.by, found.option) == (
        "cancel", "applied", "out_of_stock", "alice", CANCEL,
    )  # fmt: skip
    assert decisions_db.execute(
        "SELECT answer, reason, answered_by, answered_in FROM jet.held_order_prompts WHERE merchant_order_id = %s",
        (oid,),
    ).fetchone() == ("cancel", "out_of_stock", "alice", "inbox")
    # The comment is alice's note, and the timeline names her on the cancel too.
    events = decisions_db.execute(
        "SELECT who, actor, body FROM jet.order_timeline WHERE merchant_order_id = %s AND side = 'ours'", (oid,)
    ).fetchall()
    assert ("alice", "alice", "no") in events
    assert decisions_db.execute(
        "SELECT noted_at FROM jet.order_notes WHERE merchant_order_id = %s AND kind = 'user'", (oid,)
    ).fetchone() == (given,), "dated when she answered, not when the run asked"
    assert any(actor == "alice" and "cancel" in body for _, actor, body in events)
    # The order was re-landed: the warehouse shows what Jet now shows.
    assert decisions_db.execute("SELECT status FROM jet.orders WHERE merchant_order_id = %s", (oid,)).fetchone() == (
        "complete",
    )


def test_an_answer_after_the_console_decided_sends_nothing(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    from jet.decisions import tasks

    (oid,) = held(1)
    _claim(decisions_db, sandbox, "scheduled__1")
    tasks.approve(replace(run_at(sandbox, "jet_approve_order"), actor="bob"), oid)  # the console's run, first
    late = apply_answer(run_at(sandbox, "jet_held_orders"), _inbox_answer(oid, CANCEL, "alice", reason="other"))
    assert late["answered_in"] == "elsewhere"
    assert "too late" in late["outcome"]
    assert _acks_at_jet(sandbox, oid) == ["acknowledge"], "one acknowledgement call, ever"
    assert decisions_db.execute(
        "SELECT kind, state FROM jet.actions WHERE merchant_order_id = %s", (oid,)
    ).fetchall() == [("acknowledge", "applied")]
    assert decisions_db.execute(
        "SELECT answer, answered_by, answered_in FROM jet.held_order_prompts WHERE merchant_order_id = %s", (oid,)
    ).fetchone() == ("cancel", "bob", "elsewhere")
    # How it ended is recorded once: a second report changes nothing.
    assert not answer(decisions_db, oid, answered_in="inbox", option=APPROVE, reason=None, by="carol", outcome="x")


def test_a_question_closed_by_its_trigger_records_who_decided(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    from jet.decisions import tasks

    (oid,) = held(1)
    _claim(decisions_db, sandbox, "scheduled__1")
    tasks.approve(replace(run_at(sandbox, "jet_approve_order"), actor="bob"), oid)
    closed = {**_inbox_answer(oid, APPROVE, "bob"), "responded_by_user": None, "decided_elsewhere_by": "bob"}
    receipt = apply_answer(run_at(sandbox, "jet_held_orders"), closed)
    assert receipt == {
        "merchant_order_id": oid,
        "answered_in": "elsewhere",
        "outcome": receipt["outcome"],
    }
    assert receipt["outcome"].startswith("acknowledge applied at Jet")
    assert "by bob" in receipt["outcome"]
    assert _acks_at_jet(sandbox, oid) == ["acknowledge"]


def test_an_inbox_answer_that_names_nobody_is_refused(
    sandbox: Any, held: Any, decisions_db: psycopg.Connection
) -> None:
    (oid,) = held(1)
    nobody = {**_inbox_answer(oid, APPROVE, "x"), "responded_by_user": None}
    with pytest.raises(ValueError, match="names nobody"):
        apply_answer(run_at(sandbox, "jet_held_orders"), nobody)
    assert _acks_at_jet(sandbox, oid) == []
