"""Returns: land Jet's returns, complete them (accept in full or in part, or deny
credit), auto-complete what the return policy always accepts, track deadlines.

* :func:`land_returns` lists Jet's open returns (``created``, ``inprogress``) plus every
  return the warehouse still holds as open, fetches each, lands the raw payload
  (``jet.return_payloads``) and the typed rows (``jet.returns``, ``jet.return_items``);
  an invalid payload (or one the database refuses) goes to ``jet.quarantine`` (kind
  ``return``), one Jet will not serve to ``jet.unreadable``, and the rest flow on.
* :func:`complete_return` builds the completion from a :class:`Completion`, checks it
  against the return as Jet shows it now, and applies it through the outbox
  (:func:`jet.outbox.apply_now`, one completion per return, ever): committed before the
  call, settled by re-reading the return when the outcome is unknown.
* :func:`auto_complete` completes, in full, the open returns the policy
  (``jet.current_return_policy``) always accepts.
* :func:`at_risk` lists open returns with their completion deadline
  (``return_date`` + the policy's ``complete_within_hours``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.api.errors import JetHttpError
from jet.failures import PermanentError
from jet.outbox.kinds import COMPLETE_RETURN
from jet.sql import MissingRow, one, read_sql
from jet.warehouse.landing import (
    UNREADABLE_ERRORS,
    OutageWatch,
    known_unreadable,
    land_or_quarantine,
    parse_or_quarantine,
    record_read_again,
    record_unreadable,
    take_turn,
)

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import ReturnDetail
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

OPEN_STATUSES = ("created", "inprogress")
COMPLETED = "completed by merchant"
ZERO = Decimal("0.00")


class ReturnRefused(PermanentError, ValueError):
    """The completion cannot be made as asked; the message says why."""


# ---------------------------------------------------------------------- landing


def fetch_raw(client: Any, return_id: str) -> bytes:
    """The return's body exactly as Jet served it (GET, retried by the hook)."""
    return client.get_return_raw(return_id)


def _rows(detail: ReturnDetail) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = {
        "id": detail.merchant_return_authorization_id,
        "reference_return_authorization_id": detail.reference_return_authorization_id,
        "alt_return_authorization_id": detail.alt_return_authorization_id,
        "merchant_order_id": detail.merchant_order_id,
        "reference_order_id": detail.reference_order_id,
        "alt_order_id": detail.alt_order_id,
        "return_status": detail.return_status,
        "refund_without_return": bool(detail.refund_without_return),
        "return_date": detail.return_date,
        "shipping_carrier": detail.shipping_carrier,
        "tracking_number": detail.tracking_number,
        "merchant_return_charge": detail.merchant_return_charge,
        "agree_to_return_charge": detail.agree_to_return_charge,
        "return_charge_feedback": detail.return_charge_feedback,
        "completed_at": detail.completed_date,
    }
    granted = {i.order_item_id: i for i in detail.items}
    items = []
    for sku in detail.return_merchant_skus:
        g = granted.pop(sku.order_item_id, None)
        req, got = sku.requested_refund_amount, g.refund_amount if g else None
        items.append(
            {
                "id": detail.merchant_return_authorization_id,
                "order_item_id": sku.order_item_id,
                "merchant_sku": sku.merchant_sku,
                "title": sku.merchant_sku_title,
                "return_quantity": sku.return_quantity,
                "reason": sku.reason,
                "requested_principal": req.principal if req else None,
                "requested_tax": req.tax if req else None,
                "requested_shipping_cost": req.shipping_cost if req else None,
                "requested_shipping_tax": req.shipping_tax if req else None,
                "quantity_returned": g.total_quantity_returned if g else None,
                "refund_quantity": g.order_return_refund_qty if g else None,
                "refund_feedback": g.return_refund_feedback if g else None,
                "notes": g.notes if g else None,
                "refund_principal": got.principal if got else None,
                "refund_tax": got.tax if got else None,
                "refund_shipping_cost": got.shipping_cost if got else None,
                "refund_shipping_tax": got.shipping_tax if got else None,
            }
        )
    for g in granted.values():  # granted lines Jet did not list as requested (should not happen)
        got = g.refund_amount
        items.append(
            {
                "id": detail.merchant_return_authorization_id,
                "order_item_id": g.order_item_id,
                "merchant_sku": None,
                "title": None,
                "return_quantity": g.total_quantity_returned or 0,
                "reason": None,
                "requested_principal": None,
                "requested_tax": None,
                "requested_shipping_cost": None,
                "requested_shipping_tax": None,
                "quantity_returned": g.total_quantity_returned,
                "refund_quantity": g.order_return_refund_qty,
                "refund_feedback": g.return_refund_feedback,
                "notes": g.notes,
                "refund_principal": got.principal if got else None,
                "refund_tax": got.tax if got else None,
                "refund_shipping_cost": got.shipping_cost if got else None,
                "refund_shipping_tax": got.shipping_tax if got else None,
            }
        )
    return head, items


