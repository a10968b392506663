"""Task bodies for jet_returns and jet_complete_return."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.api.hook import JetHook
from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect

if TYPE_CHECKING:
    from jet.returns import Completion


def land(run: RunIdentity, client: Any = None) -> dict[str, Any]:
    """Land Jet's open returns and refresh the ones we hold as open."""
    from jet.returns import land_returns

    client = client or JetHook()
    with connect(autocommit=True) as conn:
        return land_returns(conn, client, run).as_xcom()


def auto_complete(run: RunIdentity, client: Any = None) -> dict[str, Any]:
    """Complete the returns the return policy always accepts."""
    from jet.returns import auto_complete as run_auto

    client = client or JetHook()
    with connect(autocommit=True) as conn:
        return run_auto(conn, client, run)


def deadlines(run: RunIdentity) -> dict[str, Any]:
    """Log open returns with their completion deadline; fail (the alert) when one is
    within hours of it. Counts for XCom otherwise."""
    from jet.returns import check_deadlines, counts

    with connect(autocommit=True) as conn:
        by_status = counts(conn)
        rows = check_deadlines(conn, run)
    return {"open": len(rows), "by_status": by_status}


def _money(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@fail_fast
def completion_from_params(params: dict[str, Any]) -> Completion:
    """jet_complete_return's Params → :class:`~jet.returns.Completion` (the DAG's task
    converts them before it calls :func:`complete`)."""
    from jet.returns import Completion, ReturnLineCredit

    return Completion(
        mode=params["decision"],
        deny_reason=params.get("deny_reason") or None,
        agree_to_return_charge=bool(params["agree_to_return_charge"]),
        charge_feedback=params.get("charge_feedback") or None,
        alt_return_authorization_id=params.get("rma_number") or None,
        lines=tuple(
            ReturnLineCredit(
                order_item_id=str(line["order_item_id"]),
                quantity_returned=line.get("quantity_returned"),
                refund_quantity=line.get("refund_quantity"),
                principal=_money(line.get("principal")),
                tax=_money(line.get("tax")),
                shipping_cost=_money(line.get("shipping_cost")),
                shipping_tax=_money(line.get("shipping_tax")),
                feedback=line.get("feedback") or None,
                notes=line.get("notes") or None,
            )
            for line in params.get("lines") or []
        ),
    )


@fail_fast
def complete(run: RunIdentity, return_id: str, completion: Completion, client: Any = None) -> dict[str, Any]:
    """Complete one return as ``completion`` says (jet_complete_return)."""
    from jet.returns import complete_return

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        return complete_return(conn, client, run, return_id, completion)
