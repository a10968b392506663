"""Returns: landing, completion rules (partial needs feedback, deny needs a reason, the
return charge), the auto-completing policy, deadlines."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.fulfillment.shipments import Shipment, record_shipment
from jet.fulfillment.tasks import upload
from jet.returns import (
    Completion,
    ReturnDeadlineAtRisk,
    ReturnLineCredit,
    ReturnRefused,
    at_risk,
    check_deadlines,
    complete_return,
    land_returns,
)
from jet.returns.tasks import auto_complete
from tests.integration.fulfillment.conftest import run_at, sandbox_now, snapshot

pytestmark = pytest.mark.integration


def _hook() -> Any:
    from jet.api.hook import JetHook

    return JetHook()


@pytest.fixture
def shipped(sandbox: Any, place: Any, fdb: psycopg.Connection) -> Any:
    """Orders shipped in full at Jet, landed."""

    def _shipped(count: int = 1) -> list[str]:
        ids = place([{"merchant_sku": "SKU-A", "quantity": 2}, {"merchant_sku": "SKU-B", "quantity": 1}], count=count)
        for n, oid in enumerate(ids):
            record_shipment(
                fdb,
                run_at(sandbox, "jet_ship_order"),
                Shipment(
                    oid,
                    (),
                    carrier="USPS",
                    shipping_method="USPS Priority Mail",
                    tracking_number=f"94{n}",
                    ship_date=sandbox_now(sandbox),
                ),
            )
        upload(run_at(sandbox, "jet_fulfillment"))
        return ids

    return _shipped


@pytest.fixture
def policy(fdb: psycopg.Connection) -> Any:
    """Set the return policy for one test (append-only: a new version), then restore it."""
    original = fdb.execute("SELECT auto_complete, complete_within_hours FROM jet.current_return_policy").fetchone()

    def _set(**values: Any) -> None:
        args = ", ".join(f"p_{k} => %({k})s" for k in values)
        fdb.execute(f"SELECT jet.change_return_policy('tests', {args})", values)

    yield _set
    _set(auto_complete=original[0], complete_within_hours=original[1])


def test_partial_and_denied_completions_need_reasons(sandbox: Any, shipped: Any, fdb: psycopg.Connection) -> None:
    (oid,) = shipped()
    return_id = sandbox.generate_return(oid)
    landing = run_at(sandbox, "jet_returns")
    receipt = land_returns(fdb, _hook(), landing)
    assert receipt.new == 1
    assert receipt.quarantined == 0
    landed = snapshot(fdb)
    assert land_returns(fdb, _hook(), landing).changed == 0, "re-running the run changes nothing"
    assert snapshot(fdb) == landed
    item_id, qty = fdb.execute(
        "SELECT order_item_id, return_quantity FROM jet.return_items WHERE merchant_return_authorization_id = %s"
        " LIMIT 1",
        (return_id,),
    ).fetchone()
    before, ledger = snapshot(fdb), sandbox.ledger()
    run = run_at(sandbox, "jet_complete_return")
    with pytest.raises(ReturnRefused, match="refunding less than requested needs a feedback reason"):
        complete_return(fdb, _hook(), run, return_id, Completion(lines=(ReturnLineCredit(item_id, refund_quantity=0),)))
    with pytest.raises(ReturnRefused, match="denying credit needs a reason"):
        complete_return(fdb, _hook(), run, return_id, Completion(mode="deny"))
    with pytest.raises(ReturnRefused, match="disputing the return charge needs a reason"):
        complete_return(fdb, _hook(), run, return_id, Completion(agree_to_return_charge=False))
    assert snapshot(fdb) == before
    assert sandbox.ledger() == ledger

    complete_return(
        fdb,
        _hook(),
        run,
        return_id,
        Completion(
            mode="deny",
            deny_reason="Returned outside window",
            agree_to_return_charge=False,
            charge_feedback="returnedOutsideWindow",
        ),
    )
    (entry,) = [e for e in sandbox.ledger() if e["kind"] == "return_complete"]
    assert entry["body"]["agree_to_return_charge"] is False
    assert entry["body"]["return_charge_feedback"] == "returnedOutsideWindow"
    assert {i["order_return_refund_qty"] for i in entry["body"]["items"]} == {0}
    row = fdb.execute(
        "SELECT r.return_status, i.refund_quantity, i.refund_feedback, i.quantity_returned FROM jet.returns r"
        " JOIN jet.return_items i USING (merchant_return_authorization_id) WHERE order_item_id = %s",
        (item_id,),
    ).fetchone()
    assert row == ("completed by merchant", 0, "Returned outside window", qty)
    # Denied credit: the order is returned, not refunded.
    assert fdb.execute(
        "SELECT internal_status FROM jet.order_status_map WHERE merchant_order_id = %s", (oid,)
    ).fetchone() == ("returned",)
    with pytest.raises(ReturnRefused, match="already completed by jet_complete_return"):
        complete_return(fdb, _hook(), run_at(sandbox, "jet_complete_return"), return_id, Completion())


def test_policy_auto_completes_and_deadlines_are_tracked(
    sandbox: Any, shipped: Any, fdb: psycopg.Connection, policy: Any
) -> None:
    orders = shipped(count=6)
    for oid in orders:
        sandbox.generate_return(oid)
    land_returns(fdb, _hook(), run_at(sandbox, "jet_returns"))
    reasons = dict(
        fdb.execute(
            "SELECT r.merchant_return_authorization_id, array_agg(DISTINCT i.reason) FROM jet.returns r"
            " JOIN jet.return_items i USING (merchant_return_authorization_id) GROUP BY 1"
        ).fetchall()
    )
    accepted = sorted({rs[0] for rs in reasons.values()})[:2]
    policy(auto_complete=True, auto_accept_reasons=accepted, complete_within_hours=24)
    expected = {rid for rid, rs in reasons.items() if set(rs) <= set(accepted)}

    late = run_at(sandbox, "jet_returns", timedelta(hours=30))
    risky = at_risk(fdb, late)
    assert {r[0] for r in risky} == set(reasons)
    assert all(r[4] < 0 for r in risky), "all overdue after 30 h"
    assert len(check_deadlines(fdb, run_at(sandbox, "jet_returns"))) == len(reasons), "not yet at risk"
    with pytest.raises(ReturnDeadlineAtRisk, match=r"open return\(s\) within 6 h of their completion deadline"):
        check_deadlines(fdb, run_at(sandbox, "jet_returns", timedelta(hours=19)))

    result = auto_complete(run_at(sandbox, "jet_returns"))
    assert result["completed"] == len(expected)
    done = Counter(e["path"].split("/")[-2] for e in sandbox.ledger() if e["kind"] == "return_complete")
    assert set(done) == expected
    assert set(done.values()) <= {1}
    assert {r[0] for r in at_risk(fdb, late)} == set(reasons) - expected
    assert auto_complete(run_at(sandbox, "jet_returns"))["completed"] == 0, "nothing is completed twice"


def test_invalid_return_payload_is_quarantined(sandbox: Any, shipped: Any, fdb: psycopg.Connection) -> None:
    orders = shipped(count=2)
    for oid in orders:
        sandbox.generate_return(oid)
    sandbox.set_faults([{"kind": "truncated_json", "rate": 1.0, "methods": ["GET"], "path": "^/returns/state/"}])
    receipt = land_returns(fdb, _hook(), run_at(sandbox, "jet_returns"))
    sandbox.clear_faults()
    assert (receipt.listed, receipt.quarantined, receipt.loaded) == (2, 2, 0)
    assert fdb.execute("SELECT count(*) FROM jet.quarantine WHERE kind = 'return'").fetchone() == (2,)
    again = land_returns(fdb, _hook(), run_at(sandbox, "jet_returns"))
    assert (again.loaded, again.new) == (2, 2)
