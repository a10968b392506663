"""Task bodies for the outbox's own DAGs: jet_retry_action and jet_deadline_watch."""

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
    if outbox.kind(action.call).subject == "order":
        from jet.orders.tasks import refresh_orders

        refresh_orders(run, [action.merchant_order_id], client)  # the warehouse shows Jet's answer at once
    return receipt


def watch_deadlines(run: RunIdentity) -> dict[str, Any]:
    """Alert (log ERROR and fail) when a ready order whose acknowledgement is not applied
    is within minutes of Jet's deadline, judged at the run's own time."""
    from jet.decisions.deadlines import check_deadlines
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        check_deadlines(conn, run.observed_at)
    return {"at_risk": 0}
