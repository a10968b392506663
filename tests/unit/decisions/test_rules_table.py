"""Table-driven tests: every row of the design's "Rules for acknowledging" table and every setting.

Each case is one batch: orders, catalog, stock at node N1, settings, and for each order the
expected outcome, line statuses (F fulfillable, N no_inventory, U unknown_sku), units
reserved per line, and the order's reasons. Optionally the stock left after the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import pytest

from jet.decisions import (
    JET_ACKNOWLEDGEMENT_STATUS,
    JET_ITEM_STATUS,
    RULES_VERSION,
    Decision,
    LineStatus,
    Order,
    OrderLine,
    Outcome,
    Product,
    ReasonCode,
    Settings,
    StockLevel,
    decide,
    decide_batch,
    to_jet_acknowledgement,
)
from tests.unit.decisions.builders import NODE, T0, catalog, order, stock

pytestmark = pytest.mark.unit

_STATUS = {"F": LineStatus.FULFILLABLE, "N": LineStatus.NO_INVENTORY, "U": LineStatus.UNKNOWN_SKU}

ON = Settings(version=1)
OFF = Settings(version=2, auto_acknowledge=False)
REGARDLESS = Settings(version=3, accept_regardless_of_inventory=True)
PARTIAL = Settings(version=4, partial_stock_policy="accept_available")


@dataclass(frozen=True)
class Expect:
    outcome: Outcome
    statuses: str  # one letter per line, space separated
    reserved: tuple[int, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    id: str
    orders: list[Order]
    products: dict[str, Product]
    stock: dict[tuple[str, str], StockLevel]
    settings: Settings
    expect: dict[str, Expect]
    remaining: dict[str, int] = field(default_factory=dict)  # sku at N1 -> units left


def E(outcome: Outcome, statuses: str, reserved: tuple[int, ...], *reasons: str) -> Expect:
    return Expect(outcome, statuses, reserved, reasons)


ACK, REJ, CAN, HOLD = Outcome.ACKNOWLEDGE, Outcome.REJECT, Outcome.CANCEL, Outcome.HOLD

CASES = [
    # --- row: every line known and available, or its product replenishable -> accepted ---
    Case(
        "row1-all-lines-in-stock",
        [order("o1", [("A", 2), ("B", 1)])],
        catalog("A", "B"),
        stock({"A": 5, "B": 1}),
        ON,
        {"o1": E(ACK, "F F", (2, 1), "IN_STOCK")},
        remaining={"A": 3, "B": 0},
    ),
    Case(
        "row1-replenishable-without-stock",
        [order("o1", [("R", 4)])],
        catalog("R", replenishable=["R"]),
        {},
        ON,
        {"o1": E(ACK, "F", (0,), "REPLENISHABLE")},
    ),
    Case(
        "row1-replenishable-reserves-only-what-is-available",
        [order("o1", [("R", 5)]), order("o2", [("R", 1)], minute=1)],
        catalog("R", replenishable=["R"]),
        stock({"R": 2}),
        ON,
        {"o1": E(ACK, "F", (2,), "REPLENISHABLE"), "o2": E(ACK, "F", (0,), "REPLENISHABLE")},
        remaining={"R": 0},
    ),
    Case(
        "row1-replenishable-with-enough-stock-is-in-stock",
        [order("o1", [("R", 2), ("A", 1)])],
        catalog("R", "A", replenishable=["R"]),
        stock({"R": 2, "A": 1}),
        ON,
        {"o1": E(ACK, "F F", (2, 1), "IN_STOCK")},
    ),
    Case(
        "row1-replenishable-line-next-to-out-of-stock-line-is-rejected",
        [order("o1", [("R", 1), ("A", 1)])],
        catalog("R", "A", replenishable=["R"]),
        stock({"A": 0}),
        ON,
        {"o1": E(REJ, "F N", (0, 0), "NO_INVENTORY", "REPLENISHABLE")},
    ),
    # --- row: a SKU not in the catalog -> cancelled immediately, invalid merchant SKU ---
    Case(
        "row2-unknown-sku-single-line",
        [order("o1", [("ZZZ", 1)])],
        catalog("A"),
        stock({"A": 5}),
        ON,
        {"o1": E(CAN, "U", (0,), "UNKNOWN_SKU")},
    ),
    Case(
        "row2-unknown-sku-next-to-in-stock-line-reserves-nothing",
        [order("o1", [("A", 1), ("ZZZ", 1)]), order("o2", [("A", 1)], minute=1)],
        catalog("A"),
        stock({"A": 1}),
        ON,
        {"o1": E(CAN, "F U", (0, 0), "UNKNOWN_SKU"), "o2": E(ACK, "F", (1,), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "row2-unknown-sku-and-out-of-stock-line",
        [order("o1", [("A", 1), ("ZZZ", 1)])],
        catalog("A"),
        {},
        ON,
        {"o1": E(CAN, "N U", (0, 0), "UNKNOWN_SKU", "NO_INVENTORY")},
    ),
    Case(
        "row2-unknown-sku-cancelled-even-with-accept-available",
        [order("o1", [("A", 1), ("ZZZ", 1)])],
        catalog("A"),
        stock({"A": 5}),
        PARTIAL,
        {"o1": E(CAN, "F U", (0, 0), "UNKNOWN_SKU")},
    ),
    # --- row: single-item order, no available stock -> cancelled (no inventory) ---
    Case(
        "row3-single-line-no-stock",
        [order("o1", [("A", 1)])],
        catalog("A"),
        stock({"A": 0}),
        ON,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY")},
    ),
    Case(
        "row3-single-line-wants-more-than-available",
        [order("o1", [("A", 3)])],
        catalog("A"),
        stock({"A": 2}),
        ON,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY")},
        remaining={"A": 2},
    ),
    Case(
        "row3-stock-at-another-node-does-not-count",
        [order("o1", [("A", 1)], node="N2")],
        catalog("A"),
        stock({"A": 9}),
        ON,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY")},
    ),
    # --- row: multi-item order, some lines without stock -> rejected with per-line statuses ---
    Case(
        "row4-multi-line-some-out-of-stock",
        [order("o1", [("A", 1), ("B", 2), ("C", 1)])],
        catalog("A", "B", "C"),
        stock({"A": 1, "B": 1, "C": 1}),
        ON,
        {"o1": E(REJ, "F N F", (0, 0, 0), "NO_INVENTORY")},
        remaining={"A": 1, "B": 1, "C": 1},
    ),
    Case(
        "row4-multi-line-all-out-of-stock",
        [order("o1", [("A", 1), ("B", 1)])],
        catalog("A", "B"),
        {},
        ON,
        {"o1": E(REJ, "N N", (0, 0), "NO_INVENTORY")},
    ),
    # --- row: accept_regardless_of_inventory on -> accepted unless a SKU is unknown ---
    Case(
        "row5-accept-regardless-accepts-out-of-stock",
        [order("o1", [("A", 3), ("B", 1)])],
        catalog("A", "B"),
        stock({"A": 1}),
        REGARDLESS,
        {"o1": E(ACK, "F F", (1, 0), "NO_INVENTORY", "ACCEPT_REGARDLESS")},
        remaining={"A": 0},
    ),
    Case(
        "row5-accept-regardless-single-line-no-stock",
        [order("o1", [("A", 1)])],
        catalog("A"),
        {},
        REGARDLESS,
        {"o1": E(ACK, "F", (0,), "NO_INVENTORY", "ACCEPT_REGARDLESS")},
    ),
    Case(
        "row5-accept-regardless-still-cancels-unknown-sku",
        [order("o1", [("A", 1), ("ZZZ", 1)])],
        catalog("A"),
        stock({"A": 1}),
        REGARDLESS,
        {"o1": E(CAN, "F U", (0, 0), "UNKNOWN_SKU")},
    ),
    Case(
        "row5-accept-regardless-accepts-archived-sku",
        [order("o1", [("X", 1)])],
        catalog("X", archived=["X"]),
        stock({"X": 4}),
        REGARDLESS,
        {"o1": E(ACK, "F", (0,), "ARCHIVED_SKU", "ACCEPT_REGARDLESS")},
        remaining={"X": 4},
    ),
    Case(
        "row5-accept-regardless-never-drives-stock-negative",
        [order("o1", [("A", 5)]), order("o2", [("A", 2)], minute=1)],
        catalog("A"),
        stock({"A": 3}),
        REGARDLESS,
        {
            "o1": E(ACK, "F", (3,), "NO_INVENTORY", "ACCEPT_REGARDLESS"),
            "o2": E(ACK, "F", (0,), "NO_INVENTORY", "ACCEPT_REGARDLESS"),
        },
        remaining={"A": 0},
    ),
    # --- row: auto_acknowledge off -> nothing sent, held for manual approval ---
    Case(
        "row6-auto-ack-off-holds-and-reserves",
        [order("o1", [("A", 2)])],
        catalog("A"),
        stock({"A": 2}),
        OFF,
        {"o1": E(HOLD, "F", (2,), "AUTO_ACK_OFF")},
        remaining={"A": 0},
    ),
    Case(
        "row6-held-order-keeps-last-unit-from-younger-order",
        [order("o2", [("A", 1)], minute=5), order("o1", [("A", 1)])],
        catalog("A"),
        stock({"A": 1}),
        OFF,
        {"o1": E(HOLD, "F", (1,), "AUTO_ACK_OFF"), "o2": E(HOLD, "N", (0,), "AUTO_ACK_OFF", "NO_INVENTORY")},
        remaining={"A": 0},
    ),
    Case(
        "row6-held-would-be-reject-reserves-nothing",
        [order("o1", [("A", 1), ("B", 1)])],
        catalog("A", "B"),
        stock({"A": 1}),
        OFF,
        {"o1": E(HOLD, "F N", (0, 0), "AUTO_ACK_OFF", "NO_INVENTORY")},
        remaining={"A": 1},
    ),
    Case(
        "row6-auto-ack-off-holds-even-unknown-sku",
        [order("o1", [("ZZZ", 1)])],
        catalog("A"),
        {},
        OFF,
        {"o1": E(HOLD, "U", (0,), "AUTO_ACK_OFF", "UNKNOWN_SKU")},
    ),
    Case(
        "row6-auto-ack-off-wins-over-accept-regardless",
        [order("o1", [("A", 2)])],
        catalog("A"),
        stock({"A": 1}),
        replace(REGARDLESS, auto_acknowledge=False),
        {"o1": E(HOLD, "F", (1,), "AUTO_ACK_OFF", "NO_INVENTORY", "ACCEPT_REGARDLESS")},
        remaining={"A": 0},
    ),
    # --- setting: safety_stock (global, and per-SKU override) ---
    Case(
        "safety-stock-setting-reduces-availability",
        [order("o1", [("A", 3)]), order("o2", [("A", 2)], minute=1)],
        catalog("A"),
        stock({"A": 5}),
        replace(ON, safety_stock=3),
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY"), "o2": E(ACK, "F", (2,), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "safety-stock-per-sku-overrides-setting-downwards",
        [order("o1", [("A", 5)])],
        catalog("A"),
        stock({"A": (5, 0, 0)}),
        replace(ON, safety_stock=3),
        {"o1": E(ACK, "F", (5,), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "safety-stock-per-sku-overrides-setting-upwards",
        [order("o1", [("A", 2)]), order("o2", [("B", 2)])],
        catalog("A", "B"),
        stock({"A": (5, 0, 4), "B": 5}),
        replace(ON, safety_stock=1),
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY"), "o2": E(ACK, "F", (2,), "IN_STOCK")},
        remaining={"A": 1, "B": 2},
    ),
    Case(
        "safety-stock-larger-than-on-hand-leaves-zero-not-negative",
        [order("o1", [("R", 1)])],
        catalog("R", replenishable=["R"]),
        stock({"R": 2}),
        replace(ON, safety_stock=10),
        {"o1": E(ACK, "F", (0,), "REPLENISHABLE")},
        remaining={"R": 0},
    ),
    # --- promised units (acknowledged, not shipped or cancelled) reduce availability ---
    Case(
        "promised-units-reduce-availability",
        [order("o1", [("A", 2)]), order("o2", [("A", 1)], minute=1)],
        catalog("A"),
        stock({"A": (5, 4, None)}),
        ON,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY"), "o2": E(ACK, "F", (1,), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "promised-plus-safety-above-on-hand-is-zero",
        [order("o1", [("A", 1)])],
        catalog("A"),
        stock({"A": (3, 5, 1)}),
        ON,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY")},
        remaining={"A": 0},
    ),
    # --- setting: partial_stock_policy ---
    Case(
        "partial-reject-policy-rejects-multi-line",
        [order("o1", [("A", 1), ("B", 3)])],
        catalog("A", "B"),
        stock({"A": 1, "B": 1}),
        ON,
        {"o1": E(REJ, "F N", (0, 0), "NO_INVENTORY")},
    ),
    Case(
        "partial-accept-available-multi-line",
        [order("o1", [("A", 1), ("B", 3), ("C", 2)])],
        catalog("A", "B", "C"),
        stock({"A": 1, "B": 1}),
        PARTIAL,
        {"o1": E(ACK, "F F F", (1, 1, 0), "NO_INVENTORY", "PARTIAL_STOCK")},
        remaining={"A": 0, "B": 0},
    ),
    Case(
        "partial-accept-available-single-line-short",
        [order("o1", [("A", 3)])],
        catalog("A"),
        stock({"A": 2}),
        PARTIAL,
        {"o1": E(ACK, "F", (2,), "NO_INVENTORY", "PARTIAL_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "partial-accept-available-with-nothing-available-cancels-single-line",
        [order("o1", [("A", 1)])],
        catalog("A"),
        stock({"A": 0}),
        PARTIAL,
        {"o1": E(CAN, "N", (0,), "NO_INVENTORY")},
    ),
    Case(
        "partial-accept-available-with-nothing-available-rejects-multi-line",
        [order("o1", [("A", 1), ("B", 1)])],
        catalog("A", "B"),
        {},
        PARTIAL,
        {"o1": E(REJ, "N N", (0, 0), "NO_INVENTORY")},
    ),
    Case(
        "partial-accept-available-replenishable-line-is-something-to-ship",
        [order("o1", [("R", 1), ("A", 1)])],
        catalog("R", "A", replenishable=["R"]),
        {},
        PARTIAL,
        {"o1": E(ACK, "F F", (0, 0), "NO_INVENTORY", "PARTIAL_STOCK", "REPLENISHABLE")},
    ),
    # --- archived products are not sellable: no inventory ---
    Case(
        "archived-sku-in-stock-is-no-inventory",
        [order("o1", [("X", 1)])],
        catalog("X", archived=["X"]),
        stock({"X": 10}),
        ON,
        {"o1": E(CAN, "N", (0,), "ARCHIVED_SKU")},
        remaining={"X": 10},
    ),
    Case(
        "archived-wins-over-replenishable",
        [order("o1", [("X", 1), ("A", 1)])],
        catalog("X", "A", replenishable=["X"], archived=["X"]),
        stock({"A": 1}),
        ON,
        {"o1": E(REJ, "N F", (0, 0), "ARCHIVED_SKU")},
    ),
    Case(
        "archived-line-cancelled-at-shipment-under-accept-available",
        [order("o1", [("X", 1), ("A", 1)])],
        catalog("X", "A", archived=["X"]),
        stock({"X": 3, "A": 1}),
        PARTIAL,
        {"o1": E(ACK, "F F", (0, 1), "ARCHIVED_SKU", "PARTIAL_STOCK")},
        remaining={"X": 3, "A": 0},
    ),
    # --- oldest first: two orders never both take the last unit ---
    Case(
        "oldest-first-claims-last-unit-whatever-the-input-order",
        [order("young", [("A", 1)], minute=9), order("old", [("A", 1)], minute=1)],
        catalog("A"),
        stock({"A": 1}),
        ON,
        {"old": E(ACK, "F", (1,), "IN_STOCK"), "young": E(CAN, "N", (0,), "NO_INVENTORY")},
        remaining={"A": 0},
    ),
    Case(
        "same-ready-time-breaks-tie-on-order-id",
        [order("o2", [("A", 1)]), order("o1", [("A", 1)])],
        catalog("A"),
        stock({"A": 1}),
        ON,
        {"o1": E(ACK, "F", (1,), "IN_STOCK"), "o2": E(CAN, "N", (0,), "NO_INVENTORY")},
    ),
    Case(
        "rejected-older-order-leaves-its-units-to-younger",
        [order("old", [("A", 1), ("B", 1)]), order("young", [("A", 1)], minute=1)],
        catalog("A", "B"),
        stock({"A": 1}),
        ON,
        {"old": E(REJ, "F N", (0, 0), "NO_INVENTORY"), "young": E(ACK, "F", (1,), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "partial-accept-older-order-takes-last-units-first",
        [order("young", [("A", 1)], minute=1), order("old", [("A", 3)])],
        catalog("A"),
        stock({"A": 2}),
        PARTIAL,
        {"old": E(ACK, "F", (2,), "NO_INVENTORY", "PARTIAL_STOCK"), "young": E(CAN, "N", (0,), "NO_INVENTORY")},
        remaining={"A": 0},
    ),
    # --- the same SKU on two lines is summed against availability ---
    Case(
        "same-sku-two-lines-both-fit",
        [order("o1", [("A", 1), ("A", 1)])],
        catalog("A"),
        stock({"A": 2}),
        ON,
        {"o1": E(ACK, "F F", (1, 1), "IN_STOCK")},
        remaining={"A": 0},
    ),
    Case(
        "same-sku-two-lines-only-one-fits",
        [order("o1", [("A", 1), ("A", 1)])],
        catalog("A"),
        stock({"A": 1}),
        ON,
        {"o1": E(REJ, "F N", (0, 0), "NO_INVENTORY")},
        remaining={"A": 1},
    ),
    Case(
        "same-sku-big-line-does-not-block-smaller-later-line",
        [order("o1", [("A", 3), ("A", 1)])],
        catalog("A"),
        stock({"A": 2}),
        ON,
        {"o1": E(REJ, "N F", (0, 0), "NO_INVENTORY")},
    ),
    Case(
        "same-sku-partial-accept-spreads-leftover-units",
        [order("o1", [("A", 3), ("A", 1)])],
        catalog("A"),
        stock({"A": 2}),
        PARTIAL,
        {"o1": E(ACK, "F F", (1, 1), "NO_INVENTORY", "PARTIAL_STOCK")},
        remaining={"A": 0},
    ),
    # --- edges ---
    Case(
        "line-with-zero-units-left-needs-no-stock",
        [order("o1", [("A", 0)])],
        catalog("A"),
        {},
        ON,
        {"o1": E(ACK, "F", (0,), "IN_STOCK")},
    ),
    Case(
        "empty-batch",
        [],
        catalog("A"),
        stock({"A": 1}),
        ON,
        {},
        remaining={"A": 1},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rules_table(case: Case) -> None:
    batch = decide_batch(case.orders, case.products, case.stock, case.settings)

    got = {
        d.order_id: Expect(
            outcome=d.outcome,
            statuses=" ".join(next(k for k, v in _STATUS.items() if v is line.status) for line in d.lines),
            reserved=tuple(line.reserved for line in d.lines),
            reasons=tuple(str(r) for r in d.reasons),
        )
        for d in batch.decisions
    }
    assert got == case.expect
    for d in batch.decisions:
        assert d.settings_version == case.settings.version
        assert d.rules_version == RULES_VERSION
    for sku, left in case.remaining.items():
        assert batch.remaining[(sku, NODE)] == left, sku


def test_decisions_come_oldest_first() -> None:
    orders = [order("c", [("A", 1)], minute=2), order("b", [("A", 1)], minute=1), order("a", [("A", 1)], minute=1)]
    assert [d.order_id for d in decide(orders, catalog("A"), stock({"A": 9}), ON)] == ["a", "b", "c"]


def test_ready_times_in_different_zones_compare_as_instants() -> None:
    # 12:30 at UTC-5 is 17:30 UTC: after an order ready at 13:00 UTC.
    east = order("o-utc", [("A", 1)], minute=60)
    west = Order("o-west", NODE, datetime(2026, 11, 21, 12, 30, tzinfo=timezone(timedelta(hours=-5))), east.lines)
    decisions = decide([west, east], catalog("A"), stock({"A": 1}), ON)
    assert [(d.order_id, d.outcome) for d in decisions] == [("o-utc", ACK), ("o-west", CAN)]


def test_partial_units_to_cancel_only_for_partial_lines() -> None:
    orders = [order("o1", [("A", 3), ("R", 4)])]
    (d,) = decide(orders, catalog("A", "R", replenishable=["R"]), stock({"A": 1, "R": 1}), PARTIAL)
    assert [(line.reason, line.reserved, line.units_to_cancel) for line in d.lines] == [
        (ReasonCode.PARTIAL_STOCK, 1, 2),
        (ReasonCode.REPLENISHABLE, 1, 0),  # sourced later, not cancelled
    ]


def test_stock_without_orders_is_untouched() -> None:
    levels = stock({"A": (7, 2, 1), "B": 0})
    batch = decide_batch([], {}, levels, replace(ON, safety_stock=3))
    assert dict(batch.remaining) == {("A", NODE): 4, ("B", NODE): 0}


# --- Jet wire values -----------------------------------------------------------------


def _one(o: Order, settings: Settings, levels: dict[tuple[str, str], StockLevel]) -> Decision:
    (d,) = decide([o], catalog("A", "B"), levels, settings)
    return d


@pytest.mark.parametrize(
    ("lines", "settings", "levels", "expected"),
    [
        pytest.param(
            [("A", 1), ("B", 1)],
            ON,
            {"A": 1, "B": 1},
            ("accepted", ["fulfillable", "fulfillable"]),
            id="acknowledge-accepted-all-fulfillable",
        ),
        pytest.param(
            [("A", 3)],
            PARTIAL,
            {"A": 1},
            ("accepted", ["fulfillable"]),
            id="partial-accept-still-all-fulfillable",
        ),
        pytest.param(
            [("A", 1), ("B", 1)],
            ON,
            {"A": 1},
            ("rejected - item level error", ["fulfillable", "nonfulfillable - no inventory"]),
            id="reject-per-line",
        ),
        pytest.param(
            [("A", 1), ("NOPE", 1)],
            ON,
            {"A": 1},
            ("rejected - item level error", ["fulfillable", "nonfulfillable - invalid merchant SKU"]),
            id="cancel-unknown-sku",
        ),
        pytest.param(
            [("A", 1)],
            ON,
            {},
            ("rejected - item level error", ["nonfulfillable - no inventory"]),
            id="cancel-single-line-no-inventory",
        ),
        pytest.param([("A", 1)], OFF, {"A": 1}, None, id="hold-sends-nothing"),
    ],
)
def test_jet_acknowledgement(lines, settings, levels, expected) -> None:
    d = _one(order("o1", lines), settings, stock(levels))
    ack = to_jet_acknowledgement(d)
    if expected is None:
        assert ack is None
        return
    status, item_statuses = expected
    assert ack is not None
    assert ack.acknowledgement_status == status
    assert ack.items == tuple(zip([f"l{i}" for i in range(1, len(lines) + 1)], item_statuses, strict=True))


def test_jet_mappings_cover_every_enum_value() -> None:
    assert set(JET_ACKNOWLEDGEMENT_STATUS) == set(Outcome)
    assert set(JET_ITEM_STATUS) == set(LineStatus)


def test_jet_mapping_refuses_an_accepted_order_with_a_nonfulfillable_line() -> None:
    d = _one(order("o1", [("A", 1)]), ON, stock({"A": 1}))
    broken = replace(d, lines=(replace(d.lines[0], status=LineStatus.NO_INVENTORY),))
    with pytest.raises(ValueError, match="only fulfillable"):
        to_jet_acknowledgement(broken)


# --- inputs the rules refuse rather than guess about ------------------------------------


def test_duplicate_order_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        decide([order("o1", [("A", 1)]), order("o1", [("A", 2)], minute=1)], catalog("A"), {}, ON)


def test_mismatched_stock_key_is_refused() -> None:
    with pytest.raises(ValueError, match="holds"):
        decide([], catalog("A"), {("A", "N2"): StockLevel("A", NODE, 1)}, ON)


def test_mismatched_product_key_is_refused() -> None:
    with pytest.raises(ValueError, match="holds"):
        decide([], {"A": Product("B")}, {}, ON)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Order("o1", NODE, datetime(2026, 1, 1), (OrderLine("l1", "A", 1),)), id="naive-ready-at"),  # noqa: DTZ001
        pytest.param(lambda: Order("o1", NODE, T0, ()), id="no-lines"),
        pytest.param(lambda: Order("o1", NODE, T0, (OrderLine("l1", "A", 1), OrderLine("l1", "B", 1))), id="dup-line"),
        pytest.param(lambda: OrderLine("l1", "A", -1), id="negative-quantity"),
        pytest.param(lambda: Settings(1, partial_stock_policy="ship_some"), id="unknown-policy"),
        pytest.param(lambda: Settings(1, safety_stock=-1), id="negative-safety-stock"),
    ],
)
def test_invalid_values_are_refused(build) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        build()


def test_order_lines_given_as_a_list_are_kept_as_a_tuple() -> None:
    lines = [OrderLine("l1", "A", 1)]
    assert Order("o1", NODE, T0, lines) == Order("o1", NODE, T0, tuple(lines))  # type: ignore[arg-type]
