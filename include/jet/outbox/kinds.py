"""The registry of action kinds: every kind of write the outbox sends to Jet.

Each :class:`ActionKind` says how to send an action (``send``), which read-back of Jet
shows whether it was applied (``readback``: the order, the return or the refund, read
in one batch per settle where Jet allows it), how to judge that read-back (``judge``),
whether the actions of one merchant order must go in order (``ordered``), and what to
record after an apply (``after_apply``). It also says what a kind does to the order, for
the views that tell an order's status and story: the internal status an acknowledgement
call gives it (``answer``), whether it can cancel units (``cancels_units``), who always
starts it (``started_by``) and which module holds the rule that queues it (``rule_in``).

This module is the one Python place that names the kinds; migrations 0040 and 0060 seed
``jet.action_kinds`` with the same rows (a test checks both agree), and SQL filters on
its columns instead of repeating names.

The catalog pushes (a SKU's stock, its price) are kinds too: an action on a SKU has no
merchant order, names the SKU as its subject, and is read back with Jet's GET of the
SKU's inventory or price.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.api.vocabulary import OPEN_ORDER_STATUSES, OrderStatus, ReturnStatus

if TYPE_CHECKING:
    import psycopg

    from jet.outbox.core import Action


class Verdict(enum.Enum):
    """What Jet's read-back says about one write."""

    APPLIED = "applied"  # Jet shows it: settled as applied, at any time
    ABSENT = "absent"  # Jet does not show it (yet): not applied once the quiet period passed
    GONE = "gone"  # Jet moved on: it can never apply (failed, once the quiet period passed)


@dataclass(frozen=True)
class ActionKind:
    """One kind of write to Jet (a row of ``jet.action_kinds``)."""

    name: str
    method: str
    path: str
    #: What ``jet.actions.subject`` names: ``order`` (no subject), ``shipment_request``, ``return``,
    #: ``refund``, ``sku`` (a merchant SKU: the action has no merchant order).
    subject: str
    #: The acknowledgement call: one per order, ever (accepted or rejected).
    acknowledgement: bool
    #: Actions of one merchant order of an ordered kind are sent one at a time, oldest first.
    ordered: bool
    description: str
    send: Callable[[Any, Action], Any]
    #: ``order`` (batched ``iter_orders``), ``return``, ``refund``, ``inventory`` or ``price`` (one GET each).
    readback: str
    judge: Callable[[Action, Any], tuple[Verdict, str | None]]
    validate: Callable[[Mapping[str, Any]], None]
    #: The module that queues writes of this kind: where the rule behind them lives.
    rule_in: str
    after_apply: Callable[[psycopg.Connection, Action, Any], None] | None = None
    #: An acknowledgement call: the internal status it gives the order (``acknowledged``,
    #: ``rejected``, ``cancelled``); what SQL reads instead of listing kind names.
    answer: str | None = None
    #: A shipped call, which can cancel units (directed cancel, operator's cancel, shipment).
    cancels_units: bool = False
    #: Who always starts this kind (``jet``, ``operator``); None when the queueing run tells.
    started_by: str | None = None

    def row(self) -> tuple[Any, ...]:
        """The ``jet.action_kinds`` row this kind stands for."""
        return (
            self.name, self.method, self.path, self.subject, self.acknowledgement, self.ordered, self.description,
            self.answer, self.cancels_units, self.started_by, self.rule_in,
        )  # fmt: skip


# ---------------------------------------------------------------------- senders


def _acknowledge(client: Any, action: Action) -> Any:
    return client.acknowledge(action.merchant_order_id, action.body)


def _ship(client: Any, action: Action) -> Any:
    return client.ship(action.merchant_order_id, action.body)


def _complete_return(client: Any, action: Action) -> Any:
    return client.complete_return(action.subject, action.body)


def _refund(client: Any, action: Action) -> Any:
    return client.create_refund(action.merchant_order_id, action.subject, action.body)


def _push_inventory(client: Any, action: Action) -> Any:
    from jet.api.models import InventoryUpdate

    return client.update_inventory(action.subject, InventoryUpdate.model_validate(action.body))


def _push_price(client: Any, action: Action) -> Any:
    from jet.api.models import PriceUpdate

    return client.update_price(action.subject, PriceUpdate.model_validate(action.body))


# ---------------------------------------------------------------------- judges


