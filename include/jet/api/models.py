"""Pydantic v2 models of Jet's merchant API payloads.

Two families:

* **Incoming** payloads (order detail, return detail, refund state, settlement report,
  token, URL lists) are *lenient* where the reference says Jet varied (optional keys,
  nulls, 7-digit fractional timestamps, alias spellings, unknown extra keys are ignored
  — the raw bytes are kept by the caller) and *strict* where a payload is really broken
  (missing ids or lines, non-numeric money, malformed timestamps).
* **Outgoing** requests (acknowledge, shipped, complete return, refund, inventory,
  price, archive) forbid unknown keys and validate enums, so a typo fails here rather
  than at Jet.

Money is :class:`~decimal.Decimal` end to end: :func:`load_json` parses JSON numbers
straight to ``Decimal`` (``0.14`` stays ``Decimal('0.14')``, never a float's binary
approximation). Timestamps become timezone-aware UTC :class:`~datetime.datetime`.

Incoming payloads are also refused when the warehouse could not store them, with the
field path (so one such payload is quarantined instead of failing a whole batch in the
database): amounts beyond ``numeric(14, 2)`` and counts beyond ``integer`` (the bounds
below are those column types; a test reads them back from the catalog), strings holding a
NUL character or a lone UTF-16 surrogate (anywhere in the document, ignored keys too: the
raw body lands as JSONB, which refuses both), duplicate line or shipment keys, and
timestamps that fall outside the calendar once converted to UTC.

What is known of Jet's API: ``docs/jet-api.md`` (its sections are cited as §n).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jet.api.errors import PayloadError
from jet.api.vocabulary import (  # re-exported: the models validate against them
    ACKNOWLEDGEMENT_STATUSES,
    CHARGE_FEEDBACK,
    EXCEPTION_STATES,
    ORDER_ITEM_ACKNOWLEDGEMENT_STATUSES,
    ORDER_STATUSES,
    REFUND_FEEDBACK,
    REFUND_REASONS,
    RETURN_REFUND_FEEDBACK,
    RETURN_STATUSES,
    SERVICE_LEVELS,
    SHIPPING_CARRIERS,
    SHIPPING_METHODS,
    AcknowledgementStatus,
    ChargeFeedback,
    OrderItemAcknowledgementStatus,
    OrderStatus,
)

__all__ = [
    "ACKNOWLEDGEMENT_STATUSES",
    "CHARGE_FEEDBACK",
    "EXCEPTION_STATES",
    "INTEGER_MAX",
    "MONEY_LIMIT",
    "MONEY_PRECISION",
    "MONEY_SCALE",
    "ORDER_ITEM_ACKNOWLEDGEMENT_STATUSES",
    "ORDER_STATUSES",
    "REFUND_FEEDBACK",
    "REFUND_REASONS",
    "RETURN_REFUND_FEEDBACK",
    "RETURN_STATUSES",
    "SERVICE_LEVELS",
    "SHIPPING_CARRIERS",
    "SHIPPING_METHODS",
    "SMALLINT_MAX",
    "AcknowledgeItem",
    "AcknowledgeRequest",
    "AcknowledgementStatus",
    "Address",
    "ArchiveRequest",
    "Buyer",
    "ChargeFeedback",
    "CompleteReturnItem",
    "CompleteReturnRequest",
    "Count",
    "CreateRefundRequest",
    "FeeAdjustment",
    "InventoryNode",
    "InventoryUpdate",
    "ItemPrice",
    "JetDateTime",
    "Money",
    "OrderBalanceDetails",
    "OrderDetail",
    "OrderItem",
    "OrderItemAcknowledgementStatus",
    "OrderShippingRequest",
    "OrderStatus",
    "OrderTotals",
    "OrderUrlList",
    "PriceNode",
    "PriceUpdate",
    "RedirectNotification",
    "RefundAmount",
    "RefundCreated",
    "RefundItem",
    "RefundState",
    "RefundStateItem",
    "RefundUrlList",
    "ReportRequested",
    "ReportState",
    "ReturnBalanceDetails",
    "ReturnDetail",
    "ReturnItem",
    "ReturnMerchantSku",
    "ReturnUrlList",
    "SettlementReport",
    "SettlementUrlList",
    "ShipRequest",
    "Shipment",
    "ShipmentItem",
    "ShippingTo",
    "SkuUrlList",
    "TokenResponse",
    "dump_json",
    "format_jet_datetime",
    "id_from_url",
    "load_json",
    "normalize_carrier",
    "normalize_service_level",
    "normalize_shipping_method",
    "parse_jet_datetime",
    "parse_order",
    "parse_payload",
    "shipment_key",
]

# --------------------------------------------------------------------------- enums


def _enum_key(value: str) -> str:
    # AERO's parsers strip "_" (the docs sample says "UPS_ground"), and the live API also
    # returned "SecondDay"/"NextDay": compare on letters and digits only, case-folded.
    return re.sub(r"[^0-9a-z]", "", value.casefold())


def _normalizer(canonical: Iterable[str], what: str) -> Callable[[str], str]:
    table = {_enum_key(v): v for v in canonical}

    def normalize(value: str) -> str:
        key = _enum_key(value)
        if key not in table:
            raise ValueError(f"unknown {what} {value}")
        return table[key]

    return normalize


_normalize_carrier = _normalizer(SHIPPING_CARRIERS, "shipping carrier")
_normalize_method = _normalizer(SHIPPING_METHODS, "shipping method")
_normalize_service_level = _normalizer(SERVICE_LEVELS, "service level")


def normalize_shipping_method(value: str) -> str:
    """Return the canonical spelling of a shipping method.

    Tolerates underscores, case and spacing variants Jet emitted (``UPS_ground`` →
    ``UPS Ground``). Raises :class:`ValueError` for a method not in
    :data:`SHIPPING_METHODS`.
    """
    return _normalize_method(value)


def normalize_carrier(value: str) -> str:
    """Return the canonical spelling of a carrier (``fedex`` → ``FedEx``); ValueError if unknown."""
    return _normalize_carrier(value)


def normalize_service_level(value: str) -> str:
    """Return the canonical service level (``SecondDay`` → ``Second Day``); ValueError if unknown."""
    return _normalize_service_level(value)


# --------------------------------------------------------------------------- scalar types

_ISO_RE = re.compile(
    r"""^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})
        (?:[Tt\ ](?P<h>\d{2}):(?P<mi>\d{2})
            (?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?
            (?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?
        )?$""",
    re.VERBOSE,
)
_US_DATE_RE = re.compile(r"^(?P<mo>\d{2})/(?P<d>\d{2})/(?P<y>\d{4})$")


def parse_jet_datetime(value: str) -> datetime:
    """Parse a Jet timestamp into an aware UTC datetime.

    Accepts Jet's .NET style with up to 7 (or 9) fractional digits
    (``2014-07-24T17:00:00.0000000Z``, ``...23:59:59.9999999Z``), offsets
    (``-07:00``, ``-0700``, ``-00:00``), no fraction, a bare date, and ``MM/dd/yyyy``
    (AERO's JetDate accepted it). Fractions beyond microseconds are truncated, not
    rounded, so ``.9999999`` stays inside the same second. A timestamp without a zone is
    taken as UTC (Jet emitted UTC). Raises :class:`ValueError` otherwise.
    """
    text = value.strip()
    m = _ISO_RE.match(text)
    if m is None:
        us = _US_DATE_RE.match(text)
        if us is None:
            raise ValueError(f"invalid datetime {value}")
        return datetime(int(us["y"]), int(us["mo"]), int(us["d"]), tzinfo=UTC)
    tz: timezone = UTC
    raw_tz = m["tz"]
    if raw_tz and raw_tz not in ("Z", "z"):
        digits = raw_tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid datetime {value!r}: bad UTC offset")
        delta = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-delta if raw_tz[0] == "-" else delta)
    frac = (m["frac"] or "")[:6].ljust(6, "0")
    try:
        parsed = datetime(
            int(m["y"]),
            int(m["mo"]),
            int(m["d"]),
            int(m["h"] or 0),
            int(m["mi"] or 0),
            int(m["s"] or 0),
            int(frac),
            tzinfo=tz,
        )
    except ValueError as exc:  # month 13, hour 25, ...
        raise ValueError(f"invalid datetime {value!r}: {exc}") from exc
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(f"invalid datetime {value!r}: out of range once converted to UTC") from None


def format_jet_datetime(value: datetime) -> str:
    """Format an aware datetime the way Jet emitted them: UTC, 7 fractional digits, ``Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: give it a timezone")
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


def _validate_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            # Our own code must say which zone it means; Jet's strings are UTC by convention.
            raise PydanticCustomError("jet_datetime", "invalid datetime: naive datetime (no timezone)")
        return value.astimezone(UTC)
    if isinstance(value, str):
        try:
            return parse_jet_datetime(value)
        except ValueError as exc:  # the reason names the value and what is wrong with it
            raise PydanticCustomError("jet_datetime", "{reason}", {"reason": str(exc)}) from None
    raise PydanticCustomError("jet_datetime", "invalid datetime {value}: expected a string", {"value": repr(value)})


def _validate_money(value: Any) -> Decimal:
    if isinstance(value, bool):  # bool is an int subclass: True must not become 1
        raise PydanticCustomError("jet_number", "invalid number {value}", {"value": repr(value)})
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr() is the shortest string that round-trips, so 0.14 -> Decimal('0.14')
        # rather than Decimal(0.14) = 0.14000000000000001332...
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise PydanticCustomError("jet_number", "invalid number {value}", {"value": repr(value)}) from None
    else:
        raise PydanticCustomError("jet_number", "invalid number {value}", {"value": repr(value)})
    if not number.is_finite():
        raise PydanticCustomError("jet_number", "invalid number {value}", {"value": repr(value)})
    return number


def _money_to_json(value: Decimal) -> float:
    # Jet wants JSON numbers. A float carries any decimal of <= 15 significant digits
    # exactly through repr() (shortest round-trip), which covers every money amount;
    # refuse anything longer rather than silently altering it.
    if len(value.normalize().as_tuple().digits) > 15:
        raise ValueError(f"{value} has more than 15 significant digits; cannot send it exactly as a JSON number")
    return float(value)


# What the warehouse's columns hold (migrations 0002, 0005-0007; tests/integration/
# api/test_storage_bounds.py reads the column types back from the catalog). A value beyond
# them would fail a whole batch in the database, so the models refuse it with its path.
MONEY_PRECISION, MONEY_SCALE = 14, 2  # every amount column is numeric(14, 2)
#: numeric(14, 2) holds an amount whose absolute value, rounded to cents, is below this.
MONEY_LIMIT = Decimal(10) ** (MONEY_PRECISION - MONEY_SCALE)
_CENT = Decimal(1).scaleb(-MONEY_SCALE)
_NEAR_LIMIT = MONEY_LIMIT - _CENT
INTEGER_MAX = 2**31 - 1  # quantities are integer
SMALLINT_MAX = 2**15 - 1  # jet.order_items.line_number is smallint


def _bounded_money(value: Any) -> Decimal:
    number = _validate_money(value)
    # PostgreSQL rounds half away from zero to the column's scale, then checks the range:
    # only an amount within a cent of the limit needs the rounding (the common case skips it).
    if abs(number) >= _NEAR_LIMIT and (
        abs(number) >= MONEY_LIMIT or abs(number.quantize(_CENT, ROUND_HALF_UP)) >= MONEY_LIMIT
    ):
        raise PydanticCustomError(
            "jet_range",
            "{value} is out of range: amounts are stored as numeric({p}, {s}), at most ±{limit}",
            {"value": str(number), "p": MONEY_PRECISION, "s": MONEY_SCALE, "limit": str(MONEY_LIMIT - _CENT)},
        )
    return number


def _bounded_count(value: int) -> int:
    if value > INTEGER_MAX:
        raise PydanticCustomError(
            "jet_range",
            "{value} is out of range: counts are stored as integer, at most {limit}",
            {"value": value, "limit": INTEGER_MAX},
        )
    return value


Money = Annotated[Decimal, BeforeValidator(_bounded_money), PlainSerializer(_money_to_json, when_used="json")]
"""A USD amount: Decimal in Python, a JSON number on the wire; within numeric(14, 2)."""

Count = Annotated[int, Field(ge=0), AfterValidator(_bounded_count)]
"""A number of units: a whole number from 0 to the warehouse's integer maximum."""

JetDateTime = Annotated[
    datetime, BeforeValidator(_validate_datetime), PlainSerializer(format_jet_datetime, when_used="json")
]
"""An aware UTC datetime; parsed from any Jet/ISO-8601 variant, written in Jet's 7-digit form."""

# Jet's own docs sample order carries ``"request_ship_by": "2014-07-26T:04:00.0000000Z"``:
# the hour digits are missing after the ``T``. Integrations were written against that
# sample, so the customer's requested dates (advisory, not money or lifecycle times)
# accept exactly this defect and read it as ``T04:00:00`` (hours:minutes, the shape of
# the sample's ``request_delivery_by``). Every other timestamp stays strict.
_MISSING_HOUR_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt]:(?P<h>\d{2}):(?P<mi>\d{2})(?P<rest>(?:[.,]\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?)$"
)


def _validate_requested_datetime(value: Any) -> datetime:
    if isinstance(value, str) and (m := _MISSING_HOUR_RE.match(value.strip())):
        value = f"{m['date']}T{m['h']}:{m['mi']}:00{m['rest']}"
    return _validate_datetime(value)


RequestedDateTime = Annotated[
    datetime, BeforeValidator(_validate_requested_datetime), PlainSerializer(format_jet_datetime, when_used="json")
]
"""A customer-requested date (ship-by, deliver-by): a JetDateTime that also reads the docs
sample's missing-hour defect (``2014-07-26T:04:00.0000000Z`` → 04:00 UTC)."""


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# --------------------------------------------------------------------------- JSON helpers


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name} is not valid JSON money")


def load_json(raw: bytes | str) -> Any:
    """Decode JSON with every non-integer number as an exact :class:`Decimal`."""
    return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)


