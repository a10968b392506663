"""Jet's enumerations, as listed in docs/jet-api.md (from Aerodrome, Ventmere/jet, jet-python)."""

from __future__ import annotations

ACK_STATUSES = (
    "accepted",
    "rejected - other",
    "rejected - fraud",
    "rejected - item level error",
    "rejected - ship from location not available",
    "rejected - shipping method not supported",
    "rejected - unfulfillable address",
)
#: Bare ``nonfulfillable`` is accepted too: older docs listed it (docs/jet-api.md §4).
ITEM_ACK_STATUSES = (
    "fulfillable",
    "nonfulfillable - no inventory",
    "nonfulfillable - invalid merchant SKU",
    "nonfulfillable",
)
CARRIERS = (
    "FedEx", "FedEx SmartPost", "FedEx Freight", "UPS", "UPS Freight", "UPS Mail Innovations", "UPS SurePost",
    "OnTrac", "OnTrac Direct Post", "DHL", "DHL Global Mail", "USPS", "CEVA", "Laser Ship", "Spee Dee",
    "A Duie Pyle", "A1", "ABF", "APEX", "Averitt", "Dynamex", "Eastern Connection", "Ensenda", "Estes",
    "Land Air Express", "Lone Star", "Meyer", "New Penn", "Pilot", "Prestige", "RBF", "Reddaway", "RL Carriers",
    "Roadrunner", "Southeastern Freight", "UDS", "UES", "YRC", "Other",
)  # fmt: skip
CARRIERS_LOWER = {c.lower() for c in CARRIERS}

RETURN_STATUSES = ("created", "inprogress", "completed by merchant")
#: Variants seen in older clients (docs/jet-api.md §6, UNCERTAIN) mapped onto the canonical words.
RETURN_STATUS_ALIASES = {
    "created": "created",
    "inprogress": "inprogress",
    "acknowledged": "inprogress",
    "acknowledge": "inprogress",
    "completed by merchant": "completed by merchant",
    "completedbymerchant": "completed by merchant",
    "refund customer without return": "refund_without_return",
    "refundcustomerwithoutreturn": "refund_without_return",
    "jetrefunded": "refund_without_return",
}
CHARGE_FEEDBACK = ("other", "outsideMerchantPolicy", "notMerchantError", "wrongItem", "fraud", "returnedOutsideWindow")
RETURN_REFUND_FEEDBACK = (
    "Item is missing parts/accessories", "Wrong Item", "Item damaged", "Returned outside window", "Restocking fee",
    "Not shipped in original packaging", "Rerouting fee", "other", "item damaged",
    "not shipped in original packaging", "customer opened item",
)  # fmt: skip
REFUND_FEEDBACK = (
    "Item damaged", "Wrong item", "Item is missing parts/accessories", "Returned outside window", "Restocking fee",
    "Not shipped in original packaging", "Rerouting fee", "Items not received", "Refunded minus shipping cost",
)  # fmt: skip
REFUND_REASONS = (
    "No longer want this item", "Received the wrong item", "Website description is inaccurate",
    "Product is defective / does not work", "Item arrived damaged - box intact", "Item arrived damaged - box damaged",
    "Package never arrived", "Package arrived late", "Wrong quantity received", "Better price found elsewhere",
    "Unwanted gift", "Accidental order", "Unauthorized purchase", "Item is missing parts / accessories",
    "Item is refurbished", "Item is expired", "Package arrived after estimated delivery date",
    "Return to Sender - damaged, undeliverable, refused", "Return to Sender - lost in transit only",
    # the older vocabulary (AERO CreatedRefundReason), which Jet still echoed back
    "wrong quantity received", "received wrong item than what was ordered", "accidental order",
    "item is damaged/broken", "item is defective/does not work properly", "shipping box and item are both damaged",
    "item was different than website description", "package arrived later than promised delivery date",
    "package never arrived", "unwanted gift", "unauthorized purchase", "better price available",
    "no longer need/want",
)  # fmt: skip
REFUND_STATUSES = ("created", "processing", "accepted", "rejected")
REFUND_REJECT_POLICY = "rejected - refund conflicts with returns policy"
REFUND_REJECT_CARD = "rejected - customer card not valid"
