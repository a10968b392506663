"""The outbox's steps: queue, send, settle, drain, apply_now, requeue (policy: see the package docstring)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jet.failures import PermanentError
from jet.outbox.kinds import KINDS, ActionKind, Verdict, kind, kind_name
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

#: Sends of one action (429s excluded) before it is given up as ``failed``.
MAX_ATTEMPTS = 5
#: Actions claimed (``sending``) per sender thread at most: the one in flight and the next.
CLAIM_AHEAD = 2


class ActionRefused(PermanentError, ValueError):
    """The action cannot be queued as given (unknown kind, no reason, a body Jet would refuse)."""


class ActionConflict(PermanentError, RuntimeError):
    """The dedupe key (or the one acknowledgement call per order) is taken by a different action."""


class ActionFailed(PermanentError, RuntimeError):
    """The write is ``failed``: Jet refused it, it can no longer apply, or its attempts ran out.
    Retrying the task cannot help; an operator may re-queue it once (``jet_retry_action``)."""


class ActionNotSettled(RuntimeError):
    """The write is still on its way (pending after 429s, or unknown within its quiet
    period): a retry of the task settles it from Jet's read-back before sending anything."""


@dataclass(frozen=True)
class Policy:
    """The timing of the failure policy, derived from the client's own settings.

    :param late_apply_seconds: how long after the client gave up Jet may still apply a write.
    :param write_budget_wait: longest a write waits for the client's rate budget before the call.
    :param max_wait: longest one :func:`drain` waits, in total, for quiet periods and Retry-Afters.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    late_apply_seconds: float = 10.0
    write_budget_wait: float = 5.0
    max_attempts: int = MAX_ATTEMPTS
    max_workers: int = 8
    #: Seconds within which answers returning together are committed together.
    record_every: float = 0.05
    max_rounds: int = 200
    max_wait: float = 300.0
    sleep: Callable[[float], None] = time.sleep

    @property
    def stale_sending_seconds(self) -> float:
        """A ``sending`` action older than this belongs to a sender that died: its call waited
        at most ``write_budget_wait`` for the budget, then lasted at most the two timeouts."""
        return self.write_budget_wait + self.connect_timeout + self.read_timeout + 1.0

    @property
    def quiet_seconds(self) -> float:
        """The longest quiet period since a send: the client stops waiting at the latest
        after :attr:`stale_sending_seconds` (a timeout), then Jet's late-apply allowance."""
        return self.stale_sending_seconds + self.late_apply_seconds

    @classmethod
    def for_client(cls, client: Any, **overrides: Any) -> Policy:
        """The policy for ``client`` (a JetHook: its timeouts, allowance and concurrency)."""
        settings = getattr(client, "settings", None)
        values: dict[str, Any] = {}
        for name in ("connect_timeout", "read_timeout", "late_apply_seconds", "write_budget_wait"):
            if settings is not None and hasattr(settings, name):
                values[name] = float(getattr(settings, name))
        if settings is not None and hasattr(settings, "max_concurrency"):
            values["max_workers"] = int(settings.max_concurrency)
        return cls(**{**values, **overrides})


@dataclass(frozen=True)
class Action:
    """One claimed or unsettled action."""

    action_id: int
    merchant_order_id: str | None  # None for a write on a SKU (a catalog push)
    call: str
    subject: str | None
    body: dict[str, Any]
    attempts: int

    @property
    def kind(self) -> str:
        return kind_name(self.call, self.subject)

    @property
    def spec(self) -> ActionKind:
        return kind(self.call)


@dataclass(frozen=True)
class ActionState:
    """An action as the warehouse holds it (``jet.actions``)."""

    action_id: int
    merchant_order_id: str | None
    kind: str
    call: str
    subject: str | None
    state: str
    attempts: int
    rate_limited: int
    requeues: int
    last_error: str | None
    requested_by: str
    triggering_user: str | None
    dedupe_key: str


@dataclass(frozen=True)
class Queued:
    """What :func:`queue` did: the action's id, and whether this call created it."""

    action_id: int
    created: bool


