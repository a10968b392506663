"""Event-driven ingestion: land the orders the ready-orders watcher signalled, then decide.

``jet_new_orders`` runs on the watcher's Asset events. Its first task lands exactly the
orders the run's events name (plus any given by hand in ``conf``); its second decides
every undecided ready order and sends the answers, as ``jet_decide_orders`` does, so a new
order is acknowledged seconds after Jet lists it (that step is the decisions' own:
:func:`jet.decisions.tasks.decide_and_send`). Both steps are idempotent and safe beside
the scheduled DAGs (docs/event-driven.md says why).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from jet.failures import Refused
from jet.orders.ingest import unique
from jet.runs import RunIdentity

log = logging.getLogger(__name__)

#: Largest list a run accepts from one event or from ``conf`` (Jet lists at most 1000).
MAX_IDS = 1000


def signalled_ids(events: Iterable[Mapping[str, Any]], conf: Mapping[str, Any] | None = None) -> list[str]:
    """The merchant order ids of the run's asset events (their ``extra``), then of ``conf``.

    A watcher event's extra is ``{"from_trigger": true, "payload": {"merchant_order_ids": [...]}}``.
    Anything else in the list of ids is refused with the event that carried it.
    """
    ids: list[str] = []
    sources = [(f"asset event {n}", (e or {}).get("payload", e) or {}) for n, e in enumerate(events, 1)]
    if conf and "merchant_order_ids" in conf:
        sources.append(("conf", conf))
    for where, payload in sources:
        got = payload.get("merchant_order_ids", [])
        if not isinstance(got, list) or not all(isinstance(i, str) and i.strip() for i in got):
            raise Refused(f"{where}: merchant_order_ids must be a list of non-empty strings, got {got!r}")
        if len(got) > MAX_IDS:
            raise Refused(f"{where}: {len(got)} merchant_order_ids, at most {MAX_IDS}")
        ids += [i.strip() for i in got]
    return unique(ids)


def land_signalled(run: RunIdentity, merchant_order_ids: list[str], source: Any = None) -> dict[str, Any]:
    """Fetch and land the signalled orders (the scheduled pull's path, these ids only)."""
    from jet.api.hook import JetHook
    from jet.orders.ingest import ingest_orders
    from jet.warehouse.db import connect

    source = source or JetHook()
    # Runs overlap and two can start in the same second: the run id keeps their batch keys
    # apart (a retry of the same run keeps its own).
    run_key = f"{run.run_key}/{run.dag_run_id}" if run.dag_run_id else run.run_key
    with connect(autocommit=True) as conn:
        receipt = ingest_orders(
            source,
            conn,
            unique(merchant_order_ids),
            kind="ready",
            run_key=run_key,
            observed_at=run.observed_at,
            dag_run_id=run.dag_run_id,
        )
    return receipt.as_xcom()
