"""
### Refund an order (merchant-initiated refund)

Posts a refund to Jet, then follows its state until Jet accepts or rejects it
(`created` → `processing` → `accepted` / `rejected - ...`).

- **merchant_order_id**; **lines**: per order line (`order_item_id`) the units to
  refund and, optionally, the amounts by component (`principal`, `tax`,
  `shipping_cost`, `shipping_tax`: line totals in USD; each defaults to what was paid
  for those units and may not exceed it), `quantity_returned`, `notes`.
- **reason** (and optional **feedback**) from Jet's lists; a line may override them.
- Only **shipped** units can be refunded. Units that did not ship are refused with a
  message pointing to cancellation (`jet_cancel_order`, or a cancellation-only
  shipment with `jet_ship_order`).

The refund is recorded (`jet.refunds`, `jet.refund_items`) and queued in the outbox
before the POST; a lost answer is settled by looking the refund up by its
`alt_refund_id` at Jet, so a refund is never posted twice. `jet_returns` also
refreshes undecided refunds every 30 minutes.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import PokeReturnValue, dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import refund_order_params


@dag(
    dag_id="jet_refund_order",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=4,
    # One retry: a retry finds the refund already recorded and only settles it, never posts twice.
    default_args=default_args(retries=1),
    description="By hand: refund an order (merchant-initiated)",
    tags=tags("manual", "refunds"),
    doc_md=__doc__,
    params=refund_order_params(),
)
def jet_refund_order() -> None:
    @task(multiple_outputs=False)
    def post_refund(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.refunds.tasks import lines_from_params, post
        from jet.runs import run_identity

        params = checked_params(context)
        lines = lines_from_params(params["lines"], params["reason"], params.get("feedback"))
        return post(run_identity(context), params["merchant_order_id"], lines, params.get("alt_refund_id") or None)

    # Jet decides within hours: poke every 5 minutes, freeing the worker slot in between.
    @task.sensor(poke_interval=300, timeout=timedelta(hours=12).total_seconds(), mode="reschedule")
    def follow_refund(posted: dict, **context) -> PokeReturnValue:
        from jet.refunds import is_rejected
        from jet.refunds.tasks import follow
        from jet.runs import run_identity

        state = follow(run_identity(context), [posted["alt_refund_id"]])
        status = state["statuses"][posted["alt_refund_id"]]
        if is_rejected(status):
            raise RuntimeError(f"Jet rejected refund {posted['alt_refund_id']}: {status}")
        return PokeReturnValue(is_done=state["final"], xcom_value=state)

    follow_refund(post_refund())


jet_refund_order()
