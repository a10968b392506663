"""Catalog CSV loading into the real warehouse: all or nothing, idempotent; and the
demo seed matching the sandbox catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jet.catalog.load_csv import CatalogFileError, load_file, main
from tests.helpers import table_checksums

pytestmark = pytest.mark.integration
T = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HEADER = "sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"


def test_load_is_all_or_nothing_and_idempotent(decisions_db: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "A,Socks,3.20,false,false,n1,40,\nA,Socks,3.20,false,false,n2,5,2\nB,Book,7,yes,no,,,\n")
    receipt = load_file(decisions_db, good, T)
    assert receipt.as_xcom() == {
        "products": 2,
        "stock_rows": 2,
        "products_changed": 2,
        "stock_changed": 2,
        "stale_rows": 0,
    }
    tables = ("jet.products", "jet.inventory")
    before = table_checksums(decisions_db, tables)
    assert load_file(decisions_db, good, datetime(2026, 3, 3, tzinfo=UTC)).products_changed == 0
    assert table_checksums(decisions_db, tables) == before, "loading the same file again changes nothing"

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,Socks,3.50,false,false,n1,10,\nZ,Zed,1,false,false,n1,x,\n")
    with pytest.raises(CatalogFileError, match="row 3, column on_hand"):
        load_file(decisions_db, bad, T)
    assert table_checksums(decisions_db, tables) == before, "a refused file loads nothing, not even its good rows"


def test_command_line_reports_a_refused_file(decisions_db: Any, tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    import os

    monkeypatch.setenv("JET_WAREHOUSE_URL", os.environ["JET_TEST_WAREHOUSE_URL"])
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,,1,false,false,n1,1,\n")
    assert main([str(bad)]) == 1
    assert "row 2, column title: required" in capsys.readouterr().out


def test_demo_seed_matches_the_sandbox_catalog_except_unknown_skus(seeded: Any, decisions_db: Any) -> None:
    known = {s["merchant_sku"]: s for s in seeded["skus"] if s["known_to_merchant"]}
    unknown = {s["merchant_sku"] for s in seeded["skus"] if not s["known_to_merchant"]}
    assert unknown, "the sandbox has SKUs the merchant does not know"
    products = dict(decisions_db.execute("SELECT sku, unit_cost FROM jet.products").fetchall())
    assert set(products) == set(known)
    for sku, cost in products.items():
        assert 0 < cost < known[sku]["price"]
    stock = dict(decisions_db.execute("SELECT sku, sum(on_hand) FROM jet.inventory GROUP BY sku").fetchall())
    assert stock == {sku: s["merchant_on_hand"] for sku, s in known.items()}


def test_the_sample_catalog_is_the_sandboxs_catalog(sandbox: Any) -> None:
    """samples/catalog.csv (README) is what the merchant of `make airflow`'s sandbox (seed 42) stocks."""
    from jet.catalog.demo import catalog_from_sandbox
    from jet.catalog.load_csv import read_file

    sample = read_file(Path(__file__).resolve().parents[3] / "samples" / "catalog.csv")
    expected = catalog_from_sandbox(sandbox.truth("catalog"))
    assert sample.products == expected.products
    assert [(s.sku, s.fulfillment_node, s.on_hand) for s in sample.stock] == [
        (s.sku, s.fulfillment_node, s.on_hand) for s in expected.stock
    ]
    assert all(s.counted_at is not None for s in sample.stock), "counted as of the file's time"
