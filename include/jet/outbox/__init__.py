"""The outbox: the only way anything is written to Jet, exactly once.

Every write is first an action in ``jet.actions`` (:func:`queue`, committed before any
call; idempotent through its dedupe key), then sent (:func:`send`), and when its outcome
is in doubt, settled from Jet's own read-back (:func:`settle`). :func:`drain` does both
in rounds until nothing in scope is open; :func:`apply_now` is that for one operator
action, then insists it was applied. The kinds of write, and how each is sent and read
back, are the registry in :mod:`jet.outbox.kinds` (``jet.action_kinds`` in SQL).

The failure policy (each line is enforced by a test in ``tests/integration/outbox``):

1. **An outcome is recorded per request, as it returns** (one row per request; the
   requests that return within :attr:`Policy.record_every`, 50 ms, share one commit); at
   most two actions per sender thread are ``sending`` at a time (the one in flight and
   the next), so a killed sender leaves at most that many in doubt, never a whole chunk.
2. **2xx → applied.** Timeout, dropped connection, 5xx → ``unknown``: Jet may have
   applied it. An ``unknown`` write is never sent again before :func:`settle` judged
   it from Jet's read-back: shown → ``applied`` at once; not shown → ``not_applied``
   only after a **quiet period since it was last sent**: until the client stopped waiting
   (Jet's answer, or the connect + read timeout; for a dead sender the stale limit),
   then ``late_apply_seconds`` more (connection extra: Jet applying late); for a timeout
   that is longer than read timeout + allowance (:attr:`Policy.quiet_seconds` at most).
   A refund that appears later under our ``alt_refund_id`` settles its action as
   applied, and so does any write Jet shows.
3. **429 is not an attempt.** The action goes back to ``pending`` with ``not_before``
   = its Retry-After (and ``rate_limited`` + 1); :func:`drain` waits for it. Any 429,
   on a read or a write, pauses and halves the hook's shared rate budget for every
   thread (:class:`~jet.api.ratelimit.TokenBucket.slow_down`), which climbs back as
   answers come.
4. **A permanent refusal (4xx other than 429) is ``failed``** with Jet's message, and not
   resent; so is a write Jet moved on from (the order left the state it needs), and one
   whose attempts (:data:`MAX_ATTEMPTS`, 429s excluded) ran out. :func:`apply_now` raises
   :class:`ActionFailed`, a :class:`~jet.failures.PermanentError`: Airflow does not retry
   it either. An operator can re-queue a failed action once (DAG ``jet_retry_action``,
   :func:`requeue`): it becomes ``unknown``, so Jet is read back before it is sent.
5. **A ``sending`` action is stale** after :attr:`Policy.stale_sending_seconds`, seconds
   derived from the client's timeouts (a write never waits longer than
   ``write_budget_wait`` for the budget; it is not sent instead); a stale one is
   settled like ``unknown``.
6. **The acknowledgement deadline** (``jet.orders_at_risk_at``, DAG
   ``jet_deadline_watch`` every 2 minutes) covers every ready order whose
   acknowledgement call is not ``applied``, whatever state it is in.
7. **Concurrent senders coordinate**: claims use ``FOR UPDATE SKIP LOCKED``, settles
   update only what they read (guarded by state and attempt), queueing is
   ``ON CONFLICT`` on the dedupe key; ordered kinds (shipped calls) go one at a time
   per merchant order, oldest first.

Run keys (``requested_by``) are unique per DAG run: its id when it has no logical
date, else its logical time to the microsecond (:attr:`jet.runs.RunIdentity.run_key`).
"""

from jet.outbox.core import (
    MAX_ATTEMPTS,
    Action,
    ActionConflict,
    ActionFailed,
    ActionNotSettled,
    ActionRefused,
    ActionState,
    OutboxReceipt,
    Policy,
    Queueable,
    Queued,
    Scope,
    ScopeLike,
    apply_now,
    check_registry,
    drain,
    find,
    get,
    next_due,
    open_work,
    queue,
    queue_many,
    requeue,
    send,
    settle,
)
from jet.outbox.kinds import ACKNOWLEDGEMENTS, CATALOG_PUSHES, KINDS, ActionKind, Verdict, kind, kind_name

__all__ = [
    "ACKNOWLEDGEMENTS",
    "CATALOG_PUSHES",
    "KINDS",
    "MAX_ATTEMPTS",
    "Action",
    "ActionConflict",
    "ActionFailed",
    "ActionKind",
    "ActionNotSettled",
    "ActionRefused",
    "ActionState",
    "OutboxReceipt",
    "Policy",
    "Queueable",
    "Queued",
    "Scope",
    "ScopeLike",
    "Verdict",
    "apply_now",
    "check_registry",
    "drain",
    "find",
    "get",
    "kind",
    "kind_name",
    "next_due",
    "open_work",
    "queue",
    "queue_many",
    "requeue",
    "send",
    "settle",
]
