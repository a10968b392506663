"""
### Load the catalog and stock from the merchant's CSV export

Reads one file from the **inventory inbox** (`$JET_INVENTORY_INBOX`, default
`<project>/.local/inbox/`): drop the export there, then trigger this DAG with its name.
Paths outside the inbox (`/etc/passwd`, `../`, links that lead out) are refused before
anything is read. `make load-inventory FILE=...` loads any file you name.

Validates every row of the file (a bad row refuses the whole file, naming the row and
the column and quoting at most the offending cell; nothing is half-loaded), then COPYs
it into staging tables and upserts `jet.products` and `jet.inventory` in one
transaction. Loading the same file again changes nothing. `on_hand` is a count as of
the file's `counted_at` column, else the file's modification time. A refused file fails
at once (a retry would refuse it again). Emits `jet_catalog_loaded`, which triggers
`jet_decide_orders` and `jet_catalog_sync` (stock and prices pushed to Jet).

- **file_path**: the file's name in the inbox (columns `sku, title, unit_cost, price,
  replenishable, archived, fulfillment_node, on_hand, safety_stock, counted_at,
  node_price`; see docs/catalog.md).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.assets import CATALOG_LOADED
from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import load_inventory_params


@dag(
    dag_id="jet_load_inventory",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,  # two loads at once would race on the same rows
    default_args=default_args(retries=1),  # a refused file fails at once; a retry covers a lost connection
    description="By hand: load the catalog and stock from a CSV in the inventory inbox",
    tags=tags("catalog", "inventory"),
    doc_md=__doc__,
    params=load_inventory_params(),
)
def jet_load_inventory() -> None:
    @task(multiple_outputs=False, outlets=[CATALOG_LOADED])  # one receipt dict in XCom
    def load_inventory(**context) -> dict:
        from jet.catalog.tasks import load_from_inbox
        from jet.dag_params import checked_params
        from jet.runs import run_identity

        p = checked_params(context)
        return load_from_inbox(run_identity(context), p["file_path"])

    load_inventory()


jet_load_inventory()
