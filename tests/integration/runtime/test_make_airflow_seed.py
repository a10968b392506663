"""`make airflow` on a fresh clone loads the sandbox's catalog once, and never over a merchant's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jet.catalog.load_csv import load_file
from jet.runtime.seed import seed_catalog_if_empty
from tests.helpers import table_checksums
from tests.integration.decisions.conftest import sandbox_now

pytestmark = pytest.mark.integration
TABLES = ("jet.products", "jet.inventory")


def test_an_empty_catalog_is_seeded_from_the_sandbox_once(decisions_db: Any, sandbox: Any, warehouse_url: str) -> None:
    known = {s["merchant_sku"] for s in sandbox.truth("catalog")["skus"] if s["known_to_merchant"]}
    first = seed_catalog_if_empty(warehouse_url, sandbox.base_url, sandbox_now(sandbox))
    assert first.seeded
    assert first.products == len(known)
    assert "seeded from the sandbox's catalog" in first.describe()
    assert {r[0] for r in decisions_db.execute("SELECT sku FROM jet.products")} == known
    before = table_checksums(decisions_db, TABLES)

    again = seed_catalog_if_empty(warehouse_url, sandbox.base_url, sandbox_now(sandbox))
    assert not again.seeded
    assert again.products == len(known)
    assert "already loaded" in again.describe()
    assert table_checksums(decisions_db, TABLES) == before, "a second start changes nothing"


def test_a_merchants_own_catalog_is_left_alone(
    decisions_db: Any, sandbox: Any, warehouse_url: str, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"
                    "MY-SKU,My product,2.50,false,false,n1,7,\n")  # fmt: skip
    load_file(decisions_db, mine, sandbox_now(sandbox))
    before = table_checksums(decisions_db, TABLES)
    result = seed_catalog_if_empty(warehouse_url, sandbox.base_url, sandbox_now(sandbox))
    assert not result.seeded
    assert result.products == 1
    assert table_checksums(decisions_db, TABLES) == before
