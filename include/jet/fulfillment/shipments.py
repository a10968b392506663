"""Shipments: record what the merchant's warehouse shipped or cancelled, upload it to
Jet through the outbox, and confirm it by re-reading the order.

1. :func:`record_shipment` validates a shipment against the order as the warehouse
   knows it (SKUs on the order, units still open, carrier and method from Jet's lists)
   and records it in ``jet.shipment_requests`` (+ lines). Nothing goes to Jet yet.
2. :func:`upload_pending` (DAG ``jet_fulfillment``) re-reads the orders of pending
   requests from Jet, and for orders Jet shows ``acknowledged`` or ``inprogress``
   queues one ``ship`` action per request (subject: the request id) (validated again, now against
   Jet's own units), sends them, settles unknown outcomes, and re-lands the orders so
   ``jet.order_shipments`` shows the shipment: that is the confirmation.

A refused shipment changes nothing at Jet: it is refused before it is recorded
(:class:`ShipmentRefused`) or, if it was inserted by other means, marked with its
``problem`` and never sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from jet import limits, outbox
from jet.api.vocabulary import OPEN_ORDER_STATUSES, OrderStatus
from jet.failures import PermanentError
from jet.orders.units import OpenUnits, units_per_sku
from jet.outbox.kinds import ACKNOWLEDGE, SHIP
from jet.sql import execute, one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import OrderDetail
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

SHIPPABLE_STATUSES = OPEN_ORDER_STATUSES
#: A parcel can be dated a little ahead (time zones, a label printed tonight for tomorrow).
SHIP_DATE_AHEAD = timedelta(days=1)
#: Longest a delivery estimate may lie after the shipment.
DELIVERY_WITHIN = timedelta(days=90)
_TEXT_LIMITS = (
    ("tracking_number", limits.TRACKING_NUMBER_MAX),
    ("carrier", limits.CARRIER_MAX),
    ("shipping_method", limits.SHIPPING_METHOD_MAX),
    ("rma_number", limits.RMA_NUMBER_MAX),
    ("ship_from_zip", 10),
)


class ShipmentRefused(PermanentError, ValueError):
    """The shipment cannot be recorded or uploaded as given; the message says why."""


@dataclass(frozen=True)
class ShipmentLine:
    merchant_sku: str
    quantity_shipped: int = 0
    quantity_cancelled: int = 0


@dataclass(frozen=True)
class Shipment:
    """A shipment (or cancellation) as the merchant's warehouse reports it.

    With no ``lines``, every unit still open on the order ships (or, with
    ``cancel_open_units``, is cancelled).
    """

    merchant_order_id: str
    lines: tuple[ShipmentLine, ...] = ()
    carrier: str | None = None
    shipping_method: str | None = None
    tracking_number: str | None = None
    ship_date: datetime | None = None
    expected_delivery_date: datetime | None = None
    carrier_pick_up_date: datetime | None = None
    ship_from_zip: str | None = None
    rma_number: str | None = None
    days_to_return: int | None = None
    return_address: Mapping[str, Any] | None = None
    alt_shipment_id: str | None = None
    cancel_open_units: bool = False

    @property
    def units_shipped(self) -> int:
        return sum(line.quantity_shipped for line in self.lines)


# ---------------------------------------------------------------------- validation (pure)


def _canonical(value: str | None, normalize: Any, allowed: Sequence[str], what: str) -> str:
    try:
        return str(normalize(value or ""))
    except ValueError:
        raise ShipmentRefused(f"unknown {what} {value!r}: Jet accepts one of {', '.join(allowed)}") from None


def validate(shipment: Shipment, units: Mapping[str, OpenUnits]) -> Shipment:
    """Check a shipment against the order's open units and Jet's lists; return it with
    canonical carrier/method spellings and explicit lines. Raises :class:`ShipmentRefused`."""
    check_text(shipment)
    lines = _explicit_lines(shipment, units)
    _check_lines(shipment.merchant_order_id, lines, units)
    carrier, method = _carrier_and_method(shipment, lines)
    _check_timestamps(shipment)
    return replace(shipment, lines=lines, carrier=carrier, shipping_method=method)


def _explicit_lines(shipment: Shipment, units: Mapping[str, OpenUnits]) -> tuple[ShipmentLine, ...]:
    """The shipment's lines; none given means every open unit, shipped or (``cancel_open_units``) cancelled."""
    if shipment.lines:
        return shipment.lines
    wanted = {sku: u.open for sku, u in sorted(units.items()) if u.open > 0}
    if not wanted:
        raise ShipmentRefused(f"order {shipment.merchant_order_id} has no open units: {_describe(units)}")
    return tuple(
        ShipmentLine(sku, 0, n) if shipment.cancel_open_units else ShipmentLine(sku, n, 0) for sku, n in wanted.items()
    )


