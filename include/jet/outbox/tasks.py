"""Task body of the outbox's own DAG, jet_retry_action (jet_deadline_watch runs the
decisions' deadline check, :func:`jet.decisions.tasks.check_deadlines`)."""

from __future__ import annotations

import logging
from typing import Any

from jet.failures import fail_fast
from jet.runs import RunIdentity

log = logging.getLogger(__name__)


@fail_fast
def retry_action(run: RunIdentity, action_id: int, client: Any = None) -> dict[str, Any]:
    """Re-queue a failed action once and apply it now (jet_retry_action).

    Jet is read back first: a write Jet applied meanwhile settles as applied and is not
    sent again. Refused (no retry) when the action is not failed or was re-queued before.
    """
    from jet import outbox
    from jet.api.hook import JetHook
    from jet.warehouse.db import connect

    client = client or JetHook()
    with connect(autocommit=True, actor=run.actor) as conn:
        action = outbox.requeue(conn, run, action_id)
        receipt = outbox.apply_now(conn, client, action_id)
    if outbox.kind(action.call).subject == "order" and action.merchant_order_id:
        from jet.orders.tasks import refresh_orders

        refresh_orders(run, [action.merchant_order_id], client)  # the warehouse shows Jet's answer at once
    return receipt
