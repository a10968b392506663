"""Units per SKU as Jet shows an order: the one reading cancels, shipments and refunds share."""

from __future__ import annotations

import pytest

from jet.orders.units import OpenUnits, units_per_sku
from tests.unit.orders.builders import item, order_of

pytestmark = pytest.mark.unit


def test_lines_of_one_sku_add_up_and_every_shipment_counts() -> None:
    order = order_of(
        [item("i1", "SKU-A", 2), item("i2", "SKU-B", 1), item("i3", "SKU-A", 3)],
        [[("SKU-A", 1, 0)], [("SKU-A", 2, 1), ("SKU-B", 0, 1)]],
    )
    units = units_per_sku(order)
    assert units == {"SKU-A": OpenUnits(ordered=5, shipped=3, cancelled=1), "SKU-B": OpenUnits(ordered=1, cancelled=1)}
    assert list(units) == ["SKU-A", "SKU-B"], "in the order of the lines"
    assert {sku: u.open for sku, u in units.items()} == {"SKU-A": 1, "SKU-B": 0}


def test_an_order_nothing_shipped_from_is_all_open() -> None:
    units = units_per_sku(order_of([item("i1", "SKU-A", 2)], []))
    assert units == {"SKU-A": OpenUnits(ordered=2)}
    assert units["SKU-A"].open == 2


def test_units_waiting_in_our_requests_are_not_open() -> None:
    assert OpenUnits(ordered=3, shipped=1, waiting=1).open == 1
    assert OpenUnits(ordered=1, shipped=1, waiting=1).open == 0, "never negative"
