"""The catalog push log: each push to Jet is one row of ``jet.catalog_pushes``.

The failure policy of every write to Jet holds for pushes too:

* a push is recorded (``sending``) and committed **before** it is sent, and settled as its
  answer returns: ``accepted`` (2xx), ``refused`` (4xx other than 429: a permanent refusal,
  kept with Jet's message; the same value is not sent again), ``unknown`` (timeout, dropped
  connection, 5xx: Jet may have applied it);
* a 429 is not an attempt: the push waits for ``Retry-After`` and goes again, and every
  sender thread waits with it (:class:`RateGate`);
* a push left ``sending`` by a run that died, or ``unknown``, is settled from Jet's own
  value once quiet (:func:`read_back`): the value is there (``accepted``) or not
  (``not_applied``, and a later plan pushes it). Nothing is sent for a SKU and kind while
  its last push is unsettled, so no value is ever pushed twice.

The functions are small on purpose (send one, judge one from the read-back, record a
batch): they are what an outbox kind needs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from jet.api.errors import JetApiError, JetNotFound, JetRateLimited, JetRequestRejected, WriteOutcomeUnknown
from jet.api.models import InventoryUpdate, PriceUpdate, load_json
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.hook import JetHook

Kind = Literal["inventory", "price"]
State = Literal["sending", "accepted", "refused", "unknown", "not_applied"]
MESSAGE_SHOWN = 500  # characters of Jet's message kept
#: Without a Retry-After, a 429 waits this long first, doubling up to RATE_WAIT_CAP.
RATE_WAIT_FIRST = 1.0
RATE_WAIT_CAP = 30.0


@dataclass(frozen=True)
class Wanted:
    """A value the plan wants Jet to have: the body of one PUT."""

    sku: str
    kind: Kind
    body: dict[str, Any]

    @staticmethod
    def from_row(sku: str, kind: Kind, body_text: str) -> Wanted:
        return Wanted(sku, kind, load_json(body_text))  # money as Decimal, never float


@dataclass(frozen=True)
class Push:
    """A push recorded in the log (``push_id``), about to be sent or unsettled."""

    push_id: int
    sku: str
    kind: Kind
    body: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """How one push ended, as recorded."""

    push_id: int
    state: State
    http_status: int | None = None
    message: str | None = None
    rate_limited: int = 0
    settled_by: Literal["answer", "read_back"] = "answer"


# ---------------------------------------------------------------------- the log


def body_text(body: dict[str, Any]) -> str:
    """JSON of a body, money as numbers (Decimal written exactly)."""
    return json.dumps(body, separators=(",", ":"), default=_decimal)


def _decimal(value: object) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def open_pushes(conn: psycopg.Connection, run_id: str, wanted: Sequence[Wanted]) -> list[Push]:
    """Record ``wanted`` as pushes being sent, committed before any is sent."""
    if not wanted:
        return []
    with conn.transaction():
        rows = conn.execute(
            read_sql("catalog_push_open.sql"),
            {
                "run_id": run_id,
                "skus": [w.sku for w in wanted],
                "kinds": [w.kind for w in wanted],
                "bodies": [body_text(w.body) for w in wanted],
            },
        ).fetchall()
    ids = {(sku, kind): push_id for push_id, sku, kind in rows}
    return [Push(ids[(w.sku, w.kind)], w.sku, w.kind, w.body) for w in wanted]


def record(conn: psycopg.Connection, outcomes: Sequence[Outcome]) -> None:
    """Settle pushes with their outcomes (one transaction; recording twice changes nothing)."""
    if not outcomes:
        return
    with conn.transaction():
        conn.execute(
            read_sql("catalog_push_record.sql"),
            {
                "ids": [o.push_id for o in outcomes],
                "states": [o.state for o in outcomes],
                "statuses": [o.http_status for o in outcomes],
                "messages": [o.message[:MESSAGE_SHOWN] if o.message else None for o in outcomes],
                "rate_limited": [o.rate_limited for o in outcomes],
                "settled_by": [o.settled_by for o in outcomes],
            },
        )


@dataclass(frozen=True)
class Unsettled:
    push: Push
    state: State
    run_id: str
    sent_at: datetime
    answered_at: datetime | None


def unsettled(conn: psycopg.Connection) -> list[Unsettled]:
    """Pushes still ``sending`` or ``unknown``, oldest first."""
    rows = conn.execute(read_sql("catalog_push_unsettled.sql")).fetchall()
    return [
        Unsettled(Push(push_id, sku, kind, _as_dict(body)), state, run_id, sent_at, answered_at)
        for push_id, sku, kind, body, state, run_id, sent_at, answered_at in rows
    ]


def _as_dict(body: Any) -> dict[str, Any]:
    # psycopg decodes jsonb with floats: re-read money exactly.
    return load_json(json.dumps(body)) if not isinstance(body, str) else load_json(body)


# ---------------------------------------------------------------------- sending


class RateGate:
    """A pause every sender thread respects: a 429 holds them all until its Retry-After.

    Jet's rate limit is per merchant, not per connection: when one request is told to wait,
    the others would be told the same, so they wait too instead of spending requests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0
        self._never = threading.Event()  # never set: wait() on it is a pause
        self.waited = 0.0

    def hold(self, seconds: float) -> None:
        """No sender starts a request for ``seconds`` from now."""
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def wait(self) -> None:
        """Return once the gate is open."""
        while True:
            with self._lock:
                delay = self._until - self._clock()
            if delay <= 0:
                return
            self._never.wait(delay)
            with self._lock:
                self.waited += delay


