"""The decision stage end to end: real sandbox over HTTP, real warehouse, real task code.

One test per outcome of the rules table (and per setting), the dry run, held orders and
their approval, operator cancels, directed cancels and the database constraints.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from jet.decisions import tasks
from tests.integration.decisions.conftest import ledger_by_order, run_at, set_settings

pytestmark = pytest.mark.integration


def pick(catalog: dict[str, Any], *, known: bool, min_stock: int | None = None, zero: bool = False) -> str:
    """A SKU of the sandbox catalog with the wanted properties."""
    for sku in catalog["skus"]:
        if sku["known_to_merchant"] != known or sku["is_archived"]:
            continue
        if sku["category"] == "Books":  # replenishable in the demo catalog
            continue
        if zero and sku["merchant_on_hand"] != 0:
            continue
        if min_stock is not None and sku["merchant_on_hand"] < min_stock:
            continue
        return sku["merchant_sku"]
    raise AssertionError("no such SKU in the sandbox catalog")


def place(sandbox: Any, node: str, *lines: tuple[str, int]) -> str:
    return sandbox.generate_orders(
        1, fulfillment_node=node, lines=[{"merchant_sku": s, "quantity": q} for s, q in lines]
    )[0]


def truth(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {o["order"]["merchant_order_id"]: o for o in sandbox.truth_orders()}


def decision_of(conn: psycopg.Connection, order_id: str) -> tuple[str, list[str], bool]:
    return conn.execute(
        "SELECT outcome, reasons, dry_run FROM jet.decisions WHERE merchant_order_id = %s ORDER BY decision_id DESC",
        (order_id,),
    ).fetchone()


def action_of(conn: psycopg.Connection, order_id: str, kind: str) -> tuple[str, int] | None:
    return conn.execute(
        "SELECT state, attempts FROM jet.actions WHERE merchant_order_id = %s AND kind = %s", (order_id, kind)
    ).fetchone()


def test_every_outcome_of_the_rules_table_reaches_jet(sandbox, seeded, pull, decisions_db) -> None:
    node = seeded["fulfillment_nodes"][0]
    in_stock = pick(seeded, known=True, min_stock=20)
    no_stock = pick(seeded, known=True, zero=True)
    unknown = pick(seeded, known=False)
    ack = place(sandbox, node, (in_stock, 1))
    unknown_sku = place(sandbox, node, (unknown, 1))
    single_no_stock = place(sandbox, node, (no_stock, 1))
    multi_short = place(sandbox, node, (in_stock, 1), (no_stock, 2))
    pull()

    result = tasks.run_cycle(run_at(sandbox))

    assert result["decided"]["by_outcome"] == {"acknowledge": 1, "cancel": 2, "reject": 1}
    assert decision_of(decisions_db, ack)[:2] == ("acknowledge", ["IN_STOCK"])
    assert decision_of(decisions_db, unknown_sku)[:2] == ("cancel", ["UNKNOWN_SKU"])
    assert decision_of(decisions_db, single_no_stock)[:2] == ("cancel", ["NO_INVENTORY"])
    assert decision_of(decisions_db, multi_short)[:2] == ("reject", ["NO_INVENTORY"])
    jet = truth(sandbox)
    assert jet[ack]["order"]["status"] == "acknowledged"
    assert jet[ack]["order"]["acknowledgement_status"] == "accepted"
    for oid, item_status in (
        (unknown_sku, ["nonfulfillable - invalid merchant SKU"]),
        (single_no_stock, ["nonfulfillable - no inventory"]),
        (multi_short, ["fulfillable", "nonfulfillable - no inventory"]),
    ):
        order = jet[oid]["order"]
        assert order["acknowledgement_status"] == "rejected - item level error"
        assert [i["order_item_acknowledgement_status"] for i in order["order_items"]] == item_status
    # Every acknowledgement call made exactly once, and recorded applied.
    ledger = ledger_by_order(sandbox)
    for oid in (ack, unknown_sku, single_no_stock, multi_short):
        assert [e["kind"] for e in ledger[oid]] == ["acknowledge"]
    states = decisions_db.execute("SELECT state, count(*) FROM jet.actions GROUP BY state").fetchall()
    assert states == [("applied", 4)]

    # Re-running the same run decides and sends nothing more.
    again = tasks.run_cycle(run_at(sandbox))
    assert again["decided"]["decided"] == 0
    assert len(sandbox.ledger()) == 4


def test_accept_regardless_and_partial_stock_settings(sandbox, seeded, pull, decisions_db) -> None:
    node = seeded["fulfillment_nodes"][0]
    in_stock = pick(seeded, known=True, min_stock=20)
    no_stock = pick(seeded, known=True, zero=True)
    unknown = pick(seeded, known=False)
    version = set_settings(decisions_db, accept_regardless_of_inventory=True)
    regardless = place(sandbox, node, (in_stock, 1), (no_stock, 1))
    still_unknown = place(sandbox, node, (in_stock, 1), (unknown, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decision_of(decisions_db, regardless)[:2] == ("acknowledge", ["NO_INVENTORY", "ACCEPT_REGARDLESS"])
    assert decision_of(decisions_db, still_unknown)[0] == "cancel"
    used = decisions_db.execute(
        "SELECT DISTINCT settings_version FROM jet.decisions WHERE merchant_order_id = ANY(%s)",
        ([regardless, still_unknown],),
    ).fetchall()
    assert used == [(version,)]

    set_settings(decisions_db, partial_stock_policy="accept_available")
    pull()  # Jet re-sent the rejected order's good line as a new order: decide it first
    tasks.run_cycle(run_at(sandbox))
    stock = decisions_db.execute(
        "SELECT on_hand FROM jet.inventory WHERE sku = %s AND fulfillment_node = %s", (in_stock, node)
    ).fetchone()[0]
    promised = decisions_db.execute(
        "SELECT coalesce(sum(promised), 0) FROM jet.promised_units WHERE sku = %s AND fulfillment_node = %s",
        (in_stock, node),
    ).fetchone()[0]
    partial = place(sandbox, node, (in_stock, stock - promised + 2))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decision_of(decisions_db, partial)[:2] == ("acknowledge", ["NO_INVENTORY", "PARTIAL_STOCK"])
    assert decisions_db.execute(
        "SELECT l.reserved, l.units_to_cancel FROM jet.decision_lines l JOIN jet.decisions d USING (decision_id)"
        " WHERE d.merchant_order_id = %s",
        (partial,),
    ).fetchone() == (stock - promised, 2)
    assert truth(sandbox)[partial]["order"]["status"] == "acknowledged"


def test_stock_is_claimed_oldest_first_across_runs(sandbox, seeded, pull, decisions_db) -> None:
    """Two orders never both take the last unit, within a batch or across batches."""
    node = seeded["fulfillment_nodes"][0]
    sku = pick(seeded, known=True, min_stock=6)
    on_hand = decisions_db.execute(
        "SELECT on_hand FROM jet.inventory WHERE sku = %s AND fulfillment_node = %s", (sku, node)
    ).fetchone()[0]
    first = place(sandbox, node, (sku, on_hand - 1))
    sandbox.advance(1)
    second = place(sandbox, node, (sku, 1))
    sandbox.advance(1)
    third = place(sandbox, node, (sku, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert [decision_of(decisions_db, o)[0] for o in (first, second, third)] == ["acknowledge", "acknowledge", "cancel"]
    # A later batch sees the promised units (our applied acknowledgements) and takes none.
    fourth = place(sandbox, node, (sku, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decision_of(decisions_db, fourth)[0] == "cancel"
    assert decisions_db.execute(
        "SELECT promised FROM jet.promised_units WHERE sku = %s AND fulfillment_node = %s", (sku, node)
    ).fetchone() == (on_hand,)


def test_dry_run_records_decisions_and_changes_nothing_at_jet(sandbox, seeded, pull, decisions_db) -> None:
    sandbox.generate_orders(30, status="ready")
    pull()
    before = {oid: o["order"] for oid, o in truth(sandbox).items()}
    sandbox.clear_requests()

    result = tasks.run_cycle(run_at(sandbox), dry_run=True)

    assert result["decided"]["decided"] == 30
    assert decisions_db.execute("SELECT count(*), bool_and(dry_run) FROM jet.decisions").fetchone() == (30, True)
    assert decisions_db.execute("SELECT count(*) FROM jet.actions").fetchone() == (0,)
    assert sandbox.ledger() == []
    assert [r for r in sandbox.requests_log() if r["method"] != "GET"] == [] or all(
        r["path"].endswith("/token") for r in sandbox.requests_log() if r["method"] != "GET"
    )
    assert {oid: o["order"] for oid, o in truth(sandbox).items()} == before
    # Dry runs reserve nothing: the real run afterwards decides every order again.
    real = tasks.run_cycle(run_at(sandbox))
    assert real["decided"]["decided"] == 30
    assert len({e["merchant_order_id"] for e in sandbox.ledger()}) == 30


def test_held_orders_reserve_stock_until_approved_or_cancelled(sandbox, seeded, pull, decisions_db) -> None:
    node = seeded["fulfillment_nodes"][0]
    sku = pick(seeded, known=True, min_stock=6)
    set_settings(decisions_db, auto_acknowledge=False)
    held = place(sandbox, node, (sku, 2))
    released = place(sandbox, node, (sku, 1))
    pull()
    result = tasks.run_cycle(run_at(sandbox))
    assert result["decided"]["by_outcome"] == {"hold": 2}
    assert sandbox.ledger() == [], "held orders send nothing"
    assert decisions_db.execute(
        "SELECT acknowledged_units, held_units FROM jet.promised_units WHERE sku = %s AND fulfillment_node = %s",
        (sku, node),
    ).fetchone() == (0, 3)

    approved = tasks.approve(run_at(sandbox, "jet_approve_order"), held)
    assert approved["state"] == "applied"
    cancelled = tasks.cancel(run_at(sandbox, "jet_cancel_order"), released, "customer_request")
    assert cancelled["kind"] == "cancel"
    jet = truth(sandbox)
    assert jet[held]["order"]["acknowledgement_status"] == "accepted"
    assert jet[released]["order"]["acknowledgement_status"] == "rejected - other"
    # The approved order's units stay promised (now as acknowledged); the cancelled ones are released.
    assert decisions_db.execute(
        "SELECT acknowledged_units, held_units FROM jet.promised_units WHERE sku = %s AND fulfillment_node = %s",
        (sku, node),
    ).fetchone() == (2, 0)

    from jet.decisions.manual import OperatorActionRefused

    with pytest.raises(OperatorActionRefused, match="not held"):
        tasks.approve(run_at(sandbox, "jet_approve_order"), held)


def test_operator_cancel_after_acknowledgement_and_after_shipping(sandbox, seeded, pull, refresh, decisions_db) -> None:
    from jet.decisions.manual import OperatorActionRefused

    node = seeded["fulfillment_nodes"][0]
    sku = pick(seeded, known=True, min_stock=10)
    order = place(sandbox, node, (sku, 3))
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert truth(sandbox)[order]["order"]["status"] == "acknowledged"

    result = tasks.cancel(run_at(sandbox, "jet_cancel_order"), order, "out_of_stock")

    assert result["kind"] == "cancel_units"
    jet = truth(sandbox)[order]
    assert jet["order"]["status"] == "complete"
    assert jet["state"]["units_by_sku"][sku] == {"ordered": 3, "shipped": 0, "cancelled": 3}
    assert [e["kind"] for e in ledger_by_order(sandbox)[order]] == ["acknowledge", "shipped"]

    # Shipped orders cannot be cancelled: the message points to a refund.
    shipped = place(sandbox, node, (sku, 1))
    pull()
    tasks.run_cycle(run_at(sandbox))
    from jet.api.hook import JetHook

    JetHook().ship(
        shipped,
        {
            "shipments": [
                {
                    "alt_shipment_id": "s-1",
                    "shipment_tracking_number": "1Z999",
                    "response_shipment_date": sandbox.now(),
                    "carrier": "UPS",
                    "shipment_items": [{"merchant_sku": sku, "response_shipment_sku_quantity": 1}],
                }
            ]
        },
    )
    refresh()
    with pytest.raises(OperatorActionRefused, match="refund"):
        tasks.cancel(run_at(sandbox, "jet_cancel_order"), shipped, "customer_request")


def test_directed_cancels_are_answered_in_the_scheduled_flow(sandbox, seeded, pull, refresh, decisions_db) -> None:
    node = seeded["fulfillment_nodes"][0]
    sku_a = pick(seeded, known=True, min_stock=20)
    other = next(
        s["merchant_sku"]
        for s in seeded["skus"]
        if s["known_to_merchant"] and s["merchant_on_hand"] >= 20 and s["merchant_sku"] != sku_a
    )
    # Jet asks before we decide: the rest is acknowledged, the requested units cancelled.
    early = place(sandbox, node, (sku_a, 3), (other, 1))
    line_a = truth(sandbox)[early]["order"]["order_items"][0]["order_item_id"]
    sandbox.directed_cancel(early, {line_a: 2})
    # Jet asks after we acknowledged.
    late = place(sandbox, node, (sku_a, 2))
    pull()
    tasks.run_cycle(run_at(sandbox))
    jet = truth(sandbox)
    assert jet[early]["state"]["units_by_sku"][sku_a] == {"ordered": 3, "shipped": 0, "cancelled": 2}
    assert jet[early]["order"]["status"] == "inprogress"

    sandbox.directed_cancel(late)
    refresh()
    tasks.run_cycle(run_at(sandbox))
    jet = truth(sandbox)
    assert jet[late]["state"]["units_by_sku"][sku_a] == {"ordered": 2, "shipped": 0, "cancelled": 2}
    assert [e["kind"] for e in ledger_by_order(sandbox)[late]] == ["acknowledge", "shipped"]
    assert [e["kind"] for e in ledger_by_order(sandbox)[early]] == ["acknowledge", "shipped"]


def test_database_refuses_a_second_acknowledgement_or_ack_plus_reject(decisions_db) -> None:
    """The constraint itself, by SQL: no code path can make Jet acknowledge an order twice."""
    conn = decisions_db
    conn.execute(
        "INSERT INTO jet.ingest_batches (batch_key, source, observed_at) VALUES ('b', 'orders', now());"
        "INSERT INTO jet.orders (merchant_order_id, reference_order_id, fulfillment_node, status, order_placed_at,"
        " payload_hash, first_seen_at, updated_at, last_batch_key)"
        " VALUES ('o1', 'r1', 'n1', 'ready', now(), 'h', now(), now(), 'b')"
    )
    insert = (
        "INSERT INTO jet.actions (merchant_order_id, kind, body, requested_by, created_at)"
        " VALUES ('o1', %s, '{}', 'test', now())"
    )
    conn.execute(insert, ("acknowledge",))
    for kind in ("acknowledge", "reject", "cancel"):
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, (kind,))
    # Shipped-call kinds are other actions: allowed once each.
    conn.execute(insert, ("directed_cancel",))
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(insert, ("directed_cancel",))
    # Settings are append-only.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE jet.settings SET safety_stock = 5")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM jet.settings")
