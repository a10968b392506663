"""Exactly once toward Jet, with Jet misbehaving: 2,000 orders, 20 % of acknowledge and
shipped calls applied-then-dropped, 5 % answered 500 (not applied).

Judged by the sandbox's ledger of applied writes, not by our own bookkeeping.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from jet.decisions import tasks
from tests.integration.decisions.conftest import ledger_by_order, run_at

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ORDERS = 2000
FAULTS = [
    {"kind": "drop_after_apply", "rate": 0.20, "methods": ["PUT"], "path": r"/orders/[^/]+/(acknowledge|shipped)$"},
    {"kind": "error_500", "rate": 0.05, "methods": ["PUT"], "path": r"/orders/[^/]+/(acknowledge|shipped)$"},
]


def test_no_write_is_applied_twice_and_every_decision_settles(
    sandbox: Any, seeded: Any, pull: Any, refresh: Any, decisions_db: Any, jet_connection: Any
) -> None:
    # Generous budget: this test is about faults, not the rate limiter.
    jet_connection(rate_limit_per_second=5000, rate_limit_burst=500, max_concurrency=8)
    ids = sandbox.generate_orders(ORDERS, status="ready")
    for oid in ids[:100]:  # Jet asks to cancel some orders before we decide them
        sandbox.directed_cancel(oid)
    sandbox.set_faults(FAULTS)

    # Jet lists at most 1000 ready orders; it also re-sends the in-stock lines of rejected
    # multi-line orders as new orders. Pull and decide until nothing is left.
    decided_total = 0
    for _ in range(6):
        pull()
        decided = tasks.run_cycle(run_at(sandbox))["decided"]["decided"]
        decided_total += decided
        if decided == 0:
            break
    assert decided_total > ORDERS
    # Jet asks to cancel units of some acknowledged orders; the scheduled flow answers.
    acknowledged = sorted(o["order"]["merchant_order_id"] for o in sandbox.truth_orders("acknowledged"))[:150]
    for oid in acknowledged:
        sandbox.directed_cancel(oid)
    refresh()
    tasks.run_cycle(run_at(sandbox))

    faults = Counter(r["status"] for r in sandbox.requests_log() if r["method"] == "PUT")
    assert faults[0] > 300, f"connections dropped after apply: {dict(faults)}"
    assert faults[500] > 50, f"500s injected: {dict(faults)}"

    # --- the ledger: what Jet actually applied -------------------------------------
    ledger = ledger_by_order(sandbox)
    truth = {o["order"]["merchant_order_id"]: o for o in sandbox.truth_orders()}
    actions = {
        (oid, kind): (state, body)
        for oid, kind, state, body in decisions_db.execute(
            "SELECT merchant_order_id, kind, state, body FROM jet.actions"
        )
    }
    for oid, entries in ledger.items():
        acks = [e for e in entries if e["kind"] == "acknowledge"]
        assert len(acks) <= 1, f"{oid} acknowledged {len(acks)} times"
        shipped = [e for e in entries if e["kind"] == "shipped"]
        assert len(shipped) <= 1, f"{oid}: {len(shipped)} shipped calls applied"
        if shipped:
            assert acks, f"{oid} shipped without an acknowledgement"
            assert acks[0]["seq"] < shipped[0]["seq"], f"{oid} shipped before it was acknowledged"
            assert acks[0]["body"]["acknowledgement_status"] == "accepted", f"{oid} rejected and then cancelled"
    # Every decided order is settled: its acknowledgement call applied exactly once.
    decided = decisions_db.execute("SELECT merchant_order_id, outcome FROM jet.decisions WHERE NOT dry_run").fetchall()
    assert len(decided) > ORDERS
    for oid, outcome in decided:
        kind = {"acknowledge": "acknowledge", "reject": "reject", "cancel": "cancel"}[outcome]
        state, body = actions[(oid, kind)]
        assert state == "applied", f"{oid} {kind} is {state}"
        assert [e["kind"] for e in ledger[oid]].count("acknowledge") == 1
        assert truth[oid]["order"]["acknowledgement_status"] == body["acknowledgement_status"]
    states = Counter(state for state, _ in actions.values())
    assert set(states) == {"applied"}, states
    # Directed cancels were answered exactly: no order has more units cancelled than asked.
    directed = [oid for (oid, kind) in actions if kind == "directed_cancel"]
    assert len(directed) >= 150
    for oid in directed:
        assert truth[oid]["order"].get("exception_state") is None, truth[oid]["order"].get("exception_state")
        for line in truth[oid]["state"]["lines"]:
            assert line["cancelled"] == line["cancel_request"], (oid, line)
    assert sandbox.rejected() == [], "no write was refused by Jet"
    retried = decisions_db.execute("SELECT count(*) FROM jet.actions WHERE attempts > 1").fetchone()[0]
    assert retried > 0, "some writes were sent again after being settled as not applied"
