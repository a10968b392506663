"""Task body for jet_print_invoice."""

from __future__ import annotations

from typing import Any

from jet.dates import utc_day_range
from jet.failures import Refused, fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect


@fail_fast
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

    try:
        start, end = utc_day_range(placed_from, placed_to)
    except ValueError as exc:
        raise Refused(f"placed_from / placed_to: {exc}") from None
    if not merchant_order_ids and (start is None or end is None):
        raise Refused("give merchant_order_ids, or both placed_from and placed_to (dates)")
    with connect(autocommit=True) as conn:
        ids = select_orders(conn, merchant_order_ids, start, end)
        missing = sorted(set(merchant_order_ids or []) - set(ids))
        if missing:
            raise Refused(f"orders not in the warehouse (import them with jet_import_order): {missing}")
        return print_invoices(conn, ids, run.observed_at, pdf=pdf)