def send(hook: JetHook, push: Push, gate: RateGate, *, max_rate_wait: float = 900.0) -> Outcome:
    """Send one push and say how it ended. Never raises for Jet's answers.

    A 429 is not an attempt: the push waits (with every other sender) and goes again,
    until it has waited ``max_rate_wait`` seconds; then it is ``not_applied`` (a 429 is a
    certain refusal) and a later run sends it.
    """
    rate_limited = 0
    waited = 0.0
    delay = RATE_WAIT_FIRST
    while True:
        gate.wait()
        try:
            _put(hook, push)
        except JetRateLimited as exc:
            rate_limited += 1
            pause = exc.retry_after if exc.retry_after is not None else delay
            delay = min(delay * 2, RATE_WAIT_CAP)
            if waited + pause > max_rate_wait:
                return Outcome(
                    push.push_id,
                    "not_applied",
                    429,
                    f"still rate limited after {rate_limited} HTTP 429 and {waited:.0f} s of waiting",
                    rate_limited,
                )
            waited += pause
            gate.hold(pause)
            continue
        except JetRequestRejected as exc:
            return Outcome(push.push_id, "refused", exc.status, "; ".join(exc.errors) or str(exc), rate_limited)
        except WriteOutcomeUnknown as exc:
            return Outcome(push.push_id, "unknown", exc.status, str(exc), rate_limited)
        except JetApiError as exc:  # e.g. the token could not be had: unknown, settled by read-back
            return Outcome(push.push_id, "unknown", getattr(exc, "status", None), str(exc), rate_limited)
        return Outcome(push.push_id, "accepted", 204, None, rate_limited)


def _put(hook: JetHook, push: Push) -> None:
    if push.kind == "inventory":
        hook.update_inventory(push.sku, InventoryUpdate.model_validate(push.body))
    else:
        hook.update_price(push.sku, PriceUpdate.model_validate(push.body))


# ---------------------------------------------------------------------- read-back


def applied_at_jet(hook: JetHook, push: Push) -> bool:
    """Whether Jet has the push's value now (its own GET of the SKU's inventory or price)."""
    if push.kind == "inventory":
        wanted = {str(n["fulfillment_node_id"]): int(n["quantity"]) for n in push.body["fulfillment_nodes"]}
        return hook.get_inventory(push.sku) == wanted
    price, nodes = hook.get_price(push.sku)
    wanted_nodes = {
        str(n["fulfillment_node_id"]): Decimal(str(n["fulfillment_node_price"]))
        for n in push.body.get("fulfillment_nodes") or []
    }
    return price == Decimal(str(push.body["price"])) and nodes == wanted_nodes


def read_back(hook: JetHook, push: Push) -> Outcome:
    """Settle an unsettled push from Jet's current value."""
    try:
        applied = applied_at_jet(hook, push)
    except JetNotFound as exc:
        return Outcome(push.push_id, "not_applied", exc.status, f"read back: {exc}", settled_by="read_back")
    if applied:
        return Outcome(push.push_id, "accepted", None, "read back: Jet has the value", settled_by="read_back")
    return Outcome(push.push_id, "not_applied", None, "read back: Jet does not have the value", settled_by="read_back")
