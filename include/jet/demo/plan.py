"""What a simulated trading period is: its length, its traffic and how the merchant behaves.

Everything the simulated merchant does is a pure function of the order id (a stable hash),
so the same plan over the same sandbox seed gives the same business every time.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from jet.api.vocabulary import CANCEL_REASONS

#: The sandbox clock's start for the demo: a midnight, so the period is whole UTC days
#: and every settlement day in it is complete.
DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodPlan:
    """A trading period on the sandbox clock, stepped like the scheduler steps the DAGs."""

    start: datetime = DEFAULT_START
    hours: float = 72.0
    orders_per_hour: float = 30.0
    #: jet_orders, jet_decide_orders and jet_fulfillment run every 10 minutes.
    step_minutes: int = 10
    #: jet_returns runs every 30 minutes.
    returns_every_minutes: int = 30
    #: The warehouse ships an acknowledged order (or the rest of a partial one) this long after.
    handling: timedelta = timedelta(hours=1)
    #: Share of acknowledged orders the warehouse cannot fill at all (every unit cancelled).
    cancel_share: float = 0.05
    #: Share shipped in two parcels (one unit first, the rest later) ...
    partial_share: float = 0.12
    #: ... and of those, the share whose rest is cancelled instead of shipped.
    partial_rest_cancelled_share: float = 0.4
    #: Share of shipped orders the merchant refunds (one unit, item damaged) once complete.
    refund_share: float = 0.03
    #: Share of acknowledged orders whose buyer cancels before they ship: Jet asks the
    #: merchant to cancel every unit (a directed cancel) and ``jet_decide_orders`` answers.
    directed_cancel_share: float = 0.02
    #: Share of acknowledged orders a person cancels before they ship, through
    #: ``jet_cancel_order``'s library call, as ``operator``, for one of ``operator_reasons``.
    operator_cancel_share: float = 0.02
    operator: str = "dana"
    operator_reasons: tuple[str, ...] = ("customer_request", "unfulfillable_address", "fraud")
    #: A return the return policy does not complete by itself is completed by a person after this.
    operator_delay: timedelta = timedelta(hours=4)
    #: Sandbox: share of shipped orders the buyer returns, and how many days after shipping.
    return_rate: float = 0.1
    return_delay_days: tuple[float, float] = (0.25, 1.5)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("the period's start must be timezone-aware (UTC)")
        if self.hours <= 0:
            raise ValueError(f"the period must last more than 0 hours, not {self.hours}")
        if self.orders_per_hour <= 0:
            raise ValueError(f"orders per hour must be more than 0, not {self.orders_per_hour}")
        if self.returns_every_minutes % self.step_minutes:
            raise ValueError("returns_every_minutes must be a multiple of step_minutes")
        if self.directed_cancel_share + self.operator_cancel_share > 1:
            raise ValueError("directed_cancel_share and operator_cancel_share together cannot pass 1")
        if not self.operator_reasons:
            raise ValueError("the operator needs at least one reason to cancel for")
        unknown = sorted(set(self.operator_reasons) - set(CANCEL_REASONS))
        if unknown:  # refused here, not 30 sandbox hours into the period by jet_cancel_order
            raise ValueError(f"operator_reasons {unknown} are not cancel reasons ({sorted(CANCEL_REASONS)})")

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    @property
    def steps(self) -> int:
        return int(self.hours * 60 // self.step_minutes)

    def cancelled_after_ack(self, order_id: str) -> str | None:
        """Who cancels the acknowledged order before it ships: ``"jet"`` (the buyer, through
        Jet's directed cancel), ``"operator"``, or nobody (None). One draw per order for both,
        so no order is cancelled twice."""
        fate = fraction(order_id, "after-ack")
        if fate < self.directed_cancel_share:
            return "jet"
        if fate < self.directed_cancel_share + self.operator_cancel_share:
            return "operator"
        return None

    def operator_reason(self, order_id: str) -> str:
        """The reason the operator gives for cancelling ``order_id`` (stable per order)."""
        return self.operator_reasons[int(fraction(order_id, "reason") * len(self.operator_reasons))]

    def sandbox_config(self) -> dict[str, Any]:
        """Sandbox settings for the period: Poisson arrivals, Jet's 30-minute fraud check, returns."""
        low, high = self.return_delay_days
        return {
            "arrivals_per_hour": self.orders_per_hour,
            "fraud_check_delay_seconds": 1800,
            "return_rate": self.return_rate,
            "return_delay_days_min": low,
            "return_delay_days_max": high,
        }


def plan_from_env(env: dict[str, str] | None = None) -> PeriodPlan:
    """The demo's plan, with ``DEMO_DAYS`` and ``DEMO_ORDERS_PER_HOUR`` if set (clear error if not numbers)."""
    env = dict(os.environ if env is None else env)
    changes: dict[str, Any] = {}
    for name, field, scale in (("DEMO_DAYS", "hours", 24.0), ("DEMO_ORDERS_PER_HOUR", "orders_per_hour", 1.0)):
        raw = env.get(name, "").strip()
        if not raw:
            continue
        try:
            value = float(Decimal(raw))
        except ArithmeticError:
            raise ValueError(f"{name} must be a number, not {raw!r}") from None
        if value <= 0:
            raise ValueError(f"{name} must be more than 0, not {raw!r}")
        changes[field] = value * scale
    return PeriodPlan(**changes)


def fraction(key: str, salt: str) -> float:
    """A stable number in [0, 1) per key and purpose: the same order always gets the same fate."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32