def json_text(body: Any) -> str:
    """Compact JSON of plain data, every :class:`Decimal` as the exact JSON number (what the
    outbox stores as a body, so it compares equal to the same value built in SQL)."""
    return json.dumps(body, separators=(",", ":"), default=_exact_number)


def _exact_number(value: object) -> float:
    if isinstance(value, Decimal):
        return _money_to_json(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dump_json(model: BaseModel) -> bytes:
    """Serialize an outgoing request: Jet's field names, no ``None`` keys, money as numbers."""
    return model.model_dump_json(by_alias=True, exclude_none=True).encode()


# --------------------------------------------------------------------------- base classes


class JetPayload(BaseModel):
    """Base of incoming payloads: unknown keys ignored (the raw body is kept elsewhere)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True, frozen=True)


class JetRequest(BaseModel):
    """Base of outgoing requests: unknown keys are a bug, so they are refused."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- orders


class Buyer(JetPayload):
    """``buyer`` and ``shipping_to.recipient``: ``{name, phone_number}``."""

    name: str | None = None
    phone_number: str | None = None


class Address(JetPayload):
    """A postal address; ``address2`` may be missing, null or empty (§3.3)."""

    address1: str
    address2: str | None = None
    city: str
    state: str
    zip_code: str


class ShippingTo(JetPayload):
    """``shipping_to``: recipient and address."""

    recipient: Buyer
    address: Address


class OrderShippingRequest(JetPayload):
    """The order's ``order_detail`` object: what the customer asked for (§3.3).

    Values are kept as Jet sent them (``UPS_ground`` included); use
    :func:`normalize_shipping_method` to map to the canonical list.
    """

    request_shipping_carrier: str | None = None
    request_shipping_method: str | None = None
    request_service_level: str | None = None
    request_ship_by: RequestedDateTime
    request_delivery_by: RequestedDateTime | None = None


class ItemPrice(JetPayload):
    """``item_price``: ``base_price`` is per unit; taxes may be null (§3.3)."""

    base_price: Money
    item_tax: Money | None = None
    item_shipping_cost: Money
    item_shipping_tax: Money | None = None


class FeeAdjustment(JetPayload):
    """One commission line (``adjustment_type`` ``base`` or, probably, ``variable``)."""

    adjustment_name: str | None = None
    adjustment_type: str | None = None
    commission_id: str | None = None
    value: Money


class OrderTotals(JetPayload):
    """``order_totals``; ``item_price`` was sometimes absent (§3.3)."""

    item_price: ItemPrice | None = None
    item_fees: Money | None = None
    fee_adjustments: list[FeeAdjustment] = Field(default_factory=list)
    regulatory_fees: Money | None = None


class OrderItem(JetPayload):
    """One order line (``order_items[]``, §3.3)."""

    order_item_id: str = Field(min_length=1)
    alt_order_item_id: str | None = None
    merchant_sku: str = Field(min_length=1)
    product_title: str | None = None
    request_order_quantity: Count
    request_order_cancel_qty: Count | None = None
    adjustment_reason: str | None = None
    item_tax_code: str | None = None
    url: str | None = None
    price_adjustment: Money | None = None
    item_fees: Money | None = None
    fee_adjustments: list[FeeAdjustment] = Field(default_factory=list)
    tax_info: Any = None
    regulatory_fees: Money | None = None
    item_price: ItemPrice
    order_item_acknowledgement_status: str | None = None


class RedirectNotification(JetRequest):
    """Sent when shipping from a node other than the assigned one."""

    redirect_node: str
    is_redirect_for_zero_inventory: bool


class ShipmentItem(JetRequest):
    """A shipment line, keyed by ``merchant_sku`` (not order_item_id)."""

    shipment_item_id: str | None = None
    alt_shipment_item_id: str | None = None
    merchant_sku: str = Field(min_length=1)
    response_shipment_sku_quantity: Count = 0
    response_shipment_cancel_qty: Count = 0
    rma_number: str | None = Field(default=None, alias="RMA_number")
    days_to_return: Count | None = None
    return_location: Address | None = None


class Shipment(JetRequest):
    """A shipment (or a cancel-only shipment) of the shipped message (§5)."""

    shipment_id: str | None = None
    alt_shipment_id: str | None = None
    shipment_tracking_number: str | None = None
    response_shipment_date: JetDateTime | None = None
    response_shipment_method: str | None = None
    expected_delivery_date: JetDateTime | None = None
    ship_from_zip_code: str | None = None
    carrier_pick_up_date: JetDateTime | None = None
    carrier: str | None = None
    redirect_notification: RedirectNotification | None = None
    shipment_items: list[ShipmentItem] = Field(min_length=1)

    @property
    def is_cancel_only(self) -> bool:
        """True when no unit ships in this shipment (it only cancels units)."""
        return all(item.response_shipment_sku_quantity == 0 for item in self.shipment_items)


class _ShipmentItemRecord(ShipmentItem):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class _ShipmentRecord(Shipment):
    """A shipment as Jet echoes it on the order: lenient (it may come from any client)."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    shipment_items: list[_ShipmentItemRecord] = Field(default_factory=list)  # type: ignore[assignment]


class OrderDetail(JetPayload):
    """``GET /orders/withoutShipmentDetail/{merchant_order_id}`` (§3.3)."""

    merchant_order_id: str = Field(min_length=1)
    reference_order_id: str
    customer_reference_order_id: str | None = None
    fulfillment_node: str
    alt_order_id: str | None = None
    hash_email: str | None = None
    status: Annotated[OrderStatus, BeforeValidator(_lower)]
    exception_state: str | None = None
    order_placed_date: JetDateTime
    order_transmission_date: JetDateTime | None = None
    order_ready_date: JetDateTime | None = None
    order_acknowledge_date: JetDateTime | None = None
    acknowledgement_status: str | None = None
    # AERO's reader spells it "jet_requested_directed_cancel"; accept both (§3.3).
    jet_request_directed_cancel: bool | None = Field(
        default=None,
        validation_alias=AliasChoices("jet_request_directed_cancel", "jet_requested_directed_cancel"),
    )
    has_shipments: bool | None = None
    buyer: Buyer
    shipping_to: ShippingTo
    order_detail: OrderShippingRequest
    order_totals: OrderTotals
    # line_number (smallint) numbers the lines in the warehouse.
    order_items: list[OrderItem] = Field(min_length=1, max_length=SMALLINT_MAX)
    shipments: list[_ShipmentRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _storable(self) -> OrderDetail:
        # The warehouse keys lines by order_item_id and shipment lines by (shipment, SKU):
        # a repeat would make the batch's upsert touch one row twice.
        _no_repeats("order_items", [item.order_item_id for item in self.order_items], "order_item_id")
        seen: dict[tuple[str, str], str] = {}
        for s_idx, shipment in enumerate(self.shipments):
            key = shipment_key(shipment, s_idx + 1)
            for i_idx, unit in enumerate(shipment.shipment_items):
                where = f"shipments[{s_idx}].shipment_items[{i_idx}].merchant_sku"
                if (key, unit.merchant_sku) in seen:
                    raise ValueError(
                        f"{where}: duplicate of {seen[key, unit.merchant_sku]}: SKU {unit.merchant_sku!r} "
                        f"appears twice in shipment {key!r}"
                    )
                seen[key, unit.merchant_sku] = where
        # Everything the warehouse sums per order (units, quantity x amount in the P&L)
        # must fit its columns too: bound the order's units and its gross value.
        units = sum(item.request_order_quantity for item in self.order_items)
        if units > INTEGER_MAX:
            raise ValueError(f"order_items: {units} units in all is out of range: at most {INTEGER_MAX}")
        total = Decimal(0)
        for idx, item in enumerate(self.order_items):
            total += item.request_order_quantity * _line_amounts(item)
            if total >= MONEY_LIMIT:
                raise ValueError(
                    f"order_items[{idx}]: quantity x amounts brings the order's value to {total}, out of range: "
                    f"order totals are stored as numeric({MONEY_PRECISION}, {MONEY_SCALE}), at most "
                    f"±{MONEY_LIMIT - _CENT}"
                )
        return self


def shipment_key(shipment: Shipment, position: int) -> str:
    """The warehouse's key of a shipment echoed on an order: Jet's ``shipment_id``, else
    our ``alt_shipment_id``, else ``#<position>`` (1-based)."""
    return shipment.shipment_id or shipment.alt_shipment_id or f"#{position}"


def _line_amounts(item: OrderItem) -> Decimal:
    """Sum of the absolute per-unit amounts of a line (what per-order sums can add up to)."""
    price = item.item_price
    amounts = [
        price.base_price, price.item_tax, price.item_shipping_cost, price.item_shipping_tax,
        item.item_fees, item.regulatory_fees, item.price_adjustment,
        *(a.value for a in item.fee_adjustments),
    ]  # fmt: skip
    return sum((abs(a) for a in amounts if a is not None), start=Decimal(0))


def _no_repeats(where: str, keys: list[str], name: str) -> None:
    """ValueError naming the second entry of ``where`` whose ``name`` repeats an earlier one."""
    first: dict[str, int] = {}
    for idx, key in enumerate(keys):
        if key in first:
            raise ValueError(f"{where}[{idx}].{name}: duplicate of {where}[{first[key]}] ({key!r})")
        first[key] = idx


class OrderUrlList(JetPayload):
    """``{"order_urls": [...]}`` — relative URLs ending in the merchant_order_id."""

    order_urls: list[str]

    @property
    def ids(self) -> list[str]:
        """Ids (last URL segment), de-duplicated, first occurrence kept."""
        return _unique_ids(self.order_urls)


class ReturnUrlList(JetPayload):
    """``{"return_urls": [...]}``."""

    return_urls: list[str]

    @property
    def ids(self) -> list[str]:
        """Return ids (last URL segment), de-duplicated."""
        return _unique_ids(self.return_urls)


class RefundUrlList(JetPayload):
    """``GET /refunds/{status}``; the key was ``refund_urls`` (AERO) or ``sku_urls`` (RUBY, PHP15)."""

    refund_urls: list[str] = Field(validation_alias=AliasChoices("refund_urls", "sku_urls"))

    @property
    def ids(self) -> list[str]:
        """Refund ids (last URL segment), de-duplicated."""
        return _unique_ids(self.refund_urls)


class SettlementUrlList(JetPayload):
    """``{"settlement_report_urls": [...]}``."""

    settlement_report_urls: list[str]

    @property
    def ids(self) -> list[str]:
        """Settlement report ids (last URL segment), de-duplicated."""
        return _unique_ids(self.settlement_report_urls)


class SkuUrlList(JetPayload):
    """``{"sku_urls": [...]}`` (``GET /merchant-skus``)."""

    sku_urls: list[str] = Field(default_factory=list)

    @property
    def skus(self) -> list[str]:
        """Merchant SKUs (last URL segment), de-duplicated."""
        return _unique_ids(self.sku_urls)


def id_from_url(url: str) -> str:
    """The last path segment of a Jet relative URL (``/orders/withoutShipmentDetail/<id>`` → ``<id>``)."""
    segment = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not segment:
        raise ValueError(f"no id in url {url!r}")
    return segment


def _unique_ids(urls: Iterable[str]) -> list[str]:
    # Jet lists may repeat an order; keep the first occurrence so order is stable.
    return list(dict.fromkeys(id_from_url(u) for u in urls))


class TokenResponse(JetPayload):
    """``POST /token`` response. ``expires_on`` is missing in the legacy 2015 shape."""

    id_token: str = Field(min_length=1)
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_on: JetDateTime | None = None

    @property
    def authorization(self) -> str:
        """Value of the ``Authorization`` header."""
        return f"{self.token_type or 'Bearer'} {self.id_token}"


# --------------------------------------------------------------------------- acknowledge / ship


class AcknowledgeItem(JetRequest):
    """One line of the acknowledge message."""

    order_item_id: str = Field(min_length=1)
    order_item_acknowledgement_status: OrderItemAcknowledgementStatus
    alt_order_item_id: str | None = None


class AcknowledgeRequest(JetRequest):
    """``PUT /orders/{id}/acknowledge`` body (§4)."""

    acknowledgement_status: AcknowledgementStatus
    alt_order_id: str | None = None
    order_items: list[AcknowledgeItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _accepted_means_fulfillable(self) -> AcknowledgeRequest:
        # Jet: "if any SKUs in the order cannot be fulfilled then you will reject the order".
        if self.acknowledgement_status is AcknowledgementStatus.ACCEPTED:
            bad = [
                i
                for i, item in enumerate(self.order_items)
                if item.order_item_acknowledgement_status is not OrderItemAcknowledgementStatus.FULFILLABLE
            ]
            if bad:
                raise ValueError(f"order_items[{bad[0]}]: an accepted order must have every line fulfillable")
        return self


class ShipRequest(JetRequest):
    """``PUT /orders/{id}/shipped`` body: shipments and/or cancellations (§5).

    Checks what Jet (or AERO on its behalf) required: a shipment that ships units needs
    carrier, tracking number and shipment date, with carrier and method from the
    reference's lists (method spelling normalized; ``""``/``Other`` allowed as many
    clients sent them); a cancel-only shipment needs an ``alt_shipment_id``; every line
    ships or cancels at least one unit.
    """

    alt_order_id: str | None = None
    shipments: list[Shipment] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_shipments(self) -> ShipRequest:
        for s_idx, shipment in enumerate(self.shipments):
            where = f"shipments[{s_idx}]"
            for i_idx, item in enumerate(shipment.shipment_items):
                if item.response_shipment_sku_quantity + item.response_shipment_cancel_qty == 0:
                    raise ValueError(f"{where}.shipment_items[{i_idx}]: ships and cancels zero units")
            if shipment.is_cancel_only:
                if not shipment.alt_shipment_id:
                    raise ValueError(f"{where}.alt_shipment_id: required for a cancel-only shipment")
                continue
            for name in ("carrier", "shipment_tracking_number", "response_shipment_date"):
                if not getattr(shipment, name):
                    raise ValueError(f"{where}.{name}: required when units ship")
            try:
                shipment.carrier = normalize_carrier(shipment.carrier or "")
            except ValueError as exc:
                raise ValueError(f"{where}.carrier: {exc}") from None
            method = shipment.response_shipment_method
            if method and method != "Other":
                try:
                    shipment.response_shipment_method = normalize_shipping_method(method)
                except ValueError as exc:
                    raise ValueError(f"{where}.response_shipment_method: {exc}") from None
        return self


# --------------------------------------------------------------------------- returns / refunds


class RefundAmount(JetPayload):
    """``{principal, tax, shipping_cost, shipping_tax}`` — line totals, not per unit."""

    principal: Money
    tax: Money | None = None
    shipping_cost: Money | None = None
    shipping_tax: Money | None = None


class _RefundAmountOut(JetRequest):
    """Outgoing refund amount: every component sent, missing ones as 0."""

    principal: Money
    tax: Money = Decimal(0)
    shipping_cost: Money = Decimal(0)
    shipping_tax: Money = Decimal(0)

    @model_validator(mode="before")
    @classmethod
    def _from_incoming(cls, data: Any) -> Any:
        # Completing a return usually echoes the return's requested_refund_amount
        # (an incoming RefundAmount): accept it, with null components as 0.
        if isinstance(data, RefundAmount):
            return data.model_dump(exclude_none=True)
        return data


class ReturnMerchantSku(JetPayload):
    """``return_merchant_SKUs[]`` of a return (present from ``created``)."""

    order_item_id: str
    alt_order_item_id: str | None = None
    merchant_sku: str | None = None
    merchant_sku_title: str | None = None
    return_quantity: Count
    reason: str | None = None
    requested_refund_amount: RefundAmount | None = None


class ReturnItem(JetPayload):
    """``items[]`` of a return (present once in progress / completed)."""

    order_item_id: str
    alt_order_item_id: str | None = None
    total_quantity_returned: Count | None = None
    order_return_refund_qty: Count | None = None
    return_refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: RefundAmount | None = None


class ReturnDetail(JetPayload):
    """``GET /returns/state/{merchant_return_authorization_id}`` (§6)."""

    merchant_return_authorization_id: str = Field(min_length=1)
    reference_return_authorization_id: str | None = None
    alt_return_authorization_id: str | None = None
    return_status: str
    refund_without_return: bool | None = None
    merchant_order_id: str = Field(min_length=1)
    reference_order_id: str | None = None
    alt_order_id: str | None = None
    return_date: JetDateTime | None = None
    shipping_carrier: str | None = None
    tracking_number: str | None = None
    merchant_return_charge: Money | None = None
    agree_to_return_charge: bool | None = None
    return_charge_feedback: str | None = None
    return_location: list[Address] | Address | None = None
    return_merchant_skus: list[ReturnMerchantSku] = Field(default_factory=list, alias="return_merchant_SKUs")
    items: list[ReturnItem] = Field(default_factory=list)
    completed_date: JetDateTime | None = None

    @model_validator(mode="after")
    def _one_entry_per_line(self) -> ReturnDetail:
        # jet.return_items has one row per (return, order line): a repeat would silently
        # overwrite the first entry.
        _no_repeats("return_merchant_SKUs", [s.order_item_id for s in self.return_merchant_skus], "order_item_id")
        _no_repeats("items", [i.order_item_id for i in self.items], "order_item_id")
        return self


def _check_in(value: str | None, allowed: Iterable[str], what: str) -> str | None:
    """``value`` if it is one of ``allowed``; else its case-insensitive match; else ValueError."""
    if value is None:
        return None
    allowed = tuple(allowed)
    if value in allowed:
        return value
    matches = [v for v in allowed if v.casefold() == value.casefold()]
    if not matches:
        raise ValueError(f"unknown {what} {value!r}")
    return matches[0]


class CompleteReturnItem(JetRequest):
    """A line of the complete-return message; ``refund_amount`` is the line total."""

    order_item_id: str = Field(min_length=1)
    alt_order_item_id: str | None = None
    total_quantity_returned: Count
    order_return_refund_qty: Count
    return_refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: _RefundAmountOut

    @field_validator("return_refund_feedback")
    @classmethod
    def _feedback(cls, value: str | None) -> str | None:
        return _check_in(value, RETURN_REFUND_FEEDBACK, "return_refund_feedback")


class CompleteReturnRequest(JetRequest):
    """``PUT /returns/{id}/complete`` body (§6)."""

    merchant_order_id: str = Field(min_length=1)
    alt_order_id: str | None = None
    alt_return_authorization_id: str | None = None
    agree_to_return_charge: bool
    return_charge_feedback: ChargeFeedback | None = None
    items: list[CompleteReturnItem] = Field(min_length=1)


class RefundItem(JetRequest):
    """A line of the merchant-initiated refund (§7)."""

    order_item_id: str = Field(min_length=1)
    alt_order_item_id: str | None = None
    total_quantity_returned: Count
    order_return_refund_qty: Count
    refund_reason: str
    refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: _RefundAmountOut

    @field_validator("refund_reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _check_in(value, REFUND_REASONS, "refund_reason") or value

    @field_validator("refund_feedback")
    @classmethod
    def _feedback(cls, value: str | None) -> str | None:
        return _check_in(value, REFUND_FEEDBACK, "refund_feedback")


class CreateRefundRequest(JetRequest):
    """``POST /refunds/{merchant_order_id}/{alt_refund_id}`` body."""

    items: list[RefundItem] = Field(min_length=1)


class RefundCreated(JetPayload):
    """201 response of refund creation."""

    refund_authorization_id: str = Field(min_length=1)
    refund_status: str | None = None


class RefundStateItem(JetPayload):
    """A line of a refund as Jet reports it (reasons may be the older vocabulary)."""

    order_item_id: str
    alt_order_item_id: str | None = None
    total_quantity_returned: int | None = None
    order_return_refund_qty: int | None = None
    refund_reason: str | None = None
    refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: RefundAmount | None = None


class RefundState(JetPayload):
    """``GET /refunds/state/{refund_authorization_id}`` (§7)."""

    alt_refund_id: str | None = None
    refund_authorization_id: str = Field(min_length=1)
    reference_order_id: str | None = None
    refund_status: str
    merchant_order_id: str | None = None
    reference_merchant_order_id: str | None = None
    alt_order_id: str | None = None
    items: list[RefundStateItem] = Field(default_factory=list)


# --------------------------------------------------------------------------- settlement / reports


class OrderBalanceDetails(JetPayload):
    """``order_balance_details`` of a settlement report; commissions are negative."""

    merchant_price: Money | None = None
    jet_variable_commission: Money | None = None
    fixed_commission: Money | None = None
    tax: Money | None = None
    shipping_revenue: Money | None = None
    shipping_tax: Money | None = None
    shipping_charge: Money | None = None
    fulfillment_fee: Money | None = None
    product_cost: Money | None = None


class ReturnBalanceDetails(JetPayload):
    """``return_balance_details`` of a settlement report; signs mirror the order side."""

    merchant_price: Money | None = None
    jet_variable_commission: Money | None = None
    fixed_commission: Money | None = None
    tax: Money | None = None
    shipping_tax: Money | None = None
    merchant_return_charge: Money | None = None
    return_processing_fee: Money | None = None
    product_cost: Money | None = None


class SettlementReport(JetPayload):
    """``GET /settlement/report/{settlement_report_id}`` (§8)."""

    settlement_report_id: str = Field(min_length=1)
    settlement_state: str | None = None
    currency: str | None = None
    unavailable_balance: Money | None = None
    settlement_period_start: JetDateTime
    settlement_period_end: JetDateTime
    order_balance_details: OrderBalanceDetails | None = None
    # AERO's reader misspells it "order_balanace"; accept both.
    order_balance: Money = Field(validation_alias=AliasChoices("order_balance", "order_balanace"))
    return_balance_details: ReturnBalanceDetails | None = None
    return_balance: Money
    jet_adjustment: Money = Decimal(0)
    settlement_value: Money

    @model_validator(mode="after")
    def _sums_storable(self) -> SettlementReport:
        # jet.settlement_reports stores the sum of each balance's details (generated columns).
        for name in ("order_balance_details", "return_balance_details"):
            details = getattr(self, name)
            if details is None:
                continue
            total = sum((abs(v) for v in details.model_dump().values() if v is not None), start=Decimal(0))
            if total >= MONEY_LIMIT:
                raise ValueError(
                    f"{name}: its amounts add up to {total}, out of range: sums are stored as "
                    f"numeric({MONEY_PRECISION}, {MONEY_SCALE}), at most ±{MONEY_LIMIT - _CENT}"
                )
        return self


class ReportRequested(JetPayload):
    """``POST /reports/{report_type}`` response."""

    report_id: str = Field(min_length=1)


class ReportState(JetPayload):
    """``GET /reports/state/{report_id}`` (§8); ``report_url`` is set once ``Ready``."""

    merchant_id: str | None = None
    report_id: str | None = None
    report_status: str
    report_type: str | None = None
    report_requested_date: JetDateTime | None = None
    processing_start: JetDateTime | None = None
    processing_end: JetDateTime | None = None
    report_expiration_date: JetDateTime | None = None
    report_url: str | None = None


# --------------------------------------------------------------------------- catalog


class InventoryNode(JetRequest):
    """Quantity at one fulfillment node."""

    fulfillment_node_id: str = Field(min_length=1)
    quantity: Count


class InventoryUpdate(JetRequest):
    """``PUT /merchant-skus/{sku}/inventory`` body."""

    fulfillment_nodes: list[InventoryNode] = Field(min_length=1)


class PriceNode(JetRequest):
    """Price at one fulfillment node."""

    fulfillment_node_id: str = Field(min_length=1)
    fulfillment_node_price: Money = Field(gt=0)


class PriceUpdate(JetRequest):
    """``PUT /merchant-skus/{sku}/price`` body (price = what the merchant is paid)."""

    price: Money = Field(gt=0)
    fulfillment_nodes: list[PriceNode] | None = None


class ArchiveRequest(JetRequest):
    """``PUT /merchant-skus/{sku}/status/archive`` body."""

    is_archived: bool


# --------------------------------------------------------------------------- parsing entry points

_MessageOverrides = {
    "missing": "field required",
    "extra_forbidden": "unknown field",
}

M = TypeVar("M", bound=BaseModel)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        # Drop the union/tag branch names pydantic puts into locations (e.g. "list[...]").
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or "function-" in p)))
        message = _MessageOverrides.get(err["type"], err["msg"])
        path = _path(loc)
        if err["type"] == "value_error":
            message = message.removeprefix("Value error, ")
            # A model-level check names its field first ("order_items[2].order_item_id: ...").
            named = _NAMED_PROBLEM_RE.match(message)
            if named:
                inner = named["path"]
                path = inner if path == "$" else f"{path}{'' if inner.startswith('[') else '.'}{inner}"
                message = named["message"]
        if message and message[0].isupper() and not message[:2].isupper():
            message = message[0].lower() + message[1:]
        problems.append((path, message))
    return problems