def _check_lines(order_id: str, lines: Sequence[ShipmentLine], units: Mapping[str, OpenUnits]) -> None:
    """One line per SKU of the order, each moving some units and no more than are open."""
    seen: set[str] = set()
    for line in lines:
        if line.merchant_sku in seen:
            raise ShipmentRefused(f"SKU {line.merchant_sku} appears twice in the shipment; give one line per SKU")
        seen.add(line.merchant_sku)
        if line.merchant_sku not in units:
            raise ShipmentRefused(
                f"SKU {line.merchant_sku} is not on order {order_id} (its SKUs: {', '.join(sorted(units))})"
            )
        if line.quantity_shipped < 0 or line.quantity_cancelled < 0:
            raise ShipmentRefused(f"SKU {line.merchant_sku}: quantities cannot be negative")
        if line.quantity_shipped + line.quantity_cancelled == 0:
            raise ShipmentRefused(f"SKU {line.merchant_sku}: the line ships and cancels zero units")
        _check_not_over_open(order_id, line, units[line.merchant_sku])


def _check_not_over_open(order_id: str, line: ShipmentLine, u: OpenUnits) -> None:
    moved = line.quantity_shipped + line.quantity_cancelled
    if moved > u.open:
        raise ShipmentRefused(
            f"order {order_id} SKU {line.merchant_sku}: this shipment moves {moved} unit(s) "
            f"({line.quantity_shipped} shipped, {line.quantity_cancelled} cancelled) but only {u.open} "
            f"are open (ordered {u.ordered}, shipped {u.shipped}, cancelled {u.cancelled}, "
            f"in earlier shipments not yet at Jet {u.waiting}); over-shipping is refused"
        )


def _carrier_and_method(shipment: Shipment, lines: Sequence[ShipmentLine]) -> tuple[str | None, str | None]:
    """Jet's spelling of the carrier and method of a shipment that ships units, which must
    say who carries it, its tracking number and ship date; (None, None) for a cancel-only one."""
    from jet.api.models import SHIPPING_CARRIERS, SHIPPING_METHODS, normalize_carrier, normalize_shipping_method

    if not any(line.quantity_shipped for line in lines):
        return None, None
    carrier = _canonical(shipment.carrier, normalize_carrier, SHIPPING_CARRIERS, "shipping carrier")
    method = shipment.shipping_method
    if method and method != "Other":
        method = _canonical(method, normalize_shipping_method, SHIPPING_METHODS, "shipping method")
    missing = [
        name
        for name, value in (
            ("carrier", carrier),
            ("tracking_number", shipment.tracking_number),
            ("ship_date", shipment.ship_date),
        )
        if not value
    ]
    if missing:
        raise ShipmentRefused(f"a shipment that ships units needs {', '.join(missing)}")
    return carrier, method


def _check_timestamps(shipment: Shipment) -> None:
    """Dates say their zone; a return window is not negative."""
    for name in ("ship_date", "expected_delivery_date", "carrier_pick_up_date"):
        value = getattr(shipment, name)
        if value is not None and value.tzinfo is None:
            raise ShipmentRefused(f"{name} {value.isoformat()} has no timezone; give UTC or an offset")
    if shipment.days_to_return is not None and shipment.days_to_return < 0:
        raise ShipmentRefused("days_to_return cannot be negative")


