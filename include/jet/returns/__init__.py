"""Returns: land Jet's returns, complete them (accept in full or in part, or deny
credit), auto-complete what the return policy always accepts, track deadlines.

* :mod:`jet.returns.landing`: :func:`land_returns` lists Jet's open returns (``created``,
  ``inprogress``) plus every return the warehouse still holds as open, fetches each, lands
  the raw payload (``jet.return_payloads``) and the typed rows (``jet.returns``,
  ``jet.return_items``); an invalid payload (or one the database refuses) goes to
  ``jet.quarantine`` (kind ``return``), one Jet will not serve to ``jet.unreadable``, and
  the rest flow on.
* :mod:`jet.returns.completion`: :func:`complete_return` builds the completion from a
  :class:`Completion` (per line a :class:`ReturnLineCredit`), checks it against the return
  as Jet shows it now, and applies it through the outbox (:func:`jet.outbox.apply_now`,
  one completion per return, ever): committed before the call, settled by re-reading the
  return when the outcome is unknown.
* :mod:`jet.returns.policy`: :func:`auto_complete` completes, in full, the open returns the
  policy (``jet.current_return_policy``) always accepts.
* :mod:`jet.returns.deadlines`: :func:`at_risk` lists open returns with their completion
  deadline (``return_date`` + the policy's ``complete_within_hours``);
  :func:`check_deadlines` raises the alert.
"""

from jet.returns.completion import (
    COMPLETED,
    Completion,
    ReturnLineCredit,
    ReturnRefused,
    complete_return,
    completion_body,
)
from jet.returns.deadlines import ALERT_WITHIN_HOURS, ReturnDeadlineAtRisk, at_risk, check_deadlines
from jet.returns.landing import LandReceipt, counts, fetch_raw, land_returns
from jet.returns.policy import auto_complete

__all__ = [
    "ALERT_WITHIN_HOURS",
    "COMPLETED",
    "Completion",
    "LandReceipt",
    "ReturnDeadlineAtRisk",
    "ReturnLineCredit",
    "ReturnRefused",
    "at_risk",
    "auto_complete",
    "check_deadlines",
    "complete_return",
    "completion_body",
    "counts",
    "fetch_raw",
    "land_returns",
]
