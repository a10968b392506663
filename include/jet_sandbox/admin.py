"""Simulator-only admin API under ``/_sandbox`` (no Jet auth; the server binds 127.0.0.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jet_sandbox.faults import FaultRule
from jet_sandbox.model import ORDER_STATUSES
from jet_sandbox.payloads import order_to_dict, refund_to_dict, return_to_dict, settlement_to_dict
from jet_sandbox.state import ApiError, bad
from jet_sandbox.util import fmt_ts, jsonable, parse_ts

if TYPE_CHECKING:
    from jet_sandbox.server import SandboxServer


class ResetRequest(BaseModel):
    """Body of ``POST /_sandbox/reset``."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 42
    scenario: str = "default"
    config: dict[str, Any] = Field(default_factory=dict)
    start: str | None = Field(None, description="clock start instant (ISO-8601); default per clock mode")


class AdvanceRequest(BaseModel):
    """Body of ``POST /_sandbox/clock/advance``."""

    seconds: float = Field(ge=0)


class SetClockRequest(BaseModel):
    """Body of ``POST /_sandbox/clock/set``."""

    now: str


class FaultsRequest(BaseModel):
    """Body of ``PUT /_sandbox/faults``."""

    faults: list[FaultRule]


class LineSpec(BaseModel):
    """An explicit order line for the admin generator."""

    model_config = ConfigDict(extra="forbid")
    merchant_sku: str
    quantity: int = Field(1, ge=1, le=1000)
    base_price: float | None = Field(None, gt=0)


class GenerateOrdersRequest(BaseModel):
    """Body of ``POST /_sandbox/orders/generate``."""

    model_config = ConfigDict(extra="forbid")
    count: int = Field(1, ge=1, le=10_000)
    status: Literal["ready", "created"] = "ready"
    skus: list[str] | None = None
    lines: list[LineSpec] | None = None
    fulfillment_node: str | None = None


class DirectedCancelRequest(BaseModel):
    """Body of ``POST /_sandbox/orders/{id}/directed-cancel``."""

    lines: dict[str, int] | None = None


class ArchiveOnJetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_archived: bool = True


class GenerateReturnRequest(BaseModel):
    """Body of ``POST /_sandbox/returns/generate``."""

    merchant_order_id: str


