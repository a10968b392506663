"""Decide the undecided orders and record decisions + intended actions in one transaction.

Reads the warehouse (ready orders, catalog, stock net of promised units, current
settings), runs the pure rules (:mod:`jet.decisions.rules`) and writes, in the same
transaction, one decision row per order and, unless it is a dry run or the order is
held, one intended action in the outbox (:mod:`jet.outbox` sends it later).
Nothing here talks to Jet: every decision is committed before any call is made.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jet import outbox
from jet.decisions.acknowledgement import acknowledge_body, to_jet_acknowledgement
from jet.decisions.rules import (
    Decision,
    Order,
    OrderLine,
    Outcome,
    Product,
    Settings,
    StockKey,
    StockLevel,
    decide_batch,
)
from jet.failures import PermanentError
from jet.outbox.kinds import ACKNOWLEDGE, CANCEL, CANCEL_UNITS, DIRECTED_CANCEL, REJECT
from jet.sql import execute, one, read_sql
from jet.warehouse import locks

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

# The advisory key deciders took before migration 0037; every role may take an advisory
# key, so the decider now takes the pipeline lock "decide" (jet.warehouse.locks) instead.
DECIDE_LOCK_KEY = 7_315_270_005

#: Action kind of each outcome's acknowledgement call (held orders send nothing).
ACTION_KIND: Mapping[Outcome, str | None] = {
    Outcome.ACKNOWLEDGE: ACKNOWLEDGE,
    Outcome.REJECT: REJECT,
    Outcome.CANCEL: CANCEL,
    Outcome.HOLD: None,
}
LOAD_CATALOG_HINT = (
    "load it with `make load-inventory FILE=<your catalog>.csv` (a sample: samples/catalog.csv) "
    "or the jet_load_inventory DAG"
)


class CatalogNotLoaded(PermanentError):
    """Ready orders wait undecided because the catalog holds no product; nothing was sent for them."""

    def __init__(self, held: int, deadline: datetime | None) -> None:
        self.held = held
        when = f"; the first acknowledgement deadline is {deadline.isoformat()}" if deadline else ""
        super().__init__(
            f"the catalog is empty (jet.products has no product): {held} ready order(s) were not decided and "
            f"nothing was sent to Jet for them{when}. Without a catalog every SKU looks unknown and every order "
            f"would be cancelled: {LOAD_CATALOG_HINT}. jet_decide_orders decides them as soon as it is loaded."
        )


@dataclass
class DecideReceipt:
    """What one decide step did; small enough for XCom."""

    decided: int = 0
    dry_run: bool = False
    by_outcome: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    settings_version: int | None = None
    held_no_catalog: int = 0

    def as_xcom(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "dry_run": self.dry_run,
            "by_outcome": dict(self.by_outcome),
            "actions": dict(self.actions),
            "settings_version": self.settings_version,
            "held_no_catalog": self.held_no_catalog,
        }


def current_settings(conn: psycopg.Connection) -> Settings:
    """The settings version in force (``jet.current_settings``)."""
    row = conn.execute(read_sql("decisions_current_settings.sql")).fetchone()
    if row is None:
        raise RuntimeError("jet.settings is empty: migration 0003 seeds version 1; was it applied?")
    version, auto_ack, regardless, policy, safety = row
    return Settings(
        version=version,
        auto_acknowledge=auto_ack,
        accept_regardless_of_inventory=regardless,
        partial_stock_policy=policy,
        safety_stock=safety,
    )


def load_undecided(conn: psycopg.Connection) -> list[Order]:
    """Ready orders without a real decision, oldest first, lines net of Jet's cancel requests."""
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    heads: dict[str, tuple[str, Any]] = {}
    for order_id, node, ready_at, item_id, sku, qty in execute(conn, "decisions_undecided_lines.sql"):
        heads.setdefault(order_id, (node, ready_at))
        lines[order_id].append(OrderLine(line_id=item_id, sku=sku, quantity=qty))
    return [
        Order(order_id=oid, node=node, ready_at=ready_at, lines=tuple(lines[oid]))
        for oid, (node, ready_at) in heads.items()
    ]


def load_catalog(
    conn: psycopg.Connection, skus: Iterable[str]
) -> tuple[dict[str, Product], dict[StockKey, StockLevel]]:
    """Products and stock levels (with promised units) of ``skus``, at every node."""
    wanted = sorted(set(skus))
    products = {
        sku: Product(sku=sku, replenishable=repl, archived=arch)
        for sku, repl, arch in conn.execute(read_sql("decisions_products.sql"), {"skus": wanted})
    }
    stock = {
        (sku, node): StockLevel(
            sku=sku, node=node, on_hand=on_hand, promised=promised, safety_stock=safety, shipped_since_count=shipped
        )
        for sku, node, on_hand, promised, safety, shipped in conn.execute(
            read_sql("decisions_stock.sql"), {"skus": wanted}
        )
    }
    return products, stock


