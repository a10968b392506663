"""`make airflow`'s first start: the sandbox's catalog in an empty warehouse.

Without a catalog every SKU looks unknown, and the decider would hold every order
(it refuses to cancel sales it cannot judge). A newcomer starting `make airflow` wants
to see orders acknowledged, so on a warehouse whose catalog was never loaded the
merchant's side of the sandbox's catalog is loaded the way `make demo` loads it. A
catalog already there, loaded by the merchant or an earlier start, is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import psycopg

from jet.catalog.demo import seed_from_sandbox
from jet.sql import read_sql


@dataclass(frozen=True)
class CatalogSeed:
    """What the start found or did: for the banner."""

    seeded: bool
    products: int
    stock_rows: int

    def describe(self) -> str:
        if self.seeded:
            return (
                f"seeded from the sandbox's catalog: {self.products} products, {self.stock_rows} stock rows "
                "(the warehouse had none; same data as samples/catalog.csv)"
            )
        return f"already loaded ({self.products} products): left as it is"


def sandbox_catalog(sandbox_url: str, timeout: float = 30.0) -> dict[str, Any]:
    """The sandbox's ground-truth catalog (``GET /_sandbox/truth/catalog``)."""
    response = httpx.get(f"{sandbox_url}/_sandbox/truth/catalog", timeout=timeout)
    response.raise_for_status()
    return dict(response.json())


def seed_catalog_if_empty(warehouse_url: str, sandbox_url: str, loaded_at: datetime) -> CatalogSeed:
    """Load the sandbox's catalog when ``jet.products`` holds no product; else change nothing."""
    with psycopg.connect(warehouse_url) as conn:
        row = conn.execute(read_sql("runtime_catalog_products.sql")).fetchone()
        products = row[0] if row else 0
        if products:
            return CatalogSeed(seeded=False, products=int(products), stock_rows=0)
        receipt = seed_from_sandbox(conn, sandbox_catalog(sandbox_url), loaded_at)
    return CatalogSeed(seeded=True, products=receipt.products, stock_rows=receipt.stock_rows)