def check_text(shipment: Shipment) -> None:
    """Refuse text Jet could not take or the warehouse could not store (NUL, too long)."""
    for name, max_length in _TEXT_LIMITS:
        value = getattr(shipment, name)
        problem = value is not None and limits.text_problem(value, max_length)
        if problem:
            raise ShipmentRefused(f"{name} {problem}")
    for line in shipment.lines:
        problem = limits.text_problem(line.merchant_sku, limits.SKU_MAX)
        if problem:
            raise ShipmentRefused(f"merchant_sku {problem}")
    for key, value in (shipment.return_address or {}).items():
        problem = isinstance(value, str) and limits.text_problem(value, limits.ADDRESS_LINE_MAX)
        if problem:
            raise ShipmentRefused(f"return_address.{key} {problem}")


def check_dates(shipment: Shipment, placed_at: datetime, now: datetime) -> None:
    """A ship date between the order's placement and ``now`` plus a day; a delivery
    estimate after the ship date and within :data:`DELIVERY_WITHIN` of it."""
    # Plain datetimes: Airflow's run times are pendulum's, which cannot compare with year 2999.
    placed_at, now = (datetime.fromtimestamp(t.timestamp(), UTC) for t in (placed_at, now))
    ship = shipment.ship_date
    if ship is not None and not placed_at <= ship <= now + SHIP_DATE_AHEAD:
        raise ShipmentRefused(
            f"ship_date {ship.isoformat()} is not between the order's placement ({placed_at.isoformat()}) "
            f"and a day after now ({(now + SHIP_DATE_AHEAD).isoformat()})"
        )
    delivery = shipment.expected_delivery_date
    start = ship or placed_at
    if delivery is not None and not start <= delivery <= start + DELIVERY_WITHIN:
        raise ShipmentRefused(
            f"expected_delivery_date {delivery.isoformat()} is not between {start.isoformat()} "
            f"and {DELIVERY_WITHIN.days} days later"
        )


def _describe(units: Mapping[str, OpenUnits]) -> str:
    return "; ".join(
        f"{sku}: ordered {u.ordered}, shipped {u.shipped}, cancelled {u.cancelled}, waiting {u.waiting}"
        for sku, u in sorted(units.items())
    )


def ship_body(shipment: Shipment, alt_shipment_id: str) -> dict[str, Any]:
    """Jet's shipped body for one validated shipment (checked by the ShipRequest model)."""
    from jet.api.models import ShipRequest, format_jet_datetime

    ships = shipment.units_shipped > 0
    item_extra: dict[str, Any] = {}
    if shipment.rma_number:
        item_extra["RMA_number"] = shipment.rma_number
    if shipment.days_to_return is not None:
        item_extra["days_to_return"] = shipment.days_to_return
    if shipment.return_address:
        item_extra["return_location"] = dict(shipment.return_address)
    body_shipment: dict[str, Any] = {
        "alt_shipment_id": alt_shipment_id,
        "shipment_items": [
            {
                "merchant_sku": line.merchant_sku,
                "response_shipment_sku_quantity": line.quantity_shipped,
                "response_shipment_cancel_qty": line.quantity_cancelled,
                **(item_extra if line.quantity_shipped else {}),
            }
            for line in shipment.lines
        ],
    }
    if ships:
        if shipment.ship_date is None:
            raise ShipmentRefused(f"shipment {alt_shipment_id} ships units but has no ship date")
        body_shipment.update(
            {
                "carrier": shipment.carrier,
                "shipment_tracking_number": shipment.tracking_number,
                "response_shipment_date": format_jet_datetime(shipment.ship_date),
            }
        )
        if shipment.shipping_method:
            body_shipment["response_shipment_method"] = shipment.shipping_method
        if shipment.ship_from_zip:
            body_shipment["ship_from_zip_code"] = shipment.ship_from_zip
        if shipment.expected_delivery_date:
            body_shipment["expected_delivery_date"] = format_jet_datetime(shipment.expected_delivery_date)
        if shipment.carrier_pick_up_date:
            body_shipment["carrier_pick_up_date"] = format_jet_datetime(shipment.carrier_pick_up_date)
    body = {"shipments": [body_shipment]}
    try:
        checked = ShipRequest.model_validate(body)
    except ValueError as exc:
        raise ShipmentRefused(f"Jet would refuse this shipment: {exc}") from None
    return checked.model_dump(mode="json", by_alias=True, exclude_none=True)


