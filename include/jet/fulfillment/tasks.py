"""Task bodies for jet_fulfillment and jet_ship_order.

Kept out of the DAG files so those stay declarations, and so tests and the demo run
the same steps without a scheduler. ``client`` defaults to :class:`~jet.api.hook.JetHook`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from jet.api.hook import JetHook
from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect

if TYPE_CHECKING:
    from jet.fulfillment.shipments import Shipment


def _when(value: str | None, name: str) -> datetime | None:
    """An ISO-8601 time from a Param; a bare date or a time without zone is UTC."""
    if not value:
        return None
    from jet.api.models import parse_jet_datetime
    from jet.fulfillment.shipments import ShipmentRefused

    try:
        return parse_jet_datetime(value)
    except ValueError:
        raise ShipmentRefused(
            f"{name} {value[:40]!r} is not an ISO-8601 date or time (e.g. 2026-03-02T14:00:00Z)"
        ) from None


@fail_fast
def shipment_from_params(params: dict[str, Any], run: RunIdentity) -> Shipment:
    """jet_ship_order's Params → :class:`~jet.fulfillment.shipments.Shipment` (the DAG's
    task converts them before it calls :func:`record`). Raises
    :class:`~jet.fulfillment.shipments.ShipmentRefused`, without retries."""
    from jet.fulfillment.shipments import Shipment, ShipmentLine

    lines = tuple(
        ShipmentLine(
            merchant_sku=str(line["merchant_sku"]),
            quantity_shipped=int(line.get("quantity_shipped", 0) or 0),
            quantity_cancelled=int(line.get("quantity_cancelled", 0) or 0),
        )
        for line in params.get("lines") or []
    )
    cancel_only = bool(params.get("cancel_open_units"))
    return Shipment(
        merchant_order_id=params["merchant_order_id"],
        lines=lines,
        carrier=None if cancel_only else params.get("carrier") or None,
        shipping_method=None if cancel_only else params.get("shipping_method") or None,
        tracking_number=None if cancel_only else params.get("tracking_number") or None,
        # No ship date given: the parcel left at the run's time.
        ship_date=None if cancel_only else (_when(params.get("ship_date"), "ship_date") or run.observed_at),
        expected_delivery_date=_when(params.get("expected_delivery_date"), "expected_delivery_date"),
        ship_from_zip=params.get("ship_from_zip") or None,
        rma_number=params.get("rma_number") or None,
        days_to_return=params.get("days_to_return"),
        return_address=params.get("return_address") or None,
        cancel_open_units=cancel_only,
    )


@fail_fast
def record(run: RunIdentity, shipment: Shipment) -> dict[str, Any]:
    """Record one shipment request (jet_ship_order)."""
    from jet.fulfillment.shipments import record_shipment

    with connect(autocommit=True, actor=run.actor) as conn:
        return record_shipment(conn, run, shipment)


def upload(run: RunIdentity, client: Any = None) -> dict[str, Any]:
    """Upload every pending shipment of an acknowledged order, settle, confirm."""
    from jet.fulfillment.shipments import upload_pending

    client = client or JetHook()
    with connect(autocommit=True) as conn:
        return upload_pending(conn, client, run).as_xcom()
