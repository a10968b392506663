"""Task bodies for jet_refund_order (and the refund refresh in jet_returns)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.api.hook import JetHook
from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect

if TYPE_CHECKING:
    from jet.refunds import RefundLine


def _money(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@fail_fast
def lines_from_params(lines: list[dict[str, Any]], reason: str, feedback: str | None) -> list[RefundLine]:
    """jet_refund_order's ``lines`` Param → :class:`~jet.refunds.RefundLine` (reason and
    feedback per line, defaulting to the run's); the DAG's task converts them before it
    calls :func:`post`."""
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
def post(
    run: RunIdentity,
    merchant_order_id: str,
    lines: Sequence[RefundLine],
    alt_refund_id: str | None = None,
    client: Any = None,
) -> dict[str, Any]:
    """Validate, record and post one refund of ``lines`` (jet_refund_order)."""
    from jet.refunds import request_refund

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        return request_refund(conn, client, run, merchant_order_id, lines, alt_refund_id)


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


def follow_refunds(run: RunIdentity, client: Any = None) -> dict[str, Any]:
    """Refresh the state of every undecided refund."""
    from jet.refunds import follow_refunds as follow

    client = client or JetHook()
    with connect(autocommit=True) as conn:
        seen = follow(conn, client, run)
    return {"read": len(seen), "statuses": seen}
