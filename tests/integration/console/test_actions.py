"""Order manager actions: the form becomes the manual DAG's conf, checked against that
DAG's own Params (jet.dag_params), with a preview of exactly what Jet will receive."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from jet.console import load_order
from jet.console.actions import ActionRefused, plan
from jet.console.params import ParamsRefused, validate_conf
from tests.integration.fulfillment.conftest import run_at, sandbox_now

pytestmark = pytest.mark.integration


def _plan(conn: psycopg.Connection, sandbox: Any, action: str, oid: str, form: dict[str, str]) -> Any:
    view = load_order(conn, oid, sandbox_now(sandbox))
    assert view is not None
    return plan(conn, action, view, form, "alice", sandbox_now(sandbox))


def test_cancel_previews_the_call_jet_gets_before_and_after_acknowledgement(
    sandbox: Any, place: Any, cdb: psycopg.Connection
) -> None:
    (ready,) = place([{"merchant_sku": "SKU-A", "quantity": 2}], acknowledge=False)
    (acked,) = place([{"merchant_sku": "SKU-A", "quantity": 2}, {"merchant_sku": "SKU-B"}])
    before = _plan(cdb, sandbox, "cancel", ready, {"reason": "out_of_stock"})
    (call,) = before.jet_calls
    assert (call.method, call.path) == ("PUT", f"/orders/{ready}/acknowledge")
    assert call.body["acknowledgement_status"] == "rejected - item level error"
    assert {i["order_item_acknowledgement_status"] for i in call.body["order_items"]} == {
        "nonfulfillable - no inventory"
    }
    after = _plan(cdb, sandbox, "cancel", acked, {"reason": "customer_request"})
    (call,) = after.jet_calls
    assert call.path == f"/orders/{acked}/shipped"
    items = {i["merchant_sku"]: i["response_shipment_cancel_qty"] for i in call.body["shipments"][0]["shipment_items"]}
    assert items == {"SKU-A": 2, "SKU-B": 1}
    assert after.conf == {"merchant_order_id": acked, "reason": "customer_request"}
    validate_conf("jet_cancel_order", after.conf)
    with pytest.raises(ActionRefused, match="reason must be one of"):
        _plan(cdb, sandbox, "cancel", acked, {"reason": "bored"})
    # A cancel's reason is always chosen: the form has no default, nor has the DAG.
    with pytest.raises(ActionRefused, match="a reason is required"):
        _plan(cdb, sandbox, "cancel", acked, {"reason": ""})
    with pytest.raises(ParamsRefused, match="Invalid input for param reason"):
        validate_conf("jet_cancel_order", {"merchant_order_id": acked})


def test_a_dag_outside_the_shared_params_is_checked_against_what_airflow_serves() -> None:
    served = {
        "action_id": {"value": None, "schema": {"type": "integer", "minimum": 1}, "description": None, "source": None}
    }
    validate_conf("jet_plugin_action", {"action_id": 7}, served)
    with pytest.raises(ParamsRefused, match="Invalid input for param action_id"):
        validate_conf("jet_plugin_action", {"action_id": 0}, served)
    with pytest.raises(ParamsRefused, match="unknown parameter 'action'"):
        validate_conf("jet_plugin_action", {"action": 7}, served)
    with pytest.raises(ParamsRefused, match="declares no Params"):
        validate_conf("jet_plugin_action", {"action_id": 7})
    # jet_retry_action is one of the shared Params now: checked without asking Airflow.
    validate_conf("jet_retry_action", {"action_id": 7})
    with pytest.raises(ParamsRefused, match="Invalid input for param action_id"):
        validate_conf("jet_retry_action", {"action_id": 0})


def test_ship_refuses_what_jet_would_and_previews_partial_lines(
    sandbox: Any, place: Any, cdb: psycopg.Connection
) -> None:
    (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 3}, {"merchant_sku": "SKU-B"}])
    view = load_order(cdb, oid, sandbox_now(sandbox))
    a = next(line.order_item_id for line in view.lines if line.merchant_sku == "SKU-A")
    b = next(line.order_item_id for line in view.lines if line.merchant_sku == "SKU-B")
    form = {f"ship:{a}": "2", f"cancel:{b}": "1", "carrier": "UPS", "shipping_method": "UPS Ground"}
    with pytest.raises(ActionRefused, match="the tracking number is required"):
        _plan(cdb, sandbox, "ship", oid, form)
    with pytest.raises(ActionRefused, match="moves 4 unit"):
        _plan(cdb, sandbox, "ship", oid, {**form, f"ship:{a}": "4", "tracking_number": "1Z1"})
    with pytest.raises(ActionRefused, match="is not a whole number"):
        _plan(cdb, sandbox, "ship", oid, {**form, f"ship:{a}": "two"})
    shipping = _plan(cdb, sandbox, "ship", oid, {**form, "tracking_number": "1Z1"})
    assert shipping.conf["lines"] == [
        {"merchant_sku": "SKU-A", "quantity_shipped": 2, "quantity_cancelled": 0},
        {"merchant_sku": "SKU-B", "quantity_shipped": 0, "quantity_cancelled": 1},
    ]
    items = shipping.jet_calls[0].body["shipments"][0]["shipment_items"]
    assert {
        (i["merchant_sku"], i["response_shipment_sku_quantity"], i["response_shipment_cancel_qty"]) for i in items
    } == {
        ("SKU-A", 2, 0),
        ("SKU-B", 0, 1),
    }
    validate_conf("jet_ship_order", shipping.conf)


def test_refund_and_return_completion_previews(sandbox: Any, place: Any, shipped: Any, cdb: psycopg.Connection) -> None:
    from jet.api.hook import JetHook
    from jet.returns import land_returns

    oid = shipped()
    view = load_order(cdb, oid, sandbox_now(sandbox))
    a = next(line.order_item_id for line in view.lines if line.merchant_sku == "SKU-A")
    b = next(line.order_item_id for line in view.lines if line.merchant_sku == "SKU-B")
    with pytest.raises(ActionRefused, match="did not ship"):
        _plan(cdb, sandbox, "refund", oid, {f"refund:{b}": "1", "refund_reason": "No longer want this item"})
    refund = _plan(cdb, sandbox, "refund", oid, {f"refund:{a}": "1", "refund_reason": "No longer want this item"})
    (item,) = refund.jet_calls[0].body["items"]
    assert (item["order_item_id"], item["order_return_refund_qty"], item["refund_amount"]["principal"]) == (a, 1, 20.0)
    validate_conf("jet_refund_order", refund.conf)

    return_id = sandbox.generate_return(oid)
    land_returns(cdb, JetHook(), run_at(sandbox, "jet_returns"))
    with pytest.raises(ActionRefused, match="reason to deny credit is required"):
        _plan(cdb, sandbox, "complete_return", oid, {"return_id": return_id, "decision": "deny"})
    accept = _plan(
        cdb,
        sandbox,
        "complete_return",
        oid,
        {"return_id": return_id, "decision": "accept", "agree_to_return_charge": "on"},
    )
    assert accept.jet_calls[0].path == f"/returns/{return_id}/complete"
    assert accept.jet_calls[0].body["agree_to_return_charge"] is True
    validate_conf("jet_complete_return", accept.conf)
    with pytest.raises(ActionRefused, match="is not a return of order"):
        _plan(cdb, sandbox, "complete_return", oid, {"return_id": "not-a-return", "decision": "accept"})


def test_a_note_is_signed_by_the_user_and_checked_by_the_dags_params(
    sandbox: Any, place: Any, cdb: psycopg.Connection
) -> None:
    (oid,) = place([{"merchant_sku": "SKU-A"}])
    note = _plan(cdb, sandbox, "note", oid, {"text": "  called back  "})
    assert note.conf == {"merchant_order_id": oid, "author": "alice", "text": "called back"}
    assert note.jet_calls == ()
    validate_conf("jet_add_order_note", note.conf)
    with pytest.raises(ParamsRefused, match=r"Invalid input for param text: .* is too long"):
        validate_conf("jet_add_order_note", {**note.conf, "text": "x" * 4001})
    with pytest.raises(ParamsRefused, match="Invalid input for param merchant_order_id"):
        validate_conf("jet_add_order_note", {**note.conf, "merchant_order_id": "x"})
    with pytest.raises(ParamsRefused, match="unknown parameter 'txt' \\(did you mean 'text'\\?\\)"):
        validate_conf("jet_add_order_note", {**note.conf, "txt": "red"})
    with pytest.raises(ActionRefused, match="the note's text is required"):
        _plan(cdb, sandbox, "note", oid, {"text": "   "})
    approve = _plan(cdb, sandbox, "approve", oid, {})
    assert any("only held, ready orders can be approved" in w for w in approve.warnings)
