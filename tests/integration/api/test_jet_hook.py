"""JetHook against the Jet sandbox over real HTTP.

The sandbox runs as a subprocess (``jet_sandbox.testing.SandboxProcess``); the hook is
pointed at it through ``AIRFLOW_CONN_JET_API`` exactly as in production. Assertions use
the sandbox's own records: the request log (what reached the server, with wall times),
the ledger (writes actually applied) and the ground truth of generated orders. Nothing
of ours is mocked and nothing sleeps: waiting happens only inside the hook (backoff,
Retry-After, the rate budget).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from jet.api.errors import JetAuthError, JetRetriesExhausted, JetServerError, WriteOutcomeUnknown
from jet.api.hook import JetHook
from jet.api.models import AcknowledgeRequest
from tests.unit.api.payloads import DOCS_SAMPLE, fixed_docs_sample_text

pytestmark = pytest.mark.integration

SandboxProcess = pytest.importorskip("jet_sandbox.testing", reason="the Jet sandbox is not importable").SandboxProcess

DETAIL = "/api/orders/withoutShipmentDetail/"


@pytest.fixture(scope="module")
def sandbox_proc() -> Iterator[Any]:
    with SandboxProcess(seed=11, scenario="empty", clock="manual") as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_proc: Any) -> Any:
    """The module's sandbox, reset (state, faults, ledger, request log) for each test."""
    sandbox_proc.reset(seed=11, scenario="empty", config={"fraud_check_delay_seconds": 0})
    return sandbox_proc


@pytest.fixture
def make_hook(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., JetHook]]:
    """Build a JetHook on connection ``jet_api`` pointing at the sandbox, with given extras."""
    hooks: list[JetHook] = []

    def factory(**extra: Any) -> JetHook:
        defaults = {
            "rate_limit_per_second": 0,
            "max_concurrency": 8,
            "backoff_base": 0.05,
            "backoff_max": 0.5,
            "connect_timeout": 2,
            "read_timeout": 5,
            "progress_interval": 1,
        }
        monkeypatch.setenv("AIRFLOW_CONN_JET_API", sandbox.airflow_connection(extra={**defaults, **extra}))
        hook = JetHook()
        hooks.append(hook)
        return hook

    yield factory
    for hook in hooks:
        hook.close()


def _calls(log: list[dict[str, Any]], method: str, prefix: str) -> list[dict[str, Any]]:
    return [r for r in log if r["method"] == method and r["path"].startswith(prefix)]


def _token_calls(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in log if r["method"] == "POST" and r["path"].lower() == "/api/token"]


def _accept_all(hook: JetHook, order_id: str) -> AcknowledgeRequest:
    order = hook.get_order(order_id)
    return AcknowledgeRequest.model_validate(
        {
            "acknowledgement_status": "accepted",
            "order_items": [
                {"order_item_id": line.order_item_id, "order_item_acknowledgement_status": "fulfillable"}
                for line in order.order_items
            ],
        }
    )


# --------------------------------------------------------------------------- auth


