"""Operator actions of the order manager: what each asks of which manual DAG, and what
will reach Jet, shown to the operator before they confirm.

Each action is one existing manual DAG. :func:`plan` turns the order page's form into
that DAG's run conf and a preview of the calls Jet will receive, built with the same
functions the DAG's task uses (Params to shipment, refund lines, return completion;
Jet's request models), from the order as the warehouse last saw it. The DAG itself
re-reads Jet before writing, so the preview says what *will* be sent unless Jet has
changed the order meanwhile. Whatever the preview concludes, the DAG's own checks and
the outbox's constraints still decide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jet.api.vocabulary import CANCEL_REASONS, OPEN_ORDER_STATUSES, OrderStatus
from jet.decisions.acknowledgement import acknowledge_body, approval
from jet.decisions.rules import LineStatus
from jet.outbox.kinds import ACKNOWLEDGEMENTS
from jet.sql import execute, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.console.order import OrderView

__all__ = ["ACTIONS", "ActionRefused", "ActionSpec", "JetCall", "Plan", "plan"]


class ActionRefused(ValueError):
    """The form cannot become a run: a field is missing or wrong; the message says which."""


@dataclass(frozen=True)
class ActionSpec:
    name: str
    dag_id: str
    label: str
    sends_to_jet: bool


#: The order page's actions, each the manual DAG it triggers.
ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec("approve", "jet_approve_order", "Approve (acknowledge)", True),
        ActionSpec("cancel", "jet_cancel_order", "Cancel with a reason", True),
        ActionSpec("ship", "jet_ship_order", "Ship with tracking", True),
        ActionSpec("complete_return", "jet_complete_return", "Accept or deny a return", True),
        ActionSpec("refund", "jet_refund_order", "Refund", True),
        ActionSpec("note", "jet_add_order_note", "Add a note", False),
        ActionSpec("invoice", "jet_print_invoice", "Print the invoice", False),
        ActionSpec("retry", "jet_retry_action", "Re-queue a failed write", True),
    )
}


@dataclass(frozen=True)
class JetCall:
    method: str
    path: str
    body: dict[str, Any]
    when: str = "when the run starts"

    @property
    def body_json(self) -> str:
        return json.dumps(self.body, indent=2, sort_keys=False, default=str)


@dataclass(frozen=True)
class Plan:
    action: str
    dag_id: str
    merchant_order_id: str
    conf: dict[str, Any]
    summary: str
    effects: tuple[str, ...] = ()
    jet_calls: tuple[JetCall, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def conf_json(self) -> str:
        return json.dumps(self.conf, sort_keys=True, default=str)


# ---------------------------------------------------------------------- form helpers


def _text(form: Mapping[str, str], name: str) -> str | None:
    """An optional field, stripped; None when blank."""
    return (form.get(name) or "").strip() or None


def _required(form: Mapping[str, str], name: str, what: str) -> str:
    """A field the action cannot do without."""
    value = _text(form, name)
    if value is None:
        raise ActionRefused(f"{what} is required")
    return value


def _count(form: Mapping[str, str], name: str, what: str) -> int:
    raw = (form.get(name) or "").strip()
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise ActionRefused(f"{what}: {raw!r} is not a whole number of units") from None
    if value < 0:
        raise ActionRefused(f"{what}: {value} is negative")
    return value


def _order_detail(conn: psycopg.Connection, merchant_order_id: str) -> Any:
    """The order as last landed, as Jet's model (what the DAG will re-read from Jet)."""
    from jet.api.models import OrderDetail

    row = conn.execute(read_sql("console_order_payload.sql"), {"merchant_order_id": merchant_order_id}).fetchone()
    if row is None:
        raise ActionRefused(f"order {merchant_order_id} has no landed payload")
    return OrderDetail.model_validate(row[0])


# ---------------------------------------------------------------------- one planner per action