def units_from_jet(order: OrderDetail, in_flight: Mapping[str, int]) -> dict[str, OpenUnits]:
    """Open units per SKU as Jet shows the order, less units of our unsettled uploads."""
    return {sku: replace(u, waiting=in_flight.get(sku, 0)) for sku, u in units_per_sku(order).items()}


# ---------------------------------------------------------------------- recording


def warehouse_units(conn: psycopg.Connection, merchant_order_id: str) -> dict[str, OpenUnits]:
    """Open units per SKU from the warehouse (Jet's last view + our requests not at Jet yet)."""
    rows = conn.execute(read_sql("fulfillment_order_units.sql"), {"merchant_order_id": merchant_order_id}).fetchall()
    return {sku: OpenUnits(o, s, c, w) for sku, o, s, c, w in rows}


def record_shipment(
    conn: psycopg.Connection, run: RunIdentity, shipment: Shipment, request_key: str | None = None
) -> dict[str, Any]:
    """Validate and record one shipment request; returns its id and alt_shipment_id.

    Idempotent per ``request_key`` (default: the run key), so a retried task records
    one shipment. Refused (nothing written) when the order is unknown or closed, a SKU
    is not on it, more units would move than are open, or carrier/method are not Jet's.
    """
    from psycopg.types.json import Jsonb

    key = request_key or f"{run.run_key}/{shipment.merchant_order_id}"
    with conn.transaction():
        existing = conn.execute(read_sql("fulfillment_request_by_key.sql"), {"request_key": key}).fetchone()
        if existing is not None:
            log.info("shipment %s already recorded as request %d (%s)", key, existing[0], existing[1])
            return {"shipment_request_id": existing[0], "alt_shipment_id": existing[1], "recorded": False}
        # Serialise recorders of one order, so two shipments cannot both take the last units.
        row = conn.execute(
            read_sql("fulfillment_lock_order.sql"), {"merchant_order_id": shipment.merchant_order_id}
        ).fetchone()
        if row is None:
            raise ShipmentRefused(
                f"order {shipment.merchant_order_id} is not in the warehouse; import it with jet_import_order first"
            )
        status, placed_at = row
        if status == OrderStatus.COMPLETE:
            units = warehouse_units(conn, shipment.merchant_order_id)
            shipped = sum(u.shipped for u in units.values())
            hint = (
                "shipped units can only be refunded (jet_refund_order)"
                if shipped
                else "nothing is left to ship or cancel"
            )
            raise ShipmentRefused(f"order {shipment.merchant_order_id} is complete at Jet: {hint}")
        checked = validate(shipment, warehouse_units(conn, shipment.merchant_order_id))
        check_dates(checked, placed_at, run.observed_at)
        created = conn.execute(
            read_sql("fulfillment_request_insert.sql"),
            {
                "request_key": key,
                "merchant_order_id": checked.merchant_order_id,
                "alt_shipment_id": checked.alt_shipment_id,
                "carrier": checked.carrier,
                "shipping_method": checked.shipping_method,
                "tracking_number": checked.tracking_number,
                "ship_date": checked.ship_date,
                "expected_delivery_date": checked.expected_delivery_date,
                "carrier_pick_up_date": checked.carrier_pick_up_date,
                "ship_from_zip": checked.ship_from_zip,
                "rma_number": checked.rma_number,
                "days_to_return": checked.days_to_return,
                "return_address": Jsonb(dict(checked.return_address)) if checked.return_address else None,
                "requested_by": run.run_key,
                "requested_at": run.observed_at,
            },
        ).fetchone()
        request_id, alt = one(created, "fulfillment_request_insert.sql")
        ship_body(checked, alt)  # Jet's own rules, before anything is stored for good
        with conn.cursor() as cur:
            cur.executemany(
                read_sql("fulfillment_line_insert.sql"),
                [
                    {
                        "shipment_request_id": request_id,
                        "merchant_sku": line.merchant_sku,
                        "quantity_shipped": line.quantity_shipped,
                        "quantity_cancelled": line.quantity_cancelled,
                    }
                    for line in checked.lines
                ],
            )
        # Its timeline note is written by the table's trigger at commit (migration 0056).
    log.debug("recorded shipment request %d (%s) for order %s", request_id, alt, checked.merchant_order_id)
    return {"shipment_request_id": request_id, "alt_shipment_id": alt, "recorded": True}


