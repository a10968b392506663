"""Task body for jet_print_invoice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from jet.fulfillment.tasks import _warehouse
from jet.runs import RunIdentity


def print_for(
    run: RunIdentity,
    merchant_order_ids: list[str] | None = None,
    placed_from: str | None = None,
    placed_to: str | None = None,
    pdf: bool = True,
) -> dict[str, Any]:
    """Print the invoices of the given orders, or of those placed between two UTC dates
    (inclusive)."""
    from jet.invoices import print_invoices, select_orders

    start = datetime.combine(date.fromisoformat(placed_from), time.min, UTC) if placed_from else None
    end = datetime.combine(date.fromisoformat(placed_to), time.min, UTC) + timedelta(days=1) if placed_to else None
    if not merchant_order_ids and (start is None or end is None):
        raise ValueError("give merchant_order_ids, or both placed_from and placed_to (dates)")
    if start and end and start >= end:
        raise ValueError(f"placed_from {placed_from} is after placed_to {placed_to}")
    with _warehouse() as conn:
        ids = select_orders(conn, merchant_order_ids, start, end)
        missing = sorted(set(merchant_order_ids or []) - set(ids))
        if missing:
            raise ValueError(f"orders not in the warehouse (import them with jet_import_order): {missing}")
        return print_invoices(conn, ids, run.observed_at, pdf=pdf)