def _judge_acknowledgement(action: Action, order: Any) -> tuple[Verdict, str | None]:
    sent = action.body["acknowledgement_status"]
    echoed = order.acknowledgement_status
    status = str(order.status)
    if echoed == sent:
        return Verdict.APPLIED, None
    if echoed is None and status == OrderStatus.READY:
        return Verdict.ABSENT, "Jet shows the order still ready and unacknowledged"
    return Verdict.GONE, (
        f"Jet shows status {status!r}, acknowledgement_status {echoed!r}, exception_state "
        f"{order.exception_state!r}; we sent {sent!r}: it can no longer be applied"
    )


def _judge_shipped(action: Action, order: Any) -> tuple[Verdict, str | None]:
    ours = sorted({s["alt_shipment_id"] for s in action.body["shipments"]})
    if any(s.alt_shipment_id in ours for s in order.shipments):
        return Verdict.APPLIED, None
    status = str(order.status)
    if status in OPEN_ORDER_STATUSES:
        return Verdict.ABSENT, f"no shipment {', '.join(ours)} on the order at Jet"
    return Verdict.GONE, f"Jet shows the order {status!r} without shipment {', '.join(ours)}: it can no longer apply"


def _judge_return(action: Action, detail: Any) -> tuple[Verdict, str | None]:
    if detail.return_status == ReturnStatus.COMPLETED_BY_MERCHANT:
        return Verdict.APPLIED, None
    return Verdict.ABSENT, f"Jet shows the return {detail.return_status!r}"


def _judge_refund(action: Action, state: Any) -> tuple[Verdict, str | None]:
    # The read-back is GET /refunds/state/{alt_refund_id}: None when Jet answered 404.
    if state is None:
        return Verdict.ABSENT, f"Jet has no refund {action.subject}"
    return Verdict.APPLIED, None


def _judge_inventory(action: Action, held: Any) -> tuple[Verdict, str | None]:
    # The read-back is GET /merchant-skus/{sku}/inventory (quantity per node); None on 404.
    if held is None:
        return Verdict.GONE, f"Jet has no SKU {action.subject!r}"
    wanted = {str(n["fulfillment_node_id"]): int(n["quantity"]) for n in action.body["fulfillment_nodes"]}
    if held == wanted:
        return Verdict.APPLIED, None
    return Verdict.ABSENT, f"Jet shows quantities {held}, we pushed {wanted}"


def _judge_price(action: Action, held: Any) -> tuple[Verdict, str | None]:
    # The read-back is GET /merchant-skus/{sku}/price: (price, node prices); None on 404.
    if held is None:
        return Verdict.GONE, f"Jet has no SKU {action.subject!r}"
    price, nodes = held
    wanted_nodes = {
        str(n["fulfillment_node_id"]): Decimal(str(n["fulfillment_node_price"]))
        for n in action.body.get("fulfillment_nodes") or []
    }
    if price == Decimal(str(action.body["price"])) and nodes == wanted_nodes:
        return Verdict.APPLIED, None
    return Verdict.ABSENT, f"Jet shows price {price} {nodes or ''}, we pushed {action.body['price']}"


# ---------------------------------------------------------------------- validation and records


def _validator(model_name: str) -> Callable[[Mapping[str, Any]], None]:
    def validate(body: Mapping[str, Any]) -> None:
        from jet.api import models

        getattr(models, model_name).model_validate(body)

    return validate


def _record_refund(conn: psycopg.Connection, action: Action, result: Any) -> None:
    """Jet's refund authorization id and status, from the POST's answer or the read-back."""
    from jet.sql import read_sql

    if result is None:
        return
    conn.execute(
        read_sql("refunds_record_created.sql"),
        {
            "alt_refund_id": action.subject,
            "refund_authorization_id": result.refund_authorization_id,
            "refund_status": result.refund_status,
        },
    )


_ACK_PATH = "/orders/{order}/acknowledge"
_SHIPPED_PATH = "/orders/{order}/shipped"


_RULES = "include/jet/decisions/rules.py"


def _acknowledgement(name: str, answer: str, description: str) -> ActionKind:
    """A kind of acknowledgement call: PUT acknowledge, judged from the order's echoed status."""
    return ActionKind(
        name, "PUT", _ACK_PATH, "order", True, False, description,
        send=_acknowledge, readback="order", judge=_judge_acknowledgement, validate=_validator("AcknowledgeRequest"),
        rule_in=_RULES, answer=answer,
    )  # fmt: skip


