"""Assets that link the DAGs. Light on purpose: DAG files import it at parse time."""

from __future__ import annotations

from airflow.sdk import Asset

# Emitted by jet_orders when orders landed or changed; jet_decide_orders follows it.
ORDERS_LANDED = Asset(name="jet_orders_landed", group="jet")

# Emitted by jet_load_inventory when a catalog file loaded: orders the catalog guard held
# (no product yet) are decided at once, not at the next 10-minute tick, and
# jet_catalog_sync pushes the new stock and prices to Jet.
CATALOG_LOADED = Asset(name="jet_catalog_loaded", group="jet")

# Emitted by jet_settlement once the P&L is refreshed, with extra {"settled_through": "YYYY-MM-DD"}
# (the last settlement day its run covered); jet_report writes the report on it.
PNL_REFRESHED = Asset(name="jet_pnl_refreshed", group="jet")
