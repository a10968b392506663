"""Load the merchant's catalog and stock from a CSV export into jet.products / jet.inventory.

One row per SKU and fulfillment node (product columns repeat on each of a SKU's rows;
a row with an empty ``fulfillment_node`` declares a product without stock)::

    sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock
    SOCK-1,Blue socks,3.20,false,false,998bb45c821d4d5a84e73d68004f898b,40,
    SOCK-1,Blue socks,3.20,false,false,4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9,12,2

Every row is validated first; any bad row refuses the whole file, with one message per
problem naming the row and the column, and nothing is loaded. A good file is COPYed
into staging tables and upserted in one transaction. SKUs and nodes absent from the
file are left as they are (the file updates, it does not replace).

Command line: ``python -m jet.catalog.load_csv FILE`` (``make load-inventory FILE=...``).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

COLUMNS = ("sku", "title", "unit_cost", "replenishable", "archived", "fulfillment_node", "on_hand", "safety_stock")
REQUIRED_COLUMNS = ("sku", "title", "unit_cost", "fulfillment_node", "on_hand")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}
MAX_ERRORS_SHOWN = 50


class CatalogFileError(ValueError):
    """The file was refused; ``errors`` lists every problem as ``row N, column C: ...``."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n  ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__(
            f"{source}: refused, nothing loaded ({len(errors)} problem(s)):\n  " + "\n  ".join(shown) + more
        )


@dataclass(frozen=True)
class ProductRow:
    sku: str
    title: str
    unit_cost: Decimal
    replenishable: bool
    archived: bool


@dataclass(frozen=True)
class StockRow:
    sku: str
    fulfillment_node: str
    on_hand: int
    safety_stock: int | None


@dataclass
class Catalog:
    """A validated file: products by SKU and stock rows."""

    products: dict[str, ProductRow] = field(default_factory=dict)
    stock: list[StockRow] = field(default_factory=list)


@dataclass(frozen=True)
class LoadReceipt:
    products: int
    stock_rows: int
    products_changed: int
    stock_changed: int

    def as_xcom(self) -> dict[str, int]:
        return {
            "products": self.products,
            "stock_rows": self.stock_rows,
            "products_changed": self.products_changed,
            "stock_changed": self.stock_changed,
        }


def _bool(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a boolean (true/false, yes/no, 1/0)")


def _count(value: str, *, optional: bool = False) -> int | None:
    text = value.strip()
    if not text:
        if optional:
            return None
        raise ValueError("required")
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{number} is negative")
    return number


def _count_optional(value: str) -> int | None:
    return _count(value, optional=True)


def _field(errors: list[str], number: int, column: str, convert: Any, values: dict[str, str]) -> Any:
    """Convert one cell; a problem is appended to ``errors`` naming the row and column."""
    try:
        return convert(values[column])
    except ValueError as exc:
        errors.append(f"row {number}, column {column}: {exc}")
        return None


def _money(value: str) -> Decimal:
    text = value.strip().lstrip("$")
    if not text:
        raise ValueError("required")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} must be a non-negative amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value!r} has more than 2 decimals")
    return amount.quantize(Decimal("0.01"))


