"""
### Warehouse migrations

Applies the pending versioned migrations in `include/jet/warehouse/migrations/` to
the warehouse behind the `jet_warehouse` connection. `make setup` does the same;
this DAG lets an operator upgrade a deployed warehouse from the UI after a release.
Each migration is applied once, under an advisory lock, in its own transaction.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_warehouse_migrate",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=1),
    description="By hand: apply the warehouse's pending migrations",
    tags=tags("operations", "warehouse"),
    doc_md=__doc__,
)
def jet_warehouse_migrate() -> None:
    @task
    def apply_migrations() -> list[int]:
        """Apply pending migrations; the receipt is the list of versions applied."""
        from jet.warehouse.db import conninfo
        from jet.warehouse.migrate import migrate

        return migrate(conninfo())

    apply_migrations()


jet_warehouse_migrate()
