"""Prices in the catalog file: validated with the rest (all or nothing), kept with their
as-of time, an empty cell keeps the price loaded; and the merge of archived flags."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jet.catalog.load_csv import CatalogFileError, load_file

pytestmark = pytest.mark.integration
T1 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
HEADER = "sku,title,unit_cost,price,replenishable,archived,fulfillment_node,on_hand,safety_stock,node_price\n"


def prices(conn: Any) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT p.sku, p.price, p.price_as_of, i.fulfillment_node, i.node_price, i.node_price_as_of"
        " FROM jet.products p LEFT JOIN jet.inventory i USING (sku) ORDER BY 1, 4"
    ).fetchall()
    return {f"{r[0]}@{r[3]}": r[1:3] + r[4:] for r in rows}


def test_prices_load_with_their_as_of_time_and_an_empty_cell_keeps_them(decisions_db: Any, tmp_path: Path) -> None:
    file = tmp_path / "stock.csv"
    file.write_text(HEADER + "A,Socks,3.20,7.99,false,false,n1,40,,\nA,Socks,3.20,7.99,false,false,n2,5,,8.49\n")
    load_file(decisions_db, file, T1)
    assert prices(decisions_db) == {
        "A@n1": (Decimal("7.99"), T1, None, None),
        "A@n2": (Decimal("7.99"), T1, Decimal("8.49"), T1),
    }

    file.write_text(HEADER + "A,Socks,3.20,,false,false,n1,40,,\nA,Socks,3.20,,false,false,n2,5,,\n")
    load_file(decisions_db, file, T2)
    assert prices(decisions_db)["A@n2"] == (Decimal("7.99"), T1, Decimal("8.49"), T1), "empty keeps, as of then"

    file.write_text(HEADER + "A,Socks,3.20,6.50,false,false,n1,40,,\nA,Socks,3.20,6.50,false,false,n2,5,,8.49\n")
    load_file(decisions_db, file, T2)
    assert prices(decisions_db)["A@n2"] == (Decimal("6.50"), T2, Decimal("8.49"), T1)

    old_header = "sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"
    file.write_text(old_header + "A,Socks,3.20,false,false,n1,41,\n")
    load_file(decisions_db, file, T2)
    assert prices(decisions_db)["A@n1"][:2] == (Decimal("6.50"), T2), "a file without the column keeps prices"


@pytest.mark.parametrize(
    ("price", "node_price", "expected"),
    [
        ("0", "", "row 2, column price: '0' is not a price above 0"),
        ("7.999", "", "row 2, column price: '7.999' has more than 2 decimals"),
        ("cheap", "", "row 2, column price: 'cheap' is not an amount"),
        ("7.99", "-1", "row 2, column node_price: '-1' must be a non-negative amount"),
    ],
)
def test_a_bad_price_refuses_the_whole_file(
    decisions_db: Any, tmp_path: Path, price: str, node_price: str, expected: str
) -> None:
    file = tmp_path / "stock.csv"
    file.write_text(HEADER + f"A,Socks,3.20,{price},false,false,n1,40,,{node_price}\nB,Book,2,5,false,false,n1,1,,\n")
    with pytest.raises(CatalogFileError) as refused:
        load_file(decisions_db, file, T1)
    assert expected in str(refused.value)
    assert decisions_db.execute("SELECT count(*) FROM jet.products").fetchone()[0] == 0


def test_a_price_must_repeat_identically_on_a_skus_rows(decisions_db: Any, tmp_path: Path) -> None:
    file = tmp_path / "stock.csv"
    file.write_text(HEADER + "A,Socks,3.20,7.99,false,false,n1,40,,\nA,Socks,3.20,7.98,false,false,n2,5,,\n")
    with pytest.raises(CatalogFileError, match="row 3, column sku: product columns of 'A' differ"):
        load_file(decisions_db, file, T1)


def test_archived_in_the_file_and_on_jet_are_two_flags_archived_is_either(decisions_db: Any, tmp_path: Path) -> None:
    file = tmp_path / "stock.csv"
    file.write_text(HEADER + "A,Socks,3.20,7.99,false,false,n1,40,,\n")
    load_file(decisions_db, file, T1)
    decisions_db.execute("UPDATE jet.products SET archived_on_jet = true WHERE sku = 'A'")
    flags = "SELECT archived, archived_in_file, archived_on_jet, updated_at FROM jet.products WHERE sku = 'A'"
    assert decisions_db.execute(flags).fetchone() == (True, False, True, T1)

    load_file(decisions_db, file, T2)  # the file still says not archived: Jet's archive holds, nothing changes
    assert decisions_db.execute(flags).fetchone() == (True, False, True, T1)

    decisions_db.execute("UPDATE jet.products SET archived_on_jet = false WHERE sku = 'A'")
    assert decisions_db.execute(flags).fetchone()[:3] == (False, False, False)
