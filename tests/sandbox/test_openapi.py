"""The sandbox's own OpenAPI document, exercised by schemathesis against the running process."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jet_sandbox.testing import SandboxProcess

pytestmark = pytest.mark.sandbox


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_jet_api_conforms_to_its_openapi_document(sandbox: SandboxProcess) -> None:
    """Every /api operation, a few generated cases each (bounded: derandomized, small max_examples)."""
    schema = schemathesis.openapi.from_url(f"{sandbox.base_url}/openapi.json").include(path_regex="^/api/")
    headers = sandbox.auth_headers()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=10)

        run()


def test_openapi_document_lists_every_jet_route(sandbox_process: SandboxProcess) -> None:
    document = httpx.get(f"{sandbox_process.base_url}/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/token",
        "/api/authcheck",
        "/api/orders/{status}",
        "/api/orders/{status}/{tag}/{flag}",
        "/api/orders/withoutShipmentDetail/{merchant_order_id}",
        "/api/orders/{merchant_order_id}/acknowledge",
        "/api/orders/{merchant_order_id}/shipped",
        "/api/orders/generate/{count}",
        "/api/returns/{status}",
        "/api/returns/state/{return_id}",
        "/api/returns/{return_id}/complete",
        "/api/returns/generate/{merchant_order_id}",
        "/api/refunds/{merchant_order_id}/{alt_refund_id}",
        "/api/refunds/state/{refund_id}",
        "/api/refunds/{status}",
        "/api/settlement/{days}",
        "/api/settlement/report/{report_id}",
        "/api/reports/{report_type}",
        "/api/reports/state/{report_id}",
        "/api/merchant-skus",
        "/api/merchant-skus/{sku}",
        "/api/merchant-skus/{sku}/price",
        "/api/merchant-skus/{sku}/inventory",
        "/api/merchant-skus/{sku}/status/archive",
    ):
        assert path in paths, path
    assert set(paths["/api/merchant-skus/{sku}/inventory"]) == {"get", "put", "patch"}
    assert paths["/api/orders/{status}"]["get"]["security"] == [{"jetBearer": []}]


def test_real_payloads_conform_to_the_documented_schemas(sandbox: SandboxProcess) -> None:
    """Generated ids mostly hit 404s; these cases use real ids so the 200 bodies are validated too."""
    sandbox.reset(scenario="history", config={"history_days": 10})
    schema = schemathesis.openapi.from_url(f"{sandbox.base_url}/openapi.json")
    headers = sandbox.auth_headers()
    with sandbox.jet_client() as jet:
        order_id = jet.get("/orders/complete").json()["order_urls"][0].rsplit("/", 1)[1]
        return_id = jet.get("/returns/completed%20by%20merchant").json()["return_urls"][0].rsplit("/", 1)[1]
        refund_id = jet.get("/refunds/accepted").json()["refund_urls"][0].rsplit("/", 1)[1]
        report_id = jet.get("/settlement/5").json()["settlement_report_urls"][0].rsplit("/", 1)[1]
        sku = jet.get("/merchant-skus").json()["sku_urls"][0].rsplit("/", 1)[1]
    cases = [
        ("/api/orders/{status}", {"status": "complete"}),
        ("/api/orders/withoutShipmentDetail/{merchant_order_id}", {"merchant_order_id": order_id}),
        ("/api/returns/state/{return_id}", {"return_id": return_id}),
        ("/api/refunds/state/{refund_id}", {"refund_id": refund_id}),
        ("/api/refunds/{status}", {"status": "accepted"}),
        ("/api/settlement/{days}", {"days": 5}),
        ("/api/settlement/report/{report_id}", {"report_id": report_id}),
        ("/api/merchant-skus/{sku}", {"sku": sku}),
        ("/api/merchant-skus/{sku}/price", {"sku": sku}),
        ("/api/merchant-skus/{sku}/inventory", {"sku": sku}),
    ]
    for path, params in cases:
        case = schema[path]["GET"].Case(path_parameters=params)
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=10)
        assert response.status_code == 200, path
