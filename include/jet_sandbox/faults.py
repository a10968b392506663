"""Fault injection and the request-rate budget.

Fault decisions come from a RNG seeded with the sandbox seed, so a run with the same
requests in the same order sees the same faults.
"""

from __future__ import annotations

import math
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jet_sandbox.chaos_faults import FaultTally, check_params

FAULT_KINDS = (
    "error_500",
    "error_503",
    "rate_429",
    "latency",
    "hang",
    "drop_after_apply",
    "truncated_json",
    "malformed_json",
    "duplicate_urls",
    "missing_optional",
    "expire_token",
)


class FaultRule(BaseModel):
    """One rule: ``kind`` fires with probability ``rate`` on requests matching methods and path."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description=f"one of {', '.join(FAULT_KINDS)}")
    rate: float = Field(1.0, ge=0, le=1)
    methods: list[str] | None = Field(None, description="HTTP methods; null = any")
    path: str | None = Field(None, description="regex searched in the path after /api; null = any")
    params: dict[str, Any] = Field(default_factory=dict)

    def model_post_init(self, _context: Any) -> None:
        """Reject unknown kinds and bad regexes early (400 at PUT /_sandbox/faults)."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {list(FAULT_KINDS)}")
        if self.path is not None:
            try:
                re.compile(self.path)
            except re.error as exc:
                raise ValueError(f"path is not a valid regex: {exc}") from exc
        check_params(self.params)


@dataclass
class FaultEngine:
    """Holds the rules and draws the decisions."""

    seed: int
    rules: list[FaultRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:faults")
        self.tally = FaultTally()  # what fired, per label (chaos_faults.py)
        self._compiled: list[tuple[FaultRule, re.Pattern[str] | None, set[str] | None]] = []
        #: Rule index -> monotonic instant a 429 storm started by that rule ends.
        self._storms: dict[int, float] = {}

    def set_rules(self, rules: list[FaultRule]) -> None:
        """Replace the rules."""
        self.rules = rules
        self._storms = {}
        self.tally.rules_replaced()
        self._compiled = [
            (r, re.compile(r.path) if r.path else None, {m.upper() for m in r.methods} if r.methods else None)
            for r in rules
        ]

    def reseed(self, seed: int) -> None:
        """Restart the decision stream (at reset)."""
        self.seed = seed
        self.rng = random.Random(f"{seed}:faults")
        self.tally.clear()

    def decide(self, method: str, api_path: str) -> dict[str, FaultRule]:
        """The kinds that fire for this request (first matching rule per kind wins)."""
        fired: dict[str, FaultRule] = {}
        now = time.monotonic()
        for index, (rule, pattern, methods) in enumerate(self._compiled):
            if methods is not None and method not in methods:
                continue
            if pattern is not None and not pattern.search(api_path):
                continue
            if rule.kind in fired:
                continue
            if self._storms.get(index, float("-inf")) > now:
                fired[rule.kind] = rule  # inside a storm: every matching request
            elif (rule.rate >= 1.0 or self.rng.random() < rule.rate) and self.tally.admit(rule):
                fired[rule.kind] = rule
                storm = float(rule.params.get("storm_seconds", 0) or 0)
                if rule.kind == "rate_429" and storm > 0:
                    self._storms[index] = now + storm
        return fired


class TokenBucket:
    """Request budget on wall time (rate limits are about real request rates, not sandbox time)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a request may pass, else the seconds until one may (for ``Retry-After``)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


def retry_after_header(wait: float) -> str:
    """Whole seconds, at least 1 (HTTP's Retry-After has no fractions)."""
    return str(max(1, math.ceil(wait)))
