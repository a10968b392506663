"""Fixtures for the fulfilment tests: a clean warehouse, orders placed at the sandbox,
landed by the real ingestion and acknowledged at Jet, and helpers that drive the real
steps over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from jet.runs import RunIdentity
from tests.integration.decisions.conftest import decisions_db, pull, refresh, seeded  # noqa: F401 - fixtures

FULFILMENT_TABLES = (
    "jet.action_attempts",
    "jet.actions",
    "jet.decision_lines",
    "jet.decisions",
    "jet.order_notes",
    "jet.shipment_request_lines",
    "jet.shipment_requests",
    "jet.return_items",
    "jet.returns",
    "jet.return_payloads",
    "jet.refund_items",
    "jet.refunds",
)


def sandbox_now(sandbox: Any) -> datetime:
    from jet.api.models import parse_jet_datetime

    return parse_jet_datetime(sandbox.now())


_TICKS = itertools.count()


def run_at(sandbox: Any, dag_id: str, offset: timedelta = timedelta(0)) -> RunIdentity:
    """A run identity stamped with the sandbox clock (the run's logical time). Each run
    is a second later than the one before: the sandbox clock is frozen, but a later
    run must never look older than an earlier one (loads keep the newest observation)."""
    when = sandbox_now(sandbox) + offset + timedelta(seconds=next(_TICKS))
    return RunIdentity(dag_id=dag_id, dag_run_id=f"test__{when:%Y%m%dT%H%M%S%f}", observed_at=when)


def acknowledge_at_jet(sandbox: Any, order_id: str) -> None:
    """Accept an order at the sandbox directly (the decisions' job, done here by hand)."""
    order = next(o["order"] for o in sandbox.truth_orders() if o["order"]["merchant_order_id"] == order_id)
    body = {
        "acknowledgement_status": "accepted",
        "order_items": [
            {"order_item_id": i["order_item_id"], "order_item_acknowledgement_status": "fulfillable"}
            for i in order["order_items"]
        ],
    }
    response = httpx.put(
        f"{sandbox.api_url}/orders/{order_id}/acknowledge",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.token()}"},
    )
    assert response.status_code in (200, 201, 204), response.text


def snapshot(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    from tests.helpers import table_checksums

    return table_checksums(conn, ("jet.orders", "jet.order_shipments", *FULFILMENT_TABLES))


@pytest.fixture
def fdb(clean_orders: psycopg.Connection) -> psycopg.Connection:
    """Empty order, outbox and fulfilment tables."""
    from jet.warehouse.scratch import empty

    empty(clean_orders, FULFILMENT_TABLES)
    return clean_orders


@pytest.fixture
def place(sandbox: Any, jet_connection: Any, fdb: psycopg.Connection) -> Callable[..., list[str]]:
    """Place orders with the given lines at the sandbox, land them, and (by default)
    acknowledge them at Jet and land that too. Returns the order ids."""
    from jet.orders.tasks import import_orders

    def _place(lines: list[dict[str, Any]], count: int = 1, acknowledge: bool = True) -> list[str]:
        ids = sandbox.generate_orders(count, status="ready", lines=lines)
        if acknowledge:
            for oid in ids:
                acknowledge_at_jet(sandbox, oid)
        import_orders(run_at(sandbox, "jet_import_order"), merchant_order_ids=ids)
        return ids

    return _place


def ship_ledger(sandbox: Any) -> list[dict[str, Any]]:
    return [e for e in sandbox.ledger() if e["kind"] == "shipped"]
