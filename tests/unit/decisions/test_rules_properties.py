"""Property tests: over random orders, catalogs, stock and settings, the rules never oversell.

Checked for every generated batch:
* exactly one decision per order, and every line of every order gets exactly one status;
* per (sku, node), the units reserved by acknowledged and held orders never exceed what
  was available (on hand − promised − safety stock, floored at 0), and the snapshot of
  what is left agrees;
* units accepted on an order line come from stock unless the line says why not:
  replenishable product, accept_regardless_of_inventory, or a partial accept (whose
  missing units are cancelled at shipment) — each only when the product or setting allows;
* the outcome matches the line statuses (the rules table, read backwards);
* decide() is deterministic and does not depend on the order of its input, and a younger
  order never changes an older order's decision (oldest first).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jet.decisions import (
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

pytestmark = pytest.mark.unit

CATALOG_SKUS = ["A", "B", "C", "D"]
ALL_SKUS = [*CATALOG_SKUS, "UNKNOWN-1"]  # UNKNOWN-1 is never in the catalog
NODES = ["N1", "N2"]
_BASE = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# Few distinct instants, in several zones, so ties on ready_at (broken by order id) are common.
READY_TIMES = [
    (_BASE + timedelta(minutes=m)).astimezone(tz)
    for m in (0, 1, 1, 5)
    for tz in (UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9)))
]

ACCEPTED_WITHOUT_FULL_STOCK = {ReasonCode.REPLENISHABLE, ReasonCode.ACCEPT_REGARDLESS, ReasonCode.PARTIAL_STOCK}

# Lists with repeats weight the draws toward the common case (known SKU, stock present,
# automation on) while keeping every rare case reachable.
settings_st = st.builds(
    Settings,
    version=st.integers(1, 9),
    auto_acknowledge=st.sampled_from([True, True, True, False]),
    accept_regardless_of_inventory=st.sampled_from([False, False, False, True]),
    partial_stock_policy=st.sampled_from(["reject", "accept_available"]),
    safety_stock=st.sampled_from([0, 0, 0, 1, 3]),
)

# (replenishable, archived), or None for a SKU missing from the catalog.
_PRODUCT_FLAGS = [(False, False)] * 8 + [(True, False), (False, True), (True, True), None]
products_st = st.tuples(*(st.sampled_from(_PRODUCT_FLAGS) for _ in CATALOG_SKUS)).map(
    lambda flags: {
        sku: Product(sku, replenishable=f[0], archived=f[1]) for sku, f in zip(CATALOG_SKUS, flags, strict=True) if f
    }
)

_KEYS = [(sku, node) for sku in ALL_SKUS for node in NODES]
_level = st.tuples(
    st.sampled_from([5, 8, 1, 2, 3, 0, -1]), st.sampled_from([0, 0, 0, 1, 4]), st.sampled_from([None, None, None, 0, 2])
)
stock_st = st.tuples(*(st.one_of(_level, _level, _level, st.none()) for _ in _KEYS)).map(
    lambda levels: {
        (sku, node): StockLevel(sku, node, *level) for (sku, node), level in zip(_KEYS, levels, strict=True) if level
    }
)

_LINE_SKUS = [*CATALOG_SKUS, *CATALOG_SKUS, *CATALOG_SKUS, "UNKNOWN-1"]


@st.composite
def order_st(draw: st.DrawFn, order_id: str) -> Order:
    lines = draw(
        st.lists(st.tuples(st.sampled_from(_LINE_SKUS), st.sampled_from([1, 1, 1, 2, 3, 4, 0])), min_size=1, max_size=5)
    )
    return Order(
        order_id=order_id,
        node=draw(st.sampled_from([NODES[0], NODES[0], NODES[1]])),
        ready_at=draw(st.sampled_from(READY_TIMES)),
        lines=tuple(OrderLine(f"{order_id}-l{i}", sku, qty) for i, (sku, qty) in enumerate(lines)),
    )


orders_st = st.lists(st.sampled_from([f"o{i:02d}" for i in range(30)]), unique=True, max_size=10).flatmap(
    lambda ids: st.tuples(*(order_st(i) for i in ids)).map(list)
)


def _available(level: StockLevel, s: Settings) -> int:
    # Restated here, not imported, so the test checks the formula rather than echo it.
    safety = s.safety_stock if level.safety_stock is None else level.safety_stock
    return max(0, level.on_hand - level.promised - safety)


@settings(max_examples=400, deadline=None)
@given(orders=orders_st, products=products_st, stock=stock_st, s=settings_st)
def test_rules_never_oversell_and_decide_every_line(orders, products, stock, s) -> None:  # noqa: C901 (one property: the rules table read backwards, check by check)
    batch = decide_batch(orders, products, stock, s)
    by_id = {o.order_id: o for o in orders}

    # Exactly one decision per order; every line exactly one status, in the order's line order.
    assert sorted(d.order_id for d in batch.decisions) == sorted(by_id)
    reserved: dict[tuple[str, str], int] = defaultdict(int)
    for d in batch.decisions:
        o = by_id[d.order_id]
        assert [(ld.line_id, ld.sku, ld.quantity) for ld in d.lines] == [
            (line.line_id, line.sku, line.quantity) for line in o.lines
        ]
        statuses = [ld.status for ld in d.lines]
        assert all(isinstance(st_, LineStatus) for st_ in statuses)
        assert d.settings_version == s.version
        assert d.reasons
        for ld in d.lines:
            assert 0 <= ld.reserved <= ld.quantity
            assert (ld.status is LineStatus.UNKNOWN_SKU) == (ld.sku not in products)
            reserved[(ld.sku, o.node)] += ld.reserved

        # The rules table, read backwards.
        unknown = LineStatus.UNKNOWN_SKU in statuses
        short = LineStatus.NO_INVENTORY in statuses
        if not s.auto_acknowledge:
            assert d.outcome is Outcome.HOLD
            assert to_jet_acknowledgement(d) is None
        else:
            assert to_jet_acknowledgement(d) is not None
        if d.outcome is Outcome.ACKNOWLEDGE:
            assert not unknown
            assert not short
        elif d.outcome is Outcome.CANCEL:
            assert unknown or (len(d.lines) == 1 and short)
        elif d.outcome is Outcome.REJECT:
            assert not unknown
            assert short
            assert len(d.lines) > 1
        if d.outcome in (Outcome.REJECT, Outcome.CANCEL):
            assert d.reserved == 0  # a refused order keeps nothing back
        if unknown:
            assert d.outcome in (Outcome.CANCEL, Outcome.HOLD)
        if s.auto_acknowledge and s.accept_regardless_of_inventory and not unknown:
            assert d.outcome is Outcome.ACKNOWLEDGE

        # Units accepted beyond what was reserved are explained by a product flag or setting.
        sends_or_holds_acceptance = d.outcome is Outcome.ACKNOWLEDGE or (
            d.outcome is Outcome.HOLD and not unknown and not short
        )
        if d.outcome is Outcome.HOLD and not sends_or_holds_acceptance:
            assert d.reserved == 0  # a hold that would be refused reserves nothing
        if sends_or_holds_acceptance:
            for ld in d.lines:
                assert ld.status is LineStatus.FULFILLABLE
                if ld.reserved < ld.quantity:
                    assert ld.reason in ACCEPTED_WITHOUT_FULL_STOCK
                if ld.reason is ReasonCode.REPLENISHABLE:
                    assert products[ld.sku].replenishable
                    assert not products[ld.sku].archived
                if ld.reason is ReasonCode.ACCEPT_REGARDLESS:
                    assert s.accept_regardless_of_inventory
                if ld.reason is ReasonCode.PARTIAL_STOCK:
                    assert s.partial_stock_policy == "accept_available"
                    assert ld.units_to_cancel == ld.quantity - ld.reserved
                if products[ld.sku].archived:
                    assert ld.reserved == 0  # not sellable: its stock is never promised

    # Never more reserved than available, per (sku, node); the snapshot agrees.
    for key in set(reserved) | set(stock):
        available = _available(stock[key], s) if key in stock else 0
        assert reserved[key] <= available, key
        if key in stock:
            assert batch.remaining[key] == available - reserved[key] >= 0
    assert set(batch.remaining) == set(stock)

    # Units that must ship from stock (no replenishment, not accept-regardless, minus the
    # units a partial accept cancels) never exceed what was available, counting held
    # orders that would be accepted: approving them later must not oversell either.
    from_stock: dict[tuple[str, str], int] = defaultdict(int)
    for d in batch.decisions:
        o = by_id[d.order_id]
        statuses = {ld.status for ld in d.lines}
        approvable_hold = d.outcome is Outcome.HOLD and statuses == {LineStatus.FULFILLABLE}
        if not (d.outcome is Outcome.ACKNOWLEDGE or approvable_hold) or s.accept_regardless_of_inventory:
            continue
        for ld in d.lines:
            product = products[ld.sku]
            if not (product.replenishable and not product.archived):
                from_stock[(ld.sku, o.node)] += ld.quantity - ld.units_to_cancel
    for key, units in from_stock.items():
        assert units <= (_available(stock[key], s) if key in stock else 0), key


@settings(max_examples=200, deadline=None)
@given(orders=orders_st, products=products_st, stock=stock_st, s=settings_st, data=st.data())
def test_decide_is_deterministic_and_ignores_input_order(orders, products, stock, s, data) -> None:
    first = decide(orders, products, stock, s)
    assert decide(orders, products, stock, s) == first
    shuffled = data.draw(st.permutations(orders), label="shuffled orders")
    shuffled_stock = dict(data.draw(st.permutations(list(stock.items())), label="shuffled stock"))
    assert decide(shuffled, products, shuffled_stock, s) == first


@settings(max_examples=200, deadline=None)
@given(orders=orders_st, products=products_st, stock=stock_st, s=settings_st, data=st.data())
def test_younger_orders_never_change_older_decisions(orders, products, stock, s, data) -> None:
    everything = decide(orders, products, stock, s)
    oldest_first = sorted(orders, key=lambda o: (o.ready_at, o.order_id))
    k = data.draw(st.integers(0, len(orders)), label="older orders")
    assert decide(oldest_first[:k], products, stock, s) == everything[:k]
