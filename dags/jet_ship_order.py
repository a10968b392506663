"""
### Record a shipment (or a cancellation) for an order

What the merchant's warehouse shipped: the order, the carrier and method (from Jet's
lists), the tracking number, the ship date, the ship-from ZIP, and per SKU the units
shipped and the units cancelled. Optional RMA number, days to return and return
address travel with the shipped units.

- **lines** empty: every unit still open on the order ships (or, with
  **cancel_open_units**, is cancelled: a cancellation-only shipment).
- Refused, with a message, when the order is unknown or complete, a SKU is not on
  it, more units would move than are open, or the carrier / method is not Jet's.

Only *records* the shipment (`jet.shipment_requests`); `jet_fulfillment` uploads it
within 10 minutes once Jet shows the order acknowledged, and confirms it.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from jet.dag_defaults import START_DATE, default_args
from jet.dag_params import jet_id_param


@dag(
    dag_id="jet_ship_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,  # recordings of one order are serialised by a row lock
    # A refused shipment is refused again: one retry covers a lost database connection.
    default_args=default_args(retries=1),
    tags=["jet", "fulfillment", "manual"],
    doc_md=__doc__,
    params={
        "merchant_order_id": jet_id_param(),
        "lines": Param(
            [],
            type="array",
            title="Lines",
            description="Per SKU: units shipped and units cancelled. Empty = every open unit.",
            items={
                "type": "object",
                "properties": {
                    "merchant_sku": {"type": "string", "minLength": 1},
                    "quantity_shipped": {"type": "integer", "minimum": 0},
                    "quantity_cancelled": {"type": "integer", "minimum": 0},
                },
                "required": ["merchant_sku"],
                "additionalProperties": False,
            },
        ),
        "cancel_open_units": Param(False, type="boolean", title="Cancel (not ship) the open units"),
        "carrier": Param(
            None, type=["null", "string"], title="Carrier", description="One of Jet's carriers, e.g. UPS."
        ),
        "shipping_method": Param(
            None, type=["null", "string"], title="Shipping method", description="e.g. UPS Ground."
        ),
        "tracking_number": Param(None, type=["null", "string"], title="Tracking number"),
        "ship_date": Param(None, type=["null", "string"], title="Ship date (ISO-8601; default: now)"),
        "expected_delivery_date": Param(None, type=["null", "string"], title="Expected delivery (ISO-8601)"),
        "ship_from_zip": Param(None, type=["null", "string"], pattern="^[0-9]{5}(-[0-9]{4})?$", title="Ship-from ZIP"),
        "rma_number": Param(None, type=["null", "string"], title="RMA number"),
        "days_to_return": Param(None, type=["null", "integer"], minimum=0, title="Days to return"),
        "return_address": Param(
            None,
            type=["null", "object"],
            title="Return address",
            description='{"address1", "address2", "city", "state", "zip_code"}',
        ),
    },
)
def jet_ship_order() -> None:
    @task(multiple_outputs=False)
    def record_shipment(**context) -> dict:
        from jet.fulfillment.tasks import record
        from jet.runs import run_identity

        return record(run_identity(context), dict(context["params"]))

    record_shipment()


jet_ship_order()
