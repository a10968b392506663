"""Small builders so each rules-table case reads as one line of data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from jet.decisions import Order, OrderLine, Product, StockLevel

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
NODE = "N1"


def order(order_id: str, lines: Iterable[tuple[str, int]], *, minute: int = 0, node: str = NODE) -> Order:
    """An order ready ``minute`` minutes after T0; lines are ``(sku, quantity)``, ids l1, l2, …"""
    return Order(
        order_id=order_id,
        node=node,
        ready_at=T0 + timedelta(minutes=minute),
        lines=tuple(OrderLine(f"l{i}", sku, qty) for i, (sku, qty) in enumerate(lines, start=1)),
    )


def catalog(*skus: str, replenishable: Iterable[str] = (), archived: Iterable[str] = ()) -> dict[str, Product]:
    replenishable, archived = set(replenishable), set(archived)
    return {s: Product(s, replenishable=s in replenishable, archived=s in archived) for s in skus}


def stock(
    levels: Mapping[str, int | tuple[int, int, int | None]], node: str = NODE
) -> dict[tuple[str, str], StockLevel]:
    """``{sku: on_hand}`` or ``{sku: (on_hand, promised, sku_safety_stock)}`` at one node."""
    out: dict[tuple[str, str], StockLevel] = {}
    for sku, spec in levels.items():
        on_hand, promised, safety = spec if isinstance(spec, tuple) else (spec, 0, None)
        out[(sku, node)] = StockLevel(sku, node, on_hand, promised, safety)
    return out
