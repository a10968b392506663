"""Assets that link the DAGs. Light on purpose: DAG files import it at parse time."""

from __future__ import annotations

from airflow.sdk import Asset

# Emitted by jet_orders when orders landed or changed; jet_decide_orders follows it.
ORDERS_LANDED = Asset(name="jet_orders_landed", group="jet")
