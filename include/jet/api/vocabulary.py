"""Jet's vocabularies: the exact strings its API used (carriers, methods, reasons, ...).

Tuples and StrEnums importing only the standard library, so DAG files can offer them as
Param enums at parse time and the payload models validate against the same words: every
wire string of Jet's that the code compares or sends is written here, once.
Each list cites its section of docs/jet-api.md (§n) and the client library it comes from.
"""

from __future__ import annotations

from enum import StrEnum

# Words our code compares or sends are StrEnums; lists it only offers and validates are tuples.


class OrderStatus(StrEnum):
    """Order status words (§3.1); also the ``GET /orders/{status}`` path segment."""

    CREATED = "created"
    READY = "ready"
    ACKNOWLEDGED = "acknowledged"
    INPROGRESS = "inprogress"
    COMPLETE = "complete"


class AcknowledgementStatus(StrEnum):
    """Order-level ``acknowledgement_status`` of the acknowledge message (§4)."""

    ACCEPTED = "accepted"
    REJECTED_OTHER = "rejected - other"
    REJECTED_FRAUD = "rejected - fraud"
    REJECTED_ITEM_LEVEL_ERROR = "rejected - item level error"
    REJECTED_SHIP_FROM_LOCATION_NOT_AVAILABLE = "rejected - ship from location not available"
    REJECTED_SHIPPING_METHOD_NOT_SUPPORTED = "rejected - shipping method not supported"
    REJECTED_UNFULFILLABLE_ADDRESS = "rejected - unfulfillable address"


class OrderItemAcknowledgementStatus(StrEnum):
    """Line-level ``order_item_acknowledgement_status`` (§4).

    The bare ``nonfulfillable`` is the older docs' spelling; Jet accepted all four.
    """

    FULFILLABLE = "fulfillable"
    NONFULFILLABLE_NO_INVENTORY = "nonfulfillable - no inventory"
    NONFULFILLABLE_INVALID_MERCHANT_SKU = "nonfulfillable - invalid merchant SKU"
    NONFULFILLABLE = "nonfulfillable"


class ChargeFeedback(StrEnum):
    """``return_charge_feedback`` when disputing a return charge (§6, AERO ``ChargeFeedback``)."""

    OTHER = "other"
    OUTSIDE_MERCHANT_POLICY = "outsideMerchantPolicy"
    NOT_MERCHANT_ERROR = "notMerchantError"
    WRONG_ITEM = "wrongItem"
    FRAUD = "fraud"
    RETURNED_OUTSIDE_WINDOW = "returnedOutsideWindow"


ORDER_STATUSES: tuple[str, ...] = tuple(s.value for s in OrderStatus)
#: Statuses of an order Jet has released to the merchant: every one but ``created``, the
#: fraud check, whose orders must never be imported or shipped.
RELEASED_ORDER_STATUSES: tuple[str, ...] = tuple(s.value for s in OrderStatus if s is not OrderStatus.CREATED)
#: Statuses of an acknowledged order with units still to ship (or to cancel).
OPEN_ORDER_STATUSES: tuple[str, ...] = (OrderStatus.ACKNOWLEDGED.value, OrderStatus.INPROGRESS.value)

ACKNOWLEDGEMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in AcknowledgementStatus)
ORDER_ITEM_ACKNOWLEDGEMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in OrderItemAcknowledgementStatus)
CHARGE_FEEDBACK: tuple[str, ...] = tuple(s.value for s in ChargeFeedback)


class ExceptionState(StrEnum):
    """An order's ``exception_state`` (§3.1): an open exception, or ``resolved``."""

    TOO_MANY_UNITS_CANCELLED = "exception - too many units cancelled"
    #: Jet withdrew the order.
    JET_MANUAL_CANCELED = "exception - jet manual canceled to complete state"
    TOO_MANY_UNITS_SHIPPED = "exception - too many units shipped"
    ORDER_REJECTED = "exception - order rejected"
    RESOLVED = "resolved"


EXCEPTION_STATES: tuple[str, ...] = tuple(s.value for s in ExceptionState)


class ReturnStatus(StrEnum):
    """``return_status`` of a return (§6): the canonical words."""

    CREATED = "created"
    INPROGRESS = "inprogress"
    COMPLETED_BY_MERCHANT = "completed by merchant"


RETURN_STATUSES: tuple[str, ...] = tuple(s.value for s in ReturnStatus)
#: Statuses of a return still to be completed by the merchant.
OPEN_RETURN_STATUSES: tuple[str, ...] = (ReturnStatus.CREATED.value, ReturnStatus.INPROGRESS.value)


class RefundStatus(StrEnum):
    """``refund_status`` of a merchant refund (§7, AERO ``RefundAcceptedStatus``)."""

    CREATED = "created"
    PROCESSING = "processing"
    ACCEPTED = "accepted"
    REJECTED_CUSTOMER_CARD_NOT_VALID = "rejected - customer card not valid"
    REJECTED_CONFLICTS_WITH_RETURNS_POLICY = "rejected - refund conflicts with returns policy"


#: Every rejection of a refund starts with this word, whatever reason follows.
REFUND_REJECTED_PREFIX = "rejected"


class ReportStatus(StrEnum):
    """``report_status`` of a bulk report (§8, AERO ``ReportStatus``), compared lower-cased."""

    REQUESTED = "requested"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


