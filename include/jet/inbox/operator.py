"""A held order as a Required Action in Airflow's inbox, closed by whoever answers first.

:class:`HeldOrderQuestion` is the standard provider's :class:`HITLOperator` with two
changes. It writes its subject and body from the warehouse when it runs (the DAG maps
it over order ids, so XCom carries ids only). And it waits with
:class:`HeldOrderTrigger`, which watches the warehouse as well as the inbox: when the
order is decided elsewhere first (the console's jet_approve_order / jet_cancel_order
run), the trigger answers the inbox entry with that decision, so the inbox shows the
answer and the task ends without acting twice. On its own, Airflow 3.3's HITLOperator
waits in ``awaiting_input`` with nothing watching, and would keep a stale question
open until its timeout.

The question times out at the order's acknowledgement deadline (Jet gives the order
away then): the task fails, loudly, as a missed order should.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.providers.standard.triggers.hitl import HITLTrigger
from airflow.sdk import Param
from airflow.triggers.base import TriggerEvent

from jet.api.vocabulary import CANCEL_REASONS
from jet.dag_defaults import WAREHOUSE_CONN_ID
from jet.decisions.deadlines import ACK_WINDOW_MINUTES
from jet.inbox.prompts import APPROVE, CANCEL

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["HeldOrderQuestion", "HeldOrderTrigger", "question_params"]

POLL_SECONDS = 10.0


def question_params() -> dict[str, Param]:
    """The inbox form: the reason for a cancel (the same list as jet_cancel_order's) and
    an optional comment, kept on the order as a note by whoever answers."""
    return {
        "reason": Param(
            None,
            type=["null", "string"],
            enum=[None, *CANCEL_REASONS],
            title="Reason, when cancelling",
            description="Sent to Jet with the rejection; 'other' when left empty.",
        ),
        "comment": Param(
            None, type=["null", "string"], maxLength=4000, title="Comment", description="Kept on the order as a note."
        ),
    }


def _decided_now(merchant_order_id: str, conn_id: str) -> tuple[str, str | None, str] | None:
    """(option, reason, by) when the order's acknowledgement call is queued, else None."""
    from jet.inbox.prompts import decided
    from jet.warehouse.db import connect

    with connect(conn_id, autocommit=True) as conn:
        found = decided(conn, merchant_order_id)
    if found is None:
        return None
    return found.option, found.reason, found.by


class HeldOrderTrigger(HITLTrigger):
    """HITLTrigger that also closes the question when the order is decided elsewhere."""

    def __init__(self, *, merchant_order_id: str, warehouse_conn_id: str = WAREHOUSE_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.merchant_order_id = merchant_order_id
        self.warehouse_conn_id = warehouse_conn_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        _, kwargs = super().serialize()
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {**kwargs, "merchant_order_id": self.merchant_order_id, "warehouse_conn_id": self.warehouse_conn_id},
        )

    async def _close_as_decided(self, option: str, reason: str | None, by: str) -> TriggerEvent | None:
        """Answer the inbox entry with the decision taken elsewhere; None if a person answered
        it in the same instant (their answer is then read on the next loop)."""
        from airflow.sdk.exceptions import AirflowRuntimeError
        from airflow.sdk.execution_time.hitl import update_hitl_detail_response
        from asgiref.sync import sync_to_async

        params_input = {"reason": reason if option == CANCEL else None, "comment": f"Decided elsewhere by {by}"}
        try:
            resp = await sync_to_async(update_hitl_detail_response)(
                ti_id=self.ti_id, chosen_options=[option], params_input=params_input
            )
        except AirflowRuntimeError as exc:
            if (getattr(exc.error, "detail", None) or {}).get("status_code") == 409:
                return None  # answered in the inbox meanwhile: that answer is the one to report
            raise
        # The keys of HITLTriggerEventSuccessPayload (what execute_complete reads), plus ours.
        payload: dict[str, Any] = {
            "chosen_options": [option],
            "params_input": params_input,
            "responded_at": resp.responded_at,
            "responded_by_user": None,
            "timedout": False,
            "decided_elsewhere_by": by,
        }
        return TriggerEvent(payload)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from airflow.sdk.timezone import utcnow
        from asgiref.sync import sync_to_async

        while True:
            if self.timeout_datetime and self.timeout_datetime < utcnow():
                yield await self._handle_timeout()
                return
            event = await self._handle_response()
            if event:
                yield event
                return
            found = await sync_to_async(_decided_now)(self.merchant_order_id, self.warehouse_conn_id)
            if found is not None:
                closed = await self._close_as_decided(*found)
                if closed is not None:
                    yield closed
                    return
                continue
            await asyncio.sleep(self.poke_interval)


class HeldOrderQuestion(HITLOperator):
    """Ask one held order in the inbox: Approve or Cancel (with a reason), until its deadline."""

    # merchant_order_id is rendered: in a mapped task group it arrives as the group's argument.
    template_fields = (*HITLOperator.template_fields, "merchant_order_id")

    def __init__(
        self,
        *,
        merchant_order_id: str,
        warehouse_conn_id: str = WAREHOUSE_CONN_ID,
        poll_seconds: float = POLL_SECONDS,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("subject", "Held Jet order")
        kwargs.setdefault("options", [APPROVE, CANCEL])
        kwargs.setdefault("params", question_params())
        kwargs.setdefault("map_index_template", "{{ task.merchant_order_id }}")
        # The longest a question can wait (its order's whole window); the trigger ends it at
        # the order's own deadline. Setting it keeps execution_timeout for the asking itself.
        kwargs.setdefault("response_timeout", timedelta(minutes=ACK_WINDOW_MINUTES))
        super().__init__(**kwargs)
        self.merchant_order_id = merchant_order_id
        self.warehouse_conn_id = warehouse_conn_id
        self.poll_seconds = poll_seconds

    def _question(self) -> tuple[str, str, datetime | None]:
        from datetime import UTC

        from jet.console.order import load_order
        from jet.inbox.prompts import question_text
        from jet.warehouse.db import connect

        with connect(self.warehouse_conn_id, autocommit=True) as conn:
            view = load_order(conn, self.merchant_order_id, datetime.now(UTC))
        if view is None:
            raise RuntimeError(f"order {self.merchant_order_id} is not in the warehouse")
        subject, body = question_text(view)
        # Jet's rule: acknowledged within 15 minutes of being released, or given away.
        ready = view.header.ready_at
        deadline = ready + timedelta(minutes=ACK_WINDOW_MINUTES) if ready else None
        return subject, body, deadline

    def execute(self, context: Context) -> Any:
        from airflow.sdk.execution_time.hitl import upsert_hitl_detail

        self.subject, self.body, deadline = self._question()
        ti_id = context["task_instance"].id
        upsert_hitl_detail(
            ti_id=ti_id,
            options=self.options,
            subject=self.subject,
            body=self.body,
            defaults=self.defaults,
            multiple=self.multiple,
            params=self.serialized_params,
            assigned_users=self.assigned_users,
        )
        self.log.info("asking order %s in the inbox until %s", self.merchant_order_id, deadline)
        self.defer(
            trigger=HeldOrderTrigger(
                ti_id=ti_id,
                options=self.options,
                defaults=self.defaults,
                params=self.serialized_params,
                multiple=self.multiple,
                timeout_datetime=deadline,
                poke_interval=self.poll_seconds,
                merchant_order_id=self.merchant_order_id,
                warehouse_conn_id=self.warehouse_conn_id,
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        if event.get("error_type") == "timeout":
            from jet.inbox.tasks import record_expired

            record_expired(self.merchant_order_id, self.warehouse_conn_id)
        answer = super().execute_complete(context, event)
        return {
            **answer,
            "merchant_order_id": self.merchant_order_id,
            "decided_elsewhere_by": event.get("decided_elsewhere_by"),
        }
