"""Parse and validate Jet's SettlementDetails CSV: pure, no database, no network.

Every data row is checked on its own; a row that fails becomes a quarantine entry with
the reason and the offending column, and the good rows flow on (nothing is dropped).
Rows are also refused when the warehouse could not store them: a cell that is not UTF-8
text or holds a NUL, a quantity beyond ``integer``, an amount, a row total or a running
total of the settlement beyond ``numeric(14, 2)`` (the reconciliation sums each column
per balance).
The columns are the sandbox's (``docs/sandbox.md`` §7, Jet never published a layout);
they are looked up by header name, so their order does not matter and extra columns are
ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jet.api.models import INTEGER_MAX, MONEY_LIMIT, parse_jet_datetime

#: Categories of a settlement report's order balance (``order_balance_details``).
ORDER_BALANCE_DETAILS: tuple[str, ...] = (
    "merchant_price",
    "jet_variable_commission",
    "fixed_commission",
    "tax",
    "shipping_revenue",
    "shipping_tax",
    "shipping_charge",
    "fulfillment_fee",
    "product_cost",
)
#: The return balance's own categories (the others it shares with the order balance).
RETURN_ONLY_DETAILS: tuple[str, ...] = ("merchant_return_charge", "return_processing_fee")
#: Categories of the return balance (``return_balance_details``), in Jet's order.
RETURN_BALANCE_DETAILS: tuple[str, ...] = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_tax",
    *RETURN_ONLY_DETAILS, "product_cost",
)  # fmt: skip
#: Amount columns of a detail line, signed as they move the merchant's balance (CSV and
#: jet.settlement_lines): every balance category once, then Jet's adjustment.
AMOUNT_COLUMNS: tuple[str, ...] = (*ORDER_BALANCE_DETAILS, *RETURN_ONLY_DETAILS, "jet_adjustment")


def amount_sql(name: str) -> Any:
    """Statement ``name`` with its amount-column placeholders filled from :data:`AMOUNT_COLUMNS`,
    so the SQL never lists the twelve columns itself:

    ``{amounts}`` ``a, b, …``; ``{amounts_excluded}`` ``a = EXCLUDED.a, …``;
    ``{amounts_or_zero}`` ``coalesce(a, 0), …``; ``{amounts_by_category}``
    ``sum(difference) FILTER (WHERE category = 'a') AS a, …`` (jet.settlement_reconciliation
    names its categories after the columns).
    """
    from psycopg import sql

    from jet.sql import read_composed

    cols = [sql.Identifier(c) for c in AMOUNT_COLUMNS]
    comma = sql.SQL(", ")
    return read_composed(
        name,
        amounts=comma.join(cols),
        amounts_excluded=comma.join(sql.SQL("{0} = EXCLUDED.{0}").format(c) for c in cols),
        amounts_or_zero=comma.join(sql.SQL("coalesce({}, 0)").format(c) for c in cols),
        amounts_by_category=comma.join(
            sql.SQL("sum(difference) FILTER (WHERE category = {}) AS {}").format(sql.Literal(name_), c)
            for name_, c in zip(AMOUNT_COLUMNS, cols, strict=True)
        ),
    )


ID_COLUMNS: tuple[str, ...] = (
    "settlement_report_id",
    "transaction_type",
    "transaction_date",
    "merchant_order_id",
    "reference_order_id",
    "order_item_id",
    "merchant_return_authorization_id",
    "refund_authorization_id",
    "merchant_sku",
    "quantity",
)
#: Columns a file must have (``description`` is optional).
REQUIRED_COLUMNS: tuple[str, ...] = ID_COLUMNS + AMOUNT_COLUMNS
TRANSACTION_TYPES = frozenset({"order", "return", "adjustment"})

#: Column order of jet.settlement_lines rows produced here (COPY target list).
LINE_COLUMNS: tuple[str, ...] = (
    "settlement_report_id",
    "line_no",
    "transaction_type",
    "balance",
    "transaction_date",
    "merchant_order_id",
    "reference_order_id",
    "order_item_id",
    "merchant_return_authorization_id",
    "refund_authorization_id",
    "merchant_sku",
    "quantity",
    *AMOUNT_COLUMNS,
    "description",
    "row_hash",
    "file_hash",
    "landed_at",
    "run_key",
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class BadRow:
    """A row that failed validation: what to quarantine."""

    line_no: int  # 0 = the header (the whole file is unreadable)
    raw: str  # header + the row, as CSV text
    field: str  # offending column, or "$" for the row as a whole
    error: str


@dataclass
class ParsedDetails:
    """The outcome of parsing one file."""

    settlement_report_id: str
    file_hash: str
    data_rows: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


class RowError(ValueError):
    """One problem with one row, naming the column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


def file_hash(body: bytes | str) -> str:
    """sha256 (hex) of the file exactly as downloaded."""
    return hashlib.sha256(body.encode() if isinstance(body, str) else body).hexdigest()


