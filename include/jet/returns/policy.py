"""The return policy at work: complete, in full, the open returns the policy
(``jet.current_return_policy``) always accepts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.api.vocabulary import ChargeFeedback
from jet.returns.completion import Completion, ReturnRefused, complete_return
from jet.sql import execute, one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)


def auto_complete(conn: psycopg.Connection, client: Any, run: RunIdentity) -> dict[str, Any]:
    """Complete in full the open returns the policy always accepts (if it is on)."""
    policy = one(conn.execute(read_sql("returns_policy.sql")).fetchone(), "returns_policy.sql")
    version, enabled, reasons, max_refund, agree, _hours = policy
    if not enabled:
        return {"policy_version": version, "auto_complete": False, "completed": 0}
    accepted = {r.casefold() for r in reasons}
    done, failed = 0, []
    for return_id, _order_id, line_reasons, total in execute(conn, "returns_auto_candidates.sql").fetchall():
        if not all(r in accepted for r in line_reasons) or (max_refund is not None and total > max_refund):
            continue
        completion = Completion(
            mode="accept",
            agree_to_return_charge=agree,
            charge_feedback=None if agree else ChargeFeedback.OUTSIDE_MERCHANT_POLICY,
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
