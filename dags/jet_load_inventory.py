"""
### Load the catalog and stock from the merchant's CSV export

Validates every row of the file (a bad row refuses the whole file, naming the row and
the column; nothing is half-loaded), then COPYs it into staging tables and upserts
`jet.products` and `jet.inventory` in one transaction. Loading the same file again
changes nothing. Same code as `make load-inventory FILE=...`.

- **file_path**: path of the CSV on the worker (columns `sku, title, unit_cost,
  replenishable, archived, fulfillment_node, on_hand, safety_stock`).
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from jet.dag_defaults import START_DATE, default_args


@dag(
    dag_id="jet_load_inventory",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,  # two loads at once would race on the same rows
    default_args=default_args(retries=1),  # a refused file stays refused; retry covers a lost connection
    tags=["jet", "catalog", "manual"],
    doc_md=__doc__,
    params={
        "file_path": Param(
            "",
            type="string",
            minLength=1,
            title="CSV file path",
            description="Path of the merchant's catalog/stock CSV, readable by the worker.",
        ),
    },
)
def jet_load_inventory() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom, not one XCom per key
    def load_inventory(**context) -> dict:
        from jet.catalog.load_csv import load_file
        from jet.runs import run_identity
        from jet.warehouse.db import connect

        with connect() as conn:
            receipt = load_file(conn, context["params"]["file_path"], run_identity(context).observed_at)
        return receipt.as_xcom()

    load_inventory()


jet_load_inventory()