@dataclass
class LandReceipt:
    """What one landing of returns did (XCom). Every return listed ends loaded,
    quarantined (``refused`` of them by the database) or ``unreadable``."""

    listed: int = 0
    loaded: int = 0
    changed: int = 0
    new: int = 0
    quarantined: int = 0
    refused: int = 0
    unreadable: int = 0

    def as_xcom(self) -> dict[str, int]:
        return dict(self.__dict__)


def land_returns(
    conn: psycopg.Connection, client: Any, run: RunIdentity, ids: Sequence[str] | None = None
) -> LandReceipt:
    """Fetch and land Jet's open returns and the ones we hold as open (or ``ids``).

    One bad return never stops the others: a body that is invalid (or another return's)
    is quarantined with its raw body, one the database refuses is quarantined with the
    database's reason (each return lands in its own savepoint), one Jet will not serve is
    recorded in ``jet.unreadable``. Landings of returns take turns.
    """
    if ids is None:
        listed: list[str] = []
        for status in OPEN_STATUSES:
            listed += client.list_returns(status)
        listed += [r[0] for r in conn.execute(read_sql("returns_open_ids.sql"))]
        ids = list(dict.fromkeys(listed))
    receipt = LandReceipt(listed=len(ids))
    batch_key = f"{run.run_key}/returns"
    known = known_unreadable(conn, "return", ids)
    failing = OutageWatch(known, "return")
    fetched: list[tuple[str, bytes]] = []
    failures: list[tuple[str, JetHttpError]] = []
    for rid in [i for i in ids if i not in known] + [i for i in ids if i in known]:
        try:
            fetched.append((rid, fetch_raw(client, rid)))
            failure = None
        except UNREADABLE_ERRORS as failure_:  # a 404 too: Jet no longer serves it
            failure = failure_
            failures.append((rid, failure))
        if failing.saw(rid, failure):
            break
    receipt.unreadable = len(failures)
    with conn.transaction(), conn.cursor() as cur:
        take_turn(cur, "jet.returns")
        for rid, raw in fetched:
            outcome = _land_one(conn, cur, rid, raw, run, batch_key)
            if isinstance(outcome, str):
                receipt.quarantined += 1
                receipt.refused += outcome == "refused"
                continue
            receipt.loaded += 1
            _, written = outcome
            if written is None:
                continue  # same payload as last time: nothing to change
            receipt.changed += 1
            receipt.new += 1 if written else 0
        record_unreadable(cur, "return", failures, run.observed_at, batch_key)
        record_read_again(cur, "return", [rid for rid, _ in fetched], run.observed_at)
        # Each return opened or moved on is noted on its order by the table's trigger (0056).
    log.info("returns: %s", receipt.as_xcom())
    failing.check(f"{receipt.loaded} returns landed, {receipt.unreadable} recorded unreadable")
    return receipt


