"""The units a partial accept said to cancel are cancelled: jet_fulfillment's upload step
records the cancel-only shipment (once per decision) and sends it after Jet has the
acknowledgement, so the order can complete when the rest ships."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jet.decisions import tasks
from tests.integration.decisions.conftest import ledger_by_order, run_at, set_settings
from tests.integration.decisions.test_decide_flow import pick, place, truth

pytestmark = pytest.mark.integration


def test_a_partial_accept_cancels_the_missing_units_once(sandbox, seeded, pull, refresh, decisions_db) -> None:
    from jet.fulfillment.tasks import upload

    node = seeded["fulfillment_nodes"][0]
    sku = pick(seeded, known=True, min_stock=20)
    set_settings(decisions_db, partial_stock_policy="accept_available")
    (available,) = decisions_db.execute(
        "SELECT on_hand - coalesce((SELECT sum(promised) FROM jet.promised_units p"
        "  WHERE p.sku = i.sku AND p.fulfillment_node = i.fulfillment_node), 0)"
        " FROM jet.inventory i WHERE sku = %s AND fulfillment_node = %s",
        (sku, node),
    ).fetchone()
    oid = place(sandbox, node, (sku, available + 2))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decisions_db.execute(
        "SELECT l.units_to_cancel FROM jet.decision_lines l JOIN jet.decisions d USING (decision_id)"
        " WHERE d.merchant_order_id = %s",
        (oid,),
    ).fetchone() == (2,)
    refresh()

    first = upload(run_at(sandbox, "jet_fulfillment", timedelta(seconds=1)))
    assert first["partial_cancels"] == 1
    assert truth(sandbox)[oid]["state"]["units_by_sku"][sku] == {"ordered": available + 2, "shipped": 0, "cancelled": 2}
    assert truth(sandbox)[oid]["order"]["status"] == "inprogress"

    again = upload(run_at(sandbox, "jet_fulfillment", timedelta(seconds=2)))
    assert again["partial_cancels"] == 0
    assert [e["kind"] for e in ledger_by_order(sandbox)[oid]] == ["acknowledge", "shipped"], "cancelled once"

    assert decisions_db.execute(
        "SELECT internal_status, act, started_by, units, rule_in FROM jet.order_cancellations"
        " WHERE merchant_order_id = %s",
        (oid,),
    ).fetchall() == [("acknowledged", "cancel units", "rules", 2, "include/jet/decisions/rules.py")]
    history = decisions_db.execute("SELECT body FROM jet.order_history WHERE merchant_order_id = %s", (oid,))
    bodies = [r[0] for r in history]
    assert any(b.startswith("shipment ") and f"{sku} cancels 2" in b for b in bodies), bodies
    assert any(b.startswith("shipment ") and "confirmed by Jet: 0 unit(s) shipped, 2 cancelled" in b for b in bodies)
