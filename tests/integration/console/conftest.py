"""The console's read and plan functions against the real test warehouse, with orders
placed at the real sandbox and landed by the real ingestion (the fulfilment fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.integration.fulfillment.conftest import fdb, place, run_at, sandbox_now  # noqa: F401 - fixtures


@pytest.fixture
def cdb(fdb: psycopg.Connection) -> psycopg.Connection:  # noqa: F811 - the imported fixture
    """The fulfilment tables empty, and no inbox question left over."""
    fdb.execute("TRUNCATE jet.held_order_prompts")
    return fdb


@pytest.fixture
def shipped(sandbox: Any, place: Callable[..., list[str]], cdb: psycopg.Connection) -> Callable[..., str]:  # noqa: F811
    """An order with two lines, SKU-A shipped in part (2 of 3) with a tracking number, landed."""
    from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
    from jet.fulfillment.tasks import upload

    def _shipped(tracking: str = "1ZCONSOLE0001") -> str:
        (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 3, "base_price": 20.0}, {"merchant_sku": "SKU-B"}])
        record_shipment(
            cdb,
            run_at(sandbox, "jet_ship_order"),
            Shipment(
                oid,
                (ShipmentLine("SKU-A", 2),),
                carrier="UPS",
                shipping_method="UPS Ground",
                tracking_number=tracking,
                ship_date=sandbox_now(sandbox),
            ),
        )
        upload(run_at(sandbox, "jet_fulfillment"))
        return oid

    return _shipped