def _approve(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    oid = order.header.merchant_order_id
    warnings: list[str] = []
    if not order.is_held:
        warnings.append(
            f"the order is {order.header.internal_status} at Jet status {order.header.jet_status}: "
            "only held, ready orders can be approved, so the run will refuse it"
        )
    lines = order.decision.lines if order.decision else ()
    body = acknowledge_body(approval(line.order_item_id for line in (lines or order.lines)))
    short = [f"{line.merchant_sku} ({line.reason})" for line in lines if line.status != LineStatus.FULFILLABLE]
    if short:
        warnings.append("the rules found these lines short; approving accepts them anyway: " + ", ".join(short))
    return Plan(
        "approve", ACTIONS["approve"].dag_id, oid, {"merchant_order_id": oid},
        f"Acknowledge order {order.header.reference_order_id}: accept every line",
        effects=("Jet is told the order is accepted; its units become promised stock",),
        jet_calls=(JetCall("PUT", f"/orders/{oid}/acknowledge", body),),
        warnings=tuple(warnings),
    )  # fmt: skip


def _cancel(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    # The very functions jet_cancel_order sends with: the preview cannot drift from it.
    from jet.decisions.manual import open_units, open_units_cancel_body, rejection_body

    oid = order.header.merchant_order_id
    reason = _required(form, "reason", "a reason")
    if reason not in CANCEL_REASONS:
        raise ActionRefused(f"reason must be one of {', '.join(CANCEL_REASONS)}, not {reason!r}")
    detail = _order_detail(conn, oid)
    status = str(detail.status)
    calls: tuple[JetCall, ...] = ()
    effects: tuple[str, ...] = ()
    warnings: list[str] = []
    if status == OrderStatus.READY:
        calls = (JetCall("PUT", f"/orders/{oid}/acknowledge", rejection_body(detail, reason)),)
        effects = ("the order is rejected before acknowledgement: Jet gives it back to the customer",)
        if any(a.kind in ACKNOWLEDGEMENTS for a in order.actions):
            warnings.append("the order already has an acknowledgement call: Jet allows one, so the run will refuse")
    else:
        still_open, shipped = open_units(detail)
        if status in OPEN_ORDER_STATUSES and still_open:
            calls = (JetCall("PUT", f"/orders/{oid}/shipped", open_units_cancel_body(oid, still_open)),)
            effects = (
                f"{sum(still_open.values())} open unit(s) are cancelled at Jet "
                f"({', '.join(f'{qty} x {sku}' for sku, qty in sorted(still_open.items()))})",
            )
            if shipped:
                warnings.append(f"shipped units stay shipped ({shipped}); refund them instead")
        else:
            warnings.append(f"Jet shows the order {status} with nothing open to cancel: the run will refuse it")
    return Plan(
        "cancel", ACTIONS["cancel"].dag_id, oid, {"merchant_order_id": oid, "reason": reason},
        f"Cancel order {order.header.reference_order_id} ({reason})", effects=effects, jet_calls=calls,
        warnings=tuple(warnings),
    )  # fmt: skip


def _ship(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str, now: datetime) -> Plan:
    from jet.fulfillment.shipments import ShipmentRefused, ship_body, validate, warehouse_units
    from jet.fulfillment.tasks import shipment_from_params
    from jet.runs import RunIdentity

    oid = order.header.merchant_order_id
    per_sku: dict[str, list[int]] = {}
    for line in order.lines:
        units = per_sku.setdefault(line.merchant_sku, [0, 0])
        units[0] += _count(form, f"ship:{line.order_item_id}", f"units to ship of {line.merchant_sku}")
        units[1] += _count(form, f"cancel:{line.order_item_id}", f"units to cancel of {line.merchant_sku}")
    lines = [
        {"merchant_sku": sku, "quantity_shipped": s, "quantity_cancelled": c}
        for sku, (s, c) in per_sku.items()
        if s or c
    ]
    if not lines:
        raise ActionRefused("give the units to ship (or cancel) on at least one line")
    ships = any(line["quantity_shipped"] for line in lines)
    conf: dict[str, Any] = {"merchant_order_id": oid, "lines": lines}
    if ships:
        conf["carrier"] = _required(form, "carrier", "the carrier")
        conf["shipping_method"] = _text(form, "shipping_method")
        conf["tracking_number"] = _required(form, "tracking_number", "the tracking number")
        conf["ship_from_zip"] = _text(form, "ship_from_zip")
    conf = {k: v for k, v in conf.items() if v is not None}
    run = RunIdentity(dag_id=ACTIONS["ship"].dag_id, dag_run_id=None, observed_at=now, actor=user)
    try:
        checked = validate(shipment_from_params(conf, run), warehouse_units(conn, oid))
        body = ship_body(checked, "(our id, given when recorded)")
    except ShipmentRefused as exc:
        raise ActionRefused(str(exc)) from None
    moved = ", ".join(
        f"{line['merchant_sku']}: {line['quantity_shipped']} shipped, {line['quantity_cancelled']} cancelled"
        for line in lines
    )
    warnings = []
    if order.header.jet_status == OrderStatus.READY:
        warnings.append("the order is not acknowledged yet: the shipment waits until it is")
    return Plan(
        "ship", ACTIONS["ship"].dag_id, oid, conf,
        f"Record a shipment of order {order.header.reference_order_id}: {moved}",
        effects=("the shipment is recorded now; jet_fulfillment uploads it within 10 minutes and confirms it",),
        jet_calls=(JetCall("PUT", f"/orders/{oid}/shipped", body, when="by the next jet_fulfillment run"),),
        warnings=tuple(warnings),
    )  # fmt: skip


def _complete_return(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    from jet.api.models import ReturnDetail
    from jet.returns import ReturnRefused, completion_body
    from jet.returns.tasks import completion_from_params

    return_id = _required(form, "return_id", "the return")
    row = conn.execute(read_sql("console_return_payload.sql"), {"return_id": return_id}).fetchone()
    if row is None or row[1] != order.header.merchant_order_id:
        raise ActionRefused(f"return {return_id} is not a return of order {order.header.merchant_order_id}")
    detail = ReturnDetail.model_validate(row[0])
    decision = _required(form, "decision", "accept or deny")
    conf: dict[str, Any] = {
        "merchant_return_authorization_id": return_id,
        "decision": decision,
        "agree_to_return_charge": form.get("agree_to_return_charge") in ("on", "true", "1"),
    }
    if decision == "deny":
        conf["deny_reason"] = _required(form, "deny_reason", "the reason to deny credit")
    if not conf["agree_to_return_charge"]:
        conf["charge_feedback"] = _required(form, "charge_feedback", "why the charge is disputed")
    lines = []
    if decision == "accept":
        for item in detail.return_merchant_skus:
            asked = form.get(f"refund_qty:{item.order_item_id}")
            if asked is None or not asked.strip():
                continue
            qty = _count(form, f"refund_qty:{item.order_item_id}", f"units to refund of {item.merchant_sku}")
            line: dict[str, Any] = {"order_item_id": item.order_item_id, "refund_quantity": qty}
            feedback = _text(form, f"feedback:{item.order_item_id}")
            if feedback:
                line["feedback"] = feedback
            lines.append(line)
    if lines:
        conf["lines"] = lines
    try:
        body = completion_body(detail, completion_from_params({"lines": [], **conf}))
    except ReturnRefused as exc:
        raise ActionRefused(str(exc)) from None
    verb = "Accept" if decision == "accept" else "Deny credit for"
    return Plan(
        "complete_return", ACTIONS["complete_return"].dag_id, order.header.merchant_order_id, conf,
        f"{verb} return {detail.reference_return_authorization_id or return_id}",
        effects=("the return is completed at Jet (once: Jet takes one completion per return)",),
        jet_calls=(JetCall("PUT", f"/returns/{return_id}/complete", body),),
    )  # fmt: skip


def _refund(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    from jet.refunds import RefundRefused, build_body
    from jet.refunds.tasks import lines_from_params

    oid = order.header.merchant_order_id
    reason = _required(form, "refund_reason", "a refund reason")
    feedback = _text(form, "refund_feedback")
    lines = [
        {"order_item_id": line.order_item_id, "quantity": qty}
        for line in order.lines
        if (qty := _count(form, f"refund:{line.order_item_id}", f"units to refund of {line.merchant_sku}"))
    ]
    if not lines:
        raise ActionRefused("give the units to refund on at least one line")
    conf: dict[str, Any] = {"merchant_order_id": oid, "lines": lines, "reason": reason}
    if feedback:
        conf["feedback"] = feedback
    already: dict[str, int] = dict(execute(conn, "refunds_already.sql", {"merchant_order_id": oid}).fetchall())
    try:
        body, rows = build_body(_order_detail(conn, oid), lines_from_params(lines, reason, feedback), already)
    except RefundRefused as exc:
        raise ActionRefused(str(exc)) from None
    total = sum(r["principal"] + r["tax"] + r["shipping_cost"] + r["shipping_tax"] for r in rows)
    return Plan(
        "refund", ACTIONS["refund"].dag_id, oid, conf,
        f"Refund {sum(r['quantity'] for r in rows)} unit(s) of order {order.header.reference_order_id}: {total} USD",
        effects=("the refund is recorded, posted to Jet, and followed until Jet accepts or rejects it",),
        jet_calls=(JetCall("POST", f"/refunds/{oid}/(our refund id, given by the run)", body),),
    )  # fmt: skip


def _note(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    oid = order.header.merchant_order_id
    text = _required(form, "text", "the note's text")
    return Plan(
        "note", ACTIONS["note"].dag_id, oid, {"merchant_order_id": oid, "author": user, "text": text},
        f"Add a note to order {order.header.reference_order_id}",
        effects=(f"a dated note by {user} is appended to the order's history (notes cannot be changed or deleted)",),
    )  # fmt: skip


def _invoice(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    oid = order.header.merchant_order_id
    return Plan(
        "invoice", ACTIONS["invoice"].dag_id, oid, {"merchant_order_ids": [oid], "pdf": True},
        f"Print the invoice of order {order.header.reference_order_id}",
        effects=("the invoice is written as HTML and PDF into the invoices folder (JET_OUTPUT_DIR)",),
    )  # fmt: skip


def _retry(conn: psycopg.Connection, order: OrderView, form: Mapping[str, str], user: str) -> Plan:
    raw = _required(form, "action_id", "the write to re-queue")
    try:
        action_id = int(raw or "")
    except ValueError:
        raise ActionRefused(f"action id {raw!r} is not a number") from None
    row = conn.execute(read_sql("console_action_of_order.sql"), {"action_id": action_id}).fetchone()
    if row is None or row[1] != order.header.merchant_order_id:
        raise ActionRefused(f"write {action_id} is not one of order {order.header.merchant_order_id}'s")
    _, oid, kind, state, attempts, error = row
    warnings = [] if state == "failed" else [f"the write is {state}, not failed: the run may refuse to re-queue it"]
    return Plan(
        "retry", ACTIONS["retry"].dag_id, oid, {"action_id": action_id},
        f"Re-queue write {action_id} ({kind}, {state} after {attempts} attempt(s))",
        effects=(f"the outbox sends {kind} again after settling it with Jet; last error: {error or '-'}",),
        warnings=tuple(warnings),
    )  # fmt: skip


def plan(
    conn: psycopg.Connection, action: str, order: OrderView, form: Mapping[str, str], user: str, now: datetime
) -> Plan:
    """The run conf and Jet preview of ``action`` on ``order`` from the page's form.
    Raises :class:`ActionRefused` when the form is incomplete or the action impossible."""
    if action not in ACTIONS:
        raise ActionRefused(f"no action {action!r}; actions: {', '.join(ACTIONS)}")
    if action == "ship":
        return _ship(conn, order, form, user, now)
    planner = {
        "approve": _approve,
        "cancel": _cancel,
        "complete_return": _complete_return,
        "refund": _refund,
        "note": _note,
        "invoice": _invoice,
        "retry": _retry,
    }[action]
    return planner(conn, order, form, user)
