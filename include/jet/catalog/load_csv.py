"""Load the merchant's catalog and stock from a CSV export into jet.products / jet.inventory.

One row per SKU and fulfillment node (product columns repeat on each of a SKU's rows;
a row with an empty ``fulfillment_node`` declares a product without stock)::

    sku,title,unit_cost,price,replenishable,archived,fulfillment_node,on_hand,safety_stock,counted_at,node_price
    SOCK-1,Blue socks,3.20,7.99,false,false,998bb45c821d4d5a84e73d68004f898b,40,,2026-03-02T06:00:00Z,
    SOCK-1,Blue socks,3.20,7.99,false,false,4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9,12,2,2026-03-02T06:00:00Z,8.49

**Prices are optional.** ``price`` is the SKU's selling price on Jet (what the merchant
is paid per unit), a product column like ``title``; ``node_price`` is a stock column for
a node whose price differs. An empty cell (or a file without the column) keeps the
price already loaded: older exports never erase prices. ``jet.products.price_as_of``
says when the current price was loaded. ``jet_catalog_sync`` pushes changed prices.

**Stock is a count at a moment.** ``on_hand`` is what was on the shelf at ``counted_at``
(ISO-8601 with a UTC offset); units shipped after that moment are no longer there, and
the decider subtracts them (``jet.stock_available``). Without a ``counted_at`` column the
count is as of the file's last modification (:func:`load_file`), else the load's time.
A row counted earlier than the count already loaded for its SKU and node is skipped
(reported as ``stale_rows``): an old file never undoes a newer count.

Every row is validated first; any bad row refuses the whole file, with one message per
problem naming the row and the column, and nothing is loaded. Messages quote at most
the offending cell, cut to :data:`CELL_SHOWN` characters: a file that is not a catalog
(``/etc/passwd``) is never echoed. A good file is COPYed into staging tables and upserted
in one transaction. SKUs and nodes absent from the file are left as they are (the file
updates, it does not replace).

The columns are the table :data:`COLUMNS`: a new optional column is one entry there (its
parser, and the record it feeds), one field of :class:`ProductRow` or :class:`StockRow`,
and its line in ``catalog_merge.sql``.

Command line: ``python -m jet.catalog.load_csv FILE`` (``make load-inventory FILE=...``)
loads any file its user can read; the DAG ``jet_load_inventory`` only reads the inbox
(:mod:`jet.catalog.inbox`).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jet.failures import PermanentError
from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 50
CELL_SHOWN = 32  # characters of an offending cell quoted in a message
MAX_FILE_BYTES = 64 * 1024 * 1024  # a catalog of a million rows is ~100 MB; beyond that, it is not one
MAX_UNITS = 1_000_000_000  # a count above a billion units is a typo (the column holds 2,147,483,647)
MAX_UNIT_COST = Decimal("1000000")  # numeric(14, 2) would hold more; no product costs a million dollars
#: Clocks differ a little between the merchant's system and ours; a count from further ahead is refused.
COUNT_CLOCK_SKEW = timedelta(minutes=5)
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}
# Control characters (NUL included) cannot be stored or shown; tabs and newlines have no
# place in a SKU, a title or a node id either.
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


class CatalogFileError(PermanentError, ValueError):
    """The file was refused; ``errors`` lists every problem as ``row N, column C: ...``."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n  ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__(
            f"{source}: refused, nothing loaded ({len(errors)} problem(s)):\n  " + "\n  ".join(shown) + more
        )


def shown(value: str) -> str:
    """A cell as quoted in a message: repr'd, cut to :data:`CELL_SHOWN` characters."""
    return repr(value if len(value) <= CELL_SHOWN else value[: CELL_SHOWN - 3] + "...")


# ---------------------------------------------------------------------- cell parsers
# Each takes the raw cell and returns the value, None for an empty optional cell, or
# raises ValueError with a message that quotes the cell only through shown().