def _as_csv(*rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _money(column: str, text: str) -> Decimal:
    text = text.strip()
    if not text:
        return Decimal("0.00")  # a blank amount column means nothing moved
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(column, f"not a number: {text!r}") from None
    if not value.is_finite():
        raise RowError(column, f"not a finite number: {text!r}")
    if abs(value) >= MONEY_LIMIT:
        raise RowError(column, f"out of range: {text!r} (amounts are numeric(14, 2))")
    if value != value.quantize(_CENT):
        raise RowError(column, f"more than 2 decimals: {text!r}")
    return value.quantize(_CENT)


def _quantity(text: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise RowError("quantity", f"not a non-negative whole number: {text!r}")
    if int(text) > INTEGER_MAX:
        raise RowError("quantity", f"out of range: {text} (at most {INTEGER_MAX})")
    return int(text)


def _text_cell(column: str, text: str) -> str:
    if "\x00" in text:
        raise RowError(column, "contains a NUL character, which the warehouse cannot store as text")
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # bytes that were not UTF-8 (surrogateescape)
        raise RowError(column, f"not UTF-8 text: {ascii(text)[:60]}")
    return text


def _date(text: str) -> datetime:
    if not text.strip():
        raise RowError("transaction_date", "missing")
    try:
        return parse_jet_datetime(text)
    except ValueError as exc:
        raise RowError("transaction_date", str(exc)) from None


def validate_row(values: dict[str, str], settlement_report_id: str) -> dict[str, Any]:
    """One CSV row (by header name) → a typed line; raises :class:`RowError`."""
    for column, value in values.items():
        _text_cell(column, value)
    sid = values["settlement_report_id"].strip()
    if sid != settlement_report_id:
        raise RowError("settlement_report_id", f"{sid!r} is not the settlement requested ({settlement_report_id})")
    kind = values["transaction_type"].strip().lower()
    if kind not in TRANSACTION_TYPES:
        raise RowError("transaction_type", f"{values['transaction_type']!r} is not one of {sorted(TRANSACTION_TYPES)}")
    line: dict[str, Any] = {
        "settlement_report_id": sid,
        "transaction_type": kind,
        "balance": kind,
        "transaction_date": _date(values["transaction_date"]),
        "quantity": _quantity(values["quantity"]),
    }
    for column in (
        "merchant_order_id",
        "reference_order_id",
        "order_item_id",
        "merchant_return_authorization_id",
        "refund_authorization_id",
        "merchant_sku",
    ):
        line[column] = values[column].strip() or None
    if kind in ("order", "return"):
        for column in ("merchant_order_id", "order_item_id", "merchant_sku"):
            if not line[column]:
                raise RowError(column, f"missing on a {kind} row")
    if kind == "return" and not (line["merchant_return_authorization_id"] or line["refund_authorization_id"]):
        raise RowError("merchant_return_authorization_id", "a return row needs a return or a refund id")
    for column in AMOUNT_COLUMNS:
        line[column] = _money(column, values[column])
    total = sum((line[c] for c in AMOUNT_COLUMNS), start=Decimal(0))
    if abs(total) >= MONEY_LIMIT:
        raise RowError("$", f"the row's amounts add up to {total}, out of range (line totals are numeric(14, 2))")
    line["description"] = (values.get("description") or "").strip() or None
    return line


def parse_details(body: bytes | str, settlement_report_id: str) -> ParsedDetails:
    """Parse a whole file; never raises for bad content (bad rows are returned)."""
    # surrogateescape keeps bytes that are not UTF-8 recognisable (and exact), so the row
    # holding them is quarantined instead of landing with replacement characters.
    text = body.decode("utf-8-sig", errors="surrogateescape") if isinstance(body, bytes) else body.lstrip("\ufeff")
    parsed = ParsedDetails(settlement_report_id, file_hash(body))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        parsed.bad.append(BadRow(0, text, "$", "empty file: no header row"))
        return parsed
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        # Without the columns no row can be read: the whole file is quarantined as one entry.
        parsed.bad.append(BadRow(0, text, missing[0], f"header lacks columns {missing}"))
        parsed.data_rows = sum(1 for row in reader if row)
        return parsed
    line_no = 0
    totals: dict[tuple[str, str], Decimal] = {}
    for row in reader:
        if not row:  # a blank line (e.g. a trailing newline) is no row
            continue
        line_no += 1
        parsed.data_rows += 1
        row_hash = hashlib.md5("\x1f".join(row).encode(errors="surrogateescape"), usedforsecurity=False).hexdigest()
        if len(row) != len(names):
            parsed.bad.append(
                BadRow(line_no, _as_csv(header, row), "$", f"{len(row)} fields, the header has {len(names)}")
            )
            continue
        try:
            line = validate_row(dict(zip(names, row, strict=True)), settlement_report_id)
            _add_to_totals(totals, line)
        except RowError as exc:
            parsed.bad.append(BadRow(line_no, _as_csv(header, row), exc.column, str(exc)))
            continue
        line["line_no"] = line_no
        line["row_hash"] = row_hash
        parsed.lines.append(line)
    return parsed


def _add_to_totals(totals: dict[tuple[str, str], Decimal], line: dict[str, Any]) -> None:
    """Add a row to the settlement's per-balance column totals, or refuse it (RowError) when
    a total would leave numeric(14, 2): the reconciliation stores them."""
    sums = {(line["balance"], c): totals.get((line["balance"], c), Decimal(0)) + line[c] for c in AMOUNT_COLUMNS}
    for (balance, column), total in sums.items():
        if abs(total) >= MONEY_LIMIT:
            raise RowError(
                column, f"the settlement's {balance} {column} would add up to {total}, out of range (numeric(14, 2))"
            )
    totals.update(sums)


def raw_rows(body: bytes | str) -> dict[int, str]:
    """Header + row as CSV text, by line number (as :func:`parse_details` numbers them):
    what to quarantine for a row the warehouse refused."""
    text = body.decode("utf-8-sig", errors="surrogateescape") if isinstance(body, bytes) else body.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    out: dict[int, str] = {}
    for row in reader:
        if row:
            out[len(out) + 1] = _as_csv(header, row)
    return out