def acknowledgement_body(decision: Decision) -> dict[str, Any] | None:
    """Jet's acknowledge body for a decision (None for a held order)."""
    ack = to_jet_acknowledgement(decision)
    return None if ack is None else acknowledge_body(ack)


def _inputs(
    order: Order,
    decision: Decision,
    products: Mapping[str, Product],
    stock: Mapping[StockKey, StockLevel],
    settings: Settings,
    pool_before: Mapping[StockKey, int],
    position: int,
) -> dict[str, Any]:
    """The replayable snapshot stored with a decision."""
    skus = sorted({line.sku for line in order.lines})
    return {
        "order": {
            "node": order.node,
            "ready_at": order.ready_at.isoformat(),
            "lines": [{"line_id": ln.line_id, "sku": ln.sku, "quantity": ln.quantity} for ln in order.lines],
        },
        "products": {
            sku: {"replenishable": products[sku].replenishable, "archived": products[sku].archived}
            for sku in skus
            if sku in products
        },
        "stock": {
            sku: (
                {
                    "on_hand": stock[(sku, order.node)].on_hand,
                    "promised": stock[(sku, order.node)].promised,
                    "shipped_since_count": stock[(sku, order.node)].shipped_since_count,
                    "safety_stock": stock[(sku, order.node)].safety_stock,
                    # What was left for this order after older orders of the batch claimed theirs.
                    "available_to_order": pool_before[(sku, order.node)],
                }
                if (sku, order.node) in stock
                else None
            )
            for sku in skus
        },
        "settings": {
            "version": settings.version,
            "auto_acknowledge": settings.auto_acknowledge,
            "accept_regardless_of_inventory": settings.accept_regardless_of_inventory,
            "partial_stock_policy": settings.partial_stock_policy,
            "safety_stock": settings.safety_stock,
        },
        "batch_position": position,
    }


def decide_and_record(
    conn: psycopg.Connection,
    run: RunIdentity,
    *,
    dry_run: bool = False,
    lock_timeout: timedelta = locks.DEFAULT_TIMEOUT,
) -> DecideReceipt:
    """Decide every undecided ready order and record it; returns counts.

    One transaction: the decisions, their lines and the intended actions commit
    together or not at all, before anything is sent. A dry run records decisions
    flagged ``dry_run`` and no actions (and reserves nothing). Re-running the same
    run decides nothing new (decided orders are no longer undecided). Two deciders
    (a scheduled run and a manual one) never decide against the same stock at once:
    the second waits at most ``lock_timeout``, then fails naming the first
    (:class:`~jet.warehouse.locks.LockHeld`).
    """
    from psycopg.types.json import Jsonb

    receipt = DecideReceipt(dry_run=dry_run)
    with locks.holding(conn, "decide", holder=run.run_key, timeout=lock_timeout):
        settings = current_settings(conn)
        receipt.settings_version = settings.version
        orders = load_undecided(conn)
        if (
            orders
            and one(conn.execute(read_sql("decisions_catalog_empty.sql")).fetchone(), "decisions_catalog_empty.sql")[0]
        ):
            receipt.held_no_catalog = hold_for_catalog(conn, run, orders, dry_run=dry_run)
            orders = []
        products, stock = load_catalog(conn, (ln.sku for o in orders for ln in o.lines))
        batch = decide_batch(orders, products, stock, settings)
        by_id = {o.order_id: o for o in orders}
        pool = {key: level.available(settings) for key, level in stock.items()}
        outcomes: Counter[str] = Counter()
        actions: Counter[str] = Counter()
        with conn.cursor() as cur:
            for position, decision in enumerate(batch.decisions):
                order = by_id[decision.order_id]
                inputs = _inputs(order, decision, products, stock, settings, pool, position)
                for line in decision.lines:
                    if line.reserved:
                        pool[(line.sku, order.node)] -= line.reserved
                row = cur.execute(
                    read_sql("decisions_insert.sql"),
                    {
                        "merchant_order_id": decision.order_id,
                        # A dry run's key differs, so a real run at the same instant still decides.
                        "run_key": f"{run.run_key}/dry-run" if dry_run else run.run_key,
                        "dag_run_id": run.dag_run_id,
                        "decided_at": run.observed_at,
                        "dry_run": dry_run,
                        "outcome": decision.outcome.value,
                        "reasons": [r.value for r in decision.reasons],
                        "rules_version": decision.rules_version,
                        "settings_version": decision.settings_version,
                        "inputs": Jsonb(inputs),
                    },
                ).fetchone()
                if row is None:  # a dry run re-run: this run already recorded it
                    continue
                decision_id = row[0]
                cur.executemany(
                    read_sql("decisions_line_insert.sql"),
                    [
                        {
                            "decision_id": decision_id,
                            "order_item_id": line.line_id,
                            "merchant_sku": line.sku,
                            "quantity": line.quantity,
                            "status": line.status.value,
                            "reason": line.reason.value,
                            "reserved": line.reserved,
                            "units_to_cancel": line.units_to_cancel,
                        }
                        for line in decision.lines
                    ],
                )
                outcomes[decision.outcome.value] += 1
                kind = ACTION_KIND[decision.outcome]
                if dry_run or kind is None:
                    continue
                body = acknowledgement_body(decision)
                if body is None:
                    raise ValueError(f"decision {decision.outcome.value} of {decision.order_id} has no body")
                outbox.queue(
                    conn,
                    run,
                    decision.order_id,
                    kind,
                    body,
                    reason="decided: " + ", ".join(r.value for r in decision.reasons),
                    decision_id=decision_id,
                )
                actions[kind] += 1
        if not dry_run:
            actions[DIRECTED_CANCEL] += plan_directed_cancels(conn, run)
    receipt.decided = sum(outcomes.values())
    receipt.by_outcome = dict(outcomes)
    receipt.actions = {k: v for k, v in actions.items() if v}
    log.info(
        "decided %d orders%s with settings v%d: %s; actions queued: %s",
        receipt.decided,
        " (dry run: nothing will be sent)" if dry_run else "",
        settings.version,
        dict(outcomes) or "none",
        receipt.actions or "none",
    )
    return receipt


