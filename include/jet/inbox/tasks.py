"""Task bodies for jet_held_orders: ask held orders in the inbox, apply the answers.

An answer from the inbox acts exactly like the console's manual DAGs (the same
approve/cancel functions, through the outbox), on behalf of the person who answered.
If the order was decided elsewhere first, the answer is recorded as too late and
nothing is sent: one acknowledgement call per order, ever, is the outbox's rule.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from jet.api.hook import JetHook
from jet.dag_defaults import WAREHOUSE_CONN_ID
from jet.inbox.prompts import APPROVE, CANCEL
from jet.runs import RunIdentity
from jet.warehouse.db import connect

log = logging.getLogger(__name__)

__all__ = ["apply_answer", "ask_held_orders", "record_expired"]

DEFAULT_CANCEL_REASON = "other"


def ask_held_orders(run: RunIdentity, task_id: str) -> list[str]:
    """Claim the held orders this run asks (at most :data:`~jet.inbox.prompts.MAX_OPEN`
    open at once); their ids, one mapped question each."""
    from jet.inbox.prompts import MAX_OPEN, claim, waiting_outside

    if run.dag_run_id is None:
        raise ValueError("asking in the inbox needs a DAG run (its run id names the questions)")
    with connect(autocommit=True) as conn:
        # Wall clock, not the logical time: whether a deadline is still ahead is a real-time fact.
        ids = claim(
            conn, dag_id=run.dag_id, dag_run_id=run.dag_run_id, task_id=task_id, asked_at=run.observed_at,
            now=datetime.now(UTC),
        )  # fmt: skip
        left = waiting_outside(conn)
    if left:
        log.warning("%d held order(s) not in the inbox (at most %d questions open at once)", left, MAX_OPEN)
    log.info("asking %d held order(s) in Airflow's inbox: %s", len(ids), ", ".join(ids) or "none")
    return ids


def record_expired(merchant_order_id: str, conn_id: str = WAREHOUSE_CONN_ID) -> None:
    """The question reached the order's deadline unanswered."""
    from jet.inbox.prompts import answer

    with connect(conn_id, autocommit=True) as conn:
        answer(
            conn, merchant_order_id, answered_in="expired", option=None, reason=None, by=None,
            outcome="no answer before the acknowledgement deadline",
        )  # fmt: skip


def _outcome_of(conn: Any, merchant_order_id: str) -> str:
    from jet.inbox.prompts import decided

    found = decided(conn, merchant_order_id)
    if found is None:
        return "nothing sent"
    return f"{found.kind} {found.state} at Jet (write {found.action_id}, by {found.by})"


def _answered_at(answer: dict[str, Any], default: datetime) -> datetime:
    """When the inbox answer was given (UTC); XCom may carry it as a datetime or as ISO text."""
    value = answer.get("responded_at")
    if value is None:
        return default
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError(f"the inbox answer's time {value!r} has no time zone")
    return when.astimezone(UTC)


def apply_answer(run: RunIdentity, answer: dict[str, Any], client: Any = None) -> dict[str, Any]:
    """Act on one inbox answer (``HeldOrderQuestion``'s result) as the person who gave it."""
    import psycopg

    from jet.decisions.manual import OperatorActionRefused, approve_order, cancel_order
    from jet.inbox.prompts import answer as record
    from jet.inbox.prompts import decided
    from jet.notes import add_user_note
    from jet.orders.tasks import refresh_orders

    order_id = answer["merchant_order_id"]
    option = answer["chosen_options"][0]
    params = answer.get("params_input") or {}
    reason = params.get("reason") or (DEFAULT_CANCEL_REASON if option == CANCEL else None)
    elsewhere_by = answer.get("decided_elsewhere_by")
    if elsewhere_by:
        with connect(autocommit=True) as conn:
            outcome = _outcome_of(conn, order_id)
            record(conn, order_id, answered_in="elsewhere", option=option, reason=reason, by=elsewhere_by,
                   outcome=outcome)  # fmt: skip
        log.info("order %s was decided elsewhere by %s (%s): nothing to do", order_id, elsewhere_by, outcome)
        return {"merchant_order_id": order_id, "answered_in": "elsewhere", "outcome": outcome}
    who = (answer.get("responded_by_user") or {}).get("name")
    if not who:
        raise ValueError(f"the inbox answer for order {order_id} names nobody: {answer!r}")
    # Stamped when the person answered, not when the run asked: the timeline then reads
    # "answered at 10:04", and a retry of this task writes the very same rows.
    mine = replace(run, actor=who, observed_at=_answered_at(answer, run.observed_at))
    client = client or JetHook()
    with connect(autocommit=True, actor=who) as conn:
        if params.get("comment"):
            add_user_note(conn, mine, order_id, who, str(params["comment"]))
        try:
            if option == APPROVE:
                approve_order(conn, client, mine, order_id)
            elif option == CANCEL:
                cancel_order(conn, client, mine, order_id, reason or DEFAULT_CANCEL_REASON, rejection_only=True)
            else:
                raise ValueError(f"unknown inbox answer {option!r} for order {order_id}")
        except (OperatorActionRefused, psycopg.errors.UniqueViolation) as exc:
            found = decided(conn, order_id)
            if found is None or found.requested_by == mine.run_key:
                raise  # not decided by someone else: a real refusal (or our own write failing)
            outcome = f"too late: already decided elsewhere ({_outcome_of(conn, order_id)})"
            record(conn, order_id, answered_in="elsewhere", option=option, reason=reason, by=found.by,
                   outcome=outcome)  # fmt: skip
            log.warning("order %s: %s answered %s in the inbox, %s (%s)", order_id, who, option, outcome, exc)
            return {"merchant_order_id": order_id, "answered_in": "elsewhere", "outcome": outcome}
        outcome = _outcome_of(conn, order_id)
        record(conn, order_id, answered_in="inbox", option=option, reason=reason, by=who, outcome=outcome)
    refresh_orders(mine, [order_id], client)  # the warehouse shows Jet's answer at once
    log.info("order %s: %s answered %s in the inbox: %s", order_id, who, option, outcome)
    return {"merchant_order_id": order_id, "answered_in": "inbox", "outcome": outcome}
