"""Held orders as questions in Airflow's inbox: which to ask, what to say, how it ended.

The warehouse decides, once: an order's acknowledgement call is one row of the outbox,
ever (a unique index). Whoever queues it first, an inbox answer or a manual DAG run
from the console, decides; the other side only reports that answer. This module keeps
``jet.held_order_prompts`` (one question per order, at most :data:`MAX_OPEN` open) and
says, for an order, whether and how it was decided elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from jet.outbox.kinds import ACKNOWLEDGE
from jet.sql import execute, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.console.order import OrderView

__all__ = [
    "APPROVE",
    "CANCEL",
    "MAX_OPEN",
    "Decided",
    "answer",
    "claim",
    "decided",
    "question_text",
    "waiting_outside",
]

APPROVE, CANCEL = "Approve", "Cancel"
#: Questions open in the inbox at once, whatever the number of held orders: the inbox
#: stays readable and the triggerer's load bounded. The rest wait in the console's
#: "held" queue and are asked as earlier questions close.
MAX_OPEN = 50
#: Not worth asking an order this close to its deadline: nobody could answer in time.
MIN_TIME_LEFT = timedelta(minutes=1)


@dataclass(frozen=True)
class Decided:
    """An order's acknowledgement call, as queued: the inbox option it amounts to."""

    action_id: int
    kind: str
    state: str
    reason: str | None
    requested_by: str
    actor: str | None

    @property
    def option(self) -> str:
        return APPROVE if self.kind == ACKNOWLEDGE else CANCEL

    @property
    def by(self) -> str:
        return self.actor or self.requested_by


def claim(
    conn: psycopg.Connection,
    *,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    asked_at: datetime,
    now: datetime,
    cap: int = MAX_OPEN,
) -> list[str]:
    """The held orders this run asks, in map-index order. A retry of the same run gets
    the same list; a concurrent run never takes the same order (one question per order)."""
    with conn.transaction():
        mine = [r[0] for r in conn.execute(read_sql("inbox_prompts_of_run.sql"), {"dag_run_id": dag_run_id,
                                                                                "task_id": task_id})]  # fmt: skip
        if mine:
            return mine
        conn.execute(read_sql("inbox_lock.sql"))
        rows = execute(
            conn,
            "inbox_claim.sql",
            {
                "dag_id": dag_id,
                "dag_run_id": dag_run_id,
                "task_id": task_id,
                "asked_at": asked_at,
                "now": now,
                "margin": MIN_TIME_LEFT,
                "cap": cap,
            },
        ).fetchall()
    return [order_id for order_id, _ in sorted(rows, key=lambda r: r[1])]


def waiting_outside(conn: psycopg.Connection) -> int:
    """Held orders not asked in the inbox (the cap is reached, or their deadline is too near)."""
    row = execute(conn, "inbox_held_waiting.sql").fetchone()
    return int(row[0]) if row else 0


def decided(conn: psycopg.Connection, merchant_order_id: str) -> Decided | None:
    """The order's acknowledgement call if one was queued (by anyone), else None."""
    row = conn.execute(read_sql("inbox_decided.sql"), {"merchant_order_id": merchant_order_id}).fetchone()
    return Decided(*row) if row else None


def answer(
    conn: psycopg.Connection,
    merchant_order_id: str,
    *,
    answered_in: str,
    option: str | None,
    reason: str | None,
    by: str | None,
    outcome: str,
) -> bool:
    """Record how the order's question ended; False when it was already recorded."""
    with conn.transaction():
        row = conn.execute(
            read_sql("inbox_answer.sql"),
            {
                "merchant_order_id": merchant_order_id,
                "answer": {APPROVE: "approve", CANCEL: "cancel"}.get(option or ""),
                "reason": reason,
                "answered_by": by,
                "answered_in": answered_in,
                "outcome": outcome,
            },
        ).fetchone()
    return row is not None


def question_text(view: OrderView) -> tuple[str, str]:
    """The inbox entry's subject and Markdown body: what an operator needs to decide."""
    h = view.header
    subject = f"Held Jet order {h.reference_order_id}: approve or cancel" + (
        f" by {h.ack_deadline:%H:%M:%S} UTC" if h.ack_deadline else ""
    )
    lines = "\n".join(
        f"| {line.merchant_sku} | {line.product_title or ''} | {line.ordered} | {line.unit_price or '-'} |"
        for line in view.lines
    )
    reasons = ", ".join(view.decision.reasons) if view.decision else "held"
    body = (
        f"**Order {h.reference_order_id}** (`{h.merchant_order_id}`), placed {h.placed_at:%Y-%m-%d %H:%M} UTC, "
        f"ready {h.ready_at:%Y-%m-%d %H:%M} UTC — held because: {reasons}.\n\n"
        f"Customer: {h.customer_name or '-'} ({h.customer_email or '-'}); ships to "
        f"{', '.join(h.ship_to) or '-'}.\n\n"
        f"| SKU | Item | Units | Unit price |\n|---|---|---|---|\n{lines}\n\n"
        f"Total **{h.order_total} USD**. Jet gives the order away if it is not acknowledged by "
        f"{h.ack_deadline or '-'} (UTC).\n\n"
        f"**{APPROVE}** acknowledges every line; **{CANCEL}** rejects the order with the reason below. "
        "Answering here or in the Jet orders console is the same: the first answer decides."
    )
    return subject, body
