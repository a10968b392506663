"""The simulated merchant: the warehouse that ships, the operator who completes returns,
issues refunds and cancels a few orders; and the buyers who cancel through Jet. The
merchant acts only through the product's own entry points (the functions behind
``jet_ship_order``, ``jet_complete_return``, ``jet_refund_order`` and
``jet_cancel_order``), so every write it causes goes to Jet through the outbox like a
person's would; the buyers act at the sandbox, as Jet would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jet.demo.plan import PeriodPlan, fraction
from jet.sql import execute

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

#: The warehouse's carrier; each parcel gets its own tracking number.
CARRIER, METHOD, SHIP_FROM_ZIP = "UPS", "UPS Ground", "07030"


@dataclass
class MerchantTally:
    """What the simulated merchant did, for the progress lines."""

    shipments: dict[str, int] = field(default_factory=lambda: {"full": 0, "first parcel": 0, "rest": 0,
                                                               "rest cancelled": 0, "cancelled": 0})  # fmt: skip
    returns_completed: int = 0
    refunds_requested: int = 0
    cancelled_by_operator: int = 0
    #: Orders Jet asked the merchant to cancel (directed cancels), each asked once.
    directed_cancels: set[str] = field(default_factory=set)


def ship_due(conn: psycopg.Connection, run: RunIdentity, plan: PeriodPlan, tally: MerchantTally) -> int:
    """Record the shipments the warehouse makes now (``jet_fulfillment`` uploads them).

    An order ships ``plan.handling`` after Jet acknowledged it: in full, cancelled (the
    warehouse cannot fill it), or in two parcels, one unit first and the rest (or its
    cancellation) one handling time later. Returns the number of requests recorded.
    """
    from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment, warehouse_units

    before = run.observed_at - plan.handling
    recorded = 0
    for order_id, requests, _last in execute(conn, "demo_to_ship.sql", {"before": before}).fetchall():
        units = warehouse_units(conn, order_id)
        open_units = {sku: u.open for sku, u in units.items() if u.open > 0}
        if not open_units:
            continue  # everything is at Jet or on its way
        key = f"demo/{order_id}/{requests + 1}"
        parcel: dict[str, Any] = {
            "carrier": CARRIER,
            "shipping_method": METHOD,
            "tracking_number": "1ZJF" + hashlib.sha256(key.encode()).hexdigest()[:14].upper(),
            "ship_date": run.observed_at,
            "ship_from_zip": SHIP_FROM_ZIP,
        }
        fate = fraction(order_id, "ship")
        if requests == 0 and fate < plan.cancel_share:
            shipment, kind = Shipment(order_id, cancel_open_units=True), "cancelled"
        elif requests == 0 and fate < plan.cancel_share + plan.partial_share and sum(open_units.values()) > 1:
            first = min(open_units)
            shipment, kind = Shipment(order_id, (ShipmentLine(first, 1),), **parcel), "first parcel"
        elif requests > 0 and fraction(order_id, "rest") < plan.partial_rest_cancelled_share:
            shipment, kind = Shipment(order_id, cancel_open_units=True), "rest cancelled"
        else:
            shipment, kind = Shipment(order_id, **parcel), "full" if requests == 0 else "rest"
        record_shipment(conn, run, shipment, key)
        tally.shipments[kind] += 1
        recorded += 1
    return recorded


def complete_waiting_returns(
    conn: psycopg.Connection, client: Any, run: RunIdentity, plan: PeriodPlan, tally: MerchantTally
) -> int:
    """The operator accepts, in full, the returns the policy left open for ``operator_delay``."""
    from jet.returns import Completion, complete_return

    before = run.observed_at - plan.operator_delay
    done = 0
    for (return_id,) in execute(conn, "demo_open_returns.sql", {"before": before}).fetchall():
        complete_return(conn, client, run, return_id, Completion(mode="accept", agree_to_return_charge=True))
        done += 1
    tally.returns_completed += done
    return done


def refund_some(conn: psycopg.Connection, client: Any, run: RunIdentity, plan: PeriodPlan, tally: MerchantTally) -> int:
    """The merchant refunds one unit of a few complete orders (the buyer says it arrived damaged)."""
    from jet.refunds import RefundLine, request_refund

    done = 0
    for order_id, item_id in execute(conn, "demo_refund_candidates.sql", {"since": plan.start}).fetchall():
        if item_id is None or fraction(order_id, "refund") >= plan.refund_share:
            continue
        line = RefundLine(item_id, 1, reason="Item arrived damaged - box damaged", feedback="Item damaged")
        request_refund(conn, client, run, order_id, [line], alt_refund_id=f"JF-DEMO-{order_id}"[:64])
        done += 1
    tally.refunds_requested += done
    return done


def buyers_cancel(conn: psycopg.Connection, sandbox: Any, now: datetime, plan: PeriodPlan, tally: MerchantTally) -> int:
    """A few buyers cancel acknowledged orders: Jet asks the merchant to cancel every unit
    (a directed cancel), which ``jet_decide_orders`` answers on its next run.

    Called between ticks, so only orders the warehouse will not have shipped by the next
    tick are asked about: the answer never races a shipment of the same order.
    """
    step = timedelta(minutes=plan.step_minutes)
    if now + step > plan.end:
        return 0  # asked on the period's last tick, it would never be answered in the period
    since = now - plan.handling + step
    asked = 0
    for (order_id,) in execute(conn, "demo_cancel_candidates.sql", {"acknowledged_after": since}).fetchall():
        if order_id in tally.directed_cancels or plan.cancelled_after_ack(order_id) != "jet":
            continue
        sandbox.directed_cancel(order_id)
        tally.directed_cancels.add(order_id)
        asked += 1
    return asked


def cancel_some(conn: psycopg.Connection, client: Any, now: datetime, plan: PeriodPlan, tally: MerchantTally) -> int:
    """The operator cancels a few acknowledged orders the warehouse has not shipped yet
    (the buyer called, the address cannot be served, fraud), with ``jet_cancel_order``'s
    library call in a run of that DAG triggered by ``plan.operator``."""
    from jet.decisions.tasks import cancel
    from jet.runs import RunIdentity

    done = 0
    # ship_due ran first in this lane: what is still unshipped was acknowledged within the handling time.
    since = now - plan.handling
    for (order_id,) in execute(conn, "demo_cancel_candidates.sql", {"acknowledged_after": since}).fetchall():
        if plan.cancelled_after_ack(order_id) != "operator":
            continue
        # A manual run, as Airflow 3 triggers one: no logical date, its own run id.
        run = RunIdentity("jet_cancel_order", f"manual__{now.isoformat()}_{order_id}", now,
                          actor=plan.operator, has_logical_date=False)  # fmt: skip
        cancel(run, order_id, plan.operator_reason(order_id), client)
        done += 1
    tally.cancelled_by_operator += done
    return done
