"""A Jet that allows fewer requests than our budget: 429s on writes are not attempts, and
every 429 slows the hook's shared budget for reads and writes alike."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from jet.decisions import tasks
from tests.integration.decisions.conftest import ledger_by_order, run_at

pytestmark = pytest.mark.integration

ORDERS = 100


def test_100_acknowledgements_under_a_jet_allowing_5_per_second_all_apply(
    sandbox: Any, seeded: Any, pull: Any, decisions_db: Any, jet_connection: Any
) -> None:
    # Our budget is four times what Jet allows.
    jet_connection(rate_limit_per_second=20, rate_limit_burst=20, max_concurrency=8)
    # Accepted, rejected or cancelled: each is the order's one acknowledgement call.
    ids = sandbox.generate_orders(ORDERS, status="ready")
    # Jet's limit starts after the pull: 100 detail GETs at 5/s would add 20 s of waiting
    # to a test about writes (reads under 429s: tests/integration/test_jet_hook.py).
    pull()
    sandbox.set_config(rate_limit_per_second=5, rate_limit_burst=5)
    sandbox.clear_requests()

    tasks.run_cycle(run_at(sandbox))
    sandbox.set_config(rate_limit_per_second=None, rate_limit_burst=None)

    rows = decisions_db.execute(
        "SELECT a.merchant_order_id, a.state, a.attempts - a.rate_limited, a.rate_limited"
        " FROM jet.actions a JOIN jet.action_kinds k ON k.kind = a.call AND k.acknowledgement"
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert Counter(r[1] for r in rows) == {"applied": ORDERS}, "every acknowledgement applied, none failed"
    assert {r[2] for r in rows} == {1}, "each sent once: a 429 is not an attempt"
    throttled = sum(r[3] for r in rows)
    answered = Counter((r["method"], r["status"]) for r in sandbox.requests_log())
    assert answered[("PUT", 429)] > 0, "Jet must have said 429 to writes"
    assert answered[("PUT", 204)] == ORDERS, "each acknowledgement answered once, after its 429s"
    assert throttled > 0, "Jet must have said 429 to some writes"
    ledger = ledger_by_order(sandbox)
    assert {oid: [e["kind"] for e in ledger[oid]].count("acknowledge") for oid in ids} == dict.fromkeys(ids, 1)
    # Within Jet's window: none of them was withdrawn.
    truth = {o["order"]["merchant_order_id"]: o["order"] for o in sandbox.truth_orders()}
    assert all(truth[oid]["status"] != "ready" for oid in ids)