def _land_one(
    conn: psycopg.Connection, cur: psycopg.Cursor, rid: str, raw: bytes, run: RunIdentity, batch_key: str
) -> tuple[ReturnDetail, bool | None] | str:
    """Land one return body: ``(detail, inserted)`` (``inserted`` None when unchanged), or
    ``"quarantined"`` / ``"refused"`` when it was kept aside."""
    from jet.api.models import ReturnDetail

    stamps: dict[str, Any] = {"observed_at": run.observed_at, "batch_key": batch_key}
    detail, _ = parse_or_quarantine(cur, ReturnDetail, "return", rid, "merchant_return_authorization_id", raw, **stamps)
    if detail is None:
        return "quarantined"
    digest = hashlib.sha256(raw).hexdigest()
    head, items = _rows(detail)

    def write() -> bool | None:
        cur.execute(
            read_sql("returns_payload_upsert.sql"),
            {"id": rid, "payload_hash": digest, "payload": raw.decode("utf-8"), "observed_at": run.observed_at},
        )
        written = cur.execute(
            read_sql("returns_upsert.sql"), {**head, "payload_hash": digest, "observed_at": run.observed_at}
        ).fetchone()
        if written is None:
            return None
        cur.executemany(read_sql("returns_item_upsert.sql"), items)
        return bool(written[1])

    inserted, refused = land_or_quarantine(conn, cur, write, kind="return", object_id=rid, raw=raw, **stamps)
    return "refused" if refused else (detail, inserted)


# ---------------------------------------------------------------------- completion


@dataclass(frozen=True)
class LineDecision:
    """What we grant on one returned line; omitted values default to what was requested."""

    order_item_id: str
    quantity_returned: int | None = None
    refund_quantity: int | None = None
    principal: Decimal | None = None
    tax: Decimal | None = None
    shipping_cost: Decimal | None = None
    shipping_tax: Decimal | None = None
    feedback: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Completion:
    """How to complete a return.

    ``mode``: ``accept`` (full refund, lines may lower it: partial), or ``deny`` (no
    credit; ``deny_reason`` from Jet's return-refund feedback list is required).
    ``agree_to_return_charge`` False needs ``charge_feedback`` (Jet's ChargeFeedback).
    """

    mode: str = "accept"
    lines: tuple[LineDecision, ...] = ()
    deny_reason: str | None = None
    agree_to_return_charge: bool = True
    charge_feedback: str | None = None
    alt_return_authorization_id: str | None = None


