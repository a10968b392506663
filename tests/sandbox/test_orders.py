"""Orders: lists, tags, detail, lifecycle, wrong-state errors, split-and-resend, withdrawal."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess
from tests.sandbox.helpers import accept, ids_of, order, ship_body

pytestmark = pytest.mark.sandbox


def test_lists_by_status_return_relative_urls(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    ready = jet.get("/orders/ready")
    assert ready.status_code == 200
    urls = ready.json()["order_urls"]
    assert len(urls) == 25
    assert all(u.startswith("/orders/withoutShipmentDetail/") and len(u.rsplit("/", 1)[1]) == 32 for u in urls)
    assert len(ids_of(jet.get("/orders/created"))) == 5
    for status in ("acknowledged", "inprogress", "complete"):
        assert ids_of(jet.get(f"/orders/{status}")) == []
    assert jet.get("/orders/bogus").status_code == 404
    truth_ready = {t["order"]["merchant_order_id"] for t in sandbox.truth_orders("ready")}
    assert set(ids_of(ready)) == truth_ready


def test_fulfillment_node_filter_and_cap(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    nodes = sandbox.truth("catalog")["fulfillment_nodes"]
    by_node = {n: set(ids_of(jet.get("/orders/ready", params={"fulfillment_node": n}))) for n in nodes}
    assert by_node[nodes[0]].isdisjoint(by_node[nodes[1]])
    assert by_node[nodes[0]] | by_node[nodes[1]] == set(ids_of(jet.get("/orders/ready")))
    for node, ids in by_node.items():
        for order_id in list(ids)[:3]:
            assert order(jet, order_id)["fulfillment_node"] == node
    sandbox.set_config(order_list_cap=10)
    assert len(ids_of(jet.get("/orders/ready"))) == 10


def test_tags_set_overwrite_clear_and_tagged_lists(jet: httpx.Client) -> None:
    first, second, *_ = ids_of(jet.get("/orders/ready"))
    assert jet.put(f"/orders/{first}/tag", json={"tag": "batch-1"}).status_code == 204
    assert ids_of(jet.get("/orders/ready/batch-1/true")) == [first]
    untagged = ids_of(jet.get("/orders/ready/batch-1/false"))
    assert first not in untagged
    assert second in untagged
    jet.put(f"/orders/{first}/tag", json={"tag": "batch-2"})
    assert ids_of(jet.get("/orders/ready/batch-1/true")) == []
    assert ids_of(jet.get("/orders/ready/batch-2/true")) == [first]
    jet.put(f"/orders/{first}/tag", json={})
    assert ids_of(jet.get("/orders/ready/batch-2/true")) == []
    assert jet.put("/orders/" + "0" * 32 + "/tag", json={"tag": "x"}).status_code == 404


def test_detail_and_unknown_id(jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    detail = order(jet, order_id)
    assert detail["merchant_order_id"] == order_id
    assert detail["status"] == "ready"
    assert detail["order_placed_date"].endswith(".0000000Z")
    assert 1 <= len(detail["order_items"]) <= 5
    missing = jet.get("/orders/withoutShipmentDetail/" + "f" * 32)
    assert missing.status_code == 404
    assert missing.json()["errors"]


def test_order_totals_are_unit_amounts_times_quantity(jet: httpx.Client) -> None:
    for order_id in ids_of(jet.get("/orders/ready"))[:10]:
        detail = order(jet, order_id)
        items = detail["order_items"]
        for key in ("base_price", "item_tax", "item_shipping_cost", "item_shipping_tax"):
            expected = sum(round(i["item_price"][key] * 100) * i["request_order_quantity"] for i in items)
            assert round(detail["order_totals"]["item_price"][key] * 100) == expected
        fees = sum(round(i["item_fees"] * 100) * i["request_order_quantity"] for i in items)
        assert round(detail["order_totals"]["item_fees"] * 100) == fees
        for item in items:
            assert round(item["item_fees"] * 100) == sum(round(a["value"] * 100) for a in item["fee_adjustments"])


def test_created_becomes_ready_after_fraud_delay(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    created = ids_of(jet.get("/orders/created"))
    assert jet.put(f"/orders/{created[0]}/acknowledge", json={"acknowledgement_status": "accepted"}).status_code == 400
    sandbox.advance(1799)
    assert ids_of(jet.get("/orders/created")) == created
    sandbox.advance(1)
    assert ids_of(jet.get("/orders/created")) == []
    detail = order(jet, created[0])
    assert detail["status"] == "ready"
    assert detail["order_ready_date"] == "2026-03-02T15:30:00.0000000Z"


def test_full_lifecycle_ack_partial_ship_cancel_complete(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 3}])
    assert accept(jet, order_id, alt_order_id="WMS-1").status_code == 204
    detail = order(jet, order_id)
    assert detail["status"] == "acknowledged"
    assert detail["alt_order_id"] == "WMS-1"
    assert detail["acknowledgement_status"] == "accepted"
    assert detail["order_acknowledge_date"] == "2026-03-02T15:00:00.0000000Z"
    assert detail["order_items"][0]["order_item_acknowledgement_status"] == "fulfillable"
    assert jet.put(f"/orders/{order_id}/shipped", json=ship_body([("APP-1000X", 1, 0)])).status_code == 204
    detail = order(jet, order_id)
    assert detail["status"] == "inprogress"
    assert detail["has_shipments"] is True
    shipment = detail["shipments"][0]
    assert len(shipment["shipment_id"]) == 32
    assert shipment["response_shipment_date"] == "2026-03-02T15:15:00.0000000Z"  # -05:00 normalized to Z
    cancel = ship_body([("APP-1000X", 0, 1)], alt_shipment_id="C-1")
    assert jet.put(f"/orders/{order_id}/shipped", json=cancel).status_code == 204
    assert order(jet, order_id)["status"] == "inprogress"
    assert jet.put(f"/orders/{order_id}/shipped", json=ship_body([("APP-1000X", 1, 0)], "S-2")).status_code == 204
    detail = order(jet, order_id)
    assert detail["status"] == "complete"
    assert "exception_state" not in detail
    truth = next(t for t in sandbox.truth_orders("complete") if t["order"]["merchant_order_id"] == order_id)
    assert truth["state"]["units_by_sku"]["APP-1000X"] == {"ordered": 3, "shipped": 2, "cancelled": 1}
    kinds = [(e["kind"], e["merchant_order_id"]) for e in sandbox.ledger()]
    assert kinds == [("acknowledge", order_id)] + [("shipped", order_id)] * 3
    # a complete order takes no more writes
    assert jet.put(f"/orders/{order_id}/shipped", json=ship_body([("APP-1000X", 1, 0)])).status_code == 400


def test_wrong_state_and_invalid_bodies_are_400_and_not_in_ledger(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    sku = order(jet, order_id)["order_items"][0]["merchant_sku"]
    bad_calls = [
        jet.put(f"/orders/{order_id}/shipped", json=ship_body([(sku, 1, 0)])),  # not acknowledged yet
        jet.put(f"/orders/{order_id}/acknowledge", json={"acknowledgement_status": "maybe"}),
        jet.put(f"/orders/{order_id}/acknowledge", json={"acknowledgement_status": "accepted", "order_items": [
            {"order_item_id": "0" * 32, "order_item_acknowledgement_status": "fulfillable"}]}),
    ]  # fmt: skip
    for response in bad_calls:
        assert response.status_code == 400, response.text
        assert response.json()["errors"]
    assert accept(jet, order_id).status_code == 204
    assert accept(jet, order_id).status_code == 400
    no_tracking = ship_body([(sku, 1, 0)])
    del no_tracking["shipments"][0]["shipment_tracking_number"]
    cancel_without_alt = ship_body([(sku, 0, 1)])
    del cancel_without_alt["shipments"][0]["alt_shipment_id"]
    for body in (no_tracking, cancel_without_alt, ship_body([("NOT-ON-ORDER", 1, 0)]), {"shipments": []}):
        assert jet.put(f"/orders/{order_id}/shipped", json=body).status_code == 400
    assert (
        jet.put("/orders/" + "0" * 32 + "/acknowledge", json={"acknowledgement_status": "accepted"}).status_code == 404
    )
    assert [e["kind"] for e in sandbox.ledger()] == ["acknowledge"]
    assert len(sandbox.rejected()) == 8


@pytest.mark.parametrize(
    "item_status",
    ["fulfillable", "nonfulfillable - no inventory", "nonfulfillable - invalid merchant SKU", "nonfulfillable"],
)
def test_every_item_ack_status_is_accepted(sandbox: SandboxProcess, jet: httpx.Client, item_status: str) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 1}])
    line_id = order(jet, order_id)["order_items"][0]["order_item_id"]
    ack_status = "accepted" if item_status == "fulfillable" else "rejected - item level error"
    body = {
        "acknowledgement_status": ack_status,
        "order_items": [
            {"order_item_id": line_id, "order_item_acknowledgement_status": item_status, "alt_order_item_id": "76-i105"}
        ],
    }
    assert jet.put(f"/orders/{order_id}/acknowledge", json=body).status_code == 204
    item = order(jet, order_id)["order_items"][0]
    assert item["order_item_acknowledgement_status"] == item_status
    assert item["alt_order_item_id"] == "76-i105"


@pytest.mark.parametrize(
    "ack_status",
    [
        "rejected - other",
        "rejected - fraud",
        "rejected - ship from location not available",
        "rejected - shipping method not supported",
        "rejected - unfulfillable address",
    ],
)
def test_order_level_reject_completes_with_exception(jet: httpx.Client, ack_status: str) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    assert jet.put(f"/orders/{order_id}/acknowledge", json={"acknowledgement_status": ack_status}).status_code == 204
    detail = order(jet, order_id)
    assert detail["status"] == "complete"
    assert detail["exception_state"] == "exception - order rejected"
    assert detail["acknowledgement_status"] == ack_status
    assert order_id not in ids_of(jet.get("/orders/ready"))
    assert order_id in ids_of(jet.get("/orders/complete"))


def test_multi_item_reject_is_split_and_resent(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    lines = [
        {"merchant_sku": "APP-1000X", "quantity": 2},
        {"merchant_sku": "NOT-KNOWN-1", "quantity": 1},
        {"merchant_sku": "HOM-1001X", "quantity": 1},
    ]
    [order_id] = sandbox.generate_orders(1, lines=lines)
    items = order(jet, order_id)["order_items"]
    statuses = ["fulfillable", "nonfulfillable - invalid merchant SKU", "fulfillable"]
    body = {
        "acknowledgement_status": "rejected - item level error",
        "order_items": [
            {"order_item_id": i["order_item_id"], "order_item_acknowledgement_status": s}
            for i, s in zip(items, statuses, strict=True)
        ],
    }
    created_before = set(ids_of(jet.get("/orders/created")))
    assert jet.put(f"/orders/{order_id}/acknowledge", json=body).status_code == 204
    assert order(jet, order_id)["exception_state"] == "exception - order rejected"
    [new_id] = set(ids_of(jet.get("/orders/created"))) - created_before
    new = order(jet, new_id)
    old = order(jet, order_id)
    assert new_id != order_id
    assert new["reference_order_id"] != old["reference_order_id"]
    assert new["customer_reference_order_id"] == old["customer_reference_order_id"]
    assert [(i["merchant_sku"], i["request_order_quantity"]) for i in new["order_items"]] == [
        ("APP-1000X", 2),
        ("HOM-1001X", 1),
    ]
    assert {i["order_item_id"] for i in new["order_items"]}.isdisjoint({i["order_item_id"] for i in items})
    sandbox.advance(1800)
    assert order(jet, new_id)["status"] == "ready"
    truth = {t["order"]["merchant_order_id"]: t["state"] for t in sandbox.truth_orders()}
    assert truth[new_id]["resent_from"] == order_id
    assert truth[order_id]["resent_as"] == new_id


def test_single_item_or_all_bad_reject_is_not_resent(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 1}])
    line_id = order(jet, order_id)["order_items"][0]["order_item_id"]
    body = {
        "acknowledgement_status": "rejected - item level error",
        "order_items": [
            {"order_item_id": line_id, "order_item_acknowledgement_status": "nonfulfillable - no inventory"}
        ],
    }
    created_before = ids_of(jet.get("/orders/created"))
    assert jet.put(f"/orders/{order_id}/acknowledge", json=body).status_code == 204
    assert ids_of(jet.get("/orders/created")) == created_before


def test_unacknowledged_order_is_withdrawn_after_window(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    ready = ids_of(jet.get("/orders/ready"))
    accept(jet, ready[0])
    sandbox.advance(899)
    assert len(ids_of(jet.get("/orders/ready"))) == 24
    sandbox.advance(1)
    assert ids_of(jet.get("/orders/ready")) == []
    withdrawn = order(jet, ready[1])
    assert withdrawn["status"] == "complete"
    assert withdrawn["exception_state"] == "exception - jet manual canceled to complete state"
    assert order(jet, ready[0])["status"] == "acknowledged"
    assert accept(jet, ready[1]).status_code == 400
    truth = {t["order"]["merchant_order_id"]: t["state"] for t in sandbox.truth_orders("complete")}
    assert truth[ready[1]]["withdrawn"] is True


def test_withdrawal_can_be_switched_off(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.set_config(withdraw_unacknowledged=False)
    sandbox.advance(2700)
    assert len(ids_of(jet.get("/orders/ready"))) == 30  # 25 + the 5 created ones now ready


def test_directed_cancel(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 3}])
    accept(jet, order_id)
    line_id = order(jet, order_id)["order_items"][0]["order_item_id"]
    sandbox.directed_cancel(order_id, {line_id: 2})
    detail = order(jet, order_id)
    assert detail["jet_request_directed_cancel"] is True
    assert detail["order_items"][0]["request_order_cancel_qty"] == 2
    assert ids_of(jet.get("/orders/directedCancel")) == [order_id]
    assert ids_of(jet.get("/orders/acknowledged", params={"isCancelled": "true"})) == [order_id]
    body = ship_body([("APP-1000X", 1, 2)])
    assert jet.put(f"/orders/{order_id}/shipped", json=body).status_code == 204
    assert order(jet, order_id)["status"] == "complete"
    assert ids_of(jet.get("/orders/directedCancel")) == []


def test_over_ship_and_over_cancel_set_exception_states(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    over_ship, over_cancel = sandbox.generate_orders(2, lines=[{"merchant_sku": "APP-1000X", "quantity": 2}])
    accept(jet, over_ship)
    accept(jet, over_cancel)
    assert jet.put(f"/orders/{over_ship}/shipped", json=ship_body([("APP-1000X", 3, 0)])).status_code == 204
    detail = order(jet, over_ship)
    assert (detail["status"], detail["exception_state"]) == ("complete", "exception - too many units shipped")
    assert jet.put(f"/orders/{over_cancel}/shipped", json=ship_body([("APP-1000X", 1, 2)])).status_code == 204
    detail = order(jet, over_cancel)
    assert (detail["status"], detail["exception_state"]) == ("complete", "exception - too many units cancelled")


def test_jet_generate_endpoint(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    node = sandbox.truth("catalog")["fulfillment_nodes"][0]
    body = {
        "fulfillment_node": node,
        "items": [{"sku": "test_product", "order_quantity": 2, "order_cancel_quantity": 1}],
    }
    response = jet.post("/orders/generate/2", json=body)
    assert response.status_code == 200
    new_ids = ids_of(response)
    assert len(new_ids) == 2
    detail = order(jet, new_ids[0])
    assert detail["status"] == "ready"
    assert detail["fulfillment_node"] == node
    assert detail["order_items"][0]["merchant_sku"] == "test_product"
    assert detail["order_items"][0]["request_order_cancel_qty"] == 1
    assert detail["jet_request_directed_cancel"] is True
    assert jet.post("/orders/generate/1", json={}).status_code == 200


def test_raw_order_text_is_served_verbatim(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    text = '{"merchant_order_id": "x", "order_totals": {"item_fees": 2.01,'
    sandbox.set_raw_order(order_id, text)
    assert jet.get(f"/orders/withoutShipmentDetail/{order_id}").text == text


def test_arrivals_are_poisson_and_seeded(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    def run() -> list[str]:
        sandbox.reset(seed=7, scenario="empty", config={"arrivals_per_hour": 30})
        sandbox.advance(3600)
        return sorted(t["order"]["merchant_order_id"] for t in sandbox.truth_orders())

    first = run()
    assert 10 <= len(first) <= 60
    assert run() == first


def test_list_cap_is_1000_by_default(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="empty")
    sandbox.generate_orders(1001)
    urls = jet.get("/orders/ready").json()["order_urls"]
    assert len(urls) == 1000
    assert len(set(urls)) == 1000


def test_concurrent_acknowledges_apply_exactly_once(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    headers = sandbox.auth_headers()

    def ack(_: int) -> int:
        response = httpx.put(
            f"{sandbox.api_url}/orders/{order_id}/acknowledge",
            json={"acknowledgement_status": "accepted"},
            headers=headers,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = sorted(pool.map(ack, range(8)))
    assert codes == [204] + [400] * 7
    assert [e["kind"] for e in sandbox.ledger()] == ["acknowledge"]
