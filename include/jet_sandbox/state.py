"""The simulated Jet: orders, returns, refunds, settlements, catalog, tokens and timers.

Everything here is synchronous and runs on uvicorn's single event-loop thread: every
handler calls into this module without awaiting in between, so each call is atomic and
no lock is needed (see docs/sandbox.md, "Concurrency").

Timers (fraud check, acknowledgement window, returns, refund decisions, daily
settlement, Poisson arrivals) are events on a heap keyed by their due sandbox instant;
:meth:`Sandbox.tick` fires every due event, in time order, before each request and after
each clock move. Each event acts *at its due instant*, so a large clock jump produces
the same history as many small ones.
"""

from __future__ import annotations

import csv
import heapq
import io
import random
import secrets
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from jet_sandbox import enums
from jet_sandbox.clock import DEFAULT_START, ClockMode, SandboxClock
from jet_sandbox.config import SCENARIOS, SandboxConfig, build_config
from jet_sandbox.generator import (
    MERCHANT_FAULT_REASONS,
    MERCHANT_RETURN_CHARGE,
    RETURN_REASONS,
    Business,
    build_business,
    make_order,
)
from jet_sandbox.model import (
    EXC_MANUAL_CANCEL,
    EXC_REJECTED,
    EXC_TOO_MANY_CANCELLED,
    EXC_TOO_MANY_SHIPPED,
    ORDER_STATUSES,
    BulkReport,
    Line,
    Order,
    Refund,
    Return,
    Settlement,
    Sku,
)
from jet_sandbox.payloads import order_to_dict, sku_status
from jet_sandbox.util import ZERO, dumps, fmt_ts, hex_id, money, parse_ts

ORDER_DETAIL_KEYS = (
    "merchant_price",
    "jet_variable_commission",
    "fixed_commission",
    "tax",
    "shipping_revenue",
    "shipping_tax",
    "shipping_charge",
    "fulfillment_fee",
    "product_cost",
)
RETURN_DETAIL_KEYS = (
    "merchant_price",
    "jet_variable_commission",
    "fixed_commission",
    "tax",
    "shipping_tax",
    "merchant_return_charge",
    "return_processing_fee",
    "product_cost",
)
#: Columns of the SettlementDetails CSV (documented in docs/sandbox.md).
CSV_ID_COLUMNS = (
    "settlement_report_id",
    "transaction_type",
    "transaction_date",
    "merchant_order_id",
    "reference_order_id",
    "order_item_id",
    "merchant_return_authorization_id",
    "refund_authorization_id",
    "merchant_sku",
    "quantity",
)
#: The order balance's categories, then the return balance's own two, then Jet's adjustment.
CSV_AMOUNT_COLUMNS = (*ORDER_DETAIL_KEYS, "merchant_return_charge", "return_processing_fee", "jet_adjustment")
CSV_COLUMNS = (*CSV_ID_COLUMNS, *CSV_AMOUNT_COLUMNS, "description")
AMOUNT_KEYS = ("principal", "tax", "shipping_cost", "shipping_tax")


