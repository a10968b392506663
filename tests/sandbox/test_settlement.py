"""Settlement reports, the SettlementDetails CSV and the identities that tie them together."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess
from tests.sandbox.helpers import accept, ids_of, order, ship_all

pytestmark = pytest.mark.sandbox

ORDER_KEYS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_revenue", "shipping_tax",
    "shipping_charge", "fulfillment_fee", "product_cost",
)  # fmt: skip
RETURN_KEYS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_tax",
    "merchant_return_charge", "return_processing_fee", "product_cost",
)  # fmt: skip


def decimal_json(response: httpx.Response) -> Any:
    """JSON with numbers as Decimal, the way a careful client reads money."""
    assert response.status_code == 200, response.text
    return json.loads(response.content, parse_float=Decimal, parse_int=Decimal)


def download_csv(jet: httpx.Client, body: Any = None, content: bytes | None = None) -> list[dict[str, str]]:
    """Run the bulk-report flow and return the CSV rows."""
    if content is not None:
        created = jet.post("/reports/SettlementDetails", content=content)
    else:
        created = jet.post("/reports/SettlementDetails", json=body)
    assert created.status_code == 200, created.text
    state = jet.get(f"/reports/state/{created.json()['report_id']}").json()
    assert state["report_status"] == "Ready"
    response = httpx.get(state["report_url"])  # a signed-blob stand-in: no auth header needed
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def assert_identity(report: dict[str, Any], rows: list[dict[str, str]]) -> None:
    """Balances = sums of the detail rows, to the cent; settlement value = the three balances."""
    assert {r["settlement_report_id"] for r in rows} <= {report["settlement_report_id"]}
    kinds = {r["transaction_type"] for r in rows}
    assert kinds <= {"order", "return", "adjustment"}
    for key in ORDER_KEYS:
        total = sum((Decimal(r[key]) for r in rows if r["transaction_type"] == "order"), Decimal("0"))
        assert report["order_balance_details"][key] == total, key
    for key in RETURN_KEYS:
        total = sum((Decimal(r[key]) for r in rows if r["transaction_type"] == "return"), Decimal("0"))
        assert report["return_balance_details"][key] == total, key
    adjustments = sum((Decimal(r["jet_adjustment"]) for r in rows if r["transaction_type"] == "adjustment"), Decimal(0))
    assert report["jet_adjustment"] == adjustments
    assert report["order_balance"] == sum(report["order_balance_details"].values())
    assert report["return_balance"] == sum(report["return_balance_details"].values())
    assert report["settlement_value"] == report["order_balance"] + report["return_balance"] + report["jet_adjustment"]


def test_a_month_of_history_reconciles_to_the_cent(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="history")
    urls = jet.get("/settlement/30").json()["settlement_report_urls"]
    assert len(urls) == 30
    assert all(u.startswith("/settlement/report/") for u in urls)
    seen_kinds: set[str] = set()
    for url in urls:
        report = decimal_json(jet.get(url))
        rows = download_csv(jet, {"settlement_report_id": report["settlement_report_id"]})
        assert_identity(report, rows)
        seen_kinds |= {r["transaction_type"] for r in rows}
        assert report["settlement_period_end"].endswith("T23:59:59.9999999Z")
    assert seen_kinds == {"order", "return", "adjustment"}  # the month exercises every row kind
    assert len(jet.get("/settlement/7").json()["settlement_report_urls"]) == 7


def test_report_request_body_variants_and_latest(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="history", config={"history_days": 3})
    newest, older, *_ = ids_of(jet.get("/settlement/10"), "settlement_report_urls")
    by_object = download_csv(jet, {"settlement_report_id": older})
    assert {r["settlement_report_id"] for r in by_object} == {older}
    assert download_csv(jet, older) == by_object  # a bare JSON string
    assert download_csv(jet, content=older.encode()) == by_object  # the raw id
    latest = download_csv(jet, content=b"")
    assert {r["settlement_report_id"] for r in latest} == {newest}
    assert jet.post("/reports/SettlementDetails", json={"settlement_report_id": "0" * 32}).status_code == 404
    assert jet.post("/reports/SalesData", json={}).status_code == 400


def test_report_is_requested_until_the_clock_moves(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="history", config={"history_days": 2, "report_ready_seconds": 30})
    report_id = jet.post("/reports/SettlementDetails").json()["report_id"]
    state = jet.get(f"/reports/state/{report_id}").json()
    assert state["report_status"] == "Requested"
    assert state["report_url"] is None
    assert state["report_type"] == "SettlementDetails"
    assert httpx.get(f"{sandbox.api_url}/reports/download/{report_id}.csv").status_code == 404
    sandbox.advance(30)
    state = jet.get(f"/reports/state/{report_id}").json()
    assert state["report_status"] == "Ready"
    assert state["report_url"] == f"{sandbox.api_url}/reports/download/{report_id}.csv"
    assert state["processing_end"]
    assert state["report_expiration_date"]
    assert jet.get("/reports/state/" + "0" * 32).status_code == 404


def test_live_shipments_and_returns_settle_at_day_end(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    [order_id] = sandbox.generate_orders(1, lines=[{"merchant_sku": "APP-1000X", "quantity": 2, "base_price": 19.99}])
    accept(jet, order_id)
    ship_all(jet, order_id)
    assert jet.get("/settlement/1").json()["settlement_report_urls"] == []
    sandbox.advance(9 * 3600)  # 15:00 -> 00:00: the day closes
    [report_id] = ids_of(jet.get("/settlement/1"), "settlement_report_urls")
    report = decimal_json(jet.get(f"/settlement/report/{report_id}"))
    assert report["settlement_period_start"] == "2026-03-02T00:00:00.0000000Z"
    assert report["order_balance_details"]["merchant_price"] == Decimal("39.98")
    rows = download_csv(jet, {"settlement_report_id": report_id})
    [row] = [r for r in rows if r["transaction_type"] == "order"]
    item = order(jet, order_id)["order_items"][0]
    assert (row["merchant_order_id"], row["order_item_id"], row["quantity"]) == (order_id, item["order_item_id"], "2")
    assert Decimal(row["jet_variable_commission"]) == -Decimal(str(item["fee_adjustments"][1]["value"])) * 2
    assert_identity(report, rows)

    return_id = jet.get(f"/returns/generate/{order_id}").json()["url"].rsplit("/", 1)[1]
    ret = jet.get(f"/returns/state/{return_id}").json()
    sku = ret["return_merchant_SKUs"][0]
    body = {
        "agree_to_return_charge": True,
        "items": [{"order_item_id": sku["order_item_id"], "total_quantity_returned": sku["return_quantity"],
                   "order_return_refund_qty": sku["return_quantity"], "refund_amount": sku["requested_refund_amount"]}],
    }  # fmt: skip
    assert jet.put(f"/returns/{return_id}/complete", json=body).status_code == 204
    sandbox.advance(86400)
    newest = ids_of(jet.get("/settlement/1"), "settlement_report_urls")[0]
    report = decimal_json(jet.get(f"/settlement/report/{newest}"))
    rows = download_csv(jet, {"settlement_report_id": newest})
    [return_row] = [r for r in rows if r["transaction_type"] == "return"]
    assert return_row["merchant_return_authorization_id"] == return_id
    assert Decimal(return_row["merchant_price"]) == -(Decimal("19.99") * sku["return_quantity"]) - Decimal(
        str(sku["requested_refund_amount"]["shipping_cost"])
    )
    assert report["return_balance"] < 0
    assert_identity(report, rows)


def test_settlement_validation(jet: httpx.Client) -> None:
    assert jet.get("/settlement/0").status_code == 400
    assert jet.get("/settlement/9999").status_code == 400
    assert jet.get("/settlement/report/" + "0" * 32).status_code == 404


def test_same_seed_same_data(sandbox: SandboxProcess) -> None:
    def snapshot(seed: int) -> tuple[Any, ...]:
        sandbox.reset(seed=seed, scenario="history", config={"history_days": 5})
        return (
            sandbox.truth_orders(),
            sandbox.truth("settlements"),
            sandbox.truth("returns"),
            sandbox.truth("refunds"),
            sandbox.truth("catalog"),
        )

    first = snapshot(42)
    assert len(first[0]) > 100
    assert len(first[1]["settlements"]) == 5
    assert snapshot(42) == first
    other = snapshot(43)
    assert other[0] != first[0]
    assert other[1] != first[1]


def test_raw_settlement_report_and_details_are_served_verbatim(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.reset(scenario="history", config={"history_days": 2})
    newest, older, *_ = ids_of(jet.get("/settlement/10"), "settlement_report_urls")
    sandbox.set_raw("settlement_report", older, b'{"settlement_report_id": "\\u0000"}')
    sandbox.set_raw("settlement_details", older, b"settlement_report_id,quantity\n\x00,1\n")
    assert jet.get(f"/settlement/report/{older}").content == b'{"settlement_report_id": "\\u0000"}'
    state = jet.get(f"/reports/state/{jet.post('/reports/SettlementDetails', json=older).json()['report_id']}")
    assert httpx.get(state.json()["report_url"]).content == b"settlement_report_id,quantity\n\x00,1\n"
    assert {r["settlement_report_id"] for r in download_csv(jet, newest)} == {newest}  # others unchanged
    sandbox.set_raw("settlement_report", newest, b'{"errors": ["boom"]}', status=500)
    assert jet.get(f"/settlement/report/{newest}").status_code == 500
    sandbox.set_raw("settlement_report", newest, b"")
    assert jet.get(f"/settlement/report/{newest}").json()["settlement_report_id"] == newest