def completion_body(detail: ReturnDetail, completion: Completion) -> dict[str, Any]:  # noqa: C901 (split by the outbox work, which is splitting returns/)
    """Jet's complete-return body for ``completion``, checked against the return.
    Raises :class:`ReturnRefused`."""
    from jet.api.models import CHARGE_FEEDBACK, RETURN_REFUND_FEEDBACK, CompleteReturnRequest

    if completion.mode not in ("accept", "deny"):
        raise ReturnRefused(f"mode must be accept or deny, not {completion.mode!r}")
    if completion.mode == "deny" and not completion.deny_reason:
        raise ReturnRefused(f"denying credit needs a reason, one of: {', '.join(RETURN_REFUND_FEEDBACK)}")
    if not completion.agree_to_return_charge and not completion.charge_feedback:
        raise ReturnRefused(f"disputing the return charge needs a reason, one of: {', '.join(CHARGE_FEEDBACK)}")
    requested = {s.order_item_id: s for s in detail.return_merchant_skus}
    given = {line.order_item_id: line for line in completion.lines}
    unknown = sorted(set(given) - set(requested))
    if unknown:
        raise ReturnRefused(
            f"line(s) {', '.join(unknown)} are not part of return {detail.merchant_return_authorization_id}"
        )
    items = []
    for item_id, sku in requested.items():
        line = given.get(item_id, LineDecision(item_id))
        req = sku.requested_refund_amount
        asked = {
            "principal": (req.principal if req else ZERO) or ZERO,
            "tax": (req.tax if req else ZERO) or ZERO,
            "shipping_cost": (req.shipping_cost if req else ZERO) or ZERO,
            "shipping_tax": (req.shipping_tax if req else ZERO) or ZERO,
        }
        returned = sku.return_quantity if line.quantity_returned is None else line.quantity_returned
        if completion.mode == "deny":
            qty = 0 if line.refund_quantity is None else line.refund_quantity
            amounts = {k: Decimal(0) for k in asked}
            feedback = line.feedback or completion.deny_reason
        else:
            qty = sku.return_quantity if line.refund_quantity is None else line.refund_quantity
            # Fewer units refunded: the requested amounts scale down unless given.
            amounts = {
                k: (v * qty / sku.return_quantity if sku.return_quantity else ZERO).quantize(Decimal("0.01"))
                if getattr(line, k) is None
                else Decimal(str(getattr(line, k)))
                for k, v in asked.items()
            }
            feedback = line.feedback
        if returned > sku.return_quantity:
            raise ReturnRefused(
                f"line {item_id}: {returned} units received but the return is for {sku.return_quantity}"
            )
        if qty > sku.return_quantity:
            raise ReturnRefused(f"line {item_id}: refunding {qty} units but the return is for {sku.return_quantity}")
        if qty > returned and not detail.refund_without_return:
            raise ReturnRefused(f"line {item_id}: refunding {qty} units but only {returned} came back")
        for k, v in amounts.items():
            if v < 0 or v > asked[k]:
                raise ReturnRefused(f"line {item_id}: {k} {v} must be between 0 and the {asked[k]} requested")
        less = qty < sku.return_quantity or sum(amounts.values()) < sum(asked.values())
        if less and not feedback:
            raise ReturnRefused(
                f"line {item_id}: refunding less than requested needs a feedback reason, one of: "
                f"{', '.join(RETURN_REFUND_FEEDBACK)}"
            )
        items.append(
            {
                "order_item_id": item_id,
                **({"alt_order_item_id": sku.alt_order_item_id} if sku.alt_order_item_id else {}),
                "total_quantity_returned": returned,
                "order_return_refund_qty": qty,
                **({"return_refund_feedback": feedback} if feedback else {}),
                **({"notes": line.notes} if line.notes else {}),
                "refund_amount": {k: str(v) for k, v in amounts.items()},
            }
        )
    body = {
        "merchant_order_id": detail.merchant_order_id,
        "agree_to_return_charge": completion.agree_to_return_charge,
        **({"alt_order_id": detail.alt_order_id} if detail.alt_order_id else {}),
        **(
            {"alt_return_authorization_id": completion.alt_return_authorization_id}
            if completion.alt_return_authorization_id
            else {}
        ),
        **({"return_charge_feedback": completion.charge_feedback} if not completion.agree_to_return_charge else {}),
        "items": items,
    }
    try:
        checked = CompleteReturnRequest.model_validate(body)
    except ValueError as exc:
        raise ReturnRefused(f"Jet would refuse this completion: {exc}") from None
    return checked.model_dump(mode="json", by_alias=True, exclude_none=True)


def complete_return(
    conn: psycopg.Connection, client: Any, run: RunIdentity, return_id: str, completion: Completion
) -> dict[str, Any]:
    """Complete one return through the outbox; returns its id, order and Jet's status.

    Refused when Jet shows the return already completed, its order is not in the
    warehouse, or the completion breaks Jet's rules. A second run for the same return
    only settles the first completion (one completion per return, ever).
    """
    detail = client.get_return(return_id)
    order_id = detail.merchant_order_id
    found = outbox.find(conn, merchant_order_id=order_id, call=COMPLETE_RETURN, subject=return_id)
    existing = found[0] if found else None
    if existing is not None and existing.requested_by != run.run_key:
        raise ReturnRefused(
            f"return {return_id} was already completed by {existing.requested_by} (action {existing.action_id}, "
            f"state {existing.state}{': ' + existing.last_error if existing.last_error else ''}); "
            "Jet takes one completion per return"
        )
    action_id = existing.action_id if existing is not None else None
    if existing is None:
        if detail.return_status == COMPLETED:
            raise ReturnRefused(f"return {return_id} is already completed at Jet")
        if conn.execute(read_sql("notes_order_exists.sql"), {"merchant_order_id": order_id}).fetchone() is None:
            raise ReturnRefused(f"order {order_id} of return {return_id} is not in the warehouse; import it first")
        body = completion_body(detail, completion)
        with conn.transaction():
            action_id = outbox.queue(
                conn, run, order_id, COMPLETE_RETURN, body, subject=return_id, reason=f"completion: {completion.mode}"
            ).action_id
    if action_id is None:
        raise MissingRow(f"completion of return {return_id} of order {order_id} has no action in jet.actions")
    applied = outbox.apply_now(conn, client, action_id)
    land_returns(conn, client, run, [return_id])
    return {"merchant_return_authorization_id": return_id, "merchant_order_id": order_id, "state": applied["state"]}


