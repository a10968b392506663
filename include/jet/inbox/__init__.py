"""Held orders in Airflow's inbox (Required Actions), decided once with the console.

:mod:`~jet.inbox.prompts` (which orders to ask, at most :data:`MAX_OPEN` open; how each
question ended), :mod:`~jet.inbox.operator` (the question, and the trigger that closes
it when the order is decided elsewhere), :mod:`~jet.inbox.tasks` (jet_held_orders'
task bodies). The DAG file imports the operator module directly: this face stays light.
"""

from jet.inbox.prompts import APPROVE, CANCEL, MAX_OPEN, Decided, decided

__all__ = ["APPROVE", "CANCEL", "MAX_OPEN", "Decided", "decided"]