@dataclass
class OutboxReceipt:
    """Counts of one send, settle or drain (XCom-sized)."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Actions a settle judged from Jet's read-back (applied, not applied or failed).
    read_back: int = 0

    def __iadd__(self, other: OutboxReceipt) -> OutboxReceipt:
        self.sent += other.sent
        self.outcomes.update(other.outcomes)
        self.read_back += other.read_back
        return self

    def as_xcom(self) -> dict[str, Any]:
        return {"sent": self.sent, **{k: v for k, v in sorted(self.outcomes.items())}}


@dataclass(frozen=True)
class Scope:
    """Which actions a step acts on: every given filter must match (None: no filter)."""

    calls: Sequence[str] | None = None
    order_ids: Sequence[str] | None = None
    action_ids: Sequence[int] | None = None

    @classmethod
    def of(cls, scope: Scope | Sequence[str] | None) -> Scope:
        """A scope from a :class:`Scope`, a sequence of calls (the common case), or None (everything)."""
        if scope is None:
            return cls()
        if isinstance(scope, Scope):
            return scope
        if isinstance(scope, str):
            raise TypeError(f"a scope of calls is a sequence of names, not the string {scope!r}")
        return cls(calls=tuple(scope))

    def params(self) -> dict[str, Any]:
        """The SQL parameters; a typo in a call name must not silently send nothing."""
        for call in self.calls or ():
            kind(call)
        return {
            "calls": list(self.calls) if self.calls is not None else None,
            "order_ids": list(self.order_ids) if self.order_ids is not None else None,
            "action_ids": list(self.action_ids) if self.action_ids is not None else None,
        }


#: What every step takes as its scope: a :class:`Scope`, a sequence of calls, or None.
ScopeLike = Scope | Sequence[str] | None


# ---------------------------------------------------------------------- queue


def _check_write(
    call: str, merchant_order_id: str | None, subject: str | None, body: Mapping[str, Any], reason: str
) -> None:
    """What :func:`queue` and :func:`queue_many` refuse before anything is recorded: an
    unknown kind, no reason, an order or subject that does not fit the kind, a body Jet
    would refuse (:class:`ActionRefused`)."""
    spec = kind(call)
    what = merchant_order_id or subject
    if not reason or not str(reason).strip():
        raise ActionRefused(f"{call} of {what}: a reason is required to queue a write to Jet")
    if (merchant_order_id is None) != (spec.subject == "sku"):
        raise ActionRefused(f"{call} of {what}: a write on a SKU has no merchant order, every other write has one")
    if (subject is None) != (spec.subject == "order"):
        raise ActionRefused(
            f"{call} acts on {'the order itself' if spec.subject == 'order' else 'a ' + spec.subject}: "
            f"subject {subject!r} does not fit"
        )
    try:
        spec.validate(body)
    except ValueError as exc:
        raise ActionRefused(f"{call} of {what}: Jet would refuse this body: {exc}") from None


def queue(
    conn: psycopg.Connection,
    run: RunIdentity,
    merchant_order_id: str | None,
    call: str,
    body: Mapping[str, Any],
    *,
    reason: str,
    subject: str | int | None = None,
    decision_id: int | None = None,
    dedupe_key: str | None = None,
) -> Queued:
    """Record an intended write (the only way to create an action); nothing is sent.

    ``reason`` is required (it is the action's first line in the order's history).
    Idempotent: a second call with the same ``dedupe_key`` (default
    ``<order>/<kind>``: one action per order and kind, ever) returns the existing
    action, unless that one is a different write (:class:`ActionConflict`). The body is
    checked against Jet's request model first (:class:`ActionRefused`).
    """
    from psycopg import errors
    from psycopg.types.json import Jsonb

    subject_text = None if subject is None else str(subject)
    _check_write(call, merchant_order_id, subject_text, body, reason)
    name = kind_name(call, subject_text)
    key = dedupe_key or f"{merchant_order_id}/{name}"
    try:
        with conn.transaction():
            row = conn.execute(
                read_sql("outbox_insert.sql"),
                {
                    "merchant_order_id": merchant_order_id,
                    "kind": name,
                    "call": call,
                    "subject": subject_text,
                    "dedupe_key": key,
                    "decision_id": decision_id,
                    "body": Jsonb(dict(body)),
                    "requested_by": run.run_key,
                    "triggering_user": run.actor,
                    "reason": reason,
                    "created_at": run.observed_at,
                },
            ).fetchone()
    except errors.UniqueViolation as exc:
        raise ActionConflict(
            f"{name} of order {merchant_order_id} cannot be queued: {exc.diag.message_detail or exc} "
            "(an order gets one acknowledgement call, ever)"
        ) from None
    if row is not None:
        return Queued(int(row[0]), True)
    found = find(conn, dedupe_key=key)
    if not found:
        taken = [f"{a.kind} (action {a.action_id}, {a.state})" for a in find(conn, merchant_order_id=merchant_order_id)]
        raise ActionConflict(
            f"{name} of order {merchant_order_id} cannot be queued: the order already has {', '.join(taken)} "
            "(an order gets one acknowledgement call, ever, and one action per kind)"
        )
    existing = found[0]
    if (existing.merchant_order_id, existing.kind) != (merchant_order_id, name):
        raise ActionConflict(
            f"dedupe key {key!r} belongs to action {existing.action_id} ({existing.kind} of order "
            f"{existing.merchant_order_id}), not to {name} of order {merchant_order_id}"
        )
    return Queued(existing.action_id, False)


@dataclass(frozen=True)
class Queueable:
    """One write for :func:`queue_many`: what it acts on, its body and its idempotency key."""

    subject: str | None
    body: Mapping[str, Any]
    dedupe_key: str
    merchant_order_id: str | None = None


#: Writes :func:`queue_many` inserts per statement.
QUEUE_BATCH = 5000
#: Writes queued at once from which :func:`queue_many` refreshes the table's statistics.
ANALYZE_AFTER = 1000


def queue_many(
    conn: psycopg.Connection, run: RunIdentity, call: str, items: Sequence[Queueable], *, reason: str
) -> int:
    """Record many intended writes of one kind at once (a catalog sync's thousands of
    pushes); nothing is sent. Each body is checked against Jet's request model first
    (:class:`ActionRefused` naming the item). An item whose ``dedupe_key`` is taken is the
    same write queued before and is skipped. Returns how many were created."""
    from psycopg.types.json import Jsonb

    from jet.api.models import json_text

    for item in items:
        _check_write(call, item.merchant_order_id, item.subject, item.body, reason)
    created = 0
    with conn.transaction():
        for start in range(0, len(items), QUEUE_BATCH):
            batch = items[start : start + QUEUE_BATCH]
            created += len(
                conn.execute(
                    read_sql("outbox_queue_many.sql"),
                    {
                        "call": call,
                        "merchant_order_ids": [i.merchant_order_id for i in batch],
                        "subjects": [i.subject for i in batch],
                        "dedupe_keys": [i.dedupe_key for i in batch],
                        "bodies": [Jsonb(dict(i.body), dumps=json_text) for i in batch],
                        "requested_by": run.run_key,
                        "triggering_user": run.actor,
                        "reason": reason,
                        "created_at": run.observed_at,
                    },
                ).fetchall()
            )
    if created >= ANALYZE_AFTER:
        # The claim walks jet.actions in id order only when the planner knows how many
        # actions wait; with statistics from before a big batch it sorts them all instead,
        # once per claim (80 ms at 6,000 queued pushes, growing with the batch).
        conn.execute("ANALYZE jet.actions")
    return created


def find(
    conn: psycopg.Connection,
    *,
    action_id: int | None = None,
    dedupe_key: str | None = None,
    merchant_order_id: str | None = None,
    call: str | None = None,
    subject: str | None = None,
) -> list[ActionState]:
    """Actions matching every given filter, oldest first."""
    rows = conn.execute(
        read_sql("outbox_action.sql"),
        {
            "action_id": action_id,
            "dedupe_key": dedupe_key,
            "merchant_order_id": merchant_order_id,
            "call": call,
            "subject": None if subject is None else str(subject),
        },
    ).fetchall()
    return [ActionState(*row) for row in rows]


def get(conn: psycopg.Connection, action_id: int) -> ActionState:
    """One action by id (:class:`ActionRefused` when there is none)."""
    found = find(conn, action_id=action_id)
    if not found:
        raise ActionRefused(f"there is no action {action_id} in jet.actions")
    return found[0]


# ---------------------------------------------------------------------- send


@dataclass(frozen=True)
class _Sent:
    outcome: str  # applied | refused | unknown | rate_limited
    error: str | None = None
    result: Any = None
    retry_after: float = 0.0
    unexpected: Exception | None = None
    http_status: int | None = None


def _send_one(client: Any, action: Action) -> _Sent:
    """One request. Jet's answers map to outcomes; anything else is ``unknown`` (it may
    have reached Jet) and is raised by :func:`send` once recorded."""
    from jet.api.errors import JetRateLimited, JetRequestRejected, WriteOutcomeUnknown

    try:
        result = action.spec.send(client, action)
    except JetRateLimited as exc:
        return _Sent("rate_limited", str(exc), retry_after=max(1.0, exc.retry_after or 1.0))
    except WriteOutcomeUnknown as exc:
        return _Sent("unknown", str(exc), http_status=exc.status)
    except JetRequestRejected as exc:
        return _Sent("refused", str(exc), http_status=exc.status)
    except Exception as exc:  # noqa: BLE001 - recorded as unknown, then re-raised by send()
        return _Sent("unknown", f"{type(exc).__name__}: {exc}", unexpected=exc)
    return _Sent("applied", result=result)


_STATE_OF = {"applied": "applied", "refused": "failed", "unknown": "unknown", "rate_limited": "pending"}


def _record_params(returned: Sequence[tuple[Action, _Sent]]) -> dict[str, Any]:
    return {
        "action_ids": [a.action_id for a, _ in returned],
        "outcomes": [s.outcome for _, s in returned],
        "states": [_STATE_OF[s.outcome] for _, s in returned],
        "errors": [s.error for _, s in returned],
        "retry_after": [s.retry_after for _, s in returned],
        "http_status": [s.http_status for _, s in returned],
    }


def _record(conn: psycopg.Connection, returned: Sequence[tuple[Action, _Sent]]) -> None:
    """Commit the outcomes of the requests that returned together (one row each) and,
    for the applied ones, what each kind records, in one transaction."""
    with conn.transaction():
        rows = conn.execute(read_sql("outbox_record_send.sql"), _record_params(returned)).fetchall()
        recorded = {row[0] for row in rows}
        for action, sent in returned:
            if action.action_id in recorded and sent.outcome == "applied" and action.spec.after_apply is not None:
                action.spec.after_apply(conn, action, sent.result)
    _log_outcomes(returned, recorded)


def _log_outcomes(returned: Sequence[tuple[Action, _Sent]], recorded: set[int]) -> None:
    for action, sent in returned:
        what = action.merchant_order_id or action.subject
        if action.action_id not in recorded:
            log.warning("action %d (%s) was no longer sending when its answer came", action.action_id, action.kind)
        elif sent.outcome == "refused":
            log.error("%s of %s refused by Jet (failed): %s", action.kind, what, sent.error)
        elif sent.error:
            log.warning("%s of %s: %s (%s)", action.kind, what, sent.outcome, sent.error)


def _claim(conn: psycopg.Connection, params: Mapping[str, Any]) -> list[Action]:
    with conn.transaction():
        return [Action(*row) for row in conn.execute(read_sql("outbox_claim.sql"), params, prepare=False)]


def _record_then_claim(
    conn: psycopg.Connection, returned: Sequence[tuple[Action, _Sent]], claim: Mapping[str, Any] | None
) -> list[Action]:
    """Commit what returned, then claim the next actions (``claim``: the claim's
    parameters, None for none).

    A busy database server makes every round trip slow, so on an autocommit connection
    both statements go in one round trip (pipeline mode), each its own transaction, the
    outcomes first. The claim is planned for its values each time (``prepare=False``): a
    generic plan sorts every claimable row, asking each whether it waits its turn, before
    the LIMIT (50 ms at 6,000 queued pushes instead of 1 ms).
    """
    if not conn.autocommit or any(s.outcome == "applied" and a.spec.after_apply for a, s in returned):
        if returned:
            _record(conn, returned)
        return _claim(conn, claim) if claim is not None else []
    with conn.pipeline():
        recorded = conn.execute(read_sql("outbox_record_send.sql"), _record_params(returned)) if returned else None
        claimed = conn.execute(read_sql("outbox_claim.sql"), claim, prepare=False) if claim is not None else None
    _log_outcomes(returned, {row[0] for row in recorded.fetchall()} if recorded else set())
    return [Action(*row) for row in claimed.fetchall()] if claimed else []


def _collect(inflight: Mapping[Future[_Sent], Action], workers: int, record_every: float) -> set[Future[_Sent]]:
    """The requests that returned: the first, and those returning within ``record_every``
    of it, unless the threads are about to run out of claimed work."""
    done, pending = wait(inflight, return_when=FIRST_COMPLETED)
    deadline = time.monotonic() + record_every
    while len(pending) > workers and (left := deadline - time.monotonic()) > 0:
        more, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
        done |= more
    return done


def send(
    conn: psycopg.Connection, client: Any, scope: ScopeLike = None, *, policy: Policy | None = None
) -> OutboxReceipt:
    """Send every sendable action in scope once; each outcome is committed as its request returns.

    At most :data:`CLAIM_AHEAD` actions per sender thread (``policy.max_workers``) are
    claimed (``sending``) at a time, so a sender killed mid-way leaves at most that many
    in doubt. Outcomes are committed as their requests return (those returning within
    ``policy.record_every`` of each other in one commit). Ordered kinds go one at a
    time per merchant order. An unexpected error (not a Jet answer) marks that action
    ``unknown`` and is raised once the requests in flight are recorded.
    """
    policy = policy or Policy.for_client(client)
    where = Scope.of(scope).params()
    receipt = OutboxReceipt()
    # Each action goes at most once per send: the claim skips what was sent since now.
    round_started = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
    inflight: dict[Future[_Sent], Action] = {}
    returned: list[tuple[Action, _Sent]] = []
    failure: Exception | None = None
    workers = max(1, policy.max_workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jet-outbox") as pool:
        while True:
            # Refill once half the claimed actions returned: each thread has its next one
            # queued, and a claim is one statement for many.
            claim = None
            if failure is None and len(inflight) <= workers:
                claim = {
                    **where,
                    "max_attempts": policy.max_attempts,
                    "round_started": round_started,
                    "limit": CLAIM_AHEAD * workers - len(inflight),
                }
            for action in _record_then_claim(conn, returned, claim):
                inflight[pool.submit(_send_one, client, action)] = action
            if not inflight:
                break
            returned = [(inflight.pop(f), f.result()) for f in _collect(inflight, workers, policy.record_every)]
            for _, sent in returned:
                receipt.sent += 1
                receipt.outcomes[sent.outcome] += 1
                if sent.unexpected is not None and failure is None:
                    failure = sent.unexpected
    if receipt.sent:
        log.info("sent %d actions: %s", receipt.sent, dict(receipt.outcomes))
    if failure is not None:
        raise failure
    return receipt


# ---------------------------------------------------------------------- settle


def _read_back(client: Any, actions: Sequence[Action], workers: int = 1) -> dict[int, Any]:
    """Jet's read-back per action id (missing when Jet would not serve it): one batched
    fetch of the orders, one GET per return or refund, one GET per SKU's inventory or
    price (``workers`` at a time: a killed catalog sync may leave many in doubt)."""
    from jet.api.errors import JetNotFound

    out: dict[int, Any] = {}
    by_way: dict[str, list[Action]] = {}
    for action in actions:
        by_way.setdefault(action.spec.readback, []).append(action)
    orders = by_way.get("order", [])
    if orders:
        fetched = {}
        for result in client.iter_orders(sorted({a.merchant_order_id for a in orders if a.merchant_order_id})):
            if result.order is not None:
                fetched[result.merchant_order_id] = result.order
            else:
                log.warning(
                    "order %s: Jet served no valid order (%s): its writes stay unknown",
                    result.merchant_order_id,
                    result.error or ("404" if result.missing else result.unreadable),
                )
        out.update({a.action_id: fetched[a.merchant_order_id] for a in orders if a.merchant_order_id in fetched})
    for action in by_way.get("return", []):
        try:
            out[action.action_id] = client.get_return(action.subject)
        except JetNotFound:
            log.warning("return %s: Jet answers 404: its completion stays unknown", action.subject)
    for action in by_way.get("refund", []):
        try:
            out[action.action_id] = client.get_refund(action.subject)
        except JetNotFound:
            out[action.action_id] = None  # Jet has no refund under our alt_refund_id
    on_sku = by_way.get("inventory", []) + by_way.get("price", [])
    if on_sku:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="jet-read-back") as pool:
            values = list(pool.map(lambda a: _read_sku(client, a), on_sku))
        out.update(zip((a.action_id for a in on_sku), values, strict=True))
    return out


def _read_sku(client: Any, action: Action) -> Any:
    """Jet's value of a SKU's inventory or price; None when Jet has no such SKU (404)."""
    from jet.api.errors import JetNotFound

    try:
        if action.spec.readback == "inventory":
            return client.get_inventory(action.subject)
        return client.get_price(action.subject)
    except JetNotFound:
        return None


def settle(
    conn: psycopg.Connection, client: Any, scope: ScopeLike = None, *, policy: Policy | None = None
) -> OutboxReceipt:
    """Judge every ``unknown`` (or stale ``sending``) action in scope from Jet's read-back.

    Shown by Jet: ``applied``, at once. Not shown: ``not_applied`` (``failed`` past the
    attempt limit, or when Jet moved on) only once the quiet period since its last send
    passed; before that it stays ``unknown`` (counted ``waiting``). No read-back (Jet
    served nothing valid): stays ``unknown``. HTTP failures of the reads propagate.
    """
    policy = policy or Policy.for_client(client)
    receipt = OutboxReceipt()
    rows = conn.execute(
        read_sql("outbox_unsettled.sql"),
        {
            **Scope.of(scope).params(),
            "late_apply_seconds": policy.late_apply_seconds,
            "stale_seconds": policy.stale_sending_seconds,
        },
    ).fetchall()
    if not rows:
        return receipt
    actions = {row[0]: (Action(*row[:6]), row[6], row[7], row[8], row[9]) for row in rows}
    seen = _read_back(client, [a for a, *_ in actions.values()], policy.max_workers)
    for action_id, (action, rate_limited, requeues, was, quiet) in actions.items():
        if action_id not in seen:
            receipt.outcomes["still_unknown"] += 1
            continue
        verdict, note = action.spec.judge(action, seen[action_id])
        if verdict is Verdict.APPLIED:
            state = "applied"
        elif not quiet:
            receipt.outcomes["waiting"] += 1
            continue
        elif verdict is Verdict.GONE:
            state = "failed"
        elif action.attempts - rate_limited >= policy.max_attempts * (1 + requeues):
            state, note = "failed", f"{note}; gave up after {action.attempts - rate_limited} attempt(s)"
        else:
            state = "not_applied"
        with conn.transaction():
            updated = conn.execute(
                read_sql("outbox_settle.sql"),
                {"action_id": action_id, "state": state, "error": note, "was": was, "attempts": action.attempts},
            ).fetchone()
            if updated is not None and state == "applied" and action.spec.after_apply is not None:
                action.spec.after_apply(conn, action, seen[action_id])
        receipt.outcomes[state if updated is not None else "moved_on"] += 1
        receipt.read_back += updated is not None
    log.info("settled %d actions of unknown outcome: %s", len(rows), dict(receipt.outcomes))
    return receipt


# ---------------------------------------------------------------------- drain and operator flows


def next_due(conn: psycopg.Connection, scope: ScopeLike = None, *, policy: Policy | None = None) -> float | None:
    """Seconds until an open action in scope can move on (0 or less: now); None when none is open."""
    policy = policy or Policy()
    row = conn.execute(
        read_sql("outbox_next_due.sql"),
        {
            **Scope.of(scope).params(),
            "max_attempts": policy.max_attempts,
            "late_apply_seconds": policy.late_apply_seconds,
            "stale_seconds": policy.stale_sending_seconds,
        },
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def drain(
    conn: psycopg.Connection, client: Any, scope: ScopeLike = None, *, policy: Policy | None = None
) -> OutboxReceipt:
    """Settle, then send and settle in rounds until nothing in scope is open, waiting
    (at most ``policy.max_wait`` in all) for Retry-Afters and quiet periods.

    Only what a settle found not applied, and what Jet rate-limited, is sent again:
    nothing is ever sent twice blindly. What is still open when the wait allowance is
    spent stays in the outbox for the next run.
    """
    policy = policy or Policy.for_client(client)
    scope = Scope.of(scope)
    total = settle(conn, client, scope, policy=policy)
    waited = 0.0
    for _ in range(policy.max_rounds):
        sent = send(conn, client, scope, policy=policy)
        total += sent
        total += settle(conn, client, scope, policy=policy)
        due = next_due(conn, scope, policy=policy)
        if due is None:
            break
        if due <= 0 and sent.sent:
            continue
        # Nothing moved (a read-back Jet would not serve): look again in a second.
        pause = max(due, 1.0 if not sent.sent else 0.0)
        if waited + pause > policy.max_wait:
            log.warning("outbox: still open after waiting %.0fs; the next run continues", waited)
            break
        log.info("outbox: waiting %.1fs for a Retry-After or a quiet period", pause)
        policy.sleep(pause)
        waited += pause
    return total


def apply_now(conn: psycopg.Connection, client: Any, action_id: int, *, policy: Policy | None = None) -> dict[str, Any]:
    """For operator flows: drain this action's order, then insist the action was applied.

    Raises :class:`ActionFailed` (permanent: Jet refused it or it can no longer apply)
    or :class:`ActionNotSettled` (still pending or unknown: a retry settles it).
    """
    action = get(conn, action_id)
    # The whole order drains (its ordered writes go in turn); a write on a SKU drains alone.
    order = action.merchant_order_id
    drain(conn, client, Scope(order_ids=[order]) if order else Scope(action_ids=[action_id]), policy=policy)
    done = get(conn, action_id)
    what = (
        f"{done.kind} of order {done.merchant_order_id} (action {action_id}) is {done.state} after "
        f"{done.attempts - done.rate_limited} attempt(s): {done.last_error}"
    )
    if done.state == "failed":
        hint = "" if done.requeues else f"; once its cause is fixed, re-queue it with jet_retry_action ({action_id})"
        raise ActionFailed(what + hint)
    if done.state != "applied":
        raise ActionNotSettled(what)
    log.info("%s of order %s applied at Jet (action %d)", done.kind, done.merchant_order_id, action_id)
    return {"merchant_order_id": done.merchant_order_id, "action_id": action_id, "kind": done.kind, "state": "applied"}


def requeue(conn: psycopg.Connection, run: RunIdentity, action_id: int) -> ActionState:
    """An operator re-queues a ``failed`` action, once. It becomes ``unknown``, so Jet is
    read back before anything is sent (a late apply settles it as applied)."""
    action = get(conn, action_id)
    if action.state != "failed":
        raise ActionRefused(
            f"action {action_id} ({action.kind} of order {action.merchant_order_id}) is {action.state}, not failed: "
            "only a failed action can be re-queued"
        )
    if action.requeues:
        raise ActionRefused(
            f"action {action_id} ({action.kind} of order {action.merchant_order_id}) was re-queued once already "
            f"and failed again ({action.last_error}); check the order at Jet"
        )
    with conn.transaction():
        row = conn.execute(
            read_sql("outbox_requeue.sql"), {"action_id": action_id, "who": run.actor or run.run_key}
        ).fetchone()
    if row is None:
        raise ActionRefused(f"action {action_id} changed meanwhile; look at it again")
    log.info("action %d (%s of order %s) re-queued", action_id, action.kind, action.merchant_order_id)
    return replace(action, state="unknown", requeues=1)


def open_work(conn: psycopg.Connection, policy: Policy | None = None) -> dict[str, int]:
    """Actions a sender or a settle could act on now, per call."""
    rows = conn.execute(
        read_sql("outbox_open_work.sql"), {"max_attempts": (policy or Policy()).max_attempts}
    ).fetchall()
    return {call: count for call, count in rows}


def check_registry(conn: psycopg.Connection) -> list[str]:
    """Differences between the registry (:data:`jet.outbox.kinds.KINDS`) and ``jet.action_kinds``."""
    held = {row[0]: tuple(row) for row in conn.execute(read_sql("outbox_kinds.sql"))}
    problems = []
    for name, spec in KINDS.items():
        if held.get(name) != spec.row():
            problems.append(f"{name}: registry {spec.row()} vs warehouse {held.get(name)}")
    problems += [f"{name}: in jet.action_kinds, not in the registry" for name in sorted(set(held) - set(KINDS))]
    return problems