# ---------------------------------------------------------------------- partial accepts


def propose_partial_cancels(conn: psycopg.Connection, run: RunIdentity) -> int:
    """Record the cancel-only shipment a partial accept promised (the rules' ``accept_available``
    policy: ``decision_lines.units_to_cancel``), once per decision, for orders Jet has
    acknowledged. The upload that follows sends it, so the customer learns at once which
    units will not come, and the order can complete when the rest ships.

    Units Jet or the warehouse cancelled meanwhile are not cancelled twice: each SKU
    cancels at most its open units. Returns the number of requests recorded.
    """
    due: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    rows = execute(conn, "fulfillment_partial_cancels_due.sql", {"acknowledge_call": ACKNOWLEDGE})
    for order_id, decision_id, sku, units in rows:
        due[(order_id, decision_id)].append((sku, units))
    recorded = 0
    for (order_id, decision_id), lines in due.items():
        open_units = warehouse_units(conn, order_id)
        cancel = tuple(
            ShipmentLine(sku, 0, n)
            for sku, units in lines
            if (n := min(units, open_units[sku].open if sku in open_units else 0)) > 0
        )
        if not cancel:
            log.info("order %s: the %s unit(s) decision %d said to cancel are no longer open", order_id,
                     sum(u for _, u in lines), decision_id)  # fmt: skip
            continue
        receipt = record_shipment(
            conn, run, Shipment(order_id, cancel, cancel_open_units=True), request_key=f"units_to_cancel/{decision_id}"
        )
        recorded += bool(receipt["recorded"])
    if recorded:
        log.info("recorded %d cancel-only shipment(s) for units partial accepts said to cancel", recorded)
    return recorded


# ---------------------------------------------------------------------- upload


@dataclass
class UploadReceipt:
    queued: int = 0
    refused: int = 0
    partial_cancels: int = 0
    waiting_for_acknowledgement: int = 0
    unreadable: int = 0
    outbox: dict[str, int] = field(default_factory=dict)
    confirmed_orders: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def as_xcom(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "refused": self.refused,
            "partial_cancels": self.partial_cancels,
            "waiting_for_acknowledgement": self.waiting_for_acknowledgement,
            "unreadable": self.unreadable,
            "outbox": dict(self.outbox),
            "confirmed_orders": self.confirmed_orders,
            "by_status": dict(self.by_status),
        }


def _pending(conn: psycopg.Connection) -> dict[str, list[tuple[int, str, Shipment]]]:
    groups: dict[str, list[tuple[int, str, Shipment]]] = defaultdict(list)
    for row in conn.execute(read_sql("fulfillment_pending.sql")):
        (rid, order_id, alt, carrier, method, tracking, ship_date, edd, pickup, zip_code, rma, days, addr, lines) = row
        shipment = Shipment(
            merchant_order_id=order_id,
            lines=tuple(ShipmentLine(sku, s, c) for sku, s, c in lines or []),
            carrier=carrier,
            shipping_method=method,
            tracking_number=tracking,
            ship_date=ship_date,
            expected_delivery_date=edd,
            carrier_pick_up_date=pickup,
            ship_from_zip=zip_code,
            rma_number=rma,
            days_to_return=days,
            return_address=addr,
            alt_shipment_id=alt,
        )
        groups[order_id].append((rid, alt, shipment))
    return groups


