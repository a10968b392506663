"""The fault classes of the campaign and when each one is switched on.

Every class says where it acts: ``jet`` classes are sandbox fault rules (armed for one
step with a budget of fires, counted by the sandbox's tally, so the table shows what
really fired, not what was asked for); ``budget`` lowers Jet's request rate budget for
a step (a 429 storm, counted from the sandbox's request log); ``warehouse`` classes terminate the pipeline's
own PostgreSQL session mid-statement; ``process`` kills a task mid-send; ``runs``
starts two runs of one DAG at once. A class whose fault the sandbox cannot produce yet
is listed with ``pending`` and reported as such, never silently left out.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: GETs answering JSON (the token call and the settlement CSV download are not JSON).
JSON_READS = r"^/(?!token$|reports/download/)"
#: List endpoints (the only ones ``duplicate_urls`` acts on).
LISTS = r"^/((orders|returns|refunds)/[A-Za-z]+|settlement/\d+)$"
#: Every write the pipeline makes (POST /token and the report request are not writes).
WRITES = r"^/(orders/[^/]+/(acknowledge|shipped)|returns/[^/]+/complete|refunds/[^/]+/[^/]+)$"
#: Requests that carry a token (everything but the login and the CSV download).
AUTHENTICATED = r"^/(?!token$|reports/download/)"

#: Jet's request budget during a 429 storm (requests per second, burst the same).
STORM_RATE = 5

READ = ["GET"]
WRITE = ["PUT", "POST"]


@dataclass(frozen=True)
class FaultClass:
    """One row of the fault table."""

    name: str
    layer: str  # jet | budget | warehouse | process | runs
    rules: tuple[dict[str, Any], ...] = ()  # sandbox rules (jet layer), without label / budget
    per_step: int = 2  # fires allowed per armed step
    pending: str | None = None  # why the class cannot be switched on yet

    def armed_rules(self, budget: int) -> list[dict[str, Any]]:
        """The sandbox rules for one step: labelled with the class, at most ``budget`` fires."""
        return [
            {**rule, "params": {**rule.get("params", {}), "label": self.name, "max_fires": budget}}
            for rule in self.rules
        ]


def _rule(kind: str, rate: float, methods: list[str] | None, path: str, **params: Any) -> dict[str, Any]:
    return {"kind": kind, "rate": rate, "methods": methods, "path": path, "params": params}


def fault_classes(read_timeout: float) -> tuple[FaultClass, ...]:
    """The campaign's classes; hangs last one second past the client's read timeout,
    late-applied writes land three read timeouts after they were sent."""
    hang = read_timeout + 1.0
    late = 3 * read_timeout
    return (
        FaultClass("429 on reads", "jet", (_rule("rate_429", 0.05, READ, JSON_READS, retry_after=1),)),
        FaultClass("429 on writes", "jet", (_rule("rate_429", 0.2, WRITE, WRITES, retry_after=1),)),
        FaultClass(
            "500/503",
            "jet",
            (_rule("error_500", 0.03, None, JSON_READS), _rule("error_503", 0.03, None, JSON_READS)),
            per_step=3,
        ),
        FaultClass("hang on reads", "jet", (_rule("hang", 0.02, READ, JSON_READS, seconds=hang),), per_step=1),
        FaultClass("hang on writes", "jet", (_rule("hang", 0.1, WRITE, WRITES, seconds=hang),), per_step=1),
        # Jet applies the write well after the client gave up and after an immediate
        # read-back: the case the outbox's quiet period exists for.
        FaultClass("late-applied writes", "jet", (_rule("hang", 0.1, WRITE, WRITES, seconds=late),), per_step=1),
        # Jet's own request budget drops to STORM_RATE/s for a step: 429s with
        # Retry-After on writes (and reads); counted from the sandbox's request log.
        FaultClass("429 storm on writes", "budget", per_step=3),
        FaultClass("drop after apply", "jet", (_rule("drop_after_apply", 0.2, WRITE, WRITES),)),
        FaultClass("truncated JSON", "jet", (_rule("truncated_json", 0.03, READ, JSON_READS),)),
        # Every list read of an armed step (at most its budget): a step reads one or two
        # lists, so at 0.3 a reduced run's last armings could all miss (one ended 2 < 3).
        FaultClass("duplicate list entries", "jet", (_rule("duplicate_urls", 1.0, READ, LISTS),)),
        # 0.1, not 0.03: an armed step late in a short campaign may see a dozen requests,
        # and a class left short fails the campaign (a reduced run once ended 2 < 3).
        FaultClass("expired token", "jet", (_rule("expire_token", 0.1, None, AUTHENTICATED),)),
        FaultClass("warehouse killed in COPY", "warehouse", per_step=1),
        FaultClass("warehouse killed in merge", "warehouse", per_step=1),
        FaultClass("task SIGKILLed mid-send", "process", per_step=1),
        FaultClass("two runs at once", "runs", per_step=1),
    )


@dataclass
class FaultPlan:
    """Which classes are armed at which step: seeded, spread over the campaign, and
    re-armed until each class reached its target (a class armed on a step with no
    matching request fires nothing and is simply armed again later)."""

    classes: Sequence[FaultClass]
    target: int  # fires wanted per class
    steps: int
    seed: int
    fired: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:chaos-plan")
        self.active = [c for c in self.classes if c.pending is None]
        for c in self.active:
            self.fired.setdefault(c.name, 0)

    def arm(self, step: int, counts: Mapping[str, int]) -> list[FaultClass]:
        """The classes to switch on at ``step`` given the fires so far (``counts``)."""
        self.fired.update({k: v for k, v in counts.items() if k in self.fired})
        left = max(1, self.steps - step)
        armed = []
        for c in self.active:
            missing = self.target - self.fired[c.name]
            if missing <= 0:
                continue
            # Expected armings still needed, spread over the steps left (x1.5: some
            # armings find nothing to act on); every class goes at latest near the end.
            chance = min(1.0, 1.5 * missing / (c.per_step * left))
            if self.rng.random() < chance:
                armed.append(c)
        return armed

    def sandbox_rules(self, armed: Sequence[FaultClass]) -> list[dict[str, Any]]:
        """Rules for the sandbox for the armed ``jet`` classes."""
        rules: list[dict[str, Any]] = []
        for c in armed:
            if c.layer == "jet":
                rules += c.armed_rules(min(c.per_step, max(1, self.target - self.fired[c.name])))
        return rules
