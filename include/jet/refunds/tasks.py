"""Task bodies for jet_refund_order (and the refund refresh in jet_returns)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jet.api.hook import JetHook
from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect


def _money(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def lines_from_params(lines: list[dict[str, Any]], reason: str, feedback: str | None) -> list[Any]:
    """jet_refund_order's ``lines`` Param → :class:`~jet.refunds.RefundLine` (reason and
    feedback per line, defaulting to the run's)."""
    from jet.refunds import RefundLine

    return [
        RefundLine(
            order_item_id=str(line["order_item_id"]),
            quantity=int(line["quantity"]),
            reason=line.get("reason") or reason,
            feedback=line.get("feedback") or feedback or None,
            principal=_money(line.get("principal")),
            tax=_money(line.get("tax")),
            shipping_cost=_money(line.get("shipping_cost")),
            shipping_tax=_money(line.get("shipping_tax")),
            quantity_returned=line.get("quantity_returned"),
            notes=line.get("notes") or None,
        )
        for line in lines
    ]


@fail_fast
def post(run: RunIdentity, params: dict[str, Any], client: Any = None) -> dict[str, Any]:
    """Validate, record and post the refund of jet_refund_order's Params."""
    from jet.refunds import request_refund

    client = client or JetHook()
    lines = lines_from_params(params["lines"], params["reason"], params.get("feedback"))
    with connect(autocommit=True, actor=run.actor) as conn:
        return request_refund(
            conn, client, run, params["merchant_order_id"], lines, params.get("alt_refund_id") or None
        )


def follow(run: RunIdentity, alt_refund_ids: list[str] | None = None, client: Any = None) -> dict[str, Any]:
    """Read undecided refunds' state from Jet; ``final`` once all given ones are decided."""
    from jet.refunds import follow_refunds, is_final

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        from jet.sql import read_sql

        seen = follow_refunds(conn, client, run, alt_refund_ids)
        if alt_refund_ids is not None:
            rows = conn.execute(read_sql("refunds_statuses.sql"), {"alt_refund_ids": alt_refund_ids}).fetchall()
            seen = {alt: status for alt, status in rows}
    return {"statuses": seen, "final": all(is_final(s) for s in seen.values())}