class ApiError(Exception):
    """A Jet-style error answer: ``status`` with ``{"errors": [...]}``."""

    def __init__(self, status: int, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = list(messages)


def bad(message: str) -> ApiError:
    """400 with one message (wrong state or invalid body)."""
    return ApiError(400, message)


@dataclass
class _Accrual:
    """A settlement-relevant event waiting for its day's report."""

    at: datetime
    row: dict[str, Any]


class Sandbox:
    """The whole simulated world. One instance per server process; ``reset`` rebuilds it."""

    def __init__(
        self,
        *,
        seed: int,
        scenario: str,
        clock_mode: ClockMode,
        user: str,
        secret: str,
        start: datetime | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.user = user
        self.secret = secret
        self.clock_mode: ClockMode = clock_mode
        # Tokens survive resets (their expiry is re-based), so a session-long client keeps working.
        self.tokens: dict[str, datetime] = {}
        self.requests: deque[dict[str, Any]] = deque(maxlen=200_000)
        self.reset(seed=seed, scenario=scenario, config=config, start=start)

    # ------------------------------------------------------------------ reset / world
    def reset(
        self,
        *,
        seed: int,
        scenario: str,
        config: dict[str, Any] | None = None,
        start: datetime | None = None,
    ) -> None:
        """Fresh deterministic state: the same seed, scenario and config give the same data."""
        cfg = build_config(scenario, config)
        self.seed = seed
        self.scenario = scenario
        self.config: SandboxConfig = cfg
        if start is None:
            start = DEFAULT_START if self.clock_mode == "manual" else datetime.now(UTC).replace(microsecond=0)
        self.start = start
        self.rng_gen = random.Random(f"{seed}:gen")
        self.rng_ids = random.Random(f"{seed}:ids")
        self.rng_arrivals = random.Random(f"{seed}:arrivals")
        self.rng_returns = random.Random(f"{seed}:returns")
        self.rng_refunds = random.Random(f"{seed}:refunds")
        self.rng_settle = random.Random(f"{seed}:settle")
        self.rng_history = random.Random(f"{seed}:history")
        self.business: Business = build_business(
            self.rng_gen, cfg.catalog_size, cfg.unknown_sku_share, cfg.out_of_stock_share
        )
        self.orders: dict[str, Order] = {}
        self.by_status: dict[str, dict[str, None]] = {s: {} for s in ORDER_STATUSES}
        self.returns: dict[str, Return] = {}
        self.refunds: dict[str, Refund] = {}
        self.settlements: dict[str, Settlement] = {}
        self.reports: dict[str, BulkReport] = {}
        # Bodies served verbatim instead of the generated ones (PUT /_sandbox/raw/...),
        # keyed by (kind, id): what a broken Jet would have sent, byte for byte.
        self.raw_bodies: dict[tuple[str, str], tuple[int, bytes]] = {}
        self.accruals: list[_Accrual] = []
        self.ledger: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.events: list[tuple[datetime, int, str, str]] = []
        self._event_seq = 0
        self._arrival_gen = 0
        self.requests = deque(maxlen=cfg.request_log_max)
        for sku in self.business.catalog.values():
            sku.created = sku.sku_last_update = sku.price_last_update = sku.inventory_last_update = start

        history_start = start - timedelta(days=cfg.history_days)
        self.clock = SandboxClock("manual", history_start)
        self._schedule(self._next_midnight(history_start), "settle", "")
        if cfg.history_days:
            self._run_history(start)
        self.clock = SandboxClock(self.clock_mode, start)
        now = self.clock.now()
        for token in self.tokens:
            self.tokens[token] = now + timedelta(seconds=cfg.token_ttl_seconds)
        preset = SCENARIOS[scenario]
        for _ in range(preset["ready"]):
            self.place_order(now, status="ready")
        for _ in range(preset["created"]):
            self.place_order(now, status="created")
        self._restart_arrivals(now)

    def _run_history(self, end: datetime) -> None:
        """Pre-generate past business up to ``end`` with a scripted merchant.

        Orders arrive (Poisson, ``history_orders_per_day``), are acknowledged within the
        window (rejected when a SKU is unknown to the merchant or out of stock), shipped a
        few hours later (a share of units cancelled), some returned and completed with a
        full refund, some refunded by the merchant; each midnight settles the day. None of
        it is in the ledger: the ledger holds only writes received over HTTP.
        """
        rng = self.rng_history
        cfg = self.config
        per_hour = cfg.history_orders_per_day / 24.0
        step = timedelta(minutes=10)  # inside the 15-minute acknowledgement window
        next_arrival = self.clock.now() + timedelta(seconds=rng.expovariate(per_hour / 3600.0)) if per_hour else None
        while self.clock.now() + step <= end:
            target = self.clock.now() + step
            while next_arrival is not None and next_arrival <= target:
                self.clock.set(next_arrival)
                self.tick()
                self.place_order(next_arrival, status="created")
                next_arrival += timedelta(seconds=rng.expovariate(per_hour / 3600.0))
            self.clock.set(target)
            self.tick()
            self._history_merchant(target, rng)
        self.clock.set(end)
        self.tick()

    def _history_merchant(self, now: datetime, rng: random.Random) -> None:
        """Ten minutes of the scripted merchant's work during history generation."""
        catalog = self.business.catalog
        for order_id in list(self.by_status["ready"]):
            order = self.orders[order_id]
            bad_lines = [
                ln
                for ln in order.lines
                if not catalog[ln.merchant_sku].known_to_merchant or catalog[ln.merchant_sku].merchant_on_hand <= 0
            ]
            if not bad_lines:
                self.acknowledge(
                    order_id, {"acknowledgement_status": "accepted", "alt_order_id": f"H-{order.reference_order_id}"}
                )
                continue
            items = []
            for ln in order.lines:
                status = "fulfillable"
                if ln in bad_lines:
                    known = catalog[ln.merchant_sku].known_to_merchant
                    status = "nonfulfillable - no inventory" if known else "nonfulfillable - invalid merchant SKU"
                items.append({"order_item_id": ln.order_item_id, "order_item_acknowledgement_status": status})
            self.acknowledge(order_id, {"acknowledgement_status": "rejected - item level error", "order_items": items})
        for order_id in list(self.by_status["acknowledged"]):
            order = self.orders[order_id]
            if now - order.acknowledged_time() < timedelta(hours=3):
                continue
            by_sku: dict[str, list[int]] = {}
            for ln in order.lines:
                cancel = ln.quantity if rng.random() < self.config.history_cancel_rate else 0
                agg = by_sku.setdefault(ln.merchant_sku, [0, 0])
                agg[0] += ln.quantity - cancel
                agg[1] += cancel
            shipment = {
                "alt_shipment_id": f"HS-{order.reference_order_id}",
                "shipment_tracking_number": f"1Z{rng.getrandbits(60):015X}"[:18],
                "response_shipment_date": fmt_ts(now),
                "response_shipment_method": order.order_detail["request_shipping_method"],
                "carrier": order.order_detail["request_shipping_carrier"],
                "shipment_items": [
                    {"merchant_sku": sku, "response_shipment_sku_quantity": s, "response_shipment_cancel_qty": c}
                    for sku, (s, c) in by_sku.items()
                ],
            }
            self.ship(order_id, {"shipments": [shipment]})
            if any(ln.shipped for ln in order.lines) and rng.random() < self.config.history_refund_rate:
                line = next(ln for ln in order.lines if ln.shipped)
                self.create_refund(
                    order_id,
                    f"HR-{order.reference_order_id}",
                    {
                        "items": [
                            {
                                "order_item_id": line.order_item_id,
                                "total_quantity_returned": 0,
                                "order_return_refund_qty": 1,
                                "refund_reason": "Item arrived damaged - box damaged",
                                "refund_feedback": "Item damaged",
                                "refund_amount": {
                                    "principal": float(line.base_price),
                                    "tax": float(line.item_tax),
                                    "shipping_cost": 0,
                                    "shipping_tax": 0,
                                },
                            }
                        ]
                    },
                )
        for ret in list(self.returns.values()):
            if ret.status != "created" or now - ret.return_date < timedelta(days=1):
                continue
            order = self.orders[ret.merchant_order_id]
            items = []
            for sku in ret.skus:
                line = order.line_of(sku["order_item_id"])
                room = min(line.shipped, line.quantity) - line.refunded_units
                qty = min(sku["return_quantity"], room)
                amount = {k: float(v / sku["return_quantity"] * qty) for k, v in sku["requested_refund_amount"].items()}
                items.append(
                    {
                        "order_item_id": sku["order_item_id"],
                        "total_quantity_returned": qty,
                        "order_return_refund_qty": qty,
                        "return_refund_feedback": None if qty == sku["return_quantity"] else "other",
                        "refund_amount": amount,
                    }
                )
            self.complete_return(
                ret.merchant_return_authorization_id,
                {"merchant_order_id": ret.merchant_order_id, "agree_to_return_charge": True, "items": items},
            )

    def update_config(self, changes: dict[str, Any]) -> SandboxConfig:
        """Merge ``changes`` into the config (validated); arrivals restart at the new rate."""
        merged = {**self.config.model_dump(), **changes}
        self.config = SandboxConfig(**merged)
        if self.requests.maxlen != self.config.request_log_max:
            self.requests = deque(self.requests, maxlen=self.config.request_log_max)
        if "arrivals_per_hour" in changes:
            self._restart_arrivals(self.clock.now())
        return self.config

    # ------------------------------------------------------------------ timers
    def _schedule(self, due: datetime, kind: str, key: str) -> None:
        self._event_seq += 1
        heapq.heappush(self.events, (due, self._event_seq, kind, key))

    @staticmethod
    def _next_midnight(when: datetime) -> datetime:
        day = when.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return day + timedelta(days=1)

    def tick(self) -> None:
        """Fire every event due at or before the clock's now, in due order."""
        now = self.clock.now()
        events = self.events
        while events and events[0][0] <= now:
            due, _, kind, key = heapq.heappop(events)
            handler = getattr(self, f"_on_{kind}")
            handler(due, key)

    def advance(self, seconds: float) -> datetime:
        """Move the clock and process everything that fell due."""
        self.clock.advance(seconds)
        self.tick()
        return self.clock.now()

    def set_now(self, when: datetime) -> datetime:
        """Jump the clock forward to ``when`` and process everything that fell due."""
        self.clock.set(when)
        self.tick()
        return self.clock.now()

    def _restart_arrivals(self, now: datetime) -> None:
        self._arrival_gen += 1
        if self.config.arrivals_per_hour > 0:
            gap = self.rng_arrivals.expovariate(self.config.arrivals_per_hour / 3600.0)
            self._schedule(now + timedelta(seconds=gap), "arrival", str(self._arrival_gen))

    def _on_arrival(self, due: datetime, key: str) -> None:
        if key != str(self._arrival_gen) or self.config.arrivals_per_hour <= 0:
            return  # superseded by a config change
        self.place_order(due, status="created")
        gap = self.rng_arrivals.expovariate(self.config.arrivals_per_hour / 3600.0)
        self._schedule(due + timedelta(seconds=gap), "arrival", key)

    def _on_ready(self, due: datetime, order_id: str) -> None:
        order = self.orders[order_id]
        if order.status != "created":
            return
        order.ready_at = due
        self._set_status(order, "ready")
        self._schedule(due + timedelta(seconds=self.config.ack_window_seconds), "withdraw", order_id)

    def _on_withdraw(self, due: datetime, order_id: str) -> None:
        """Jet gives an unacknowledged order away: complete, every unit cancelled by Jet."""
        order = self.orders[order_id]
        if order.status != "ready" or not self.config.withdraw_unacknowledged:
            return
        order.withdrawn = True
        order.exception_state = EXC_MANUAL_CANCEL
        for line in order.lines:
            line.cancelled = line.quantity
        order.completed_at = due
        self._set_status(order, "complete")

    # ------------------------------------------------------------------ orders
    def _set_status(self, order: Order, status: str) -> None:
        if order.status != status:
            self.by_status[order.status].pop(order.merchant_order_id, None)
            order.status = status
            self.by_status[status][order.merchant_order_id] = None
        self.touch(order)

    @staticmethod
    def touch(order: Order) -> None:
        """Drop the pre-serialized payloads after a change."""
        order.cache = None
        order.cache_sparse = None

    def place_order(
        self,
        when: datetime,
        *,
        status: str = "created",
        skus: list[str] | None = None,
        line_specs: list[dict[str, Any]] | None = None,
        fulfillment_node: str | None = None,
        order: Order | None = None,
        ready_delay: float | None = None,
    ) -> Order:
        """Place a generated (or given) order. ``status='ready'`` backdates it past the fraud check."""
        delay = self.config.fraud_check_delay_seconds if ready_delay is None else ready_delay
        if order is None:
            placed = when - timedelta(seconds=delay) if status == "ready" else when
            order = make_order(
                self.rng_gen, self.business, placed, self.config.max_lines, skus, line_specs, fulfillment_node
            )
            order.transmitted = placed + timedelta(seconds=min(60.0, delay))
        order.status = "created"
        self.orders[order.merchant_order_id] = order
        self.by_status["created"][order.merchant_order_id] = None
        if status == "ready":
            self._on_ready(when, order.merchant_order_id)
        else:
            self._schedule(when + timedelta(seconds=delay), "ready", order.merchant_order_id)
        return order

    def get_order(self, order_id: str) -> Order:
        """The order or a 404."""
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(404, f"order {order_id} not found")
        return order

    def detail_bytes(self, order_id: str, sparse: bool = False) -> bytes:
        """The detail payload, serialized once per change (the hot read path)."""
        order = self.get_order(order_id)
        if order.raw_body is not None:
            return order.raw_body
        if sparse:
            if order.cache_sparse is None:
                order.cache_sparse = dumps(order_to_dict(order, sparse=True))
            return order.cache_sparse
        if order.cache is None:
            order.cache = dumps(order_to_dict(order))
        return order.cache

    def list_orders(
        self,
        status: str,
        *,
        node: str | None = None,
        tag: str | None = None,
        tagged: bool | None = None,
        cancelled: bool | None = None,
    ) -> list[str]:
        """Ids in ``status`` (oldest first into the status), filtered, capped like Jet (1000)."""
        if status not in self.by_status:
            raise ApiError(404, f"unknown order status {status!r}")
        cap = self.config.order_list_cap
        out: list[str] = []
        for order_id in self.by_status[status]:
            order = self.orders[order_id]
            if node is not None and order.fulfillment_node != node:
                continue
            if tagged is not None and (order.tag == tag) != tagged:
                continue
            if cancelled is not None and order.directed_cancel != cancelled:
                continue
            out.append(order_id)
            if len(out) >= cap:
                break
        return out

    def directed_cancel_ids(self) -> list[str]:
        """Open orders with unanswered Jet cancel requests (deprecated ``/orders/directedCancel``)."""
        out = []
        for status in ("ready", "acknowledged", "inprogress"):
            for order_id in self.by_status[status]:
                order = self.orders[order_id]
                if order.directed_cancel and any(ln.cancelled < ln.cancel_request for ln in order.lines):
                    out.append(order_id)
        return out[: self.config.order_list_cap]

    def tag_order(self, order_id: str, body: Any) -> Order:
        """One tag per order; a later tag overwrites; ``{}`` or a blank tag clears."""
        order = self.get_order(order_id)
        if not isinstance(body, dict):
            raise bad('body must be an object like {"tag": "..."}')
        tag = body.get("tag")
        if tag is not None and not isinstance(tag, str):
            raise bad("tag must be a string")
        order.tag = tag or None
        return order

    def acknowledge(self, order_id: str, body: Any) -> Order:
        """``PUT /orders/{id}/acknowledge`` — only from ready; rejects complete the order."""
        order = self.get_order(order_id)
        if order.status != "ready":
            raise bad(f"order is '{order.status}'; only 'ready' orders can be acknowledged")
        if not isinstance(body, dict):
            raise bad("body must be a JSON object")
        status = body.get("acknowledgement_status")
        if status not in enums.ACK_STATUSES:
            raise bad(f"acknowledgement_status must be one of {list(enums.ACK_STATUSES)}")
        item_status, alt_ids = _acknowledged_items(order, body.get("order_items") or [])
        if status == "accepted" and any(v != "fulfillable" for v in item_status.values()):
            raise bad("an 'accepted' acknowledgement cannot carry nonfulfillable items")
        if status == "rejected - item level error" and not item_status:
            raise bad("'rejected - item level error' needs order_items with their statuses")
        alt_order_id = body.get("alt_order_id")
        if alt_order_id is not None and not isinstance(alt_order_id, str):
            raise bad("alt_order_id must be a string")

        now = self.clock.now()
        order.ack_status = status
        order.acknowledged_at = now
        if alt_order_id:
            order.alt_order_id = alt_order_id
        for line in order.lines:
            line.ack_status = item_status.get(line.order_item_id, "fulfillable" if status == "accepted" else None)
            if line.order_item_id in alt_ids:
                line.alt_order_item_id = alt_ids[line.order_item_id]
        if status == "accepted":
            self._set_status(order, "acknowledged")
        else:
            self._reject(order, status, item_status, now)
        return order

    def _reject(self, order: Order, status: str, item_status: Mapping[str, str], now: datetime) -> None:
        """A rejection cancels every unit and completes the order; an item-level one that
        leaves some lines fulfillable has Jet send those lines again as a new order."""
        for line in order.lines:
            line.cancelled = line.quantity
        order.exception_state = EXC_REJECTED
        order.completed_at = now
        self._set_status(order, "complete")
        fulfillable = [ln for ln in order.lines if item_status.get(ln.order_item_id) == "fulfillable"]
        if status == "rejected - item level error" and 0 < len(fulfillable) < len(order.lines):
            self._resend(order, fulfillable, now)

    def _resend(self, old: Order, lines: list[Line], now: datetime) -> Order:
        """Jet splits a rejected multi-item order: the fulfillable lines come back as a new order."""
        rng = self.rng_ids
        new_lines = [
            Line(
                order_item_id=hex_id(rng),
                merchant_sku=ln.merchant_sku,
                product_title=ln.product_title,
                quantity=ln.quantity,
                base_price=ln.base_price,
                item_tax=ln.item_tax,
                shipping=ln.shipping,
                shipping_tax=ln.shipping_tax,
                fee_variable=ln.fee_variable,
                fee_base=ln.fee_base,
                variable_name=ln.variable_name,
                variable_commission_id=ln.variable_commission_id,
                base_commission_id=ln.base_commission_id,
            )
            for ln in lines
        ]
        delay = self.config.resend_delay_seconds
        delay = self.config.fraud_check_delay_seconds if delay is None else delay
        new = Order(
            merchant_order_id=hex_id(rng),
            reference_order_id=f"{rng.randrange(10**11, 10**12)}",
            customer_reference_order_id=old.customer_reference_order_id,
            fulfillment_node=old.fulfillment_node,
            hash_email=old.hash_email,
            buyer=dict(old.buyer),
            shipping_to={k: dict(v) for k, v in old.shipping_to.items()},
            order_detail=dict(old.order_detail),
            placed=now,
            transmitted=now + timedelta(seconds=min(60.0, delay)),
            lines=new_lines,
            resent_from=old.merchant_order_id,
        )
        old.resent_as = new.merchant_order_id
        self.touch(old)
        return self.place_order(now, status="created", order=new, ready_delay=delay)

    def ship(self, order_id: str, body: Any) -> Order:
        """``PUT /orders/{id}/shipped``: ship and/or cancel units per merchant_sku."""
        order = self.get_order(order_id)
        if order.status not in ("acknowledged", "inprogress"):
            raise bad(f"order is '{order.status}'; only acknowledged or inprogress orders can be shipped or cancelled")
        if not isinstance(body, dict):
            raise bad("body must be a JSON object")
        shipments = body.get("shipments")
        if not isinstance(shipments, list) or not shipments:
            raise bad("shipments must be a non-empty list")
        order_skus = {ln.merchant_sku for ln in order.lines}
        parsed = [(shipment, _shipment_rows(shipment, order_skus, order_id)) for shipment in shipments]
        alt_order_id = body.get("alt_order_id")

        now = self.clock.now()
        before = {ln.order_item_id: ln.shipped for ln in order.lines}
        for shipment, rows in parsed:
            record = self._shipment_record(shipment, rows)
            order.shipments.append(record)
            for item, ship_qty, cancel_qty in rows:
                self._allocate(order, item["merchant_sku"], ship_qty, "shipped")
                self._allocate(order, item["merchant_sku"], cancel_qty, "cancelled")
        if isinstance(alt_order_id, str) and alt_order_id:
            order.alt_order_id = alt_order_id
        for line in order.lines:
            paid_before = min(before[line.order_item_id], line.quantity)
            paid_now = min(line.shipped, line.quantity)
            if paid_now > paid_before:
                self._accrue_shipment(order, line, paid_now - paid_before, now)
        exception = _exception_after_shipping(order, order_skus)
        if exception is not None:
            order.exception_state = exception
        if all(ln.shipped + ln.cancelled >= ln.quantity for ln in order.lines):
            order.completed_at = now
            self._set_status(order, "complete")
            if any(ln.shipped for ln in order.lines) and self.rng_returns.random() < self.config.return_rate:
                days = self.rng_returns.uniform(self.config.return_delay_days_min, self.config.return_delay_days_max)
                self._schedule(now + timedelta(days=days), "return_create", order_id)
        else:
            self._set_status(order, "inprogress")
        return order

    def _shipment_record(self, shipment: dict[str, Any], rows: list[_ShipmentRow]) -> dict[str, Any]:
        """What Jet echoes in the order's ``shipments``: the message plus Jet's ids, dates normalized."""
        record: dict[str, Any] = {"shipment_id": hex_id(self.rng_ids)}
        for key, value in shipment.items():
            if key == "shipment_items":
                continue
            if key in ("response_shipment_date", "expected_delivery_date", "carrier_pick_up_date") and value:
                value = fmt_ts(parse_ts(str(value)))
            record[key] = value
        record["shipment_items"] = []
        for item, ship_qty, cancel_qty in rows:
            echoed = {"shipment_item_id": hex_id(self.rng_ids), **item}
            echoed["response_shipment_sku_quantity"] = ship_qty
            echoed["response_shipment_cancel_qty"] = cancel_qty
            record["shipment_items"].append(echoed)
        return record

    @staticmethod
    def _allocate(order: Order, sku: str, qty: int, attr: str) -> None:
        """Spread units of one SKU over its lines: open units first, any excess on the last line."""
        if qty <= 0:
            return
        lines = [ln for ln in order.lines if ln.merchant_sku == sku]
        for line in lines:
            open_units = max(0, line.quantity - line.shipped - line.cancelled)
            take = min(open_units, qty)
            setattr(line, attr, getattr(line, attr) + take)
            qty -= take
        if qty:
            setattr(lines[-1], attr, getattr(lines[-1], attr) + qty)

    def directed_cancel(self, order_id: str, lines: dict[str, int] | None) -> Order:
        """Jet (or the customer) asks the merchant to cancel units."""
        order = self.get_order(order_id)
        if order.status not in ("created", "ready", "acknowledged", "inprogress"):
            raise bad(f"order is '{order.status}'; nothing left to cancel")
        if lines:
            for item_id, qty in lines.items():
                line = order.line_by_id(item_id)
                if line is None:
                    raise bad(f"order_item_id {item_id} is not on order {order_id}")
                open_units = line.quantity - line.shipped - line.cancelled
                if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1 or qty > open_units:
                    raise bad(f"cancel quantity for {item_id} must be 1..{open_units}")
            for item_id, qty in lines.items():
                line = order.line_of(item_id)
                line.cancel_request = qty
        else:
            for line in order.lines:
                line.cancel_request = line.quantity - line.shipped - line.cancelled
        order.directed_cancel = True
        self.touch(order)
        return order

    # ------------------------------------------------------------------ returns
    def _returnable(self, order: Order) -> list[tuple[Line, int]]:
        """Lines with shipped units not yet in a return nor refunded, and how many."""
        in_returns: dict[str, int] = {}
        for ret in self.returns.values():
            if ret.merchant_order_id == order.merchant_order_id:
                for sku in ret.skus:
                    in_returns[sku["order_item_id"]] = in_returns.get(sku["order_item_id"], 0) + sku["return_quantity"]
        candidates = [
            (ln, min(ln.shipped, ln.quantity) - in_returns.get(ln.order_item_id, 0) - ln.refunded_units)
            for ln in order.lines
        ]
        return [(ln, n) for ln, n in candidates if n > 0]

    def create_return(self, order_id: str, when: datetime | None = None) -> Return:
        """Jet opens a return for some shipped units of ``order_id`` (400 if none are returnable)."""
        order = self.get_order(order_id)
        when = when or self.clock.now()
        candidates = self._returnable(order)
        if not candidates:
            raise bad(f"order {order_id} has no shipped units left to return")
        rng = self.rng_returns
        chosen = candidates if rng.random() < 0.3 else [rng.choice(candidates)]
        reason = rng.choice(RETURN_REASONS)
        skus = []
        for line, available in chosen:
            qty = 1 if rng.random() < 0.7 else rng.randint(1, available)
            skus.append(
                {
                    "order_item_id": line.order_item_id,
                    "alt_order_item_id": line.alt_order_item_id,
                    "merchant_sku": line.merchant_sku,
                    "merchant_sku_title": line.product_title,
                    "return_quantity": qty,
                    "reason": reason,
                    "requested_refund_amount": {
                        "principal": line.base_price * qty,
                        "tax": line.item_tax * qty,
                        "shipping_cost": line.shipping * qty,
                        "shipping_tax": line.shipping_tax * qty,
                    },
                }
            )
        count = sum(1 for r in self.returns.values() if r.merchant_order_id == order_id) + 1
        ret = Return(
            merchant_return_authorization_id=hex_id(self.rng_ids),
            reference_return_authorization_id=f"{order.reference_order_id}-{count:02d}",
            merchant_order_id=order_id,
            return_date=when,
            status="created",
            refund_without_return=rng.random() < 0.05,
            shipping_carrier="UPS",
            tracking_number=f"1Z{rng.getrandbits(60):015X}"[:18],
            merchant_return_charge=MERCHANT_RETURN_CHARGE if reason in MERCHANT_FAULT_REASONS else ZERO,
            skus=skus,
        )
        self.returns[ret.merchant_return_authorization_id] = ret
        return ret

    def _on_return_create(self, due: datetime, order_id: str) -> None:
        # Everything may have been refunded or returned in the meantime: then there is nothing to open.
        if self._returnable(self.orders[order_id]):
            self.create_return(order_id, due)

    def get_return(self, return_id: str) -> Return:
        """The return or a 404."""
        ret = self.returns.get(return_id)
        if ret is None:
            raise ApiError(404, f"return {return_id} not found")
        return ret

    def list_returns(self, status: str) -> list[str]:
        """Return ids by status word (canonical or one of the older variants)."""
        key = enums.RETURN_STATUS_ALIASES.get(status.strip().lower()) or enums.RETURN_STATUS_ALIASES.get(
            status.replace(" ", "").lower()
        )
        if key is None:
            raise ApiError(404, f"unknown return status {status!r}")
        if key == "refund_without_return":
            return [r.merchant_return_authorization_id for r in self.returns.values() if r.refund_without_return]
        return [r.merchant_return_authorization_id for r in self.returns.values() if r.status == key]

    def acknowledge_return(self, return_id: str) -> Return:
        """Legacy ``PUT /returns/{id}/acknowledge``: created -> inprogress."""
        ret = self.get_return(return_id)
        if ret.status != "created":
            raise bad(f"return is '{ret.status}'; only created returns can be acknowledged")
        ret.status = "inprogress"
        return ret

    def complete_return(self, return_id: str, body: Any) -> Return:
        """``PUT /returns/{id}/complete`` with the rules of docs/jet-api.md §6."""
        ret = self.get_return(return_id)
        agree, feedback, items = _completion_terms(ret, body)
        order = self.get_order(ret.merchant_order_id)
        by_item = {s["order_item_id"]: s for s in ret.skus}
        clean = [self._completed_item(ret, order, by_item, item) for item in items]
        now = self.clock.now()
        ret.status = "completed by merchant"
        ret.completed_date = now
        ret.agree_to_return_charge = agree
        ret.return_charge_feedback = feedback
        if body.get("alt_return_authorization_id") is not None:
            ret.alt_return_authorization_id = str(body["alt_return_authorization_id"])
        ret.items = clean
        charge = ret.merchant_return_charge if agree else ZERO
        for item in clean:
            line = order.line_of(item["order_item_id"])
            self._apply_refund(line, item["order_return_refund_qty"], item["refund_amount"])
            self._accrue_refund(order, line, item, now, return_id=return_id, charge=charge)
            charge = ZERO  # the return charge is booked once, on the first line
        if charge:
            self._accrue_refund(
                order,
                order.lines[0],
                {"order_return_refund_qty": 0, "refund_amount": dict.fromkeys(AMOUNT_KEYS, ZERO)},
                now,
                return_id=return_id,
                charge=charge,
            )
        return ret

    def _completed_item(
        self, ret: Return, order: Order, by_item: Mapping[str, dict[str, Any]], item: Any
    ) -> dict[str, Any]:
        """One line of a return completion, checked against the return and the order line."""
        if not isinstance(item, dict) or item.get("order_item_id") not in by_item:
            raise bad("each item needs an order_item_id that is part of this return")
        requested = by_item[item["order_item_id"]]
        returned = item.get("total_quantity_returned", 0)
        refund_qty = item.get("order_return_refund_qty", 0)
        for name, qty in (("total_quantity_returned", returned), ("order_return_refund_qty", refund_qty)):
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                raise bad(f"{name} must be a non-negative integer")
        if returned > requested["return_quantity"] or refund_qty > requested["return_quantity"]:
            raise bad(f"quantities exceed the return_quantity {requested['return_quantity']}")
        if not ret.refund_without_return and refund_qty > returned:
            raise bad("order_return_refund_qty cannot exceed total_quantity_returned")
        line = order.line_of(item["order_item_id"])
        amount = self._parse_amount(item.get("refund_amount", {}))
        self._check_refundable(line, refund_qty, amount)
        full = refund_qty == requested["return_quantity"] and amount["principal"] >= line.base_price * refund_qty
        rfb = item.get("return_refund_feedback")
        if not full and rfb is None:
            raise bad("return_refund_feedback is required when refunding less than requested")
        if rfb is not None and rfb not in enums.RETURN_REFUND_FEEDBACK:
            raise bad(f"return_refund_feedback must be one of {list(enums.RETURN_REFUND_FEEDBACK)}")
        return {
            "order_item_id": line.order_item_id,
            "alt_order_item_id": item.get("alt_order_item_id", line.alt_order_item_id),
            "total_quantity_returned": returned,
            "order_return_refund_qty": refund_qty,
            "return_refund_feedback": rfb,
            "notes": item.get("notes"),
            "refund_amount": amount,
        }

    @staticmethod
    def _parse_amount(raw: Any) -> dict[str, Decimal]:
        if not isinstance(raw, dict):
            raise bad("refund_amount must be an object {principal, tax, shipping_cost, shipping_tax}")
        out = {}
        for key in AMOUNT_KEYS:
            value = raw.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise bad(f"refund_amount.{key} must be a number")
            amount = money(value)
            if amount < 0:
                raise bad(f"refund_amount.{key} cannot be negative")
            out[key] = amount
        return out

    @staticmethod
    def _refund_room(line: Line, qty: int, amount: dict[str, Decimal]) -> str | None:
        """Why refunding ``amount`` for ``qty`` units would exceed what the buyer paid, or None."""
        paid_units = min(line.shipped, line.quantity)
        if line.refunded_units + qty > paid_units:
            return f"refund of {qty} units exceeds the {paid_units - line.refunded_units} shipped, unrefunded units"
        per_unit = {
            "principal": line.base_price,
            "tax": line.item_tax,
            "shipping_cost": line.shipping,
            "shipping_tax": line.shipping_tax,
        }
        for key in AMOUNT_KEYS:
            if line.refunded.get(key, ZERO) + amount[key] > per_unit[key] * paid_units:
                return f"refund {key} exceeds what was paid for the shipped units"
            if qty and amount[key] > per_unit[key] * qty:
                return f"refund {key} {amount[key]} exceeds what was paid for {qty} units"
        return None

    def _check_refundable(self, line: Line, qty: int, amount: dict[str, Decimal]) -> None:
        reason = self._refund_room(line, qty, amount)
        if reason:
            raise bad(reason)

    @staticmethod
    def _apply_refund(line: Line, qty: int, amount: dict[str, Decimal]) -> None:
        line.refunded_units += qty
        for key in AMOUNT_KEYS:
            line.refunded[key] = line.refunded.get(key, ZERO) + amount[key]

    # ------------------------------------------------------------------ refunds
    def create_refund(self, order_id: str, alt_refund_id: str, body: Any) -> Refund:
        """``POST /refunds/{order}/{alt_refund_id}``: 400 for malformed bodies, policy decided later."""
        order = self.get_order(order_id)
        if not any(ln.shipped for ln in order.lines):
            raise bad("only orders with shipped units can be refunded")
        if not isinstance(body, dict) or not isinstance(body.get("items"), list) or not body["items"]:
            raise bad("body needs a non-empty items list")
        clean = []
        for item in body["items"]:
            if not isinstance(item, dict) or order.line_by_id(str(item.get("order_item_id"))) is None:
                raise bad("each item needs an order_item_id of this order")
            line = order.line_of(item["order_item_id"])
            returned = item.get("total_quantity_returned", 0)
            qty = item.get("order_return_refund_qty")
            for name, value in (("total_quantity_returned", returned), ("order_return_refund_qty", qty)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise bad(f"{name} must be a non-negative integer")
            reason = item.get("refund_reason")
            if reason not in enums.REFUND_REASONS:
                raise bad(f"refund_reason {reason!r} is not one of Jet's refund reasons")
            feedback = item.get("refund_feedback")
            if feedback is not None and feedback not in enums.REFUND_FEEDBACK + enums.RETURN_REFUND_FEEDBACK:
                raise bad(f"refund_feedback must be one of {list(enums.REFUND_FEEDBACK)}")
            clean.append(
                {
                    "order_item_id": line.order_item_id,
                    "alt_order_item_id": item.get("alt_order_item_id", line.alt_order_item_id),
                    "total_quantity_returned": returned,
                    "order_return_refund_qty": qty,
                    "refund_reason": reason,
                    "refund_feedback": feedback,
                    "notes": item.get("notes"),
                    "refund_amount": self._parse_amount(item.get("refund_amount", {})),
                }
            )
        now = self.clock.now()
        refund = Refund(
            refund_authorization_id=str(self.rng_ids.randrange(10**18, 10**19)),
            alt_refund_id=alt_refund_id,
            merchant_order_id=order_id,
            items=clean,
            created=now,
        )
        self.refunds[refund.refund_authorization_id] = refund
        self._schedule(
            now + timedelta(seconds=self.config.refund_processing_seconds),
            "refund_step",
            refund.refund_authorization_id,
        )
        return refund

    def _on_refund_step(self, due: datetime, refund_id: str) -> None:
        refund = self.refunds[refund_id]
        if refund.status == "created":
            refund.status = "processing"
            self._schedule(due + timedelta(seconds=self.config.refund_decision_seconds), "refund_step", refund_id)
            return
        if refund.status != "processing":
            return
        order = self.orders[refund.merchant_order_id]
        refund.decided_at = due
        # Validate the whole refund against what is still refundable, lines summed per order item.
        pending: dict[str, tuple[int, dict[str, Decimal]]] = {}
        for item in refund.items:
            qty, amount = pending.get(item["order_item_id"], (0, dict.fromkeys(AMOUNT_KEYS, ZERO)))
            pending[item["order_item_id"]] = (
                qty + item["order_return_refund_qty"],
                {k: amount[k] + item["refund_amount"][k] for k in AMOUNT_KEYS},
            )
        for item_id, (qty, amount) in pending.items():
            line = order.line_of(item_id)
            if self._refund_room(line, qty, amount):
                refund.status = enums.REFUND_REJECT_POLICY
                return
        if self.rng_refunds.random() < self.config.refund_card_reject_rate:
            refund.status = enums.REFUND_REJECT_CARD
            return
        refund.status = "accepted"
        for item in refund.items:
            line = order.line_of(item["order_item_id"])
            self._apply_refund(line, item["order_return_refund_qty"], item["refund_amount"])
            self._accrue_refund(order, line, item, due, refund_id=refund_id)

    def get_refund(self, refund_id: str) -> Refund:
        """By refund_authorization_id, else by alt_refund_id (PHP15), else 404."""
        refund = self.refunds.get(refund_id)
        if refund is None:
            refund = next((r for r in self.refunds.values() if r.alt_refund_id == refund_id), None)
        if refund is None:
            raise ApiError(404, f"refund {refund_id} not found")
        return refund

    def list_refunds(self, status: str) -> list[str]:
        """Refund ids by status, case-insensitive; ``rejected`` covers both rejection reasons."""
        word = status.strip().lower()
        if word not in enums.REFUND_STATUSES:
            raise ApiError(404, f"unknown refund status {status!r}")
        return [r.refund_authorization_id for r in self.refunds.values() if r.status.split(" ")[0] == word]

    # ------------------------------------------------------------------ settlement
    def _accrue_shipment(self, order: Order, line: Line, units: int, when: datetime) -> None:
        row = self._row("order", order, line, units, when)
        row.update(
            merchant_price=line.base_price * units,
            jet_variable_commission=-line.fee_variable * units,
            fixed_commission=-line.fee_base * units,
            tax=line.item_tax * units,
            shipping_revenue=line.shipping * units,
            shipping_tax=line.shipping_tax * units,
        )
        self.accruals.append(_Accrual(when, row))

    def _accrue_refund(
        self,
        order: Order,
        line: Line,
        item: dict[str, Any],
        when: datetime,
        *,
        return_id: str = "",
        refund_id: str = "",
        charge: Decimal = ZERO,
    ) -> None:
        """A refunded line: the buyer's money goes back, Jet's commission on it comes back."""
        qty = item["order_return_refund_qty"]
        amount = item["refund_amount"]
        principal = amount["principal"]
        if qty and principal == line.base_price * qty:
            variable, base = line.fee_variable * qty, line.fee_base * qty
        else:  # a partial refund gets commission back pro rata (rounded per row)
            variable = money(line.fee_variable / line.base_price * principal) if line.base_price else ZERO
            base = money(line.fee_base / line.base_price * principal) if line.base_price else ZERO
        row = self._row("return", order, line, qty, when)
        row.update(
            merchant_return_authorization_id=return_id,
            refund_authorization_id=refund_id,
            # Jet's return balance has no shipping-revenue category: refunded shipping is in merchant_price.
            merchant_price=-(principal + amount["shipping_cost"]),
            jet_variable_commission=variable,
            fixed_commission=base,
            tax=-amount["tax"],
            shipping_tax=-amount["shipping_tax"],
            merchant_return_charge=-charge,
        )
        self.accruals.append(_Accrual(when, row))

    @staticmethod
    def _row(kind: str, order: Order, line: Line | None, qty: int, when: datetime) -> dict[str, Any]:
        row: dict[str, Any] = {
            "transaction_type": kind,
            "transaction_date": when,
            "merchant_order_id": order.merchant_order_id,
            "reference_order_id": order.reference_order_id,
            "order_item_id": line.order_item_id if line else "",
            "merchant_return_authorization_id": "",
            "refund_authorization_id": "",
            "merchant_sku": line.merchant_sku if line else "",
            "quantity": qty,
            "description": "",
        }
        for col in CSV_AMOUNT_COLUMNS:
            row[col] = ZERO
        return row

    def _on_settle(self, due: datetime, _key: str) -> None:
        """Close the sandbox day ending at ``due``: one report from that day's accruals."""
        period_start = due - timedelta(days=1)
        todays = [a for a in self.accruals if a.at < due]
        self.accruals = [a for a in self.accruals if a.at >= due]
        report_id = hex_id(self.rng_ids)
        rows = _settlement_rows(todays)
        adjustment = self._maybe_adjustment(due)
        if adjustment is not None:
            rows.append(adjustment)
        for row in rows:
            row["settlement_report_id"] = report_id
            for col in CSV_AMOUNT_COLUMNS:
                row[col] = money(row[col])  # round per row first; totals are sums of rounded rows
        order_details, return_details, adjustment_total = _settlement_totals(rows)
        self.settlements[report_id] = Settlement(
            settlement_report_id=report_id,
            period_start=period_start,
            period_end=due - timedelta(microseconds=1),
            created=due,
            unavailable_balance=self._unavailable_balance(),
            rows=rows,
            order_details=order_details,
            return_details=return_details,
            jet_adjustment=adjustment_total,
        )
        self._schedule(due + timedelta(days=1), "settle", "")

    def _maybe_adjustment(self, due: datetime) -> dict[str, Any] | None:
        """Now and then (``adjustment_rate``) Jet corrects its fees or credits goodwill: one row."""
        if self.rng_settle.random() >= self.config.adjustment_rate:
            return None
        cents = self.rng_settle.randint(-5000, 2500)
        adjustment: dict[str, Any] = {key: "" for key in CSV_ID_COLUMNS}
        adjustment.update({col: ZERO for col in CSV_AMOUNT_COLUMNS})
        adjustment.update(
            transaction_type="adjustment",
            transaction_date=due - timedelta(seconds=1),
            quantity=0,
            jet_adjustment=money(Decimal(cents) / 100),
            description="Jet fee correction" if cents < 0 else "Jet goodwill credit",
        )
        return adjustment

    def _unavailable_balance(self) -> Decimal:
        """The price of the units of acknowledged orders not yet shipped or cancelled."""
        unavailable = ZERO
        for status in ("acknowledged", "inprogress"):
            for order_id in self.by_status[status]:
                for line in self.orders[order_id].lines:
                    unavailable += line.base_price * max(0, line.quantity - line.shipped - line.cancelled)
        return unavailable

    def get_settlement(self, report_id: str) -> Settlement:
        """The report or a 404."""
        report = self.settlements.get(report_id)
        if report is None:
            raise ApiError(404, f"settlement report {report_id} not found")
        return report

    def list_settlements(self, days: int) -> list[str]:
        """Reports whose period ended within the last ``days`` days, newest first."""
        if days < 1 or days > 365:
            raise bad("days must be between 1 and 365")
        cutoff = self.clock.now() - timedelta(days=days)
        found = [r for r in self.settlements.values() if r.period_end >= cutoff]
        found.sort(key=lambda r: r.period_end, reverse=True)
        return [r.settlement_report_id for r in found]

    def request_report(self, report_type: str, settlement_report_id: str | None) -> BulkReport:
        """``POST /reports/{type}``; only SettlementDetails is produced by the sandbox."""
        if report_type.lower() != "settlementdetails":
            raise bad(f"report type {report_type!r} is not produced by the sandbox (only SettlementDetails)")
        if settlement_report_id:
            self.get_settlement(settlement_report_id)
        else:
            if not self.settlements:
                raise bad("there is no settlement report yet")
            settlement_report_id = max(self.settlements.values(), key=lambda r: r.period_end).settlement_report_id
        report = BulkReport(hex_id(self.rng_ids), "SettlementDetails", settlement_report_id, self.clock.now())
        self.reports[report.report_id] = report
        return report

    def report_state(self, report_id: str, base_url: str) -> dict[str, Any]:
        """``GET /reports/state/{id}``: Requested until ``report_ready_seconds`` passed, then Ready."""
        report = self.reports.get(report_id)
        if report is None:
            raise ApiError(404, f"report {report_id} not found")
        now = self.clock.now()
        ready_at = report.requested + timedelta(seconds=self.config.report_ready_seconds)
        expires = ready_at + timedelta(hours=self.config.report_expiration_hours)
        status = "Requested" if now < ready_at else ("Expired" if now >= expires else "Ready")
        done = status != "Requested"
        return {
            "merchant_id": "sandbox-merchant",
            "report_status": status,
            "report_type": report.report_type,
            "report_requested_date": fmt_ts(report.requested),
            "processing_start": fmt_ts(report.requested) if done else None,
            "processing_end": fmt_ts(ready_at) if done else None,
            "report_expiration_date": fmt_ts(expires) if done else None,
            "report_url": f"{base_url}/api/reports/download/{report_id}.csv" if status == "Ready" else None,
        }

    def report_csv(self, report_id: str) -> bytes:
        """The CSV of a Ready report (404 before it is ready or after it expired)."""
        report = self.reports.get(report_id)
        if report is None or report.settlement_report_id is None:
            raise ApiError(404, f"report {report_id} not found")
        if self.report_state(report_id, "")["report_status"] != "Ready":
            raise ApiError(404, f"report {report_id} is not ready")
        return settlement_csv(self.get_settlement(report.settlement_report_id)).encode()

    def report_settlement(self, report_id: str) -> str | None:
        """The settlement a bulk report is for (None when unknown)."""
        report = self.reports.get(report_id)
        return report.settlement_report_id if report is not None else None

    def set_raw_body(self, kind: str, object_id: str, body: bytes, status: int = 200) -> str:
        """Serve ``body`` verbatim, with HTTP ``status``, as the object's payload from now on
        (an empty body with status 200 restores the generated one).

        Returns the id the body is kept under (a refund named by its alt_refund_id is
        kept under its refund_authorization_id). 404 when the object does not exist.
        """
        if kind == "return":
            key = self.get_return(object_id).merchant_return_authorization_id
        elif kind == "refund":
            key = self.get_refund(object_id).refund_authorization_id
        elif kind in ("settlement_report", "settlement_details"):
            key = self.get_settlement(object_id).settlement_report_id
        else:
            raise bad(f"unknown raw kind {kind!r}: return, refund, settlement_report or settlement_details")
        if body or status != 200:
            self.raw_bodies[(kind, key)] = (status, body)
        else:
            self.raw_bodies.pop((kind, key), None)
        return key

    def raw_body(self, kind: str, object_id: str | None) -> tuple[int, bytes] | None:
        """``(status, body)`` set for this object, if any."""
        return self.raw_bodies.get((kind, object_id)) if object_id is not None else None

    # ------------------------------------------------------------------ catalog
    def get_sku(self, sku: str) -> Sku:
        """The SKU or a 404."""
        found = self.business.catalog.get(sku)
        if found is None:
            raise ApiError(404, f"merchant sku {sku} not found")
        return found

    def put_sku(self, code: str, body: Any) -> None:
        """Create or update a product (``product_title`` required for a new SKU)."""
        if not isinstance(body, dict):
            raise bad("body must be a JSON object")
        now = self.clock.now()
        sku = self.business.catalog.get(code)
        if sku is None:
            title = body.get("product_title")
            if not isinstance(title, str) or not title:
                raise bad("product_title is required")
            sku = Sku(
                merchant_sku=code,
                title=title,
                category=str(body.get("category", "Home & Kitchen")),
                brand=str(body.get("brand", "")),
                upc="000000000000",
                price=ZERO,
                known_to_merchant=True,
                merchant_on_hand=0,
                inventory={node: 0 for node in self.business.nodes},
                created=now,
            )
            self.business.catalog[code] = sku
        if isinstance(body.get("product_title"), str) and body["product_title"]:
            sku.title = body["product_title"]
        if isinstance(body.get("brand"), str):
            sku.brand = body["brand"]
        sku.product_extra.update({k: v for k, v in body.items() if k not in ("product_title", "brand", "merchant_sku")})
        sku.sku_last_update = now

    def put_price(self, code: str, body: Any) -> None:
        """``{"price": 38.0, "fulfillment_nodes": [{"fulfillment_node_id", "fulfillment_node_price"}]}``."""
        sku = self.get_sku(code)
        if not isinstance(body, dict):
            raise bad("body must be a JSON object")
        price = body.get("price")
        if isinstance(price, bool) or not isinstance(price, int | float) or price <= 0:
            raise bad("price must be a positive number")
        node_prices = {}
        for node in body.get("fulfillment_nodes") or []:
            if not isinstance(node, dict) or not isinstance(node.get("fulfillment_node_id"), str):
                raise bad("each fulfillment_nodes entry needs a fulfillment_node_id")
            value = node.get("fulfillment_node_price")
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise bad("fulfillment_node_price must be a positive number")
            node_prices[node["fulfillment_node_id"]] = money(value)
        sku.price = money(price)
        sku.node_prices = node_prices
        sku.price_last_update = self.clock.now()

    def put_inventory(self, code: str, body: Any, replace: bool) -> None:
        """PUT replaces every node's quantity (unlisted nodes -> 0); PATCH updates the listed nodes."""
        sku = self.get_sku(code)
        if not isinstance(body, dict) or not isinstance(body.get("fulfillment_nodes"), list):
            raise bad("body needs a fulfillment_nodes list")
        updates = {}
        for node in body["fulfillment_nodes"]:
            if not isinstance(node, dict) or not isinstance(node.get("fulfillment_node_id"), str):
                raise bad("each fulfillment_nodes entry needs a fulfillment_node_id")
            qty = node.get("quantity")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                raise bad("quantity must be a non-negative integer")
            updates[node["fulfillment_node_id"]] = qty
        if replace:
            sku.inventory = updates
        else:
            sku.inventory.update(updates)
        sku.inventory_last_update = self.clock.now()

    def skus_by_status(self, status: str) -> list[str]:
        """SKUs whose product status is ``status`` (case-insensitive), in catalog order."""
        wanted = status.strip().lower()
        return [code for code, sku in self.business.catalog.items() if sku_status(sku).lower() == wanted]

    def delete_sku(self, code: str) -> None:
        """Jet drops the SKU (a 404 from then on): what the merchant sees when Jet deletes a listing."""
        self.get_sku(code)
        del self.business.catalog[code]

    def archive_sku(self, code: str, body: Any) -> None:
        """``{"is_archived": true}`` makes the SKU inactive, ``false`` sellable again."""
        sku = self.get_sku(code)
        if not isinstance(body, dict) or not isinstance(body.get("is_archived"), bool):
            raise bad("body needs is_archived (boolean)")
        sku.is_archived = body["is_archived"]
        sku.sku_last_update = self.clock.now()

    # ------------------------------------------------------------------ auth
    def issue_token(self, user: Any, password: Any) -> tuple[str, datetime]:
        """A bearer token valid for ``token_ttl_seconds`` of sandbox time (401 on bad credentials)."""
        ok_user = isinstance(user, str) and secrets.compare_digest(user.encode(), self.user.encode())
        ok_pass = isinstance(password, str) and secrets.compare_digest(password.encode(), self.secret.encode())
        if not (ok_user and ok_pass):
            raise ApiError(401, "invalid user or pass")
        now = self.clock.now()
        if len(self.tokens) > 10_000:
            self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=self.config.token_ttl_seconds)
        self.tokens[token] = expires
        return token, expires

    def check_token(self, token: str) -> str | None:
        """None when valid, else the reason it is not."""
        expires = self.tokens.get(token)
        if expires is None:
            return "invalid token"
        if self.clock.now() >= expires:
            return "token expired"
        return None

    # ------------------------------------------------------------------ ledger
    def record_write(self, method: str, path: str, kind: str, order_id: str | None, body: Any) -> dict[str, Any]:
        """Append an APPLIED write to the ledger."""
        entry = {
            "seq": len(self.ledger) + 1,
            "at": fmt_ts(self.clock.now()),
            "wall": time.time(),
            "method": method,
            "path": path,
            "kind": kind,
            "merchant_order_id": order_id,
            "body": body,
        }
        self.ledger.append(entry)
        return entry

    def record_rejected(self, method: str, path: str, status: int, errors: list[str], body: Any) -> None:
        """Keep a refused write (not applied) for inspection."""
        self.rejected.append(
            {
                "seq": len(self.rejected) + 1,
                "at": fmt_ts(self.clock.now()),
                "wall": time.time(),
                "method": method,
                "path": path,
                "status": status,
                "errors": errors,
                "body": body,
            }
        )

    # ------------------------------------------------------------------ truth
    def order_truth(self, order: Order) -> dict[str, Any]:
        """Internal state of one order for the ground-truth endpoint."""
        per_sku: dict[str, dict[str, int]] = {}
        for line in order.lines:
            agg = per_sku.setdefault(line.merchant_sku, {"ordered": 0, "shipped": 0, "cancelled": 0})
            agg["ordered"] += line.quantity
            agg["shipped"] += line.shipped
            agg["cancelled"] += line.cancelled
        return {
            "acknowledged": order.acknowledged_at is not None and order.ack_status == "accepted",
            "ack_status": order.ack_status,
            "withdrawn": order.withdrawn,
            "tag": order.tag,
            "resent_from": order.resent_from,
            "resent_as": order.resent_as,
            "raw_override": order.raw_body is not None,
            "test_order": order.test_order,
            "completed_at": fmt_ts(order.completed_at) if order.completed_at else None,
            "units_by_sku": per_sku,
            "lines": [
                {
                    "order_item_id": ln.order_item_id,
                    "merchant_sku": ln.merchant_sku,
                    "known_to_merchant": self.business.catalog[ln.merchant_sku].known_to_merchant,
                    "quantity": ln.quantity,
                    "shipped": ln.shipped,
                    "cancelled": ln.cancelled,
                    "cancel_request": ln.cancel_request,
                    "refunded_units": ln.refunded_units,
                    "refunded": {k: ln.refunded.get(k, ZERO) for k in AMOUNT_KEYS},
                }
                for ln in order.lines
            ],
        }


def settlement_csv(report: Settlement) -> str:
    """One row per order line, return/refund line and adjustment; amounts with 2 decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        values = []
        for col in CSV_COLUMNS:
            value = row.get(col, "")
            if isinstance(value, datetime):
                value = fmt_ts(value)
            elif isinstance(value, Decimal):
                value = f"{value:.2f}"
            values.append(value)
        writer.writerow(values)
    return out.getvalue()


def _acknowledged_items(order: Order, items: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The acknowledge message's ``order_items``: each line's status (default fulfillable)
    and the merchant's ``alt_order_item_id`` where given, by order_item_id."""
    if not isinstance(items, list):
        raise bad("order_items must be a list")
    item_status: dict[str, str] = {}
    alt_ids: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("order_item_id"), str):
            raise bad("each order_items entry needs an order_item_id")
        item_id = item["order_item_id"]
        if order.line_by_id(item_id) is None:
            raise bad(f"order_item_id {item_id} is not on order {order.merchant_order_id}")
        value = item.get("order_item_acknowledgement_status", "fulfillable")
        if value not in enums.ITEM_ACK_STATUSES:
            raise bad(f"order_item_acknowledgement_status must be one of {list(enums.ITEM_ACK_STATUSES)}")
        item_status[item_id] = value
        if item.get("alt_order_item_id") is not None:
            alt_ids[item_id] = str(item["alt_order_item_id"])
    return item_status, alt_ids


_ShipmentRow = tuple[dict[str, Any], int, int]
"""A shipment item with its units shipped and cancelled."""


def _shipment_rows(shipment: Any, order_skus: set[str], order_id: str) -> list[_ShipmentRow]:
    """One shipment of a shipped message, checked as Jet did: its items, then its fields."""
    if not isinstance(shipment, dict):
        raise bad("each shipment must be an object")
    items = shipment.get("shipment_items")
    if not isinstance(items, list) or not items:
        raise bad("each shipment needs a non-empty shipment_items list")
    rows = [_shipment_row(item, order_skus, order_id) for item in items]
    _check_shipment_fields(shipment, rows)
    return rows


def _shipment_row(item: Any, order_skus: set[str], order_id: str) -> _ShipmentRow:
    if not isinstance(item, dict):
        raise bad("each shipment item must be an object")
    sku = item.get("merchant_sku")
    if sku not in order_skus:
        raise bad(f"merchant_sku {sku!r} is not on order {order_id}")
    ship_qty = item.get("response_shipment_sku_quantity", 0) or 0
    cancel_qty = item.get("response_shipment_cancel_qty", 0) or 0
    for name, qty in (
        ("response_shipment_sku_quantity", ship_qty),
        ("response_shipment_cancel_qty", cancel_qty),
    ):
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise bad(f"{name} must be a non-negative integer")
    return item, ship_qty, cancel_qty


def _check_shipment_fields(shipment: dict[str, Any], rows: list[_ShipmentRow]) -> None:
    """Units move; shipped units need a known carrier, tracking and date; a cancel-only
    shipment needs the merchant's id; dates are ISO-8601."""
    shipped_total = sum(r[1] for r in rows)
    cancel_total = sum(r[2] for r in rows)
    if shipped_total == 0 and cancel_total == 0:
        raise bad("a shipment must ship or cancel at least one unit")
    if shipped_total > 0:
        for field in ("carrier", "shipment_tracking_number", "response_shipment_date"):
            if not shipment.get(field):
                raise bad(f"a shipment with shipped units needs {field}")
        if str(shipment["carrier"]).lower() not in enums.CARRIERS_LOWER:
            raise bad(f"unknown carrier {shipment['carrier']!r}")
    elif not shipment.get("alt_shipment_id"):
        raise bad("a shipment with only cancelled items must have an alt_shipment_id")
    for field in ("response_shipment_date", "expected_delivery_date", "carrier_pick_up_date"):
        if shipment.get(field):
            try:
                parse_ts(str(shipment[field]))
            except ValueError:
                raise bad(f"{field} is not an ISO-8601 date: {shipment[field]!r}") from None


def _exception_after_shipping(order: Order, order_skus: set[str]) -> str | None:
    """Jet's exception state when a SKU's units shipped (or shipped and cancelled) exceed its order."""
    exception = None
    for sku in order_skus:
        lines = [ln for ln in order.lines if ln.merchant_sku == sku]
        total = sum(ln.quantity for ln in lines)
        shipped = sum(ln.shipped for ln in lines)
        cancelled = sum(ln.cancelled for ln in lines)
        if shipped > total:
            exception = EXC_TOO_MANY_SHIPPED
        elif shipped + cancelled > total and exception is None:
            exception = EXC_TOO_MANY_CANCELLED
    return exception


def _completion_terms(ret: Return, body: Any) -> tuple[bool, str | None, list[Any]]:
    """The return-wide terms of a completion: whether the merchant agrees to the return
    charge, the feedback when not, and the items (each checked by the caller)."""
    if ret.status == "completed by merchant":
        raise bad("return is already 'completed by merchant'")
    if not isinstance(body, dict):
        raise bad("body must be a JSON object")
    if body.get("merchant_order_id") not in (None, ret.merchant_order_id):
        raise bad("merchant_order_id does not match the return")
    agree = body.get("agree_to_return_charge")
    if not isinstance(agree, bool):
        raise bad("agree_to_return_charge (boolean) is required")
    feedback = body.get("return_charge_feedback")
    if feedback is not None and feedback not in enums.CHARGE_FEEDBACK:
        raise bad(f"return_charge_feedback must be one of {list(enums.CHARGE_FEEDBACK)}")
    if not agree and feedback is None:
        raise bad("return_charge_feedback is required when agree_to_return_charge is false")
    items = body.get("items", [])
    if not isinstance(items, list):
        raise bad("items must be a list")
    return agree, feedback, items


def _settlement_rows(accruals: list[_Accrual]) -> list[dict[str, Any]]:
    """One row per order line (orders) and per return or refund line (returns), summed over the day."""
    grouped: dict[tuple[str, ...], dict[str, Any]] = {}
    for accrual in accruals:
        row = accrual.row
        key = (
            row["transaction_type"],
            row["order_item_id"],
            row["merchant_return_authorization_id"],
            row["refund_authorization_id"],
        )
        if key not in grouped:
            grouped[key] = dict(row)
            continue
        agg = grouped[key]
        agg["quantity"] += row["quantity"]
        agg["transaction_date"] = max(agg["transaction_date"], row["transaction_date"])
        for col in CSV_AMOUNT_COLUMNS:
            agg[col] += row[col]
    return list(grouped.values())


def _settlement_totals(rows: list[dict[str, Any]]) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    """The report's order and return balance details and its adjustment: sums of the rounded rows."""
    order_details = {k: ZERO for k in ORDER_DETAIL_KEYS}
    return_details = {k: ZERO for k in RETURN_DETAIL_KEYS}
    adjustment_total = ZERO
    for row in rows:
        if row["transaction_type"] == "order":
            for k in ORDER_DETAIL_KEYS:
                order_details[k] += row[k]
        elif row["transaction_type"] == "return":
            for k in RETURN_DETAIL_KEYS:
                return_details[k] += row[k]
        else:
            adjustment_total += row["jet_adjustment"]
    return order_details, return_details, adjustment_total
