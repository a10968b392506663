"""Malformed variants of Jet payloads, as a broken Jet or a broken network would serve them.

Each variant turns a payload the sandbox generated into bytes the landing must survive,
and says how that one record must end: ``quarantined`` (with the field path and a phrase
of the reason) or ``unreadable`` (Jet never gave a body). The isolation tests land each
variant beside good records and check that the good ones land and nothing vanishes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

QUARANTINED = "quarantined"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Variant:
    """One malformed payload: how to make it from a good one, and how it must end."""

    name: str
    what: str
    #: (good payload, a neighbour's good payload), both dicts decoded from Jet's JSON → the
    #: bytes to serve; None = no body (the test makes Jet fail the request instead).
    build: Callable[[dict[str, Any], dict[str, Any]], bytes | None]
    outcome: str = QUARANTINED
    #: expected error_field (quarantine) — the dotted path of the offending field.
    field: str | None = None
    #: a phrase the readable reason must contain.
    reason: str = ""


def dumps(payload: Any) -> bytes:
    """JSON as Jet would send it: ASCII with \\u escapes (so NUL and lone surrogates travel as escapes)."""
    return json.dumps(payload).encode()


Build = Callable[[dict[str, Any], dict[str, Any]], bytes | None]


def edit(change: Callable[[dict[str, Any]], None]) -> Build:
    def build(payload: dict[str, Any], _neighbour: dict[str, Any]) -> bytes:
        mutated = copy.deepcopy(payload)
        change(mutated)
        return dumps(mutated)

    return build


def _first_item(p: dict[str, Any]) -> dict[str, Any]:
    return p["order_items"][0]


def _duplicate_item(p: dict[str, Any]) -> None:
    extra = copy.deepcopy(_first_item(p))
    extra["merchant_sku"] = extra["merchant_sku"] + "-AGAIN"
    p["order_items"].append(extra)


def _shipment(shipment_id: str, *skus: str) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "alt_shipment_id": f"alt-{shipment_id}",
        "shipment_tracking_number": "1Z999",
        "response_shipment_date": "2026-03-02T16:00:00.0000000Z",
        "response_shipment_method": "UPS Ground",
        "carrier": "UPS",
        "shipment_items": [
            {"merchant_sku": sku, "response_shipment_sku_quantity": 1, "response_shipment_cancel_qty": 0}
            for sku in skus
        ],
    }


def _shipment_line_twice(p: dict[str, Any]) -> None:
    sku = _first_item(p)["merchant_sku"]
    p["shipments"] = [_shipment("S-1", sku, sku)]


def _shipment_twice(p: dict[str, Any]) -> None:
    sku = _first_item(p)["merchant_sku"]
    p["shipments"] = [_shipment("S-1", sku), _shipment("S-1", sku)]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        node: Any = p
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value

    return change


def _truncated(p: dict[str, Any], _n: dict[str, Any]) -> bytes:
    body = dumps(p)
    return body[: len(body) // 2]


def _raw_nul(p: dict[str, Any], _n: dict[str, Any]) -> bytes:
    # A literal NUL byte inside a string: not JSON (control character), and not storable as text.
    return dumps(p).replace(b'"buyer": {"name": "', b'"buyer": {"name": "\x00', 1)


def _invalid_utf8(p: dict[str, Any], _n: dict[str, Any]) -> bytes:
    return dumps(p).replace(b'"buyer": {"name": "', b'"buyer": {"name": "\xff\xfe', 1)


def _order_value(p: dict[str, Any]) -> None:
    item = _first_item(p)
    item["item_price"]["base_price"] = 9_000_000_000.0  # fits numeric(14,2) ...
    item["request_order_quantity"] = 1000  # ... but the line is worth 9e12: the P&L cannot hold it


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        del p[key]

    return change


#: The 18 malformed orders, each landed beside 20 good ones: the ways a payload can be broken
#: that the loader must survive.
ORDER_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "duplicate_order_item",
        "two order_items entries with the same order_item_id (CardinalityViolation in the merge)",
        edit(_duplicate_item),
        field="order_items[2].order_item_id",
        reason="duplicate",
    ),
    Variant(
        "duplicate_shipment_line",
        "one shipment lists the same SKU twice (CardinalityViolation in the merge)",
        edit(_shipment_line_twice),
        field="shipments[0].shipment_items[1].merchant_sku",
        reason="duplicate",
    ),
    Variant(
        "duplicate_shipment",
        "two shipments with the same shipment_id and SKU (CardinalityViolation in the merge)",
        edit(_shipment_twice),
        field="shipments[1].shipment_items[0].merchant_sku",
        reason="duplicate",
    ),
    Variant(
        "nul_in_field",
        "a \\u0000 escape in a product title (DataError: text cannot hold NUL)",
        edit(_set("order_items.0.product_title", "Mug\x00 large")),
        field="order_items[0].product_title",
        reason="NUL",
    ),
    Variant(
        "nul_in_unknown_key",
        "a \\u0000 escape in a key the models ignore (the raw JSONB landing refuses it)",
        edit(_set("gift_message", "hi\x00")),
        field="gift_message",
        reason="NUL",
    ),
    Variant(
        "raw_nul_byte",
        "a literal NUL byte inside a string (not JSON; the raw body cannot be stored as text)",
        _raw_nul,
        field="$",
        reason="invalid JSON",
    ),
    Variant(
        "lone_surrogate",
        "a lone UTF-16 surrogate \\ud83d in the buyer's name (UnicodeEncodeError)",
        edit(_set("buyer.name", "Ann \ud83d")),
        field="buyer.name",
        reason="surrogate",
    ),
    Variant(
        "huge_quantity",
        "request_order_quantity 10^12 (NumericValueOutOfRange for integer)",
        edit(_set("order_items.0.request_order_quantity", 10**12)),
        field="order_items[0].request_order_quantity",
        reason="2147483647",
    ),
    Variant(
        "huge_price",
        "base_price 1e15 (NumericValueOutOfRange for numeric(14,2))",
        edit(_set("order_items.0.item_price.base_price", 1e15)),
        field="order_items[0].item_price.base_price",
        reason="999999999999.99",
    ),
    Variant(
        "order_value_overflow",
        "every amount fits, but quantity × price (9e12) does not fit the per-order P&L",
        edit(_order_value),
        field="order_items[0]",
        reason="999999999999.99",
    ),
    Variant(
        "date_out_of_range",
        "order_placed_date 0001-01-01T00:00:00+05:00 (before year 1 in UTC: OverflowError)",
        edit(_set("order_placed_date", "0001-01-01T00:00:00+05:00")),
        field="order_placed_date",
        reason="out of range",
    ),
    Variant(
        "wrong_id",
        "the body is another order's (merchant_order_id differs from the id requested)",
        lambda _p, neighbour: dumps(neighbour),  # a good order of the same batch
        field="merchant_order_id",
        reason="not the order requested",
    ),
    Variant(
        "jet_500",
        "Jet answers 500 for this order on every attempt (JetRetriesExhausted)",
        lambda _p, _n: None,
        outcome=UNREADABLE,
        reason="HTTP 500",
    ),
    Variant("truncated_json", "the body cut in half", _truncated, field="$", reason="invalid JSON"),
    Variant(
        "invalid_utf8",
        "bytes that are not UTF-8 inside a string (kept byte for byte in quarantine)",
        _invalid_utf8,
        field="$",
        reason="invalid JSON",
    ),
    Variant(
        "missing_order_items",
        "a required array missing",
        edit(_drop("order_items")),
        field="order_items",
        reason="field required",
    ),
    Variant(
        "price_not_a_number",
        "a price that is not a number",
        edit(_set("order_items.0.item_price.base_price", "ten")),
        field="order_items[0].item_price.base_price",
        reason="invalid number",
    ),
    Variant("not_an_object", "a JSON array instead of an order", lambda _p, _n: b"[]", field="$", reason="JSON object"),
)


def check_bad_one(
    variant: Variant, order_id: str, body: bytes | None, quarantined: dict[str, Any], unreadable: dict[str, str]
) -> None:
    """The bad record ended as the variant says, with a readable reason and its raw body kept.

    ``quarantined``: object id → (error_field, error, raw_body, raw_bytes); ``unreadable``: id → error.
    """
    if variant.outcome == UNREADABLE:
        assert order_id in unreadable, f"{variant.name}: not recorded unreadable"
        assert order_id not in quarantined
        assert variant.reason in unreadable[order_id], unreadable[order_id]
        return
    assert variant.outcome == QUARANTINED
    assert order_id in quarantined, f"{variant.name}: not quarantined"
    assert order_id not in unreadable
    field, error, raw_body, raw_bytes = quarantined[order_id]
    assert field == variant.field, (variant.name, field, error)
    assert variant.reason in error, (variant.name, error)
    if variant.field != "$":
        assert error.startswith(variant.field), (variant.name, error)  # the reason names the field first
    kept = bytes(raw_bytes) if raw_bytes is not None else raw_body.encode()
    assert kept == body, f"{variant.name}: raw body not kept exactly"


# --------------------------------------------------------------------------- returns


def _first_sku(p: dict[str, Any]) -> dict[str, Any]:
    return p["return_merchant_SKUs"][0]


def _repeat_sku(p: dict[str, Any]) -> None:
    p["return_merchant_SKUs"].append(copy.deepcopy(_first_sku(p)))


def _repeat_granted(p: dict[str, Any]) -> None:
    line = {"order_item_id": _first_sku(p)["order_item_id"], "total_quantity_returned": 1}
    p["items"] = [line, dict(line)]


#: Malformed returns, landed together beside 20 good ones.
RETURN_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "duplicate_requested_line",
        "a line asked back twice (the second would overwrite the first)",
        edit(_repeat_sku),
        field="return_merchant_SKUs[1].order_item_id",
        reason="duplicate",
    ),
    Variant(
        "duplicate_granted_line",
        "a line granted twice",
        edit(_repeat_granted),
        field="items[1].order_item_id",
        reason="duplicate",
    ),
    Variant(
        "nul_in_reason",
        "a \\u0000 escape in the customer's reason (DataError)",
        edit(_set("return_merchant_SKUs.0.reason", "broken\x00")),
        field="return_merchant_SKUs[0].reason",
        reason="NUL",
    ),
    Variant(
        "lone_surrogate",
        "a lone surrogate in the title (UnicodeEncodeError)",
        edit(_set("return_merchant_SKUs.0.merchant_sku_title", "\ud800")),
        field="return_merchant_SKUs[0].merchant_sku_title",
        reason="surrogate",
    ),
    Variant(
        "huge_quantity",
        "return_quantity 10^12 (NumericValueOutOfRange)",
        edit(_set("return_merchant_SKUs.0.return_quantity", 10**12)),
        field="return_merchant_SKUs[0].return_quantity",
        reason="2147483647",
    ),
    Variant(
        "huge_charge",
        "merchant_return_charge 1e15 (NumericValueOutOfRange)",
        edit(_set("merchant_return_charge", 1e15)),
        field="merchant_return_charge",
        reason="999999999999.99",
    ),
    Variant(
        "huge_refund",
        "requested principal 1e15 (NumericValueOutOfRange)",
        edit(_set("return_merchant_SKUs.0.requested_refund_amount.principal", 1e15)),
        field="return_merchant_SKUs[0].requested_refund_amount.principal",
        reason="999999999999.99",
    ),
    Variant(
        "date_out_of_range",
        "return_date 0001-01-01T00:00:00+05:00 (OverflowError)",
        edit(_set("return_date", "0001-01-01T00:00:00+05:00")),
        field="return_date",
        reason="out of range",
    ),
    Variant(
        "wrong_id",
        "the body is another return's",
        lambda _p, neighbour: dumps(neighbour),
        field="merchant_return_authorization_id",
        reason="not the return requested",
    ),
    Variant("jet_500", "Jet answers 500 on every attempt", lambda _p, _n: None, outcome=UNREADABLE, reason="HTTP 500"),
    Variant("truncated_json", "the body cut in half", _truncated, field="$", reason="invalid JSON"),
    Variant(
        "invalid_utf8",
        "bytes that are not UTF-8",
        lambda p, _n: dumps(p).replace(b'"return_status": "', b'"return_status": "\xc3', 1),
        field="$",
        reason="invalid JSON",
    ),
    Variant(
        "missing_order_id",
        "no merchant_order_id",
        edit(_drop("merchant_order_id")),
        field="merchant_order_id",
        reason="field required",
    ),
    Variant("not_an_object", "a JSON string", lambda _p, _n: b'"return"', field="$", reason="JSON object"),
)


# --------------------------------------------------------------------------- refunds

#: Malformed refund states, followed together beside 20 good ones.
REFUND_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "nul_in_status",
        "a \\u0000 escape in refund_status (DataError)",
        edit(_set("refund_status", "accepted\x00")),
        field="refund_status",
        reason="NUL",
    ),
    Variant(
        "lone_surrogate",
        "a lone surrogate in refund_status (UnicodeEncodeError)",
        edit(_set("refund_status", "\udfff")),
        field="refund_status",
        reason="surrogate",
    ),
    Variant(
        "wrong_id",
        "the body is another refund's (its status would be recorded on this one)",
        lambda _p, neighbour: dumps({**neighbour, "refund_status": "accepted"}),
        field="refund_authorization_id",
        reason="not the refund requested",
    ),
    Variant("jet_500", "Jet answers 500 on every attempt", lambda _p, _n: None, outcome=UNREADABLE, reason="HTTP 500"),
    Variant("truncated_json", "the body cut in half", _truncated, field="$", reason="invalid JSON"),
    Variant(
        "missing_status",
        "no refund_status",
        edit(_drop("refund_status")),
        field="refund_status",
        reason="field required",
    ),
    Variant(
        "invalid_utf8",
        "bytes that are not UTF-8",
        lambda p, _n: dumps(p).replace(b'"refund_status": "', b'"refund_status": "\xfe', 1),
        field="$",
        reason="invalid JSON",
    ),
    Variant("not_an_object", "a JSON number", lambda _p, _n: b"42", field="$", reason="JSON object"),
)


# --------------------------------------------------------------------------- settlements

#: Malformed settlement reports, landed together beside the month's good ones.
SETTLEMENT_REPORT_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "nul_in_state",
        "a \\u0000 escape in settlement_state (DataError; the raw JSONB refuses it too)",
        edit(_set("settlement_state", "deposited\x00")),
        field="settlement_state",
        reason="NUL",
    ),
    Variant(
        "lone_surrogate",
        "a lone surrogate in currency (UnicodeEncodeError)",
        edit(_set("currency", "\ud834")),
        field="currency",
        reason="surrogate",
    ),
    Variant(
        "huge_balance",
        "order_balance 1e15 (NumericValueOutOfRange)",
        edit(_set("order_balance", 1e15)),
        field="order_balance",
        reason="999999999999.99",
    ),
    Variant(
        "details_sum_overflow",
        "each order detail fits, their sum (a generated column) does not",
        edit(lambda p: p["order_balance_details"].update(merchant_price=9e11, tax=9e11)),
        field="order_balance_details",
        reason="add up to",
    ),
    Variant(
        "date_out_of_range",
        "settlement_period_start 0001-01-01T00:00:00+05:00 (OverflowError)",
        edit(_set("settlement_period_start", "0001-01-01T00:00:00+05:00")),
        field="settlement_period_start",
        reason="out of range",
    ),
    Variant(
        "wrong_id",
        "the body is another settlement's",
        lambda _p, neighbour: dumps(neighbour),
        field="settlement_report_id",
        reason="not the settlement report requested",
    ),
    Variant("jet_500", "Jet answers 500 on every attempt", lambda _p, _n: None, outcome=UNREADABLE, reason="HTTP 500"),
    Variant("truncated_json", "the body cut in half", _truncated, field="$", reason="invalid JSON"),
)


@dataclass(frozen=True)
class RowVariant:
    """A settlement detail file with bad rows: ``build(header, rows)`` → (CSV bytes, the
    1-based line numbers that must be quarantined); ``field`` and ``reason`` as for Variant."""

    name: str
    what: str
    build: Callable[[list[str], list[dict[str, str]]], tuple[bytes, list[int]] | None]
    field: str = "$"
    reason: str = ""


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def _row_edit(**cells: str) -> Callable[[list[str], list[dict[str, str]]], tuple[bytes, list[int]]]:
    def build(header: list[str], rows: list[dict[str, str]]) -> tuple[bytes, list[int]]:
        rows = [dict(r) for r in rows]
        rows[0].update(cells)
        return csv_bytes(header, rows), [1]

    return build


def _running_total(header: list[str], rows: list[dict[str, str]]) -> tuple[bytes, list[int]]:
    rows = [dict(r) for r in rows]
    rows[0]["merchant_price"] = rows[1]["merchant_price"] = "600000000000.00"  # each fits; the sum does not
    rows[1]["transaction_type"] = rows[0]["transaction_type"]
    return csv_bytes(header, rows), [2]


#: Malformed rows of SettlementDetails files, each in a file of otherwise good rows.
SETTLEMENT_ROW_VARIANTS: tuple[RowVariant, ...] = (
    RowVariant(
        "nul_in_cell", "a NUL byte in a description (DataError)", _row_edit(description="fee\x00"), "description", "NUL"
    ),
    RowVariant(
        "invalid_utf8_cell",
        "bytes that are not UTF-8 in a SKU (would land as U+FFFD)",
        _row_edit(merchant_sku="SKU-\udcff"),  # surrogateescape: written as the byte 0xff
        "merchant_sku",
        "not UTF-8",
    ),
    RowVariant(
        "huge_quantity",
        "quantity 10^12 (NumericValueOutOfRange)",
        _row_edit(quantity=str(10**12)),
        "quantity",
        "2147483647",
    ),
    RowVariant(
        "row_total_overflow",
        "two amounts that fit, a row total (generated column) that does not",
        _row_edit(merchant_price="600000000000.00", tax="600000000000.00"),
        "$",
        "add up to",
    ),
    RowVariant(
        "running_total_overflow",
        "two rows that fit, a settlement total (reconciliation) that does not",
        _running_total,
        "merchant_price",
        "would add up to",
    ),
    RowVariant(
        "date_out_of_range",
        "transaction_date 0001-01-01T00:00:00+05:00 (OverflowError)",
        _row_edit(transaction_date="0001-01-01T00:00:00+05:00"),
        "transaction_date",
        "out of range",
    ),
    RowVariant("details_500", "Jet answers 500 for the file on every attempt", lambda _h, _r: None, "$", "HTTP 500"),
)