def parse(text: str, source: str = "catalog file") -> Catalog:
    """Validate a whole CSV text; raise :class:`CatalogFileError` listing every problem."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = [f"header: missing column {c!r}" for c in missing]
        problems += [f"header: unknown column {c!r} (expected {', '.join(COLUMNS)})" for c in unknown]
        raise CatalogFileError(source, problems)
    reader.fieldnames = header
    errors: list[str] = []
    catalog = Catalog()
    first_row_of: dict[str, int] = {}
    seen_stock: dict[tuple[str, str], int] = {}
    rows = 0
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        rows += 1
        if None in raw:
            errors.append(f"row {number}: {len(raw[None])} value(s) more than the header has columns")
            continue
        values = {c: (raw.get(c) or "") for c in COLUMNS}
        row_errors: list[str] = []
        sku = values["sku"].strip()
        title = values["title"].strip()
        if not sku:
            row_errors.append(f"row {number}, column sku: required")
        if not title:
            row_errors.append(f"row {number}, column title: required")
        cost = _field(row_errors, number, "unit_cost", _money, values)
        replenishable = _field(row_errors, number, "replenishable", _bool, values)
        archived = _field(row_errors, number, "archived", _bool, values)
        node = values["fulfillment_node"].strip()
        on_hand = _field(row_errors, number, "on_hand", _count_optional if not node else _count, values)
        safety = _field(row_errors, number, "safety_stock", _count_optional, values)
        if not node and (on_hand or safety):
            row_errors.append(f"row {number}, column fulfillment_node: required when on_hand or safety_stock is given")
        if row_errors:
            errors += row_errors
            continue
        product = ProductRow(sku, title, cost, replenishable, archived)
        if sku in catalog.products and catalog.products[sku] != product:
            errors.append(
                f"row {number}, column sku: product columns of {sku!r} differ from row {first_row_of[sku]}"
                " (title, unit_cost, replenishable and archived must repeat identically)"
            )
            continue
        catalog.products.setdefault(sku, product)
        first_row_of.setdefault(sku, number)
        if node:
            key = (sku, node)
            if key in seen_stock:
                errors.append(
                    f"row {number}, column fulfillment_node: {sku!r} at node {node!r} already given on row "
                    f"{seen_stock[key]}"
                )
                continue
            seen_stock[key] = number
            catalog.stock.append(StockRow(sku, node, on_hand or 0, safety))
    if rows == 0:
        errors.append("no data rows")
    if errors:
        raise CatalogFileError(source, errors)
    return catalog


def load(conn: psycopg.Connection, catalog: Catalog, loaded_at: datetime) -> LoadReceipt:
    """COPY a validated catalog into staging and upsert it, in one transaction."""
    from jet.orders.load import copy_rows

    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("catalog_stage.sql"))
        copy_rows(
            cur,
            "stage_products",
            ("sku", "title", "unit_cost", "replenishable", "archived", "updated_at"),
            ((p.sku, p.title, p.unit_cost, p.replenishable, p.archived, loaded_at) for p in catalog.products.values()),
        )
        copy_rows(
            cur,
            "stage_inventory",
            ("sku", "fulfillment_node", "on_hand", "safety_stock", "updated_at"),
            ((s.sku, s.fulfillment_node, s.on_hand, s.safety_stock, loaded_at) for s in catalog.stock),
        )
        statements = [s for s in read_sql("catalog_merge.sql").split(";") if s.strip() and not _only_comments(s)]
        changed = []
        for statement in statements:
            cur.execute(statement)
            changed.append(cur.rowcount)
    receipt = LoadReceipt(len(catalog.products), len(catalog.stock), changed[0], changed[1])
    log.info(
        "catalog loaded: %d products (%d changed), %d stock rows (%d changed)",
        receipt.products,
        receipt.products_changed,
        receipt.stock_rows,
        receipt.stock_changed,
    )
    return receipt


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())


def load_file(conn: psycopg.Connection, path: str | Path, loaded_at: datetime) -> LoadReceipt:
    """Validate and load one CSV file (UTF-8, a BOM is tolerated)."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"catalog file {file} does not exist")
    return load(conn, parse(file.read_text(encoding="utf-8-sig"), str(file)), loaded_at)


def to_csv(products: Iterable[ProductRow], stock: Iterable[StockRow]) -> str:
    """Write a catalog in the load format (products without stock get one row with no node)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    by_sku: dict[str, list[StockRow]] = {}
    for row in stock:
        by_sku.setdefault(row.sku, []).append(row)
    for p in products:
        head = [p.sku, p.title, f"{p.unit_cost:.2f}", str(p.replenishable).lower(), str(p.archived).lower()]
        for s in by_sku.get(p.sku) or [None]:
            if s is None:
                writer.writerow([*head, "", "", ""])
            else:
                safety = "" if s.safety_stock is None else s.safety_stock
                writer.writerow([*head, s.fulfillment_node, s.on_hand, safety])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """``python -m jet.catalog.load_csv FILE``: load into the warehouse of ``JET_WAREHOUSE_URL``."""
    import argparse
    import os
    from datetime import UTC

    import psycopg

    parser = argparse.ArgumentParser(description="Load the merchant's catalog and stock CSV into the warehouse.")
    parser.add_argument("file", help="CSV file (columns: " + ", ".join(COLUMNS) + ")")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    url = os.environ.get("JET_WAREHOUSE_URL")
    if not url:
        parser.error("JET_WAREHOUSE_URL is not set: run through `make load-inventory FILE=...`")
    try:
        with psycopg.connect(url) as conn:
            # A manual load has no DAG run: its own start time stamps the rows.
            receipt = load_file(conn, args.file, datetime.now(UTC))
    except (CatalogFileError, FileNotFoundError) as exc:
        print(f"error: {exc}")  # noqa: T201 (CLI output)
        return 1
    print(f"loaded {args.file}: {receipt.as_xcom()}")  # noqa: T201 (CLI output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
