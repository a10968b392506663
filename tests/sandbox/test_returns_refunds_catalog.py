"""Returns, merchant refunds and the catalog endpoints."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess
from tests.sandbox.helpers import accept, ids_of, ship_all

pytestmark = pytest.mark.sandbox

SKU = "APP-1000X"


def shipped_order(sandbox: SandboxProcess, jet: httpx.Client, qty: int = 2) -> str:
    """A complete order of ``qty`` units of SKU, all shipped."""
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": SKU, "quantity": qty}])
    assert accept(jet, order_id).status_code == 204
    assert ship_all(jet, order_id).status_code == 204
    return order_id


def open_return(jet: httpx.Client, order_id: str) -> dict[str, Any]:
    response = jet.get(f"/returns/generate/{order_id}")
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url.startswith("/returns/state/")
    detail = jet.get(url)
    assert detail.status_code == 200
    return dict(detail.json())


def full_complete_body(ret: dict[str, Any]) -> dict[str, Any]:
    return {
        "merchant_order_id": ret["merchant_order_id"],
        "alt_return_authorization_id": "RMA-1",
        "agree_to_return_charge": True,
        "items": [
            {
                "order_item_id": s["order_item_id"],
                "total_quantity_returned": s["return_quantity"],
                "order_return_refund_qty": s["return_quantity"],
                "refund_amount": s["requested_refund_amount"],
            }
            for s in ret["return_merchant_SKUs"]
        ],
    }


def test_return_generate_state_and_lists(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = shipped_order(sandbox, jet)
    ret = open_return(jet, order_id)
    assert ret["return_status"] == "created"
    assert ret["merchant_order_id"] == order_id
    assert ret["reference_return_authorization_id"].endswith("-01")
    [sku] = ret["return_merchant_SKUs"]
    assert sku["merchant_sku"] == SKU
    assert set(sku["requested_refund_amount"]) == {"principal", "tax", "shipping_cost", "shipping_tax"}
    return_id = ret["merchant_return_authorization_id"]
    assert ids_of(jet.get("/returns/created"), "return_urls") == [return_id]
    assert jet.get("/returns/bogus").status_code == 404
    assert jet.get("/returns/state/" + "0" * 32).status_code == 404
    [unshipped] = sandbox.generate_orders(1)
    assert jet.get(f"/returns/generate/{unshipped}").status_code == 400


def test_complete_return_rules(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    ret = open_return(jet, shipped_order(sandbox, jet, qty=1))
    return_id = ret["merchant_return_authorization_id"]
    good = full_complete_body(ret)
    line = good["items"][0]
    too_much = {**line, "refund_amount": {**line["refund_amount"], "principal": line["refund_amount"]["principal"] + 1}}
    partial_without_feedback = {**line, "refund_amount": {**line["refund_amount"], "principal": 0.5}}
    invalid = [
        {k: v for k, v in good.items() if k != "agree_to_return_charge"},
        {**good, "agree_to_return_charge": False},  # disputing the charge needs return_charge_feedback
        {**good, "return_charge_feedback": "not-a-feedback"},
        {**good, "merchant_order_id": "0" * 32},
        {**good, "items": [too_much]},
        {**good, "items": [partial_without_feedback]},
        {**good, "items": [{**line, "order_item_id": "0" * 32}]},
        {**good, "items": [{**line, "total_quantity_returned": 0}]},  # refunding more than came back
    ]
    for body in invalid:
        response = jet.put(f"/returns/{return_id}/complete", json=body)
        assert response.status_code == 400, body
        assert response.json()["errors"]
    assert jet.put(f"/returns/{return_id}/complete", json=good).status_code == 204
    done = jet.get(f"/returns/state/{return_id}").json()
    assert done["return_status"] == "completed by merchant"
    assert done["alt_return_authorization_id"] == "RMA-1"
    assert done["items"][0]["order_return_refund_qty"] == 1
    assert ids_of(jet.get("/returns/completed%20by%20merchant"), "return_urls") == [return_id]
    assert ids_of(jet.get("/returns/completedByMerchant"), "return_urls") == [return_id]
    assert jet.put(f"/returns/{return_id}/complete", json=good).status_code == 400
    assert [e["kind"] for e in sandbox.ledger()][-1] == "return_complete"


def test_partial_and_zero_completions(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    ret = open_return(jet, shipped_order(sandbox, jet, qty=1))
    body = full_complete_body(ret)
    body["agree_to_return_charge"] = False
    body["return_charge_feedback"] = "notMerchantError"
    body["items"][0].update(
        order_return_refund_qty=0,
        refund_amount={"principal": 0, "tax": 0, "shipping_cost": 0, "shipping_tax": 0},
        return_refund_feedback="Item damaged",
    )
    response = jet.put(f"/returns/{ret['merchant_return_authorization_id']}/complete", json=body)
    assert response.status_code == 204
    assert (
        jet.get(f"/returns/state/{ret['merchant_return_authorization_id']}").json()["agree_to_return_charge"] is False
    )


def test_legacy_return_acknowledge_moves_to_inprogress(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    ret = open_return(jet, shipped_order(sandbox, jet))
    return_id = ret["merchant_return_authorization_id"]
    assert jet.put(f"/returns/{return_id}/acknowledge").status_code == 204
    assert ids_of(jet.get("/returns/inprogress"), "return_urls") == [return_id]
    assert jet.put(f"/returns/{return_id}/acknowledge").status_code == 400


def test_returns_arrive_on_shipped_orders_as_the_clock_advances(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.set_config(return_rate=1.0, return_delay_days_min=1, return_delay_days_max=2)
    order_id = shipped_order(sandbox, jet)
    assert ids_of(jet.get("/returns/created"), "return_urls") == []
    sandbox.advance(2 * 86400)
    [return_id] = ids_of(jet.get("/returns/created"), "return_urls")
    assert jet.get(f"/returns/state/{return_id}").json()["merchant_order_id"] == order_id


def refund_body(order: dict[str, Any], qty: int = 1, principal: float | None = None) -> dict[str, Any]:
    item = order["order_items"][0]
    return {
        "items": [
            {
                "order_item_id": item["order_item_id"],
                "total_quantity_returned": qty,
                "order_return_refund_qty": qty,
                "refund_reason": "Item arrived damaged - box damaged",
                "refund_feedback": "Item damaged",
                "notes": "customer shipped back directly",
                "refund_amount": {
                    "principal": item["item_price"]["base_price"] * qty if principal is None else principal,
                    "tax": item["item_price"]["item_tax"] * qty,
                    "shipping_cost": 0,
                    "shipping_tax": 0,
                },
            }
        ]
    }


def test_refund_lifecycle_and_lists(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = shipped_order(sandbox, jet)
    detail = jet.get(f"/orders/withoutShipmentDetail/{order_id}").json()
    created = jet.post(f"/refunds/{order_id}/R-1", json=refund_body(detail))
    assert created.status_code == 201
    assert created.json()["refund_status"] == "created"
    refund_id = created.json()["refund_authorization_id"]
    for word in ("created", "Created", "CREATED"):
        listing = jet.get(f"/refunds/{word}").json()
        assert listing["refund_urls"] == listing["sku_urls"] == [f"/refunds/state/{refund_id}"]
    assert jet.get(f"/refunds/state/{refund_id}").json()["refund_status"] == "created"
    sandbox.advance(600)
    assert jet.get(f"/refunds/state/{refund_id}").json()["refund_status"] == "processing"
    sandbox.advance(3600)
    state = jet.get("/refunds/state/R-1").json()  # by alt_refund_id too
    assert state["refund_status"] == "accepted"
    assert state["refund_authorization_id"] == refund_id
    assert ids_of(jet.get("/refunds/Accepted"), "refund_urls") == [refund_id]
    assert jet.get("/refunds/bogus").status_code == 404
    assert jet.get("/refunds/state/nope").status_code == 404


def test_refund_exceeding_what_was_paid_is_rejected_later(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = shipped_order(sandbox, jet, qty=1)
    detail = jet.get(f"/orders/withoutShipmentDetail/{order_id}").json()
    first = jet.post(f"/refunds/{order_id}/R-1", json=refund_body(detail))
    second = jet.post(f"/refunds/{order_id}/R-2", json=refund_body(detail))  # the same unit again
    assert first.status_code == second.status_code == 201
    sandbox.advance(4200)
    assert jet.get("/refunds/state/R-1").json()["refund_status"] == "accepted"
    rejected = jet.get("/refunds/state/R-2").json()["refund_status"]
    assert rejected == "rejected - refund conflicts with returns policy"
    assert ids_of(jet.get("/refunds/rejected"), "refund_urls") == [second.json()["refund_authorization_id"]]


def test_refund_validation(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = shipped_order(sandbox, jet)
    detail = jet.get(f"/orders/withoutShipmentDetail/{order_id}").json()
    bad_reason = refund_body(detail)
    bad_reason["items"][0]["refund_reason"] = "because"
    assert jet.post(f"/refunds/{order_id}/R-x", json=bad_reason).status_code == 400
    assert jet.post("/refunds/" + "0" * 32 + "/R-x", json=refund_body(detail)).status_code == 404
    [unshipped] = sandbox.generate_orders(1)
    unshipped_detail = jet.get(f"/orders/withoutShipmentDetail/{unshipped}").json()
    assert jet.post(f"/refunds/{unshipped}/R-y", json=refund_body(unshipped_detail)).status_code == 400
    assert [e["kind"] for e in sandbox.ledger()] == ["acknowledge", "shipped"]


def test_catalog_endpoints(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    first_page = jet.get("/merchant-skus", params={"offset": 0, "limit": 10}).json()["sku_urls"]
    second_page = jet.get("/merchant-skus", params={"offset": 10, "limit": 10}).json()["sku_urls"]
    assert len(first_page) == len(second_page) == 10
    assert set(first_page).isdisjoint(second_page)
    sku = first_page[0].rsplit("/", 1)[1]
    assert first_page[0] == f"/merchant-skus/{sku}"
    product = jet.get(f"/merchant-skus/{sku}").json()
    assert product["merchant_sku"] == sku
    assert product["is_archived"] is False
    assert jet.get("/merchant-skus/NOPE").status_code == 404

    assert jet.put("/merchant-skus/NEW-1", json={"product_title": "new thing", "brand": "Acme"}).status_code == 204
    assert jet.get("/merchant-skus/NEW-1").json()["product_title"] == "new thing"
    assert jet.put("/merchant-skus/NEW-2", json={"brand": "no title"}).status_code == 400

    nodes = sandbox.truth("catalog")["fulfillment_nodes"]
    price = {"price": 38.0, "fulfillment_nodes": [{"fulfillment_node_id": nodes[0], "fulfillment_node_price": 37.5}]}
    assert jet.put(f"/merchant-skus/{sku}/price", json=price).status_code == 204
    got = jet.get(f"/merchant-skus/{sku}/price").json()
    assert got["price"] == 38.0
    assert got["fulfillment_nodes"][0]["fulfillment_node_price"] == 37.5
    assert jet.put(f"/merchant-skus/{sku}/price", json={"price": -1}).status_code == 400

    put_body = {"fulfillment_nodes": [{"fulfillment_node_id": nodes[0], "quantity": 20}]}
    assert jet.put(f"/merchant-skus/{sku}/inventory", json=put_body).status_code == 204
    assert jet.get(f"/merchant-skus/{sku}/inventory").json()["fulfillment_nodes"] == [
        {"fulfillment_node_id": nodes[0], "quantity": 20}
    ]  # PUT replaced every node
    patch_body = {"fulfillment_nodes": [{"fulfillment_node_id": nodes[1], "quantity": 5}]}
    assert jet.patch(f"/merchant-skus/{sku}/inventory", json=patch_body).status_code == 204
    inventory = {
        n["fulfillment_node_id"]: n["quantity"]
        for n in jet.get(f"/merchant-skus/{sku}/inventory").json()["fulfillment_nodes"]
    }
    assert inventory == {nodes[0]: 20, nodes[1]: 5}  # PATCH kept the other node
    bad_qty = {"fulfillment_nodes": [{"fulfillment_node_id": nodes[0], "quantity": -3}]}
    assert jet.put(f"/merchant-skus/{sku}/inventory", json=bad_qty).status_code == 400

    assert jet.put(f"/merchant-skus/{sku}/status/archive", json={"is_archived": True}).status_code == 204
    assert jet.get(f"/merchant-skus/{sku}").json()["status"] == "Archived"
    assert jet.put(f"/merchant-skus/{sku}/status/archive", json={"is_archived": False}).status_code == 204
    assert jet.get(f"/merchant-skus/{sku}").json()["is_archived"] is False
    assert [e["kind"] for e in sandbox.ledger()] == ["sku", "price", "inventory", "inventory", "archive", "archive"]


def test_truth_catalog_flags_skus_unknown_to_the_merchant(sandbox: SandboxProcess) -> None:
    skus = sandbox.truth("catalog")["skus"]
    assert len(skus) == 60
    unknown = [s for s in skus if not s["known_to_merchant"]]
    assert 0 < len(unknown) < 15
    assert any(s["known_to_merchant"] and s["merchant_on_hand"] == 0 for s in skus)


def test_admin_return_generation_and_truth(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = shipped_order(sandbox, jet)
    return_id = sandbox.generate_return(order_id)
    assert ids_of(jet.get("/returns/created"), "return_urls") == [return_id]
    [truth] = sandbox.truth("returns")["returns"]
    assert (truth["merchant_return_authorization_id"], truth["merchant_order_id"]) == (return_id, order_id)
    assert sandbox.client.post("/_sandbox/returns/generate", json={"merchant_order_id": "0" * 32}).status_code == 404


def test_raw_bodies_are_served_byte_for_byte_until_restored(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    """A broken Jet, byte for byte: returns, refunds, settlement reports and their CSV."""
    order_id = shipped_order(sandbox, jet)
    return_id = open_return(jet, order_id)["merchant_return_authorization_id"]
    detail = jet.get(f"/orders/withoutShipmentDetail/{order_id}").json()
    refund_id = jet.post(f"/refunds/{order_id}/R-RAW", json=refund_body(detail)).json()["refund_authorization_id"]
    broken = b'{"not": "\xff\x00 valid"'
    sandbox.set_raw("return", return_id, broken)
    sandbox.set_raw("refund", "R-RAW", broken)  # by alt_refund_id: kept under Jet's id
    assert jet.get(f"/returns/state/{return_id}").content == broken
    assert jet.get(f"/refunds/state/{refund_id}").content == broken
    assert jet.get("/refunds/state/R-RAW").content == broken
    sandbox.set_raw("return", return_id, b"")
    assert jet.get(f"/returns/state/{return_id}").json()["merchant_return_authorization_id"] == return_id
    sandbox.set_raw_order(order_id, broken)
    assert jet.get(f"/orders/withoutShipmentDetail/{order_id}").content == broken
    missing = sandbox.client.put(f"/_sandbox/raw/return/{'0' * 32}", content=b"x")
    assert missing.status_code == 404
    assert sandbox.client.put(f"/_sandbox/raw/bogus/{return_id}", content=b"x").status_code == 400


def test_raw_status_overrides_fail_one_object_until_restored(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    """``?status=`` makes Jet fail one return or refund only, with or without a body; an
    out-of-range status is refused and changes nothing."""
    order_id = shipped_order(sandbox, jet)
    return_id = open_return(jet, order_id)["merchant_return_authorization_id"]
    other_id = open_return(jet, shipped_order(sandbox, jet))["merchant_return_authorization_id"]
    detail = jet.get(f"/orders/withoutShipmentDetail/{order_id}").json()
    refund_id = jet.post(f"/refunds/{order_id}/R-500", json=refund_body(detail)).json()["refund_authorization_id"]
    sandbox.set_raw("return", return_id, b'{"errors": ["boom"]}', status=500)
    sandbox.set_raw("refund", refund_id, b"", status=503)  # a status alone is an override too
    failed = jet.get(f"/returns/state/{return_id}")
    assert (failed.status_code, failed.content) == (500, b'{"errors": ["boom"]}')
    assert jet.get(f"/refunds/state/{refund_id}").status_code == 503
    assert jet.get("/refunds/state/R-500").status_code == 503  # by alt_refund_id too
    assert jet.get(f"/returns/state/{other_id}").status_code == 200, "only that return fails"
    for status in (99, 600):
        refused = sandbox.client.put(f"/_sandbox/raw/return/{return_id}", content=b"x", params={"status": status})
        assert refused.status_code == 400
        assert "status must be an HTTP status" in refused.text
    assert jet.get(f"/returns/state/{return_id}").status_code == 500, "a refused override changes nothing"
    sandbox.set_raw("return", return_id, b"")  # empty body, status 200: restored
    assert jet.get(f"/returns/state/{return_id}").json()["merchant_return_authorization_id"] == return_id
