"""Task bodies for the decision DAGs: open the hook and the warehouse, call the library.

Kept out of the DAG files so those stay declarations, and so the same steps run from
tests, the demo and the latency simulation without Airflow's scheduler. Every function
takes an optional ``client`` (defaults to :class:`~jet.api.hook.JetHook`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from jet.api.hook import JetHook
from jet.failures import fail_fast
from jet.outbox.kinds import ACKNOWLEDGE, ACKNOWLEDGEMENTS, CANCEL, CANCEL_UNITS, DIRECTED_CANCEL, REJECT
from jet.runs import RunIdentity
from jet.warehouse.db import connect

log = logging.getLogger(__name__)

#: The writes sent together, by what they answer: jet_decide_orders runs one sender per
#: group with work (the DAG maps each group to its own task).
SEND_GROUPS: dict[str, tuple[str, ...]] = {
    "acknowledge": (ACKNOWLEDGE,),
    "reject": (REJECT,),
    "cancel": (CANCEL, DIRECTED_CANCEL, CANCEL_UNITS),
}
#: The work that sends nothing: held orders waiting for an operator.
HOLD = "hold"
#: What this DAG writes: the acknowledgement calls and the cancels on the order.
DECISION_KINDS: tuple[str, ...] = (*ACKNOWLEDGEMENTS, DIRECTED_CANCEL, CANCEL_UNITS)


def decide(run: RunIdentity, dry_run: bool = False) -> dict[str, Any]:
    """Decide every undecided ready order; decisions and intended actions in one transaction."""
    from jet.decisions.store import decide_and_record

    with connect(autocommit=True) as conn:
        return decide_and_record(conn, run, dry_run=dry_run).as_xcom()


def groups_with_work(receipt: dict[str, Any], open_work: dict[str, int], held_open: int) -> list[str]:
    """The groups of work of a decision run (pure): each :data:`SEND_GROUPS` name with open
    actions, then :data:`HOLD` when held orders wait; empty when there is nothing to do.

    A dry run sends nothing, so it only reports held orders. Work left over from
    earlier runs (pending, unknown or re-sendable actions) counts too.
    """
    chosen: list[str] = []
    if not receipt.get("dry_run"):
        for group, kinds in SEND_GROUPS.items():
            if any(open_work.get(kind, 0) for kind in kinds):
                chosen.append(group)
    if held_open or receipt.get("by_outcome", {}).get("hold"):
        chosen.append(HOLD)
    return chosen


def route(receipt: dict[str, Any]) -> list[str]:
    """Read the outbox and the held orders: the groups of work (:func:`groups_with_work`)."""
    from jet.outbox import open_work
    from jet.sql import execute

    with connect(autocommit=True) as conn:
        work = open_work(conn)
        held = len(execute(conn, "decisions_held_open.sql").fetchall())
    chosen = groups_with_work(receipt, work, held)
    log.info("open actions %s, held orders %d: work for %s", work or "none", held, chosen or "nobody")
    return chosen


def send(kinds: Sequence[str], client: Any = None) -> dict[str, Any]:
    """Send every pending or re-sendable action of ``kinds`` once (outcomes recorded)."""
    from jet import outbox

    client = client or JetHook()
    with connect(autocommit=True) as conn:
        return outbox.send(conn, client, kinds).as_xcom()


def report_held() -> dict[str, Any]:
    """Log the held orders waiting for an operator, with their deadlines."""
    from jet.sql import execute

    with connect(autocommit=True) as conn:
        rows = execute(conn, "decisions_held_open.sql").fetchall()
    for order_id, ready_at, deadline, reasons in rows:
        log.warning(
            "order %s held for approval (%s): ready %s, acknowledge by %s (jet_approve_order / jet_cancel_order)",
            order_id,
            ", ".join(reasons),
            ready_at.isoformat(),
            deadline.isoformat(),
        )
    return {"held": len(rows)}


def settle_and_finish(run: RunIdentity, dry_run: bool = False, client: Any = None) -> dict[str, Any]:
    """After the senders: settle unknown outcomes (re-reading the orders), re-send what was
    not applied, and answer directed cancels of orders acknowledged meanwhile.

    A dry run does nothing here: it must not change anything at Jet.
    """
    from jet import outbox
    from jet.decisions.store import plan_directed_cancels

    if dry_run:
        log.info("dry run: nothing settled or sent")
        return {"dry_run": True}
    client = client or JetHook()
    with connect(autocommit=True) as conn:
        receipt = outbox.drain(conn, client, DECISION_KINDS)
        # Orders acknowledged in this run can now answer Jet's cancel requests.
        with conn.transaction():
            queued = plan_directed_cancels(conn, run)
        if queued:
            receipt += outbox.drain(conn, client, (DIRECTED_CANCEL,))
        left = {k: v for k, v in outbox.open_work(conn).items() if v and k in DECISION_KINDS}
    result = {**receipt.as_xcom(), "directed_cancels_queued": queued, "left_open": left}
    if left:
        log.warning("actions still open after settling (next run continues): %s", left)
    return result


def catalog_guard() -> None:
    """Raise :class:`~jet.decisions.store.CatalogNotLoaded` while ready orders wait
    undecided because the catalog is empty."""
    from jet.decisions.store import CatalogNotLoaded, held_for_catalog

    with connect(autocommit=True) as conn:
        held, deadline = held_for_catalog(conn)
    if held:
        raise CatalogNotLoaded(held, deadline)


@fail_fast
def check_catalog() -> dict[str, Any]:
    """The catalog guard's alert in jet_decide_orders: fails, without retries (only a
    catalog load helps), while orders wait for the catalog. Runs after settle, so what
    the run had to send and settle is done first."""
    catalog_guard()
    return {"held_no_catalog": 0}


def decide_and_send(run: RunIdentity, client: Any = None) -> dict[str, Any]:
    """Decide the undecided ready orders, send every answer once, settle unknown outcomes.

    The deadline alert and the catalog guard stay with ``jet_decide_orders`` (every 10
    minutes): this path is about speed, that one about the alarms.
    """
    decided = decide(run)
    client = client or JetHook()
    # The answers to ready orders: what jet_decide_orders' acknowledge/reject/cancel branches send.
    kinds = tuple(dict.fromkeys(kind for group in SEND_GROUPS.values() for kind in group))
    sent = send(kinds, client=client)
    settled = settle_and_finish(run, client=client)
    return {"decided": decided, "sent": sent, "settled": settled}


def check_deadlines(run: RunIdentity) -> dict[str, Any]:
    """Alert (log ERROR and fail) when a ready order is within 5 minutes of its deadline."""
    from jet.decisions.deadlines import check_deadlines as check

    with connect(autocommit=True) as conn:
        check(conn, run.observed_at)
    return {"at_risk": 0}


def run_cycle(run: RunIdentity, dry_run: bool = False, client: Any = None) -> dict[str, Any]:
    """The whole of jet_decide_orders without Airflow: decide, send every kind, settle,
    then the catalog guard (raises :class:`~jet.decisions.store.CatalogNotLoaded`).

    Used by the demo, the latency simulation and the big fault test. Does not run the
    deadline check (call :func:`check_deadlines` for that).
    """
    from jet import outbox

    decided = decide(run, dry_run=dry_run)
    if dry_run:
        return {"decided": decided, "sent": {}}
    client = client or JetHook()
    with connect(autocommit=True) as conn:
        sent = outbox.send(conn, client, DECISION_KINDS)
    finished = settle_and_finish(run, client=client)
    catalog_guard()
    return {"decided": decided, "sent": sent.as_xcom(), "settled": finished}


@fail_fast
def approve(run: RunIdentity, merchant_order_id: str, client: Any = None) -> dict[str, Any]:
    """Approve a held order (jet_approve_order)."""
    from jet.decisions.manual import approve_order
    from jet.orders.tasks import refresh_orders

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        receipt = approve_order(conn, client, run, merchant_order_id)
    refresh_orders(run, [merchant_order_id], client)  # the warehouse shows Jet's answer at once
    return receipt


@fail_fast
def cancel(run: RunIdentity, merchant_order_id: str, reason: str, client: Any = None) -> dict[str, Any]:
    """Cancel an order with a reason (jet_cancel_order)."""
    from jet.decisions.manual import cancel_order
    from jet.orders.tasks import refresh_orders

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        receipt = cancel_order(conn, client, run, merchant_order_id, reason)
    refresh_orders(run, [merchant_order_id], client)  # the warehouse shows Jet's answer at once
    return receipt