def build_admin_router(server: SandboxServer) -> APIRouter:  # noqa: C901 (a route table: mccabe counts its 28 small endpoint closures as one function; cutting the one declaration into builders by topic would be artificial)
    """The admin routes; they act on ``server.sandbox``."""
    router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

    def clock_doc() -> dict[str, Any]:
        sb = server.sandbox
        return {"now": fmt_ts(sb.clock.now()), "mode": sb.clock.mode}

    @router.get("/health")
    async def health() -> dict[str, bool]:
        """Liveness."""
        return {"ok": True}

    @router.post("/reset")
    async def reset(body: ResetRequest) -> dict[str, Any]:
        """Fresh deterministic state (orders, clock, ledger, faults, request log)."""
        sb = server.sandbox
        try:
            sb.reset(
                seed=body.seed,
                scenario=body.scenario,
                config=body.config,
                start=parse_ts(body.start) if body.start else None,
            )
        except ValueError as exc:
            raise bad(str(exc)) from exc
        server.faults.reseed(body.seed)
        server.faults.set_rules([])
        return {"ok": True, "seed": body.seed, "scenario": body.scenario, **clock_doc()}

    @router.get("/clock")
    async def clock() -> dict[str, Any]:
        """The sandbox instant."""
        return clock_doc()

    @router.post("/clock/advance")
    async def advance(body: AdvanceRequest) -> dict[str, Any]:
        """Move the clock forward; due transitions are processed before answering."""
        server.sandbox.advance(body.seconds)
        return clock_doc()

    @router.post("/clock/set")
    async def set_clock(body: SetClockRequest) -> dict[str, Any]:
        """Jump forward to an instant."""
        try:
            server.sandbox.set_now(parse_ts(body.now))
        except ValueError as exc:
            raise bad(str(exc)) from exc
        return clock_doc()

    @router.get("/config")
    async def get_config() -> dict[str, Any]:
        """The current config."""
        return server.sandbox.config.model_dump()

    @router.put("/config")
    async def put_config(body: dict[str, Any]) -> dict[str, Any]:
        """Merge the given keys (unknown keys or bad values -> 400)."""
        try:
            return server.sandbox.update_config(body).model_dump()
        except ValueError as exc:
            raise bad(str(exc)) from exc

    @router.get("/faults")
    async def get_faults() -> dict[str, Any]:
        """Active fault rules."""
        return {"faults": [r.model_dump() for r in server.faults.rules]}

    @router.put("/faults")
    async def put_faults(body: FaultsRequest) -> dict[str, Any]:
        """Replace the fault rules."""
        server.faults.set_rules(body.faults)
        return {"faults": [r.model_dump() for r in server.faults.rules]}

    @router.delete("/faults")
    async def delete_faults() -> dict[str, Any]:
        """No faults."""
        server.faults.set_rules([])
        return {"faults": []}

    @router.get("/faults/fired")
    async def get_faults_fired() -> dict[str, Any]:
        """How many times each fault class fired since the last reset (chaos_faults.py)."""
        return server.faults.tally.as_json()

    @router.delete("/faults/fired")
    async def delete_faults_fired() -> dict[str, Any]:
        """Start the tally again."""
        server.faults.tally.clear()
        return server.faults.tally.as_json()

    @router.post("/orders/generate")
    async def generate_orders(body: GenerateOrdersRequest) -> dict[str, Any]:
        """Place orders now (``ready``: past the fraud check, the ack window starts now)."""
        sb = server.sandbox
        if body.fulfillment_node is not None and body.fulfillment_node not in sb.business.nodes:
            raise bad(f"unknown fulfillment_node {body.fulfillment_node}")
        now = sb.clock.now()
        specs = [spec.model_dump() for spec in body.lines] if body.lines else None
        ids = [
            sb.place_order(
                now, status=body.status, skus=body.skus, line_specs=specs, fulfillment_node=body.fulfillment_node
            ).merchant_order_id
            for _ in range(body.count)
        ]
        return {"merchant_order_ids": ids}

    @router.post("/orders/{order_id}/directed-cancel")
    async def directed_cancel(order_id: str, body: DirectedCancelRequest | None = None) -> dict[str, Any]:
        """Jet asks the merchant to cancel units (all open units when ``lines`` is empty)."""
        order = server.sandbox.directed_cancel(order_id, body.lines if body else None)
        return {
            "merchant_order_id": order.merchant_order_id,
            "lines": {ln.order_item_id: ln.cancel_request for ln in order.lines},
        }

    @router.put("/orders/{order_id}/raw")
    async def set_raw(order_id: str, request: Request) -> dict[str, Any]:
        """Serve these bytes verbatim as the order's detail from now on (empty body restores)."""
        order = server.sandbox.get_order(order_id)
        order.raw_body = await request.body() or None
        return {"merchant_order_id": order_id, "raw": order.raw_body is not None}

    @router.put("/raw/{kind}/{object_id}")
    async def set_raw_body(kind: str, object_id: str, request: Request, status: int = 200) -> dict[str, Any]:
        """Serve these bytes verbatim (with HTTP ``status``, default 200) as a return's, refund's or
        settlement report's body, or as a settlement's SettlementDetails CSV (kind ``return``,
        ``refund``, ``settlement_report``, ``settlement_details``), from now on; an empty body
        with status 200 restores the generated one."""
        body = await request.body()
        if not 200 <= status <= 599:
            raise bad(f"status must be an HTTP status, not {status}")
        key = server.sandbox.set_raw_body(kind, object_id, body, status)
        return {"kind": kind, "id": key, "raw": bool(body) or status != 200, "status": status}

    @router.post("/returns/generate")
    async def generate_return(body: GenerateReturnRequest) -> dict[str, Any]:
        """Open a return on shipped units now."""
        ret = server.sandbox.create_return(body.merchant_order_id)
        return {"merchant_return_authorization_id": ret.merchant_return_authorization_id}

    @router.get("/truth/orders")
    async def truth_orders(status: str | None = None) -> Response:
        """Every order as the detail endpoint would serve it, plus internal state."""
        sb = server.sandbox
        if status is not None and status not in ORDER_STATUSES:
            raise ApiError(404, f"unknown order status {status!r}")
        ids = sb.by_status[status] if status else sb.orders
        orders = [{"order": order_to_dict(sb.orders[i]), "state": sb.order_truth(sb.orders[i])} for i in ids]
        return _json({"orders": orders})

    @router.get("/truth/returns")
    async def truth_returns() -> Response:
        """Every return."""
        sb = server.sandbox
        return _json({"returns": [return_to_dict(r, sb.orders[r.merchant_order_id]) for r in sb.returns.values()]})

    @router.get("/truth/refunds")
    async def truth_refunds() -> Response:
        """Every refund, with its creation and decision instants."""
        sb = server.sandbox
        return _json(
            {
                "refunds": [
                    {
                        **refund_to_dict(r, sb.orders[r.merchant_order_id]),
                        "created": fmt_ts(r.created),
                        "decided_at": fmt_ts(r.decided_at) if r.decided_at else None,
                    }
                    for r in sb.refunds.values()
                ]
            }
        )

    @router.get("/truth/settlements")
    async def truth_settlements() -> Response:
        """Every settlement report with its detail rows (the CSV's rows)."""
        sb = server.sandbox
        now = sb.clock.now()
        out = []
        for report in sorted(sb.settlements.values(), key=lambda r: r.period_end):
            doc = settlement_to_dict(report, now, sb.config.settlement_deposit_days)
            doc["rows"] = report.rows
            out.append(doc)
        return _json({"settlements": out})

    @router.get("/truth/catalog")
    async def truth_catalog() -> Response:
        """Every SKU with ``known_to_merchant`` and the merchant's on-hand stock."""
        sb = server.sandbox
        skus = [
            {
                "merchant_sku": s.merchant_sku,
                "product_title": s.title,
                "category": s.category,
                "price": s.price,
                "known_to_merchant": s.known_to_merchant,
                "merchant_on_hand": s.merchant_on_hand,
                "is_archived": s.is_archived,
                "inventory": s.inventory,
                "node_prices": s.node_prices,
            }
            for s in sb.business.catalog.values()
        ]
        return _json({"fulfillment_nodes": sb.business.nodes, "skus": skus})

    @router.put("/skus/{sku}/archived")
    async def archive_on_jet(sku: str, body: ArchiveOnJetRequest) -> dict[str, Any]:
        """Archive (or restore) a SKU on Jet's side, as Jet's catalog team or the merchant's portal
        would: not a merchant API write, so not in the ledger."""
        server.sandbox.archive_sku(sku, {"is_archived": body.is_archived})
        return {"merchant_sku": sku, "is_archived": body.is_archived}

    @router.delete("/skus/{sku}")
    async def delete_on_jet(sku: str) -> dict[str, Any]:
        """Jet deletes the SKU: it leaves Jet's SKU list and every /merchant-skus/{sku} call answers 404."""
        server.sandbox.delete_sku(sku)
        return {"merchant_sku": sku, "deleted": True}

    @router.get("/ledger")
    async def ledger() -> Response:
        """Every applied write, in order."""
        return _json({"entries": server.sandbox.ledger})

    @router.get("/rejected")
    async def rejected() -> Response:
        """Writes refused with 400 (not applied)."""
        return _json({"entries": server.sandbox.rejected})

    @router.get("/requests")
    async def requests_log() -> Response:
        """Every /api request: wall time, method, path, status (0 = connection dropped)."""
        return _json({"requests": list(server.sandbox.requests)})

    @router.delete("/requests")
    async def clear_requests() -> dict[str, Any]:
        """Empty the request log."""
        server.sandbox.requests.clear()
        return {"requests": []}

    return router


def _json(payload: Any) -> Response:
    from jet_sandbox.util import dumps

    return Response(dumps(jsonable(payload)), media_type="application/json")
