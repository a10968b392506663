"""The sandbox's payloads have the keys and nesting of the real samples.

``tests/fixtures/jet-samples/`` holds verbatim copies of public sample payloads (provenance in its SOURCES.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess
from tests.sandbox.helpers import accept, ids_of, order, ship_all

pytestmark = pytest.mark.sandbox

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "jet-samples"

#: Order keys the reference lists as optional (present only in some states) beyond the docs sample.
OPTIONAL_ORDER_KEYS = {
    "customer_reference_order_id",
    "alt_order_id",
    "exception_state",
    "acknowledgement_status",
    "jet_request_directed_cancel",
    "has_shipments",
    "shipments",
}
OPTIONAL_ITEM_KEYS = {
    "alt_order_item_id",
    "request_order_cancel_qty",
    "order_item_acknowledgement_status",
}


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def shape(value: Any) -> Any:
    """Keys and nesting only: dicts keep their keys, lists their first element's shape."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if isinstance(value, str | bool) else "number" if value is not None else "null"


def fixed_order_sample() -> dict[str, Any]:
    """The docs order with its known defect repaired: order_items / order_detail are top-level."""
    doc = sample("order_detail_jetdocs_sample_via_mock_server.json")
    totals = doc["order_totals"]
    doc["order_items"] = totals.pop("order_items")
    doc["order_detail"] = totals.pop("order_detail")
    return doc


def assert_covers(
    expected: Any, actual: Any, extra_ok: set[str], where: str = "$", may_miss: frozenset[str] = frozenset()
) -> None:
    """Every key of ``expected`` exists in ``actual`` with the same nesting; extras must be in ``extra_ok``."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        missing = set(expected) - set(actual) - may_miss
        assert not missing, f"{where}: missing {missing}"
        unexpected = set(actual) - set(expected) - extra_ok
        assert not unexpected, f"{where}: unexpected {unexpected}"
        for key in set(expected) & set(actual):
            assert_covers(expected[key], actual[key], extra_ok, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), where
        if expected and actual:
            assert_covers(expected[0], actual[0], extra_ok, f"{where}[0]")
    elif expected in ("number", "str", "bool"):
        assert actual == expected or actual == "null", f"{where}: {actual} vs {expected}"


def test_order_payload_matches_the_docs_sample(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    expected = shape(fixed_order_sample())
    order_id = ids_of(jet.get("/orders/ready"))[0]
    # a ready order has not been acknowledged yet: only that date may be absent
    not_yet = frozenset({"order_acknowledge_date"})
    assert_covers(expected, shape(order(jet, order_id)), OPTIONAL_ORDER_KEYS | OPTIONAL_ITEM_KEYS, may_miss=not_yet)
    # and in its later states (acknowledged, shipped, complete)
    accept(jet, order_id, alt_order_id="A-1")
    ship_all(jet, order_id)
    shipped = order(jet, order_id)
    assert shipped["status"] == "complete"
    assert_covers(expected, shape(shipped), OPTIONAL_ORDER_KEYS | OPTIONAL_ITEM_KEYS)
    # the sample's top-level key order is kept (readers diffing payloads see the same layout)
    sample_keys = [k for k in fixed_order_sample() if k in shipped]
    assert [k for k in shipped if k in sample_keys] == sample_keys


def test_settlement_report_matches_the_docs_sample(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="history", config={"history_days": 1})
    [url] = jet.get("/settlement/1").json()["settlement_report_urls"]
    report = jet.get(url).json()
    assert shape(report) == shape(sample("settlement_report_detail_response.json"))
    assert list(report) == list(sample("settlement_report_detail_response.json"))
    assert set(jet.get("/settlement/1").json()) == set(sample("settlement_report_urls_list_response.json"))


def test_refund_payloads_match_the_samples(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 1}])
    accept(jet, order_id, alt_order_id="A-1")
    ship_all(jet, order_id)
    item = order(jet, order_id)["order_items"][0]
    body = {
        "items": [
            {
                "order_item_id": item["order_item_id"],
                "alt_order_item_id": "A1223456",
                "total_quantity_returned": 1,
                "order_return_refund_qty": 1,
                "refund_reason": "better price available",
                "refund_feedback": "Item damaged",
                "notes": "This is where the notes go",
                "refund_amount": {"principal": 1.0, "tax": 0.0, "shipping_cost": 0.0, "shipping_tax": 0.0},
            }
        ]
    }
    created = jet.post(f"/refunds/{order_id}/1292142451", json=body)
    assert created.status_code == 201
    assert shape(created.json()) == shape(sample("refund_create_response.json"))
    state = jet.get(f"/refunds/state/{created.json()['refund_authorization_id']}").json()
    assert shape(state) == shape(sample("refund_state_response.json"))
    listing = jet.get("/refunds/created").json()
    assert set(sample("refunds_by_status_list_response.json")) <= set(listing)


def test_list_and_token_payloads_match_the_samples(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    assert set(jet.get("/orders/ready").json()) == set(sample("order_urls_list_response_mock.json"))
    body = sample("token_request_body.json")
    body.update(user=sandbox.user, **{"pass": sandbox.secret})
    token = httpx.post(sandbox.api_url + "/token", json=body).json()
    assert {"id_token", "token_type"} <= set(sample("token_response_legacy_2015.json")) | {"expires_on"}
    assert set(token) == {"id_token", "token_type", "expires_on"}
