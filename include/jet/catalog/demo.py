"""Demo data: the merchant's catalog and stock matching the Jet sandbox's catalog.

The sandbox's ground truth (``GET /_sandbox/truth/catalog``) lists every SKU Jet sells
for the merchant, with ``known_to_merchant``; the few SKUs the merchant does not know
are left out on purpose, so orders for them are cancelled (unknown SKU) as in real life.
Stock is the sandbox's ``merchant_on_hand`` (0 for the out-of-stock SKUs) split across
the fulfillment nodes; unit costs are a deterministic 40–65 % of the selling price.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from jet.catalog.load_csv import Catalog, LoadReceipt, ProductRow, StockRow, load

if TYPE_CHECKING:
    import psycopg

#: Categories whose products the demo merchant can source on demand (print on demand, drop-ship).
REPLENISHABLE_CATEGORIES = frozenset({"Books"})


def _fraction(sku: str, salt: str) -> Decimal:
    """A stable number in [0, 1) per SKU: the same catalog always seeds the same data."""
    digest = hashlib.sha256(f"{salt}:{sku}".encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)


def catalog_from_sandbox(catalog_json: Mapping[str, Any]) -> Catalog:
    """Products and stock for every SKU the merchant knows (unknown SKUs left out)."""
    nodes = list(catalog_json["fulfillment_nodes"])
    catalog = Catalog()
    for sku in catalog_json["skus"]:
        if not sku["known_to_merchant"]:
            continue
        code = sku["merchant_sku"]
        price = Decimal(str(sku["price"]))
        ratio = Decimal("0.40") + Decimal("0.25") * _fraction(code, "cost")
        catalog.products[code] = ProductRow(
            sku=code,
            title=sku["product_title"],
            unit_cost=(price * ratio).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            replenishable=sku.get("category") in REPLENISHABLE_CATEGORIES,
            archived=bool(sku.get("is_archived")),
            price=price,  # the price Jet shows now: the first sync pushes it unchanged
        )
        on_hand = int(sku["merchant_on_hand"])
        # Split the merchant's stock over the nodes, the first node taking the remainder.
        share, rest = divmod(on_hand, len(nodes))
        for i, node in enumerate(nodes):
            catalog.stock.append(StockRow(code, node, share + (rest if i == 0 else 0), None))
    return catalog


def seed_from_sandbox(conn: psycopg.Connection, catalog_json: Mapping[str, Any], loaded_at: datetime) -> LoadReceipt:
    """Load the demo catalog into the warehouse (idempotent: an upsert)."""
    return load(conn, catalog_from_sandbox(catalog_json), loaded_at)
