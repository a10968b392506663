"""The manual DAGs' Params: one source for every trigger form (and the console that reuses them).

Each manual DAG declares ``params=<dag>_params()`` from here, and :data:`MANUAL_PARAMS`
maps every manual DAG id to its Param set, so another front end validates a form
exactly as Airflow will. What the trigger form refuses (Airflow answers 400, a
``dag.test(run_conf=...)`` raises ``ParamValidationError``) before a run is created:

* ids that are not Jet ids, required lists left empty, values outside Jet's lists;
* text with a control character (NUL included) or longer than :mod:`jet.limits` allows;
* required fields left out (``reason`` of a cancel has no default: no cancel by accident).

Airflow accepts keys it does not know (a misspelled ``reasn`` would be dropped silently
and the default used), so every manual task starts with :func:`checked_params`, which
refuses them, suggesting the key meant, before anything is read or sent. Checks that
need the warehouse (a ship date between the order's placement and now plus a day) run in
the task, before anything is queued.

Light on purpose: DAG files import it at parse time.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from airflow.sdk import Param

from jet import limits
from jet.api.vocabulary import (
    CANCEL_REASONS,
    CHARGE_FEEDBACK,
    REFUND_FEEDBACK,
    REFUND_REASONS,
    RELEASED_ORDER_STATUSES,
    RETURN_REFUND_FEEDBACK,
)
from jet.failures import PermanentError, fail_fast

# Jet ids are 32 hex characters; the sandbox and the docs samples use other short ids.
JET_ID_PATTERN = "^[0-9A-Za-z-]{8,64}$"
#: Jet lists at most 1000 orders per call; more ids than that in one form is a paste accident.
MAX_ORDER_IDS = 1000
_MONEY = {"type": ["null", "number"], "minimum": 0, "maximum": 1_000_000}
_COUNT = {"type": ["null", "integer"], "minimum": 0, "maximum": 1_000_000}


class UnknownParams(PermanentError):
    """The run was triggered with keys the DAG does not declare."""


def text(max_length: int, *, multiline: bool = False, required: bool = True) -> dict[str, Any]:
    """JSON schema of a text field: no control characters, at most ``max_length`` characters."""
    schema: dict[str, Any] = {
        "type": "string" if required else ["null", "string"],
        "maxLength": max_length,
        "pattern": limits.MULTILINE_PATTERN if multiline else limits.SINGLE_LINE_PATTERN,
    }
    if required:
        schema["minLength"] = 1
    return schema


def jet_id_param(title: str = "Merchant order id", description: str | None = None) -> Param:
    """One Jet id (an order, a return), typed into the trigger form."""
    extra: dict[str, Any] = {"description": description} if description else {}
    return Param("", type="string", pattern=JET_ID_PATTERN, title=title, **extra)


def order_ids_param(description: str | None = None, *, required: bool = False) -> Param:
    """Several merchant order ids; ``required``: at least one (else a date range may stand in)."""
    extra: dict[str, Any] = {"description": description} if description else {}
    if required:
        extra["minItems"] = 1
    return Param(
        [],
        type="array",
        items={"type": "string", "pattern": JET_ID_PATTERN},
        maxItems=MAX_ORDER_IDS,
        uniqueItems=True,
        title="Merchant order ids",
        **extra,
    )


def placed_date_params() -> dict[str, Param]:
    """``placed_from`` / ``placed_to``: UTC calendar days, both included."""
    return {
        "placed_from": Param(None, type=["null", "string"], format="date", title="Placed from (UTC date)"),
        "placed_to": Param(None, type=["null", "string"], format="date", title="Placed to (UTC date)"),
    }


# ---------------------------------------------------------------------- one set per manual DAG


def import_order_params() -> dict[str, Param]:
    return {
        "merchant_order_ids": order_ids_param("Jet merchant_order_id values to import or refresh.", required=True),
        "statuses": Param(
            [],
            type="array",
            items={"type": "string", "enum": list(RELEASED_ORDER_STATUSES)},
            uniqueItems=True,
            title="Also re-pull statuses",
            description="Optional: also re-pull every order Jet lists in these statuses.",
        ),
        **placed_date_params(),
    }


def approve_order_params() -> dict[str, Param]:
    return {"merchant_order_id": jet_id_param(description="The held Jet order to acknowledge.")}


def cancel_order_params() -> dict[str, Param]:
    return {
        "merchant_order_id": jet_id_param(description="The Jet order to cancel."),
        # No default: a cancel is sent to Jet, so its reason is always chosen.
        "reason": Param(type="string", enum=list(CANCEL_REASONS), title="Reason"),
    }


def retry_action_params() -> dict[str, Param]:
    return {
        # No default: the operator names the failed write (jet.actions.action_id).
        "action_id": Param(
            type="integer",
            minimum=1,
            title="Action id",
            description="The failed write to re-queue (jet.actions.action_id; the console's Re-queue button fills it).",
        ),
    }


def ship_order_params() -> dict[str, Param]:
    address_line = text(limits.ADDRESS_LINE_MAX, required=False)
    return {
        "merchant_order_id": jet_id_param(),
        "lines": Param(
            [],
            type="array",
            title="Lines",
            description="Per SKU: units shipped and units cancelled. Empty = every open unit.",
            items={
                "type": "object",
                "properties": {
                    "merchant_sku": text(limits.SKU_MAX),
                    "quantity_shipped": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                    "quantity_cancelled": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                },
                "required": ["merchant_sku"],
                "additionalProperties": False,
            },
        ),
        "cancel_open_units": Param(False, type="boolean", title="Cancel (not ship) the open units"),
        "carrier": Param(
            None, **text(limits.CARRIER_MAX, required=False), title="Carrier", description="One of Jet's carriers."
        ),
        "shipping_method": Param(
            None,
            **text(limits.SHIPPING_METHOD_MAX, required=False),
            title="Shipping method",
            description="e.g. UPS Ground.",
        ),
        "tracking_number": Param(
            None,
            **text(limits.TRACKING_NUMBER_MAX, required=False),
            title="Tracking number",
            description=f"At most {limits.TRACKING_NUMBER_MAX} characters.",
        ),
        "ship_date": Param(
            None,
            **text(40, required=False),
            title="Ship date (ISO-8601; default: now)",
            description="Between the order's placement and tomorrow.",
        ),
        "expected_delivery_date": Param(None, **text(40, required=False), title="Expected delivery (ISO-8601)"),
        "ship_from_zip": Param(None, type=["null", "string"], pattern="^[0-9]{5}(-[0-9]{4})?$", title="Ship-from ZIP"),
        "rma_number": Param(None, **text(limits.RMA_NUMBER_MAX, required=False), title="RMA number"),
        "days_to_return": Param(None, type=["null", "integer"], minimum=0, maximum=365, title="Days to return"),
        "return_address": Param(
            None,
            type=["null", "object"],
            title="Return address",
            description='{"address1", "address2", "city", "state", "zip_code"}',
            properties={
                "address1": address_line,
                "address2": address_line,
                "city": address_line,
                "state": address_line,
                "zip_code": {"type": ["null", "string"], "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
            },
            additionalProperties=False,
        ),
    }


def complete_return_params() -> dict[str, Param]:
    return {
        "merchant_return_authorization_id": jet_id_param("Return id"),
        "decision": Param("accept", type="string", enum=["accept", "deny"], title="Decision"),
        "deny_reason": Param(None, type=["null", "string"], enum=[None, *RETURN_REFUND_FEEDBACK], title="Deny reason"),
        "agree_to_return_charge": Param(True, type="boolean", title="Agree to the return charge"),
        "charge_feedback": Param(
            None, type=["null", "string"], enum=[None, *CHARGE_FEEDBACK], title="Why the charge is disputed"
        ),
        "rma_number": Param(None, **text(limits.RMA_NUMBER_MAX, required=False), title="Our RMA number"),
        "lines": Param(
            [],
            type="array",
            title="Per-line changes (partial refunds)",
            items={
                "type": "object",
                "properties": {
                    "order_item_id": text(64),
                    "quantity_returned": _COUNT,
                    "refund_quantity": _COUNT,
                    "principal": _MONEY,
                    "tax": _MONEY,
                    "shipping_cost": _MONEY,
                    "shipping_tax": _MONEY,
                    "feedback": {"type": ["null", "string"], "enum": [None, *RETURN_REFUND_FEEDBACK]},
                    "notes": text(limits.JET_NOTES_MAX, multiline=True, required=False),
                },
                "required": ["order_item_id"],
                "additionalProperties": False,
            },
        ),
    }


def refund_order_params() -> dict[str, Param]:
    return {
        "merchant_order_id": jet_id_param(),
        "lines": Param(
            [],
            type="array",
            minItems=1,
            title="Lines",
            items={
                "type": "object",
                "properties": {
                    "order_item_id": text(64),
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
                    "quantity_returned": _COUNT,
                    "principal": _MONEY,
                    "tax": _MONEY,
                    "shipping_cost": _MONEY,
                    "shipping_tax": _MONEY,
                    "reason": {"type": ["null", "string"], "enum": [None, *REFUND_REASONS]},
                    "feedback": {"type": ["null", "string"], "enum": [None, *REFUND_FEEDBACK]},
                    "notes": text(limits.JET_NOTES_MAX, multiline=True, required=False),
                },
                "required": ["order_item_id", "quantity"],
                "additionalProperties": False,
            },
        ),
        "reason": Param("No longer want this item", type="string", enum=list(REFUND_REASONS), title="Reason"),
        "feedback": Param(None, type=["null", "string"], enum=[None, *REFUND_FEEDBACK], title="Feedback"),
        "alt_refund_id": Param(
            None, type=["null", "string"], pattern="^[A-Za-z0-9._-]{1,64}$", title="Our refund id (optional)"
        ),
    }


def add_order_note_params() -> dict[str, Param]:
    return {
        "merchant_order_id": jet_id_param(),
        "author": Param("", **text(limits.AUTHOR_MAX), title="Author"),
        "text": Param("", **text(limits.NOTE_MAX, multiline=True), title="Note"),
    }


def print_invoice_params() -> dict[str, Param]:
    return {
        "merchant_order_ids": order_ids_param(),
        **placed_date_params(),
        "pdf": Param(True, type="boolean", title="Also write a PDF"),
    }


def load_inventory_params() -> dict[str, Param]:
    return {
        "file_path": Param(
            "",
            **text(limits.FILE_NAME_MAX),
            title="File in the inventory inbox",
            description="Name of the catalog/stock CSV in the inbox ($JET_INVENTORY_INBOX, default .local/inbox/).",
        ),
    }


#: Every manual DAG's Param set, by DAG id (for forms other than Airflow's).
MANUAL_PARAMS: Mapping[str, Callable[[], dict[str, Param]]] = {
    "jet_import_order": import_order_params,
    "jet_approve_order": approve_order_params,
    "jet_cancel_order": cancel_order_params,
    "jet_retry_action": retry_action_params,
    "jet_ship_order": ship_order_params,
    "jet_complete_return": complete_return_params,
    "jet_refund_order": refund_order_params,
    "jet_add_order_note": add_order_note_params,
    "jet_print_invoice": print_invoice_params,
    "jet_load_inventory": load_inventory_params,
}


def unknown_keys(declared: Any, conf: Mapping[str, Any] | None) -> list[str]:
    """Problems with ``conf``'s keys that ``declared`` (a DAG's Params) does not have, with a guess."""
    known = list(declared)
    problems = []
    for key in sorted(set(conf or {}) - set(known)):
        guess = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        problems.append(f"unknown parameter {key!r}{hint}")
    return problems


@fail_fast
def checked_params(context: Any) -> dict[str, Any]:
    """The run's Params, after refusing keys the DAG does not declare (no retry: the
    run's conf never changes). Every task that reads Params reads them here."""
    problems = unknown_keys(context["dag"].params, context["dag_run"].conf)
    if problems:
        raise UnknownParams(
            f"{'; '.join(problems)}: nothing was done. Trigger again with the DAG's parameters: "
            f"{', '.join(sorted(context['dag'].params))}"
        )
    return dict(context["params"])
