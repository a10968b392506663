"""The campaign's judge and fault plan, on hand-made ledgers: each figure counts what it
says, and the plan arms every class until it reached its target."""

from __future__ import annotations

from typing import Any

import pytest

from jet.chaos.faults import FaultPlan, fault_classes
from jet.chaos.verdict import Figures, judge_ledger

pytestmark = pytest.mark.unit


def entry(seq: int, kind: str, oid: str | None, path: str = "", body: Any = None) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "merchant_order_id": oid, "path": path, "body": body or {}}


def ack(seq: int, oid: str, status: str = "accepted") -> dict[str, Any]:
    return entry(seq, "acknowledge", oid, f"/api/orders/{oid}/acknowledge", {"acknowledgement_status": status})


def ship(seq: int, oid: str, *alt_ids: str) -> dict[str, Any]:
    body = {"shipments": [{"alt_shipment_id": a} for a in alt_ids]}
    return entry(seq, "shipped", oid, f"/api/orders/{oid}/shipped", body)


def test_a_clean_ledger_gives_zeros() -> None:
    figures = Figures()
    ledger = [ack(1, "A"), ship(2, "A", "A-1"), ship(3, "A", "A-2"), ack(4, "B", "rejected - item level error")]
    judge_ledger(figures, ledger, {"A": "acknowledge", "B": "reject"})
    assert figures.clean, figures.rows()


def test_each_write_applied_twice_counts_once_per_extra_application() -> None:
    figures = Figures()
    ledger = [
        ack(1, "A"),
        ship(2, "A", "A-1"),
        ship(3, "A", "A-1"),  # the same parcel again
        ship(4, "A", "A-1"),
        entry(5, "refund", "A", "/api/refunds/A/RF-1"),
        entry(6, "refund", "A", "/api/refunds/A/RF-1"),
        entry(7, "return_complete", "A", "/api/returns/R1/complete"),
        entry(8, "return_complete", "A", "/api/returns/R1/complete"),
    ]
    judge_ledger(figures, ledger, {"A": "acknowledge"})
    assert figures.applied_more_than_once == {"acknowledge": 0, "shipped": 2, "return_complete": 1, "refund": 1}
    assert not figures.clean


def test_a_shipment_before_or_without_the_acceptance_is_counted() -> None:
    figures = Figures()
    judge_ledger(figures, [ship(1, "A", "A-1"), ack(2, "A"), ship(3, "B", "B-1")], {"A": "acknowledge"})
    assert figures.shipped_before_acknowledged == 2


@pytest.mark.parametrize(
    ("statuses", "decided"),
    [(["accepted"], "cancel"), (["rejected - other"], "acknowledge"), (["accepted", "rejected - other"], None)],
)
def test_an_acknowledgement_that_contradicts_the_decision_is_counted(statuses: list[str], decided: str | None) -> None:
    figures = Figures()
    judge_ledger(figures, [ack(i, "A", s) for i, s in enumerate(statuses, 1)], {"A": decided} if decided else {})
    assert figures.acknowledged_and_cancelled == 1


def test_the_plan_arms_every_class_until_its_target() -> None:
    classes = fault_classes(read_timeout=2.0)
    plan = FaultPlan(classes, target=5, steps=200, seed=3)
    fired = {c.name: 0 for c in plan.active}
    for step in range(200):
        for armed in plan.arm(step, fired):
            assert armed.pending is None
            fired[armed.name] += armed.per_step
    assert all(n >= 5 for n in fired.values()), fired
    assert len(plan.active) == len(classes) == 15
    rules = plan.sandbox_rules([c for c in classes if c.layer == "jet" and c.pending is None])
    assert all(r["params"]["label"] and r["params"]["max_fires"] >= 1 for r in rules)