def auto_complete(conn: psycopg.Connection, client: Any, run: RunIdentity) -> dict[str, Any]:
    """Complete in full the open returns the policy always accepts (if it is on)."""
    policy = one(conn.execute(read_sql("returns_policy.sql")).fetchone(), "returns_policy.sql")
    version, enabled, reasons, max_refund, agree, _hours = policy
    if not enabled:
        return {"policy_version": version, "auto_complete": False, "completed": 0}
    accepted = {r.casefold() for r in reasons}
    done, failed = 0, []
    for return_id, _order_id, line_reasons, total in conn.execute(read_sql("returns_auto_candidates.sql")).fetchall():
        if not all(r in accepted for r in line_reasons) or (max_refund is not None and total > max_refund):
            continue
        completion = Completion(
            mode="accept",
            agree_to_return_charge=agree,
            charge_feedback=None if agree else "outsideMerchantPolicy",
        )
        try:
            complete_return(conn, client, run, return_id, completion)
        except (ReturnRefused, outbox.ActionFailed, outbox.ActionNotSettled) as exc:
            # One return that cannot complete must not stop the others; it is counted,
            # logged, and stays open (at risk) for a person to handle.
            failed.append(f"{return_id}: {exc}")
            log.error("return %s could not be auto-completed: %s", return_id, exc)
            continue
        done += 1
    if failed:
        raise RuntimeError(f"{len(failed)} return(s) could not be auto-completed ({done} were): {'; '.join(failed)}")
    return {"policy_version": version, "auto_complete": True, "completed": done}


#: A return this close to its completion deadline (or past it) fails the deadline task: the alert.
ALERT_WITHIN_HOURS = 6


class ReturnDeadlineAtRisk(RuntimeError):
    """Open returns are within hours of their completion deadline (or past it)."""

    def __init__(self, rows: list[tuple[Any, ...]], within_hours: float) -> None:
        self.rows = rows
        worst = rows[0]
        super().__init__(
            f"{len(rows)} open return(s) within {within_hours} h of their completion deadline; most urgent "
            f"{worst[0]} (order {worst[1]}, {worst[4]} h left, deadline {worst[3].isoformat()}). Complete them "
            "with jet_complete_return, or widen the return policy."
        )


def at_risk(conn: psycopg.Connection, run: RunIdentity) -> list[tuple[Any, ...]]:
    """Open returns not completed, with their deadline, as of the run's time (logged)."""
    rows = conn.execute(read_sql("returns_at_risk.sql"), {"at": run.observed_at}).fetchall()
    for return_id, order_id, status, deadline, hours_left, _state in rows:
        level = logging.ERROR if hours_left <= ALERT_WITHIN_HOURS else logging.INFO
        log.log(
            level,
            "return %s (order %s, %s): complete by %s (%s h left) with jet_complete_return",
            return_id,
            order_id,
            status,
            deadline.isoformat(),
            hours_left,
        )
    return rows


def check_deadlines(
    conn: psycopg.Connection, run: RunIdentity, within_hours: float = ALERT_WITHIN_HOURS
) -> list[tuple[Any, ...]]:
    """Like the acknowledgement deadline: log every open return and raise
    :class:`ReturnDeadlineAtRisk` when one is within ``within_hours`` of its deadline,
    judged at the run's own time. Returns the open returns otherwise."""
    rows = at_risk(conn, run)
    risky = [r for r in rows if r[4] <= within_hours]
    if risky:
        raise ReturnDeadlineAtRisk(risky, within_hours)
    return rows


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """Returns per Jet status."""
    return dict(conn.execute(read_sql("returns_counts.sql")).fetchall())
