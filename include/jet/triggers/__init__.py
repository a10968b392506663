"""Event triggers that run in Airflow's triggerer (AssetWatchers)."""

from jet.triggers.ready_orders import ReadyOrdersTrigger

__all__ = ["ReadyOrdersTrigger"]
