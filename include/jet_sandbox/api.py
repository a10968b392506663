"""Jet's merchant endpoints (mounted under ``/api``).

Handlers are ``async def`` and never await between reading and changing state, so each
runs atomically on the event loop. Authentication, rate limiting and faults happen in
the ASGI wrapper (``server.py``) before a request reaches these routes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Path, Query, Request, Response

from jet_sandbox import schemas
from jet_sandbox.payloads import refund_to_dict, return_to_dict, settlement_to_dict, sku_to_dict
from jet_sandbox.state import ApiError, bad
from jet_sandbox.util import dumps, fmt_ts

if TYPE_CHECKING:
    from jet_sandbox.state import Sandbox

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.Errors, "description": "invalid body or wrong state"},
    401: {"model": schemas.Errors, "description": "missing, invalid or expired token"},
    404: {"model": schemas.Errors, "description": "unknown id or status word"},
    429: {"model": schemas.Errors, "description": "rate limited (Retry-After header)"},
}
NO_CONTENT = {"status_code": 204, "response_class": Response}


def json_response(payload: Any, status: int = 200) -> Response:
    """Serialize with Decimal money as 2-decimal JSON numbers."""
    return Response(content=dumps(payload), status_code=status, media_type="application/json")


async def read_json(request: Request) -> Any:
    """The body as JSON (``None`` when empty); kept on the scope for the rejected-writes log."""
    raw = await request.body()
    if not raw.strip():
        body: Any = None
    else:
        try:
            body = json.loads(raw)
        except ValueError:
            request.scope["jet_body"] = raw.decode(errors="replace")
            raise bad("body is not valid JSON") from None
    request.scope["jet_body"] = body
    return body


def build_api_router(get_sandbox: Any) -> APIRouter:  # noqa: C901 (a route table: mccabe counts its 33 small endpoint closures as one function; cutting the one declaration into builders by tag would be artificial)
    """All Jet routes. ``get_sandbox()`` returns the live :class:`Sandbox`."""
    router = APIRouter(prefix="/api", responses=ERRORS)

    def sb() -> Sandbox:
        return get_sandbox()

    def ledger(request: Request, kind: str, order_id: str | None, body: Any) -> None:
        sb().record_write(request.method, request.url.path, kind, order_id, body)

    # ------------------------------------------------------------------ auth
    @router.post("/token", response_model=schemas.TokenResponse, tags=["auth"])
    async def token(body: schemas.TokenRequest) -> Any:
        """Bearer token; the path is case-insensitive (``/Token`` works too)."""
        token, expires = sb().issue_token(body.user, body.pass_)
        return {"id_token": token, "token_type": "Bearer", "expires_on": fmt_ts(expires)}

    @router.get("/authcheck", response_model=str, tags=["auth"])
    async def authcheck() -> Any:
        """Jet's auth test."""
        return "This message is authorized."

    # ------------------------------------------------------------------ orders
    @router.get("/orders/directedCancel", response_model=schemas.OrderUrls, tags=["orders"])
    async def directed_cancel_list(request: Request) -> Any:
        """Deprecated list of orders with open Jet cancel requests."""
        ids = sb().directed_cancel_ids()
        return json_response({"order_urls": _urls(request, "/orders/withoutShipmentDetail/", ids)})

    @router.get(
        "/orders/withoutShipmentDetail/{merchant_order_id}", response_model=schemas.OrderPayload, tags=["orders"]
    )
    async def order_detail(request: Request, merchant_order_id: str) -> Any:
        """Order detail (also served by the wrapper's fast path; both give the same bytes)."""
        sparse = "missing_optional" in request.scope.get("jet_faults", {})
        return Response(sb().detail_bytes(merchant_order_id, sparse), media_type="application/json")

    @router.get("/orders/{status}", response_model=schemas.OrderUrls, tags=["orders"])
    async def orders_by_status(
        request: Request,
        status: str,
        fulfillment_node: str | None = None,
        is_cancelled: bool | None = Query(None, alias="isCancelled"),
    ) -> Any:
        """Orders in a status (cap 1000), optionally of one fulfillment node."""
        ids = sb().list_orders(status, node=fulfillment_node, cancelled=is_cancelled)
        return json_response({"order_urls": _urls(request, "/orders/withoutShipmentDetail/", ids)})

    @router.get("/orders/{status}/{tag}/{flag}", response_model=schemas.OrderUrls, tags=["orders"])
    async def orders_by_tag(request: Request, status: str, tag: str, flag: str) -> Any:
        """Orders in a status that do (``true``) or do not (``false``) carry ``tag``."""
        if flag.lower() not in ("true", "false"):
            raise ApiError(404, "the last segment must be true or false")
        ids = sb().list_orders(status, tag=tag, tagged=flag.lower() == "true")
        return json_response({"order_urls": _urls(request, "/orders/withoutShipmentDetail/", ids)})

    @router.put("/orders/{merchant_order_id}/tag", **NO_CONTENT, tags=["orders"])
    async def tag_order(request: Request, merchant_order_id: str, _body: schemas.TagRequest) -> Response:
        """Set (or with ``{}`` clear) the order's tag."""
        body = await read_json(request)
        sb().tag_order(merchant_order_id, body)
        ledger(request, "tag", merchant_order_id, body)
        return Response(status_code=204)

    @router.put("/orders/{merchant_order_id}/acknowledge", **NO_CONTENT, tags=["orders"])
    async def acknowledge(request: Request, merchant_order_id: str, _body: schemas.AckRequest) -> Response:
        """Accept or reject a ready order."""
        body = await read_json(request)
        sb().acknowledge(merchant_order_id, body)
        ledger(request, "acknowledge", merchant_order_id, body)
        return Response(status_code=204)

    @router.put("/orders/{merchant_order_id}/shipped", **NO_CONTENT, tags=["orders"])
    async def shipped(request: Request, merchant_order_id: str, _body: schemas.ShipRequest) -> Response:
        """Ship and/or cancel units per merchant_sku."""
        body = await read_json(request)
        sb().ship(merchant_order_id, body)
        ledger(request, "shipped", merchant_order_id, body)
        return Response(status_code=204)

    @router.post("/orders/generate/{count}", response_model=schemas.OrderUrls, tags=["orders"])
    async def generate(
        request: Request, _body: schemas.GenerateRequest | None = None, count: int = Path(ge=1, le=100)
    ) -> Any:
        """Jet's test-order tool: ``count`` ready orders, with the given items (or random ones)."""
        body = await read_json(request) or {}
        sandbox = sb()
        now = sandbox.clock.now()
        items = body.get("items") if isinstance(body, dict) else None
        node = body.get("fulfillment_node") if isinstance(body, dict) else None
        if node is not None and node not in sandbox.business.nodes:
            raise bad(f"unknown fulfillment_node {node}")
        ids = []
        for _ in range(count):
            specs = None
            if items:
                specs = [{"merchant_sku": i["sku"], "quantity": i.get("order_quantity", 1)} for i in items]
            order = sandbox.place_order(now, status="ready", line_specs=specs, fulfillment_node=node)
            order.test_order = True
            if items and any(i.get("order_cancel_quantity") for i in items):
                wanted = {}
                for item, line in zip(items, order.lines, strict=True):
                    qty = min(int(item.get("order_cancel_quantity") or 0), line.quantity)
                    if qty:
                        wanted[line.order_item_id] = qty
                sandbox.directed_cancel(order.merchant_order_id, wanted)
            ids.append(order.merchant_order_id)
        ledger(request, "generate", None, body)
        return json_response({"order_urls": _urls(request, "/orders/withoutShipmentDetail/", ids)})

    # ------------------------------------------------------------------ returns
    @router.get("/returns/generate/{merchant_order_id}", response_model=schemas.ReturnGenerated, tags=["returns"])
    async def generate_return(request: Request, merchant_order_id: str) -> Any:
        """Jet's test-return tool: opens a return on shipped units of the order."""
        ret = sb().create_return(merchant_order_id)
        ledger(request, "return_generate", merchant_order_id, None)
        return {"url": f"/returns/state/{ret.merchant_return_authorization_id}"}

    @router.get("/returns/state/{return_id}", response_model=schemas.ReturnPayload, tags=["returns"])
    async def return_state(return_id: str) -> Any:
        """Return detail."""
        sandbox = sb()
        ret = sandbox.get_return(return_id)
        raw = sandbox.raw_body("return", ret.merchant_return_authorization_id)
        if raw is not None:
            return Response(raw[1], status_code=raw[0], media_type="application/json")
        return json_response(return_to_dict(ret, sandbox.orders[ret.merchant_order_id]))

    @router.get("/returns/{status}", response_model=schemas.ReturnUrls, tags=["returns"])
    async def returns_by_status(request: Request, status: str) -> Any:
        """Returns by status: created, inprogress, ``completed by merchant`` (+ older variants)."""
        ids = sb().list_returns(status)
        return json_response({"return_urls": _urls(request, "/returns/state/", ids)})

    @router.put("/returns/{return_id}/complete", **NO_CONTENT, tags=["returns"])
    async def complete_return(request: Request, return_id: str, _body: schemas.CompleteReturnRequest) -> Response:
        """Complete a return (full, partial or zero refund)."""
        body = await read_json(request)
        ret = sb().complete_return(return_id, body)
        ledger(request, "return_complete", ret.merchant_order_id, body)
        return Response(status_code=204)

    @router.put("/returns/{return_id}/acknowledge", **NO_CONTENT, tags=["returns"])
    async def acknowledge_return(request: Request, return_id: str) -> Response:
        """Legacy acknowledgement of a return (created -> inprogress)."""
        body = await read_json(request)
        ret = sb().acknowledge_return(return_id)
        ledger(request, "return_acknowledge", ret.merchant_order_id, body)
        return Response(status_code=204)

    # ------------------------------------------------------------------ refunds
    @router.post(
        "/refunds/{merchant_order_id}/{alt_refund_id}",
        status_code=201,
        response_model=schemas.RefundCreated,
        tags=["refunds"],
    )
    async def create_refund(
        request: Request, merchant_order_id: str, alt_refund_id: str, _body: schemas.RefundRequest
    ) -> Any:
        """Merchant-initiated refund; its status moves on with the sandbox clock."""
        body = await read_json(request)
        refund = sb().create_refund(merchant_order_id, alt_refund_id, body)
        ledger(request, "refund", merchant_order_id, body)
        return json_response(
            {"refund_authorization_id": refund.refund_authorization_id, "refund_status": "created"}, 201
        )

    @router.get("/refunds/state/{refund_id}", response_model=schemas.RefundPayload, tags=["refunds"])
    async def refund_state(refund_id: str) -> Any:
        """Refund detail, by refund_authorization_id or alt_refund_id."""
        sandbox = sb()
        refund = sandbox.get_refund(refund_id)
        raw = sandbox.raw_body("refund", refund.refund_authorization_id)
        if raw is not None:
            return Response(raw[1], status_code=raw[0], media_type="application/json")
        return json_response(refund_to_dict(refund, sandbox.orders[refund.merchant_order_id]))

    @router.get("/refunds/{status}", response_model=schemas.RefundUrls, tags=["refunds"])
    async def refunds_by_status(request: Request, status: str) -> Any:
        """Refunds by status (case-insensitive); both response keys carry the same urls."""
        urls = _urls(request, "/refunds/state/", sb().list_refunds(status))
        return json_response({"refund_urls": urls, "sku_urls": list(urls)})

    # ------------------------------------------------------------------ settlement
    @router.get("/settlement/report/{report_id}", response_model=schemas.SettlementPayload, tags=["settlement"])
    async def settlement_report(report_id: str) -> Any:
        """One daily settlement report."""
        sandbox = sb()
        report = sandbox.get_settlement(report_id)
        raw = sandbox.raw_body("settlement_report", report.settlement_report_id)
        if raw is not None:
            return Response(raw[1], status_code=raw[0], media_type="application/json")
        return json_response(settlement_to_dict(report, sandbox.clock.now(), sandbox.config.settlement_deposit_days))

    @router.get("/settlement/{days}", response_model=schemas.SettlementUrls, tags=["settlement"])
    async def settlement_list(request: Request, days: int = Path(ge=1, le=365)) -> Any:
        """Reports whose period ended in the last ``days`` days, newest first."""
        ids = sb().list_settlements(days)
        return json_response({"settlement_report_urls": _urls(request, "/settlement/report/", ids)})

    @router.post(
        "/reports/{report_type}",
        response_model=schemas.ReportCreated,
        tags=["reports"],
        openapi_extra={
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                {"type": "object", "properties": {"settlement_report_id": {"type": "string"}}},
                                {"type": "string"},
                            ]
                        }
                    }
                },
            }
        },
    )
    async def request_report(request: Request, report_type: str) -> Any:
        """Bulk report; the body names the settlement (object, bare string, raw id or empty = latest)."""
        raw = (await request.body()).decode(errors="replace").strip()
        settlement_id: str | None = None
        body: Any = raw or None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw  # a bare, unquoted id
            if isinstance(body, dict):
                value = body.get("settlement_report_id")
                settlement_id = value if isinstance(value, str) and value else None
            elif isinstance(body, str):
                settlement_id = body.strip() or None
            elif body is not None:
                raise bad('body must be {"settlement_report_id": "..."}, a string id or empty')
        request.scope["jet_body"] = body
        report = sb().request_report(report_type, settlement_id)
        return {"report_id": report.report_id}

    @router.get("/reports/state/{report_id}", response_model=schemas.ReportState, tags=["reports"])
    async def report_state(request: Request, report_id: str) -> Any:
        """Requested until ``report_ready_seconds`` of sandbox time passed, then Ready with report_url."""
        base = str(request.base_url).rstrip("/")
        return sb().report_state(report_id, base)

    @router.get(
        "/reports/download/{file_name}",
        tags=["reports"],
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the CSV"}},
    )
    async def report_download(file_name: str) -> Any:
        """The SettlementDetails CSV (columns in docs/sandbox.md). No auth, like a signed blob URL."""
        report_id = file_name.removesuffix(".csv")
        sandbox = sb()
        body = sandbox.report_csv(report_id)  # 404 unless the report is Ready
        raw = sandbox.raw_body("settlement_details", sandbox.report_settlement(report_id))
        if raw is not None:
            return Response(raw[1], status_code=raw[0], media_type="text/csv")
        return Response(body, media_type="text/csv")

    # ------------------------------------------------------------------ catalog
    @router.get("/merchant-skus", response_model=schemas.SkuUrls, tags=["catalog"])
    async def sku_list(offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)) -> Any:
        """SKU urls, paged by offset/limit, in catalog order."""
        codes = list(sb().business.catalog)[offset : offset + limit]
        return {"sku_urls": [f"/merchant-skus/{code}" for code in codes]}

    @router.get("/merchant-skus/bystatus/{status}/{start}/{count}", response_model=schemas.SkuUrls, tags=["catalog"])
    async def sku_list_by_status(status: str, start: int = Path(ge=0), count: int = Path(ge=1, le=1000)) -> Any:
        """SKU urls in one product status (``Archived``, ``Available for Purchase``), paged by start/count."""
        codes = sb().skus_by_status(status)[start : start + count]
        return {"sku_urls": [f"/merchant-skus/{code}" for code in codes]}

    @router.get("/merchant-skus/{sku}", response_model=schemas.ProductPayload, tags=["catalog"])
    async def sku_get(sku: str) -> Any:
        """Product with Jet's status fields."""
        sandbox = sb()
        return json_response(sku_to_dict(sandbox.get_sku(sku), sandbox.business.nodes))

    @router.put("/merchant-skus/{sku}", **NO_CONTENT, tags=["catalog"])
    async def sku_put(request: Request, sku: str, _body: schemas.ProductRequest) -> Response:
        """Create or update a product."""
        body = await read_json(request)
        sb().put_sku(sku, body)
        ledger(request, "sku", None, body)
        return Response(status_code=204)

    @router.get("/merchant-skus/{sku}/price", response_model=schemas.PricePayload, tags=["catalog"])
    async def price_get(sku: str) -> Any:
        """Price and per-node prices."""
        found = sb().get_sku(sku)
        nodes = [{"fulfillment_node_id": n, "fulfillment_node_price": p} for n, p in found.node_prices.items()]
        last = fmt_ts(found.price_last_update) if found.price_last_update else None
        return json_response({"price": found.price, "fulfillment_nodes": nodes, "price_last_update": last})

    @router.put("/merchant-skus/{sku}/price", **NO_CONTENT, tags=["catalog"])
    async def price_put(request: Request, sku: str, _body: schemas.PriceRequest) -> Response:
        """Set the price (what the merchant is paid)."""
        body = await read_json(request)
        sb().put_price(sku, body)
        ledger(request, "price", None, body)
        return Response(status_code=204)

    @router.get("/merchant-skus/{sku}/inventory", response_model=schemas.InventoryPayload, tags=["catalog"])
    async def inventory_get(sku: str) -> Any:
        """Quantities per fulfillment node."""
        found = sb().get_sku(sku)
        nodes = [{"fulfillment_node_id": n, "quantity": q} for n, q in found.inventory.items()]
        last = fmt_ts(found.inventory_last_update) if found.inventory_last_update else None
        return {"fulfillment_nodes": nodes, "inventory_last_update": last}

    @router.put("/merchant-skus/{sku}/inventory", **NO_CONTENT, tags=["catalog"])
    async def inventory_put(request: Request, sku: str, _body: schemas.InventoryRequest) -> Response:
        """Replace the quantities of every node (nodes not listed go to 0)."""
        body = await read_json(request)
        sb().put_inventory(sku, body, replace=True)
        ledger(request, "inventory", None, body)
        return Response(status_code=204)

    @router.patch("/merchant-skus/{sku}/inventory", **NO_CONTENT, tags=["catalog"])
    async def inventory_patch(request: Request, sku: str, _body: schemas.InventoryRequest) -> Response:
        """Update the listed nodes only."""
        body = await read_json(request)
        sb().put_inventory(sku, body, replace=False)
        ledger(request, "inventory", None, body)
        return Response(status_code=204)

    @router.put("/merchant-skus/{sku}/status/archive", **NO_CONTENT, tags=["catalog"])
    async def archive(request: Request, sku: str, _body: schemas.ArchiveRequest) -> Response:
        """Archive (true) or un-archive (false)."""
        body = await read_json(request)
        sb().archive_sku(sku, body)
        ledger(request, "archive", None, body)
        return Response(status_code=204)

    return router


def _urls(request: Request, prefix: str, ids: list[str]) -> list[str]:
    """Relative urls; the ``duplicate_urls`` fault repeats some of them (every third, at least one)."""
    urls = [prefix + i for i in ids]
    if "duplicate_urls" in request.scope.get("jet_faults", {}) and urls:
        dupes = urls[::3]
        urls = urls + dupes
    return urls
