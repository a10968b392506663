"""Available stock counts the units shipped since the stock was counted, not only open promises."""

from __future__ import annotations

import pytest

from jet.decisions import Settings, StockLevel

pytestmark = pytest.mark.unit


def test_units_shipped_after_the_count_are_no_longer_on_the_floor() -> None:
    settings = Settings(version=1, safety_stock=1)
    level = StockLevel("A", "N", on_hand=10, promised=3, safety_stock=None, shipped_since_count=4)
    assert level.available(settings) == 10 - 3 - 4 - 1


def test_available_never_goes_below_zero() -> None:
    assert StockLevel("A", "N", on_hand=1, promised=0, shipped_since_count=5).available(Settings(version=1)) == 0


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="shipped_since_count"):
        StockLevel("A", "N", on_hand=1, shipped_since_count=-1)
