"""Admin API: clock (manual and real), config, reset, request log, generator options."""

from __future__ import annotations

import time

import httpx
import pytest

from jet_sandbox.testing import SandboxError, SandboxProcess
from jet_sandbox.util import parse_ts
from tests.sandbox.helpers import ids_of, order

pytestmark = pytest.mark.sandbox


def test_manual_clock_is_frozen_until_moved(sandbox: SandboxProcess) -> None:
    assert sandbox.now() == "2026-03-02T15:00:00.0000000Z"
    assert sandbox.now() == "2026-03-02T15:00:00.0000000Z"
    assert sandbox.advance(90.5) == "2026-03-02T15:01:30.5000000Z"
    assert sandbox.set_now("2026-03-02T12:00:00-05:00") == "2026-03-02T17:00:00.0000000Z"
    backwards = sandbox.client.post("/_sandbox/clock/set", json={"now": "2020-01-01T00:00:00Z"})
    assert backwards.status_code == 400
    assert sandbox.client.post("/_sandbox/clock/advance", json={"seconds": -1}).status_code == 400


def test_real_clock_flows_and_advance_adds_an_offset() -> None:
    with SandboxProcess(clock="real", start="2026-01-01T00:00:00Z") as real:
        first = parse_ts(real.now())
        deadline = time.monotonic() + 5
        while parse_ts(real.now()) == first and time.monotonic() < deadline:
            real.health()  # bounded poll until wall time has visibly moved the clock
        assert parse_ts(real.now()) > first
        moved = parse_ts(real.advance(3600))
        assert (moved - first).total_seconds() >= 3600
        assert real.client.get("/_sandbox/clock").json()["mode"] == "real"


def test_config_get_put_and_validation(sandbox: SandboxProcess) -> None:
    config = sandbox.config()
    for key, default in {
        "fraud_check_delay_seconds": 1800,
        "ack_window_seconds": 900,
        "withdraw_unacknowledged": True,
        "token_ttl_seconds": 3600,
        "rate_limit_per_second": None,
        "rate_limit_burst": None,
        "order_list_cap": 1000,
        "arrivals_per_hour": 0,
    }.items():
        assert config[key] == default, key
    assert sandbox.set_config(ack_window_seconds=60)["ack_window_seconds"] == 60
    assert sandbox.client.put("/_sandbox/config", json={"no_such_key": 1}).status_code == 400
    assert sandbox.client.put("/_sandbox/config", json={"return_rate": 2}).status_code == 400
    sandbox.reset()
    assert sandbox.config()["ack_window_seconds"] == 900


def test_reset_with_config_and_unknown_scenario(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="empty", config={"fraud_check_delay_seconds": 0})
    assert ids_of(jet.get("/orders/ready")) == []
    [order_id] = sandbox.generate_orders(1, status="created")
    sandbox.advance(0)
    assert order(jet, order_id)["status"] == "ready"
    with pytest.raises(SandboxError):
        sandbox.reset(scenario="nope")


def test_generator_options(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    nodes = sandbox.truth("catalog")["fulfillment_nodes"]
    skus = [s["merchant_sku"] for s in sandbox.truth("catalog")["skus"][:3]]
    ids = sandbox.generate_orders(20, skus=skus, fulfillment_node=nodes[1])
    for order_id in ids:
        detail = order(jet, order_id)
        assert detail["fulfillment_node"] == nodes[1]
        assert {i["merchant_sku"] for i in detail["order_items"]} <= set(skus)
        assert 1 <= len(detail["order_items"]) <= 3
    line_counts = {len(order(jet, i)["order_items"]) for i in ids_of(jet.get("/orders/ready"))}
    assert max(line_counts) > 1


def test_request_log_records_every_api_call(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    jet.get("/orders/ready")
    sandbox.clear_requests()
    assert sandbox.requests_log() == []
    jet.get("/orders/ready")
    jet.get("/orders/withoutShipmentDetail/" + "0" * 32)
    log = sandbox.requests_log()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/api/orders/ready", 200),
        ("GET", "/api/orders/withoutShipmentDetail/" + "0" * 32, 404),
    ]
    assert all(abs(r["wall"] - time.time()) < 60 for r in log)