def _refuse(conn: psycopg.Connection, run: RunIdentity, request_id: int, order_id: str, problem: str) -> None:
    conn.execute(
        read_sql("fulfillment_set_problem.sql"),
        {"shipment_request_id": request_id, "problem": problem, "problem_at": run.observed_at},
    )
    log.error("shipment request %d of order %s refused: %s", request_id, order_id, problem)


def plan_uploads(conn: psycopg.Connection, client: Any, run: RunIdentity, receipt: UploadReceipt) -> None:
    """Queue a ``ship:<id>`` action for each pending request whose order Jet shows
    acknowledged or in progress, validated against Jet's current units."""
    groups = _pending(conn)
    if not groups:
        return
    fetched = {r.merchant_order_id: r for r in client.iter_orders(sorted(groups))}
    with conn.transaction():
        for order_id, requests in groups.items():
            result = fetched.get(order_id)
            if result is None or result.order is None:
                receipt.unreadable += len(requests)
                log.warning(
                    "order %s: Jet served no valid payload (%s); its shipments wait", order_id, result and result.error
                )
                continue
            order = result.order
            status = str(order.status)
            if status == OrderStatus.READY:
                receipt.waiting_for_acknowledgement += len(requests)
                log.info("order %s is not acknowledged yet: %d shipment(s) wait", order_id, len(requests))
                continue
            if status not in SHIPPABLE_STATUSES:
                for request_id, _, _ in requests:
                    _refuse(
                        conn,
                        run,
                        request_id,
                        order_id,
                        f"Jet shows the order {status} (exception {order.exception_state!r}): nothing can ship",
                    )
                    receipt.refused += 1
                continue
            in_flight: dict[str, int] = dict(
                conn.execute(read_sql("fulfillment_in_flight_units.sql"), {"merchant_order_id": order_id}).fetchall()
            )
            units = units_from_jet(order, in_flight)
            for request_id, alt, shipment in requests:
                try:
                    checked = validate(shipment, units)
                    body = ship_body(checked, alt)
                except ShipmentRefused as exc:
                    _refuse(conn, run, request_id, order_id, str(exc))
                    receipt.refused += 1
                    continue
                # Two uploads planning at once queue it once (the dedupe key); both go on.
                outbox.queue(conn, run, order_id, SHIP, body, subject=request_id, reason=f"shipment {alt}")
                receipt.queued += 1
                for line in checked.lines:
                    u = units[line.merchant_sku]
                    units[line.merchant_sku] = replace(
                        u, waiting=u.waiting + line.quantity_shipped + line.quantity_cancelled
                    )


def upload_pending(conn: psycopg.Connection, client: Any, run: RunIdentity) -> UploadReceipt:
    """The whole upload step: settle, plan, send, settle, confirm. Returns counts."""
    receipt = UploadReceipt()
    totals = outbox.settle(conn, client, (SHIP,))
    receipt.partial_cancels = propose_partial_cancels(conn, run)
    plan_uploads(conn, client, run, receipt)
    totals += outbox.drain(conn, client, (SHIP,))
    receipt.outbox = totals.as_xcom()
    receipt.confirmed_orders = confirm(conn, client, run)
    receipt.by_status = counts(conn)
    log.info("fulfilment upload: %s", receipt.as_xcom())
    return receipt


def confirm(conn: psycopg.Connection, client: Any, run: RunIdentity) -> int:
    """Re-read from Jet the orders whose shipments Jet accepted, land them, and note the
    shipments Jet now shows. Returns the number of orders re-read."""
    from jet.orders.ingest import ingest_orders

    ids = [r[0] for r in conn.execute(read_sql("fulfillment_unconfirmed_orders.sql"))]
    if not ids:
        return 0
    ingest_orders(
        client,
        conn,
        ids,
        kind="fulfillment",
        run_key=run.run_key,
        observed_at=run.observed_at,
        dag_run_id=run.dag_run_id,
    )
    # Landing the shipments Jet now shows notes them as confirmed (trigger, migration 0056).
    return len(ids)


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """Shipment requests per status (pending, refused, uploading, uploaded, confirmed, failed)."""
    return dict(conn.execute(read_sql("fulfillment_counts.sql")).fetchall())