def _shipped(name: str, subject: str, description: str, *, rule_in: str, started_by: str | None = None) -> ActionKind:
    """A kind of shipped call (ships or cancels units): ordered per order, judged from the
    order's echoed shipments (our alt_shipment_id)."""
    return ActionKind(
        name, "PUT", _SHIPPED_PATH, subject, False, True, description,
        send=_ship, readback="order", judge=_judge_shipped, validate=_validator("ShipRequest"),
        rule_in=rule_in, cancels_units=True, started_by=started_by,
    )  # fmt: skip


def _pushed(name: str, what: str, description: str) -> ActionKind:
    """A catalog push of one SKU's ``what`` (inventory, price): a PUT that replaces Jet's
    value, judged from Jet's GET of the same resource."""
    send, judge, model = {
        "inventory": (_push_inventory, _judge_inventory, "InventoryUpdate"),
        "price": (_push_price, _judge_price, "PriceUpdate"),
    }[what]
    return ActionKind(
        name, "PUT", f"/merchant-skus/{{subject}}/{what}", "sku", False, False, description,
        send=send, readback=what, judge=judge, validate=_validator(model), rule_in="include/jet/catalog/sync.py",
    )  # fmt: skip


KINDS: dict[str, ActionKind] = {
    k.name: k
    for k in (
        _acknowledgement("acknowledge", "acknowledged", "accept the order (acknowledgement_status accepted)"),
        _acknowledgement("reject", "rejected", "reject an order short of stock (rejected - item level error)"),
        _acknowledgement(
            "cancel", "cancelled",
            "reject an order that cannot ship at all, or an operator's cancel before acknowledgement",
        ),
        _shipped(
            "directed_cancel", "order", "cancel exactly the units Jet asked to cancel",
            rule_in="include/jet/decisions/store.py", started_by="jet",
        ),
        _shipped(
            "cancel_units", "order", "an operator cancels the open units of an acknowledged order",
            rule_in="include/jet/decisions/manual.py", started_by="operator",
        ),
        _shipped(
            "ship", "shipment_request", "upload one merchant shipment (jet.shipment_requests)",
            rule_in="include/jet/fulfillment/shipments.py",
        ),
        ActionKind(
            "complete_return", "PUT", "/returns/{subject}/complete", "return", False, False,
            "complete a return (full, partial or denied credit)",
            send=_complete_return, readback="return", judge=_judge_return,
            validate=_validator("CompleteReturnRequest"), rule_in="include/jet/returns/completion.py",
        ),
        ActionKind(
            "refund", "POST", "/refunds/{order}/{subject}", "refund", False, False,
            "a merchant refund under our alt_refund_id",
            send=_refund, readback="refund", judge=_judge_refund,
            validate=_validator("CreateRefundRequest"), after_apply=_record_refund,
            rule_in="include/jet/refunds/request.py",
        ),
        _pushed("push_inventory", "inventory", "push the sellable quantity of one SKU at every fulfillment node"),
        _pushed("push_price", "price", "push the price of one SKU (and its node prices)"),
    )
}  # fmt: skip

# Names other packages use, so no kind is spelled twice in Python.
(ACKNOWLEDGE, REJECT, CANCEL, DIRECTED_CANCEL, CANCEL_UNITS, SHIP, COMPLETE_RETURN, REFUND,
 PUSH_INVENTORY, PUSH_PRICE) = KINDS  # fmt: skip
#: The catalog pushes (actions on a SKU, with no merchant order).
CATALOG_PUSHES: tuple[str, ...] = tuple(n for n, k in KINDS.items() if k.subject == "sku")
#: The acknowledgement calls (one per order, ever).
ACKNOWLEDGEMENTS: tuple[str, ...] = tuple(n for n, k in KINDS.items() if k.acknowledgement)


def kind(name: str) -> ActionKind:
    """The registered kind ``name``; a clear error for anything else."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown action kind {name!r}; the outbox knows {', '.join(KINDS)}") from None


def kind_name(call: str, subject: str | None) -> str:
    """The readable ``jet.actions.kind``: ``acknowledge``, ``ship:17``, ``refund:JF-RF-...``."""
    return call if subject is None else f"{call}:{subject}"
