"""
### Complete a return: accept (in full or in part) or deny credit

- **merchant_return_authorization_id**: Jet's return id.
- **decision** `accept`: refund what the customer asked, line by line; a line in
  **lines** may lower it (units refunded, units received back, amounts by component:
  line totals in USD). Refunding less than requested needs that line's **feedback**
  from Jet's list. **decision** `deny`: no credit; **deny_reason** from Jet's list.
- **agree_to_return_charge**: whether we pay Jet's return charge; disputing it needs
  a **charge_feedback** from Jet's list.
- **rma_number** (optional): our RMA id, sent as `alt_return_authorization_id`.

Goes through the outbox (one completion per return, ever), settled by re-reading the
return when the outcome is unknown; the return is then re-landed.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from jet.api.vocabulary import CHARGE_FEEDBACK, RETURN_REFUND_FEEDBACK
from jet.dag_defaults import START_DATE, default_args
from jet.dag_params import jet_id_param

_MONEY = {"type": ["null", "number"], "minimum": 0}
_COUNT = {"type": ["null", "integer"], "minimum": 0}


@dag(
    dag_id="jet_complete_return",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,
    # One retry: a retry only settles the completion already queued, never sends a second one.
    default_args=default_args(retries=1),
    tags=["jet", "returns", "manual"],
    doc_md=__doc__,
    params={
        "merchant_return_authorization_id": jet_id_param("Return id"),
        "decision": Param("accept", type="string", enum=["accept", "deny"], title="Decision"),
        "deny_reason": Param(None, type=["null", "string"], enum=[None, *RETURN_REFUND_FEEDBACK], title="Deny reason"),
        "agree_to_return_charge": Param(True, type="boolean", title="Agree to the return charge"),
        "charge_feedback": Param(
            None, type=["null", "string"], enum=[None, *CHARGE_FEEDBACK], title="Why the charge is disputed"
        ),
        "rma_number": Param(None, type=["null", "string"], title="Our RMA number"),
        "lines": Param(
            [],
            type="array",
            title="Per-line changes (partial refunds)",
            items={
                "type": "object",
                "properties": {
                    "order_item_id": {"type": "string", "minLength": 1},
                    "quantity_returned": _COUNT,
                    "refund_quantity": _COUNT,
                    "principal": _MONEY,
                    "tax": _MONEY,
                    "shipping_cost": _MONEY,
                    "shipping_tax": _MONEY,
                    "feedback": {"type": ["null", "string"], "enum": [None, *RETURN_REFUND_FEEDBACK]},
                    "notes": {"type": ["null", "string"]},
                },
                "required": ["order_item_id"],
                "additionalProperties": False,
            },
        ),
    },
)
def jet_complete_return() -> None:
    @task(multiple_outputs=False)
    def complete_return(**context) -> dict:
        from jet.returns.tasks import complete
        from jet.runs import run_identity

        return complete(run_identity(context), dict(context["params"]))

    complete_return()


jet_complete_return()