def _text(max_length: int, *, required: bool) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        text = value.strip()
        if not text:
            if required:
                raise ValueError("required")
            return None
        bad = next((i for i, ch in enumerate(text) if ch in _CONTROL), None)
        if bad is not None:
            raise ValueError(f"control character {text[bad]!r} at position {bad + 1}; remove it")
        if len(text) > max_length:
            raise ValueError(f"{len(text)} characters, at most {max_length}: {shown(text)}")
        return text

    return parse


def _bool(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{shown(value)} is not a boolean (true/false, yes/no, 1/0)")


def _count(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{number} is negative")
    if number > MAX_UNITS:
        raise ValueError(f"{shown(text)} is more than {MAX_UNITS:,} units")
    return number


def _money(value: str) -> Decimal:
    text = value.strip().lstrip("$")
    if not text:
        raise ValueError("required")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{shown(value)} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{shown(value)} must be a non-negative amount")
    if amount >= MAX_UNIT_COST:
        raise ValueError(f"{shown(value)} is not below {MAX_UNIT_COST:,} USD")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{shown(value)} has more than 2 decimals")
    return amount.quantize(Decimal("0.01"))


def _price(value: str) -> Decimal | None:
    """An optional selling price: empty keeps the current one; Jet refuses 0."""
    if not value.strip():
        return None
    amount = _money(value)
    if amount <= 0:
        raise ValueError(f"{shown(value)} is not a price above 0")
    return amount


def _instant(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown(value)} is not an ISO-8601 time (e.g. 2026-03-02T06:00:00Z)") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{shown(value)} has no UTC offset (e.g. 2026-03-02T06:00:00Z or +01:00)")
    return when.astimezone(UTC)


@dataclass(frozen=True)
class Column:
    """One CSV column: whether the header must have it, how a cell parses, what it feeds."""

    name: str
    parse: Callable[[str], Any]
    record: Literal["product", "stock"]
    required: bool = False


COLUMN_TABLE: tuple[Column, ...] = (
    Column("sku", _text(100, required=True), "product", required=True),
    Column("title", _text(500, required=True), "product", required=True),
    Column("unit_cost", _money, "product", required=True),
    Column("price", _price, "product"),
    Column("replenishable", _bool, "product"),
    Column("archived", _bool, "product"),
    Column("fulfillment_node", _text(64, required=False), "stock", required=True),
    Column("on_hand", _count, "stock", required=True),
    Column("safety_stock", _count, "stock"),
    Column("counted_at", _instant, "stock"),
    Column("node_price", _price, "stock"),
)
COLUMNS = tuple(c.name for c in COLUMN_TABLE)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMN_TABLE if c.required)


@dataclass(frozen=True)
class ProductRow:
    sku: str
    title: str
    unit_cost: Decimal
    replenishable: bool
    archived: bool
    price: Decimal | None = None  # None: keep the price already loaded


@dataclass(frozen=True)
class StockRow:
    sku: str
    fulfillment_node: str
    on_hand: int
    safety_stock: int | None
    counted_at: datetime | None = None  # None: as of the file's time, else the load's (see load())
    node_price: Decimal | None = None  # None: keep the node price already loaded


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
    stale_rows: int = 0

    def as_xcom(self) -> dict[str, int]:
        return {
            "products": self.products,
            "stock_rows": self.stock_rows,
            "products_changed": self.products_changed,
            "stock_changed": self.stock_changed,
            "stale_rows": self.stale_rows,
        }


def _header(reader: Any, source: str) -> list[str]:
    header = [h.strip() for h in reader.fieldnames or []]
    problems = [f"header: missing column {c!r}" for c in REQUIRED_COLUMNS if c not in header]
    problems += [
        f"header: unknown column {shown(h)} (expected {', '.join(COLUMNS)})" for h in header if h not in COLUMNS
    ]
    problems += [f"header: column {h!r} appears more than once" for h in sorted(set(header)) if header.count(h) > 1]
    if problems:
        raise CatalogFileError(source, problems)
    return header