def test_token_is_fetched_lazily_and_cached(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(5)
    hook = make_hook()
    assert _token_calls(sandbox.requests_log()) == []  # constructing the hook did no I/O
    assert sorted(hook.list_order_ids("ready")) == sorted(ids)
    for oid in ids:
        assert hook.get_order(oid).merchant_order_id == oid
    assert len(_token_calls(sandbox.requests_log())) == 1
    assert hook.stats.token_fetches == 1


def test_expired_token_is_renewed_once_on_401(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(2)
    hook = make_hook()
    hook.get_order(ids[0])
    # Jump the sandbox clock past the token's lifetime: the server now answers 401.
    sandbox.advance(sandbox.config()["token_ttl_seconds"] + 1)
    assert hook.get_order(ids[1]).merchant_order_id == ids[1]
    log = sandbox.requests_log()
    assert len(_token_calls(log)) == 2
    assert [r["status"] for r in _calls(log, "GET", DETAIL + ids[1])] == [401, 200]
    assert hook.stats.token_refreshes_on_401 == 1


def test_second_401_raises(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook()
    sandbox.set_faults(
        [{"kind": "expire_token", "rate": 1.0, "methods": ["GET"], "path": "^/orders/withoutShipmentDetail/"}]
    )
    with pytest.raises(JetAuthError, match="401 again"):
        hook.get_order(oid)
    log = sandbox.requests_log()
    assert [r["status"] for r in _calls(log, "GET", DETAIL)] == [401, 401]
    assert len(_token_calls(log)) == 2


def test_wrong_secret_is_an_auth_error(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_JET_API", sandbox.airflow_connection(extra={}, login="x", password="y"))
    with pytest.raises(JetAuthError, match="HTTP 401"):
        JetHook().list_order_ids("ready")


# --------------------------------------------------------------------------- GET retries


def test_gets_survive_500_503_and_429_honouring_retry_after(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(60)
    sandbox.set_faults(
        [
            {"kind": "error_500", "rate": 0.1, "methods": ["GET"]},
            {"kind": "error_503", "rate": 0.1, "methods": ["GET"]},
            {"kind": "rate_429", "rate": 0.1, "methods": ["GET"], "params": {"retry_after": 1}},
        ]
    )
    hook = make_hook(max_retries=8)
    listed = hook.list_order_ids("ready")
    assert sorted(listed) == sorted(ids)
    results = list(hook.iter_orders(listed))
    assert sorted(r.merchant_order_id for r in results) == sorted(ids)
    assert all(r.ok for r in results)

    log = sandbox.requests_log()
    detail = _calls(log, "GET", DETAIL)
    listing = _calls(log, "GET", "/api/orders/ready")
    statuses = Counter(r["status"] for r in detail + listing)
    assert all(statuses[code] > 0 for code in (500, 503, 429)), statuses  # the faults did fire
    # Every request beyond the first per resource was one of our retries.
    assert hook.stats.retries == (len(detail) - len(ids)) + (len(listing) - 1)
    assert hook.stats.rate_limited == statuses[429]
    # Retry-After honoured: after a 429 on a path, the next request for it came >= 1 s later.
    by_path: dict[str, list[dict[str, Any]]] = {}
    for r in detail:
        by_path.setdefault(r["path"], []).append(r)
    gaps = [
        later["wall"] - earlier["wall"]
        for seq in by_path.values()
        for earlier, later in pairwise(seq)
        if earlier["status"] == 429
    ]
    assert gaps
    assert min(gaps) >= 1.0


def test_gets_survive_hangs_via_read_timeout(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(20)
    sandbox.set_faults([{"kind": "hang", "rate": 0.25, "methods": ["GET"], "params": {"seconds": 1.5}}])
    hook = make_hook(read_timeout=0.3, max_retries=8)
    results = list(hook.iter_orders(ids))
    assert sorted(r.merchant_order_id for r in results) == sorted(ids)
    assert all(r.ok for r in results)
    assert hook.stats.transport_errors > 0
    assert hook.stats.retries == hook.stats.transport_errors


def test_gets_give_up_naming_url_and_status(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    sandbox.set_faults(
        [{"kind": "error_503", "rate": 1.0, "methods": ["GET"], "path": "^/orders/withoutShipmentDetail/"}]
    )
    hook = make_hook(max_retries=2)
    with pytest.raises(JetRetriesExhausted) as info:
        hook.get_order_raw(oid)
    assert info.value.status == 503
    assert f"{DETAIL}{oid}" in str(info.value)
    assert "after 3 attempts" in str(info.value)
    assert len(_calls(sandbox.requests_log(), "GET", DETAIL)) == 3
    # A batch fetch hands that one order back as unreadable instead of failing the batch.
    [result] = hook.iter_orders([oid])
    assert not result.ok
    assert isinstance(result.unreadable, JetRetriesExhausted)
    assert result.unreadable.status == 503


# --------------------------------------------------------------------------- writes


def test_dropped_write_is_outcome_unknown_applied_once(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook()
    body = _accept_all(hook, oid)
    sandbox.set_faults([{"kind": "drop_after_apply", "rate": 1.0, "methods": ["PUT"], "path": "/acknowledge$"}])
    with pytest.raises(WriteOutcomeUnknown) as info:
        hook.acknowledge(oid, body)
    assert info.value.request_sent
    log = sandbox.requests_log()
    assert len(_calls(log, "PUT", f"/api/orders/{oid}/acknowledge")) == 1  # never resent
    applied = [e for e in sandbox.ledger() if e["merchant_order_id"] == oid]
    assert len(applied) == 1
    # Settling the unknown outcome: re-reading the order shows the write was applied.
    sandbox.clear_faults()
    assert hook.get_order(oid).status == "acknowledged"


def test_5xx_write_is_outcome_unknown_and_not_retried(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook()
    body = _accept_all(hook, oid)
    sandbox.set_faults([{"kind": "error_500", "rate": 1.0, "methods": ["PUT"]}])
    with pytest.raises(JetServerError) as info:
        hook.acknowledge(oid, body)
    assert isinstance(info.value, WriteOutcomeUnknown)
    assert len(_calls(sandbox.requests_log(), "PUT", f"/api/orders/{oid}/acknowledge")) == 1
    assert sandbox.ledger() == []


def test_hung_write_times_out_as_outcome_unknown(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook(read_timeout=0.3)
    body = _accept_all(hook, oid)
    sandbox.set_faults([{"kind": "hang", "rate": 1.0, "methods": ["PUT"], "params": {"seconds": 1}}])
    with pytest.raises(WriteOutcomeUnknown, match="ReadTimeout"):
        hook.acknowledge(oid, body)
    assert len(_calls(sandbox.requests_log(), "PUT", f"/api/orders/{oid}/acknowledge")) == 1


def test_acknowledge_then_ship_round_trip(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook()
    hook.acknowledge(oid, _accept_all(hook, oid))
    order = hook.get_order(oid)
    assert order.status == "acknowledged"
    hook.ship(
        oid,
        {
            "shipments": [
                {
                    "alt_shipment_id": "SHP-1",
                    "shipment_tracking_number": "1Z999AA10123456784",
                    "response_shipment_date": "2026-03-02T16:00:00.0000000Z",
                    "response_shipment_method": "UPS_ground",
                    "carrier": "UPS",
                    "shipment_items": [
                        {
                            "merchant_sku": line.merchant_sku,
                            "response_shipment_sku_quantity": line.request_order_quantity,
                        }
                        for line in order.order_items
                    ],
                }
            ]
        },
    )
    shipped = hook.get_order(oid)
    assert shipped.status == "complete"
    ledger = sandbox.ledger()
    assert [(e["kind"], e["merchant_order_id"]) for e in ledger] == [("acknowledge", oid), ("shipped", oid)]
    sent = ledger[1]["body"]["shipments"][0]
    assert sent["response_shipment_method"] == "UPS Ground"  # normalized before sending
    assert sent["response_shipment_date"] == "2026-03-02T16:00:00.0000000Z"


# --------------------------------------------------------------------------- rate budget and concurrency


def test_rate_budget_is_respected(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    rate, burst = 40.0, 5
    ids = sandbox.generate_orders(160)
    hook = make_hook(rate_limit_per_second=rate, rate_limit_burst=burst, max_concurrency=8)
    sandbox.clear_requests()
    results = list(hook.iter_orders(hook.list_order_ids("ready")))
    assert len(results) == len(ids)

    walls = sorted(r["wall"] for r in sandbox.requests_log())
    assert len(walls) == len(ids) + 2  # token + list + one GET per order
    # Arrival times at the sandbox jitter around send times (a busy machine delays one
    # request and the next lands with it), so judge two-second windows, with a little slack:
    # a budget that leaked would send the 160 requests in well under a second.
    window, slack = 2.0, 4
    for i, start in enumerate(walls):
        in_window = sum(1 for w in walls[i:] if w < start + window)
        assert in_window <= rate * window + burst + slack, f"{in_window} requests in the {window:g} s from {start}"
    elapsed = walls[-1] - walls[0]
    assert (len(walls) - burst) / elapsed <= rate * 1.05


def test_concurrent_fetch_of_200_orders_returns_each_once_matching_truth(
    sandbox: Any, make_hook: Callable[..., JetHook]
) -> None:
    ids = sandbox.generate_orders(200)
    hook = make_hook(max_concurrency=8)
    sandbox.clear_requests()
    results = list(hook.iter_orders(hook.list_order_ids("ready")))

    fetched = Counter(r.merchant_order_id for r in results)
    assert sorted(fetched) == sorted(ids)
    assert set(fetched.values()) == {1}
    assert all(r.ok for r in results)
    detail_calls = _calls(sandbox.requests_log(), "GET", DETAIL)
    assert len(detail_calls) == 200  # one request per order, none repeated
    assert len(results) == hook.stats.requests - 2

    truth = {t["order"]["merchant_order_id"]: t["order"] for t in sandbox.truth_orders()}
    for result in results:
        assert result.order is not None
        expected = truth[result.merchant_order_id]
        assert json.loads(result.raw) == expected
        for line, want in zip(result.order.order_items, expected["order_items"], strict=True):
            assert line.merchant_sku == want["merchant_sku"]
            assert line.request_order_quantity == want["request_order_quantity"]
            assert line.item_price.base_price == Decimal(str(want["item_price"]["base_price"]))


def test_invalid_payloads_do_not_stop_the_others(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(20)
    docs_sample = DOCS_SAMPLE.read_text()
    sandbox.set_raw_order(ids[0], docs_sample)  # Jet's docs sample, misplaced brace and all
    sandbox.set_raw_order(ids[1], fixed_docs_sample_text().replace("9b13bdd68c314d1b9c8b93277dea4da1", ids[1]))
    sandbox.set_faults([{"kind": "duplicate_urls", "rate": 1.0, "methods": ["GET"], "path": "^/orders/ready$"}])
    hook = make_hook()
    listed = hook.list_order_ids("ready")
    assert sorted(listed) == sorted(ids)  # duplicates in Jet's list are dropped
    sandbox.set_faults(
        [
            {
                "kind": "malformed_json",
                "rate": 1.0,
                "methods": ["GET"],
                "path": f"^/orders/withoutShipmentDetail/{ids[2]}$",
            }
        ]
    )
    results = {r.merchant_order_id: r for r in hook.iter_orders(listed)}
    assert sorted(results) == sorted(ids)

    sample = results[ids[0]]
    assert sample.error is not None
    assert {p for p, _ in sample.error.problems} == {"order_items", "order_detail"}
    assert sample.raw == docs_sample.encode()  # the raw body is kept for quarantine
    fixed = results[ids[1]]
    assert fixed.ok
    assert fixed.order is not None
    assert fixed.order.order_items[0].item_price.item_tax == Decimal("0.14")
    mangled = results[ids[2]]
    assert mangled.error is not None
    assert mangled.error.field_path == "$"
    assert mangled.raw
    assert all(results[i].ok for i in ids[3:])


def test_missing_optional_keys_still_parse(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    ids = sandbox.generate_orders(30)
    sandbox.set_faults([{"kind": "missing_optional", "rate": 1.0, "methods": ["GET"]}])
    hook = make_hook()
    results = list(hook.iter_orders(ids))
    bad = [(r.merchant_order_id, str(r.error)) for r in results if not r.ok]
    assert bad == []


# --------------------------------------------------------------------------- other domain methods


def _ship_all(hook: JetHook, oid: str) -> None:
    hook.acknowledge(oid, _accept_all(hook, oid))
    order = hook.get_order(oid)
    hook.ship(
        oid,
        {
            "shipments": [
                {
                    "alt_shipment_id": f"SHP-{oid[:6]}",
                    "shipment_tracking_number": "1Z999AA10123456784",
                    "response_shipment_date": "2026-03-02T16:00:00.0000000Z",
                    "carrier": "UPS",
                    "response_shipment_method": "UPS Ground",
                    "shipment_items": [
                        {
                            "merchant_sku": line.merchant_sku,
                            "response_shipment_sku_quantity": line.request_order_quantity,
                        }
                        for line in order.order_items
                    ],
                }
            ]
        },
    )


def test_returns_and_refunds(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    first, second = sandbox.generate_orders(2)
    hook = make_hook()
    _ship_all(hook, first)
    _ship_all(hook, second)

    return_id = sandbox.generate_return(first)
    assert return_id in hook.list_returns("created")
    detail = hook.get_return(return_id)
    assert detail.merchant_order_id == first
    assert detail.return_merchant_skus
    hook.complete_return(
        return_id,
        {
            "merchant_order_id": first,
            "agree_to_return_charge": True,
            "items": [
                {
                    "order_item_id": sku.order_item_id,
                    "total_quantity_returned": sku.return_quantity,
                    "order_return_refund_qty": sku.return_quantity,
                    "refund_amount": (sku.requested_refund_amount or {"principal": "0"}),
                }
                for sku in detail.return_merchant_skus
            ],
        },
    )
    assert return_id in hook.list_returns("completed by merchant")  # the space is URL-quoted
    assert hook.get_return(return_id).return_status == "completed by merchant"

    line = hook.get_order(second).order_items[0]
    created = hook.create_refund(
        second,
        "RF-1",
        {
            "items": [
                {
                    "order_item_id": line.order_item_id,
                    "total_quantity_returned": 0,
                    "order_return_refund_qty": 1,
                    "refund_reason": "Item arrived damaged - box damaged",
                    "refund_feedback": "Item damaged",
                    "refund_amount": {"principal": line.item_price.base_price},
                }
            ]
        },
    )
    assert created.refund_status == "created"
    assert created.refund_authorization_id in hook.list_refunds("created")
    state = hook.get_refund(created.refund_authorization_id)
    assert state.merchant_order_id == second
    assert hook.get_refund("RF-1").refund_authorization_id == created.refund_authorization_id  # by alt id
    kinds = [e["kind"] for e in sandbox.ledger()]
    assert kinds.count("shipped") == 2
    assert len(kinds) == 6  # 2 acks, 2 shipments, 1 return completion, 1 refund: each exactly once


def test_settlement_reports_and_catalog(sandbox_proc: Any, make_hook: Callable[..., JetHook]) -> None:
    sandbox_proc.reset(seed=11, scenario="history", config={"history_days": 3, "history_orders_per_day": 5})
    hook = make_hook()
    settlement_ids = hook.list_settlement_ids(10)
    assert settlement_ids
    reports = [hook.get_settlement_report(sid) for sid in settlement_ids]
    for report in reports:
        assert report.order_balance + report.return_balance + report.jet_adjustment == report.settlement_value
    busy = next(r.settlement_report_id for r in reports if r.order_balance)
    report_id = hook.request_settlement_details(busy)
    state = hook.get_report_state(report_id)
    assert state.report_status == "Ready"
    assert state.report_url
    csv = hook.download(state.report_url)
    assert csv.startswith(b"settlement_report_id,")
    assert busy.encode() in csv

    skus = list(hook.iter_skus(page_size=7))
    assert len(skus) == len(set(skus)) == len(sandbox_proc.truth("catalog")["skus"])
    node = sandbox_proc.truth("catalog")["fulfillment_nodes"][0]
    hook.update_inventory(skus[0], {node: 5})
    hook.update_inventory(skus[0], {node: 6}, replace=False)
    hook.update_price(skus[0], Decimal("12.34"), {node: Decimal("12.35")})
    hook.archive_sku(skus[1])
    (oid,) = sandbox_proc.generate_orders(1)
    hook.tag_order(oid, "batch-1")
    assert hook.list_tagged_order_ids("ready", "batch-1") == [oid]
    hook.tag_order(oid, None)
    assert hook.list_tagged_order_ids("ready", "batch-1") == []
    writes = [(e["method"], e["kind"], e["body"]) for e in sandbox_proc.ledger()]
    assert writes[-6:] == [
        ("PUT", "inventory", {"fulfillment_nodes": [{"fulfillment_node_id": node, "quantity": 5}]}),
        ("PATCH", "inventory", {"fulfillment_nodes": [{"fulfillment_node_id": node, "quantity": 6}]}),
        (
            "PUT",
            "price",
            {"price": 12.34, "fulfillment_nodes": [{"fulfillment_node_id": node, "fulfillment_node_price": 12.35}]},
        ),
        ("PUT", "archive", {"is_archived": True}),
        ("PUT", "tag", {"tag": "batch-1"}),
        ("PUT", "tag", {}),
    ]


def test_directed_cancel_answered_with_a_cancel_only_shipment(sandbox: Any, make_hook: Callable[..., JetHook]) -> None:
    (oid,) = sandbox.generate_orders(1)
    hook = make_hook()
    hook.acknowledge(oid, _accept_all(hook, oid))
    sandbox.directed_cancel(oid)
    assert hook.list_directed_cancel_ids() == [oid]
    order = hook.get_order(oid)
    assert order.jet_request_directed_cancel is True
    hook.ship(
        oid,
        {
            "shipments": [
                {
                    "alt_shipment_id": "CANCEL-1",
                    "shipment_items": [
                        {
                            "merchant_sku": line.merchant_sku,
                            "response_shipment_cancel_qty": line.request_order_cancel_qty,
                        }
                        for line in order.order_items
                        if line.request_order_cancel_qty
                    ],
                }
            ]
        },
    )
    assert hook.get_order(oid).status == "complete"
    assert hook.list_directed_cancel_ids() == []
