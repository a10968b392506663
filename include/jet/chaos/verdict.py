"""The campaign's verdict: the warehouse and Jet's ledger compared with the sandbox's
ground truth, row by row. Every figure must be 0.

* **orders lost**: orders that reached ``ready`` at Jet and are not in ``jet.orders``.
* **orders duplicated**: orders whose landed lines differ from Jet's in number or units
  (a line landed twice, or a line missing).
* **writes applied more than once**, per kind, from the ledger: an acknowledgement call
  (accepted or rejected) per order; a shipment per ``alt_shipment_id``; a return
  completion per return; a refund per ``alt_refund_id``. The figure is the number of
  extra applications.
* **acknowledged and cancelled**: orders whose acknowledgement at Jet disagrees with
  the merchant's decision: accepted at Jet although the merchant decided to reject or
  cancel, or rejected at Jet although it decided to acknowledge.
* **shipped before acknowledged**: a shipment applied at Jet before (or without) the
  order's accepted acknowledgement.
* **acknowledgements lost**: orders Jet withdrew for want of an acknowledgement although
  the merchant had decided to acknowledge them (the stock was there), or never decided.
* **settlements not reconciled**: Jet's settlement reports that the warehouse lacks, has
  with another settlement value, or does not show ``reconciled``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg

from jet.api.vocabulary import AcknowledgementStatus
from jet.sql import read_sql

#: Ledger kinds the pipeline writes, and how an application is identified.
WRITE_KINDS = ("acknowledge", "shipped", "return_complete", "refund")


@dataclass
class Figures:
    """The verdict's figures, with a few examples of each for the operator."""

    orders_lost: int = 0
    orders_duplicated: int = 0
    applied_more_than_once: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WRITE_KINDS, 0))
    acknowledged_and_cancelled: int = 0
    shipped_before_acknowledged: int = 0
    acknowledgements_lost: int = 0
    settlements_not_reconciled: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def rows(self) -> list[tuple[str, int]]:
        """(label, figure) in the table's order."""
        out = [("orders lost", self.orders_lost), ("orders duplicated", self.orders_duplicated)]
        out += [(f"writes applied more than once: {k}", v) for k, v in self.applied_more_than_once.items()]
        out += [
            ("acknowledged and cancelled", self.acknowledged_and_cancelled),
            ("shipped before acknowledged", self.shipped_before_acknowledged),
            ("acknowledgements lost (withdrawn, stock there)", self.acknowledgements_lost),
            ("settlements not reconciled", self.settlements_not_reconciled),
        ]
        return out

    @property
    def clean(self) -> bool:
        return all(v == 0 for _, v in self.rows())

    def _example(self, what: str, text: str) -> None:
        if len(self.examples[what]) < 3:
            self.examples[what].append(text)


def _write_key(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The identities one ledger entry applies (a shipped call may carry several shipments)."""
    kind, path, body = entry["kind"], entry["path"], entry.get("body") or {}
    if kind == "acknowledge":
        return [(kind, entry["merchant_order_id"])]
    if kind == "shipped":
        return [(kind, str(s.get("alt_shipment_id"))) for s in body.get("shipments") or [{}]]
    if kind == "return_complete":
        return [(kind, path.split("/")[-2])]
    if kind == "refund":
        return [(kind, path.rstrip("/").split("/")[-1])]
    return []


def judge_ledger(figures: Figures, ledger: Iterable[Mapping[str, Any]], decisions: Mapping[str, str]) -> None:
    """Duplicates, disagreeing acknowledgements and early shipments, from the ledger."""
    applied: Counter[tuple[str, str]] = Counter()
    first_accept: dict[str, int] = {}
    acks: dict[str, list[str]] = defaultdict(list)
    for entry in sorted(ledger, key=lambda e: e["seq"]):
        for key in _write_key(entry):
            applied[key] += 1
        oid = entry.get("merchant_order_id")
        if entry["kind"] == "acknowledge" and oid:
            status = (entry.get("body") or {}).get("acknowledgement_status", "")
            acks[oid].append(status)
            if status == AcknowledgementStatus.ACCEPTED:
                first_accept.setdefault(oid, entry["seq"])
        elif entry["kind"] == "shipped" and oid and (oid not in first_accept or first_accept[oid] > entry["seq"]):
            figures.shipped_before_acknowledged += 1
            figures._example("shipped before acknowledged", oid)
    for (kind, ident), n in applied.items():
        if n > 1:
            figures.applied_more_than_once[kind] += n - 1
            figures._example(f"{kind} applied more than once", f"{ident} x{n}")
    for oid, statuses in acks.items():
        decided = decisions.get(oid)
        accepted = AcknowledgementStatus.ACCEPTED in statuses
        rejected = any(s != AcknowledgementStatus.ACCEPTED for s in statuses)
        if (
            (accepted and rejected)
            or (accepted and decided in ("reject", "cancel"))
            or (rejected and decided == "acknowledge")
        ):
            figures.acknowledged_and_cancelled += 1
            figures._example("acknowledged and cancelled", f"{oid}: Jet {statuses}, decided {decided}")


def judge_orders(figures: Figures, truth: Iterable[Mapping[str, Any]], conn: psycopg.Connection) -> None:
    """Orders lost, duplicated, and acknowledgements lost, against the ground truth."""
    landed = {oid: (lines, units) for oid, lines, units in conn.execute(read_sql("chaos_landed_orders.sql"))}
    decisions: dict[str, str] = dict(conn.execute(read_sql("chaos_decisions.sql")).fetchall())
    for entry in truth:
        order, state = entry["order"], entry["state"]
        oid = order["merchant_order_id"]
        if not order.get("order_ready_date"):
            continue  # still in Jet's fraud check: not ours to land yet
        if oid not in landed:
            figures.orders_lost += 1
            figures._example("orders lost", oid)
        else:
            lines = len(state["lines"])
            units = sum(int(line["quantity"]) for line in state["lines"])
            if landed[oid] != (lines, units):
                figures.orders_duplicated += 1
                figures._example("orders duplicated", f"{oid}: landed {landed[oid]}, Jet {(lines, units)}")
        if state["withdrawn"] and decisions.get(oid) not in ("reject", "cancel"):
            figures.acknowledgements_lost += 1
            figures._example("acknowledgements lost", f"{oid} (decided {decisions.get(oid)})")


def judge_settlements(figures: Figures, truth: Iterable[Mapping[str, Any]], conn: psycopg.Connection) -> None:
    """Every settlement Jet made is in the warehouse, with Jet's value, reconciled."""
    landed = {sid: (status, value) for sid, status, value in conn.execute(read_sql("chaos_settlements.sql"))}
    for report in truth:
        sid = report["settlement_report_id"]
        status, value = landed.get(sid, ("missing", None))
        if status != "reconciled" or value != Decimal(str(report["settlement_value"])):
            figures.settlements_not_reconciled += 1
            figures._example("settlements not reconciled", f"{sid}: {status}, {value} vs {report['settlement_value']}")


def verdict(sandbox: Any, conn: psycopg.Connection) -> Figures:
    """All figures, from the sandbox's ground truth and ledger and the warehouse."""
    figures = Figures()
    decisions: dict[str, str] = dict(conn.execute(read_sql("chaos_decisions.sql")).fetchall())
    judge_ledger(figures, sandbox.ledger(), decisions)
    judge_orders(figures, sandbox.truth_orders(), conn)
    judge_settlements(figures, sandbox.truth("settlements")["settlements"], conn)
    return figures
