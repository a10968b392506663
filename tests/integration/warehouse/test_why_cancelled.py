""" "Why was order X cancelled?" is one query (jet.order_cancellations), and the order's
timeline (jet.order_history) tells Jet's side too: a withdrawal, a complete with nothing
shipped. Orders are placed at the sandbox, decided by the real rules, cancelled by Jet
and by an operator through the real task code."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from jet.decisions import tasks
from tests.integration.decisions.conftest import run_at
from tests.integration.decisions.test_decide_flow import pick, place

pytestmark = pytest.mark.integration

WHY = (
    "SELECT internal_status, act, started_by, who, units, reason, rule_in"
    " FROM jet.order_cancellations WHERE merchant_order_id = %s"
)


def why(conn: psycopg.Connection, oid: str) -> list[tuple[Any, ...]]:
    return conn.execute(WHY, (oid,)).fetchall()


def story(conn: psycopg.Connection, oid: str) -> list[tuple[str, str, str]]:
    return conn.execute(
        "SELECT side, author, body FROM jet.order_history WHERE merchant_order_id = %s", (oid,)
    ).fetchall()


def test_why_each_order_was_cancelled_is_one_query(sandbox, seeded, pull, refresh, decisions_db) -> None:
    node = seeded["fulfillment_nodes"][0]
    in_stock = pick(seeded, known=True, min_stock=20)
    no_stock = pick(seeded, known=True, zero=True)
    unknown = pick(seeded, known=False)
    by_rules = place(sandbox, node, (unknown, 1))
    rejected = place(sandbox, node, (in_stock, 1), (no_stock, 1))
    directed = place(sandbox, node, (in_stock, 2))
    by_operator = place(sandbox, node, (in_stock, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))

    # Jet asks to cancel every unit of one acknowledged order; an operator cancels another.
    sandbox.directed_cancel(directed)
    refresh()
    tasks.run_cycle(run_at(sandbox, offset=timedelta(seconds=1)))
    tasks.cancel(
        replace(run_at(sandbox, "jet_cancel_order", timedelta(seconds=2)), actor="alice"), by_operator,
        "customer_request",
    )  # fmt: skip
    refresh()

    # An order nobody acknowledged: Jet withdraws it after its 15 minutes.
    withdrawn = place(sandbox, node, (in_stock, 1))
    pull(timedelta(seconds=3))
    sandbox.advance(16 * 60)
    refresh()

    rules_file, manual_file = "include/jet/decisions/rules.py", "include/jet/decisions/manual.py"
    assert why(decisions_db, by_rules) == [("cancelled", "cancel", "rules", None, 1, "UNKNOWN_SKU", rules_file)]
    assert why(decisions_db, rejected) == [("rejected", "reject", "rules", None, 2, "NO_INVENTORY", rules_file)]
    ((status, act, started_by, who, units, reason, rule_in),) = why(decisions_db, directed)
    assert (status, act, started_by, who, units, rule_in) == (
        "cancelled", "cancel units", "jet", "Jet", 2, "include/jet/decisions/store.py",
    )  # fmt: skip
    assert reason.startswith("Jet requested the cancellation")
    assert why(decisions_db, by_operator) == [
        ("cancelled", "cancel units", "operator", "alice", 1, "customer_request", manual_file)
    ]
    assert why(decisions_db, withdrawn) == [
        ("cancelled", "withdraw", "jet", "Jet", 1, "exception - jet manual canceled to complete state", "Jet")
    ]

    # Jet re-sends the fulfillable line of an item-level rejection as a new order; it
    # landed with the withdrawn one, nobody acknowledged it either, and Jet withdrew it.
    mine = {by_rules, rejected, directed, by_operator, withdrawn}
    (resent,) = {r[0] for r in decisions_db.execute("SELECT merchant_order_id FROM jet.orders")} - mine
    assert [row[1:3] for row in why(decisions_db, resent)] == [("withdraw", "jet")]

    # Rejections are not cancellations: each has its own count and rate.
    day = decisions_db.execute(
        "SELECT orders, orders_cancelled, orders_rejected, orders_withdrawn, order_cancellation_rate,"
        " order_rejection_rate FROM analytics.cancellation_rate"
    ).fetchall()
    assert [tuple(r) for r in day] == [(6, 5, 1, 2, Decimal("0.8333"), Decimal("0.1667"))]

    # Every cancel is in analytics.order_decisions, whoever started it.
    cancels = decisions_db.execute(
        "SELECT merchant_order_id, action_kind, started_by FROM analytics.order_decisions"
        " WHERE action_kind IN ('cancel', 'reject', 'directed_cancel', 'cancel_units')"
    ).fetchall()
    assert sorted(cancels) == sorted(
        [(by_rules, "cancel", "rules"), (rejected, "reject", "rules"), (directed, "directed_cancel", "jet"),
         (by_operator, "cancel_units", "operator")]
    )  # fmt: skip

    # The timeline tells Jet's side: the withdrawal, and a complete with nothing shipped.
    withdrawal = story(decisions_db, withdrawn)
    assert withdrawal[0][:2] == ("jet", "Jet")
    assert "placed by the customer" in withdrawal[0][2]
    assert (
        "jet", "Jet", "Jet shows the order complete (exception - jet manual canceled to complete state)"
    ) in withdrawal  # fmt: skip
    assert not any(side == "ours" for side, _, _ in withdrawal), "we did nothing: no decision ran after it landed"
    answered = [body for _, _, body in story(decisions_db, directed)]
    complete = answered.index("Jet shows the order complete")
    applied = next(i for i, b in enumerate(answered) if b.startswith("directed_cancel applied at Jet"))
    assert applied < complete, answered
    assert any(b.startswith("Jet shows shipment") and "0 unit(s) shipped, 2 cancelled" in b for b in answered)