_NAMED_PROBLEM_RE = re.compile(r"^(?P<path>[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (?P<message>.+)$", re.DOTALL)

# NUL and lone surrogates can only reach a decoded JSON string through \u escapes (a raw
# control character is not JSON; a UTF-8-encoded surrogate is not UTF-8): a payload
# without such an escape needs no walk.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_SUSPECT_ESCAPE_BYTES = re.compile(_SUSPECT_ESCAPE.pattern.encode())
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable_text(data: Any) -> tuple[str, str] | None:
    """(path, reason) of the first string, key or value, that the warehouse cannot store as text."""
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
            for key, value in reversed(items):
                if (why := _text_problem(key)) is not None:
                    return _path((*loc, ascii(key)[1:-1])), f"key {why}"
                stack.append(((*loc, key), value))
        elif isinstance(node, list):
            stack.extend(((*loc, idx), value) for idx, value in reversed(list(enumerate(node))))
        elif isinstance(node, str) and (why := _text_problem(node)) is not None:
            return _path(loc), why
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which the warehouse cannot store as text"
    if (m := _SURROGATE.search(text)) is not None:
        return f"contains a lone UTF-16 surrogate ({ascii(m.group())[1:-1]}), which is not valid Unicode text"
    return None


def _misplaced_brace_hint(data: Any, problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # The developer.jet.com sample nests order_items/order_detail inside order_totals
    # (a missing closing brace). Say so: it is the likely cause of "field required".
    if not isinstance(data, dict) or not isinstance(data.get("order_totals"), dict):
        return problems
    nested = {k for k in ("order_items", "order_detail") if k in data["order_totals"] and k not in data}
    if not nested:
        return problems
    return [
        (path, f"{msg} (found inside order_totals: misplaced closing brace?)" if path in nested else msg)
        for path, msg in problems
    ]


def parse_payload(model: type[M], raw: bytes | str) -> M:
    """Decode ``raw`` JSON and validate it as ``model``.

    Raises :class:`PayloadError` naming the first bad field path (all of them in
    ``.problems``), carrying ``raw``.
    """
    try:
        data = load_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError("$", f"invalid JSON: {exc}", raw) from exc
    if not isinstance(data, dict):
        raise PayloadError("$", f"expected a JSON object, got {type(data).__name__}", raw)
    suspect = _SUSPECT_ESCAPE_BYTES if isinstance(raw, bytes) else _SUSPECT_ESCAPE
    if suspect.search(raw) and (found := _unstorable_text(data)) is not None:  # type: ignore[arg-type]
        raise PayloadError(*found, raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        if model is OrderDetail:
            problems = _misplaced_brace_hint(data, problems)
        path, message = problems[0]
        raise PayloadError(path, message, raw, problems) from exc


def parse_order(raw: bytes | str) -> OrderDetail:
    """Parse an order-detail body; raises :class:`PayloadError` (with ``raw``) if invalid."""
    return parse_payload(OrderDetail, raw)