# §3.3 / AERO ShippingCarrier.java.
SHIPPING_CARRIERS: tuple[str, ...] = (
    "FedEx",
    "FedEx SmartPost",
    "FedEx Freight",
    "UPS",
    "UPS Freight",
    "UPS Mail Innovations",
    "UPS SurePost",
    "OnTrac",
    "OnTrac Direct Post",
    "DHL",
    "DHL Global Mail",
    "USPS",
    "CEVA",
    "Laser Ship",
    "Spee Dee",
    "A Duie Pyle",
    "A1",
    "ABF",
    "APEX",
    "Averitt",
    "Dynamex",
    "Eastern Connection",
    "Ensenda",
    "Estes",
    "Land Air Express",
    "Lone Star",
    "Meyer",
    "New Penn",
    "Pilot",
    "Prestige",
    "RBF",
    "Reddaway",
    "RL Carriers",
    "Roadrunner",
    "Southeastern Freight",
    "UDS",
    "UES",
    "YRC",
    "Other",
)

# §3.3 / AERO ShippingMethod.java.
SHIPPING_METHODS: tuple[str, ...] = (
    "Freight",
    "DHL Global Mail",
    "FedEx 2 Day",
    "FedEx Express Saver",
    "FedEx First Overnight",
    "FedEx Ground",
    "FedEx Home Delivery",
    "FedEx Priority Overnight",
    "FedEx Smart Post",
    "FedEx Standard Overnight",
    "Ontrac Ground",
    "UPS 2nd Day Air AM",
    "UPS 2nd Day Air",
    "UPS 3 Day Select",
    "UPS Ground",
    "UPS Mail Innovations",
    "UPS Next Day Air Saver",
    "UPS Next Day Air",
    "UPS SurePost",
    "USPS First Class Mail",
    "USPS Media Mail",
    "USPS Priority Mail Express",
    "USPS Priority Mail",
    "USPS Standard Post",
)

# §3.3 / AERO ShippingServiceLevel.java.
SERVICE_LEVELS: tuple[str, ...] = (
    "Second Day",
    "Next Day",
    "Scheduled (freight)",
    "Expedited",
    "Standard",
    "Priority",
    "5 to 10 Day",
    "11 to 20 Day",
    "Scheduled (freight 11 to 20 day)",
)

# §6 (AERO RefundFeedback) — both capitalisations were in use.
RETURN_REFUND_FEEDBACK: tuple[str, ...] = (
    "Item is missing parts/accessories",
    "Wrong Item",
    "Item damaged",
    "Returned outside window",
    "Restocking fee",
    "Not shipped in original packaging",
    "Rerouting fee",
    "other",
    "item damaged",
    "not shipped in original packaging",
    "customer opened item",
)

# §7 (AERO MRefundFeedback).
REFUND_FEEDBACK: tuple[str, ...] = (
    "Item damaged",
    "Wrong item",
    "Item is missing parts/accessories",
    "Returned outside window",
    "Restocking fee",
    "Not shipped in original packaging",
    "Rerouting fee",
    "Items not received",
    "Refunded minus shipping cost",
)

# §7 (AERO RefundReason = newer return reasons + two return-to-sender reasons).
REFUND_REASONS: tuple[str, ...] = (
    "No longer want this item",
    "Received the wrong item",
    "Website description is inaccurate",
    "Product is defective / does not work",
    "Item arrived damaged - box intact",
    "Item arrived damaged - box damaged",
    "Package never arrived",
    "Package arrived late",
    "Wrong quantity received",
    "Better price found elsewhere",
    "Unwanted gift",
    "Accidental order",
    "Unauthorized purchase",
    "Item is missing parts / accessories",
    "Item is refurbished",
    "Item is expired",
    "Package arrived after estimated delivery date",
    "Return to Sender - damaged, undeliverable, refused",
    "Return to Sender - lost in transit only",
)


_ITEM = OrderItemAcknowledgementStatus

#: Operator cancel reasons → (Jet acknowledgement_status, item status) for a cancel
#: before acknowledgement. After acknowledgement the reason is recorded, not sent
#: (Jet's shipped call has no reason field).
CANCEL_REASONS: dict[str, tuple[str, str]] = {
    "out_of_stock": (AcknowledgementStatus.REJECTED_ITEM_LEVEL_ERROR, _ITEM.NONFULFILLABLE_NO_INVENTORY),
    "invalid_sku": (AcknowledgementStatus.REJECTED_ITEM_LEVEL_ERROR, _ITEM.NONFULFILLABLE_INVALID_MERCHANT_SKU),
    "customer_request": (AcknowledgementStatus.REJECTED_OTHER, _ITEM.NONFULFILLABLE),
    "fraud": (AcknowledgementStatus.REJECTED_FRAUD, _ITEM.NONFULFILLABLE),
    "unfulfillable_address": (AcknowledgementStatus.REJECTED_UNFULFILLABLE_ADDRESS, _ITEM.NONFULFILLABLE),
    "shipping_method_not_supported": (
        AcknowledgementStatus.REJECTED_SHIPPING_METHOD_NOT_SUPPORTED,
        _ITEM.NONFULFILLABLE,
    ),
    "ship_from_location_not_available": (
        AcknowledgementStatus.REJECTED_SHIP_FROM_LOCATION_NOT_AVAILABLE,
        _ITEM.NONFULFILLABLE,
    ),
    "other": (AcknowledgementStatus.REJECTED_OTHER, _ITEM.NONFULFILLABLE),
}
