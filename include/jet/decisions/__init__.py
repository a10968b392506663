"""Order decisions: acknowledge, reject, cancel or hold each order per stock and settings.

The rules are pure functions in :mod:`jet.decisions.rules`, in their own words;
:mod:`jet.decisions.acknowledgement` says a decision in Jet's. Recording decisions and
writing them back to the marketplace happen elsewhere.
"""

from jet.decisions.acknowledgement import (
    JET_ACKNOWLEDGEMENT_STATUS,
    JET_ITEM_STATUS,
    JetAcknowledgement,
    to_jet_acknowledgement,
)
from jet.decisions.rules import (
    RULES_VERSION,
    Decision,
    DecisionBatch,
    LineDecision,
    LineStatus,
    Order,
    OrderLine,
    Outcome,
    Product,
    ReasonCode,
    Settings,
    StockKey,
    StockLevel,
    decide,
    decide_batch,
)

__all__ = [
    "JET_ACKNOWLEDGEMENT_STATUS",
    "JET_ITEM_STATUS",
    "RULES_VERSION",
    "Decision",
    "DecisionBatch",
    "JetAcknowledgement",
    "LineDecision",
    "LineStatus",
    "Order",
    "OrderLine",
    "Outcome",
    "Product",
    "ReasonCode",
    "Settings",
    "StockKey",
    "StockLevel",
    "decide",
    "decide_batch",
    "to_jet_acknowledgement",
]
