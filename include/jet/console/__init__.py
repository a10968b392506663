"""The order manager inside Airflow: find any order, see its whole story, act on it.

Read side (plain functions over the warehouse): :mod:`~jet.console.search` (the order
list), :mod:`~jet.console.order` (one order), :mod:`~jet.console.timeline`,
:mod:`~jet.console.queues`. Action side: :mod:`~jet.console.actions` (form to a manual
DAG's conf, with a preview of what reaches Jet), :mod:`~jet.console.params` (checked
against the DAG's own Params), :mod:`~jet.console.airflow_api` (Airflow's REST API as the
logged-in user). Web side: :mod:`~jet.console.web` (the FastAPI app the plugin mounts at
``/jet``) and :mod:`~jet.console.security` (Airflow's session and permissions).
"""

from jet.console.order import OrderView, load_order
from jet.console.queues import QUEUES, QueueCounts, queue_counts, queue_rows
from jet.console.search import INTERNAL_STATUSES, OrderPage, OrderRow, SearchFilters, SearchRefused, search_orders
from jet.console.timeline import TimelineEntry, timeline

__all__ = [
    "INTERNAL_STATUSES",
    "QUEUES",
    "OrderPage",
    "OrderRow",
    "OrderView",
    "QueueCounts",
    "SearchFilters",
    "SearchRefused",
    "TimelineEntry",
    "load_order",
    "queue_counts",
    "queue_rows",
    "search_orders",
    "timeline",
]
