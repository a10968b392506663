"""Jet's vocabularies: the exact strings its API used (carriers, methods, reasons, ...).

Plain tuples with no imports, so DAG files can offer them as Param enums at parse time
and the payload models validate against the same lists (one source, no copies).
Each list cites its section of docs/jet-api.md (§n) and the client library it comes from.
"""

from __future__ import annotations

EXCEPTION_STATES: tuple[str, ...] = (
    "exception - too many units cancelled",
    "exception - jet manual canceled to complete state",
    "exception - too many units shipped",
    "exception - order rejected",
    "resolved",
)

# Canonical values first; older/variant spellings are in the lists too (§6).
RETURN_STATUSES: tuple[str, ...] = ("created", "inprogress", "completed by merchant")

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

# §6 (AERO ChargeFeedback): why a merchant disputes a return charge.
CHARGE_FEEDBACK: tuple[str, ...] = (
    "other",
    "outsideMerchantPolicy",
    "notMerchantError",
    "wrongItem",
    "fraud",
    "returnedOutsideWindow",
)

#: Operator cancel reasons → (Jet acknowledgement_status, item status) for a cancel
#: before acknowledgement. After acknowledgement the reason is recorded, not sent
#: (Jet's shipped call has no reason field).
CANCEL_REASONS: dict[str, tuple[str, str]] = {
    "out_of_stock": ("rejected - item level error", "nonfulfillable - no inventory"),
    "invalid_sku": ("rejected - item level error", "nonfulfillable - invalid merchant SKU"),
    "customer_request": ("rejected - other", "nonfulfillable"),
    "fraud": ("rejected - fraud", "nonfulfillable"),
    "unfulfillable_address": ("rejected - unfulfillable address", "nonfulfillable"),
    "shipping_method_not_supported": ("rejected - shipping method not supported", "nonfulfillable"),
    "ship_from_location_not_available": ("rejected - ship from location not available", "nonfulfillable"),
    "other": ("rejected - other", "nonfulfillable"),
}