def hold_for_catalog(conn: psycopg.Connection, run: RunIdentity, orders: list[Order], *, dry_run: bool) -> int:
    """The catalog guard: with no product loaded, decide nothing (an unknown SKU would
    cancel the sale). The orders stay undecided, so the first run after the catalog
    arrives decides them; each gets one note saying why it waits."""
    log.error(
        "the catalog is empty: %d ready order(s) held undecided, nothing sent to Jet; %s",
        len(orders),
        LOAD_CATALOG_HINT,
    )
    if not dry_run:
        from jet.notes import add_note

        for order in orders:
            add_note(
                conn,
                order.order_id,
                "system:decisions",
                f"not decided: the catalog is empty; {LOAD_CATALOG_HINT}",
                run.observed_at,
                dedupe_key="decisions:catalog-empty",
            )
    return len(orders)


def held_for_catalog(conn: psycopg.Connection) -> tuple[int, datetime | None]:
    """Ready orders the catalog guard holds (0 once a product is loaded), and their first deadline."""
    row = execute(conn, "decisions_held_for_catalog.sql").fetchone()
    return (0, None) if row is None else (int(row[0]), row[1])


def plan_directed_cancels(conn: psycopg.Connection, run: RunIdentity) -> int:
    """Queue a shipped call for each acknowledged order with unanswered Jet cancel requests.

    It cancels exactly the requested units (capped at the units still open). Returns
    the number of actions queued. Safe to call again: answered orders are skipped.
    """
    per_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    answers = [DIRECTED_CANCEL, REJECT, CANCEL, CANCEL_UNITS]  # any of them answers Jet's request
    due = execute(conn, "decisions_directed_cancels_due.sql", {"accepted": ACKNOWLEDGE, "answers": answers})
    for order_id, sku, qty in due:
        if qty > 0:
            per_order[order_id].append(
                {"merchant_sku": sku, "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": qty}
            )
    for order_id, items in per_order.items():
        outbox.queue(
            conn,
            run,
            order_id,
            DIRECTED_CANCEL,
            cancel_shipment_body(DIRECTED_CANCEL, order_id, items),
            reason="Jet requested the cancellation (request_order_cancel_qty)",
        )
    if per_order:
        log.info("queued %d directed-cancel answers", len(per_order))
    return len(per_order)


def cancel_shipment_body(kind: str, order_id: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A cancel-only shipped body. Its ``alt_shipment_id`` names the action (one per order
    and kind), so settling can find it in the order's echoed shipments."""
    return {"shipments": [{"alt_shipment_id": alt_shipment_id(kind, order_id), "shipment_items": items}]}


def alt_shipment_id(kind: str, order_id: str) -> str:
    """Our id for the cancel-only shipment of an action (unique per order and kind)."""
    return f"{kind}-{order_id}"


__all__ = [
    "ACTION_KIND",
    "CatalogNotLoaded",
    "DecideReceipt",
    "acknowledgement_body",
    "alt_shipment_id",
    "cancel_shipment_body",
    "current_settings",
    "decide_and_record",
    "held_for_catalog",
    "hold_for_catalog",
    "load_catalog",
    "load_undecided",
    "plan_directed_cancels",
]