def _row(number: int, raw: dict[str, str], now: datetime | None) -> tuple[dict[str, Any], list[str]]:
    """Parse one row's cells; returns the values and the problems, each naming row and column."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for column in COLUMN_TABLE:
        try:
            values[column.name] = column.parse(raw.get(column.name) or "")
        except ValueError as exc:
            errors.append(f"row {number}, column {column.name}: {exc}")
    node = values.get("fulfillment_node")
    if node and "on_hand" in values and values["on_hand"] is None:
        errors.append(f"row {number}, column on_hand: required when fulfillment_node is given")
    if not node and any(values.get(c) for c in ("on_hand", "safety_stock", "counted_at", "node_price")):
        errors.append(
            f"row {number}, column fulfillment_node: required when on_hand, safety_stock, counted_at or node_price"
            " is given"
        )
    counted = values.get("counted_at")
    if counted is not None and now is not None and counted > now + COUNT_CLOCK_SKEW:
        errors.append(f"row {number}, column counted_at: {counted.isoformat()} is later than now ({now.isoformat()})")
    return values, errors


def parse(text: str, source: str = "catalog file", now: datetime | None = None) -> Catalog:
    """Validate a whole CSV text; raise :class:`CatalogFileError` listing every problem.

    ``now`` (the load's time) refuses counts dated in the future.
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        reader.fieldnames = _header(reader, source)
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
            values, row_errors = _row(number, raw, now)
            if row_errors:
                errors += row_errors
                continue
            product = ProductRow(**{c.name: values[c.name] for c in COLUMN_TABLE if c.record == "product"})
            sku = product.sku
            if sku in catalog.products and catalog.products[sku] != product:
                errors.append(
                    f"row {number}, column sku: product columns of {shown(sku)} differ from row {first_row_of[sku]}"
                    " (title, unit_cost, price, replenishable and archived must repeat identically)"
                )
                continue
            catalog.products.setdefault(sku, product)
            first_row_of.setdefault(sku, number)
            node = values["fulfillment_node"]
            if node:
                key = (sku, node)
                if key in seen_stock:
                    errors.append(
                        f"row {number}, column fulfillment_node: {shown(sku)} at node {shown(node)} already given "
                        f"on row {seen_stock[key]}"
                    )
                    continue
                seen_stock[key] = number
                catalog.stock.append(
                    StockRow(**{c.name: values[c.name] for c in COLUMN_TABLE if c.record == "stock"} | {"sku": sku})
                )
    except csv.Error as exc:
        # The csv module's messages never quote the data ("field larger than field limit").
        raise CatalogFileError(source, [f"row {reader.line_num}: not readable as CSV ({exc})"]) from None
    if rows == 0:
        errors.append("no data rows")
    if errors:
        raise CatalogFileError(source, errors)
    return catalog


def decode(data: bytes, source: str) -> str:
    """The file's text (UTF-8, a BOM tolerated), or a refusal naming the row and column of
    the first byte that is not UTF-8 (a file saved as Latin-1 or Windows-1252)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        row = data.count(b"\n", 0, exc.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").split(",")
        index = data[line_start : exc.start].count(b",")
        named = header[index].strip() if row > 1 and index < len(header) else ""
        column = named if named in COLUMNS else f"#{index + 1}"  # never echo a header that is not ours
        raise CatalogFileError(
            source,
            [
                f"row {row}, column {column}: byte 0x{data[exc.start]:02x} is not UTF-8; "
                "save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"
            ],
        ) from None


def load(conn: psycopg.Connection, catalog: Catalog, loaded_at: datetime) -> LoadReceipt:
    """COPY a validated catalog into staging and upsert it, in one transaction.

    Stock rows without a ``counted_at`` are counts as of ``loaded_at``.
    """
    from jet.orders.load import copy_rows

    product_columns = [c.name for c in COLUMN_TABLE if c.record == "product"]
    stock_columns = ["sku", *(c.name for c in COLUMN_TABLE if c.record == "stock")]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("catalog_stage.sql"))
        copy_rows(
            cur,
            "stage_products",
            (*product_columns, "updated_at"),
            ((*(getattr(p, c) for c in product_columns), loaded_at) for p in catalog.products.values()),
        )
        copy_rows(
            cur,
            "stage_inventory",
            (*stock_columns, "updated_at"),
            (
                (*(getattr(replace(s, counted_at=s.counted_at or loaded_at), c) for c in stock_columns), loaded_at)
                for s in catalog.stock
            ),
        )
        stale = one(cur.execute(read_sql("catalog_stale_rows.sql")).fetchone(), "catalog_stale_rows.sql")[0]
        statements = [s for s in read_sql("catalog_merge.sql").split(";") if s.strip() and not _only_comments(s)]
        changed = []
        for statement in statements:
            cur.execute(statement)
            changed.append(cur.rowcount)
    receipt = LoadReceipt(len(catalog.products), len(catalog.stock), changed[0], changed[1], stale)
    log.info(
        "catalog loaded: %d products (%d changed), %d stock rows (%d changed, %d older than the count loaded)",
        receipt.products,
        receipt.products_changed,
        receipt.stock_rows,
        receipt.stock_changed,
        receipt.stale_rows,
    )
    if stale:
        log.warning("%d stock row(s) were counted before the count already loaded: kept the newer count", stale)
    return receipt


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())


def read_file(path: str | Path, loaded_at: datetime | None = None) -> Catalog:
    """Validate one CSV file; stock rows without ``counted_at`` are counts as of the file's
    last modification."""
    import os

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"catalog file {file} does not exist (or is not a regular file)")
    source = str(file)
    with file.open("rb") as handle:  # size and time of the file actually read
        status = os.fstat(handle.fileno())
        if status.st_size > MAX_FILE_BYTES:
            raise CatalogFileError(
                source, [f"file: {status.st_size:,} bytes, more than {MAX_FILE_BYTES:,}; is it a catalog?"]
            )
        text = decode(handle.read(MAX_FILE_BYTES + 1), source)
    modified = datetime.fromtimestamp(status.st_mtime, UTC)
    catalog = parse(text, source, now=loaded_at)
    catalog.stock = [s if s.counted_at else replace(s, counted_at=modified) for s in catalog.stock]
    return catalog


def load_file(conn: psycopg.Connection, path: str | Path, loaded_at: datetime) -> LoadReceipt:
    """Validate and load one CSV file (UTF-8, a BOM is tolerated)."""
    return load(conn, read_file(path, loaded_at), loaded_at)


def to_csv(products: Iterable[ProductRow], stock: Iterable[StockRow]) -> str:
    """Write a catalog in the load format (products without stock get one row with no node)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    by_sku: dict[str, list[StockRow]] = {}
    for row in stock:
        by_sku.setdefault(row.sku, []).append(row)
    for p in products:
        price = "" if p.price is None else f"{p.price:.2f}"
        head = [p.sku, p.title, f"{p.unit_cost:.2f}", price, str(p.replenishable).lower(), str(p.archived).lower()]
        rows_of_sku: list[StockRow | None] = [*by_sku.get(p.sku, [])] or [None]
        for s in rows_of_sku:
            if s is None:
                writer.writerow([*head, "", "", "", "", ""])
            else:
                safety = "" if s.safety_stock is None else s.safety_stock
                counted = s.counted_at.isoformat().replace("+00:00", "Z") if s.counted_at else ""
                node_price = "" if s.node_price is None else f"{s.node_price:.2f}"
                writer.writerow([*head, s.fulfillment_node, s.on_hand, safety, counted, node_price])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """``python -m jet.catalog.load_csv FILE``: load into the warehouse of ``JET_WAREHOUSE_URL``."""
    import argparse
    import os

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
