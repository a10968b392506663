"""The payload models refuse what the warehouse cannot store, naming the field: ranges of
the column types, NUL and lone surrogates anywhere in the document, repeated keys, and
timestamps off the calendar once in UTC. Plus the rendering of bodies text cannot hold."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from jet.api.errors import PayloadError
from jet.api.models import (
    INTEGER_MAX,
    MONEY_LIMIT,
    ReturnDetail,
    SettlementReport,
    parse_jet_datetime,
    parse_order,
    parse_payload,
)
from jet.warehouse.landing import exact_bytes, storable_body
from tests.unit.api.payloads import SAMPLES, valid_order

pytestmark = pytest.mark.unit


def _refused(payload: dict[str, Any] | str) -> PayloadError:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    with pytest.raises(PayloadError) as info:
        parse_order(text)
    return info.value


def _with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    order = valid_order()
    change(order)
    return order


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda o: o["buyer"].update(name="A\x00B"), "buyer.name", "NUL character"),
        (lambda o: o["order_items"][0].update(product_title="\udc00x"), "order_items[0].product_title", "surrogate"),
        (lambda o: o.update(gift={"note": ["ok", "bad\x00"]}), "gift.note[1]", "NUL character"),
        (lambda o: o.update({"k\x00": 1}), "k\\x00", "key contains a NUL"),
        (
            lambda o: o["order_items"][0].update(request_order_quantity=INTEGER_MAX + 1),
            "order_items[0].request_order_quantity",
            "at most 2147483647",
        ),
        (
            lambda o: o["order_items"][0].update(request_order_cancel_qty=10**12),
            "order_items[0].request_order_cancel_qty",
            "stored as integer",
        ),
        (
            lambda o: o["order_totals"].update(item_fees=1e12),
            "order_totals.item_fees",
            "numeric(14, 2), at most ±999999999999.99",
        ),
        (
            lambda o: o["order_items"][0]["item_price"].update(base_price=-1e13),
            "order_items[0].item_price.base_price",
            "out of range",
        ),
        (
            lambda o: o["order_items"].append(dict(o["order_items"][0])),
            "order_items[1].order_item_id",
            "duplicate of order_items[0]",
        ),
        (
            lambda o: o.update(order_placed_date="9999-12-31T23:00:00-05:00"),
            "order_placed_date",
            "out of range once converted to UTC",
        ),
    ],
)
def test_what_the_warehouse_cannot_store_is_refused_by_path(
    change: Callable[[dict[str, Any]], None], path: str, fragment: str
) -> None:
    error = _refused(_with(change))
    assert error.field_path == path, error.problems
    assert fragment in error.message
    assert str(error).startswith(path)


def test_money_bound_follows_postgres_rounding() -> None:
    # numeric(14, 2) rounds half away from zero first: ...99.994 fits, ...99.995 does not.
    def with_price(text: str) -> str:
        order = valid_order()
        order["order_items"][0]["item_price"]["base_price"] = "__P__"
        order["order_items"][0]["request_order_quantity"] = 0  # only the column bound is tested
        return json.dumps(order).replace('"__P__"', text)

    assert parse_order(with_price("999999999999.994")).order_items[0].item_price.base_price < MONEY_LIMIT
    assert _refused(with_price("999999999999.995")).field_path == "order_items[0].item_price.base_price"
    assert _refused(with_price("1e400")).field_path == "order_items[0].item_price.base_price"


def test_an_order_worth_more_than_the_warehouse_sums_hold_is_refused() -> None:
    def huge(o: dict[str, Any]) -> None:
        o["order_items"][0]["item_price"]["base_price"] = 6e11  # fits its column
        o["order_items"][0]["request_order_quantity"] = 2  # ... but not the order's value

    error = _refused(_with(huge))
    assert error.field_path == "order_items[0]"
    assert "order's value" in error.message


def test_shipment_lines_repeating_a_key_are_refused() -> None:
    def shipment(shipment_id: str | None, alt: str | None, *skus: str) -> dict[str, Any]:
        items = [{"merchant_sku": s, "response_shipment_sku_quantity": 1} for s in skus]
        return {"shipment_id": shipment_id, "alt_shipment_id": alt, "shipment_items": items}

    ok = _with(lambda o: o.update(shipments=[shipment("S1", None, "A", "B"), shipment(None, None, "A")]))
    assert len(parse_order(json.dumps(ok)).shipments) == 2
    twice = _with(lambda o: o.update(shipments=[shipment("S1", None, "A", "A")]))
    assert _refused(twice).field_path == "shipments[0].shipment_items[1].merchant_sku"
    # Jet's id of one and our alt id of another are the same warehouse key.
    clash = _with(lambda o: o.update(shipments=[shipment(None, "X", "A"), shipment("X", None, "A")]))
    error = _refused(clash)
    assert error.field_path == "shipments[1].shipment_items[0].merchant_sku"
    assert "appears twice in shipment 'X'" in error.message


def test_escapes_that_decode_to_storable_text_pass() -> None:
    order = valid_order()
    order["buyer"]["name"] = "Zoë 😀 \\u0000 as text"  # a real pair, and a backslash-u typed by someone
    assert parse_order(json.dumps(order)).buyer.name == "Zoë 😀 \\u0000 as text"


def test_return_lines_repeating_an_item_are_refused() -> None:
    base = {
        "merchant_return_authorization_id": "r1",
        "merchant_order_id": "o1",
        "return_status": "created",
        "return_merchant_SKUs": [{"order_item_id": "i1", "return_quantity": 1}],
        "items": [],
    }
    assert parse_payload(ReturnDetail, json.dumps(base)).return_merchant_skus[0].return_quantity == 1
    repeated = {**base, "return_merchant_SKUs": base["return_merchant_SKUs"] * 2}
    with pytest.raises(PayloadError) as info:
        parse_payload(ReturnDetail, json.dumps(repeated))
    assert info.value.field_path == "return_merchant_SKUs[1].order_item_id"
    granted = {**base, "items": [{"order_item_id": "i1"}, {"order_item_id": "i1"}]}
    with pytest.raises(PayloadError) as info:
        parse_payload(ReturnDetail, json.dumps(granted))
    assert info.value.field_path == "items[1].order_item_id"
    huge = {**base, "return_merchant_SKUs": [{"order_item_id": "i1", "return_quantity": 10**12}]}
    with pytest.raises(PayloadError) as info:
        parse_payload(ReturnDetail, json.dumps(huge))
    assert info.value.field_path == "return_merchant_SKUs[0].return_quantity"


def test_settlement_details_whose_sum_the_report_row_cannot_hold_are_refused() -> None:
    report = json.loads((SAMPLES / "settlement_report_detail_response.json").read_text())
    report["order_balance_details"]["merchant_price"] = 9e11
    report["order_balance_details"]["tax"] = 9e11
    with pytest.raises(PayloadError) as info:
        parse_payload(SettlementReport, json.dumps(report))
    assert info.value.field_path == "order_balance_details"
    assert "add up to" in info.value.message


def test_timestamps_off_the_calendar_in_utc_are_value_errors() -> None:
    with pytest.raises(ValueError, match="out of range once converted to UTC"):
        parse_jet_datetime("0001-01-01T00:00:00+05:00")
    assert parse_jet_datetime("0001-01-01T05:00:00+05:00").year == 1


@pytest.mark.parametrize(
    ("raw", "text", "kept"),
    [
        (b'{"a": "b"}', '{"a": "b"}', None),
        ("{é}".encode(), "{é}", None),
        (b'{"a": "\x00"}', '{"a": "\ufffd"}', b'{"a": "\x00"}'),
        (b'{"a": "\xff"}', '{"a": "\ufffd"}', b'{"a": "\xff"}'),
        ("a\udcff".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape"), "a\ufffd", b"a\xff"),
    ],
)
def test_bodies_text_cannot_hold_are_kept_byte_for_byte(raw: bytes | str, text: str, kept: bytes | None) -> None:
    assert storable_body(raw) == (text, kept)
    assert "\x00" not in storable_body(raw)[0]
    assert exact_bytes(raw) == (raw if isinstance(raw, bytes) else (kept or raw.encode()))


def test_amounts_stay_decimal_at_the_bound() -> None:
    order = valid_order()
    order["order_items"][0]["request_order_quantity"] = 0
    text = json.dumps(order).replace('"base_price": 20.0', '"base_price": 999999999999.99', 1)
    assert parse_order(text).order_items[0].item_price.base_price == Decimal("999999999999.99")
