"""Fault budgets and the tally of faults that fired (what a fault campaign needs).

A campaign must prove that each fault class really happened, and a given number of
times, not that a rule with some rate was switched on. Two rule params serve it:

* ``label``: the class a fire is counted under (default: the rule's kind), so one kind
  used for two purposes, say ``hang`` on reads and ``hang`` on writes, counts apart;
* ``max_fires``: the rule fires at most this many times, then stands aside, so a
  campaign can switch a class on for a burst of exactly *n* faults.

The tally (``GET /_sandbox/faults/fired``) counts every fire since the last reset or
``DELETE /_sandbox/faults/fired``; replacing the rules keeps it, so a campaign can
switch rules on and off step by step and read one total at the end.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


class FaultTally:
    """Fires per label, and per rule for the ``max_fires`` budgets."""

    def __init__(self) -> None:
        self.by_label: Counter[str] = Counter()
        self._by_rule: Counter[int] = Counter()

    def rules_replaced(self) -> None:
        """New rules start with a full budget; the labelled totals stay."""
        self._by_rule.clear()

    def clear(self) -> None:
        """Forget every fire (at reset, or when asked)."""
        self.by_label.clear()
        self._by_rule.clear()

    def admit(self, rule: Any) -> bool:
        """Whether ``rule`` (a :class:`~jet_sandbox.faults.FaultRule`) may fire once more;
        counts the fire when it may."""
        budget = rule.params.get("max_fires")
        if budget is not None and self._by_rule[id(rule)] >= int(budget):
            return False
        self._by_rule[id(rule)] += 1
        self.by_label[str(rule.params.get("label") or rule.kind)] += 1
        return True

    def as_json(self) -> dict[str, Any]:
        """``{"fired": {label: count}, "total": n}``."""
        return {"fired": dict(sorted(self.by_label.items())), "total": sum(self.by_label.values())}


def check_params(params: dict[str, Any]) -> None:
    """Refuse a malformed ``max_fires`` / ``label`` early (400 at ``PUT /_sandbox/faults``)."""
    budget = params.get("max_fires")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
        raise ValueError(f"params.max_fires must be a non-negative integer, not {budget!r}")
    label = params.get("label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise ValueError(f"params.label must be a non-empty string, not {label!r}")
