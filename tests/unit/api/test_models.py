"""Payload models: what Jet varied must parse, what is really broken must fail naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from jet.api.errors import PayloadError
from jet.api.models import (
    SERVICE_LEVELS,
    SHIPPING_CARRIERS,
    SHIPPING_METHODS,
    AcknowledgeRequest,
    CompleteReturnRequest,
    CreateRefundRequest,
    OrderStatus,
    OrderUrlList,
    PriceUpdate,
    RefundCreated,
    RefundState,
    RefundUrlList,
    ReturnDetail,
    SettlementReport,
    SettlementUrlList,
    ShipRequest,
    TokenResponse,
    dump_json,
    format_jet_datetime,
    id_from_url,
    load_json,
    normalize_carrier,
    normalize_service_level,
    normalize_shipping_method,
    parse_jet_datetime,
    parse_order,
    parse_payload,
)
from tests.unit.api.payloads import DOCS_SAMPLE, SAMPLES, VALID_ORDER_TEXT, fixed_docs_sample_text, valid_order

pytestmark = pytest.mark.unit


def _text(order: dict[str, Any]) -> str:
    return json.dumps(order)


# --------------------------------------------------------------------------- the docs sample


def test_docs_sample_as_saved_is_rejected_naming_the_misplaced_keys() -> None:
    raw = DOCS_SAMPLE.read_bytes()
    with pytest.raises(PayloadError) as info:
        parse_order(raw)
    err = info.value
    paths = {path for path, _ in err.problems}
    assert paths == {"order_items", "order_detail"}
    assert "order_items: field required" in str(err)
    assert "misplaced closing brace" in str(err)
    assert err.raw == raw  # kept for quarantine


def test_docs_sample_with_only_the_brace_fixed_parses() -> None:
    # The sample's request_ship_by lacks its hour digits ("2014-07-26T:04:00"); the
    # requested dates accept exactly that defect, read as 04:00 UTC.
    text = fixed_docs_sample_text().replace("2014-07-26T04:00:00.0000000Z", "2014-07-26T:04:00.0000000Z")
    order = parse_order(text)
    assert order.order_detail.request_ship_by == datetime(2014, 7, 26, 4, 0, tzinfo=UTC)


def test_the_missing_hour_defect_is_refused_outside_the_requested_dates() -> None:
    text = fixed_docs_sample_text().replace("2014-07-24T17:00:00.0000000Z", "2014-07-24T:17:00.0000000Z", 1)
    with pytest.raises(PayloadError) as info:
        parse_order(text)
    assert info.value.field_path == "order_placed_date"
    assert str(info.value).startswith("order_placed_date: invalid datetime")


def test_docs_sample_with_the_brace_fixed_parses_with_exact_money() -> None:
    order = parse_order(fixed_docs_sample_text())
    assert order.merchant_order_id == "9b13bdd68c314d1b9c8b93277dea4da1"
    assert order.status is OrderStatus.COMPLETE
    assert order.alt_order_id is None  # missing in the sample
    line = order.order_items[0]
    assert line.merchant_sku == "B289B4B"
    assert line.request_order_quantity == 2
    price = line.item_price
    # Exact decimals, spelled as Jet spelled them: no float round trip anywhere.
    assert (price.base_price, price.item_tax, price.item_shipping_cost, price.item_shipping_tax) == (
        Decimal("20"),
        Decimal("0.14"),
        Decimal("5"),
        Decimal("0.35"),
    )
    assert str(price.item_tax) == "0.14"
    assert str(line.fee_adjustments[0].value) == "1.20"
    assert str(line.item_fees) == "2.01"
    assert order.order_totals.item_price is not None
    assert order.order_totals.item_price.item_tax == Decimal("0.14")
    assert all(isinstance(v, Decimal) for v in price.model_dump().values())
    assert order.order_detail.request_ship_by == datetime(2014, 7, 26, 4, 0, tzinfo=UTC)
    assert order.order_placed_date == datetime(2014, 7, 24, 17, 0, tzinfo=UTC)
    # The sample's method spelling is kept as sent, and normalizes to the enum spelling.
    assert order.order_detail.request_shipping_method == "UPS_ground"
    assert normalize_shipping_method(order.order_detail.request_shipping_method) == "UPS Ground"
    assert order.shipping_to.address.address2 == ""
    assert order.shipping_to.recipient.name == "Pepper Potts"


# --------------------------------------------------------------------------- variants that must parse


def _del(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(order: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node: Any = order
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        del node[leaf]

    return mutate


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(order: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node: Any = order
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[leaf] = value

    return mutate


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def mutate(order: dict[str, Any]) -> None:
        order[new] = order.pop(old)

    return mutate


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "alt_order_id missing": _del("alt_order_id"),
    "alt_order_id set": _set("alt_order_id", "WMS-10045"),
    "address2 null": _set("shipping_to.address.address2", None),
    "address2 missing": _del("shipping_to.address.address2"),
    "order_totals.item_price missing": _del("order_totals.item_price"),
    "item_tax null": _set("order_items.0.item_price.item_tax", None),
    "item_shipping_tax null": _set("order_items.0.item_price.item_shipping_tax", None),
    "item_tax missing": _del("order_items.0.item_price.item_tax"),
    "carrier missing": _del("order_detail.request_shipping_carrier"),
    "carrier null": _set("order_detail.request_shipping_carrier", None),
    "method with underscore": _set("order_detail.request_shipping_method", "UPS_ground"),
    "service level SecondDay": _set("order_detail.request_service_level", "SecondDay"),
    "jet_requested_directed_cancel alias": _rename("jet_request_directed_cancel", "jet_requested_directed_cancel"),
    "directed cancel missing": _del("jet_request_directed_cancel"),
    "customer_reference_order_id missing": _del("customer_reference_order_id"),
    "has_shipments missing": _del("has_shipments"),
    "unknown top-level key": _set("brand_new_field", {"x": 1}),
    "unknown nested key": _set("order_items.0.future_flag", True),
    "offset timestamp": _set("order_placed_date", "2016-05-03T10:00:00.0000000-07:00"),
    "offset -00:00": _set("order_placed_date", "2016-05-03T10:00:00.0000000-00:00"),
    "max fraction": _set("order_detail.request_ship_by", "2014-07-24T23:59:59.9999999Z"),
    "no fraction": _set("order_placed_date", "2014-07-24T00:00:00Z"),
    "6-digit fraction": _set("order_placed_date", "2014-07-24T00:00:00.123456+00:00"),
    "order_ready_date missing": _del("order_ready_date"),
    "request_delivery_by missing": _del("order_detail.request_delivery_by"),
    "exception_state": _set("exception_state", "exception - order rejected"),
    "acknowledged echo": _set("acknowledgement_status", "accepted"),
    "line ack echo bare nonfulfillable": _set("order_items.0.order_item_acknowledgement_status", "nonfulfillable"),
    "alt_order_item_id": _set("order_items.0.alt_order_item_id", "76-i105"),
    "request_order_cancel_qty missing": _del("order_items.0.request_order_cancel_qty"),
    "fee_adjustments missing": _del("order_items.0.fee_adjustments"),
    "tax_info object": _set("order_items.0.tax_info", {"anything": [1, 2]}),
    "price_adjustment": _set("order_items.0.price_adjustment", -1.5),
    "money as string": _set("order_items.0.item_price.base_price", "20.00"),
    "integer money": _set("order_items.0.item_price.base_price", 20),
    "numeric reference id": _set("reference_order_id", 802345678901),
    "status capitalised": _set("status", "Ready"),
    "shipments echoed": _set(
        "shipments",
        [
            {
                "shipment_id": "s1",
                "alt_shipment_id": "SHP-1",
                "shipment_tracking_number": "1Z",
                "response_shipment_date": "2018-03-02T10:15:00.0000000-05:00",
                "carrier": "Some Carrier Jet Knew",
                "unknown": 1,
                "shipment_items": [
                    {"shipment_item_id": "si1", "merchant_sku": "SKU-123", "response_shipment_sku_quantity": 2}
                ],
            }
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_parses(name: str) -> None:
    order = valid_order()
    VARIANTS[name](order)
    parsed = parse_order(_text(order))
    assert parsed.merchant_order_id == "4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9"
    assert parsed.order_placed_date.tzinfo is not None
    assert parsed.order_placed_date.utcoffset() == timedelta(0)


def test_reference_example_parses_exactly() -> None:
    order = parse_order(VALID_ORDER_TEXT.encode())
    assert order.order_items[0].item_price.item_tax == Decimal("1.4")
    assert order.order_totals.item_price is not None
    assert str(order.order_totals.item_price.item_tax) == "2.8"
    assert order.order_items[0].request_order_cancel_qty == 0
    assert order.jet_request_directed_cancel is False


def test_offsets_are_converted_to_utc() -> None:
    order = valid_order()
    order["order_placed_date"] = "2016-05-03T10:00:00.0000000-07:00"
    assert parse_order(_text(order)).order_placed_date == datetime(2016, 5, 3, 17, 0, tzinfo=UTC)


def test_alias_spelling_of_directed_cancel_is_read() -> None:
    order = valid_order()
    del order["jet_request_directed_cancel"]
    order["jet_requested_directed_cancel"] = True
    assert parse_order(_text(order)).jet_request_directed_cancel is True


# --------------------------------------------------------------------------- broken payloads


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "merchant_order_id missing": (_del("merchant_order_id"), "merchant_order_id", "field required"),
    "merchant_order_id empty": (_set("merchant_order_id", ""), "merchant_order_id", "at least 1 character"),
    "order_items missing": (_del("order_items"), "order_items", "field required"),
    "order_items empty": (_set("order_items", []), "order_items", "at least 1 item"),
    "order_detail missing": (_del("order_detail"), "order_detail", "field required"),
    "non-numeric price": (
        _set("order_items.0.item_price.base_price", "twenty"),
        "order_items[0].item_price.base_price",
        "invalid number",
    ),
    "boolean price": (
        _set("order_items.0.item_price.base_price", True),
        "order_items[0].item_price.base_price",
        "invalid number",
    ),
    "price object": (_set("order_items.0.item_fees", {"v": 1}), "order_items[0].item_fees", "invalid number"),
    "malformed ship_by": (
        _set("order_detail.request_ship_by", "2014-07-26T:4:00.0000000Z"),
        "order_detail.request_ship_by",
        "invalid datetime",
    ),
    "ship_by month 13": (
        _set("order_detail.request_ship_by", "2014-13-26T04:00:00Z"),
        "order_detail.request_ship_by",
        "invalid datetime",
    ),
    "placed date as number": (_set("order_placed_date", 1406221200), "order_placed_date", "invalid datetime"),
    "negative quantity": (
        _set("order_items.0.request_order_quantity", -1),
        "order_items[0].request_order_quantity",
        "greater than or equal to 0",
    ),
    "unknown status": (_set("status", "shipped"), "status", "input should be"),
    "merchant_sku missing": (_del("order_items.0.merchant_sku"), "order_items[0].merchant_sku", "field required"),
    "line item_price missing": (_del("order_items.0.item_price"), "order_items[0].item_price", "field required"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_payload_names_the_field(name: str) -> None:
    mutate, path, fragment = BROKEN[name]
    order = valid_order()
    mutate(order)
    raw = _text(order)
    with pytest.raises(PayloadError) as info:
        parse_order(raw)
    assert info.value.field_path == path, info.value.problems
    assert fragment in info.value.message, info.value.message
    assert str(info.value).startswith(f"{path}: ")
    assert info.value.raw == raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{not json", "invalid JSON"),
        ('{"merchant_order_id": "x"', "invalid JSON"),  # truncated body
        ("[1, 2]", "expected a JSON object"),
        (b"\xff\xfe", "invalid JSON"),
        ('{"order_items": NaN}', "invalid JSON"),
    ],
)
def test_undecodable_bodies_fail_at_the_root(raw: str | bytes, fragment: str) -> None:
    with pytest.raises(PayloadError) as info:
        parse_order(raw)
    assert info.value.field_path == "$"
    assert fragment in info.value.message


def test_every_problem_is_listed() -> None:
    order = valid_order()
    del order["merchant_order_id"]
    order["order_items"][0]["item_price"]["base_price"] = "x"
    with pytest.raises(PayloadError) as info:
        parse_order(_text(order))
    paths = [p for p, _ in info.value.problems]
    assert paths == ["merchant_order_id", "order_items[0].item_price.base_price"]


# --------------------------------------------------------------------------- property tests


@given(
    # The order has 2 units: its value stays within numeric(14, 2), which the models enforce.
    cents=st.integers(min_value=-(10**11), max_value=10**11),
    places=st.sampled_from([0, 1, 2, 3, 4]),
)
@settings(max_examples=300, deadline=None)
def test_json_numbers_become_exact_decimals(cents: int, places: int) -> None:
    text = str(Decimal(cents).scaleb(-places))
    order = json.loads(VALID_ORDER_TEXT)
    order["order_items"][0]["item_price"]["base_price"] = "__PRICE__"
    raw = json.dumps(order).replace('"__PRICE__"', text)
    parsed = parse_order(raw).order_items[0].item_price.base_price
    assert parsed == Decimal(text)
    assert str(parsed) == text  # same digits, same exponent: nothing went through float


@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
@settings(max_examples=300, deadline=None)
def test_outgoing_money_round_trips_through_json_exactly(amount: Decimal) -> None:
    body = PriceUpdate(price=abs(amount) + Decimal("0.01"))
    sent = dump_json(body)
    assert load_json(sent)["price"] == abs(amount) + Decimal("0.01")


@given(
    st.datetimes(
        # hypothesis wants naive bounds and attaches the zone itself.
        min_value=datetime(1971, 1, 1),  # noqa: DTZ001
        max_value=datetime(2099, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=30))]),
    ),
    st.integers(min_value=0, max_value=9),
)
@settings(max_examples=300, deadline=None)
def test_jet_timestamps_parse_to_the_same_instant(moment: datetime, seventh_digit: int) -> None:
    offset = moment.strftime("%z")
    text = (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond:06d}{seventh_digit}"
        + offset[:3]
        + ":"
        + offset[3:]
    )
    parsed = parse_jet_datetime(text)
    assert parsed == moment
    assert parsed.tzinfo is UTC
    assert parse_jet_datetime(format_jet_datetime(moment)) == moment


@pytest.mark.parametrize(
    "text",
    ["2014-07-26T:04:00.0000000Z", "2014-07-26T04:00:00.0000000+25:00", "yesterday", "", "2014-02-30T00:00:00Z"],
)
def test_bad_timestamps_raise(text: str) -> None:
    with pytest.raises(ValueError, match="invalid datetime"):
        parse_jet_datetime(text)


def test_timestamp_variants() -> None:
    assert parse_jet_datetime("2014-07-24T23:59:59.9999999Z") == datetime(2014, 7, 24, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_jet_datetime("2014-07-24") == datetime(2014, 7, 24, tzinfo=UTC)
    assert parse_jet_datetime("07/24/2014") == datetime(2014, 7, 24, tzinfo=UTC)
    assert parse_jet_datetime("2014-07-24T17:00:00") == datetime(2014, 7, 24, 17, tzinfo=UTC)
    assert format_jet_datetime(datetime(2014, 7, 24, 17, tzinfo=UTC)) == "2014-07-24T17:00:00.0000000Z"


# --------------------------------------------------------------------------- enums and normalizers


def test_shipping_normalizers_tolerate_jet_spellings() -> None:
    assert normalize_shipping_method("UPS_ground") == "UPS Ground"
    assert normalize_shipping_method("ups ground") == "UPS Ground"
    assert normalize_shipping_method("FedEx_2_Day") == "FedEx 2 Day"
    assert normalize_carrier("fedex") == "FedEx"
    assert normalize_carrier("Laser_Ship") == "Laser Ship"
    assert normalize_service_level("SecondDay") == "Second Day"
    assert normalize_service_level("NextDay") == "Next Day"
    with pytest.raises(ValueError, match="unknown shipping method"):
        normalize_shipping_method("Pigeon")
    for values, normalize in (
        (SHIPPING_METHODS, normalize_shipping_method),
        (SHIPPING_CARRIERS, normalize_carrier),
        (SERVICE_LEVELS, normalize_service_level),
    ):
        assert [normalize(v) for v in values] == list(values)  # canonical values are fixed points


# --------------------------------------------------------------------------- outgoing requests


def test_acknowledge_accepts_every_item_status_including_bare_nonfulfillable() -> None:
    body = AcknowledgeRequest.model_validate(
        {
            "acknowledgement_status": "rejected - item level error",
            "alt_order_id": "WMS-1",
            "order_items": [
                {"order_item_id": "a", "order_item_acknowledgement_status": "fulfillable"},
                {"order_item_id": "b", "order_item_acknowledgement_status": "nonfulfillable"},
                {"order_item_id": "c", "order_item_acknowledgement_status": "nonfulfillable - no inventory"},
                {"order_item_id": "d", "order_item_acknowledgement_status": "nonfulfillable - invalid merchant SKU"},
            ],
        }
    )
    sent = json.loads(dump_json(body))
    assert sent["order_items"][1] == {"order_item_id": "b", "order_item_acknowledgement_status": "nonfulfillable"}
    assert "alt_order_item_id" not in sent["order_items"][0]  # None keys are not sent


def test_acknowledge_rejects_bad_enum_and_inconsistent_accept() -> None:
    with pytest.raises(ValidationError, match="acknowledgement_status"):
        AcknowledgeRequest.model_validate(
            {
                "acknowledgement_status": "ok",
                "order_items": [{"order_item_id": "a", "order_item_acknowledgement_status": "fulfillable"}],
            }
        )
    with pytest.raises(ValidationError, match="every line fulfillable"):
        AcknowledgeRequest.model_validate(
            {
                "acknowledgement_status": "accepted",
                "order_items": [{"order_item_id": "a", "order_item_acknowledgement_status": "nonfulfillable"}],
            }
        )
    with pytest.raises(ValidationError, match="extra"):
        AcknowledgeRequest.model_validate(
            {
                "acknowledgement_status": "accepted",
                "order_items": [{"order_item_id": "a", "order_item_acknowledgement_status": "fulfillable"}],
                "typo_field": 1,
            }
        )


def test_ship_request_normalizes_and_serializes_like_jet() -> None:
    body = ShipRequest.model_validate(
        {
            "alt_order_id": "WMS-10045",
            "shipments": [
                {
                    "alt_shipment_id": "SHP-1",
                    "shipment_tracking_number": "1Z999AA10123456784",
                    "response_shipment_date": datetime(2018, 3, 2, 10, 15, tzinfo=timezone(timedelta(hours=-5))),
                    "response_shipment_method": "UPS_ground",
                    "carrier": "ups",
                    "ship_from_zip_code": "07030",
                    "shipment_items": [
                        {
                            "merchant_sku": "SKU-123",
                            "response_shipment_sku_quantity": 1,
                            "response_shipment_cancel_qty": 1,
                            "RMA_number": "RMA-1",
                            "days_to_return": 30,
                        }
                    ],
                },
                {
                    "alt_shipment_id": "CANCEL-1",
                    "shipment_items": [{"merchant_sku": "SKU-9", "response_shipment_cancel_qty": 2}],
                },
            ],
        }
    )
    sent = json.loads(dump_json(body))
    first = sent["shipments"][0]
    assert first["carrier"] == "UPS"
    assert first["response_shipment_method"] == "UPS Ground"
    assert first["response_shipment_date"] == "2018-03-02T15:15:00.0000000Z"
    assert first["shipment_items"][0]["RMA_number"] == "RMA-1"
    assert sent["shipments"][1] == {
        "alt_shipment_id": "CANCEL-1",
        "shipment_items": [
            {"merchant_sku": "SKU-9", "response_shipment_sku_quantity": 0, "response_shipment_cancel_qty": 2}
        ],
    }
    assert body.shipments[1].is_cancel_only


@pytest.mark.parametrize(
    ("shipment", "fragment"),
    [
        ({"shipment_items": [{"merchant_sku": "A", "response_shipment_cancel_qty": 1}]}, "alt_shipment_id: required"),
        (
            {"carrier": "UPS", "shipment_items": [{"merchant_sku": "A", "response_shipment_sku_quantity": 1}]},
            "shipment_tracking_number: required",
        ),
        (
            {
                "carrier": "Pigeon Post",
                "shipment_tracking_number": "1",
                "response_shipment_date": "2018-03-02T10:15:00Z",
                "shipment_items": [{"merchant_sku": "A", "response_shipment_sku_quantity": 1}],
            },
            "shipments[0].carrier: unknown shipping carrier",
        ),
        ({"alt_shipment_id": "x", "shipment_items": [{"merchant_sku": "A"}]}, "ships and cancels zero units"),
        ({"alt_shipment_id": "x", "shipment_items": []}, "at least 1 item"),
    ],
)
def test_ship_request_rejects_incomplete_shipments(shipment: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match="shipments") as info:
        ShipRequest.model_validate({"shipments": [shipment]})
    assert fragment in str(info.value)


def test_ship_request_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationError, match="naive datetime"):
        ShipRequest.model_validate(
            {
                "shipments": [
                    {
                        "carrier": "UPS",
                        "shipment_tracking_number": "1",
                        "response_shipment_date": datetime(2018, 3, 2),  # noqa: DTZ001 - the point of the test
                        "shipment_items": [{"merchant_sku": "A", "response_shipment_sku_quantity": 1}],
                    }
                ]
            }
        )


def test_complete_return_and_refund_requests() -> None:
    complete = CompleteReturnRequest.model_validate(
        {
            "merchant_order_id": "9b13",
            "agree_to_return_charge": False,
            "return_charge_feedback": "outsideMerchantPolicy",
            "items": [
                {
                    "order_item_id": "ac62",
                    "total_quantity_returned": 1,
                    "order_return_refund_qty": 1,
                    "return_refund_feedback": "item damaged",
                    "refund_amount": {"principal": "2.00", "tax": "1.40", "shipping_cost": 1, "shipping_tax": "0.07"},
                }
            ],
        }
    )
    assert json.loads(dump_json(complete), parse_float=Decimal)["items"][0]["refund_amount"] == {
        "principal": Decimal("2.0"),
        "tax": Decimal("1.4"),
        "shipping_cost": Decimal("1.0"),
        "shipping_tax": Decimal("0.07"),
    }
    refund = CreateRefundRequest.model_validate(
        {
            "items": [
                {
                    "order_item_id": "8f5a",
                    "total_quantity_returned": 1,
                    "order_return_refund_qty": 1,
                    "refund_reason": "item arrived damaged - box damaged",  # case-insensitive match
                    "refund_feedback": "Item damaged",
                    "refund_amount": {"principal": "20.00"},
                }
            ]
        }
    )
    assert refund.items[0].refund_reason == "Item arrived damaged - box damaged"
    with pytest.raises(ValidationError, match="unknown refund_reason"):
        CreateRefundRequest.model_validate(
            {
                "items": [
                    {
                        "order_item_id": "8f5a",
                        "total_quantity_returned": 1,
                        "order_return_refund_qty": 1,
                        "refund_reason": "changed my mind",
                        "refund_amount": {"principal": "20.00"},
                    }
                ]
            }
        )


# --------------------------------------------------------------------------- other payloads (verbatim samples)


def test_settlement_sample_parses_and_its_sums_tie_out() -> None:
    report = parse_payload(SettlementReport, (SAMPLES / "settlement_report_detail_response.json").read_bytes())
    assert report.settlement_period_end == datetime(2014, 7, 24, 23, 59, 59, 999999, tzinfo=UTC)
    details = report.order_balance_details
    assert details is not None
    assert sum(v for v in details.model_dump().values() if v is not None) == report.order_balance == Decimal("4572.72")
    assert report.order_balance + report.return_balance + report.jet_adjustment == report.settlement_value
    assert str(report.settlement_value) == "4257.1"


def test_url_lists_give_deduplicated_ids() -> None:
    urls = parse_payload(OrderUrlList, (SAMPLES / "order_urls_list_response_mock.json").read_bytes())
    assert urls.ids == [
        "57e542a613fa42d8b6e8362dbd5911f5",
        "a10b4b28467c490984e0b387e1cc2d9a",
        "32c05c3230fc498e95f82129efd10213",
    ]
    doubled = OrderUrlList(order_urls=[*urls.order_urls, urls.order_urls[1], urls.order_urls[0]])
    assert doubled.ids == urls.ids
    assert parse_payload(SettlementUrlList, (SAMPLES / "settlement_report_urls_list_response.json").read_bytes()).ids[
        0
    ] == ("57e542a613fa42d8b6e8362dbd5911f5")
    assert parse_payload(RefundUrlList, (SAMPLES / "refunds_by_status_list_response.json").read_bytes()).ids == [
        "1289076123041324",
        "9087132460512356",
    ]
    assert parse_payload(RefundUrlList, '{"refund_urls": ["/refunds/state/1"]}').ids == ["1"]
    assert id_from_url("/orders/withoutShipmentDetail/abc?x=1") == "abc"


def test_refund_and_token_samples() -> None:
    created = parse_payload(RefundCreated, (SAMPLES / "refund_create_response.json").read_bytes())
    assert created.refund_authorization_id == "123456789"
    state = parse_payload(RefundState, (SAMPLES / "refund_state_response.json").read_bytes())
    assert state.items[0].refund_amount is not None
    assert state.items[0].refund_amount.tax == Decimal("0.9")
    assert state.items[0].refund_reason == "better price available"  # older vocabulary, kept as sent
    legacy = parse_payload(TokenResponse, (SAMPLES / "token_response_legacy_2015.json").read_bytes())
    assert legacy.expires_on is None
    assert legacy.authorization.startswith("bearer ")
    current = parse_payload(
        TokenResponse, '{"id_token": "t", "token_type": "Bearer", "expires_on": "2026-03-02T16:00:00.0000000Z"}'
    )
    assert current.authorization == "Bearer t"
    assert current.expires_on == datetime(2026, 3, 2, 16, tzinfo=UTC)
    with pytest.raises(PayloadError, match="id_token: field required"):
        parse_payload(TokenResponse, '{"token_type": "Bearer"}')


def test_return_detail_from_reference_values() -> None:
    text = """{
      "merchant_return_authorization_id": "5462a44553734370b7ec90ee320f6eca",
      "reference_return_authorization_id": "123456789012-01",
      "return_status": "created",
      "refund_without_return": false,
      "merchant_order_id": "9b13bdd68c314d1b9c8b93277dea4da1",
      "reference_order_id": "123456789012",
      "alt_order_id": "12345678",
      "return_date": "2014-11-01T21:19:00Z",
      "shipping_carrier": "UPS",
      "tracking_number": "1Z23W456123345890",
      "merchant_return_charge": 5.0,
      "return_location": {"address1": "6909 South State Street", "city": "Midvale", "state": "UT", "zip_code": "84047"},
      "return_merchant_SKUs": [{
        "order_item_id": "ac62a44553734370b7ec90ee320f6eca",
        "alt_order_item_id": "A1223456",
        "merchant_sku": "AB12345",
        "merchant_sku_title": "red bottle",
        "return_quantity": 1,
        "reason": "no longer need/want",
        "requested_refund_amount": {"principal": 2.0, "tax": 1.4, "shipping_cost": 1.0, "shipping_tax": 0.07}
      }]
    }"""
    ret = parse_payload(ReturnDetail, text)
    assert ret.return_merchant_skus[0].requested_refund_amount is not None
    assert ret.return_merchant_skus[0].requested_refund_amount.shipping_tax == Decimal("0.07")
    assert ret.items == []
    with pytest.raises(PayloadError, match="merchant_order_id: field required"):
        parse_payload(ReturnDetail, text.replace('"merchant_order_id"', '"merchant_order_idx"'))


def test_the_vocabulary_and_the_models_agree() -> None:
    # DAG Params offer jet.api.vocabulary's lists; the models validate with the same ones.
    from jet.api import models, vocabulary

    assert tuple(s.value for s in models.ChargeFeedback) == vocabulary.CHARGE_FEEDBACK
    assert models.REFUND_REASONS is vocabulary.REFUND_REASONS
    assert set(models.ACKNOWLEDGEMENT_STATUSES) >= {jet for jet, _ in vocabulary.CANCEL_REASONS.values()}
    assert set(models.ORDER_ITEM_ACKNOWLEDGEMENT_STATUSES) >= {item for _, item in vocabulary.CANCEL_REASONS.values()}
