"""Fault injection (each kind), the token-bucket budget and the request log."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import requests

from jet_sandbox.testing import SandboxProcess
from tests.sandbox.helpers import accept, ids_of, order

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize(("kind", "status"), [("error_500", 500), ("error_503", 503), ("rate_429", 429)])
def test_error_faults_answer_with_errors_and_do_not_apply(
    sandbox: SandboxProcess, jet: httpx.Client, kind: str, status: int
) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    sandbox.set_faults([{"kind": kind, "rate": 1.0, "methods": ["PUT"], "path": r"/acknowledge$"}])
    response = accept(jet, order_id)
    assert response.status_code == status
    assert response.json()["errors"]
    if status == 429:
        assert int(response.headers["Retry-After"]) >= 1
    assert jet.get("/orders/ready").status_code == 200  # GETs are not targeted
    assert sandbox.ledger() == []
    assert order(jet, order_id)["status"] == "ready"


def test_latency_fault_delays_the_answer(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.set_faults([{"kind": "latency", "rate": 1.0, "path": "^/orders/ready$", "params": {"seconds": 0.4}}])
    started = time.monotonic()
    assert jet.get("/orders/ready").status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert jet.get("/orders/created").status_code == 200
    assert time.monotonic() - started < 0.4


def test_hang_outlasts_the_client_timeout_and_the_write_still_lands(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    sandbox.set_faults([{"kind": "hang", "rate": 1.0, "methods": ["PUT"], "params": {"seconds": 1.5}}])
    with pytest.raises(httpx.ReadTimeout):
        jet.put(f"/orders/{order_id}/acknowledge", json={"acknowledgement_status": "accepted"}, timeout=0.3)
    deadline = time.monotonic() + 5
    while not sandbox.ledger() and time.monotonic() < deadline:
        sandbox.health()  # bounded poll: the hung request finishes server-side
    assert [e["kind"] for e in sandbox.ledger()] == ["acknowledge"]


def test_drop_after_apply_closes_the_connection_but_applies_the_write(
    sandbox: SandboxProcess, jet: httpx.Client
) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    sandbox.set_faults([{"kind": "drop_after_apply", "rate": 1.0, "methods": ["PUT"], "path": "/acknowledge$"}])
    token = sandbox.token()
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.put(
            f"{sandbox.api_url}/orders/{order_id}/acknowledge",
            json={"acknowledgement_status": "accepted"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
    [entry] = sandbox.ledger()
    assert (entry["kind"], entry["merchant_order_id"]) == ("acknowledge", order_id)
    assert order(jet, order_id)["status"] == "acknowledged"
    assert [r["status"] for r in sandbox.requests_log() if r["method"] == "PUT"] == [0]


@pytest.mark.parametrize("kind", ["truncated_json", "malformed_json"])
def test_broken_json_faults(sandbox: SandboxProcess, jet: httpx.Client, kind: str) -> None:
    good = jet.get("/orders/ready").content
    sandbox.set_faults([{"kind": kind, "rate": 1.0, "path": "^/orders/ready$"}])
    response = jet.get("/orders/ready")
    assert response.status_code == 200
    assert response.content != good
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    order_id = ids_of(jet.get("/orders/created"))[0]
    sandbox.set_faults([{"kind": kind, "rate": 1.0, "path": "^/orders/withoutShipmentDetail/"}])
    with pytest.raises(json.JSONDecodeError):
        json.loads(jet.get(f"/orders/withoutShipmentDetail/{order_id}").content)


def test_duplicate_urls_fault(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    clean = ids_of(jet.get("/orders/ready"))
    sandbox.set_faults([{"kind": "duplicate_urls", "rate": 1.0}])
    duplicated = ids_of(jet.get("/orders/ready"))
    assert len(duplicated) > len(clean)
    assert set(duplicated) == set(clean)


def test_missing_optional_fault_drops_optional_keys(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    order_id = ids_of(jet.get("/orders/ready"))[0]
    full = order(jet, order_id)
    assert {"alt_order_id"} <= set(full)
    assert "item_price" in full["order_totals"]
    assert "address2" in full["shipping_to"]["address"]
    sandbox.set_faults([{"kind": "missing_optional", "rate": 1.0}])
    sparse = order(jet, order_id)
    assert "alt_order_id" not in sparse
    assert "item_price" not in sparse["order_totals"]
    assert "address2" not in sparse["shipping_to"]["address"]
    assert "request_shipping_carrier" not in sparse["order_detail"]
    assert sparse["order_items"] == full["order_items"]


def test_expire_token_fault(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.set_faults([{"kind": "expire_token", "rate": 1.0, "path": "^/orders/ready$"}])
    response = jet.get("/orders/ready")
    assert response.status_code == 401
    assert response.json() == {"errors": ["token expired"]}
    assert jet.get("/orders/created").status_code == 200


def test_fault_decisions_are_seeded(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    def statuses() -> list[int]:
        sandbox.reset(seed=5)
        sandbox.set_faults([{"kind": "error_503", "rate": 0.5, "methods": ["GET"]}])
        return [jet.get("/orders/created").status_code for _ in range(30)]

    first = statuses()
    assert {200, 503} == set(first)
    assert statuses() == first


def test_token_bucket_rate_limit_with_retry_after(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    assert jet.get("/authcheck").status_code == 200  # log in before the budget starts counting
    sandbox.set_config(rate_limit_per_second=2, rate_limit_burst=5)
    sandbox.clear_requests()
    responses = [jet.get("/orders/created") for _ in range(12)]
    codes = [r.status_code for r in responses]
    assert codes[:5] == [200] * 5
    assert 429 in codes
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["errors"]
    log = sandbox.requests_log()
    assert [entry["status"] for entry in log] == codes
    assert all(entry["path"] == "/api/orders/created" and entry["method"] == "GET" for entry in log)
    assert log[0]["wall"] <= log[-1]["wall"]
    sandbox.set_config(rate_limit_per_second=None)
    assert jet.get("/orders/created").status_code == 200


def test_fault_admin_validates_and_clears(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    assert jet.get("/authcheck").status_code == 200  # log in before every path fails
    bad = sandbox.client.put("/_sandbox/faults", json={"faults": [{"kind": "nope", "rate": 1}]})
    assert bad.status_code == 400
    bad_regex = sandbox.client.put("/_sandbox/faults", json={"faults": [{"kind": "error_500", "path": "("}]})
    assert bad_regex.status_code == 400
    sandbox.set_faults([{"kind": "error_500", "rate": 1.0}])
    assert sandbox.client.get("/_sandbox/faults").json()["faults"][0]["kind"] == "error_500"
    assert jet.get("/orders/ready").status_code == 500
    sandbox.clear_faults()
    assert jet.get("/orders/ready").status_code == 200


def test_a_429_storm_answers_every_matching_request_for_its_duration(
    sandbox: SandboxProcess, jet: httpx.Client
) -> None:
    params = {"retry_after": 3, "storm_seconds": 60}
    storm = {"kind": "rate_429", "rate": 0.3, "path": "^/orders/ready$", "params": params}
    sandbox.set_faults([storm])
    statuses = [jet.get("/orders/ready").status_code for _ in range(40)]
    first = statuses.index(429)
    assert set(statuses[first:]) == {429}, f"once it fired, every matching request is refused: {statuses}"
    assert jet.get("/orders/acknowledged").status_code == 200, "requests it does not match pass"
    sandbox.set_faults([])
    assert jet.get("/orders/ready").status_code == 200, "new rules end the storm"
